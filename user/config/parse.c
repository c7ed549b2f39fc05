// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HAProxy-syntax configuration parser: text in, model and
 * diagnostics out.
 *
 * It reads a file the way "haproxy -c" does: each line is split with
 * HAProxy's quoting rules and looked up in the keyword tables of its
 * section. A keyword is honoured, accepted with one warning saying why it
 * cannot apply to a layer-4 balancer, or refused with an error. Parsing goes
 * on after an error so that one run lists every problem with its line.
 *
 * Nothing here touches the network or the kernel: host names wait for
 * cfg_resolve(). All state lives in struct parser, allocated per call, so
 * the parser is re-entrant and can be fuzzed in a loop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

/* A configuration is a few kilobytes; this only stops a runaway read. */
#define CFG_FILE_MAX	      (16 << 20)
#define CFG_DEFAULT_SOCK_MODE 0600

static void parse_line(struct parser *p, int argc, char **argv)
{
	const struct kw_family *f;
	const struct kw *kw = kw_find(&kwf_section, argv[0]);

	if (kw) {
		/* Whatever the new section is, the one before it ends here. */
		section_close(p);
		preproc_section(p, argc, argv);
		run_kw(p, kw, &(const struct kw_call){ .what = "section", .here = IN(p->sec) },
		       argc, argv);
		if (!kw->fn)
			p->sec = SEC_IGNORED;
		return;
	}
	switch (p->sec) {
	case SEC_NONE:
		perr(p,
		     "'%.64s' outside any section (start one with global, defaults, frontend, backend, listen or rpilb)",
		     argv[0]);
		return;
	case SEC_IGNORED:
		return;
	case SEC_GLOBAL:
		f = &kwf_global;
		break;
	case SEC_RPILB:
		f = &kwf_rpilb;
		break;
	default:
		f = &kwf_proxy;
		break;
	}
	kw = kw_find(f, argv[0]);
	if (!kw) {
		perr(p, "unknown keyword '%.64s' in '%s' section", argv[0], section_names[p->sec]);
		return;
	}
	run_kw(p, kw, &(const struct kw_call){ .here = IN(p->sec) }, argc, argv);
}

static void finish(struct parser *p)
{
	struct rpilb_config *cfg = p->cfg;
	const struct cfg_rpilb *r = &cfg->rpilb;
	size_t i, j;

	section_close(p);
	for (i = 0; i < cfg->nfrontends; i++) {
		struct cfg_frontend *fe = &cfg->frontends[i];

		for (j = 0; j < cfg->nbackends; j++) {
			if (!strcmp(cfg->backends[j].name, fe->default_backend))
				break;
		}
		if (j < cfg->nbackends)
			fe->backend = (int)j;
		else
			perr_at(p, p->fe_lines[i],
				"frontend '%s': default_backend '%s' names no backend", fe->name,
				fe->default_backend);
	}
	/* Replies from servers come back to NAT ports: a service there would swallow them. */
	for (i = 0; i < cfg->nfrontends; i++) {
		for (j = 0; j < cfg->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &cfg->frontends[i].binds[j];

			if (b->port >= r->nat_port_lo && b->port <= r->nat_port_hi)
				perr_at(p, b->line,
					"bind port %u is inside nat-ports %u-%u, which rpilb keeps for its connections to servers",
					b->port, r->nat_port_lo, r->nat_port_hi);
		}
	}
	if (cfg->stats.enabled && cfg->stats.port >= r->nat_port_lo &&
	    cfg->stats.port <= r->nat_port_hi)
		perr_at(p, p->stats_bind_line,
			"stats port %u is inside nat-ports %u-%u, which rpilb keeps for its connections to servers",
			cfg->stats.port, r->nat_port_lo, r->nat_port_hi);
	if (p->oom)
		perr_at(p, 0, "out of memory");
	diags_sort(p->diags);
}

