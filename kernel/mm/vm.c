/*
 * vm.c - address spaces: VMAs, the page-fault handler, fork's
 * copy-on-write copy, and the operations behind mmap/munmap/mprotect/brk
 * and exec (see keel/vm.h for the rules and the lock key).
 *
 * Copy-on-write: fork maps every page of a private writable VMA read-only
 * in both address spaces and takes a frame reference for the child.  A
 * write fault on such a page copies it, unless the faulting mapping is the
 * frame's only reference, in which case the page is simply made writable.
 * mprotect never adds write permission to page-table entries directly (that
 * would break sharing); the next write faults and goes through the same
 * path.
 *
 * Shared anonymous memory: a MAP_SHARED VMA maps a vmobj (kernel/mm/vmobj.c)
 * whose frames are allocated on first touch; fork and VMA splits share the
 * object.  Nothing is filled at mmap time.
 *
 * Device memory: a VMA_IO VMA (a PCI BAR mapped by its driver) maps
 * physical pages that are not RAM, uncached (PMAP_IO), filled on fault
 * like the rest.  pmap keeps them apart (no frame to release, not
 * resident), so unmapping, exit and exec need nothing special; the places
 * that would treat a page as a frame (copy-on-write, fork's reference,
 * remote reads and writes, vm_translate for futexes) check for it.
 *
 * Out of memory: user frames are PMM_USER allocations; when one fails,
 * vm_fault runs the out-of-memory killer (kernel/mm/oom.c) and retries.
 */
#include <keel/vm.h>
#include "vm_internal.h"
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/thread.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/sched.h>
#include <keel/vmobj.h>
#include <keel/oom.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define VM_MMAP_TOP   0x00007f0000000000ul   /* mmap allocates below this */
#define VM_STACK_TOP  0x00007ffffffff000ul   /* top of the initial stack */
#define MM_ALIGN      64

static struct kmem_cache *mm_cache, *vma_cache;   /* [I] after vm_init */

static bool vm_caches_ready(void)
{
	return mm_cache && vma_cache;
}

void vm_init(void)
{
	mm_cache = kmem_cache_create("mm", sizeof(struct mm), MM_ALIGN);
	vma_cache = kmem_cache_create("vma", sizeof(struct vma), 0);
	if (!vm_caches_ready())
		panic("vm: cannot create the mm/vma caches");
}

/* PROT_* of a VMA -> PMAP_* for a page; write only when allowed to. */
unsigned vm_pmap_prot(unsigned prot, bool writable)
{
	unsigned p = 0;

	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		p |= PMAP_READ;
	if ((prot & PROT_WRITE) && writable)
		p |= PMAP_WRITE;
	if (prot & PROT_EXEC)
		p |= PMAP_EXEC;
	return p;
}

struct vm_release_batch {
	paddr_t pa[PMM_PUT_MANY_MAX];
	unsigned n;
};

/* Collect unmapped frames; every PMM_PUT_MANY_MAX, free them at once. */
static void vm_release_collect(paddr_t pa, void *ctx)
{
	struct vm_release_batch *b = ctx;

	b->pa[b->n++] = pa;
	if (b->n == PMM_PUT_MANY_MAX) {
		pmm_page_put_many(b->pa, b->n);
		b->n = 0;
	}
}

/*
 * Unmap [start, end) of mm's page tables and drop the frames, in bounded
 * steps with a scheduling point between them: unmapping or exiting a big
 * address space must not hold the CPU.  [mm->lock] held.
 */
void vm_remove_pages(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vm_release_batch b = { .n = 0 };

	mutex_assert_held(&mm->lock);
	while (start < end) {
		start = pmap_remove_some(mm->pmap, start, end, vm_release_collect, &b);
		pmm_page_put_many(b.pa, b.n);
		b.n = 0;
		sched_cond_resched();
	}
}

/* The same for a protection change.  [mm->lock] held. */
static void vm_protect_pages(struct mm *mm, uintptr_t start, uintptr_t end, unsigned pprot)
{
	mutex_assert_held(&mm->lock);
	while (start < end) {
		start = pmap_protect_some(mm->pmap, start, end, pprot);
		sched_cond_resched();
	}
}

struct mm *vm_create(void)
{
	struct mm *mm;

	if (!vm_caches_ready())
		return NULL;
	mm = kmem_cache_alloc(mm_cache, KM_ZERO);
	if (!mm)
		return NULL;
	mm->pmap = pmap_create();
	if (!mm->pmap) {
		kmem_cache_free(mm_cache, mm);
		return NULL;
	}
	mutex_init(&mm->lock, "mm");
	list_init(&mm->vmas);
	mm->mmap_top = VM_MMAP_TOP;
	mm->stack_top = VM_STACK_TOP;
	mm->stack_max = VM_STACK_MAX;
	refcount_init(&mm->refs, 1);
	return mm;
}

void vm_get(struct mm *mm)
{
	refcount_get(&mm->refs);
}

void vma_free(struct vma *v)
{
	vmobj_put(v->obj);
	kmem_cache_free(vma_cache, v);
}

unsigned long vm_resident(struct mm *mm)
{
	return pmap_resident(mm->pmap);
}

