// SPDX-License-Identifier: GPL-2.0-only
/*
 * The environment a parse expands "$NAME" from: a private copy of the
 * process's, taken when the parse starts, plus the variables HAProxy
 * defines for its configuration. setenv and its siblings (kw_env.c)
 * change this copy only: the process's own environment never changes,
 * so "rpilbctl check", "up" and "reload" of one file read the same
 * thing, and a reload does not inherit what the last parse set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

/*
 * A file that sets more variables than this is not a configuration (a
 * fuzzer's, a generated loop): lookups are linear, so growth stops here.
 */
#define CFG_ENV_MAX 4096

/*
 * What HAProxy 3.2 defines before it reads a file (src/haproxy.c
 * read_cfg()): the default log formats, so that a file can extend them,
 * and the version. HAPROXY_STARTUP_VERSION keeps an inherited value, as
 * a master's version does. HAPROXY_CFGFILES, HAPROXY_LOCALPEER,
 * HAPROXY_MWORKER, HAPROXY_CLI and HAPROXY_MASTER_CLI are only set later
 * in HAProxy's start, "undefined during configuration parsing" by its
 * manual (2.3): they are here only if the environment has them.
 */
static const struct {
	const char *name;
	const char *value;
	bool overwrite;
} haproxy_vars[] = {
	{ "HAPROXY_STARTUP_VERSION", CFG_HAPROXY_VERSION, false },
	{ "HAPROXY_BRANCH", CFG_HAPROXY_BRANCH, true },
	{ "HAPROXY_HTTP_LOG_FMT",
	  "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc "
	  "%sq/%bq %hr %hs %{+Q}r",
	  true },
	{ "HAPROXY_HTTP_CLF_LOG_FMT",
	  "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta "
	  "%tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl",
	  true },
	{ "HAPROXY_HTTPS_LOG_FMT",
	  "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc "
	  "%sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/"
	  "%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc",
	  true },
	{ "HAPROXY_TCP_LOG_FMT",
	  "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq", true },
	{ "HAPROXY_TCP_CLF_LOG_FMT",
	  "%{+Q}o %{-Q}ci - - [%T] \"TCP \" 000 %B \"\" \"\" %cp %ms %ft %b %s %Th %Tw %Tc %Tt %U "
	  "%ts-- %ac %fc %bc %sc %rc %sq %bq \"\" \"\" ",
	  true },
};

/* The entry for name (len bytes, not terminated), or n. */
static size_t env_find(const struct cfg_env *e, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (!strncmp(e->vars[i], name, len) && e->vars[i][len] == '=')
			return i;
	}
	return e->n;
}

const char *env_get(const struct cfg_env *e, const char *name, size_t len)
{
	size_t i = env_find(e, name, len);

	return i < e->n ? e->vars[i] + len + 1 : NULL;
}

/* 0; -ENOMEM; -E2BIG past CFG_ENV_MAX. name holds no '=' (the caller checks). */
int env_set(struct cfg_env *e, const char *name, const char *value, bool overwrite)
{
	size_t len = strlen(name), i = env_find(e, name, len);
	char *var;

	if (i < e->n && !overwrite)
		return 0;
	if (i == e->n && e->n >= CFG_ENV_MAX)
		return -E2BIG;
	if (asprintf(&var, "%s=%s", name, value) < 0)
		return -ENOMEM;
	if (i < e->n) {
		free(e->vars[i]);
		e->vars[i] = var;
		return 0;
	}
	if (VEC_RESERVE(e->vars, e->n, e->cap)) {
		free(var);
		return -ENOMEM;
	}
	e->vars[e->n++] = var;
	return 0;
}

static void env_drop(struct cfg_env *e, size_t i)
{
	free(e->vars[i]);
	e->vars[i] = e->vars[--e->n];
}

void env_unset(struct cfg_env *e, const char *name)
{
	size_t i = env_find(e, name, strlen(name));

	if (i < e->n)
		env_drop(e, i);
}

/* resetenv: every variable goes but those named. */
void env_keep_only(struct cfg_env *e, char *const *names, int n)
{
	size_t i = 0;
	int k;

	while (i < e->n) {
		for (k = 0; k < n; k++) {
			size_t len = strlen(names[k]);

			if (!strncmp(e->vars[i], names[k], len) && e->vars[i][len] == '=')
				break;
		}
		if (k < n)
			i++;
		else
			env_drop(e, i);
	}
}

void env_free(struct cfg_env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->vars[i]);
	free(e->vars);
	memset(e, 0, sizeof(*e));
}

/* A copy of from (an environ), then HAProxy's variables; 0 or -ENOMEM. */
int env_init(struct cfg_env *e, char *const *from)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	for (; from && *from; from++) {
		char *eq = strchr(*from, '=');

		/* Entries without '=' cannot be looked up; execve lets them through. */
		if (!eq || eq == *from)
			continue;
		if (VEC_RESERVE(e->vars, e->n, e->cap))
			goto oom;
		e->vars[e->n] = strdup(*from);
		if (!e->vars[e->n])
			goto oom;
		e->n++;
	}
	for (i = 0; i < ARRAY_SIZE(haproxy_vars); i++) {
		if (env_set(e, haproxy_vars[i].name, haproxy_vars[i].value,
			    haproxy_vars[i].overwrite) == -ENOMEM)
			goto oom;
	}
	return 0;
oom:
	env_free(e);
	return -ENOMEM;
}
