/*
 * vm_exo.c - page-level address-space operations behind the exokernel
 * calls (kernel/proc/exo.c, docs/exokernel.md): place a frame at an
 * address with exact permissions, take a page's frame to map it elsewhere,
 * report a page's permissions, list the present pages.
 *
 * A page placed here is an ordinary part of the address space: it lies in
 * a VMA like any other page, so munmap, mprotect, fork, exec, exit,
 * /proc/PID/maps and the page-table check see it, and every mapping of a
 * frame holds one reference.  To keep "exactly the protection asked for",
 * the page's part of its VMA is split off into a one-page VMA with that
 * protection (what mprotect of that page would do), or a one-page VMA is
 * created where there was none; it is merged back with a neighbour that
 * has become identical.  A read-only page placed this way therefore takes
 * a user write fault as a protection fault (it goes up), never as a
 * kernel copy-on-write.  A writable one is mapped writable at once, even
 * when the frame is shared with another process (that sharing is the
 * point).  The COW and SHARE bits are kept in the VMA (VMA_EXO_COW,
 * VMA_EXO_SHARE) and reported; the kernel acts on neither, except that
 * fork(2) keeps EXO_SHARE pages shared.
 *
 * Device memory (VMA_IO, a PCI BAR) has no frame to give away or replace:
 * vm_exo_place over it and vm_exo_get of it are -EINVAL, vm_exo_scan
 * leaves it out (a copy could not use it), vm_exo_perm reports it.
 *
 * Lock key: as keel/vm.h; everything here runs with [mm->lock] held, one
 * address space at a time (a page moves between two mms by reference:
 * vm_exo_get on one, vm_exo_place on the other).
 */
#include <keel/vm.h>
#include "vm_internal.h"
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/vmobj.h>
#include <uapi/keel/exo.h>
#include <lib/errno.h>
#include <arch/arch.h>

/* PROT_* for perm bits (R implied). */
static unsigned vm_exo_prot(unsigned perm)
{
	unsigned prot = PROT_READ;

	if (perm & EXO_PERM_W)
		prot |= PROT_WRITE;
	if (perm & EXO_PERM_X)
		prot |= PROT_EXEC;
	return prot;
}

/* The perm bits a user access sees for a present page of v. */
static unsigned vm_exo_perm_of(const struct vma *v)
{
	unsigned perm = EXO_PERM_R;

	if (v->prot & PROT_WRITE)
		perm |= EXO_PERM_W;
	if (v->prot & PROT_EXEC)
		perm |= EXO_PERM_X;
	if (v->flags & VMA_EXO_COW)
		perm |= EXO_PERM_COW;
	if (v->flags & (VMA_EXO_SHARE | VMA_SHARED))
		perm |= EXO_PERM_SHARE;
	return perm;
}

static bool vm_exo_mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags && !a->obj &&
	       !b->obj && !(a->flags & VMA_IO);
}

/* Merge v with its neighbours where they have become the same.  [mm->lock] */
static void vm_exo_merge(struct mm *mm, struct vma *v)
{
	struct vma *prev, *next;

	mutex_assert_held(&mm->lock);
	if (v->node.prev != &mm->vmas) {
		prev = list_entry(v->node.prev, struct vma, node);
		if (vm_exo_mergeable(prev, v)) {
			prev->end = v->end;
			vma_unlink(mm, v);
			vma_free(v);
			v = prev;
		}
	}
	if (v->node.next != &mm->vmas) {
		next = list_entry(v->node.next, struct vma, node);
		if (vm_exo_mergeable(v, next)) {
			v->end = next->end;
			vma_unlink(mm, next);
			vma_free(next);
		}
	}
}

