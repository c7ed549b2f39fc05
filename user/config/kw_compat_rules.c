// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule sets: tcp-request, tcp-response, http-request, http-response,
 * http-after-response, and quic-initial. A rule is an action and a
 * condition, and rpilb evaluates neither, so every action is judged by
 * what ignoring it would do:
 *
 *  - refused, when HAProxy would stop the connection or request (reject,
 *    deny, silent-drop), answer it itself (redirect, return, use-service),
 *    send it elsewhere (set-dst) or run code that may do any of these
 *    (Lua actions): rpilb would pass on what HAProxy does not;
 *  - ignored, when it only rewrites, counts, logs or tags: rpilb forwards
 *    the connection as HAProxy does when the rule's condition is false.
 *
 * The tcp-request and tcp-response rows are the rule set's name, then the
 * action: "tcp-request content reject" is found as "content" in
 * tcp_request_kws, then "reject" in compat_tcp_content_kws.
 */
#include "config/parser.h"
#include "config/why.h"

/* clang-format off */
/* The stick-counter actions: "sc-inc-gpc0", "sc-inc-gpc0(1)", "sc-add-gpc(0,1) 5"... */
#define SC_ACTIONS(w, why) \
	IGNORE_PREFIX("sc-add-gpc(", w, why), IGNORE_PREFIX("sc-inc-gpc(", w, why), \
	IGNORE_PREFIX("sc-inc-gpc0", w, why), IGNORE_PREFIX("sc-inc-gpc1", w, why), \
	IGNORE_PREFIX("sc-set-gpt(", w, why), IGNORE_PREFIX("sc-set-gpt0", w, why)

/* Variables: the name is part of the keyword, "set-var(txn.x)". */
#define VAR_ACTIONS(w, why) \
	IGNORE_PREFIX("set-var(", w, why), IGNORE_PREFIX("set-var-fmt(", w, why), \
	IGNORE_PREFIX("unset-var(", w, why)

/* What every tcp-request rule set has; w is where that rule set may be written. */
#define TCP_REQUEST_ACTIONS(w) \
	IGNORE("accept", w, WHY_ACCEPT), \
	REFUSE("reject", w, WHY_FILTER), \
	REFUSE("silent-drop", w, WHY_FILTER), \
	REFUSE("set-dst", w, WHY_SET_DST), \
	REFUSE("set-dst-port", w, WHY_SET_DST), \
	IGNORE("set-src", w, WHY_CLIENT_ADDR), \
	IGNORE("set-src-port", w, WHY_CLIENT_ADDR), \
	IGNORE_PREFIX("track-sc", w, WHY_COUNTERS), \
	SC_ACTIONS(w, WHY_COUNTERS), \
	VAR_ACTIONS(w, WHY_VARS), \
	IGNORE("set-fc-mark", w, WHY_MARK), \
	IGNORE("set-fc-tos", w, WHY_MARK), \
	IGNORE("set-mark", w, WHY_MARK), \
	IGNORE("set-tos", w, WHY_MARK), \
	IGNORE("do-log", w, WHY_LOG)
/* clang-format on */

const struct kw rules_proxy_kws[] = {
	SUB("tcp-request", IN_PROXY, kw_sub, &kwf_tcp_request,
	    "tcp-request connection|session|content ACTION [{if|unless} COND]"),
	SUB("tcp-response", IN_DEF | IN_BE, kw_sub, &kwf_tcp_response,
	    "tcp-response content ACTION [{if|unless} COND]"),
	/* rpilb forwards no UDP, so nothing these rules would stop can get through. */
	IGNORE("quic-initial", IN_DEF | IN_FE, WHY_QUIC),
	KW_END,
};

const struct kw tcp_request_kws[] = {
	SUB("connection", IN_DEF | IN_FE, kw_sub, &kwf_tcp_request_connection,
	    "tcp-request connection ACTION [{if|unless} COND]"),
	SUB("session", IN_DEF | IN_FE, kw_sub, &kwf_tcp_request_session,
	    "tcp-request session ACTION [{if|unless} COND]"),
	SUB("content", IN_PROXY, kw_sub, &kwf_tcp_request_content,
	    "tcp-request content ACTION [{if|unless} COND]"),
	IGNORE("inspect-delay", IN_PROXY, WHY_INSPECT),
	KW_END,
};

const struct kw compat_tcp_connection_kws[] = {
	TCP_REQUEST_ACTIONS(IN_DEF | IN_FE),
	REFUSE("expect-proxy", IN_DEF | IN_FE, WHY_PROXY_IN),
	REFUSE("expect-netscaler-cip", IN_DEF | IN_FE, WHY_PROXY_IN),
	KW_END,
};

