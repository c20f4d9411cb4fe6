/*
 * keel/pci.h - the PCI bus as user-space drivers see it (kernel/dev/pci.c).
 *
 * At boot (an INITCALL_DEVICE hook) the bus is enumerated through the
 * arch's configuration access (arch_pci_cfg_read/write, mechanism #1):
 * bus 0 and every bus behind a PCI-PCI bridge, every function of a
 * multifunction device.  Each function found is recorded once and never
 * removed (no hot plug): its IDs, class, revision, BARs (sized by the
 * all-ones probe with decoding off), interrupt line and pin.  It gets a
 * device file /dev/pci-BB:DD.F (configuration space by read/pread, memory
 * BARs by mmap: docs/drivers.md) and a line in /proc/bus/pci/devices.
 *
 * Lock key: the table of functions is [I] once the initcall has run (it
 * is written only by the boot CPU before user space exists); configuration
 * reads at run time go through the arch's own lock (pci_cfg).
 */
#ifndef KEEL_PCI_H
#define KEEL_PCI_H

#include <keel/compiler.h>
#include <lib/pci_bar.h>

#define PCI_NUM_BARS 6            /* a type 0 header; a bridge (type 1) has 2 */
#define PCI_ROM_BAR  PCI_NUM_BARS /* the expansion ROM, index 6 */
#define PCI_NUM_RES  (PCI_NUM_BARS + 1)
#define PCI_NAME_MAX 20 /* "/dev/pci-BB:DD.F" and a NUL */

/* Configuration-space registers (type 0 and 1 headers). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09 /* class code: prog-if, subclass, class (3 bytes) */
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19 /* type 1 */
#define PCI_ROM_ADDRESS    0x30 /* type 0 */
#define PCI_ROM_ADDRESS1   0x38 /* type 1 */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

#define PCI_COMMAND_IO      0x1
#define PCI_COMMAND_MEMORY  0x2
#define PCI_HEADER_MULTI    0x80 /* header type bit 7: a multifunction device */
#define PCI_HEADER_MASK     0x7f
#define PCI_HEADER_NORMAL   0
#define PCI_HEADER_BRIDGE   1
#define PCI_NUM_BARS_BRIDGE 2
#define PCI_VENDOR_NONE     0xffff
#define PCI_ROM_ENABLE      0x1u
#define PCI_ROM_ADDR_MASK   0xfffff800u

/* One function on the bus. */
struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t header;                  /* header type without the multifunction bit */
	uint8_t irq_line, irq_pin;       /* 0x3c, 0x3d (pin 0: none, 1..4: INTA..INTD) */
	struct pci_bar bar[PCI_NUM_RES]; /* BAR0..5 (a 64-bit one leaves the next
					   * empty) and the ROM */
	char path[PCI_NAME_MAX];         /* its device file: "/dev/pci-BB:DD.F" */
};

/* Functions found at boot, and function i (i < pci_count()).  Any context. */
unsigned pci_count(void);
const struct pci_dev *pci_get(unsigned i);

#endif
