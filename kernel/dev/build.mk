# kernel/dev/build.mk - devices seen from user space: device objects fed by
# interrupts (/dev/irqN, the user-space driver interface), the PCI bus and
# its device files.
KSRCS += $(wildcard kernel/dev/*.c)
KCOV_SRCS += $(wildcard kernel/dev/*.c)
