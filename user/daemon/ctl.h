/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket (/run/rpilb/rpilb.sock): one request line per
 * connection, answered with "OK" or "ERR <reason>" on the first line and
 * the body after it, then the server closes. Plain text, so
 *     echo 'show status' | socat - UNIX-CONNECT:/run/rpilb/rpilb.sock
 * works as well as rpilbctl. See docs/control.md for the commands.
 */
#ifndef RPILB_CTL_H
#define RPILB_CTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/evloop.h"

#define CTL_LINE_MAX   4096
#define CTL_MAX_ARGS   16
#define CTL_MAX_CONNS  16
#define CTL_TIMEOUT_MS 5000

/* A reply under construction. */
struct ctl_reply {
	char *buf;
	size_t len, cap;
	bool error;
	bool oom; /* the body could not grow: answered with an error instead */
};

void ctl_reply_printf(struct ctl_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ctl_reply_error(struct ctl_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A FILE* writing into the reply body (for the JSON writer); fclose() when done. */
FILE *ctl_reply_stream(struct ctl_reply *r);

/* Split a request into words; returns argc, or -1 if there are too many. */
int ctl_split(char *line, char **argv, int max);

typedef void (*ctl_handler)(int argc, char **argv, struct ctl_reply *r, void *arg);

/*
 * Answer one request line (NUL-terminated; split in place): run handler
 * unless r already holds a refusal, and frame the reply as the client
 * reads it, "OK\n<body>" or "ERR <reason on one line>\n". Returns the
 * framed answer (malloc'd; NULL when out of memory); r still owns its
 * buffer. The server's per-connection path, exposed for the fuzzer.
 */
char *ctl_answer(char *line, struct ctl_reply *r, ctl_handler handler, void *arg);

struct ctl_conn;

struct ctl_server {
	struct evloop *loop;
	struct ev_io listen_io;
	char path[108];
	ctl_handler handler;
	void *arg;
	struct ctl_conn *conns[CTL_MAX_CONNS];
};

/*
 * Listen on path with the given mode and group (gid -1: root's), replacing
 * a stale socket. The handler runs synchronously for each request.
 */
int ctl_server_open(struct ctl_server *s, struct evloop *l, const char *path, mode_t mode,
		    gid_t gid, ctl_handler handler, void *arg);
void ctl_server_close(struct ctl_server *s);

#endif
