/*
 * arch/mmu.h - x86-64 4-level page tables: entry bits and the kernel's own
 * mappings (see arch/layout.h for the address map).
 *
 * The kernel page tables are built once by mmu_init().  The PDPTs behind
 * every upper-half PML4 slot are allocated then and never change, so an
 * address space created later shares the kernel half by copying those 256
 * PML4 entries; user page-table pages are never shared.
 * Kernel mappings made after boot (stacks, MMIO) are changed under
 * mmu_kernel_lock.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <arch/layout.h>

#define PTE_P       (1ull << 0)
#define PTE_W       (1ull << 1)
#define PTE_U       (1ull << 2)
#define PTE_PWT     (1ull << 3)
#define PTE_PCD     (1ull << 4)
#define PTE_A       (1ull << 5)
#define PTE_D       (1ull << 6)
#define PTE_PS      (1ull << 7)
#define PTE_G       (1ull << 8)
#define PTE_NX      (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PT_ENTRIES       512
#define PT_LEVEL_SHIFT   9
#define PML4_SHIFT       39
#define PDPT_SHIFT       30
#define PD_SHIFT         21
#define PT_SHIFT         12
#define PT_INDEX(va, shift) (((va) >> (shift)) & (PT_ENTRIES - 1))
#define PML4_KERNEL_FIRST 256
#define LARGE_PAGE_SIZE  (1ull << PD_SHIFT)
#define HUGE_PAGE_SIZE   (1ull << PDPT_SHIFT)
/* Flushing more than this many bytes reloads CR3 instead of invlpg each page. */
#define TLB_FLUSH_ALL_THRESHOLD (64 * PAGE_SIZE)

typedef uint64_t pte_t;

struct bootinfo;
/* Build the kernel page tables from the boot memory map and switch to them. */
void mmu_init(const struct bootinfo *bi);
/* Physical address of the kernel's PML4 (the bootstrap address space). */
uint64_t mmu_kernel_pml4(void);
/* True if physical [pa, pa+len) is reachable through arch_phys_to_virt. */
bool mmu_direct_mapped(uint64_t pa, uint64_t len);
/* Allocate the page tables for kernel range [va, va+len) now; 0 or -ENOMEM. */
int mmu_kprepare_range(uintptr_t va, size_t len);
/* Map one 4 KiB kernel page (va in the upper half); 0 or -ENOMEM. */
int mmu_kmap_page(uintptr_t va, uint64_t pa, uint64_t flags);
/* Unmap n kernel pages from va and flush them from every CPU's TLB. */
void mmu_kunmap_pages(uintptr_t va, size_t n);
/* Look up the physical address behind a kernel va; false if unmapped. */
bool mmu_kernel_lookup(uintptr_t va, uint64_t *pa);
/* Translate va through the page tables rooted at pml4 (physical). */
bool mmu_lookup(uint64_t pml4, uintptr_t va, uint64_t *pa);
/* The kernel page-table leaf entry for va; false if unmapped. */
bool mmu_kernel_pte(uintptr_t va, pte_t *pte);
/* From here on page tables come from the pmm (called after pmm_init). */
void mmu_late_init(void);
/* Enable NX/SMEP/SMAP/UMIP/WP on this CPU where supported. */
void mmu_cpu_features(void);

extern bool cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_umip, cpu_has_1g;

#endif
