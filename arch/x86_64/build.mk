# arch/x86_64/build.mk - the CPU and the PC platform, behind arch_*() and
# pmap_*(): boot/ (from the loader to kmain, AP bring-up, the link script),
# entry/ (descriptor tables, traps, system-call entry, context switch, user
# copies, signal frames), mm/ (page tables), dev/ (interrupt controllers and
# timers: LAPIC, I/O APIC, 8259, PIT).  See docs/layout.md.
#
# KCOV=1 (see kernel/build.mk): code that runs before per-CPU data, in
# interrupt entry, on the trap, system-call and context-switch paths, or
# between the kernel and user mode is not instrumented: only mm/ and the
# signal-frame and arch_prctl code in entry/ are.
ARCH_DIR := arch/$(ARCH)
ARCH_SUBDIRS := boot entry mm dev
KSRCS += $(foreach d,$(ARCH_SUBDIRS),$(wildcard $(ARCH_DIR)/$(d)/*.c) $(wildcard $(ARCH_DIR)/$(d)/*.S))
LDSCRIPT := $(BUILD)/$(ARCH_DIR)/linker.ld
KCOV_SRCS += $(wildcard $(ARCH_DIR)/mm/*.c) $(ARCH_DIR)/entry/signal.c $(ARCH_DIR)/entry/sys_arch.c
