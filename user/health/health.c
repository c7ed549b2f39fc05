// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "health/health.h"

struct result_info {
	const char *name;
	const char *desc; /* HAProxy's words, so its users recognise them in logs */
	bool ok;
};

/* Keep in sync with enum check_result. */
static const struct result_info results[] = {
	[CHK_NONE] = { "", "Initializing", false },
	[CHK_L4OK] = { "L4OK", "Layer4 check passed", true },
	[CHK_L4TOUT] = { "L4TOUT", "Layer4 timeout", false },
	[CHK_L4CON] = { "L4CON", "Layer4 connection problem", false },
	[CHK_L7OK] = { "L7OK", "Layer7 check passed", true },
	[CHK_L7STS] = { "L7STS", "Layer7 wrong status", false },
	[CHK_L7RSP] = { "L7RSP", "Layer7 invalid response", false },
	[CHK_L7TOUT] = { "L7TOUT", "Layer7 timeout", false },
	[CHK_L6OK] = { "L6OK", "Layer6 check passed", true },
	[CHK_L6TOUT] = { "L6TOUT", "Layer6 timeout", false },
	[CHK_L6RSP] = { "L6RSP", "Layer6 invalid response", false },
	[CHK_L7OKC] = { "L7OKC", "Layer7 check conditionally passed", true },
};

static const struct result_info *result_info(enum check_result r)
{
	if ((unsigned int)r >= sizeof(results) / sizeof(results[0]))
		r = CHK_NONE;
	return &results[r];
}

const char *check_result_name(enum check_result r)
{
	return result_info(r)->name;
}

const char *check_result_desc(enum check_result r)
{
	return result_info(r)->desc;
}

bool check_result_ok(enum check_result r)
{
	return result_info(r)->ok;
}

enum check_result check_result_of_status(enum cfg_check_status st, enum check_result fallback)
{
	static const enum check_result of[] = {
		[CFG_ST_L4OK] = CHK_L4OK,   [CFG_ST_L4TOUT] = CHK_L4TOUT, [CFG_ST_L4CON] = CHK_L4CON,
		[CFG_ST_L6OK] = CHK_L6OK,   [CFG_ST_L6TOUT] = CHK_L6TOUT, [CFG_ST_L6RSP] = CHK_L6RSP,
		[CFG_ST_L7OK] = CHK_L7OK,   [CFG_ST_L7OKC] = CHK_L7OKC,	  [CFG_ST_L7RSP] = CHK_L7RSP,
		[CFG_ST_L7STS] = CHK_L7STS, [CFG_ST_L7TOUT] = CHK_L7TOUT,
	};

	if (st == CFG_ST_DEFAULT || (unsigned int)st >= sizeof(of) / sizeof(of[0]))
		return fallback;
	return of[st];
}

const char *health_state_name(enum health_state s)
{
	switch (s) {
	case HEALTH_INIT:
		return "INIT";
	case HEALTH_UP:
		return "UP";
	case HEALTH_DOWN:
		return "DOWN";
	}
	return "?";
}

void health_params_from_cfg(struct health_params *p, const struct cfg_server_opts *o,
			    uint32_t timeout_check_ms)
{
	p->rise = o->rise;
	p->fall = o->fall;
	p->inter_ms = o->inter_ms;
	p->fastinter_ms = o->fastinter_ms;
	p->downinter_ms = o->downinter_ms;
	p->timeout_ms = timeout_check_ms;
}

/* A zero would stall the state machine or spin the loop: fall back as HAProxy defaults. */
static void params_fill(struct health_params *dst, const struct health_params *src)
{
	*dst = *src;
	if (!dst->rise)
		dst->rise = CFG_DEFAULT_RISE;
	if (!dst->fall)
		dst->fall = CFG_DEFAULT_FALL;
	if (!dst->inter_ms)
		dst->inter_ms = CFG_DEFAULT_INTER_MS;
	if (!dst->fastinter_ms)
		dst->fastinter_ms = dst->inter_ms;
	if (!dst->downinter_ms)
		dst->downinter_ms = dst->inter_ms;
	if (!dst->timeout_ms)
		dst->timeout_ms = dst->inter_ms;
}