int vm_exo_place(struct mm *mm, uintptr_t va, paddr_t pa, unsigned perm)
{
	struct vma *spare[2], *v;
	paddr_t old = 0;
	int err = 0;

	/* Both VMA halves a split may need, before anything changes. */
	spare[0] = vma_alloc();
	spare[1] = vma_alloc();
	if (!spare[0] || !spare[1]) {
		err = -ENOMEM;
		goto out_free;
	}
	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (v && (v->flags & VMA_IO)) {
		err = -EINVAL; /* device memory: no frame to replace */
		goto out_unlock;
	}
	/* The splits below (or the new VMA) must fit under vm.max_map_count:
	 * checked now, so that they cannot fail half-way. */
	if (mm->nvmas + 2 > READ_ONCE(vm_max_map_count)) {
		err = -ENOMEM;
		goto out_unlock;
	}
	err = pmap_enter(mm->pmap, va, pa, vm_pmap_prot(vm_exo_prot(perm), true), &old);
	if (err)
		goto out_unlock;
	if (v) {
		/* Cannot fail: the spares are there. */
		(void)vma_split_spare(mm, va, &spare[0]);
		(void)vma_split_spare(mm, va + PAGE_SIZE, spare[0] ? &spare[0] : &spare[1]);
		v = vma_find(mm, va);
		if (v->obj) {
			/* The page is now this frame, no longer the object's. */
			vmobj_put(v->obj);
			v->obj = NULL;
			v->pgoff = 0;
			v->flags &= ~VMA_SHARED;
		}
	} else {
		v = spare[0] ? spare[0] : spare[1];
		if (v == spare[0])
			spare[0] = NULL;
		else
			spare[1] = NULL;
		v->start = va;
		v->end = va + PAGE_SIZE;
		vma_insert(mm, v);
	}
	v->prot = vm_exo_prot(perm);
	v->flags &= ~(VMA_EXO_COW | VMA_EXO_SHARE);
	if (perm & EXO_PERM_COW)
		v->flags |= VMA_EXO_COW;
	if (perm & EXO_PERM_SHARE)
		v->flags |= VMA_EXO_SHARE;
	vm_exo_merge(mm, v);
out_unlock:
	mutex_unlock(&mm->lock);
	if (old)
		pmm_page_put(old); /* the page replaced (pa itself: its old mapping's) */
out_free:
	if (spare[0])
		vma_free(spare[0]);
	if (spare[1])
		vma_free(spare[1]);
	return err;
}

int vm_exo_get(struct mm *mm, uintptr_t va, bool want_write, paddr_t *pa, unsigned *perm)
{
	struct vma *v;
	unsigned pprot;
	int err = 0;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (v && (v->flags & VMA_IO)) {
		err = -EINVAL; /* device memory: no frame to give */
		goto out;
	}
	if (!v || !pmap_lookup(mm->pmap, va, pa, &pprot)) {
		err = -EFAULT;
		goto out;
	}
	if (v->prot == PROT_NONE || (want_write && !(v->prot & PROT_WRITE))) {
		err = -EACCES;
		goto out;
	}
	if (want_write && !(pprot & PMAP_WRITE)) {
		/* Shared copy-on-write by fork(2): this process's own copy first. */
		err = vm_make_writable(mm, v, va, *pa);
		if (err)
			goto out;
		if (!pmap_lookup(mm->pmap, va, pa, &pprot)) {
			err = -EFAULT;
			goto out;
		}
	}
	pmm_page_get(*pa);
	*perm = vm_exo_perm_of(v);
out:
	mutex_unlock(&mm->lock);
	return err;
}

int vm_exo_perm(struct mm *mm, uintptr_t va)
{
	struct vma *v;
	paddr_t pa;
	int perm = -ENOENT;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (v && v->prot != PROT_NONE && pmap_lookup(mm->pmap, va, &pa, NULL))
		perm = (int)vm_exo_perm_of(v);
	mutex_unlock(&mm->lock);
	return perm;
}

struct vm_exo_scan_ctx {
	struct exo_page_info *out;
	unsigned n, max, perm, flags;
	uintptr_t next;
};

static int vm_exo_scan_page(uintptr_t va, paddr_t pa, unsigned pprot, void *arg)
{
	struct vm_exo_scan_ctx *c = arg;

	if (c->n == c->max)
		return 1;
	c->out[c->n].va = va;
	c->out[c->n].perm = c->perm;
	c->out[c->n].flags = c->flags;
	c->n++;
	c->next = va + PAGE_SIZE;
	return 0;
}

unsigned vm_exo_scan(struct mm *mm, uintptr_t *start, uintptr_t end, struct exo_page_info *out,
		     unsigned max)
{
	struct vm_exo_scan_ctx c = { out, 0, max, 0, 0, end };
	struct list *pos;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->end <= *start)
			continue;
		if (v->start >= end || c.n == max)
			break;
		if (v->prot == PROT_NONE || (v->flags & VMA_IO))
			continue; /* no access, or no frame: nothing a copy could use */
		c.perm = vm_exo_perm_of(v);
		c.flags = (v->flags & VMA_GROWSDOWN) ? EXO_PAGE_STACK : 0;
		if (pmap_walk(mm->pmap, MAX(v->start, *start), MIN(v->end, end), vm_exo_scan_page,
			      &c))
			break;
	}
	mutex_unlock(&mm->lock);
	*start = c.n == max ? c.next : end;
	return c.n;
}

bool vm_exo_allows(struct mm *mm, uintptr_t va, unsigned prot)
{
	struct vma *v;
	bool ok;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	ok = v && (v->prot & prot) == prot;
	mutex_unlock(&mm->lock);
	return ok;
}
