# arch/x86_64 sources and the kernel link (two passes: the second embeds the
# symbol table generated from the first, see tools/gen_ksyms.py).
ARCH_DIR := arch/$(ARCH)
KSRCS += $(wildcard $(ARCH_DIR)/*.c) $(wildcard $(ARCH_DIR)/*.S) $(wildcard $(ARCH_DIR)/boot/*.S)
LDSCRIPT := $(BUILD)/$(ARCH_DIR)/linker.ld

# KCOV=1 (see kernel/build.mk): arch code that runs before per-CPU data, in
# interrupt entry, on the trap, system-call and context-switch paths, or
# between the kernel and user mode is not instrumented.  The rest (page
# tables, signal frames, arch_prctl, console drivers) is.
KCOV_EXCLUDE_ARCH := setup gdt smp idt trap user thread irq lapic pic pit ioapic
KCOV_SRCS += $(filter-out $(patsubst %,$(ARCH_DIR)/%.c,$(KCOV_EXCLUDE_ARCH)), \
	$(wildcard $(ARCH_DIR)/*.c))
