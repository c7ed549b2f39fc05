# SPDX-License-Identifier: GPL-2.0-only
#
# tests/fuzz/fuzz.mk: fuzzing and sanitizer builds, included by the top
# Makefile ("include tests/fuzz/fuzz.mk", after its own variables).
#
#   make fuzz         every libFuzzer harness for FUZZ_SECONDS (300) each;
#                     corpora grow in build/fuzz/work/HARNESS/corpus
#   make fuzz-smoke   every regression input replayed, then every harness
#                     for FUZZ_SMOKE_SECONDS (10) each: what `make check` runs
#   make asan-check   every unit test built with AddressSanitizer and
#                     UndefinedBehaviorSanitizer into build/asan/tests and run
#                     with leak detection; any report fails
#   make asan-build   the above binaries and build/asan/rpilbctl, not run
#                     (tests/asan/daemon-leaks.sh runs that rpilbctl in a lab)
#
# FUZZ_TARGETS="fuzz_config fuzz_ctl" limits fuzz and fuzz-smoke to those.
# Everything is built with clang (Debian's clang 14; the sanitizer and
# libFuzzer runtimes come from libclang-rt-14-dev), from the same sources
# as the product, into build/fuzz and build/asan only.

FUZZ_CLANG ?= clang
FUZZ_BUILD := build/fuzz
ASAN_BUILD := build/asan
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 10
# The top Makefile's, if it set them before including us.
BPF_BUILD ?= build/bpf
VERSION ?= 0.0.0

FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_HARNESSES)
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/bin/%,$(FUZZ_HARNESSES))

SAN_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
SAN_HDRS := $(wildcard user/*/*.h) include/rpilb_abi.h $(BPF_BUILD)/rpilb.skel.h
SAN_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -D_GNU_SOURCE \
	-DRPILB_VERSION='"$(VERSION)"' -Iinclude -Iuser -I$(BPF_BUILD) \
	$(LIB_CFLAGS)
# The top Makefile's flags.mk, which pkg-config wrote for the host build.
SAN_LDLIBS := $(LIB_LDLIBS)

# UBSan must stop at its first report: a fuzzer only records crashes.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The harnesses silence the product's logs (tests/fuzz/common.c).
FUZZ_WRAP := -Wl,--wrap=log_msg,--wrap=log_vmsg,--wrap=log_plain
ASAN_SAN := -fsanitize=address,undefined

FUZZ_OBJS := $(patsubst user/%.c,$(FUZZ_BUILD)/user/%.o,$(SAN_SRCS))
ASAN_OBJS := $(patsubst user/%.c,$(ASAN_BUILD)/user/%.o,$(SAN_SRCS))
ASAN_UNIT_TESTS := $(patsubst %.c,$(ASAN_BUILD)/tests/%,$(notdir $(wildcard tests/unit/*/test_*.c)))
ASAN_TEST_LIB_SRCS := $(wildcard tests/lib/*.c)

.PHONY: fuzz fuzz-build fuzz-smoke asan-build asan-check

# --- libFuzzer harnesses ---------------------------------------------------------
$(FUZZ_BUILD)/user/%.o: user/%.c $(SAN_HDRS)
	@mkdir -p $(@D)
	$(Q)echo "  FUZZCC   $@"
	$(Q)$(FUZZ_CLANG) $(SAN_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/librpilb.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/bin/%: tests/fuzz/%.c tests/fuzz/common.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/librpilb.a
	@mkdir -p $(@D)
	$(Q)echo "  FUZZ     $@"
	$(Q)$(FUZZ_CLANG) $(SAN_CFLAGS) -Werror -Itests/fuzz $(FUZZ_SAN) -fsanitize=fuzzer \
		-o $@ $< tests/fuzz/common.c $(FUZZ_BUILD)/librpilb.a $(SAN_LDLIBS) $(FUZZ_WRAP)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh fuzz --seconds $(FUZZ_SECONDS) --bin $(FUZZ_BUILD)/bin \
		--work $(FUZZ_BUILD) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	$(Q)tests/fuzz/run.sh smoke --seconds $(FUZZ_SMOKE_SECONDS) --bin $(FUZZ_BUILD)/bin \
		--work $(FUZZ_BUILD) $(FUZZ_TARGETS)

# --- the unit tests under ASan + UBSan -------------------------------------------
$(ASAN_BUILD)/user/%.o: user/%.c $(SAN_HDRS)
	@mkdir -p $(@D)
	$(Q)echo "  ASANCC   $@"
	$(Q)$(FUZZ_CLANG) $(SAN_CFLAGS) $(ASAN_SAN) -c $< -o $@

$(ASAN_BUILD)/librpilb.a: $(ASAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(ASAN_BUILD)/tests/%: %.c $(ASAN_BUILD)/librpilb.a $(ASAN_TEST_LIB_SRCS) $(wildcard tests/lib/*.h tests/unit/*/*.h)
	@mkdir -p $(@D)
	$(Q)echo "  ASANTEST $@"
	$(Q)$(FUZZ_CLANG) $(SAN_CFLAGS) $(ASAN_SAN) -Itests/lib -o $@ $< $(ASAN_TEST_LIB_SRCS) \
		$(ASAN_BUILD)/librpilb.a -lcmocka $(SAN_LDLIBS)

$(ASAN_BUILD)/rpilbctl: user/cli/main.c $(ASAN_BUILD)/librpilb.a $(SAN_HDRS)
	@mkdir -p $(@D)
	$(Q)echo "  ASANLD   $@"
	$(Q)$(FUZZ_CLANG) $(SAN_CFLAGS) $(ASAN_SAN) -o $@ $< $(ASAN_BUILD)/librpilb.a $(SAN_LDLIBS)

asan-build: $(ASAN_UNIT_TESTS) $(ASAN_BUILD)/rpilbctl

asan-check: $(ASAN_UNIT_TESTS)
	$(Q)tests/asan/run-unit.sh --logs $(ASAN_BUILD)/logs $(ASAN_UNIT_TESTS)
