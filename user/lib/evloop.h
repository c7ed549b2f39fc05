/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's single event loop: epoll for sockets, one timerfd for the
 * nearest timer, signalfd for signals. Everything the daemon does (health
 * checks, the control socket, the stats page, flow-table upkeep) is a
 * callback from here; nothing blocks and there are no threads.
 */
#ifndef RPILB_EVLOOP_H
#define RPILB_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct evloop;

struct ev_io {
	int fd;
	uint32_t events; /* EPOLLIN, EPOLLOUT... */
	void (*cb)(struct ev_io *io, uint32_t revents);
	bool added;
};

struct ev_timer {
	uint64_t deadline_ms; /* CLOCK_MONOTONIC */
	void (*cb)(struct ev_timer *t);
	bool armed;
	struct ev_timer *next; /* the loop's list, ordered by deadline */
};

struct evloop *ev_new(void);
void ev_free(struct evloop *l);

int ev_io_add(struct evloop *l, struct ev_io *io);
int ev_io_mod(struct evloop *l, struct ev_io *io, uint32_t events);
void ev_io_del(struct evloop *l, struct ev_io *io);

/* (Re)arm t to fire once, delay_ms from now. */
void ev_timer_arm(struct evloop *l, struct ev_timer *t, uint64_t delay_ms);
void ev_timer_cancel(struct evloop *l, struct ev_timer *t);

/* Deliver these signals to cb through the loop instead of asynchronously. */
int ev_signals(struct evloop *l, const int *signals, int n, void (*cb)(int signo, void *arg),
	       void *arg);

/* Run until ev_stop(); returns 0, or a negative errno if the loop broke. */
int ev_run(struct evloop *l);
void ev_stop(struct evloop *l);

uint64_t ev_now_ms(void);

#endif
