// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running daemon: one event loop for the flow-table sweep, health
 * checks, the control socket and the stats page; readiness for "up" and
 * systemd; detaching from the terminal. startup.c sets it up, reload.c
 * swaps its model, control.c answers its socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "daemon/private.h"
#include "health/srvhealth.h"
#include "lib/log.h"
#include "lib/util.h"
#include "stats/snapshot.h"
#include "stats/stats_http.h"
#include "model/statefile.h"

int daemon_save_state(struct daemon *d, char *err, size_t errlen)
{
	struct lb_overrides ov;
	int ret = balancer_overrides(&d->lb, &ov);

	if (!ret)
		ret = state_save(d->paths.state_dir, &ov, err, errlen);
	overrides_free(&ov);
	return ret;
}

static void sweep_timeouts(uint32_t vip, uint16_t port, struct sweep_timeouts *t, void *arg)
{
	struct daemon *d = arg;
	struct in_addr a = { .s_addr = vip };
	struct lb_service *svc = balancer_service_by_key(&d->lb, a, ntohs(port));

	if (!svc)
		return;
	t->idle_ms = svc->idle_ms;
	t->halfclosed_ms = svc->halfclosed_ms;
	t->connect_ms = svc->pool->cfg->timeout_connect_ms;
}

static void sweep_tick(struct ev_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, sweep_timer);
	int err = sweep_run(&d->maps, &d->sweep, sweep_timeouts, d, &d->swept);
	uint64_t counters[RPILB_CNT_MAX];

	if (err)
		pr_warn("sweeping the flow table failed: %s", strerror(-err));
	memcpy(d->lb.flows_by_id, d->swept.active_by_id, sizeof(d->lb.flows_by_id));
	daemon_rate_sample(d);
	if (!maps_read_counters(&d->maps, counters))
		alarms_check(&d->alarms, counters, ev_now_ms(), d->flow_capacity);
	ev_timer_arm(d->loop, &d->sweep_timer, SWEEP_INTERVAL_MS);
}

static size_t count_up(const struct daemon *d, size_t *total)
{
	const struct lb_server *s;
	size_t up = 0;

	*total = 0;
	for_each_server(&d->lb, s)
	{
		(*total)++;
		up += server_eligible(s);
	}
	return up;
}

/* The first round of checks is in (or took too long): tell whoever waits. */
static void become_ready(struct daemon *d)
{
	char line[512];
	size_t total, up;

	if (d->ready)
		return;
	d->ready = true;
	ev_timer_cancel(d->loop, &d->ready_timer);
	up = count_up(d, &total);
	snprintf(line, sizeof(line),
		 "on %s (%s: %s%s%s), %zu frontend bind%s, %zu of %zu server%s in "
		 "rotation\n",
		 d->rec.ifname, cfg_attach_mode_name(d->rec.mode), d->mode_why,
		 d->iface_why[0] ? "; " : "", d->iface_why, d->lb.nservices,
		 d->lb.nservices == 1 ? "" : "s", up, total, total == 1 ? "" : "s");
	pr_info("rpilb is up %s", line);
	if (d->ready_fd >= 0) {
		if (write(d->ready_fd, line, strlen(line)) < 0)
			pr_debug("the waiting 'up' has gone");
		close(d->ready_fd);
		d->ready_fd = -1;
	}
	notify_ready();
}

static void ready_timeout(struct ev_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, ready_timer);

	if (d->ready)
		return;
	pr_warn("not every server answered its first health check in time");
	become_ready(d);
}

static void check_first_round(struct daemon *d)
{
	const struct lb_server *s;

	for_each_server(&d->lb, s) if (!s->checked && s->admin != ADMIN_MAINT) return;
	become_ready(d);
}

void daemon_health_changed(struct lb_server *s, void *arg)
{
	struct daemon *d = arg;

	balancer_sync_pool(&d->lb, s->pool);
	if (!d->ready)
		check_first_round(d);
}

int daemon_start_health(struct daemon *d)
{
	struct lb_server *s;
	int err;

	for_each_server(&d->lb, s)
	{
		err = srvhealth_start(d->loop, s, daemon_health_changed, d);
		if (err)
			return err;
	}
	return 0;
}

void daemon_stop_health(struct daemon *d, struct balancer *b)
{
	struct lb_server *s;

	for_each_server(b, s) srvhealth_stop(d->loop, s);
}

void daemon_release_health(struct balancer *b)
{
	struct lb_server *s;

	for_each_server(b, s) srvhealth_release(s);
}

static int stats_snapshot(struct snapshot *s, void *arg)
{
	static const struct snap_request rq = { .counters = true };

	return daemon_snapshot(arg, &rq, s);
}

/* The "listen stats" page, on its own bind; nothing listens without one. */
int daemon_start_stats(struct daemon *d)
{
	struct stats_http_user users[CFG_MAX_STATS_USERS];
	struct stats_http_opts o;
	int err;

	if (!d->cfg->stats.enabled)
		return 0;
	stats_http_opts_from_cfg(&o, users, &d->cfg->stats);
	o.snapshot = stats_snapshot;
	o.arg = d;
	err = stats_http_start(&d->stats, d->loop, &o);
	if (err)
		pr_err("the stats page could not listen on port %u: %s", d->cfg->stats.port,
		       strerror(-err));
	return err;
}

void daemon_stop_stats(struct daemon *d)
{
	if (d->stats)
		stats_http_stop(d->stats);
	d->stats = NULL;
}

static void on_signal(int signo, void *arg)
{
	struct daemon *d = arg;
	char err[256] = "";

	switch (signo) {
	case SIGHUP:
		if (daemon_reload(d, err, sizeof(err)))
			pr_err("reload: %s", err);
		break;
	case SIGTERM:
	case SIGINT:
		pr_info("stopping on signal %d; the data path stays attached ('rpilbctl down' "
			"removes it)",
			signo);
		notify_stopping();
		ev_stop(d->loop);
		break;
	}
}

