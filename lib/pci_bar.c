/*
 * pci_bar.c - decoding PCI base address registers (see lib/pci_bar.h).
 *
 * Sizing works because a BAR's address bits below its size are hardwired
 * to zero: after all ones are written, the lowest address bit that reads
 * back as one is the size.  The probe values are taken by the caller with
 * the function's decoding turned off (kernel/dev/pci.c); this file only
 * does the arithmetic.
 */
#include <lib/pci_bar.h>
#include <lib/string.h>

#define PCI_BAR_HI_SHIFT 32

/* The lowest set bit of x (0 if none). */
static uint64_t pci_bar_lowest_bit(uint64_t x)
{
	return x & (~x + 1);
}

uint64_t pci_bar_decode(uint32_t lo, uint32_t lo_probe, uint32_t hi, uint32_t hi_probe,
			struct pci_bar *out)
{
	uint64_t addr, mask;

	memset(out, 0, sizeof(*out));
	if (lo & PCI_BAR_IO) {
		out->io = true;
		out->flags = (uint8_t)(lo & ~PCI_BAR_IO_ADDR_MASK);
		addr = lo & PCI_BAR_IO_ADDR_MASK;
		mask = lo_probe & PCI_BAR_IO_ADDR_MASK;
	} else {
		unsigned type = lo & PCI_BAR_MEM_TYPE;

		if (type != PCI_BAR_MEM_32 && type != PCI_BAR_MEM_1M && type != PCI_BAR_MEM_64)
			return 0; /* reserved type: not a BAR we can use */
		out->mem64 = type == PCI_BAR_MEM_64;
		out->prefetch = lo & PCI_BAR_PREFETCH;
		out->flags = (uint8_t)(lo & PCI_BAR_FLAG_MASK);
		addr = lo & PCI_BAR_MEM_ADDR_MASK;
		mask = lo_probe & PCI_BAR_MEM_ADDR_MASK;
		if (out->mem64) {
			addr |= (uint64_t)hi << PCI_BAR_HI_SHIFT;
			mask |= (uint64_t)hi_probe << PCI_BAR_HI_SHIFT;
		}
	}
	out->size = pci_bar_lowest_bit(mask);
	out->base = out->size ? addr : 0;
	if (!out->size)
		memset(out, 0, sizeof(*out));
	return out->size;
}
