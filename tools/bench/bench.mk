# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: the side-by-side benchmark (rpilb, HAProxy, nftables, direct)
# that writes docs/BENCHMARKS.md; make bench-smoke: the same code paths
# once, very briefly, for make check. Included by the top-level Makefile,
# whose variables (BUILD, CC, USER_CFLAGS, USER_LDLIBS, Q) it uses.

BENCH_TOOLS := $(BUILD)/tools/bench/bpfcost

.PHONY: bench bench-smoke

# The probes (one map lookup or helper call each) that explain bpfcost's figures.
$(BPF_BUILD)/bench_probes.bpf.o: tools/bench/probes.bpf.c include/rpilb_abi.h | $(BPF_BUILD)
	$(Q)echo "  BPF      $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o
	$(Q)rm -f $@.tmp.o

$(BUILD)/tools/bench/bpfcost: tools/bench/bpfcost.c $(BPF_BUILD)/bench_probes.skel.h \
		$(BUILD)/librpilb.a $(USER_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC       $@"
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(BUILD)/librpilb.a $(USER_LDLIBS)

# BENCH_ARGS: more options for bench.sh, e.g. BENCH_ARGS="--rounds 3 --keep".
bench: deps build $(BENCH_TOOLS)
	$(Q)tools/bench/bench.sh --build $(BUILD) $(BENCH_ARGS)

bench-smoke: build $(BENCH_TOOLS)
	$(Q)tools/bench/bench.sh --smoke --build $(BUILD)
