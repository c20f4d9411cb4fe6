/*
 * pmap_internal.h - what arch/x86_64/mm/pmap.c (user page tables) shares
 * with arch/x86_64/mm/pmap_check.c (their debug hygiene checker): the
 * encoding of user leaf entries and a walk over every live pmap.  Not an
 * interface: everything else uses keel/pmap.h, where struct pmap stays
 * opaque.
 */
#ifndef ARCH_X86_64_MM_PMAP_INTERNAL_H
#define ARCH_X86_64_MM_PMAP_INTERNAL_H

#include <keel/pmap.h>
#include <arch/arch.h>
#include <arch/mmu.h>

/* Software bit (ignored by the MMU): a not-present leaf that keeps a frame. */
#define PTE_SW_NONE  (1ull << 9)
/* Software bit: the leaf maps device memory (PMAP_IO), not a RAM frame. */
#define PTE_SW_IO    (1ull << 10)
/* Cache attributes of a PMAP_IO leaf: uncached (PAT entry 3 at reset). */
#define PTE_IO_CACHE (PTE_PCD | PTE_PWT)

/* The page-table page at physical address pa, through the direct map. */
static inline pte_t *pmap_table(paddr_t pa)
{
	return arch_phys_to_virt(pa);
}

/* A leaf maps a frame: accessible (P) or not (prot 0). */
static inline bool pmap_leaf_mapped(pte_t e)
{
	return e & (PTE_P | PTE_SW_NONE);
}

/*
 * Call fn(pm, arg) for every live pmap, one at a time, with
 * pmap_registry_lock and pm->lock held: fn must not sleep, allocate or
 * take another pmap's lock.
 */
void pmap_for_each_locked(void (*fn)(struct pmap *pm, void *arg), void *arg);

#endif
