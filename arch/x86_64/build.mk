# arch/x86_64 sources and the kernel link (two passes: the second embeds the
# symbol table generated from the first, see tools/gen_ksyms.py).
ARCH_DIR := arch/$(ARCH)
KSRCS += $(wildcard $(ARCH_DIR)/*.c) $(wildcard $(ARCH_DIR)/*.S) $(wildcard $(ARCH_DIR)/boot/*.S)
LDSCRIPT := $(BUILD)/$(ARCH_DIR)/linker.ld
