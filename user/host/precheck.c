// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/log.h"
#include "host/precheck.h"

int precheck_parse_release(const char *release, int *major, int *minor)
{
	char *end;
	long ma, mi;

	ma = strtol(release, &end, 10);
	if (end == release || *end != '.')
		return -1;
	mi = strtol(end + 1, &end, 10);
	if (ma < 0 || mi < 0)
		return -1;
	*major = ma;
	*minor = mi;
	return 0;
}

uint64_t precheck_flow_table_bytes(uint32_t capacity)
{
	return (uint64_t)capacity * PRECHECK_BYTES_PER_FLOW;
}

uint64_t precheck_mem_available(const char *meminfo)
{
	const char *p = strstr(meminfo, "MemAvailable:");
	unsigned long long kb;

	if (!p || sscanf(p, "MemAvailable: %llu kB", &kb) != 1)
		return 0;
	return kb * 1024;
}

static int check_kernel(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || precheck_parse_release(u.release, &major, &minor)) {
		pr_warn("cannot tell the kernel's version; going on");
		return 0;
	}
	if (major < PRECHECK_MIN_KERNEL_MAJOR ||
	    (major == PRECHECK_MIN_KERNEL_MAJOR && minor < PRECHECK_MIN_KERNEL_MINOR)) {
		pr_err("kernel %s is too old: rpilb needs %d.%d or newer (Raspberry Pi OS Bookworm "
		       "ships 6.1 or later: sudo apt full-upgrade)",
		       u.release, PRECHECK_MIN_KERNEL_MAJOR, PRECHECK_MIN_KERNEL_MINOR);
		return -1;
	}
	return 0;
}

static void check_btf(void)
{
	/* Only bpftool's field names need it; the balancer itself works without. */
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		pr_warn("this kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): "
			"rpilb works, but 'bpftool map dump' may print raw bytes");
}

static int check_memory(uint32_t capacity)
{
	char buf[4096];
	uint64_t need = precheck_flow_table_bytes(capacity), avail;
	FILE *f = fopen("/proc/meminfo", "re");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	avail = precheck_mem_available(buf);
	if (!avail)
		return 0;
	if (need > avail / PRECHECK_MAX_MEM_SHARE) {
		pr_err("flow-table-size %u needs about %llu MB, more than a quarter of the %llu MB "
		       "available: lower flow-table-size in the rpilb section",
		       capacity, (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
		return -1;
	}
	return 0;
}

int precheck_host(uint32_t flow_capacity)
{
	if (check_kernel() || check_memory(flow_capacity))
		return -1;
	check_btf();
	return 0;
}
