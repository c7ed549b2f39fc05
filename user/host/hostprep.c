// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/hostprep.h"
#include "kernel/loader.h"
#include "lib/log.h"
#include "host/netdev.h"
#include "lib/util.h"

void paths_from_cfg(const struct rpilb_config *cfg, struct rpilb_paths *p)
{
	str_copy(p->state_dir,
		 cfg->rpilb.state_dir[0] ? cfg->rpilb.state_dir : CFG_DEFAULT_STATE_DIR,
		 sizeof(p->state_dir));
	str_copy(p->socket, cfg->rpilb.socket_path[0] ? cfg->rpilb.socket_path : CFG_DEFAULT_SOCKET,
		 sizeof(p->socket));
	str_copy(p->pin_dir, cfg->rpilb.pin_dir[0] ? cfg->rpilb.pin_dir : RPILB_PIN_DIR,
		 sizeof(p->pin_dir));
}

void paths_from_config(const char *path, struct rpilb_paths *p)
{
	struct rpilb_config cfg = {};
	struct cfg_diags diags = {};

	if (!cfg_parse_file(path ? path : CFG_DEFAULT_CONFIG, &cfg, &diags)) {
		paths_from_cfg(&cfg, p);
		cfg_free(&cfg);
	} else {
		if (path)
			pr_warn("%s does not parse; using the default paths", path);
		paths_from_cfg(&cfg, p);
	}
	cfg_diags_free(&diags);
}

int host_pick_mode(const char *ifname, enum cfg_attach_mode want, enum cfg_attach_mode *mode,
		   bool *fallback, char *why, size_t len)
{
	char driver[32] = "";
	bool peer_xdp = false;

	*fallback = false;
	netdev_driver(ifname, driver, sizeof(driver));
	if (!strcmp(driver, "veth") && netdev_veth_peer_has_xdp(ifname, &peer_xdp))
		peer_xdp = false;

	if (want != CFG_ATTACH_AUTO) {
		*mode = want;
		if (want == CFG_ATTACH_XDP && !strcmp(driver, "veth") && !peer_xdp)
			pr_warn("%s is a veth whose peer runs no XDP program: native XDP_TX frames "
				"will be dropped there (use -m tc or xdpgeneric, or attach an XDP "
				"program to the peer)",
				ifname);
		snprintf(why, len, "as asked");
		return 0;
	}
	if (!strcmp(driver, "veth")) {
		*mode = peer_xdp ? CFG_ATTACH_XDP : CFG_ATTACH_TC;
		snprintf(why, len,
			 peer_xdp ? "veth with an XDP program on its peer: native XDP forwards"
				  : "veth without XDP on its peer: native XDP_TX would be dropped");
		return 0;
	}
	*mode = CFG_ATTACH_XDP;
	*fallback = true;
	snprintf(why, len, "driver %s", *driver ? driver : "unknown");
	return 0;
}

/* Every change is on disk before it is made, or it is not made: down gives back only what it can read. */
static int remember(struct host_record *rec, const char *state_dir, const char *what)
{
	int err = record_save(state_dir, rec);

	if (err)
		pr_err("cannot write %s/%s (%s), so not changing %s: down could not give it back",
		       state_dir, RECORD_FILE, strerror(-err), what);
	return err;
}

static int set_sysctl(struct host_record *rec, const char *state_dir, const char *path, int want)
{
	int old, err;

	err = sysctl_read_int(path, &old);
	if (err) {
		pr_err("cannot read %s: %s", path, strerror(-err));
		return err;
	}
	if (old == want)
		return 0;
	if (rec->nsysctls >= RECORD_MAX_SYSCTL) {
		pr_err("cannot record %s: the record holds %d settings", path, RECORD_MAX_SYSCTL);
		return -ENOSPC;
	}
	str_copy(rec->sysctls[rec->nsysctls].path, path, sizeof(rec->sysctls[0].path));
	rec->sysctls[rec->nsysctls++].old = old;
	err = remember(rec, state_dir, path);
	if (err)
		return err;
	err = sysctl_write_int(path, want);
	if (err)
		pr_err("cannot set %s to %d: %s", path, want, strerror(-err));
	return err;
}

