/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer for -j output: objects, arrays, and
 * correctly escaped strings. The caller opens and closes; the writer puts
 * the commas and, with pretty set, the indentation.
 */
#ifndef RPILB_JSON_H
#define RPILB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *json_new(FILE *out, bool pretty);
void json_free(struct json_writer *jw);

void json_begin_object(struct json_writer *jw);
void json_end_object(struct json_writer *jw);
void json_begin_array(struct json_writer *jw);
void json_end_array(struct json_writer *jw);

/* Inside an object, a key must precede each value. */
void json_key(struct json_writer *jw, const char *key);
void json_str(struct json_writer *jw, const char *s);
void json_u64(struct json_writer *jw, uint64_t v);
void json_i64(struct json_writer *jw, int64_t v);
void json_double(struct json_writer *jw, double v);
void json_bool(struct json_writer *jw, bool v);
void json_null(struct json_writer *jw);

void json_kv_str(struct json_writer *jw, const char *key, const char *s);
void json_kv_u64(struct json_writer *jw, const char *key, uint64_t v);
void json_kv_i64(struct json_writer *jw, const char *key, int64_t v);
void json_kv_double(struct json_writer *jw, const char *key, double v);
void json_kv_bool(struct json_writer *jw, const char *key, bool v);

/* Escape s as a JSON string (with quotes) into buf; returns the length it needed. */
size_t json_escape(char *buf, size_t len, const char *s);

#endif
