# tests/fuzz/build.mk - libFuzzer targets for the parsers of untrusted input.
#
#   make fuzz                 fuzz_elf then fuzz_cpio, FUZZ_TIME seconds each
#   make fuzz FUZZ_TIME=600   longer
#   make fuzz-elf / fuzz-cpio one of them
#
# Never part of `make test`.  Built with clang 14's libFuzzer
# (-fsanitize=fuzzer,address,undefined; Debian's libclang-rt-14-dev, pulled in
# by clang).  Each fuzzer keeps its corpus in $(BUILD)/fuzz/NAME-corpus,
# seeded with Keel's own binaries / initramfs, and writes a crashing input
# to $(BUILD)/fuzz/NAME-crash-* (re-run one: $(BUILD)/fuzz/fuzz_NAME FILE).

FUZZ_CC    ?= clang
FUZZ_TIME  ?= 30
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -fno-builtin -Iinclude -Iarch/$(ARCH)/include \
	-include tests/host/host_rename.h -DKEEL_HOST_TEST=1
FUZZ_FLAGS := -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1

.PHONY: fuzz fuzz-elf fuzz-cpio
fuzz: fuzz-elf fuzz-cpio

$(BUILD)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c lib/elf.c lib/string.c include/lib/elf.h
$(BUILD)/fuzz/fuzz_cpio: tests/fuzz/fuzz_cpio.c lib/cpio.c lib/string.c include/lib/cpio.h
$(BUILD)/fuzz/fuzz_elf $(BUILD)/fuzz/fuzz_cpio: tests/fuzz/build.mk | deps
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@

fuzz-elf: $(BUILD)/fuzz/fuzz_elf $(USER_BINS)
	@mkdir -p $(BUILD)/fuzz/elf-corpus
	$(Q)cp $(USER_BINS) $(BUILD)/fuzz/elf-corpus/
	$(Q)cd $(BUILD)/fuzz && ./fuzz_elf $(FUZZ_FLAGS) -artifact_prefix=elf-crash- \
		elf-corpus

fuzz-cpio: $(BUILD)/fuzz/fuzz_cpio $(BUILD)/initramfs.cpio
	@mkdir -p $(BUILD)/fuzz/cpio-corpus
	$(Q)cp $(BUILD)/initramfs.cpio $(BUILD)/fuzz/cpio-corpus/
	$(Q)cd $(BUILD)/fuzz && ./fuzz_cpio $(FUZZ_FLAGS) -artifact_prefix=cpio-crash- \
		-dict=$(CURDIR)/tests/fuzz/cpio.dict cpio-corpus

# ---------------------------------------------------------------- fuzz-sys, soak
# System-call fuzzing and soak runs in QEMU (tools/fuzz-sys.py; never part of
# `make test`, which runs a bounded fuzz in tests/system/test_fuzz.py).
#
#   make fuzz-sys   FUZZ_SECONDS=60 per boot, FUZZ_SMP=1,2, FUZZ_SEEDS=1,2,3
#                   (empty: random seeds for FUZZ_TOTAL seconds), FUZZ_ARGS=
#                   more fuzzsys options (e.g. --no-compat --log)
#   make soak       SOAK_MINUTES=30 of mixed load (fuzzsys --soak) on SOAK_SMP=4;
#                   SOAK_STARVE=1 pins QEMU to host CPU 0 beside a CPU hog
#   make fuzz-sys KCOV=1   the same against the coverage kernel, built with
#                   its programs into its own directory (build-kcov/ unless
#                   BUILD= says otherwise), fuzzsys --cover: coverage-guided,
#                   and the summary shows the edge bits covered
# Console logs: $(BUILD)/fuzz-sys/.
FUZZ_SECONDS ?= 60
FUZZ_SMP     ?= 1,2
FUZZ_SEEDS   ?= 1,2,3
FUZZ_TOTAL   ?= 600
FUZZ_ARGS    ?=
FUZZ_COVER   := $(if $(filter 1,$(KCOV)),--cover)
SOAK_MINUTES ?= 30
SOAK_SMP     ?= 4
SOAK_STARVE  ?=
SOAK_SEED    ?= $(shell date +%s)

.PHONY: fuzz-sys soak
fuzz-sys: deps $(BUILD)/keel.elf $(INITRAMFS)
	$(Q)KEEL_BUILD=$(BUILD) $(PYTHON) tools/fuzz-sys.py --seconds $(FUZZ_SECONDS) \
		--smp $(FUZZ_SMP) $(if $(FUZZ_SEEDS),--seeds $(FUZZ_SEEDS),--total $(FUZZ_TOTAL)) \
		-- $(FUZZ_COVER) $(FUZZ_ARGS)

soak: deps $(BUILD)/keel.elf $(INITRAMFS)
	$(Q)KEEL_BUILD=$(BUILD) $(PYTHON) tools/fuzz-sys.py --soak \
		--seconds $$(( $(SOAK_MINUTES) * 60 )) --smp $(SOAK_SMP) --seeds $(SOAK_SEED) \
		--mem 512M $(if $(filter 1 yes,$(SOAK_STARVE)),--starve) -- $(FUZZ_COVER) $(FUZZ_ARGS)
