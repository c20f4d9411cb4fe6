# arch/x86_64/boot/build.mk - from the loader to kmain: the Multiboot2 and
# PVH entry, arch_boot_main and the arch start-up hooks, AP bring-up and its
# real-mode trampoline, and the kernel's link script.  Not instrumented
# by KCOV (it runs before per-CPU data).
KSRCS += $(wildcard $(ARCH_DIR)/boot/*.c) $(wildcard $(ARCH_DIR)/boot/*.S)
LDSCRIPT := $(BUILD)/$(ARCH_DIR)/linker.ld
