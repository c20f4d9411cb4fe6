# arch/x86_64/build.mk - the CPU and the PC platform, behind arch_*() and
# pmap_*(), one folder per part (each with its own build.mk; see
# docs/layout.md): boot/, entry/, mm/, dev/.
#
# KCOV=1 (see kernel/build.mk): code that runs before per-CPU data, in
# interrupt entry, on the trap, system-call and context-switch paths, or
# between the kernel and user mode is not instrumented: only mm/ and the
# signal-frame and arch_prctl code in entry/ are.
ARCH_DIR := arch/$(ARCH)
ARCH_SUBDIRS := boot entry mm dev
include $(patsubst %,$(ARCH_DIR)/%/build.mk,$(ARCH_SUBDIRS))