const struct kw compat_tcp_session_kws[] = {
	TCP_REQUEST_ACTIONS(IN_DEF | IN_FE),
	REFUSE("attach-srv", IN_DEF | IN_FE, WHY_REVERSE),
	KW_END,
};

const struct kw compat_tcp_content_kws[] = {
	TCP_REQUEST_ACTIONS(IN_PROXY),
	IGNORE("capture", IN_PROXY, WHY_LOG),
	IGNORE("set-log-level", IN_PROXY, WHY_LOG),
	IGNORE_PREFIX("do-resolve(", IN_PROXY, WHY_VARS),
	IGNORE("send-spoe-group", IN_PROXY, WHY_SPOE),
	IGNORE("set-bandwidth-limit", IN_PROXY, WHY_BWLIM),
	IGNORE("set-bc-mark", IN_PROXY, WHY_MARK),
	IGNORE("set-bc-tos", IN_PROXY, WHY_MARK),
	IGNORE("set-nice", IN_PROXY, WHY_PRIORITY),
	IGNORE("set-priority-class", IN_PROXY, WHY_PRIORITY),
	IGNORE("set-priority-offset", IN_PROXY, WHY_PRIORITY),
	IGNORE("set-retries", IN_PROXY, WHY_RETRY),
	/* Only the HTTP rules that follow would differ, and those have rows of their own. */
	IGNORE("switch-mode", IN_PROXY, WHY_L7),
	REFUSE("use-service", IN_PROXY, WHY_ANSWER),
	REFUSE_PREFIX("lua.", IN_PROXY, WHY_LUA_RULE),
	KW_END,
};

const struct kw tcp_response_kws[] = {
	SUB("content", IN_DEF | IN_BE, kw_sub, &kwf_tcp_response_content,
	    "tcp-response content ACTION [{if|unless} COND]"),
	IGNORE("inspect-delay", IN_DEF | IN_BE, WHY_INSPECT),
	KW_END,
};

const struct kw compat_tcp_response_content_kws[] = {
	IGNORE("accept", IN_DEF | IN_BE, WHY_ACCEPT),
	REFUSE("close", IN_DEF | IN_BE, WHY_FILTER),
	REFUSE("reject", IN_DEF | IN_BE, WHY_FILTER),
	REFUSE("silent-drop", IN_DEF | IN_BE, WHY_FILTER),
	SC_ACTIONS(IN_DEF | IN_BE, WHY_COUNTERS),
	VAR_ACTIONS(IN_DEF | IN_BE, WHY_VARS),
	IGNORE("do-log", IN_DEF | IN_BE, WHY_LOG),
	IGNORE("set-log-level", IN_DEF | IN_BE, WHY_LOG),
	IGNORE("send-spoe-group", IN_DEF | IN_BE, WHY_SPOE),
	IGNORE("set-bandwidth-limit", IN_DEF | IN_BE, WHY_BWLIM),
	IGNORE("set-fc-mark", IN_DEF | IN_BE, WHY_MARK),
	IGNORE("set-fc-tos", IN_DEF | IN_BE, WHY_MARK),
	IGNORE("set-mark", IN_DEF | IN_BE, WHY_MARK),
	IGNORE("set-tos", IN_DEF | IN_BE, WHY_MARK),
	IGNORE("set-nice", IN_DEF | IN_BE, WHY_PRIORITY),
	REFUSE_PREFIX("lua.", IN_DEF | IN_BE, WHY_LUA_RULE),
	KW_END,
};

/*
 * The actions http-request, http-response and http-after-response all
 * have. None of them runs in rpilb, which does not parse HTTP; only those
 * that stop or answer a message are refused, in the tables that follow.
 */