void vm_set_stack_max(struct mm *mm, uint64_t bytes)
{
	/* Never below what exec maps, never into the mmap area. */
	bytes = MAX(bytes, (uint64_t)VM_STACK_MIN);
	bytes = MIN(bytes, (uint64_t)(VM_STACK_TOP - VM_MMAP_TOP));
	__atomic_store_n(&mm->stack_max, ALIGN_UP((size_t)bytes, PAGE_SIZE),
			 __ATOMIC_RELAXED);
}

size_t vm_size(struct mm *mm)
{
	struct list *pos;
	size_t total = 0;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);

		total += v->end - v->start;
	}
	mutex_unlock(&mm->lock);
	return total;
}

/*
 * The commit limit (Linux's heuristic overcommit): a single mapping may not
 * be larger than all of memory, unless MAP_NORESERVE.
 */
static bool vm_commit_ok(size_t len, unsigned prot, unsigned vflags)
{
	bool accounted = ((vflags & VMA_SHARED) || (prot & PROT_WRITE)) &&
			 !(vflags & VMA_NORESERVE);

	return !accounted || len / PAGE_SIZE <= pmm_total_frames();
}

/*
 * Unmap every user page of mm and free its VMAs now, while the caller may
 * still run on mm's page tables (kernel mode only touches the kernel
 * half).  Used at process exit so memory comes back before the parent's
 * wait returns, as on Linux; vm_put frees the rest later.
 */
static void vm_clear(struct mm *mm)
{
	struct list *pos, *tmp;

	mutex_lock(&mm->lock);
	list_for_each_safe(pos, tmp, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		vm_remove_pages(mm, v->start, v->end);
		vma_unlink(mm, v);
		vma_free(v);
	}
	mutex_unlock(&mm->lock);
}

void vm_user_enter(struct mm *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_RELAXED);
}

void vm_user_leave(struct mm *mm)
{
	unsigned old = __atomic_fetch_sub(&mm->users, 1, __ATOMIC_ACQ_REL);

	assert(old > 0);
	if (old == 1)
		vm_clear(mm);
}

void vm_put(struct mm *mm)
{
	if (!refcount_put(&mm->refs))
		return;
	/*
	 * Nobody can reach mm any more; no CPU has it loaded.  The lock is
	 * free: vm_clear taking it keeps vm_remove_pages's rule without
	 * exceptions.
	 */
	vm_clear(mm);
	pmap_destroy(mm->pmap);
	kfree(mm->exe_path);
	if (mm->image_ops)
		mm->image_ops->put(mm->image_ctx);
	kmem_cache_free(mm_cache, mm);
}

void vm_switch(struct mm *mm)
{
	pmap_activate(mm ? mm->pmap : NULL);
}

bool vm_is_shared(struct mm *mm, uintptr_t va)
{
	struct vma *v;
	bool shared;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	shared = v && (v->flags & VMA_SHARED);
	mutex_unlock(&mm->lock);
	return shared;
}

bool vm_is_mapped(struct mm *mm, uintptr_t va)
{
	bool mapped;

	mutex_lock(&mm->lock);
	mapped = vma_find(mm, va) != NULL;
	mutex_unlock(&mm->lock);
	return mapped;
}

bool vm_translate(struct mm *mm, uintptr_t va, uint64_t *pa)
{
	unsigned prot;
	paddr_t p;
	bool ok;

	mutex_lock(&mm->lock);
	ok = pmap_lookup(mm->pmap, ALIGN_DOWN(va, PAGE_SIZE), &p, &prot) && !(prot & PMAP_IO);
	mutex_unlock(&mm->lock);
	if (ok)
		*pa = p + (va & (PAGE_SIZE - 1));
	return ok;
}

uint64_t vm_pmap_root(struct mm *mm)
{
	return pmap_root(mm->pmap);
}

/* The mm loaded on this CPU's current thread, or NULL. */
static struct mm *vm_current(void)
{
	struct thread *t = thread_current();

	return t ? t->mm : NULL;
}

/* The VMA containing addr, or NULL.  [mm->lock] held. */
struct vma *vma_find(struct mm *mm, uintptr_t addr)
{
	struct list *pos;

