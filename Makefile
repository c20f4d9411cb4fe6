# Keel top-level Makefile (non-recursive).  Per-directory fragments live in
# */build.mk and are included below.  See README.md for the targets.
#
#   make            kernel ELF (build/keel.elf) and GRUB ISO (build/keel.iso)
#   make run        boot in QEMU (SMP=, MEM=, QEMUFLAGS=, CMDLINE=)
#   make test       every test layer; last line "N passed, N failed"
#   make gdb        QEMU halted with a gdb stub, gdb attached with symbols
#   make bench      benchmarks (never part of make test)
#   make CC=clang   build with clang/ld.lld instead of gcc/ld
#   make KCOV=1     kernel coverage for fuzzers (/dev/kcov), in build-kcov/
#   make kcov-test  build the coverage kernel and run its system test

ARCH      ?= x86_64
KCOV      ?= 0
ifeq ($(KCOV),1)
BUILD     ?= build-kcov
endif
BUILD     ?= build
DEBUG     ?= 1
PYTHON    ?= /usr/bin/python3
V         ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

# `make` without CC= gets gcc (make's built-in default is "cc").
ifeq ($(origin CC),default)
CC := gcc
endif
ifneq ($(findstring clang,$(CC)),)
COMPILER := clang
LD       := ld.lld
OBJCOPY  := llvm-objcopy-14
else
COMPILER := gcc
LD       := ld
OBJCOPY  := objcopy
endif
NM       := nm
HOSTCC   ?= gcc

.DEFAULT_GOAL := all
.PHONY: all deps run test gdb bench clean host-test kernel iso check-clang

# ---------------------------------------------------------------- flags
KCFLAGS := -std=gnu11 -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -mno-avx \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes \
	-Iinclude -Iarch/$(ARCH)/include -I$(BUILD)/gen \
	-MMD -MP -DKEEL_DEBUG=$(DEBUG) -DKEEL_KCOV=$(KCOV) -D__KEEL_KERNEL__
ifeq ($(COMPILER),clang)
KCFLAGS += --target=x86_64-unknown-none-elf -mgeneral-regs-only
else
KCFLAGS += -mgeneral-regs-only --param=min-pagesize=0
endif
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__
# KCOV=1: the files in KCOV_SRCS (each folder's build.mk) call
# __sanitizer_cov_trace_pc() in every basic block (kernel/debug/kcov.c).
KCOV_CFLAGS := -fsanitize-coverage=trace-pc
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments
ifeq ($(COMPILER),clang)
KLDFLAGS := $(filter-out --no-warn-rwx-segments,$(KLDFLAGS))
endif

# Host builds of lib/ and pure kernel code, for unit tests.
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -fno-builtin \
	-Iinclude -Itests/host -include tests/host/host_rename.h -DKEEL_HOST_TEST=1

# ---------------------------------------------------------------- sources
KSRCS :=
KCOV_SRCS :=
LIBSRCS := $(wildcard lib/*.c)
include arch/$(ARCH)/build.mk
include drivers/build.mk
include kernel/build.mk
include tests/build.mk
include tools/build.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The coverage kernel ($(BUILD)-kcov) next to this build's programs, and its
# system test (tests/system/test_kcov.py; `make test` runs it too).
.PHONY: kcov-test
kcov-test: $(INITRAMFS)
	$(MAKE) KCOV=1 BUILD=$(BUILD)-kcov $(BUILD)-kcov/keel.elf
	KEEL_BUILD=$(BUILD) KEEL_KCOV_BUILD=$(BUILD)-kcov KEEL_KCOV_NO_BUILD=1 \
		$(PYTHON) -m pytest tests/system/test_kcov.py -v

clean:
	rm -rf $(BUILD) build-clang
