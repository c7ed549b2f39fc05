// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

#define EV_BATCH 64

struct evloop {
	int epfd;
	struct ev_io timer_io;
	struct ev_io signal_io;
	struct ev_timer *timers; /* sorted by deadline */
	void (*signal_cb)(int signo, void *arg);
	void *signal_arg;
	bool stop;
};

uint64_t ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct evloop *loop_of_timer_io(struct ev_io *io)
{
	return container_of(io, struct evloop, timer_io);
}

static struct evloop *loop_of_signal_io(struct ev_io *io)
{
	return container_of(io, struct evloop, signal_io);
}

/* Point the timerfd at the earliest deadline (or disarm it). */
static void ev_timer_reprogram(struct evloop *l)
{
	struct itimerspec its = {};

	if (l->timers) {
		uint64_t at = l->timers->deadline_ms;

		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
		/* 0 would disarm: a deadline already past fires at once. */
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(l->timer_io.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void ev_timer_unlink(struct evloop *l, struct ev_timer *t)
{
	for (struct ev_timer **pp = &l->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void ev_timer_arm(struct evloop *l, struct ev_timer *t, uint64_t delay_ms)
{
	struct ev_timer **pp;

	if (t->armed)
		ev_timer_unlink(l, t);
	t->deadline_ms = ev_now_ms() + delay_ms;
	for (pp = &l->timers; *pp && (*pp)->deadline_ms <= t->deadline_ms; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->armed = true;
	ev_timer_reprogram(l);
}

void ev_timer_cancel(struct evloop *l, struct ev_timer *t)
{
	if (!t->armed)
		return;
	ev_timer_unlink(l, t);
	ev_timer_reprogram(l);
}

static void ev_timers_fire(struct ev_io *io, uint32_t revents)
{
	struct evloop *l = loop_of_timer_io(io);
	uint64_t expirations, now = ev_now_ms();

	(void)revents;
	if (read(io->fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		pr_warn("timerfd read: %s", strerror(errno));
	/* A callback may re-arm its own timer or others: take one at a time. */
	while (l->timers && l->timers->deadline_ms <= now) {
		struct ev_timer *t = l->timers;

		ev_timer_unlink(l, t);
		t->cb(t);
	}
	ev_timer_reprogram(l);
}

static void ev_signal_read(struct ev_io *io, uint32_t revents)
{
	struct evloop *l = loop_of_signal_io(io);
	struct signalfd_siginfo si;

	(void)revents;
	while (read(io->fd, &si, sizeof(si)) == sizeof(si))
		if (l->signal_cb)
			l->signal_cb(si.ssi_signo, l->signal_arg);
}

struct evloop *ev_new(void)
{
	struct evloop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->signal_io.fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto err_free;
	l->timer_io.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timer_io.fd < 0)
		goto err_epoll;
	l->timer_io.events = EPOLLIN;
	l->timer_io.cb = ev_timers_fire;
	if (ev_io_add(l, &l->timer_io))
		goto err_timer;
	return l;

err_timer:
	close(l->timer_io.fd);
err_epoll:
	close(l->epfd);
err_free:
	free(l);
	return NULL;
}

void ev_free(struct evloop *l)
{
	if (!l)
		return;
	if (l->signal_io.fd >= 0)
		close(l->signal_io.fd);
	close(l->timer_io.fd);
	close(l->epfd);
	free(l);
}

int ev_io_add(struct evloop *l, struct ev_io *io)
{
	struct epoll_event ev = { .events = io->events, .data.ptr = io };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev))
		return -errno;
	io->added = true;
	return 0;
}

int ev_io_mod(struct evloop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->events = events;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev))
		return -errno;
	return 0;
}

void ev_io_del(struct evloop *l, struct ev_io *io)
{
	if (!io->added)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->added = false;
}

int ev_signals(struct evloop *l, const int *signals, int n, void (*cb)(int signo, void *arg),
	       void *arg)
{
	sigset_t set;

	sigemptyset(&set);
	for (int i = 0; i < n; i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	l->signal_io.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->signal_io.fd < 0)
		return -errno;
	l->signal_io.events = EPOLLIN;
	l->signal_io.cb = ev_signal_read;
	l->signal_cb = cb;
	l->signal_arg = arg;
	return ev_io_add(l, &l->signal_io);
}

int ev_run(struct evloop *l)
{
	struct epoll_event events[EV_BATCH];

	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->epfd, events, EV_BATCH, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct ev_io *io = events[i].data.ptr;

			io->cb(io, events[i].events);
		}
	}
	return 0;
}

void ev_stop(struct evloop *l)
{
	l->stop = true;
}