void health_init(struct health *h, const struct health_params *p, uint64_t now_ms)
{
	memset(h, 0, sizeof(*h));
	params_fill(&h->p, p);
	h->state = HEALTH_INIT;
	h->since_ms = now_ms;
}

void health_init_unchecked(struct health *h, const struct health_params *p, uint64_t now_ms)
{
	health_init(h, p, now_ms);
	h->state = HEALTH_UP;
}

void health_inherit(struct health *h, const struct health *old)
{
	struct health_params p = h->p;

	*h = *old;
	h->p = p;
	/* A smaller rise or fall must not leave the count past its own threshold. */
	if (h->state == HEALTH_UP && h->count >= h->p.fall)
		h->count = h->p.fall - 1;
	if (h->state == HEALTH_DOWN && h->count >= h->p.rise)
		h->count = h->p.rise - 1;
}

static void enter(struct health *h, enum health_state s, uint64_t now_ms)
{
	if (h->state == HEALTH_DOWN && now_ms > h->since_ms)
		h->downtime_ms += now_ms - h->since_ms;
	if (h->state != HEALTH_INIT)
		h->up_down++;
	h->state = s;
	h->count = 0;
	h->since_ms = now_ms;
}

bool health_feed(struct health *h, enum check_result r, int code, uint32_t duration_ms,
		 const char *detail, uint64_t now_ms)
{
	bool ok = check_result_ok(r), nolb_before = h->nolb;
	enum health_state before = h->state;

	if (r == CHK_NONE)
		return false;
	h->checks++;
	h->failures += !ok;
	h->last_result = r;
	h->last_code = code;
	h->last_duration_ms = duration_ms;
	h->last_check_ms = now_ms;
	snprintf(h->last_detail, sizeof(h->last_detail), "%s", detail ? detail : "");

	switch (h->state) {
	case HEALTH_INIT:
		enter(h, ok ? HEALTH_UP : HEALTH_DOWN, now_ms);
		break;
	case HEALTH_UP:
		if (ok)
			h->count = 0;
		else if (++h->count >= h->p.fall)
			enter(h, HEALTH_DOWN, now_ms);
		break;
	case HEALTH_DOWN:
		if (!ok)
			h->count = 0;
		else if (++h->count >= h->p.rise)
			enter(h, HEALTH_UP, now_ms);
		break;
	}
	/* A conditional pass drains; any other pass ends that; a failure leaves it as it is. */
	if (ok)
		h->nolb = r == CHK_L7OKC;
	if (h->state != HEALTH_UP)
		h->nolb = false;
	return h->state != before || h->nolb != nolb_before;
}

uint32_t health_next_interval(const struct health *h)
{
	switch (h->state) {
	case HEALTH_INIT:
		return 0;
	case HEALTH_UP:
		return h->count ? h->p.fastinter_ms : h->p.inter_ms;
	case HEALTH_DOWN:
		return h->count ? h->p.fastinter_ms : h->p.downinter_ms;
	}
	return h->p.inter_ms;
}

uint64_t health_downtime(const struct health *h, uint64_t now_ms)
{
	uint64_t t = h->downtime_ms;

	if (h->state == HEALTH_DOWN && now_ms > h->since_ms)
		t += now_ms - h->since_ms;
	return t;
}

int health_label(const struct health *h, char *buf, size_t len)
{
	switch (h->state) {
	case HEALTH_UP:
		if (h->count)
			return snprintf(buf, len, "%s %u/%u", h->nolb ? "NOLB" : "UP", h->count,
					h->p.fall);
		return snprintf(buf, len, "%s", h->nolb ? "NOLB" : "UP");
	case HEALTH_DOWN:
		if (h->count)
			return snprintf(buf, len, "DOWN %u/%u", h->count, h->p.rise);
		return snprintf(buf, len, "DOWN");
	case HEALTH_INIT:
		break;
	}
	return snprintf(buf, len, "INIT");
}
