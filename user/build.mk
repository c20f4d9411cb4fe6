# user/build.mk - Keel's user programs and the initramfs that carries them.
#
#   make $(BUILD)/initramfs.cpio    (also part of `make`, `make run`, the ISO)
#   make user                       just the programs, in $(BUILD)/user/
#   EXTRA_ROOT=dir                  copy dir's tree into the initramfs too
#   DEBIAN_USERLAND=0               leave out Debian's bash and busybox
#
# The default system is Keel's /init plus Debian's bash-static (/bin/bash)
# and busybox-static (/bin/busybox and its applets as links), both installed
# on the build machine by tools/deps.sh, and the files under user/rootfs/
# (/etc/profile, passwd, hostname, /root).
#
# Programs are ordinary static Linux binaries built with musl-gcc (Debian
# musl-tools): Keel speaks the Linux x86-64 ABI, so the same binaries run
# natively on Linux (that is how usertests is checked first).  One program
# per user/NAME.c; usertests is user/usertests.c + user/ut_*.c, fuzzsys is
# user/fuzzsys.c + user/fuzz_*.c.  The test programs and init are also
# linked with user/utest.c, their shared helpers.
#
# The initramfs is rebuilt when a program, user/mkinitramfs.sh, EXTRA_ROOT's
# name or anything in EXTRA_ROOT (names, sizes, modes, mtimes) changes: that
# state is kept in $(BUILD)/root.manifest, rewritten only when it differs.