	mutex_assert_held(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* The first VMA that ends after addr (contains it or lies above), or NULL. [mm->lock] held. */
struct vma *vma_find_next(struct mm *mm, uintptr_t addr)
{
	struct list *pos;

	mutex_assert_held(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->end > addr)
			return v;
	}
	return NULL;
}

unsigned vm_max_map_count = VM_MAX_MAP_COUNT;

int vm_set_max_map_count(unsigned long n)
{
	if (n < 1 || n > INT32_MAX)
		return -EINVAL;
	WRITE_ONCE(vm_max_map_count, (unsigned)n);
	return 0;
}

/* Take v off mm->vmas (the caller frees it).  [mm->lock] held. */
void vma_unlink(struct mm *mm, struct vma *v)
{
	mutex_assert_held(&mm->lock);
	list_remove(&v->node);
	mm->nvmas--;
}

/* Link nv into mm->vmas, sorted by start.  [mm->lock] held. */
void vma_insert(struct mm *mm, struct vma *nv)
{
	struct list *pos;

	mutex_assert_held(&mm->lock);
	mm->nvmas++;
	list_for_each(pos, &mm->vmas) {
		if (list_entry(pos, struct vma, node)->start > nv->start)
			break;
	}
	list_insert_between(&nv->node, pos->prev, pos);
}

struct vma *vma_alloc(void)
{
	return kmem_cache_alloc(vma_cache, KM_ZERO);
}

/* Split the VMA containing addr at addr (if addr is inside it).  [mm->lock] held. */
static int vma_split(struct mm *mm, uintptr_t addr)
{
	struct vma *spare = NULL;
	int err = vma_split_spare(mm, addr, &spare);

	if (spare)
		vma_free(spare);
	return err;
}

int vma_split_spare(struct mm *mm, uintptr_t addr, struct vma **spare)
{
	struct vma *v = vma_find(mm, addr), *n;

	mutex_assert_held(&mm->lock);
	if (!v || v->start == addr)
		return 0;
	if (mm->nvmas >= READ_ONCE(vm_max_map_count))
		return -ENOMEM;
	n = *spare ? *spare : kmem_cache_alloc(vma_cache, 0);
	if (!n)
		return -ENOMEM;
	*spare = NULL;
	*n = *v;
	n->start = addr;
	if (n->obj) {
		vmobj_get(n->obj);
		n->pgoff += (addr - v->start) / PAGE_SIZE;
	}
	if (n->flags & VMA_IO)
		n->io_pa += addr - v->start;
	v->end = addr;
	list_insert_between(&n->node, &v->node, v->node.next);
	mm->nvmas++;
	return 0;
}

/* True if no VMA overlaps [start, end).  [mm->lock] held. */
static bool range_free(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vma *v;

	mutex_assert_held(&mm->lock);
	v = vma_find_next(mm, start);
	return !v || v->start >= end;
}

/* The highest free gap of len bytes below mm->mmap_top; 0 if none.  [mm->lock] held. */
static uintptr_t vm_find_gap(struct mm *mm, size_t len)
{
	uintptr_t top = mm->mmap_top;
	struct list *pos;

	mutex_assert_held(&mm->lock);
	for (pos = mm->vmas.prev; pos != &mm->vmas; pos = pos->prev) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			break;
		top = v->start;
	}
	if (top < len || top - len < VM_USER_MIN)
		return 0;
	return top - len;
}

static long vm_map_vma(struct mm *mm, struct vma *v, uintptr_t start, size_t len,
		       unsigned prot, unsigned vflags, bool fixed);

/* Unmap [start, end) (page-aligned); 0 or -ENOMEM.  [mm->lock] held. */
static int vm_unmap_locked(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct list *pos, *tmp;
	int err;

	mutex_assert_held(&mm->lock);
	if ((err = vma_split(mm, start)) || (err = vma_split(mm, end)))
		return err;
	list_for_each_safe(pos, tmp, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		vm_remove_pages(mm, v->start, v->end);
		vma_unlink(mm, v);
		vma_free(v);
	}
	return 0;
}

long vm_map(struct mm *mm, uintptr_t start, size_t len, unsigned prot, unsigned vflags,
	    bool fixed)
{
	return vm_map_obj(mm, start, len, prot, vflags, NULL, 0, fixed);
}

long vm_map_io(struct mm *mm, uintptr_t start, size_t len, unsigned prot, paddr_t pa,
	       const char *name, bool fixed)
{
	struct vma *v;
	long ret;

	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return -EINVAL;
	v = kmem_cache_alloc(vma_cache, KM_ZERO);
	if (!v)
		return -ENOMEM;
	v->io_pa = pa;
	v->name = name;
	ret = vm_map_vma(mm, v, start, len, prot, VMA_IO | VMA_SHARED, fixed);
	if (ret < 0)
		vma_free(v);
	return ret;
}

long vm_map_obj(struct mm *mm, uintptr_t start, size_t len, unsigned prot, unsigned vflags,
		struct vmobj *obj, uint64_t pgoff, bool fixed)
{
	struct vma *v;
	long ret;

	if (!len || !IS_ALIGNED(len, PAGE_SIZE) || !IS_ALIGNED(start, PAGE_SIZE) ||
	    len > USER_TOP || start > USER_TOP - len)
		return -EINVAL;
	if (obj && (pgoff > vmobj_size(obj) || len / PAGE_SIZE > vmobj_size(obj) - pgoff))
		return -EINVAL;
	if (obj && (prot & PROT_WRITE) && vmobj_readonly(obj))
		return -EACCES;
	if (!obj && !vm_commit_ok(len, prot, vflags))
		return -ENOMEM;
	v = kmem_cache_alloc(vma_cache, KM_ZERO);
	if (!v)
		return -ENOMEM;
	if (obj) {
		vmobj_get(obj);         /* the VMA's own reference */
		v->obj = obj;
		v->pgoff = pgoff;
		vflags |= VMA_SHARED;
	} else if ((vflags & VMA_SHARED) && !(v->obj = vmobj_create(len / PAGE_SIZE))) {
		vma_free(v);
		return -ENOMEM;
	}
	ret = vm_map_vma(mm, v, start, len, prot, vflags, fixed);
	if (ret < 0)
		vma_free(v);
	return ret;
}

