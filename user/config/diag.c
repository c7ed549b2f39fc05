// SPDX-License-Identifier: GPL-2.0-only
/*
 * Diagnostics: every error and warning of a parse, with its line, so that
 * one run lists every problem as a compiler does. The list is cut after
 * CFG_MAX_DIAGS entries; errors are always counted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

/*
 * Past this many diagnostics the input is not a configuration any more
 * (a fuzzer, a binary file): keep counting errors, stop storing them.
 */
#define CFG_MAX_DIAGS 1000

void diag_vadd(struct cfg_diags *d, enum cfg_severity sev, unsigned int line, const char *fmt,
	       va_list ap)
{
	struct cfg_diag *item;
	unsigned char *c;

	if (sev == CFG_ERROR)
		d->nerrors++;
	if (d->count >= CFG_MAX_DIAGS || VEC_RESERVE(d->items, d->count, d->cap))
		return;
	item = &d->items[d->count++];
	item->severity = sev;
	item->line = line;
	if (d->count == CFG_MAX_DIAGS) {
		/* The last slot says the list is cut, so nobody believes it complete. */
		item->severity = CFG_WARNING;
		item->line = 0;
		snprintf(item->msg, sizeof(item->msg),
			 "too many diagnostics: only the first %d are listed", CFG_MAX_DIAGS - 1);
		return;
	}
	vsnprintf(item->msg, sizeof(item->msg), fmt, ap);
	/* Messages quote the input, which may be any bytes: keep them printable. */
	for (c = (unsigned char *)item->msg; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			*c = '?';
	}
}

void cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, unsigned int line, const char *fmt,
		  ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, sev, line, fmt, ap);
	va_end(ap);
}

/*
 * Checks at the end of a section report at earlier lines: sort by line,
 * keeping the order of equal lines, so the list reads like the file.
 */
void diags_sort(struct cfg_diags *d)
{
	struct cfg_diag *tmp, *src, *dst, *t;
	size_t width, i;

	if (d->count < 2)
		return;
	tmp = malloc(d->count * sizeof(*tmp));
	if (!tmp)
		return;
	src = d->items;
	dst = tmp;
	for (width = 1; width < d->count; width *= 2) {
		for (i = 0; i < d->count; i += 2 * width) {
			size_t lo = i, mid = i + width, hi = i + 2 * width, a, b, k = i;

			if (mid > d->count)
				mid = d->count;
			if (hi > d->count)
				hi = d->count;
			for (a = lo, b = mid; a < mid || b < hi;) {
				if (b >= hi || (a < mid && src[a].line <= src[b].line))
					dst[k++] = src[a++];
				else
					dst[k++] = src[b++];
			}
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != d->items)
		memcpy(d->items, src, d->count * sizeof(*src));
	free(tmp);
}

void diags_init(struct cfg_diags *diags, const char *name)
{
	memset(diags, 0, sizeof(*diags));
	snprintf(diags->file, sizeof(diags->file), "%s", name ? name : "<config>");
}

void cfg_diags_free(struct cfg_diags *diags)
{
	if (!diags)
		return;
	free(diags->items);
	diags->items = NULL;
	diags->count = 0;
	diags->cap = 0;
	diags->nerrors = 0;
}

int cfg_diag_format(const struct cfg_diags *diags, const struct cfg_diag *d, char *buf, size_t len)
{
	const char *file = diags && diags->file[0] ? diags->file : "<config>";
	const char *sev = d->severity == CFG_ERROR ? "error" : "warning";

	if (d->line)
		return snprintf(buf, len, "%s:%u: %s: %s", file, d->line, sev, d->msg);
	return snprintf(buf, len, "%s: %s: %s", file, sev, d->msg);
}
