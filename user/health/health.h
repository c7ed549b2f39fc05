/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One server's health as HAProxy judges it: a state machine fed with check
 * results. Pure: no I/O, no clock (callers pass the time in milliseconds
 * of CLOCK_MONOTONIC), so every transition can be unit-tested exactly.
 *
 * A server starts in INIT and takes no traffic until a check passes: the
 * first result alone decides UP or DOWN. From then on "fall" consecutive
 * failures take an UP server DOWN and "rise" consecutive successes bring a
 * DOWN server back; a result of the other kind resets the count.
 */
#ifndef RPILB_HEALTH_H
#define RPILB_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* HAProxy's check status codes (the stats page's "LastChk" column). */
enum check_result {
	CHK_NONE = 0, /* no check has completed */
	CHK_L4OK, /* connected; no layer-7 test configured */
	CHK_L4TOUT, /* no connection before the check timeout */
	CHK_L4CON, /* connection refused, unreachable, reset... */
	CHK_L7OK, /* every expect rule passed */
	CHK_L7STS, /* an HTTP status that the expect rule rejects */
	CHK_L7RSP, /* not the response the expect rule wants */
	CHK_L7TOUT, /* connected, but no conclusive answer before the timeout */
	CHK_L6OK, /* a TLS/SSL handshake answered (ssl-hello-chk) */
	CHK_L6TOUT,
	CHK_L6RSP, /* not a TLS/SSL handshake answer */
	CHK_L7OKC, /* passed conditionally: up, but no new flows (disable-on-404) */
};

const char *check_result_name(enum check_result r); /* "L4OK"...; "" for CHK_NONE */
const char *check_result_desc(enum check_result r); /* "Layer4 connection problem"... */
bool check_result_ok(enum check_result r);
/* The result a rule's ok/error/tout-status names; fallback for CFG_ST_DEFAULT. */
enum check_result check_result_of_status(enum cfg_check_status st, enum check_result fallback);

#define HEALTH_DETAIL_MAX 96

enum health_state {
	HEALTH_INIT = 0, /* not checked yet: out of rotation */
	HEALTH_UP,
	HEALTH_DOWN,
};

const char *health_state_name(enum health_state s); /* "INIT", "UP", "DOWN" */

struct health_params {
	unsigned int rise, fall; /* 0 falls back to HAProxy's defaults (2, 3) */
	uint32_t inter_ms; /* 0 falls back to 2000 */
	uint32_t fastinter_ms; /* 0 follows inter */
	uint32_t downinter_ms; /* 0 follows inter */
	uint32_t timeout_ms; /* a whole check's budget; 0 follows inter */
};

/*
 * From a server's options and its backend's "timeout check" (0: unset).
 * The check timeout is "timeout check" if set, else inter.
 */
void health_params_from_cfg(struct health_params *p, const struct cfg_server_opts *o,
			    uint32_t timeout_check_ms);

struct health {
	struct health_params p; /* as given, with the defaults filled in */
	enum health_state state;
	unsigned int count; /* failures while UP, successes while DOWN */
	uint64_t since_ms; /* when the current state began */
	uint64_t downtime_ms; /* closed DOWN periods; see health_downtime() */

	uint64_t checks; /* results fed */
	uint64_t failures; /* failed results among them */
	uint64_t up_down; /* UP->DOWN and DOWN->UP transitions (not the first verdict) */

	bool nolb; /* UP, but the last check passed only conditionally (L7OKC): no new flows */
	enum check_result last_result;
	int last_code; /* HTTP status of the last check; 0 if none */
	uint32_t last_duration_ms;
	uint64_t last_check_ms; /* when the last result came in; meaningful if checks > 0 */
	char last_detail[HEALTH_DETAIL_MAX]; /* "Connection refused", "HTTP status 500"... */
};

/* A checked server: INIT until its first result. */
void health_init(struct health *h, const struct health_params *p, uint64_t now_ms);

/* A server without "check": UP for good, as HAProxy treats it. */
void health_init_unchecked(struct health *h, const struct health_params *p, uint64_t now_ms);

/* Carry state, counters and last result over from old (a reload); h keeps its params. */
void health_inherit(struct health *h, const struct health *old);

/*
 * Record one check result. detail may be NULL. Returns true when the state
 * changed (INIT->UP, INIT->DOWN, UP->DOWN or DOWN->UP) or a server UP went
 * to NOLB or back. CHK_NONE is ignored.
 */
bool health_feed(struct health *h, enum check_result r, int code, uint32_t duration_ms,
		 const char *detail, uint64_t now_ms);

static inline bool health_is_up(const struct health *h)
{
	return h->state == HEALTH_UP;
}

/* UP and taking new flows: HAProxy's UP, not its NOLB. */
static inline bool health_takes_flows(const struct health *h)
{
	return h->state == HEALTH_UP && !h->nolb;
}

/* Delay before the next check: inter, fastinter, downinter, or 0 in INIT. */
uint32_t health_next_interval(const struct health *h);

/* Total time spent DOWN, the current DOWN period included up to now_ms. */
uint64_t health_downtime(const struct health *h, uint64_t now_ms);

/*
 * HAProxy's status label: "INIT", "UP", "UP 1/3" (1 failure of fall 3),
 * "NOLB", "NOLB 1/3", "DOWN", "DOWN 1/2" (1 success of rise 2). Returns
 * snprintf's value.
 */
int health_label(const struct health *h, char *buf, size_t len);

#endif