/*
 * Insert the prepared VMA v (its object or device fields set) for
 * [start, start+len) with prot and vflags: at start if fixed (replacing
 * what is there), else there if free, else in the highest free gap.  The
 * address, or -Exxx and v is the caller's to free.
 */
static long vm_map_vma(struct mm *mm, struct vma *v, uintptr_t start, size_t len,
		       unsigned prot, unsigned vflags, bool fixed)
{
	long ret;

	if (!len || !IS_ALIGNED(len, PAGE_SIZE) || !IS_ALIGNED(start, PAGE_SIZE) ||
	    len > USER_TOP || start > USER_TOP - len)
		return -EINVAL;
	mutex_lock(&mm->lock);
	if (mm->nvmas > READ_ONCE(vm_max_map_count)) {
		ret = -ENOMEM;  /* before MAP_FIXED removes anything; ">" as Linux's mmap */
		goto out_unlock;
	}
	if (fixed) {
		if (start < VM_USER_MIN) {
			ret = -EPERM;
			goto out_unlock;
		}
		ret = vm_unmap_locked(mm, start, start + len);
		if (ret)
			goto out_unlock;
	} else if (!start || start < VM_USER_MIN || !range_free(mm, start, start + len)) {
		start = vm_find_gap(mm, len);
		if (!start) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	v->start = start;
	v->end = start + len;
	v->prot = prot;
	v->flags = vflags | mm->def_flags;
	vma_insert(mm, v);
	ret = (long)start;
out_unlock:
	mutex_unlock(&mm->lock);
	return ret;
}

int vm_unmap(struct mm *mm, uintptr_t start, size_t len)
{
	int err;

	if (!IS_ALIGNED(start, PAGE_SIZE) || !len || len > USER_TOP || start > USER_TOP - len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	err = vm_unmap_locked(mm, start, start + len);
	mutex_unlock(&mm->lock);
	return err;
}

int vm_protect(struct mm *mm, uintptr_t start, size_t len, unsigned prot)
{
	uintptr_t end, at;
	struct list *pos;
	int err = 0;

	if (!IS_ALIGNED(start, PAGE_SIZE) || len > USER_TOP || start > USER_TOP - len ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	end = start + ALIGN_UP(len, PAGE_SIZE);
	if (end == start)
		return 0;
	mutex_lock(&mm->lock);
	/* The whole range must be mapped. */
	for (at = start; at < end;) {
		struct vma *v = vma_find(mm, at);
		if (!v) {
			err = -ENOMEM;
			goto out;
		}
		if ((v->flags & VMA_IO) && (prot & PROT_EXEC)) {
			err = -EACCES;  /* device memory is never executable */
			goto out;
		}
		if ((prot & PROT_WRITE) && ((v->obj && vmobj_readonly(v->obj)) ||
					    (v->flags & VMA_NOWRITE))) {
			err = -EACCES;  /* Linux: a mapping that may never be writable */
			goto out;
		}
		at = v->end;
	}
	if ((err = vma_split(mm, start)) || (err = vma_split(mm, end)))
		goto out;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		v->prot = prot;
		vm_protect_pages(mm, v->start, v->end,
				 vm_pmap_prot(prot, v->flags & (VMA_SHARED | VMA_EXO_SHARE)));
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

/* The whole of [start, end) is mapped.  [mm->lock] held. */
static bool vm_range_mapped_locked(struct mm *mm, uintptr_t start, uintptr_t end)
{
	mutex_assert_held(&mm->lock);
	for (uintptr_t at = start; at < end;) {
		struct vma *v = vma_find(mm, at);
		if (!v)
			return false;
		at = v->end;
	}
	return true;
}

bool vm_range_mapped(struct mm *mm, uintptr_t start, size_t len)
{
	bool ok;

	if (len > USER_TOP || start > USER_TOP - len)
		return false;
	mutex_lock(&mm->lock);
	ok = vm_range_mapped_locked(mm, start, start + ALIGN_UP(len, PAGE_SIZE));
	mutex_unlock(&mm->lock);
	return ok;
}

int vm_set_flags(struct mm *mm, uintptr_t start, size_t len, unsigned set, unsigned clear,
		 int (*ok)(const struct vma *v))
{
	uintptr_t end;
	struct list *pos;
	int err = 0;

	if (!IS_ALIGNED(start, PAGE_SIZE) || len > USER_TOP || start > USER_TOP - len)
		return -EINVAL;
	end = start + ALIGN_UP(len, PAGE_SIZE);
	if (end == start)
		return 0;
	mutex_lock(&mm->lock);
	if (!vm_range_mapped_locked(mm, start, end)) {
		err = -ENOMEM;
		goto out;
	}
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end > start && ok && (err = ok(v)))
			goto out;
	}
	if ((err = vma_split(mm, start)) || (err = vma_split(mm, end)))
		goto out;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end > start)
			v->flags = (v->flags & ~clear) | set;
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

int vm_set_flags_all(struct mm *mm, unsigned set, unsigned clear)
{
	struct list *pos;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		v->flags = (v->flags & ~clear) | set;
	}
	mutex_unlock(&mm->lock);
	return 0;
}

size_t vm_bytes_with(struct mm *mm, unsigned flags)
{
	struct list *pos;
	size_t n = 0;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if ((v->flags & flags) == flags)
			n += v->end - v->start;
	}
	mutex_unlock(&mm->lock);
	return n;
}

