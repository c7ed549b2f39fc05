/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers every file may use. */
#ifndef RPILB_UTIL_H
#define RPILB_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The struct holding member at ptr: evloop callbacks get the embedded io or timer. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Copy with truncation, always terminated; true if it all fit. */
static inline bool str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return false;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

/*
 * Make room for need elements of elsize bytes in *arr, whose capacity is
 * *cap (doubling, from 8): 0, or -ENOMEM with *arr and *cap untouched.
 * The one growth rule for every array that grows.
 */
static inline int vec_grow(void *arr, size_t *cap, size_t need, size_t elsize)
{
	void **p = arr;
	size_t ncap = *cap ? *cap : 8;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsize)
			return -ENOMEM;
		ncap *= 2;
	}
	n = realloc(*p, ncap * elsize);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

/* vec_grow() for one more element than count: v->items, v->count, v->cap. */
#define VEC_RESERVE(items, count, cap) vec_grow(&(items), &(cap), (count) + 1, sizeof(*(items)))

#endif