/* clang-format off */
const struct kw compat_http_rule_kws[] = {
	IGNORE("add-header", IN_PROXY, WHY_L7),
	IGNORE("allow", IN_PROXY, WHY_L7),
	IGNORE("capture", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("del-acl(", IN_PROXY, WHY_L7),
	IGNORE("del-header", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("del-map(", IN_PROXY, WHY_L7),
	IGNORE("do-log", IN_PROXY, WHY_L7),
	IGNORE("replace-header", IN_PROXY, WHY_L7),
	IGNORE("replace-value", IN_PROXY, WHY_L7),
	SC_ACTIONS(IN_PROXY, WHY_L7),
	IGNORE("set-header", IN_PROXY, WHY_L7),
	IGNORE("set-log-level", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("set-map(", IN_PROXY, WHY_L7),
	VAR_ACTIONS(IN_PROXY, WHY_L7),
	IGNORE("strict-mode", IN_PROXY, WHY_L7),
	KW_END,
};
/* clang-format on */

const struct kw compat_http_request_kws[] = {
	REFUSE("deny", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("reject", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("tarpit", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("auth", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("silent-drop", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("redirect", IN_PROXY, WHY_ANSWER),
	REFUSE("return", IN_PROXY, WHY_ANSWER),
	REFUSE("use-service", IN_PROXY, WHY_ANSWER),
	REFUSE("set-dst", IN_PROXY, WHY_SET_DST),
	REFUSE("set-dst-port", IN_PROXY, WHY_SET_DST),
	REFUSE_PREFIX("lua.", IN_PROXY, WHY_LUA_RULE),
	IGNORE_PREFIX("add-acl(", IN_PROXY, WHY_L7),
	IGNORE("cache-use", IN_PROXY, WHY_L7),
	IGNORE("disable-l7-retry", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("do-resolve(", IN_PROXY, WHY_L7),
	IGNORE("early-hint", IN_PROXY, WHY_L7),
	IGNORE("normalize-uri", IN_PROXY, WHY_L7),
	IGNORE("pause", IN_PROXY, WHY_L7),
	IGNORE("replace-path", IN_PROXY, WHY_L7),
	IGNORE("replace-pathq", IN_PROXY, WHY_L7),
	IGNORE("replace-uri", IN_PROXY, WHY_L7),
	IGNORE("send-spoe-group", IN_PROXY, WHY_L7),
	IGNORE("set-bandwidth-limit", IN_PROXY, WHY_L7),
	IGNORE("set-bc-mark", IN_PROXY, WHY_L7),
	IGNORE("set-bc-tos", IN_PROXY, WHY_L7),
	IGNORE("set-fc-mark", IN_PROXY, WHY_L7),
	IGNORE("set-fc-tos", IN_PROXY, WHY_L7),
	IGNORE("set-mark", IN_PROXY, WHY_L7),
	IGNORE("set-method", IN_PROXY, WHY_L7),
	IGNORE("set-nice", IN_PROXY, WHY_L7),
	IGNORE("set-path", IN_PROXY, WHY_L7),
	IGNORE("set-pathq", IN_PROXY, WHY_L7),
	IGNORE("set-priority-class", IN_PROXY, WHY_L7),
	IGNORE("set-priority-offset", IN_PROXY, WHY_L7),
	IGNORE("set-query", IN_PROXY, WHY_L7),
	IGNORE("set-retries", IN_PROXY, WHY_L7),
	IGNORE("set-src", IN_PROXY, WHY_L7),
	IGNORE("set-src-port", IN_PROXY, WHY_L7),
	IGNORE("set-timeout", IN_PROXY, WHY_L7),
	IGNORE("set-tos", IN_PROXY, WHY_L7),
	IGNORE("set-uri", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("track-sc", IN_PROXY, WHY_L7),
	IGNORE("wait-for-body", IN_PROXY, WHY_L7),
	IGNORE("wait-for-handshake", IN_PROXY, WHY_L7),
	KW_END,
};

const struct kw compat_http_response_kws[] = {
	REFUSE("deny", IN_PROXY, WHY_HTTP_RES_REFUSE),
	REFUSE("silent-drop", IN_PROXY, WHY_HTTP_RES_REFUSE),
	REFUSE("redirect", IN_PROXY, WHY_ANSWER),
	REFUSE("return", IN_PROXY, WHY_ANSWER),
	REFUSE_PREFIX("lua.", IN_PROXY, WHY_LUA_RULE),
	IGNORE_PREFIX("add-acl(", IN_PROXY, WHY_L7),
	IGNORE("cache-store", IN_PROXY, WHY_L7),
	IGNORE("pause", IN_PROXY, WHY_L7),
	IGNORE("send-spoe-group", IN_PROXY, WHY_L7),
	IGNORE("set-bandwidth-limit", IN_PROXY, WHY_L7),
	IGNORE("set-fc-mark", IN_PROXY, WHY_L7),
	IGNORE("set-fc-tos", IN_PROXY, WHY_L7),
	IGNORE("set-mark", IN_PROXY, WHY_L7),
	IGNORE("set-nice", IN_PROXY, WHY_L7),
	IGNORE("set-status", IN_PROXY, WHY_L7),
	IGNORE("set-timeout", IN_PROXY, WHY_L7),
	IGNORE("set-tos", IN_PROXY, WHY_L7),
	IGNORE_PREFIX("track-sc", IN_PROXY, WHY_L7),
	IGNORE("wait-for-body", IN_PROXY, WHY_L7),
	KW_END,
};

const struct kw compat_http_after_response_kws[] = {
	IGNORE("set-status", IN_PROXY, WHY_L7),
	KW_END,
};