size_t vm_range_bytes_without(struct mm *mm, uintptr_t start, size_t len, unsigned flags)
{
	uintptr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	struct list *pos;
	size_t n = 0;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end > start && !(v->flags & flags))
			n += MIN(v->end, end) - MAX(v->start, start);
	}
	mutex_unlock(&mm->lock);
	return n;
}

int vm_mincore(struct mm *mm, uintptr_t start, size_t npages, uint8_t *vec)
{
	int err = 0;

	mutex_lock(&mm->lock);
	if (!vm_range_mapped_locked(mm, start, start + npages * PAGE_SIZE))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < npages; i++)
		vec[i] = pmap_lookup(mm->pmap, start + i * PAGE_SIZE, NULL, NULL) ? 1 : 0;
	mutex_unlock(&mm->lock);
	return err;
}

/*
 * Map at new the pages mm has in [old, old+len): the same frames with the
 * same protection, one more reference each (the old mappings keep theirs
 * until the caller removes them).  0, or -ENOMEM with nothing left at new.
 * [mm->lock] held.
 */
static int vm_copy_mappings(struct mm *mm, uintptr_t old, uintptr_t new, size_t len)
{
	mutex_assert_held(&mm->lock);
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		paddr_t pa;
		unsigned prot;

		if (!pmap_lookup(mm->pmap, old + off, &pa, &prot))
			continue;
		if (!(prot & PMAP_IO))
			pmm_page_get(pa);
		if (pmap_enter(mm->pmap, new + off, pa, prot, NULL) < 0) {
			if (!(prot & PMAP_IO))
				pmm_page_put(pa);
			vm_remove_pages(mm, new, new + off);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Only plain private memory (the heap, anonymous and private file maps)
 * can grow or move: shared objects, device memory, the executable's lazily
 * filled image and exokernel pages are tied to their addresses. */
static bool vm_remap_ok(const struct vma *v)
{
	return !v->obj && !(v->flags & (VMA_SHARED | VMA_IO | VMA_IMAGE | VMA_EXO_COW |
					 VMA_EXO_SHARE | VMA_GROWSDOWN));
}

long vm_remap(struct mm *mm, uintptr_t old, size_t old_len, size_t new_len, unsigned flags,
	      uintptr_t want)
{
	bool maymove = flags & VM_REMAP_MAYMOVE, fixed = flags & VM_REMAP_FIXED;
	uintptr_t dst;
	struct vma *v, *nv = NULL;
	long ret;

	if ((flags & ~(VM_REMAP_MAYMOVE | VM_REMAP_FIXED | VM_REMAP_DONTUNMAP)) ||
	    (fixed && !maymove) || ((flags & VM_REMAP_DONTUNMAP) && !maymove) ||
	    !IS_ALIGNED(old, PAGE_SIZE))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len || old_len > USER_TOP || new_len > USER_TOP || old > USER_TOP - old_len)
		return -EINVAL;
	if (fixed && (!IS_ALIGNED(want, PAGE_SIZE) || want > USER_TOP - new_len ||
		      want < VM_USER_MIN || (want < old + old_len && old < want + new_len)))
		return -EINVAL;
	if (flags & VM_REMAP_DONTUNMAP) {
		klog_once(LOG_INFO, "mremap: MREMAP_DONTUNMAP is not supported");
		return -EINVAL;
	}
	mutex_lock(&mm->lock);
	v = vma_find(mm, old);
	if (!v || old_len == 0 || v->end < old + old_len) {
		ret = old_len == 0 ? -EINVAL : -EFAULT;   /* one mapping, all of it */
		goto out;
	}
	if (!vm_remap_ok(v)) {
		klog_once(LOG_INFO, "mremap: only private memory can be remapped");
		ret = -EINVAL;
		goto out;
	}
	if (!fixed && new_len <= old_len) {             /* shrink in place */
		ret = vm_unmap_locked(mm, old + new_len, old + old_len);
		ret = ret ? ret : (long)old;
		goto out;
	}
	if (new_len > old_len && !vm_commit_ok(new_len, v->prot, v->flags)) {
		ret = -ENOMEM;
		goto out;
	}
	/* Grow in place: the VMA ends with the range and what follows is free. */
	if (!fixed && v->end == old + old_len && old + new_len <= USER_TOP &&
	    old + new_len > old && range_free(mm, v->end, old + new_len)) {
		v->end = old + new_len;
		ret = (long)old;
		goto out;
	}
	if (!maymove) {
		ret = -ENOMEM;
		goto out;
	}
	if (mm->nvmas + 2 > READ_ONCE(vm_max_map_count)) {
		ret = -ENOMEM;
		goto out;
	}
	/* Move: a new VMA like the old one, the pages, then the old range goes. */
	if (fixed) {
		if ((ret = vm_unmap_locked(mm, want, want + new_len)))
			goto out;
		dst = want;
		v = vma_find(mm, old);  /* the unmap may have split VMAs */
	} else if (!(dst = vm_find_gap(mm, new_len))) {
		ret = -ENOMEM;
		goto out;
	}
	nv = kmem_cache_alloc(vma_cache, 0);
	if (!nv) {
		ret = -ENOMEM;
		goto out;
	}
	*nv = *v;
	nv->start = dst;
	nv->end = dst + new_len;
	if ((ret = vm_copy_mappings(mm, old, dst, MIN(old_len, new_len)))) {
		vma_free(nv);
		goto out;
	}
	vma_insert(mm, nv);
	ret = vm_unmap_locked(mm, old, old + old_len);
	if (ret) {              /* a split failed: undo the move */
		vm_remove_pages(mm, nv->start, nv->end);
		vma_unlink(mm, nv);
		vma_free(nv);
		goto out;
	}
	ret = (long)dst;        /* a shrinking move copied only what fits */
out:
	mutex_unlock(&mm->lock);
	return ret;
}

bool vm_range_unused(struct mm *mm, uintptr_t start, size_t len)
{
	bool ok;

	mutex_lock(&mm->lock);
	ok = range_free(mm, start, start + len);
	mutex_unlock(&mm->lock);
	return ok;
}

int vm_detach_obj(struct mm *mm, uintptr_t addr, const void *tag, const struct vmobj **out)
{
	struct vmobj *obj;
	uintptr_t end;
	struct list *pos, *tmp;
	struct vma *v;
	int err = 0;

	mutex_lock(&mm->lock);
	v = vma_find(mm, addr);
	if (!v || v->start != addr || !v->obj || v->pgoff || vmobj_tag(v->obj) != tag) {
		err = -EINVAL;
		goto out;
	}
	obj = v->obj;
	*out = obj;
	end = addr + vmobj_size(obj) * PAGE_SIZE;
	/* Every VMA of this object in its attach range (mprotect may have split it). */
	list_for_each_safe(pos, tmp, &mm->vmas) {
		struct vma *w = list_entry(pos, struct vma, node);
		if (w->start >= end)
			break;
		if (w->end <= addr || w->obj != obj)
			continue;
		vm_remove_pages(mm, w->start, w->end);
		vma_unlink(mm, w);
		vma_free(w);
	}
out:
	mutex_unlock(&mm->lock);
	return err;
}

int vm_discard(struct mm *mm, uintptr_t start, size_t len)
{
	uintptr_t end;
	struct list *pos;

	if (!IS_ALIGNED(start, PAGE_SIZE) || len > USER_TOP || start > USER_TOP - len)
		return -EINVAL;
	end = start + ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= end)
			break;
		if (v->end <= start || (v->flags & VMA_SHARED))
			continue;
		vm_remove_pages(mm, MAX(v->start, start), MIN(v->end, end));
	}
	mutex_unlock(&mm->lock);
	return 0;
}

