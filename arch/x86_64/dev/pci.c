/*
 * pci.c - PCI configuration space through mechanism #1 (ports 0xcf8 and
 * 0xcfc): arch_pci_cfg_read / arch_pci_cfg_write (contract in
 * arch/arch.h).  The generic PCI bus (kernel/dev/pci.c) enumerates and
 * decodes; this file only moves bytes.
 *
 * An access is two steps: write the function's address and the dword
 * register to CONFIG_ADDRESS, then read or write CONFIG_DATA at the byte
 * offset within the dword.  The pair is one shared device: two CPUs (or an
 * interrupt between the steps) interleaving would read another register,
 * so every access holds pci_cfg_lock from the address write to the data
 * access.  Bad arguments (a width other than 1, 2, 4, a misaligned or
 * out-of-range offset, a bus/device/function out of range) read as all
 * ones and write nothing: the callers' bugs must not reach the hardware.
 *
 * Lock key: [pci_cfg_lock] the CONFIG_ADDRESS/CONFIG_DATA port pair (a
 * spinlock, interrupts off while held).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/pci.h>
#include <keel/spinlock.h>

#define PCI_ALL_ONES 0xffffffffu

static struct spinlock pci_cfg_lock = SPINLOCK_INIT("pci_cfg");

static bool pci_cfg_args_ok(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width)
{
	if (bus >= PCI_MAX_BUS || dev >= PCI_MAX_DEV || fn >= PCI_MAX_FN)
		return false;
	if (width != 1 && width != 2 && width != 4)
		return false;
	return off < ARCH_PCI_CFG_SIZE && off % width == 0;
}

/* Select the dword holding off.  [pci_cfg_lock] held. */
static void pci_cfg_select(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	spin_assert_held(&pci_cfg_lock);
	outl(PCI_CONFIG_ADDRESS, PCI_ADDR_ENABLE | (bus << PCI_ADDR_BUS_SHIFT) |
					 (dev << PCI_ADDR_DEV_SHIFT) | (fn << PCI_ADDR_FN_SHIFT) |
					 (off & PCI_ADDR_REG_MASK));
}

uint32_t arch_pci_cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width)
{
	uint16_t port = PCI_CONFIG_DATA + (off & 3);
	uint32_t v;

	if (!pci_cfg_args_ok(bus, dev, fn, off, width))
		return PCI_ALL_ONES;
	spin_lock(&pci_cfg_lock);
	pci_cfg_select(bus, dev, fn, off);
	if (width == 1)
		v = inb(port);
	else if (width == 2)
		v = inw(port);
	else
		v = inl(port);
	spin_unlock(&pci_cfg_lock);
	return v;
}

void arch_pci_cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width,
			uint32_t val)
{
	uint16_t port = PCI_CONFIG_DATA + (off & 3);

	if (!pci_cfg_args_ok(bus, dev, fn, off, width))
		return;
	spin_lock(&pci_cfg_lock);
	pci_cfg_select(bus, dev, fn, off);
	if (width == 1)
		outb(port, (uint8_t)val);
	else if (width == 2)
		outw(port, (uint16_t)val);
	else
		outl(port, val);
	spin_unlock(&pci_cfg_lock);
}
