/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What "up" checks before it touches the kernel, so a Pi owner reads a
 * sentence instead of a libbpf errno: the kernel's version and BTF, bpffs,
 * and whether the flow table fits in memory.
 */
#ifndef RPILB_PRECHECK_H
#define RPILB_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bpf_loop() (5.17) is the newest kernel feature the data path uses. */
#define PRECHECK_MIN_KERNEL_MAJOR 5
#define PRECHECK_MIN_KERNEL_MINOR 17
/* The flow table may take at most this share of the memory available. */
#define PRECHECK_MAX_MEM_SHARE 4 /* 1/4 */
/* Both directions, hash overhead included (docs/BENCHMARKS.md measures it). */
#define PRECHECK_BYTES_PER_FLOW 256

/* "6.1.0-rpi7-rpi-v8" -> 6, 1; -1 if it does not parse. */
int precheck_parse_release(const char *release, int *major, int *minor);
/* Bytes the flow tables of this capacity take. */
uint64_t precheck_flow_table_bytes(uint32_t capacity);
/* MemAvailable from a /proc/meminfo text, in bytes; 0 if absent. */
uint64_t precheck_mem_available(const char *meminfo);

/* Run every check; errors are printed; returns 0 or -1. */
int precheck_host(uint32_t flow_capacity);

#endif
