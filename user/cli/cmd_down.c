// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl down: the only command that takes the data path away. It works
 * from the record "up" wrote, with or without a running daemon, and gives
 * back exactly what "up" took: sysctls, reserved ports, VIP addresses.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/ctl_client.h"
#include "config/config.h"
#include "host/hostprep.h"
#include "kernel/loader.h"
#include "kernel/maps.h"
#include "host/netdev.h"
#include "lib/log.h"
#include "host/record.h"
#include "kernel/timewait.h"

/* Ask a running daemon to exit (it leaves the data path alone); wait for it. */
static bool stop_daemon(const char *socket)
{
	char err[256], *body = NULL;
	int ret = ctl_request(socket, "shutdown", &body, err, sizeof(err));

	free(body);
	if (ret)
		return false;
	for (int i = 0; i < 100 && access(socket, F_OK) == 0; i++)
		usleep(50 * 1000);
	return true;
}

/* Without a record, find rpilb's program wherever it is attached. */
static int detach_everywhere(char *ifname, size_t len, enum cfg_attach_mode *mode)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int found = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		uint32_t id;

		while (!loader_query(i->if_index, mode, &id)) {
			loader_detach(i->if_index, *mode);
			snprintf(ifname, len, "%s", i->if_name);
			found++;
		}
	}
	if_freenameindex(ifs);
	return found;
}

struct down_opts {
	const char *config; /* NULL: the default file's paths, or the defaults */
};

static const struct cli_opt down_table[] = {
	CLI_STR("config", struct down_opts, config, .letter = 'c', .arg = "FILE",
		.help = "where state, socket and pins are (default " CFG_DEFAULT_CONFIG
			"; the defaults if it does not parse)"),
	CLI_OPT_JSON,
	{},
};
const struct cli_optset down_options = CLI_OPTSET(struct down_opts, down_table, NULL);

/* What down found and did, for the one line (or object) it prints. */
struct down_result {
	bool daemon_stopped;
	bool detached;
	char ifname[IF_NAMESIZE];
	enum cfg_attach_mode mode;
};

/* Detach where the record says, giving back the host settings; else wherever it is. */
static void detach(const struct rpilb_paths *paths, struct down_result *res)
{
	struct host_record rec;

	if (record_load(paths->state_dir, &rec)) {
		res->detached = detach_everywhere(res->ifname, sizeof(res->ifname), &res->mode) > 0;
		return;
	}
	snprintf(res->ifname, sizeof(res->ifname), "%s", rec.ifname);
	res->mode = rec.mode;
	res->detached = loader_detach(rec.ifindex, rec.mode) == 0;
	host_restore(&rec);
}

/* Before the tables go: the pairs the Pis still hold in TIME_WAIT, for the next up. */
static void keep_timewait(const struct rpilb_paths *paths)
{
	char boot[40] = "";
	struct lb_maps m;
	int n;

	if (maps_open_pinned(&m, paths->pin_dir))
		return;
	sysctl_read_str("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
	n = timewait_save(&m, paths->state_dir, boot);
	if (n > 0)
		pr_debug("kept %d pairs in TIME_WAIT for the next up", n);
	maps_close(&m);
}

/* The mode as down's line names it; AUTO never is, once something was detached. */
static const char *mode_shown(enum cfg_attach_mode mode)
{
	return mode == CFG_ATTACH_TC ? "(tc)" : mode == CFG_ATTACH_XDP ? "(xdp)" : "(xdpgeneric)";
}

static void print_down(const struct down_result *res)
{
	struct json_writer *jw;

	if (!cli.json) {
		if (res->detached)
			printf("rpilb is down: detached from %s %s.\n", res->ifname,
			       mode_shown(res->mode));
		else if (res->daemon_stopped)
			printf("rpilb is down.\n");
		else
			printf("rpilb was not running: nothing to do.\n");
		return;
	}
	jw = cli_json();
	json_begin_object(jw);
	json_kv_bool(jw, "daemon_stopped", res->daemon_stopped);
	json_kv_bool(jw, "detached", res->detached);
	json_kv_str(jw, "interface", res->ifname);
	json_kv_str(jw, "mode", res->detached ? cfg_attach_mode_name(res->mode) : "");
	json_end_object(jw);
	json_free(jw);
	putchar('\n');
}

int do_down(const void *opts, int argc, char **argv)
{
	const struct down_opts *o = opts;
	struct down_result res = { .mode = CFG_ATTACH_AUTO };
	struct rpilb_paths paths;
	int err = cli_no_args(argc, argv);

	if (err)
		return err;
	if (geteuid() != 0)
		return cli_fail(EXIT_FAIL, "rpilbctl down must run as root (try sudo)");

	paths_from_config(o->config, &paths);
	res.daemon_stopped = stop_daemon(paths.socket);
	detach(&paths, &res);
	keep_timewait(&paths);
	err = loader_unpin(paths.pin_dir);
	if (err)
		pr_warn("could not remove every pin in %s: %s", paths.pin_dir, strerror(-err));
	record_remove(paths.state_dir);
	print_down(&res);
	return EXIT_OK;
}
