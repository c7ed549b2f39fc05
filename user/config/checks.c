// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/checks.h"
#include "config/config.h"
#include "lib/util.h"

static void rule_free(struct cfg_check_rule *r)
{
	free(r->comment);
	free(r->data);
	free(r->on_success);
	free(r->on_error);
	free(r->http);
}

void cfg_check_free(struct cfg_check *c)
{
	for (size_t i = 0; i < c->nrules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	c->rules = NULL;
	c->nrules = c->cap = 0;
}

struct cfg_check_rule *cfg_check_add(struct cfg_check *c, enum cfg_rule_kind kind,
				     unsigned int line)
{
	struct cfg_check_rule *r;

	if (VEC_RESERVE(c->rules, c->nrules, c->cap))
		return NULL;
	r = &c->rules[c->nrules++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->line = line;
	r->min_recv = CFG_MIN_RECV_UNSET;
	return r;
}

/* A copy of len bytes and a NUL (data may hold NULs: binary patterns do). */
static int dup_bytes(char **dst, const char *src, size_t len)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = malloc(len + 1);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, len);
	(*dst)[len] = '\0';
	return 0;
}

static int dup_str(char **dst, const char *src)
{
	return dup_bytes(dst, src, src ? strlen(src) : 0);
}

int cfg_check_from_http(struct cfg_check *c, enum cfg_check_kind kind,
			const struct cfg_http_check *http)
{
	struct cfg_check_rule *send, *expect;

	cfg_check_free(c);
	c->kind = kind;
	if (kind != CFG_CHECK_HTTP)
		return 0;
	c->what = "option httpchk";
	/* Both added before either is used: adding may move the list. */
	if (!cfg_check_add(c, CFG_RULE_SEND, 0) || !cfg_check_add(c, CFG_RULE_EXPECT, 0))
		goto oom;
	send = &c->rules[0];
	expect = &c->rules[1];
	send->http = malloc(sizeof(*send->http));
	if (!send->http)
		goto oom;
	*send->http = *http;
	expect->match = http->expect == CFG_EXPECT_STATUS    ? CFG_MATCH_STATUS
			: http->expect == CFG_EXPECT_RSTATUS ? CFG_MATCH_RSTATUS
							     : CFG_MATCH_HTTP_OK;
	if (expect->match != CFG_MATCH_HTTP_OK) {
		expect->len = strlen(http->expect_arg);
		if (dup_bytes(&expect->data, http->expect_arg, expect->len))
			goto oom;
	}
	return 0;
oom:
	cfg_check_free(c);
	return -ENOMEM;
}

int cfg_check_copy(struct cfg_check *dst, const struct cfg_check *src)
{
	int err = 0;

	*dst = *src;
	dst->rules = NULL;
	dst->nrules = dst->cap = 0;
	for (size_t i = 0; !err && i < src->nrules; i++) {
		const struct cfg_check_rule *s = &src->rules[i];
		struct cfg_check_rule *d = cfg_check_add(dst, s->kind, s->line);

		if (!d) {
			err = -ENOMEM;
			break;
		}
		*d = *s;
		d->comment = d->data = d->on_success = d->on_error = NULL;
		d->http = NULL;
		err = dup_str(&d->comment, s->comment) ?: dup_bytes(&d->data, s->data, s->len) ?:
		      dup_str(&d->on_success, s->on_success) ?: dup_str(&d->on_error, s->on_error);
		if (!err && s->http) {
			d->http = malloc(sizeof(*d->http));
			if (d->http)
				*d->http = *s->http;
			else
				err = -ENOMEM;
		}
	}
	if (err)
		cfg_check_free(dst);
	return err;
}
