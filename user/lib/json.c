// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no value written yet at this depth */
	bool after_key;
};

struct json_writer *json_new(FILE *out, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->out = out;
	jw->pretty = pretty;
	jw->first[0] = true;
	return jw;
}

void json_free(struct json_writer *jw)
{
	if (jw && jw->pretty)
		fputc('\n', jw->out);
	free(jw);
}

static void json_newline(struct json_writer *jw)
{
	if (!jw->pretty)
		return;
	fputc('\n', jw->out);
	for (int i = 0; i < jw->depth; i++)
		fputs("    ", jw->out);
}

/* Separator before a value or a key, unless the value follows its key. */
static void json_sep(struct json_writer *jw)
{
	if (jw->after_key) {
		jw->after_key = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputc(',', jw->out);
	jw->first[jw->depth] = false;
	if (jw->depth > 0)
		json_newline(jw);
}

static void json_open(struct json_writer *jw, char c)
{
	json_sep(jw);
	fputc(c, jw->out);
	if (jw->depth < JSON_MAX_DEPTH - 1)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void json_close(struct json_writer *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth > 0)
		jw->depth--;
	if (!empty)
		json_newline(jw);
	fputc(c, jw->out);
}

void json_begin_object(struct json_writer *jw)
{
	json_open(jw, '{');
}

void json_end_object(struct json_writer *jw)
{
	json_close(jw, '}');
}

void json_begin_array(struct json_writer *jw)
{
	json_open(jw, '[');
}

void json_end_array(struct json_writer *jw)
{
	json_close(jw, ']');
}

size_t json_escape(char *buf, size_t len, const char *s)
{
	size_t n = 0;

#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 < len)                                                                   \
			buf[n] = (c);                                                              \
		n++;                                                                               \
	} while (0)

	PUT('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			PUT('\\');
			PUT('"');
			break;
		case '\\':
			PUT('\\');
			PUT('\\');
			break;
		case '\n':
			PUT('\\');
			PUT('n');
			break;
		case '\r':
			PUT('\\');
			PUT('r');
			break;
		case '\t':
			PUT('\\');
			PUT('t');
			break;
		default:
			if (*p < 0x20) {
				char hex[7];

				snprintf(hex, sizeof(hex), "\\u%04x", *p);
				for (int i = 0; hex[i]; i++)
					PUT(hex[i]);
			} else {
				PUT(*p);
			}
		}
	}
	PUT('"');
#undef PUT
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

void json_key(struct json_writer *jw, const char *key)
{
	json_str(jw, key);
	fputc(':', jw->out);
	if (jw->pretty)
		fputc(' ', jw->out);
	jw->after_key = true;
}

void json_str(struct json_writer *jw, const char *s)
{
	char small[256];
	size_t need;

	json_sep(jw);
	need = json_escape(small, sizeof(small), s ? s : "");
	if (need < sizeof(small)) {
		fputs(small, jw->out);
	} else {
		char *big = malloc(need + 1);

		if (!big)
			return;
		json_escape(big, need + 1, s);
		fputs(big, jw->out);
		free(big);
	}
}

void json_u64(struct json_writer *jw, uint64_t v)
{
	json_sep(jw);
	fprintf(jw->out, "%" PRIu64, v);
}

void json_i64(struct json_writer *jw, int64_t v)
{
	json_sep(jw);
	fprintf(jw->out, "%" PRId64, v);
}

void json_double(struct json_writer *jw, double v)
{
	json_sep(jw);
	if (isfinite(v))
		fprintf(jw->out, "%.6g", v);
	else
		fputs("null", jw->out);
}

void json_bool(struct json_writer *jw, bool v)
{
	json_sep(jw);
	fputs(v ? "true" : "false", jw->out);
}

void json_null(struct json_writer *jw)
{
	json_sep(jw);
	fputs("null", jw->out);
}

void json_kv_str(struct json_writer *jw, const char *key, const char *s)
{
	json_key(jw, key);
	json_str(jw, s);
}

void json_kv_u64(struct json_writer *jw, const char *key, uint64_t v)
{
	json_key(jw, key);
	json_u64(jw, v);
}

void json_kv_i64(struct json_writer *jw, const char *key, int64_t v)
{
	json_key(jw, key);
	json_i64(jw, v);
}

void json_kv_double(struct json_writer *jw, const char *key, double v)
{
	json_key(jw, key);
	json_double(jw, v);
}

void json_kv_bool(struct json_writer *jw, const char *key, bool v)
{
	json_key(jw, key);
	json_bool(jw, v);
}
