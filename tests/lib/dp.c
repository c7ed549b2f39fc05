// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp.h"
#include "pkt.h"
#include "rpilb.skel.h"

const uint8_t dp_lb_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
const uint8_t dp_client_mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };

void dp_backend_mac(int n, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + n) };

	memcpy(mac, m, 6);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "dp: '%s' failed (%d)\n", cmd, rc);
	return rc ? -1 : 0;
}

static int dp_netns(void)
{
	static const char *const setup[] = {
		"ip link add rpt0 address 02:00:00:00:00:02 type veth peer name rpt1",
		"ip addr add 10.0.0.2/24 dev rpt0",
		"ip link set rpt0 up",
		"ip link set rpt1 up",
		"echo 1 > /proc/sys/net/ipv4/conf/rpt0/forwarding",
		"ip neigh replace 10.0.0.10 lladdr 02:00:00:00:00:10 dev rpt0 nud permanent",
		"ip neigh replace 10.0.0.11 lladdr 02:00:00:00:00:11 dev rpt0 nud permanent",
		"ip neigh replace 10.0.0.12 lladdr 02:00:00:00:00:12 dev rpt0 nud permanent",
		"ip neigh replace 10.0.0.13 lladdr 02:00:00:00:00:13 dev rpt0 nud permanent",
	};

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "dp: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (sh(setup[i]))
			return -1;
	return 0;
}

int dp_open(struct dp *dp, uint32_t flow_capacity)
{
	memset(dp, 0, sizeof(*dp));
	if (dp_netns())
		return -1;
	dp->ifindex = if_nametoindex("rpt0");
	if (!dp->ifindex)
		return -1;
	if (loader_open(&dp->l, NULL, flow_capacity))
		return -1;
	if (maps_from_skel(&dp->m, dp->l.skel))
		return -1;
	return 0;
}

void dp_close(struct dp *dp)
{
	maps_close(&dp->m);
	loader_close(&dp->l);
}

void dp_reset(struct dp *dp)
{
	struct rpilb_backend none = {};
	struct rpilb_cfg cfg = {};

	maps_clear_flows(&dp->m);
	maps_clear_services(&dp->m);
	maps_reset_counters(&dp->m);
	maps_set_config(&dp->m, &cfg);
	for (uint32_t i = 0; i < RPILB_MAX_BACKENDS; i++) {
		maps_set_backend(&dp->m, i, &none);
		maps_reset_backend_stats(&dp->m, i);
	}
	for (uint32_t i = 0; i < RPILB_MAX_SERVICES; i++)
		maps_reset_svc_stats(&dp->m, i);
	for (uint32_t i = 0; i < RPILB_MAX_POOLS; i++)
		maps_set_rr_cursor(&dp->m, i, 0);
}

enum dp_verdict dp_run(struct dp *dp, enum dp_prog prog, const uint8_t *in, size_t in_len,
		       uint8_t *out, size_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct xdp_md xdp_ctx = {
		.data_end = in_len,
		.ingress_ifindex = dp->ifindex,
	};
	struct __sk_buff skb_ctx = {
		.ifindex = dp->ifindex,
	};
	int fd, err;

	opts.data_in = in;
	opts.data_size_in = in_len;
	opts.data_out = out;
	/* The kernel writes back how much it used: reset it every run. */
	opts.data_size_out = PKT_MAX;
	opts.repeat = 1;
	if (prog == DP_XDP) {
		fd = bpf_program__fd(dp->l.skel->progs.rpilb_xdp);
		opts.ctx_in = &xdp_ctx;
		opts.ctx_size_in = sizeof(xdp_ctx);
	} else {
		fd = bpf_program__fd(dp->l.skel->progs.rpilb_tc);
		opts.ctx_in = &skb_ctx;
		opts.ctx_size_in = sizeof(skb_ctx);
	}
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		fprintf(stderr, "dp: test run failed: %s\n", strerror(-err));
		return DP_OTHER;
	}
	*out_len = opts.data_size_out;

	if (prog == DP_XDP) {
		switch (opts.retval) {
		case XDP_PASS:
			return DP_PASS;
		case XDP_TX:
			return DP_TX;
		case XDP_DROP:
			return DP_DROP;
		}
	} else {
		switch (opts.retval) {
		case TC_ACT_OK:
			return DP_PASS;
		case TC_ACT_REDIRECT:
			return DP_TX;
		case TC_ACT_SHOT:
			return DP_DROP;
		}
	}
	return DP_OTHER;
}

const char *dp_prog_name(enum dp_prog prog)
{
	return prog == DP_XDP ? "xdp" : "tc";
}

const char *dp_verdict_name(enum dp_verdict v)
{
	static const char *const names[] = { "PASS", "TX", "DROP", "OTHER" };

	return names[v];
}
