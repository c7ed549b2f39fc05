// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page: a frontend or listen section with any "stats"
 * directive is the page the daemon serves (its address, URI, realm, users,
 * refresh). "stats" in defaults or a backend is refused before any row is
 * looked up: HAProxy would put a page on every proxy, or behind
 * use_backend. The options rpilb's page lacks are in kw_compat_proxy.c.
 */
#include <stdio.h>
#include <string.h>

#include "config/parser.h"

static void parse_stats_uri(struct parser *p, const struct directive *d)
{
	const char *u = d->argv[1];

	if (u[0] != '/') {
		perr(p, "'stats uri' must start with '/', not '%.64s'", u);
		return;
	}
	set_field(p, "stats URI", p->px.st.uri, sizeof(p->px.st.uri), u, is_visible);
}

static void parse_stats_realm(struct parser *p, const struct directive *d)
{
	const char *r = d->argv[1];

	/* It ends up inside a quoted WWW-Authenticate parameter. */
	if (strchr(r, '"') || strchr(r, '\\') || !is_text(r) || !*r) {
		perr(p, "bad stats realm '%.64s'", r);
		return;
	}
	if (!copy_str(p->px.st.realm, sizeof(p->px.st.realm), r))
		perr(p, "stats realm '%.64s' is too long (max %zu bytes)", r,
		     sizeof(p->px.st.realm) - 1);
}

static void parse_stats_auth(struct parser *p, const struct directive *d)
{
	struct cfg_stats *st = &p->px.st;
	const char *a = d->argv[1], *colon = strchr(a, ':');
	struct cfg_stats_user *u;
	size_t ulen;

	if (!colon || colon == a) {
		perr(p, "'stats auth' expects USER:PASSWORD, not '%.64s'", a);
		return;
	}
	if (!is_text(a)) {
		perr(p, "'stats auth' has a control character");
		return;
	}
	ulen = (size_t)(colon - a);
	if (ulen >= sizeof(u->user)) {
		perr(p, "stats user '%.*s' is too long (max %zu characters)", (int)ulen, a,
		     sizeof(u->user) - 1);
		return;
	}
	if (strlen(colon + 1) >= sizeof(u->password)) {
		perr(p, "stats password is too long (max %zu characters)", sizeof(u->password) - 1);
		return;
	}
	if (st->nusers == CFG_MAX_STATS_USERS) {
		perr(p, "too many 'stats auth' users (max %d)", CFG_MAX_STATS_USERS);
		return;
	}
	u = &st->users[st->nusers++];
	memcpy(u->user, a, ulen);
	u->user[ulen] = '\0';
	strcpy(u->password, colon + 1);
}

static void parse_stats_hide_version(struct parser *p, const struct directive *d)
{
	(void)d;
	p->px.st.hide_version = true;
}

static void parse_stats_enable(struct parser *p, const struct directive *d)
{
	(void)d;
	p->px.st.enabled = true;
}

static void parse_stats_refresh(struct parser *p, const struct directive *d)
{
	uint32_t ms;

	/* A bare number is seconds here, as in HAProxy. */
	if (parse_time_ms(p, "stats refresh", d->argv[1], 1000000, &ms))
		p->px.st.refresh_s = (ms + 999) / 1000;
}

const struct kw stats_kws[] = {
	KW("enable", IN_FE, parse_stats_enable, 0, 0, "stats enable", 0),
	KW("uri", IN_FE, parse_stats_uri, 1, 1, "stats uri PATH", 0),
	KW("realm", IN_FE, parse_stats_realm, 1, 1, "stats realm REALM", 0),
	KW("auth", IN_FE, parse_stats_auth, 1, 1, "stats auth USER:PASSWORD", 0),
	KW("hide-version", IN_FE, parse_stats_hide_version, 0, 0, "stats hide-version", 0),
	KW("refresh", IN_FE, parse_stats_refresh, 1, 1, "stats refresh TIME", 0),
	KW_END,
};

static void parse_stats(struct parser *p, const struct directive *d)
{
	const struct kw *kw;

	if (p->sec == SEC_DEFAULTS) {
		perr(p,
		     "'stats %.64s' in defaults would put a stats page on every proxy: put it in one listen section",
		     d->argv[1]);
		return;
	}
	if (p->sec == SEC_BACKEND) {
		perr(p,
		     "'stats %.64s' in a backend needs use_backend to be reached (layer 7): put the stats page in a listen section",
		     d->argv[1]);
		return;
	}
	kw = kw_find(d->kw->sub, d->argv[1]);
	if (!kw) {
		kw_unknown_sub(p, "stats", d->argv[1]);
		return;
	}
	/* Any stats directive makes this section the stats page, as in HAProxy. */
	p->px.stats = true;
	p->px.st.enabled = true;
	run_kw(p, kw, &(const struct kw_call){ .prefix = "stats", .here = IN(p->sec) }, d->argc - 1,
	       d->argv + 1);
}

const struct kw stats_proxy_kws[] = {
	SUB("stats", IN_PROXY, parse_stats, &kwf_stats,
	    "stats enable|uri|realm|auth|hide-version|refresh ..."),
	KW_END,
};
