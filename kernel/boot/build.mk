# kernel/boot/build.mk - boot-time parsers of what the loader and firmware
# hand over (Multiboot2/PVH boot information, ACPI tables); pure, host-tested.
KSRCS += $(wildcard kernel/boot/*.c)
KCOV_SRCS += $(wildcard kernel/boot/*.c)
