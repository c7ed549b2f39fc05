// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl down: the only command that takes the data path away. It works
 * from the record "up" wrote, with or without a running daemon, and gives
 * back exactly what "up" took: sysctls, reserved ports, VIP addresses.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "daemon/ctl.h"
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

int do_down(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct rpilb_paths paths;
	struct host_record rec;
	const char *cfg_path = NULL;
	char ifname[IF_NAMESIZE] = "";
	enum cfg_attach_mode mode = CFG_ATTACH_AUTO;
	bool daemon, have_record, detached = false;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'j':
			cli_set_json();
			break;
		case 'h':
			return cli_help(argv[0]);
		default:
			return cli_usage(argv[0]);
		}
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (geteuid() != 0)
		return cli_fail(EXIT_FAIL, "rpilbctl down must run as root (try sudo)");

	paths_from_config(cfg_path, &paths);
	daemon = stop_daemon(paths.socket);

	err = record_load(paths.state_dir, &rec);
	have_record = !err;
	if (have_record) {
		snprintf(ifname, sizeof(ifname), "%s", rec.ifname);
		mode = rec.mode;
		detached = loader_detach(rec.ifindex, rec.mode) == 0;
		host_restore(&rec);
	} else {
		detached = detach_everywhere(ifname, sizeof(ifname), &mode) > 0;
	}
	/* Before the tables go: the pairs the Pis still hold in TIME_WAIT. */
	{
		struct lb_maps m;

		if (!maps_open_pinned(&m, paths.pin_dir)) {
			char boot[40] = "";
			int n;

			sysctl_read_str("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
			n = timewait_save(&m, paths.state_dir, boot);
			if (n > 0)
				pr_debug("kept %d pairs in TIME_WAIT for the next up", n);
			maps_close(&m);
		}
	}
	err = loader_unpin(paths.pin_dir);
	if (err)
		pr_warn("could not remove every pin in %s: %s", paths.pin_dir, strerror(-err));
	record_remove(paths.state_dir);

	if (cli.json) {
		struct json_writer *jw = cli_json();

		json_begin_object(jw);
		json_kv_bool(jw, "daemon_stopped", daemon);
		json_kv_bool(jw, "detached", detached);
		json_kv_str(jw, "interface", ifname);
		json_kv_str(jw, "mode", detached ? cfg_attach_mode_name(mode) : "");
		json_end_object(jw);
		json_free(jw);
		putchar('\n');
	} else if (detached || daemon) {
		printf("rpilb is down%s%s%s%s.\n", detached ? ": detached from " : "",
		       detached ? ifname : "", detached ? " " : "",
		       detached ? (mode == CFG_ATTACH_TC    ? "(tc)"
				   : mode == CFG_ATTACH_XDP ? "(xdp)"
							    : "(xdpgeneric)")
				: "");
	} else {
		printf("rpilb was not running: nothing to do.\n");
	}
	return EXIT_OK;
}