USER_CC     ?= musl-gcc
USER_CFLAGS := -static -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude/uapi
USER_PROGS  := init hello forkexec usertests stress threadtests spawnbg benchsched benchlat fuzzsys kcovtest
USER_PROGS  += ttytest benchexo
USER_PROGS  += exotests kbdd drvtests benchirq
USER_PROGS  += edu
USER_PROGS  += benchcmp benchnop benchbig
USER_BINS   := $(addprefix $(BUILD)/user/,$(USER_PROGS))
USERTESTS_SRCS := user/usertests.c $(wildcard user/ut_*.c)
LIBKEEL_SRCS := $(wildcard user/libkeel/*.c user/libkeel/*.S)
LIBKEEL_OBJS := $(patsubst user/libkeel/%,$(BUILD)/libkeel/%.o,$(LIBKEEL_SRCS))
LIBKEEL      := $(BUILD)/libkeel/libkeel.a
UTEST_PROGS := init usertests threadtests spawnbg benchsched benchexo drvtests benchirq benchcmp
EXTRA_ROOT  ?=
DEBIAN_USERLAND ?= 1
BASH_BIN    ?= /bin/bash-static
BUSYBOX_BIN ?= /bin/busybox
TERMINFO_SRC ?= /lib/terminfo
ROOTFS_DIR  := user/rootfs
ROOTFS_FILES := $(shell find $(ROOTFS_DIR) -type f 2>/dev/null)
ifeq ($(DEBIAN_USERLAND),1)
ROOTFS_ENV  := ROOTFS=$(ROOTFS_DIR) BASH_BIN=$(BASH_BIN) BUSYBOX_BIN=$(BUSYBOX_BIN) \
	       TERMINFO_SRC=$(TERMINFO_SRC)
ROOTFS_DEPS := $(ROOTFS_FILES) $(BASH_BIN) $(BUSYBOX_BIN)
else
ROOTFS_ENV  := ROOTFS=$(ROOTFS_DIR)
ROOTFS_DEPS := $(ROOTFS_FILES)
endif
INITRAMFS   ?= $(BUILD)/initramfs.cpio

.PHONY: user user-force
user: $(USER_BINS)

$(BUILD)/user/usertests: $(USERTESTS_SRCS) user/usertests.h
$(BUILD)/user/init $(BUILD)/user/hello $(BUILD)/user/forkexec $(BUILD)/user/stress \
	$(BUILD)/user/threadtests $(BUILD)/user/spawnbg $(BUILD)/user/benchsched \
	$(BUILD)/user/benchlat $(BUILD)/user/fuzzsys: $(BUILD)/user/%: user/%.c
$(BUILD)/user/ttytest: user/ttytest.c
$(BUILD)/user/benchexo: user/benchexo.c $(LIBKEEL)
# benchcmp: the benchmark Keel and Linux both run (tools/bench-linux.py).
$(BUILD)/user/benchcmp: user/benchcmp.c $(LIBKEEL)
$(BUILD)/user/benchnop $(BUILD)/user/benchbig: $(BUILD)/user/%: user/%.c
# kbdd translates scancodes with the kernel driver's own table (lib/kbdmap.c).
$(BUILD)/user/kbdd: user/kbdd.c lib/kbdmap.c include/lib/kbdmap.h
$(BUILD)/user/kbdd: USER_CFLAGS += -Iinclude
$(BUILD)/user/drvtests: user/drvtests.c
$(BUILD)/user/benchirq: user/benchirq.c
# fuzzsys: supervisor (fuzzsys.c), generation, workers, coverage (kcov.h).
$(BUILD)/user/fuzzsys: user/fuzz_gen.c user/fuzz_worker.c user/fuzz_cover.c user/fuzzsys.h \
	user/kcov.h
# fuzzsys breaks its own TLS on purpose (arch_prctl, segment loads): no
# stack-protector canary reads through %fs.
$(BUILD)/user/fuzzsys: USER_CFLAGS += -fno-stack-protector
$(addprefix $(BUILD)/user/,$(UTEST_PROGS)): user/utest.c user/utest.h
# kcovtest checks /dev/kcov (make KCOV=1) through the fuzzer's helper.
$(BUILD)/user/kcovtest: user/kcovtest.c user/kcov.h
# edu: the user-space driver of QEMU's edu PCI device (docs/drivers.md).
$(BUILD)/user/edu: user/edu.c

$(USER_BINS): user/build.mk | deps
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)$(USER_CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^) $(filter %.a,$^)

# libkeel.a: Keel's own user library (the exokernel calls and routines of
# <keel/exo.h>, include/uapi/); programs that use it list $(LIBKEEL) as a
# prerequisite.  Outside programs: musl-gcc -static -Iinclude/uapi prog.c
# $(BUILD)/libkeel/libkeel.a (`make libkeel`).
.PHONY: libkeel
libkeel: $(LIBKEEL)
$(BUILD)/libkeel/%.o: user/libkeel/% $(wildcard user/libkeel/*.h) include/uapi/keel/exo.h \
		user/build.mk | deps
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)$(USER_CC) $(filter-out -static,$(USER_CFLAGS)) -c -o $@ $<
$(LIBKEEL): $(LIBKEEL_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
# exotests: the exokernel interface's suite (exotests.c + exo_*.c, libkeel).
$(BUILD)/user/exotests: user/exotests.c $(wildcard user/exo_*.c) user/exotests.h user/utest.c \
	user/utest.h $(LIBKEEL)

# The state of EXTRA_ROOT, so that a change there rebuilds the archive.
$(BUILD)/root.manifest: user-force
	@mkdir -p $(dir $@)
	@{ printf 'EXTRA_ROOT=%s ROOTFS_ENV=%s\n' '$(EXTRA_ROOT)' '$(ROOTFS_ENV)'; \
	  find $(ROOTFS_DIR) -printf '%p %y %m %l\n' | LC_ALL=C sort; \
	  if [ -n '$(EXTRA_ROOT)' ] && [ -d '$(EXTRA_ROOT)' ]; then \
		cd '$(EXTRA_ROOT)' && find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort; \
	  fi; } >$@.new
	@cmp -s $@.new $@ 2>/dev/null && rm -f $@.new || mv $@.new $@

$(BUILD)/initramfs.cpio: $(USER_BINS) $(BUILD)/root.manifest user/mkinitramfs.sh user/build.mk \
		$(ROOTFS_DEPS)
	@echo "  CPIO    $@"
	$(Q)$(ROOTFS_ENV) user/mkinitramfs.sh $@ $(BUILD)/root $(BUILD)/user '$(EXTRA_ROOT)'

# Build the initramfs before anything that boots with it looks for it
# (tools/build.mk passes it to QEMU / the ISO when the file exists).
all $(BUILD)/keel.iso run gdb bench: $(INITRAMFS)