/* Make the page at va privately writable for this mm (copy if shared). [mm->lock] held. */
int vm_make_writable(struct mm *mm, struct vma *v, uintptr_t va, paddr_t pa)
{
	paddr_t old = 0;
	void *copy;

	mutex_assert_held(&mm->lock);
	if (pmm_page_refs(pa) == 1)
		return pmap_enter(mm->pmap, va, pa, vm_pmap_prot(v->prot, true), NULL);
	copy = pmm_alloc_page(PMM_USER);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, arch_phys_to_virt(pa), PAGE_SIZE);
	if (pmap_enter(mm->pmap, va, arch_virt_to_phys(copy), vm_pmap_prot(v->prot, true),
		       &old) < 0) {
		pmm_free_page(copy);
		return -ENOMEM;
	}
	if (old)
		pmm_page_put(old);
	return 0;
}

/*
 * A new page at va of image VMA v gets what exec put there: each segment's
 * file bytes that fall in it (two segments may share a page), zeroes
 * elsewhere.  [mm->lock] held; never sleeps.
 */
static void vm_image_fill(struct mm *mm, uintptr_t va, uint8_t *page)
{
	mutex_assert_held(&mm->lock);
	for (unsigned i = 0; i < mm->nimage; i++) {
		const struct vm_image_seg *s = &mm->image[i];
		uintptr_t from = MAX(va, s->file_start);
		uintptr_t to = MIN(va + PAGE_SIZE, s->file_end);

		if (from < to)
			(void)mm->image_ops->read(mm->image_ctx, page + (from - va), to - from,
						  s->file_off + (from - s->file_start));
	}
}

