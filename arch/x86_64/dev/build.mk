# arch/x86_64/dev/build.mk - the CPU's own interrupt and timer hardware:
# local APIC, I/O APIC, the 8259 pair, the PIT, the CMOS RTC, legacy interrupt-line
# routing (arch_irq_route), and PCI configuration access (pci.c).  Not instrumented (interrupt paths).
KSRCS += $(wildcard $(ARCH_DIR)/dev/*.c)
