// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lexical layer: a line into arguments with HAProxy's quoting rules,
 * and the checks and conversions of the values arguments hold (numbers,
 * times, names, tokens). Errors go to the parse's diagnostics.
 */
#include <stdio.h>
#include <string.h>

#include "config/names.h"
#include "config/parser.h"

/* HAProxy's ceiling for a time value: what a signed 32-bit count of ms holds. */
#define CFG_TIME_MAX_MS 2147483647ULL

bool copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal digits only: no sign, no blanks, no base prefix. */
int parse_u64(const char *s, unsigned long long max, unsigned long long *v)
{
	unsigned long long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		if (n > (max - (unsigned int)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned int)(*s - '0');
	}
	*v = n;
	return 0;
}

bool parse_uint_range(struct parser *p, const char *what, const char *s, unsigned long lo,
		      unsigned long hi, unsigned long *v)
{
	unsigned long long n;

	if (parse_u64(s, hi, &n) < 0 || n < lo) {
		perr(p, "'%s' expects an integer in %lu..%lu, not '%.64s'", what, lo, hi, s);
		return false;
	}
	*v = (unsigned long)n;
	return true;
}

/*
 * HAProxy time: a decimal number and an optional unit (us, ms, s, m, h, d).
 * default_us is the unit of a bare number. Microseconds round up to whole
 * milliseconds, as HAProxy's timers do.
 */
bool parse_time_ms(struct parser *p, const char *what, const char *s, unsigned long long default_us,
		   uint32_t *ms)
{
	static const struct {
		const char *suffix;
		unsigned long long us;
	} units[] = {
		{ "us", 1ULL },	      { "ms", 1000ULL },      { "s", 1000000ULL },
		{ "m", 60000000ULL }, { "h", 3600000000ULL }, { "d", 86400000000ULL },
	};
	char num[24];
	const char *u = s;
	unsigned long long n, unit = default_us, total_ms;
	size_t i;

	while (is_digit(*u))
		u++;
	if (u == s || (size_t)(u - s) >= sizeof(num))
		goto bad;
	memcpy(num, s, (size_t)(u - s));
	num[u - s] = '\0';
	if (*u) {
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			if (!strcmp(u, units[i].suffix))
				break;
		}
		if (i == ARRAY_SIZE(units))
			goto bad;
		unit = units[i].us;
	}
	if (parse_u64(num, ~0ULL, &n) < 0 || n > CFG_TIME_MAX_MS * 1000 / unit)
		goto big;
	total_ms = (n * unit + 999) / 1000;
	if (total_ms > CFG_TIME_MAX_MS)
		goto big;
	*ms = (uint32_t)total_ms;
	return true;
bad:
	perr(p,
	     "'%s' expects a time (a number with an optional unit us, ms, s, m, h or d), not '%.64s'",
	     what, s);
	return false;
big:
	perr(p, "'%s': time '%.64s' is too large (max %llu ms, about 24 days)", what, s,
	     CFG_TIME_MAX_MS);
	return false;
}

/* Proxy and server names, by the rule commands and the daemon share (names.c). */
bool check_name(struct parser *p, const char *what, const char *s)
{
	if (name_valid(s))
		return true;
	if (!*s)
		perr(p, "%s name is empty", what);
	else if (s[strspn(s, NAME_CHARS)])
		perr(p, "%s name '%.64s' has a character outside [A-Za-z0-9._:-]", what, s);
	else
		perr(p, "%s name '%.64s' is too long (max %d characters)", what, s,
		     CFG_NAME_MAX - 1);
	return false;
}

/* RFC 9110 token characters: methods and header names. */
bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!is_alnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return false;
	}
	return true;
}

/* Printable, no blanks: a URI or version that cannot break the request line. */
bool is_visible(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return false;
	}
	return true;
}

/* A header value or similar: anything but control characters (tab allowed). */
bool is_text(const char *s)
{
	for (; *s; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || (unsigned char)*s == 0x7f)
			return false;
	}
	return true;
}

bool set_field(struct parser *p, const char *what, char *dst, size_t size, const char *v,
	       bool (*valid)(const char *))
{
	if (!valid(v)) {
		perr(p, "bad %s '%.64s'", what, v);
		return false;
	}
	if (!copy_str(dst, size, v)) {
		perr(p, "%s '%.64s' is too long (max %zu bytes)", what, v, size - 1);
		return false;
	}
	return true;
}

/*
 * The backslash escape at s[i] (s[i + 1] exists): its byte goes to *out.
 * Returns the input bytes it takes, 0 when it is no escape (the backslash
 * stays, as in HAProxy), or -1 after an error.
 */
static int unescape_one(struct parser *p, const char *s, size_t len, size_t i, char *out)
{
	int hi, lo;

	switch (s[i + 1]) {
	case ' ':
	case '\\':
	case '#':
	case '\'':
	case '"':
		*out = s[i + 1];
		return 2;
	case 'r':
		*out = '\r';
		return 2;
	case 'n':
		*out = '\n';
		return 2;
	case 't':
		*out = '\t';
		return 2;
	case 'x':
		hi = i + 2 < len ? hexval(s[i + 2]) : -1;
		lo = i + 3 < len ? hexval(s[i + 3]) : -1;
		if (hi < 0 || lo < 0) {
			perr(p, "bad '\\x' escape: two hex digits must follow");
			return -1;
		}
		if (!hi && !lo) {
			perr(p, "'\\x00' is not allowed: arguments cannot hold a NUL byte");
			return -1;
		}
		*out = (char)(hi * 16 + lo);
		return 4;
	default:
		return 0;
	}
}

/* Bounded output of tokenize(): CFG_WORDS_MAX bytes, whatever variables hold. */
struct words_out {
	char *at, *end;
};

