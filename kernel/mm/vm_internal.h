/*
 * vm_internal.h - what kernel/mm/vm.c shares with the other address-space
 * files of kernel/mm (vm_exo.c): VMA list operations and page helpers.
 * Not for use outside kernel/mm.  Every function here needs [mm->lock]
 * held (asserted), except vma_alloc/vma_free/vm_pmap_prot.
 */
#ifndef KEEL_MM_VM_INTERNAL_H
#define KEEL_MM_VM_INTERNAL_H

#include <keel/vm.h>
#include <keel/pmm.h>

/* A zeroed VMA (NULL when out of memory) / free one and its object reference. */
struct vma *vma_alloc(void);
void vma_free(struct vma *v);
/* The VMA containing addr, or NULL. */
struct vma *vma_find(struct mm *mm, uintptr_t addr);
/* The first VMA that ends after addr, or NULL. */
struct vma *vma_find_next(struct mm *mm, uintptr_t addr);
/* Link v into mm->vmas in address order. */
void vma_insert(struct mm *mm, struct vma *v);
void vma_unlink(struct mm *mm, struct vma *v);
/*
 * Split the VMA containing addr at addr (nothing to do if none, or addr is
 * its start), using *spare for the new half if not NULL (then set to
 * NULL); 0 or -ENOMEM.
 */
int vma_split_spare(struct mm *mm, uintptr_t addr, struct vma **spare);
/* PMAP_* bits for a page of a VMA with PROT_* prot (write only if writable). */
unsigned vm_pmap_prot(unsigned prot, bool writable);
/* Unmap [start, end) and drop the frames (bounded steps, may yield). */
void vm_remove_pages(struct mm *mm, uintptr_t start, uintptr_t end);
/* Make the present page va (frame pa) of v privately writable: copy it
 * unless this mapping holds the frame's only reference.  0 or -ENOMEM. */
int vm_make_writable(struct mm *mm, struct vma *v, uintptr_t va, paddr_t pa);

#endif
