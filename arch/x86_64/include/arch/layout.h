/*
 * arch/layout.h - the x86-64 virtual address map of Keel.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff  user space (lower half)
 *   0xffff800000000000 .. +64 TiB             direct map of all physical memory
 *   0xffffc00000000000 .. +1 TiB              kernel stacks (guard page below each)
 *   0xffffd00000000000 .. +1 TiB              MMIO mappings (uncached)
 *   0xffffffff80000000 .. 0xffffffffffffffff  kernel image (-2 GiB, mcmodel=kernel)
 *
 * Usable from assembly.
 */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##ul
#endif

#define PAGE_SHIFT         12
#define PAGE_SIZE          (_UL(1) << PAGE_SHIFT)
#define KERNEL_VMA         _UL(0xffffffff80000000)
#define KERNEL_PHYS_BASE   _UL(0x100000)
#define DIRECT_MAP_BASE    _UL(0xffff800000000000)
#define DIRECT_MAP_SIZE    (_UL(64) << 40)
#define KSTACK_AREA_BASE   _UL(0xffffc00000000000)
#define KSTACK_AREA_SIZE   (_UL(1) << 40)
#define MMIO_AREA_BASE     _UL(0xffffd00000000000)
#define MMIO_AREA_SIZE     (_UL(1) << 40)
#define USER_TOP           _UL(0x0000800000000000)

/* Size of the boot CPU's initial stack (in .bss, guard page below). */
#define BOOT_STACK_SIZE    (_UL(4) * PAGE_SIZE)

#endif
