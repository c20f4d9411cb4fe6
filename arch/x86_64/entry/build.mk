# arch/x86_64/entry/build.mk - the ways into and out of the kernel: GDT/TSS
# and IDT, exception and interrupt entry and dispatch, syscall entry, the
# context switch, user-copy loops with fixups, signal frames, arch_prctl.
# KCOV instruments only signal frames and arch_prctl (the rest is on the
# trap, system-call and context-switch paths).
KSRCS += $(wildcard $(ARCH_DIR)/entry/*.c) $(wildcard $(ARCH_DIR)/entry/*.S)
KCOV_SRCS += $(ARCH_DIR)/entry/signal.c $(ARCH_DIR)/entry/sys_arch.c