static void cfg_init(struct rpilb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	stats_init(&cfg->stats);
	cfg->rpilb.mode = CFG_ATTACH_AUTO;
	cfg->rpilb.flow_table_size = CFG_DEFAULT_FLOW_TABLE;
	cfg->rpilb.nat_port_lo = CFG_DEFAULT_NAT_PORT_LO;
	cfg->rpilb.nat_port_hi = CFG_DEFAULT_NAT_PORT_HI;
	strcpy(cfg->rpilb.state_dir, CFG_DEFAULT_STATE_DIR);
	strcpy(cfg->rpilb.socket_path, CFG_DEFAULT_SOCKET);
	cfg->rpilb.socket_mode = CFG_DEFAULT_SOCK_MODE;
}

int cfg_parse_string(const char *name, const char *text, size_t len, struct rpilb_config *cfg,
		     struct cfg_diags *diags)
{
	struct parser *p;
	size_t pos = 0;
	int ret = -1;

	diags_init(diags, name);
	cfg_init(cfg);
	p = calloc(1, sizeof(*p));
	if (!p) {
		cfg_diag_add(diags, CFG_ERROR, 0, "out of memory");
		goto out;
	}
	p->cfg = cfg;
	p->diags = diags;
	settings_init(&p->defaults);
	if (lex_init(p)) {
		p->oom = true;
		pos = len;
	}

	while (pos < len && !p->lex.stopped) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		int argc;

		pos += n + (nl ? 1 : 0);
		p->line++;
		/* Files edited on Windows end lines with CRLF. */
		if (n && line[n - 1] == '\r')
			n--;
		if (n > CFG_LINE_MAX) {
			perr(p, "line too long (%zu bytes, max %d)", n, CFG_LINE_MAX);
			continue;
		}
		if (memchr(line, '\0', n)) {
			perr(p, "NUL byte in line");
			continue;
		}
		if (!lex_active(p)) {
			preproc_skipped(p, line, n);
			continue;
		}
		argc = tokenize(p, line, n);
		if (argc > 0 && !(p->argv[0][0] == '.' && preproc_line(p, argc, p->argv)))
			parse_line(p, argc, p->argv);
	}
	preproc_finish(p);
	finish(p);
	ret = diags->nerrors ? -1 : 0;
out:
	if (p) {
		lex_free(p);
		settings_free(&p->px.s);
		free(p->px.pending_comment);
		settings_free(&p->defaults);
		for (size_t i = 0; i < p->nnamed; i++)
			settings_free(&p->named[i].s);
		free(p->px.servers);
		free(p->named);
		free(p->names);
		free(p->binds);
		free(p->fe_lines);
		free(p);
	}
	if (ret)
		cfg_free(cfg);
	return ret;
}

/* A diagnostic about the file as a whole, before any line was read. */
static void __attribute__((format(printf, 4, 5)))
file_error(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags, const char *fmt,
	   ...)
{
	va_list ap;

	diags_init(diags, path);
	cfg_init(cfg);
	va_start(ap, fmt);
	diag_vadd(diags, CFG_ERROR, 0, fmt, ap);
	va_end(ap);
}

int cfg_parse_file(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret = -1;

	f = fopen(path, "r");
	if (!f) {
		file_error(path, cfg, diags, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			if (cap >= CFG_FILE_MAX) {
				file_error(path, cfg, diags, "file is larger than %d bytes",
					   CFG_FILE_MAX);
				goto out;
			}
			/* 16 KiB first, then doubling: a file is read in a few calls. */
			if (vec_grow(&buf, &cap, cap ? cap * 2 : 16384, 1)) {
				file_error(path, cfg, diags, "out of memory");
				goto out;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		file_error(path, cfg, diags, "cannot read: %s", strerror(errno));
		goto out;
	}
	ret = cfg_parse_string(path, buf, len, cfg, diags);
out:
	free(buf);
	fclose(f);
	return ret;
}