static int run(struct daemon *d)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	mode_t mode = d->cfg->rpilb.socket_mode ? d->cfg->rpilb.socket_mode : 0600;
	gid_t gid = (gid_t)-1;
	char dir[CFG_PATH_MAX];
	uint32_t longest = 0;
	int err;

	d->loop = ev_new();
	if (!d->loop)
		return -ENOMEM;
	err = ev_signals(d->loop, signals, ARRAY_SIZE(signals), on_signal, d);
	if (err)
		return err;
	if (d->cfg->rpilb.socket_group[0]) {
		struct group *g = getgrnam(d->cfg->rpilb.socket_group);

		if (g)
			gid = g->gr_gid;
		else
			pr_warn("no group '%s': the control socket stays root-only",
				d->cfg->rpilb.socket_group);
	}
	str_copy(dir, d->paths.socket, sizeof(dir));
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir)
		*strrchr(dir, '/') = '\0';
	daemon_mkdir_p(dir, 0755);
	err = ctl_server_open(&d->ctl, d->loop, d->paths.socket, mode, gid, daemon_ctl_handler, d);
	if (err) {
		pr_err("cannot listen on %s: %s", d->paths.socket, strerror(-err));
		return err;
	}
	d->sweep_timer.cb = sweep_tick;
	ev_timer_arm(d->loop, &d->sweep_timer, 0);
	err = daemon_start_health(d);
	if (!err)
		err = daemon_start_stats(d);
	if (err)
		return err;
	for (size_t p = 0; p < d->lb.npools; p++) {
		const struct cfg_backend *be = d->lb.pools[p].cfg;

		for (size_t i = 0; i < be->nservers; i++) {
			uint32_t t = be->timeout_check_ms ? be->timeout_check_ms
							  : be->servers[i].opts.inter_ms;

			longest = t > longest ? t : longest;
		}
	}
	/* Servers without checks are settled at once: ready may already be true. */
	d->ready_timer.cb = ready_timeout;
	if (!d->ready)
		ev_timer_arm(d->loop, &d->ready_timer, longest + READY_MARGIN_MS);
	check_first_round(d);

	err = ev_run(d->loop);
	daemon_stop_stats(d);
	daemon_stop_health(d, &d->lb);
	ctl_server_close(&d->ctl);
	return err;
}

/* Once started, -L's file is the only place messages go: stderr becomes it. */
static void log_to_file_only(struct daemon *d)
{
	if (!d->log)
		return;
	log_tee(NULL);
	fflush(stderr);
	if (dup2(fileno(d->log), STDERR_FILENO) < 0)
		log_tee(d->log);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

/* Detach from the terminal; the parent waits on the pipe until we are ready. */
static int daemonize(struct daemon *d, const struct up_opts *o, int *parent_fd)
{
	int pipefd[2], devnull;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		*parent_fd = pipefd[0];
		return 1;
	}
	close(pipefd[0]);
	d->ready_fd = pipefd[1];
	setsid();
	if (chdir("/"))
		pr_debug("chdir /: %s", strerror(errno));
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		if (!o->log_file)
			dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	if (o->log_file)
		log_to_file_only(d);
	else
		log_to_syslog("rpilb");
	return 0;
}

static void teardown(struct daemon *d)
{
	daemon_release_health(&d->lb);
	balancer_free(&d->lb);
	sweep_state_free(&d->sweep);
	maps_close(&d->maps);
	loader_close(&d->ld);
	if (d->cfg) {
		cfg_free(d->cfg);
		free(d->cfg);
	}
	ev_free(d->loop);
	if (d->ready_fd >= 0)
		close(d->ready_fd);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	if (d->log) {
		log_tee(NULL);
		fclose(d->log);
	}
}

/* The waiting parent: the daemon's summary line, or nothing if it died starting. */
static int wait_ready(int fd, char *summary, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, summary + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	summary[got] = '\0';
	summary[strcspn(summary, "\n")] = '\0';
	if (!got) {
		pr_err("the daemon exited during start-up (see its log: journalctl -t rpilb, or -L)");
		return -EIO;
	}
	return 0;
}

/* -L: while starting, messages go to the terminal and the file. */
static int open_log(struct daemon *d, const char *path)
{
	if (!path)
		return 0;
	d->log = fopen(path, "ae");
	if (!d->log) {
		int err = -errno;

		pr_err("cannot open the log file %s: %s", path, strerror(errno));
		return err;
	}
	setvbuf(d->log, NULL, _IOLBF, 0);
	log_tee(d->log);
	return 0;
}

int daemon_up(const struct up_opts *o, struct rpilb_config *cfg, char *summary, size_t len)
{
	struct daemon d = { .ready_fd = -1, .lock_fd = -1, .cfg_path = o->config, .cfg = cfg };
	int parent_fd = -1, err;

	summary[0] = '\0';
	paths_from_cfg(cfg, &d.paths);
	err = open_log(&d, o->log_file);
	if (err)
		goto out;
	err = daemon_setup(&d, o);
	if (err)
		goto out;
	d.started_ms = ev_now_ms();
	if (o->foreground) {
		log_to_file_only(&d);
	} else {
		err = daemonize(&d, o, &parent_fd);
		if (err > 0)
			/* The child owns everything now (maps, pins, the lock); the parent reports. */
			return wait_ready(parent_fd, summary, len);
		if (err < 0) {
			pr_err("cannot start the daemon: %s", strerror(-err));
			goto out;
		}
	}
	err = run(&d);
out:
	teardown(&d);
	return err;
}