/* Resolve a fault at page va in v; see vm_fault.  [mm->lock] held. */
static int vm_fault_page(struct mm *mm, struct vma *v, uintptr_t va, unsigned why)
{
	paddr_t pa;
	unsigned pprot;
	void *page;

	mutex_assert_held(&mm->lock);
	if (v->flags & VMA_IO) {
		/* Device memory: the page at its place in the range, uncached. */
		pa = v->io_pa + (va - v->start);
		return pmap_enter(mm->pmap, va, pa, vm_pmap_prot(v->prot, true) | PMAP_IO, NULL);
	}
	if (pmap_lookup(mm->pmap, va, &pa, &pprot)) {
		if ((why & VM_FAULT_WRITE) && !(pprot & PMAP_WRITE))
			return vm_make_writable(mm, v, va, pa);
		return 0;       /* resolved meanwhile by another thread */
	}
	if (v->obj) {
		/* Shared: the object's frame for this page, made on first touch. */
		int err = vmobj_page(v->obj, v->pgoff + (va - v->start) / PAGE_SIZE, &pa);
		if (err)
			return err;
		if (pmap_enter(mm->pmap, va, pa, vm_pmap_prot(v->prot, true), NULL) < 0) {
			pmm_page_put(pa);
			return -ENOMEM;
		}
		return 0;
	}
	page = pmm_alloc_page(PMM_ZERO | PMM_USER);
	if (!page)
		return -ENOMEM;
	if ((v->flags & VMA_IMAGE) && mm->image_ops)
		vm_image_fill(mm, va, page);      /* an image page exec wrote, gone since */
	if (pmap_enter(mm->pmap, va, arch_virt_to_phys(page), vm_pmap_prot(v->prot, true),
		       NULL) < 0) {
		pmm_free_page(page);
		return -ENOMEM;
	}
	return 0;
}

static bool vm_access_ok(const struct vma *v, unsigned why)
{
	if (why & VM_FAULT_WRITE)
		return v->prot & PROT_WRITE;
	if (why & VM_FAULT_EXEC)
		return v->prot & PROT_EXEC;
	return v->prot != PROT_NONE;
}

static int vm_fault_once(struct mm *mm, uintptr_t addr, unsigned why)
{
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vma *v;
	int err;

	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (!v) {
		/* Just below the stack: grow it, within the stack limit. */
		v = vma_find_next(mm, va);
		if (!v || !(v->flags & VMA_GROWSDOWN) || v->end - va > __atomic_load_n(&mm->stack_max, __ATOMIC_RELAXED) ||
		    !range_free(mm, va, v->start)) {
			err = -EFAULT;
			goto out;
		}
		v->start = va;
	}
	if (!vm_access_ok(v, why)) {
		err = -EFAULT;
		goto out;
	}
	err = vm_fault_page(mm, v, va, why);
	if (!err)
		__atomic_fetch_add(&mm->faults, 1, __ATOMIC_RELAXED);
out:
	mutex_unlock(&mm->lock);
	return err;
}

int vm_fault(uintptr_t addr, unsigned why)
{
	struct mm *mm = vm_current();
	unsigned attempt = 0;
	int err;

	if (!mm || addr >= USER_TOP)
		return -EFAULT;
	/* Out of memory: let the killer free some (never holding mm->lock). */
	while ((err = vm_fault_once(mm, addr, why)) == -ENOMEM) {
		if (oom_kill(attempt++))
			break;
	}
	return err;
}

void vm_out_of_memory(uintptr_t addr)
{
	struct thread *t = thread_current();

	klog(LOG_WARN, "%s[%d]: out of memory on a page fault at %lx: killed by signal %d",
	     t->name, t->tid, addr, SIGKILL);
	proc_exit_group(SIGKILL, true);
}

