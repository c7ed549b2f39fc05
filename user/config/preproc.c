// SPDX-License-Identifier: GPL-2.0-only
/*
 * HAProxy's preprocessor directives (its manual, 2.4): .if/.elif/.else/
 * .endif blocks, and .diag, .notice, .warning and .alert messages. Lines
 * of a block not taken are not read at all, beyond finding the
 * directives that end it, so that a branch written for a HAProxy feature
 * rpilb lacks costs nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/parser.h"

extern char **environ;

int lex_init(struct parser *p)
{
	char host[256];

	p->lex.empty_at = -1;
	if (env_init(&p->lex.env, environ))
		return -1;
	/* HAProxy names its local peer after the host unless told otherwise. */
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if (env_set(&p->lex.env, "HAPROXY_LOCALPEER", host, true))
			return -1;
	}
	return env_set(&p->lex.env, "HAPROXY_CFGFILES", p->diags->file, true) ? -1 : 0;
}

void lex_free(struct parser *p)
{
	env_free(&p->lex.env);
	free(p->lex.section);
	p->lex.section = NULL;
}

bool lex_active(const struct parser *p)
{
	return !p->lex.depth || p->lex.conds[p->lex.depth - 1].active;
}

/* The words after the directive, joined by spaces, as HAProxy re-merges them. */
static void join_words(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		argv[i][strlen(argv[i])] = ' ';
}

static void open_if(struct parser *p, int argc, char **argv)
{
	struct lexer *l = &p->lex;
	struct cond_level *c;
	bool parent = lex_active(p);
	int v = 0;

	if (l->depth == CFG_MAX_NESTED_IF) {
		perr(p, "too many nested '.if' (max %d)", CFG_MAX_NESTED_IF);
		l->stopped = true;
		return;
	}
	if (parent && argc > 1) {
		join_words(argc, argv);
		v = cond_eval(p, ".if", argv[1]);
	}
	if (v < 0) {
		l->stopped = true;
		return;
	}
	c = &l->conds[l->depth++];
	*c = (struct cond_level){ .line = p->line, .active = parent && v, .done = !parent || v };
}

static void next_branch(struct parser *p, const char *dir, int argc, char **argv)
{
	struct lexer *l = &p->lex;
	struct cond_level *c = &l->conds[l->depth - 1];
	int v = 1;

	if (c->seen_else) {
		perr(p, "'%s' after '.else' (the '.if' is at line %u)", dir, c->line);
		l->stopped = true;
		return;
	}
	if (c->done) {
		c->active = false;
	} else if (argc > 1 || !strcmp(dir, ".else")) {
		if (!strcmp(dir, ".elif")) {
			join_words(argc, argv);
			v = cond_eval(p, dir, argv[1]);
		}
		if (v < 0) {
			l->stopped = true;
			return;
		}
		c->active = v;
		c->done = v;
	} else {
		c->active = false; /* ".elif" alone: an empty condition is false */
	}
	if (!strcmp(dir, ".else"))
		c->seen_else = true;
}

/* A line whose first word is a block directive; false when it is none. */
static bool block_line(struct parser *p, int argc, char **argv)
{
	struct lexer *l = &p->lex;
	const char *d = argv[0];

	if (!strcmp(d, ".if")) {
		open_if(p, argc, argv);
		return true;
	}
	if (strcmp(d, ".elif") && strcmp(d, ".else") && strcmp(d, ".endif"))
		return false;
	if (!l->depth) {
		perr(p, "'%s' without a matching '.if'", d);
		l->stopped = true;
		return true;
	}
	if (strcmp(d, ".elif") && argc > 1) {
		perr(p, "'%s' takes no argument, not '%.64s'", d, argv[1]);
		l->stopped = true;
		return true;
	}
	if (!strcmp(d, ".endif"))
		l->depth--;
	else
		next_branch(p, d, argc, argv);
	return true;
}

/* A line read (lex_active()) whose first word starts with '.'. */
bool preproc_line(struct parser *p, int argc, char **argv)
{
	const char *d = argv[0];

	if (block_line(p, argc, argv))
		return true;
	if (strcmp(d, ".diag") && strcmp(d, ".notice") && strcmp(d, ".warning") &&
	    strcmp(d, ".alert"))
		return false;
	join_words(argc, argv);
	if (!strcmp(d, ".alert")) {
		perr(p, "%s", argc > 1 ? argv[1] : "'.alert'");
		p->lex.stopped = true;
	} else if (!strcmp(d, ".warning")) {
		pwarn(p, "%s", argc > 1 ? argv[1] : "'.warning'");
	}
	/* .notice and .diag go to HAProxy's log and diagnostic mode, not to "-c". */
	return true;
}

/*
 * A line of a block not taken: only a block directive counts, and its
 * words are split without expansion or diagnostics ("$X" of a branch
 * not taken may well be undefined).
 */
void preproc_skipped(struct parser *p, const char *s, size_t len)
{
	char buf[16], *argv[2] = { buf, NULL };
	size_t i = 0, n;

	while (i < len && is_blank(s[i]))
		i++;
	n = i;
	while (n < len && !is_blank(s[n]) && s[n] != '#')
		n++;
	if (n - i >= sizeof(buf) || n == i || s[i] != '.')
		return;
	memcpy(buf, s + i, n - i);
	buf[n - i] = '\0';
	if (strcmp(buf, ".if") && strcmp(buf, ".elif") && strcmp(buf, ".else") &&
	    strcmp(buf, ".endif"))
		return;
	/* Inside an inactive block only nesting matters: conditions are not read. */
	if (!strcmp(buf, ".if") || !strcmp(buf, ".endif")) {
		block_line(p, 1, argv);
		return;
	}
	if (p->lex.conds[p->lex.depth - 1].done ||
	    (p->lex.depth > 1 && !p->lex.conds[p->lex.depth - 2].active)) {
		block_line(p, 1, argv);
		return;
	}
	/* This block's .elif or .else may be taken: read it in full. */
	int argc = tokenize(p, s, len);

	if (argc > 0)
		block_line(p, argc, p->argv);
}

void preproc_finish(struct parser *p)
{
	if (p->lex.depth && !p->lex.stopped)
		perr_at(p, p->lex.conds[p->lex.depth - 1].line,
			"'.if' is never closed with '.endif'");
}

/* ${.SECTION}: the name of the section just opened, or its keyword. */
void preproc_section(struct parser *p, int argc, char **argv)
{
	char *s = strdup(argc > 1 ? argv[1] : argv[0]);

	if (!s) {
		p->oom = true;
		return;
	}
	free(p->lex.section);
	p->lex.section = s;
}