static bool emit(struct parser *p, struct words_out *o, char c)
{
	if (o->at == o->end) {
		perr(p, "line too long once its variables are expanded (max %d bytes)",
		     CFG_WORDS_MAX);
		return false;
	}
	*o->at++ = c;
	return true;
}

static bool is_var_start(char c)
{
	return is_alnum(c) || c == '_' || c == '.';
}

/*
 * ${.FILE}, ${.LINE} and ${.SECTION} follow the read, so they are looked
 * up here rather than kept in the environment copy.
 */
static const char *lookup_var(struct parser *p, const char *name, size_t len, char *num,
			      size_t numlen)
{
	if (len == 5 && !memcmp(name, ".FILE", 5))
		return p->diags->file;
	if (len == 5 && !memcmp(name, ".LINE", 5)) {
		snprintf(num, numlen, "%u", p->line);
		return num;
	}
	if (len == 8 && !memcmp(name, ".SECTION", 8))
		return p->lex.section ? p->lex.section : NULL;
	return env_get(&p->lex.env, name, len);
}

/*
 * "$NAME", "${NAME}" or "${NAME-default}" at s[*i] inside double quotes.
 * Returns 1 when expanded, 2 when the variable is undefined and its
 * closing quote (and the blanks after it) went with it, as in HAProxy,
 * 0 when the '$' is a plain byte, or -1 after an error.
 */
static int expand_var(struct parser *p, const char *s, size_t len, size_t *i, struct words_out *o)
{
	size_t j = *i + 1, name, nlen, def = 0, deflen = 0;
	bool brace = j < len && s[j] == '{';
	const char *v;
	char num[16];

	j += brace;
	name = j;
	while (j < len && is_var_start(s[j]))
		j++;
	nlen = j - name;
	if (!nlen)
		return 0;
	if (brace) {
		if (j < len && s[j] == '[') {
			perr(p, "'${%.*s[*]}' word splitting is not supported: write the words out",
			     (int)nlen, s + name);
			return -1;
		}
		if (j < len && s[j] == '-') {
			def = ++j;
			while (j < len && s[j] != '}')
				j++;
			deflen = j - def;
		}
		if (j == len || s[j] != '}') {
			perr(p, "unmatched brace in '${%.*s'", (int)nlen, s + name);
			return -1;
		}
		j++;
	}
	*i = j;
	v = lookup_var(p, s + name, nlen, num, sizeof(num));
	if (!v && brace && def) {
		v = s + def;
		nlen = deflen;
	} else if (v) {
		nlen = strlen(v);
	}
	if (v) {
		for (size_t k = 0; k < nlen; k++)
			if (!emit(p, o, v[k]))
				return -1;
		return 1;
	}
	if (s[name] != '.' && j < len && s[j] == '"') {
		j++;
		while (j < len && is_blank(s[j]))
			j++;
		*i = j;
		return 2;
	}
	return 1;
}

/*
 * Split a line into arguments with HAProxy's rules: blanks separate them,
 * '#' outside quotes starts a comment, single quotes keep everything
 * literally, double quotes expand "$NAME" (HAProxy expands nowhere else),
 * and outside single quotes a backslash escapes a blank, '#', a quote,
 * itself and (inside double quotes) '$', and writes \r, \n, \t and \xHH.
 * Any other backslash stays, as in HAProxy. An empty argument ends the
 * list with a warning, as HAProxy's does. Returns the argument count, or
 * -1 after an error.
 */
int tokenize(struct parser *p, const char *s, size_t len)
{
	struct words_out o = { p->args, p->args + sizeof(p->args) };
	bool squote = false, dquote = false, in_arg = false;
	size_t i = 0;
	int argc = 0, n;

	while (i < len) {
		char c = s[i], esc = 0;

		if (!squote && !dquote && (is_blank(c) || c == '#')) {
			if (in_arg && !emit(p, &o, '\0'))
				return -1;
			in_arg = false;
			if (c == '#')
				break;
			i++;
			continue;
		}
		if (!in_arg) {
			if (argc == CFG_MAX_ARGS) {
				perr(p, "too many arguments on one line (max %d)", CFG_MAX_ARGS);
				return -1;
			}
			p->argv[argc++] = o.at;
			in_arg = true;
		}
		if ((c == '\'' && !dquote) || (c == '"' && !squote)) {
			if (c == '\'')
				squote = !squote;
			else
				dquote = !dquote;
			i++;
			continue;
		}
		if (c == '$' && dquote) {
			n = expand_var(p, s, len, &i, &o);
			if (n < 0)
				return -1;
			if (n == 2)
				dquote = false;
			if (n)
				continue;
		}
		n = 0;
		if (c == '\\' && !squote && i + 1 < len) {
			if (s[i + 1] == '$')
				n = dquote ? (esc = '$', 2) : 0;
			else
				n = unescape_one(p, s, len, i, &esc);
		}
		if (n < 0)
			return -1;
		if (n > 0) {
			if (!emit(p, &o, esc))
				return -1;
			i += (size_t)n;
			continue;
		}
		if (!emit(p, &o, c))
			return -1;
		i++;
	}
	if (squote || dquote) {
		perr(p, "unmatched %s quote", squote ? "single" : "double");
		return -1;
	}
	if (in_arg && !emit(p, &o, '\0'))
		return -1;
	p->argv[argc] = NULL;
	return words_until_empty(p, argc);
}

/* HAProxy's rule: the first empty argument ends the list, with a warning. */
int words_until_empty(struct parser *p, int argc)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!*p->argv[i])
			break;
	}
	if (i < argc) {
		pwarn(p,
		      "argument %d is empty and marks the end of the argument list; the %d after it are ignored",
		      i + 1, argc - i - 1);
		p->argv[i] = NULL;
	}
	return i;
}
