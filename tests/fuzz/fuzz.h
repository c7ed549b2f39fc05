/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): a check that
 * turns a broken property into a crash libFuzzer records, and quiet logs.
 * Each harness is built with clang -fsanitize=fuzzer,address,undefined and
 * links build/fuzz/librpilb.a, the product's own code built the same way.
 */
#ifndef RPILB_FUZZ_H
#define RPILB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A property every input must keep. A failure aborts: libFuzzer saves the
 * input as a crash, and replaying it prints the message again.
 */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: fuzz check failed: %s: ", __FILE__, __LINE__,      \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * The product logs through log_msg(), log_vmsg() and log_plain(); the
 * harnesses link with -Wl,--wrap for each (see fuzz.mk), and common.c
 * drops the messages unless RPILB_FUZZ_LOG=1 is in the environment, so
 * that a run prints libFuzzer's lines and the sanitizers' reports only.
 */
void fuzz_quiet_logs(void);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
