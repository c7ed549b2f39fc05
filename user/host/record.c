// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/netdev.h"
#include "host/record.h"
#include "lib/util.h"

#define BOOT_ID "/proc/sys/kernel/random/boot_id"

int record_stamp(struct host_record *rec)
{
	return sysctl_read_str(BOOT_ID, rec->boot_id, sizeof(rec->boot_id));
}

static void record_path(const char *dir, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, RECORD_FILE);
}

int record_save(const char *dir, const struct host_record *rec)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], addr[INET_ADDRSTRLEN];
	FILE *f;
	int err = 0;

	record_path(dir, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "boot_id %s\nifname %s\nifindex %d\nmode %s\n", rec->boot_id, rec->ifname,
		rec->ifindex, cfg_attach_mode_name(rec->mode));
	if (rec->ports_reserved)
		fprintf(f, "nat_ports %u %u %s\n", rec->nat_lo, rec->nat_hi,
			*rec->reserved_prior ? rec->reserved_prior : "-");
	for (int i = 0; i < rec->nsysctls; i++)
		fprintf(f, "sysctl %s %d\n", rec->sysctls[i].path, rec->sysctls[i].old);
	for (int i = 0; i < rec->nvips; i++)
		fprintf(f, "vip %s\n", inet_ntop(AF_INET, &rec->vips[i], addr, sizeof(addr)));
	if (rec->gro_off)
		fprintf(f, "gro_off 1\n");
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int record_load(const char *dir, struct host_record *rec)
{
	char path[PATH_MAX], line[512], now[40] = "";
	FILE *f;

	memset(rec, 0, sizeof(*rec));
	record_path(dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char key[32], a[256], b[256], c[256];
		int n = sscanf(line, "%31s %255s %255s %255s", key, a, b, c);

		if (n >= 2 && !strcmp(key, "boot_id")) {
			str_copy(rec->boot_id, a, sizeof(rec->boot_id));
		} else if (n >= 2 && !strcmp(key, "ifname")) {
			str_copy(rec->ifname, a, sizeof(rec->ifname));
		} else if (n >= 2 && !strcmp(key, "ifindex")) {
			rec->ifindex = atoi(a);
		} else if (n >= 2 && !strcmp(key, "mode")) {
			cfg_attach_mode_parse(a, &rec->mode);
		} else if (n == 4 && !strcmp(key, "nat_ports")) {
			rec->nat_lo = atoi(a);
			rec->nat_hi = atoi(b);
			snprintf(rec->reserved_prior, sizeof(rec->reserved_prior), "%s",
				 strcmp(c, "-") ? c : "");
			rec->ports_reserved = true;
		} else if (n == 3 && !strcmp(key, "sysctl") && rec->nsysctls < RECORD_MAX_SYSCTL) {
			struct record_sysctl *s = &rec->sysctls[rec->nsysctls++];

			str_copy(s->path, a, sizeof(s->path));
			s->old = atoi(b);
		} else if (n >= 2 && !strcmp(key, "vip") && rec->nvips < RECORD_MAX_VIPS) {
			inet_pton(AF_INET, a, &rec->vips[rec->nvips++]);
		} else if (n >= 2 && !strcmp(key, "gro_off")) {
			rec->gro_off = atoi(a) == 1;
		}
	}
	fclose(f);
	sysctl_read_str(BOOT_ID, now, sizeof(now));
	return strcmp(now, rec->boot_id) ? -ESTALE : 0;
}

int record_remove(const char *dir)
{
	char path[PATH_MAX];

	record_path(dir, path, sizeof(path));
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
