# SPDX-License-Identifier: GPL-2.0-only
#
# rpilb: `make` builds build/<arch>/rpilbctl with the BPF object embedded;
# `make check` runs every test; `make demo` shows the seed's moment in a lab.
# `make ARCH=arm64` cross-builds for a 64-bit Raspberry Pi OS.

VERSION := 0.1.0

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)

ifeq ($(ARCH),$(HOST_ARCH))
CC ?= gcc
PKG_CONFIG ?= pkg-config
else ifeq ($(ARCH),arm64)
CC := aarch64-linux-gnu-gcc
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
else ifeq ($(ARCH),amd64)
CC := x86_64-linux-gnu-gcc
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
else
$(error ARCH must be amd64 or arm64)
endif

CLANG ?= clang
BPFTOOL ?= bpftool
Q := $(if $(V),,@)

BUILD := build/$(ARCH)
BPF_BUILD := build/bpf

LIBS := libbpf libelf zlib libmicrohttpd
DEPS_ARCH := $(if $(filter-out $(HOST_ARCH),$(ARCH)),--arch $(ARCH))

# The library flags and BPF include dirs exist only once the build
# dependencies are installed, so they are not computed here but in
# $(FLAGS_MK): make builds that file first (installing what is missing,
# then asking pkg-config and clang) and restarts to read it. That is what
# makes `make`, `make check` and `make demo` work as the first command on
# a machine with nothing but make. Goals that build nothing skip it.
FLAGS_MK := $(BUILD)/flags.mk
NO_BUILD_GOALS := clean fmt deps uninstall
ifneq ($(filter-out $(NO_BUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(FLAGS_MK)
endif

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf $(BPF_SYS_INCLUDES)

# Debian's hardening: fortified libc calls, stack protector, full RELRO.
HARDEN_CFLAGS := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE $(HARDEN_CFLAGS) \
	-DRPILB_VERSION='"$(VERSION)"' -Iinclude -Iuser -I$(BPF_BUILD) \
	$(LIB_CFLAGS) $(CFLAGS)
USER_LDLIBS := $(HARDEN_LDFLAGS) $(LIB_LDLIBS) $(LDLIBS)

BPF_SRCS := $(wildcard bpf/*.h) include/rpilb_abi.h
# user/LAYER/*.c: the folder says which layer a file belongs to (see README).
USER_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
USER_HDRS := $(wildcard user/*/*.h) include/rpilb_abi.h $(BPF_BUILD)/rpilb.skel.h

# Unit tests mirror user/'s layers; every test binary lands in $(BUILD)/tests.
UNIT_TEST_SRCS := $(wildcard tests/unit/*/test_*.c)
test_names = $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(1)))
UNIT_TESTS := $(call test_names,$(UNIT_TEST_SRCS))
BPF_TESTS := $(call test_names,$(wildcard tests/bpf/test_*.c))
LAB_TESTS := $(call test_names,$(wildcard tests/lab/test_*.c))
TEST_LIB_SRCS := $(wildcard tests/lib/*.c)
# Headers tests share: tests/lib and a layer's own (tests/unit/config/cfgtest.h).
TEST_HDRS := $(wildcard tests/lib/*.h tests/unit/*/*.h)
vpath test_%.c $(sort $(dir $(UNIT_TEST_SRCS))) tests/bpf tests/lab

.PHONY: all deps deps-demo build check demo clean install uninstall cross tests fmt man deb debs \
	keywords-doc
.DEFAULT_GOAL := all

all: build

build: $(BUILD)/rpilbctl $(BUILD)/tools/hellod $(BPF_BUILD)/xdp_pass.bpf.o

# Everything make check needs; make demo needs less, make (build) least.
deps:
	$(Q)tools/deps.sh $(DEPS_ARCH) check

deps-demo:
	$(Q)tools/deps.sh $(DEPS_ARCH) demo

$(FLAGS_MK): Makefile tools/deps.sh tools/build-flags.sh
	$(Q)tools/deps.sh $(DEPS_ARCH) build
	$(Q)mkdir -p $(@D)
	$(Q)PKG_CONFIG='$(PKG_CONFIG)' LIBS='$(LIBS)' CLANG='$(CLANG)' tools/build-flags.sh >$@.tmp || \
		{ rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

# --- BPF -------------------------------------------------------------------
$(BPF_BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_SRCS) | $(BPF_BUILD)
	$(Q)echo "  BPF      $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	$(Q)rm -f $@.tmp.o

$(BPF_BUILD)/%.skel.h: $(BPF_BUILD)/%.bpf.o
	$(Q)echo "  SKEL     $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@


# --- user space ------------------------------------------------------------
$(BUILD)/user/%.o: user/%.c $(USER_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC       $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/librpilb.a: $(USER_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/rpilbctl: $(BUILD)/user/cli/main.o $(BUILD)/librpilb.a
	$(Q)echo "  LD       $@"
	$(Q)$(CC) -o $@ $^ $(USER_LDLIBS)

$(BUILD)/tools/hellod: tools/hellod.c | $(BUILD)/tools
	$(Q)echo "  CC       $@"
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

# --- tests -----------------------------------------------------------------
# One rule for unit, BPF and lab tests: vpath finds test_X.c in its folder.
$(BUILD)/tests/%: %.c $(BUILD)/librpilb.a $(TEST_LIB_SRCS) $(TEST_HDRS) | $(BUILD)/tests
	$(Q)echo "  TEST     $@"
	$(Q)$(CC) $(USER_CFLAGS) -Itests/lib -o $@ $< $(TEST_LIB_SRCS) $(BUILD)/librpilb.a \
		-lcmocka $(USER_LDLIBS)

tests: $(UNIT_TESTS) $(BPF_TESTS) $(LAB_TESTS)

check: deps build tests
	$(Q)tests/run.sh --build $(BUILD) --unit "$(UNIT_TESTS)" --bpf "$(BPF_TESTS)" --lab "$(LAB_TESTS)"
	$(Q)echo "== fuzzers: every regression input, then each harness briefly =="
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)echo "== unit tests under AddressSanitizer + UBSan; the daemon under LeakSanitizer =="
	$(Q)$(MAKE) --no-print-directory asan-check asan-build
	$(Q)tests/asan/daemon-leaks.sh
	$(Q)echo "== benchmark smoke run (make bench is the real one) =="
	$(Q)$(MAKE) --no-print-directory bench-smoke
	$(Q)echo "== packaging: man pages, completion, sd_notify, .deb, arm64 under qemu =="
	$(Q)RPILB_BUILD=$(BUILD) tests/pkg/run.sh
ifeq ($(HOST_ARCH),amd64)
	$(Q)echo "== cross build: arm64 (Raspberry Pi OS 64-bit) =="
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 cross
endif

# A cross build must compile and link everything a Pi runs.
cross: $(BUILD)/rpilbctl $(BUILD)/tools/hellod $(UNIT_TESTS) $(BPF_TESTS) $(LAB_TESTS)
	$(Q)file $(BUILD)/rpilbctl | grep -q 'ARM aarch64' || { echo "cross build is not aarch64"; exit 1; }
	$(Q)echo "  OK       $(BUILD)/rpilbctl links for $(ARCH)"

demo: deps-demo build
	$(Q)tools/demo.sh $(BUILD)

# --- install and packages --------------------------------------------------
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= /lib/systemd/system
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

# The keyword lists of docs/config.md and rpilb.cfg(5) rewritten from the
# parser's tables, and missing keywords added to the fuzzer's dictionary;
# test_config_docs (make check) fails while any of them differs.
keywords-doc: $(BUILD)/tests/test_config_docs
	$(Q)RPILB_UPDATE_DOCS=1 $<

man:
	$(Q)echo "  MAN      build/man"
	$(Q)tools/dist/mkman.sh build/man $(VERSION)

deb: build
	$(Q)echo "  DEB      $(ARCH)"
	$(Q)tools/dist/mkdeb.sh $(ARCH)

debs:
	$(Q)$(MAKE) --no-print-directory ARCH=amd64 deb
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 deb

install: build man
	install -D -m 0755 $(BUILD)/rpilbctl $(DESTDIR)$(SBINDIR)/rpilbctl
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tools/dist/rpilb.service > $(DESTDIR)$(UNITDIR)/rpilb.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/rpilb.service
	install -D -m 0644 build/man/rpilbctl.8 $(DESTDIR)$(MANDIR)/man8/rpilbctl.8
	install -D -m 0644 build/man/rpilb.cfg.5 $(DESTDIR)$(MANDIR)/man5/rpilb.cfg.5
	install -D -m 0644 tools/dist/rpilbctl.bash $(DESTDIR)$(BASHCOMPDIR)/rpilbctl
	@# An existing configuration is the user's: never overwrite it.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/rpilb/rpilb.cfg ]; then \
		echo "  keeping $(DESTDIR)$(SYSCONFDIR)/rpilb/rpilb.cfg"; \
	else \
		install -D -m 0640 tools/dist/rpilb.cfg $(DESTDIR)$(SYSCONFDIR)/rpilb/rpilb.cfg; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/rpilbctl $(DESTDIR)$(UNITDIR)/rpilb.service
	rm -f $(DESTDIR)$(MANDIR)/man8/rpilbctl.8 $(DESTDIR)$(MANDIR)/man5/rpilb.cfg.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/rpilbctl

fmt:
	$(Q)clang-format -i $(wildcard bpf/*.c bpf/*.h user/*/*.c user/*/*.h include/*.h tools/*.c \
		tests/*/*.c tests/*/*.h tests/unit/*/*.c tests/unit/*/*.h)

$(BPF_BUILD) $(BUILD)/tools $(BUILD)/tests:
	$(Q)mkdir -p $@

clean:
	rm -rf build

include tools/bench/bench.mk
include tests/fuzz/fuzz.mk
