# arch/x86_64/mm/build.mk - page tables: the kernel's direct map and
# mappings, user page tables behind pmap_*(), and their hygiene checker.
KSRCS += $(wildcard $(ARCH_DIR)/mm/*.c)
KCOV_SRCS += $(wildcard $(ARCH_DIR)/mm/*.c)
