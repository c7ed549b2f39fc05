// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global keywords that change the environment "$NAME" expands from:
 * setenv, presetenv, unsetenv and resetenv. They act on the parse's own
 * copy (env.c), in the order of the file, as HAProxy's act on its
 * process's environment: a line after them sees the change.
 */
#include <errno.h>
#include <string.h>

#include "config/parser.h"

static bool env_name_ok(struct parser *p, const struct directive *d, const char *name)
{
	if (*name && !strchr(name, '='))
		return true;
	perr(p, "'%s': bad variable name '%.64s'", d->name, name);
	return false;
}

static void set_var(struct parser *p, const struct directive *d, bool overwrite)
{
	int rc;

	if (!env_name_ok(p, d, d->argv[1]))
		return;
	rc = env_set(&p->lex.env, d->argv[1], d->argv[2], overwrite);
	if (rc == -ENOMEM)
		p->oom = true;
	else if (rc)
		perr(p, "'%s': too many environment variables", d->name);
}

static void parse_setenv(struct parser *p, const struct directive *d)
{
	set_var(p, d, true);
}

/* presetenv: only if the variable is not set yet, so the caller's value wins. */
static void parse_presetenv(struct parser *p, const struct directive *d)
{
	set_var(p, d, false);
}

static void parse_unsetenv(struct parser *p, const struct directive *d)
{
	for (int i = 1; i < d->argc; i++)
		env_unset(&p->lex.env, d->argv[i]);
}

static void parse_resetenv(struct parser *p, const struct directive *d)
{
	env_keep_only(&p->lex.env, d->argv + 1, d->argc - 1);
}

const struct kw env_kws[] = {
	KW("setenv", IN_GLOBAL, parse_setenv, 2, 2, "setenv NAME VALUE", 0),
	KW("presetenv", IN_GLOBAL, parse_presetenv, 2, 2, "presetenv NAME VALUE", 0),
	KW("unsetenv", IN_GLOBAL, parse_unsetenv, 1, -1, "unsetenv NAME...", 0),
	KW("resetenv", IN_GLOBAL, parse_resetenv, 0, -1, "resetenv [NAME...]", 0),
	KW_END,
};
