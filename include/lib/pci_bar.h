/*
 * lib/pci_bar.h - decoding PCI base address registers (lib/pci_bar.c): a
 * pure function of what a BAR held and what it read back after all ones
 * were written to it, shared by the kernel's PCI bus (kernel/dev/pci.c)
 * and its host unit tests.
 */
#ifndef LIB_PCI_BAR_H
#define LIB_PCI_BAR_H

#include <stdbool.h>
#include <stdint.h>

/* The low bits of a BAR (PCI Local Bus Specification, 6.2.5.1). */
#define PCI_BAR_IO            0x1u /* bit 0: I/O space */
#define PCI_BAR_MEM_TYPE      0x6u /* bits 2:1 of a memory BAR */
#define PCI_BAR_MEM_32        0x0u
#define PCI_BAR_MEM_1M        0x2u /* below 1 MiB (old): decoded as 32-bit */
#define PCI_BAR_MEM_64        0x4u
#define PCI_BAR_PREFETCH      0x8u /* bit 3 of a memory BAR */
#define PCI_BAR_IO_ADDR_MASK  0xfffffffcu
#define PCI_BAR_MEM_ADDR_MASK 0xfffffff0u
#define PCI_BAR_FLAG_MASK     0xfu /* the flag bits /proc/bus/pci/devices shows */

struct pci_bar {
	uint64_t base; /* bus address (0: not assigned) */
	uint64_t size; /* bytes; 0: no BAR here */
	uint8_t flags; /* the BAR's low bits (PCI_BAR_FLAG_MASK) */
	bool io;       /* I/O space */
	bool mem64;    /* a 64-bit memory BAR: it uses the next register too */
	bool prefetch; /* prefetchable memory */
};

/*
 * Decode a BAR: lo is the register's value, lo_probe what it read after
 * all ones were written; for a 64-bit memory BAR, hi and hi_probe are the
 * same for the next register (ignored otherwise).  The size is the lowest
 * address bit the device lets software set (so a device that implements
 * only 16 bits of an I/O BAR decodes right).  A register that keeps no
 * address bit, or a memory BAR of the reserved type, decodes as size 0.
 * Returns out->size.
 */
uint64_t pci_bar_decode(uint32_t lo, uint32_t lo_probe, uint32_t hi, uint32_t hi_probe,
			struct pci_bar *out);

/* True if a memory BAR whose low bits are lo takes two registers. */
static inline bool pci_bar_is_mem64(uint32_t lo)
{
	return !(lo & PCI_BAR_IO) && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64;
}

#endif
