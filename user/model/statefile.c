// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/names.h"
#include "model/statefile.h"
#include "lib/util.h"
#include "lib/io.h"

#define STATE_MAGIC "rpilb-state 1"
#define STATE_MAX   (1 << 20)

static int push(struct lb_overrides *ov, const struct lb_override *o)
{
	struct lb_override *slot = overrides_push(ov);

	if (!slot)
		return -ENOMEM;
	*slot = *o;
	return 0;
}

/* One line: "server|added|deleted POOL NAME [ADDR:PORT] [key value]..." */
static int parse_line(char *line, struct lb_override *o, char *why, size_t whylen)
{
	char *save = NULL, *kind = strtok_r(line, " \t", &save);
	char *pool = strtok_r(NULL, " \t", &save), *name = strtok_r(NULL, " \t", &save);
	char *key;

	memset(o, 0, sizeof(*o));
	o->id = -1;
	if (!kind || !pool || !name || !name_valid(pool) || !name_valid(name)) {
		snprintf(why, whylen, "expected 'server|added|deleted BACKEND NAME ...'");
		return -EINVAL;
	}
	snprintf(o->pool, sizeof(o->pool), "%s", pool);
	snprintf(o->server, sizeof(o->server), "%s", name);
	if (!strcmp(kind, "deleted")) {
		o->deleted = true;
		return strtok_r(NULL, " \t", &save)
			       ? (snprintf(why, whylen, "trailing words"), -EINVAL)
			       : 0;
	}
	if (!strcmp(kind, "added")) {
		char *addr = strtok_r(NULL, " \t", &save);

		o->added = true;
		o->weight = 1;
		if (!addr || parse_ipv4_port(addr, &o->addr, &o->port)) {
			snprintf(why, whylen, "bad or missing ADDR:PORT");
			return -EINVAL;
		}
	} else if (strcmp(kind, "server")) {
		snprintf(why, whylen, "unknown entry '%s'", kind);
		return -EINVAL;
	}
	while ((key = strtok_r(NULL, " \t", &save))) {
		char *val = strtok_r(NULL, " \t", &save), *end;
		unsigned long n;

		if (strcmp(key, "admin") && strcmp(key, "id") && strcmp(key, "weight")) {
			snprintf(why, whylen, "unknown key '%s': admin, id or weight", key);
			return -EINVAL;
		}
		if (!val) {
			snprintf(why, whylen, "'%s' needs a value", key);
			return -EINVAL;
		}
		if (!strcmp(key, "admin")) {
			if (admin_state_parse(val, &o->admin)) {
				snprintf(why, whylen, "bad admin state '%s'", val);
				return -EINVAL;
			}
			continue;
		}
		n = strtoul(val, &end, 10);
		if (*end || end == val) {
			snprintf(why, whylen, "bad number '%s' for '%s'", val, key);
			return -EINVAL;
		}
		if (!strcmp(key, "id") && n < RPILB_MAX_BACKENDS) {
			o->id = n;
		} else if (!strcmp(key, "weight") && o->added && n <= CFG_MAX_WEIGHT) {
			o->weight = n;
		} else {
			snprintf(why, whylen, "bad '%s %s'", key, val);
			return -EINVAL;
		}
	}
	return 0;
}

int state_parse(const char *text, struct lb_overrides *ov, char *err, size_t errlen)
{
	char *copy = strdup(text), *save, *line;
	unsigned lineno = 0;
	bool magic = false;
	int ret = 0;

	memset(ov, 0, sizeof(*ov));
	if (!copy)
		return -ENOMEM;
	/* strsep, not strtok: empty lines must count, or error line numbers drift. */
	for (save = copy; (line = strsep(&save, "\n"));) {
		struct lb_override o;
		char why[128];

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#' || *line == '\r')
			continue;
		if (!magic) {
			if (strcmp(line, STATE_MAGIC)) {
				snprintf(err, errlen,
					 "line %u: not an rpilb state file (expected '%s')", lineno,
					 STATE_MAGIC);
				ret = -EINVAL;
				break;
			}
			magic = true;
			continue;
		}
		if (parse_line(line, &o, why, sizeof(why))) {
			snprintf(err, errlen, "line %u: %s", lineno, why);
			ret = -EINVAL;
			break;
		}
		ret = push(ov, &o);
		if (ret)
			break;
	}
	free(copy);
	if (ret)
		overrides_free(ov);
	return ret;
}

char *state_format(const struct lb_overrides *ov)
{
	size_t cap = 256 + ov->count * 160, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	len += snprintf(buf + len, cap - len,
			"# rpilb runtime state: changes made with rpilbctl on top of the\n"
			"# configuration file. Written by the daemon; edit only while it is down.\n"
			"%s\n",
			STATE_MAGIC);
	for (size_t i = 0; i < ov->count; i++) {
		const struct lb_override *o = &ov->items[i];
		char addr[INET_ADDRSTRLEN];

		if (o->deleted) {
			len += snprintf(buf + len, cap - len, "deleted %s %s\n", o->pool,
					o->server);
			continue;
		}
		if (o->added) {
			inet_ntop(AF_INET, &o->addr, addr, sizeof(addr));
			/* Port 0 is "the frontend's port": written as the address alone. */
			if (o->port)
				len += snprintf(buf + len, cap - len, "added %s %s %s:%u weight %u",
						o->pool, o->server, addr, o->port, o->weight);
			else
				len += snprintf(buf + len, cap - len, "added %s %s %s weight %u",
						o->pool, o->server, addr, o->weight);
		} else {
			len += snprintf(buf + len, cap - len, "server %s %s", o->pool, o->server);
		}
		if (o->id >= 0)
			len += snprintf(buf + len, cap - len, " id %d", o->id);
		len += snprintf(buf + len, cap - len, " admin %s\n", admin_state_name(o->admin));
	}
	return buf;
}

int state_load(const char *dir, struct lb_overrides *ov, char *err, size_t errlen)
{
	char path[PATH_MAX], why[200], *text;
	struct stat st;
	ssize_t n;
	int fd, ret;

	memset(ov, 0, sizeof(*ov));
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || st.st_size > STATE_MAX) {
		snprintf(err, errlen, "%s: unreadable or too large", path);
		close(fd);
		return -EINVAL;
	}
	text = calloc(1, st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, text, st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "cannot read %s", path);
		free(text);
		return -EIO;
	}
	why[0] = '\0';
	ret = state_parse(text, ov, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, *why ? why : strerror(-ret));
	free(text);
	return ret;
}

int state_save(const char *dir, const struct lb_overrides *ov, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX], *text = state_format(ov);
	int fd = -1, dfd = -1, ret;

	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, STATE_FILE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot write the state file in %s: %s", dir,
			 strerror(errno));
		goto out;
	}
	ret = io_write_all(fd, text, strlen(text));
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	fd = -1;
	if (ret) {
		snprintf(err, errlen, "cannot write the state file in %s: %s", dir, strerror(-ret));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path)) {
		ret = -errno;
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* The rename itself must reach the disk before we say it is saved. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	free(text);
	return ret;
}
