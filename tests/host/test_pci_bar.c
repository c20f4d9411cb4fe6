/*
 * test_pci_bar.c - host unit tests for lib/pci_bar.c: memory BARs (32-bit,
 * 64-bit, prefetchable), I/O BARs with 32 and 16 implemented bits, absent
 * and reserved-type registers.
 */
#include <lib/pci_bar.h>
#include "htest.h"

HTEST(pci_bar_mem32_edu)
{
	struct pci_bar b;

	/* QEMU's edu device: BAR0, 1 MiB of 32-bit non-prefetchable memory. */
	HCHECK(pci_bar_decode(0xfea00000u, 0xfff00000u, 0, 0, &b) == 0x100000);
	HCHECK(b.base == 0xfea00000u && b.size == 0x100000);
	HCHECK(!b.io && !b.mem64 && !b.prefetch && b.flags == 0);
}

HTEST(pci_bar_mem64_prefetch)
{
	struct pci_bar b;

	HCHECK(pci_bar_is_mem64(0xfe00000cu));
	HCHECK(pci_bar_decode(0xfe00000cu, 0xffffc00cu, 0x1, 0xffffffffu, &b) == 0x4000);
	HCHECK(b.base == 0x1fe000000ull && b.mem64 && b.prefetch && b.flags == 0xc);
	/* A 64-bit BAR bigger than 4 GiB: the size is in the high register. */
	HCHECK(pci_bar_decode(0x0000000cu, 0x0000000cu, 0x80, 0xfffffff0u, &b) == (16ull << 32));
	HCHECK(b.base == 0x8000000000ull);
}

HTEST(pci_bar_io)
{
	struct pci_bar b;

	HCHECK(!pci_bar_is_mem64(0xc001u));
	HCHECK(pci_bar_decode(0xc001u, 0xffffffe1u, 0, 0, &b) == 32);
	HCHECK(b.io && b.base == 0xc000 && b.flags == 0x1);
	/* A device that implements only the low 16 bits of its I/O BAR. */
	HCHECK(pci_bar_decode(0xc041u, 0x0000ffc1u, 0, 0, &b) == 64);
	HCHECK(b.base == 0xc040);
}

HTEST(pci_bar_absent_or_reserved)
{
	struct pci_bar b;

	HCHECK(pci_bar_decode(0, 0, 0, 0, &b) == 0);
	HCHECK(b.base == 0 && !b.io && b.flags == 0);
	/* Memory type 3 is reserved. */
	HCHECK(pci_bar_decode(0xfe000006u, 0xfffff006u, 0, 0, &b) == 0);
	/* Only flag bits read back: no address bit, no BAR. */
	HCHECK(pci_bar_decode(0x8u, 0x8u, 0, 0, &b) == 0);
}
