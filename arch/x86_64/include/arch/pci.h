/* arch/pci.h - PCI configuration mechanism #1: the address and data ports. */
#ifndef ARCH_PCI_H
#define ARCH_PCI_H

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc

/* CONFIG_ADDRESS: enable bit, bus, device, function, dword register. */
#define PCI_ADDR_ENABLE    0x80000000u
#define PCI_ADDR_BUS_SHIFT 16
#define PCI_ADDR_DEV_SHIFT 11
#define PCI_ADDR_FN_SHIFT  8
#define PCI_ADDR_REG_MASK  0xfcu

#define PCI_MAX_BUS 256
#define PCI_MAX_DEV 32
#define PCI_MAX_FN  8

#endif
