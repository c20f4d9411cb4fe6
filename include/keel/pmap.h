/*
 * keel/pmap.h - the machine-dependent half of an address space: user page
 * tables (arch/x86_64/mm/pmap.c).  The machine-independent half (VMAs, faults,
 * fork, exec) is kernel/mm/vm.c.
 *
 * A pmap owns the user half of a page-table tree; its kernel half points at
 * the kernel's shared upper-level tables (never copied below the top level,
 * never freed with the pmap).  User page-table pages are never shared
 * between pmaps.  pmap does not count frame references: its callers do
 * (pmm_page_get/put), one reference per mapping.
 *
 * Locking: each pmap has its own spinlock for its tables; callers serialize
 * changes of one address space with the mm lock as well.  Changes that
 * remove or restrict a mapping flush it from every CPU that has the pmap
 * loaded (TLB shootdown) before returning.
 */
#ifndef KEEL_PMAP_H
#define KEEL_PMAP_H

#include <keel/compiler.h>
#include <keel/pmm.h>

#define PMAP_READ   (1u << 0)
#define PMAP_WRITE  (1u << 1)
#define PMAP_EXEC   (1u << 2)
/*
 * Device memory (a PCI BAR mapped by its driver, VMA_IO in keel/vm.h):
 * mapped uncached, and pa is no RAM frame.  pmap never hands such a page
 * to a release callback (nothing to put), reports it to pmap_lookup and
 * pmap_walk with PMAP_IO in prot, leaves it out of pmap_resident, keeps the
 * bit across pmap_protect, and the hygiene checker accepts it exactly
 * when pa is not RAM.
 */
#define PMAP_IO     (1u << 3)
/*
 * prot 0 (PROT_NONE) maps the frame but allows no access: pmap keeps and
 * counts it like any mapping (lookup, walk, remove), the MMU faults on it.
 * On x86 any accessible page is readable (PMAP_READ is implied by WRITE or
 * EXEC).  User pages are 4 KiB; va must be page-aligned and below USER_TOP.
 */

struct pmap;

/* A new address space with an empty user half; NULL when out of memory. */
struct pmap *pmap_create(void);
/* Free the page-table pages; every user mapping must be gone (asserts). */
void pmap_destroy(struct pmap *pm);
/*
 * Map user page va -> frame pa with prot (PMAP_*).  Replaces an existing
 * mapping of va (flushing it); returns 0 or -ENOMEM (page-table pages).
 * If old_pa is not NULL it receives the replaced frame (0 if none, or if
 * the replaced page was a PMAP_IO one), whose reference the caller now owns.
 */
int pmap_enter(struct pmap *pm, uintptr_t va, paddr_t pa, unsigned prot, paddr_t *old_pa);
/* Unmap one page; returns its frame (caller drops the reference) or 0
 * (nothing mapped, or a PMAP_IO page). */
paddr_t pmap_remove(struct pmap *pm, uintptr_t va);
/*
 * Unmap every page in [start, end), calling release(pa, ctx) for each frame
 * after the TLB shootdown (not for PMAP_IO pages: no frame); frees
 * page-table pages that become empty.
 */
void pmap_remove_range(struct pmap *pm, uintptr_t start, uintptr_t end,
		       void (*release)(paddr_t pa, void *ctx), void *ctx);
/*
 * The same, but only a bounded step of it (one batch of frames): returns
 * where it stopped (end when done).  Callers with long ranges loop over it
 * with scheduling points between steps; pmap itself never schedules.
 */
uintptr_t pmap_remove_some(struct pmap *pm, uintptr_t start, uintptr_t end,
			   void (*release)(paddr_t pa, void *ctx), void *ctx);
/* Set the protection of every present page in [start, end) to prot (a
 * PMAP_IO page stays one, whatever prot says). */
void pmap_protect(struct pmap *pm, uintptr_t start, uintptr_t end, unsigned prot);
/* The same, a bounded step (a few page tables); returns where it stopped. */
uintptr_t pmap_protect_some(struct pmap *pm, uintptr_t start, uintptr_t end, unsigned prot);
/*
 * fork: map every page src maps in [start, end) at the same address in
 * dst, a pmap no CPU has loaded and that maps nothing there yet, taking a
 * frame reference per mapping (none for PMAP_IO pages).  With cow, both
 * copies lose write access (the source's is flushed before returning).
 * Table by table, a bounded step at a time: returns where it stopped (end
 * when done); *err is 0 or -ENOMEM (then pages before the return value
 * were copied, referenced and are unmapped as usual by the caller).
 */
uintptr_t pmap_copy_some(struct pmap *dst, struct pmap *src, uintptr_t start, uintptr_t end,
			 bool cow, int *err);
/* The frame and prot (maybe 0) mapped at va; false if nothing is mapped. */
bool pmap_lookup(struct pmap *pm, uintptr_t va, paddr_t *pa, unsigned *prot);
/*
 * Call fn(va, pa, prot, ctx) for every present page in [start, end), in
 * address order; stops early and returns fn's value if it is not 0.
 * fn runs without pm's lock (it may call pmap functions, even on pm);
 * pages mapped or unmapped meanwhile ahead of the walk may or may not be
 * seen.
 */
int pmap_walk(struct pmap *pm, uintptr_t start, uintptr_t end,
	      int (*fn)(uintptr_t va, paddr_t pa, unsigned prot, void *ctx), void *ctx);
/*
 * Load pm on this CPU (NULL: the kernel's bootstrap tables) and record it
 * as this CPU's; turns interrupts off for the switch itself.  A pmap must
 * be deactivated on every CPU before pmap_destroy.
 */
void pmap_activate(struct pmap *pm);
/* The pmap loaded on this CPU, or NULL for the bootstrap tables. */
struct pmap *pmap_current(void);
/* Physical address of pm's top-level table (diagnostics). */
paddr_t pmap_root(struct pmap *pm);
/* Pages pm holds: user pages mapped and page-table pages (a racy snapshot:
 * the out-of-memory killer's measure). */
unsigned long pmap_resident(struct pmap *pm);
/*
 * Physical addresses of the page-table pages that lead to user va, top
 * level (the root) first, into tables[0 .. max); returns how many exist
 * (diagnostics and tests).
 */
unsigned pmap_table_pages(struct pmap *pm, uintptr_t va, paddr_t *tables, unsigned max);

/*
 * Page-table hygiene (debug): walk every live pmap and check that no user
 * page-table page is referenced twice, that every user frame's reference
 * count equals the number of mappings of it (plus extra_refs(pa) for
 * references held elsewhere, may be NULL), that no free frame is mapped,
 * and that a PMAP_IO page is not RAM (and only a PMAP_IO page is not).
 * Prints each problem; returns the number found.
 */
unsigned pmap_check_all(unsigned (*extra_refs)(paddr_t pa));

#endif