int vm_write_remote(struct mm *mm, uintptr_t va, const void *src, size_t n, bool force)
{
	const uint8_t *s = src;
	int err = 0;

	mutex_lock(&mm->lock);
	while (n) {
		uintptr_t page = ALIGN_DOWN(va, PAGE_SIZE);
		size_t off = va - page, chunk = MIN(n, PAGE_SIZE - off);
		struct vma *v = vma_find(mm, page);
		paddr_t pa;
		unsigned pprot;

		if (!v || (!force && !(v->prot & PROT_WRITE)) || (v->flags & VMA_IO)) {
			err = -EFAULT;
			break;
		}
		if (!pmap_lookup(mm->pmap, page, &pa, &pprot) || !(pprot & PMAP_WRITE) ||
		    pmm_page_refs(pa) != 1) {
			err = vm_fault_page(mm, v, page, VM_FAULT_WRITE);
			if (err)
				break;
			if (!pmap_lookup(mm->pmap, page, &pa, &pprot)) {
				err = -EFAULT;
				break;
			}
		}
		memcpy((uint8_t *)arch_phys_to_virt(pa) + off, s, chunk);
		s += chunk;
		va += chunk;
		n -= chunk;
		sched_cond_resched();     /* exec copies whole images through here */
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* A fork child describes the same image (its own copy of the path). */
static void vm_copy_exe_info(struct mm *child, const struct mm *mm)
{
	child->start_code = mm->start_code;
	child->end_code = mm->end_code;
	child->start_data = mm->start_data;
	child->end_data = mm->end_data;
	child->start_stack = mm->start_stack;
	child->arg_start = mm->arg_start;
	child->arg_end = mm->arg_end;
	child->env_start = mm->env_start;
	child->env_end = mm->env_end;
	memcpy(child->image, mm->image, sizeof(child->image));
	child->nimage = mm->nimage;
	if (mm->image_ops)
		vm_set_image_source(child, mm->image_ops, mm->image_ctx);
	child->exe_dev = mm->exe_dev;
	child->exe_ino = mm->exe_ino;
	if (mm->exe_path)
		(void)vm_set_exe_path(child, mm->exe_path);  /* NULL: unknown */
}

void vm_set_image_source(struct mm *mm, const struct vm_image_ops *ops, void *ctx)
{
	ops->get(ctx);
	if (mm->image_ops)
		mm->image_ops->put(mm->image_ctx);
	mm->image_ops = ops;
	mm->image_ctx = ctx;
}

int vm_set_exe_path(struct mm *mm, const char *path)
{
	size_t len = strlen(path) + 1;
	char *copy = kmalloc(len, 0);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, path, len);
	kfree(mm->exe_path);
	mm->exe_path = copy;
	return 0;
}

size_t vm_read_remote(struct mm *mm, uintptr_t va, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < n) {
		uintptr_t page = ALIGN_DOWN(va, PAGE_SIZE);
		size_t off = va - page, chunk = MIN(n - done, PAGE_SIZE - off);
		paddr_t pa;
		unsigned pprot;

		const struct vma *v = va < VM_USER_MIN || va >= USER_TOP ? NULL : vma_find(mm, page);

		/* Device memory is the driver's alone to touch. */
		if (!v || (v->flags & VMA_IO) || !pmap_lookup(mm->pmap, page, &pa, &pprot))
			break;
		memcpy(d + done, (const uint8_t *)arch_phys_to_virt(pa) + off, chunk);
		done += chunk;
		va += chunk;
	}
	mutex_unlock(&mm->lock);
	return done;
}

void vm_walk_vmas(struct mm *mm, void (*fn)(void *ctx, const struct vma *v), void *ctx)
{
	struct list *pos;

	mutex_lock(&mm->lock);
	list_for_each(pos, &mm->vmas)
		fn(ctx, list_entry(pos, struct vma, node));
	mutex_unlock(&mm->lock);
}

static void vm_usage_add(void *ctx, const struct vma *v)
{
	struct vm_usage *u = ctx;
	size_t len = v->end - v->start;

	u->total += len;
	if (v->flags & VMA_GROWSDOWN)
		u->stack += len;
	else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
		u->data += len;
	if (v->prot & PROT_EXEC)
		u->exec += len;
	if (v->flags & VMA_LOCKED)
		u->locked += len;
}

void vm_usage_get(struct mm *mm, struct vm_usage *u)
{
	memset(u, 0, sizeof(*u));
	vm_walk_vmas(mm, vm_usage_add, u);
	u->resident = vm_resident(mm) * PAGE_SIZE;
}

/* vm_fork and vm_fork_layout: a copy of mm's mappings, with its pages
 * shared copy-on-write (pages) or with none. */
static struct mm *vm_fork_common(struct mm *mm, bool pages)
{
	struct mm *child = vm_create();
	struct list *pos;
	int err = 0;

	if (!child)
		return NULL;
	mutex_lock(&mm->lock);
	child->brk_start = mm->brk_start;
	child->brk = mm->brk;
	child->mmap_top = mm->mmap_top;
	child->stack_top = mm->stack_top;
	child->stack_max = mm->stack_max;
	vm_copy_exe_info(child, mm);
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		if (pages && (v->flags & VMA_DONTFORK))
			continue;       /* madvise(MADV_DONTFORK): not in the child */
		struct vma *c = kmem_cache_alloc(vma_cache, 0);
		bool cow = !(v->flags & (VMA_SHARED | VMA_EXO_SHARE));
		uintptr_t va = v->start;

		if (!c) {
			err = -ENOMEM;
			break;
		}
		*c = *v;
		c->flags &= ~VMA_LOCKED;        /* mlock is not inherited */
		if (c->obj)
			vmobj_get(c->obj);
		list_add_tail(&child->vmas, &c->node);   /* same order as parent */
		child->nvmas++;
		if (!pages || (v->flags & VMA_WIPEONFORK))
			continue;       /* WIPEONFORK: the child's range reads as zeroes */
		/*
		 * Share the pages; private ones lose write access in both, so
		 * that a write after the copy began (other threads keep running:
		 * fork yields between steps) faults and copies.
		 */
		while (va < v->end && !err) {
			va = pmap_copy_some(child->pmap, mm->pmap, va, v->end, cow, &err);
			sched_cond_resched();
		}
		if (err)
			break;
		/* A big address space takes a while: let others run, stop if killed. */
		if (signal_checkpoint()) {
			err = -EINTR;
			break;
		}
	}
	mutex_unlock(&mm->lock);
	if (err) {
		vm_put(child);
		return NULL;
	}
	return child;
}

struct mm *vm_fork(struct mm *mm)
{
	return vm_fork_common(mm, true);
}

struct mm *vm_fork_layout(struct mm *mm)
{
	return vm_fork_common(mm, false);
}
