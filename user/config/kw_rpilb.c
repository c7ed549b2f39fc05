// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rpilb section: what HAProxy has no word for. The interface and the
 * attach mode, the flow table, the NAT ports, and where the daemon keeps
 * its state, its pins and its control socket. Each takes one argument; a
 * later setting wins.
 */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "config/parser.h"

#define CFG_FLOW_TABLE_MIN 1024
#define CFG_FLOW_TABLE_MAX 16777216
#define CFG_NAT_PORT_MIN   1024
#define CFG_NAT_PORTS_MIN  1024

static void parse_interface(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;
	struct cfg_rpilb *r = &p->cfg->rpilb;

	/* The kernel's own rule for device names (dev_valid_name). */
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..")) {
		perr(p, "bad interface name '%.64s'", s);
		return;
	}
	for (c = s; *c; c++) {
		if (*c == '/' || *c == ':' || (unsigned char)*c <= 0x20 ||
		    (unsigned char)*c >= 0x7f) {
			perr(p, "bad interface name '%.64s'", s);
			return;
		}
	}
	if (!copy_str(r->interface, sizeof(r->interface), s))
		perr(p, "interface name '%.64s' is too long (max %d characters)", s,
		     IF_NAMESIZE - 1);
}

static void parse_attach(struct parser *p, const struct directive *d)
{
	if (cfg_attach_mode_parse(d->argv[1], &p->cfg->rpilb.mode) < 0)
		perr(p, "unknown attach mode '%.64s' (expected auto, xdp, xdpgeneric or tc)",
		     d->argv[1]);
}

static void parse_flow_table_size(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, "flow-table-size", d->argv[1], CFG_FLOW_TABLE_MIN,
			     CFG_FLOW_TABLE_MAX, &v))
		p->cfg->rpilb.flow_table_size = (uint32_t)v;
}

static void parse_nat_ports(struct parser *p, const struct directive *d)
{
	char buf[16];
	const char *s = d->argv[1], *dash = strchr(s, '-');
	unsigned long long lo, hi;

	if (!dash || (size_t)(dash - s) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (parse_u64(buf, 65535, &lo) < 0 || parse_u64(dash + 1, 65535, &hi) < 0)
		goto bad;
	if (lo < CFG_NAT_PORT_MIN || lo > hi) {
		perr(p, "'nat-ports %.64s': the range must lie in %d-65535, low end first", s,
		     CFG_NAT_PORT_MIN);
		return;
	}
	if (hi - lo + 1 < CFG_NAT_PORTS_MIN) {
		perr(p, "'nat-ports %.64s' holds %llu ports; rpilb needs at least %d", s,
		     hi - lo + 1, CFG_NAT_PORTS_MIN);
		return;
	}
	p->cfg->rpilb.nat_port_lo = (uint16_t)lo;
	p->cfg->rpilb.nat_port_hi = (uint16_t)hi;
	return;
bad:
	perr(p, "'nat-ports' expects a range LOW-HIGH such as 50000-59999, not '%.64s'", s);
}

static bool set_path(struct parser *p, const char *what, char *dst, size_t size, const char *s)
{
	if (s[0] != '/' || !is_text(s)) {
		perr(p, "'%s' needs an absolute path, not '%.64s'", what, s);
		return false;
	}
	if (!copy_str(dst, size, s)) {
		perr(p, "'%s' path '%.64s' is too long (max %zu bytes)", what, s, size - 1);
		return false;
	}
	return true;
}

static void parse_state_dir(struct parser *p, const struct directive *d)
{
	set_path(p, "state-dir", p->cfg->rpilb.state_dir, sizeof(p->cfg->rpilb.state_dir),
		 d->argv[1]);
}

static void parse_pin_dir(struct parser *p, const struct directive *d)
{
	set_path(p, "pin-dir", p->cfg->rpilb.pin_dir, sizeof(p->cfg->rpilb.pin_dir), d->argv[1]);
}

static void parse_socket(struct parser *p, const struct directive *d)
{
	/* A UNIX socket path must fit sockaddr_un, which is shorter than CFG_PATH_MAX. */
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);

	set_path(p, "socket", p->cfg->rpilb.socket_path,
		 max < sizeof(p->cfg->rpilb.socket_path) ? max : sizeof(p->cfg->rpilb.socket_path),
		 d->argv[1]);
}

static void parse_socket_mode(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;
	unsigned int mode = 0;

	for (c = s; *c && *c >= '0' && *c <= '7' && c - s < 4; c++)
		mode = mode * 8 + (unsigned int)(*c - '0');
	if (!*s || *c || mode > 0777) {
		perr(p, "'socket-mode' expects an octal mode such as 0660, not '%.64s'", s);
		return;
	}
	p->cfg->rpilb.socket_mode = mode;
}

static void parse_socket_group(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;

	for (c = s; *c; c++) {
		if (!is_alnum(*c) && *c != '_' && *c != '-' && *c != '.')
			break;
	}
	if (!*s || *c || s[0] == '-') {
		perr(p, "bad group name '%.64s'", s);
		return;
	}
	if (!copy_str(p->cfg->rpilb.socket_group, sizeof(p->cfg->rpilb.socket_group), s))
		perr(p, "group name '%.64s' is too long (max %d characters)", s, CFG_NAME_MAX - 1);
}

#define RPILB_KW(n, f, u) KW(n, IN_RPILB, f, 1, 1, u, 0)

const struct kw rpilb_kws[] = {
	RPILB_KW("interface", parse_interface, "interface IFNAME"),
	RPILB_KW("attach", parse_attach, "attach auto|xdp|xdpgeneric|tc"),
	RPILB_KW("flow-table-size", parse_flow_table_size, "flow-table-size N"),
	RPILB_KW("nat-ports", parse_nat_ports, "nat-ports LOW-HIGH"),
	RPILB_KW("state-dir", parse_state_dir, "state-dir PATH"),
	RPILB_KW("pin-dir", parse_pin_dir, "pin-dir PATH"),
	RPILB_KW("socket", parse_socket, "socket PATH"),
	RPILB_KW("socket-mode", parse_socket_mode, "socket-mode OCTAL"),
	RPILB_KW("socket-group", parse_socket_group, "socket-group GROUP"),
	KW_END,
};
