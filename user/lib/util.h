/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers every file may use. */
#ifndef RPILB_UTIL_H
#define RPILB_UTIL_H

#include <stdbool.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

#endif