int host_prepare(struct host_record *rec, const char *state_dir, const struct balancer *b,
		 uint16_t nat_lo, uint16_t nat_hi)
{
	char path[160];
	int err;

	/* Already done by an earlier "up" of this boot: keep what it recorded. */
	struct {
		const char *fmt;
		int want;
	} knobs[] = {
		{ "/proc/sys/net/ipv4/conf/%s/forwarding", 1 },
		{ "/proc/sys/net/ipv4/conf/%s/accept_local", 1 },
		{ "/proc/sys/net/ipv4/conf/%s/send_redirects", 0 },
		{ "/proc/sys/net/ipv4/conf/all/send_redirects", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), knobs[i].fmt, rec->ifname);
		err = set_sysctl(rec, state_dir, path, knobs[i].want);
		if (err)
			return err;
	}

	if (!rec->ports_reserved) {
		rec->nat_lo = nat_lo;
		rec->nat_hi = nat_hi;
		err = reserved_ports_add(nat_lo, nat_hi, rec->reserved_prior,
					 sizeof(rec->reserved_prior));
		if (err) {
			pr_err("cannot reserve NAT ports %u-%u: %s", nat_lo, nat_hi,
			       strerror(-err));
			return err;
		}
		/*
		 * Recorded after the change, as the only one: what was reserved
		 * before is only known once reserved_ports_add() has read it. If
		 * the record cannot be written, give the ports back at once.
		 */
		rec->ports_reserved = true;
		err = remember(rec, state_dir, "the reserved ports");
		if (err) {
			reserved_ports_del(nat_lo, nat_hi, rec->reserved_prior);
			rec->ports_reserved = false;
			return err;
		}
	}

	for (size_t i = 0; i < b->nservices; i++) {
		const struct lb_service *svc = &b->services[i];
		bool known = false;

		if (!svc->dedicated_vip || netdev_addr_is_local(svc->vip))
			continue;
		for (int v = 0; v < rec->nvips && !known; v++)
			known = rec->vips[v].s_addr == svc->vip.s_addr;
		if (!known && rec->nvips >= RECORD_MAX_VIPS) {
			pr_err("cannot record the VIP %s: the record holds %d", inet_ntoa(svc->vip),
			       RECORD_MAX_VIPS);
			return -ENOSPC;
		}
		if (!known) {
			rec->vips[rec->nvips++] = svc->vip;
			err = remember(rec, state_dir, "the interface's addresses");
			if (err)
				return err;
		}
		err = netdev_addr_add(rec->ifindex, svc->vip);
		if (err && err != -EEXIST) {
			pr_err("cannot add the VIP %s to %s: %s", inet_ntoa(svc->vip), rec->ifname,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

int host_prepare_offload(struct host_record *rec, const char *state_dir)
{
	bool on;
	int err;

	if (rec->mode == CFG_ATTACH_XDP)
		return 0;
	err = netdev_gro_get(rec->ifname, &on);
	if (err == -EOPNOTSUPP)
		return 0;
	if (err) {
		pr_err("cannot read %s's GRO setting: %s", rec->ifname, strerror(-err));
		return err;
	}
	if (!on)
		return 0;
	rec->gro_off = true;
	err = remember(rec, state_dir, "GRO");
	if (err)
		return err;
	err = netdev_gro_set(rec->ifname, false);
	if (err) {
		pr_err("cannot turn GRO off on %s: %s", rec->ifname, strerror(-err));
		return err;
	}
	pr_info("%s: GRO off while rpilb runs (%s sees merged segments whose checksums it "
		"would break); 'rpilbctl down' turns it back on",
		rec->ifname, cfg_attach_mode_name(rec->mode));
	return 0;
}

void host_restore(const struct host_record *rec)
{
	for (int i = 0; i < rec->nvips; i++)
		netdev_addr_del(rec->ifindex, rec->vips[i]);
	if (rec->ports_reserved)
		reserved_ports_del(rec->nat_lo, rec->nat_hi, rec->reserved_prior);
	/* In reverse, so a knob set twice ends at its first recorded value. */
	for (int i = rec->nsysctls; i-- > 0;)
		sysctl_write_int(rec->sysctls[i].path, rec->sysctls[i].old);
	if (rec->gro_off)
		netdev_gro_set(rec->ifname, true);
}
