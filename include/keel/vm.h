/*
 * keel/vm.h - address spaces, machine-independent part (kernel/mm/vm.c).
 *
 * An mm is a sorted list of VMAs (virtual memory areas) and a pmap (the
 * page tables).  Frames are allocated on demand by the fault handler:
 * demand-zero for anonymous memory, copy-on-write after fork, growth of
 * the stack VMA downwards within its limit.  Every mapping of a frame holds
 * one reference to it (pmm_page_get/put), so a frame is freed exactly when
 * its last mapping goes.
 *
 * Lock key (tags as in docs/locking.md): [mm->lock] the address space's
 * sleeping mutex (VMAs, brk, page-table changes), [lock] in struct mm; [A]
 * atomic; [I] immutable.  Never touch user memory (copy_*_user) while holding
 * mm->lock: the fault handler takes it.
 */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/mutex.h>
#include <keel/refcount.h>
#include <keel/pmm.h>

/* Linux protection and mmap flag values (our ABI). */
#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4
#define MAP_SHARED     0x01
#define MAP_PRIVATE    0x02
#define MAP_FIXED      0x10
#define MAP_ANONYMOUS  0x20
#define MAP_GROWSDOWN  0x0100
#define MAP_DENYWRITE  0x0800
#define MAP_NORESERVE  0x4000
#define MAP_POPULATE   0x8000
#define MAP_STACK      0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define VMA_GROWSDOWN  (1u << 0)   /* the stack: faults just below extend it */
#define VMA_SHARED     (1u << 1)   /* MAP_SHARED anonymous: a vmobj filled on fault, shared by fork */
#define VMA_HEAP       (1u << 2)   /* the brk area */
#define VMA_NORESERVE  (1u << 3)   /* MAP_NORESERVE: not held to the commit limit */
/* Bits user space keeps per page with the exokernel calls (kernel/mm/vm_exo.c):
 * reported back, never acted on, except that fork(2) shares EXO_SHARE pages. */
#define VMA_EXO_COW    (1u << 4)
#define VMA_EXO_SHARE  (1u << 5)
/* A segment of the executable mapped by exec: a page missing here (an
 * exo_fork child's) is filled from the file (mm->image_src) on fault. */
#define VMA_IMAGE      (1u << 6)
/*
 * Device memory (a PCI BAR, vm_map_io): page i of the VMA is the physical
 * page io_pa + i * PAGE_SIZE, mapped uncached (PMAP_IO) on fault.  Never a
 * RAM frame: no reference is taken or dropped, it is not resident memory,
 * fork shares it (it is also VMA_SHARED), the exokernel page calls refuse
 * it, and the kernel never reads or writes it for user space (remote
 * reads and writes, futex words).
 */
#define VMA_IO         (1u << 7)
/* mlock: counted in /proc/PID/status VmLck and against RLIMIT_MEMLOCK; not
 * inherited by fork.  Keel never pages out, so nothing else changes. */
#define VMA_LOCKED     (1u << 8)
/* madvise: fork leaves the range out of the child (MADV_DONTFORK), or gives
 * the child the range empty, reading as zeroes (MADV_WIPEONFORK). */
#define VMA_DONTFORK   (1u << 9)
#define VMA_WIPEONFORK (1u << 10)
/* Never writable (shmat SHM_RDONLY: Linux's missing VM_MAYWRITE):
 * mprotect asking for PROT_WRITE gets -EACCES. */
#define VMA_NOWRITE    (1u << 11)

#define VM_STACK_MAX   (8ul << 20)          /* RLIMIT_STACK default: 8 MiB */
#define VM_STACK_MIN   (128ul << 10)        /* the least stack_max (what exec maps) */
#define VM_USER_MIN    0x10000ul            /* nothing is mapped below 64 KiB */

/* A page range of the address space filled from the executable's file at
 * offset off (/proc/PID/maps names it). */
#define VM_IMAGE_SEGS 8
struct vm_image_seg {
	uintptr_t start, end;     /* page-aligned */
	uint64_t off;             /* file offset of start */
	uintptr_t file_start;     /* the segment's file bytes lie at [file_start, */
	uintptr_t file_end;       /* file_end), from file offset file_off: what */
	uint64_t file_off;        /* exec copied; the rest of its pages are zeroes */
};

/*
 * Where the executable's bytes come from, for refilling a missing image
 * page on fault exactly as exec filled it: read(ctx, buf, n, off) copies n
 * bytes of the file at off into kernel memory (bytes copied or -Exxx).  It
 * is called with mm->lock held, possibly inside a user copy made under a
 * file's lock, so it must neither sleep nor take locks: exec keeps the
 * bytes in memory (kernel/proc/exec.c).  get/put take and drop a
 * reference to ctx.  Shared by fork.
 */
struct vm_image_ops {
	long (*read)(void *ctx, void *buf, size_t n, uint64_t off);
	void (*get)(void *ctx);
	void (*put)(void *ctx);
};

struct pmap;
struct file;
struct vmobj;

struct vma {
	uintptr_t start, end;     /* [mm->lock] page-aligned, end exclusive */
	unsigned prot;            /* [mm->lock] PROT_* */
	unsigned flags;           /* [mm->lock] VMA_* */
	struct vmobj *obj;        /* [mm->lock] VMA_SHARED: the frames (one reference per VMA) */
	uint64_t pgoff;           /* [mm->lock] page of obj mapped at start */
	paddr_t io_pa;            /* [mm->lock] VMA_IO: physical address mapped at start */
	const char *name;         /* [mm->lock] a permanent string /proc/PID/maps shows
				   * (a device's path), or NULL */
	struct list node;         /* [mm->lock] mm->vmas, sorted by start */
};

/*
 * VMAs an address space may have: mmap, mprotect and munmap that would
 * need more fail with -ENOMEM.  vm_max_map_count ([A]) starts at Linux's
 * default and is /proc/sys/vm/max_map_count (root may write it).
 */
#define VM_MAX_MAP_COUNT 65530
extern unsigned vm_max_map_count;
/* Set it (1 .. INT_MAX): 0 or -EINVAL. */
int vm_set_max_map_count(unsigned long n);

struct mm {
	struct mutex lock;
	struct pmap *pmap;        /* [I] */
	struct list vmas;         /* [lock] */
	unsigned nvmas;           /* [lock] VMAs on vmas, at most VM_MAX_MAP_COUNT */
	unsigned def_flags;       /* [lock] flags every new VMA gets (mlockall's
				   * MCL_FUTURE: VMA_LOCKED); fork and exec clear them */
	uintptr_t brk_start;      /* [lock] start of the heap (end of the image) */
	uintptr_t brk;            /* [lock] current program break */
	uintptr_t mmap_top;       /* [lock] mmap allocates downward from here */
	uintptr_t stack_top;      /* [lock] */
	size_t stack_max;         /* [A] how far the stack may grow down (RLIMIT_STACK) */
	refcount_t refs;          /* [A] references: threads and temporary holders */
	unsigned users;           /* [A] threads running in mm that have not exited;
				   * not a refcount_t: it starts at 0 and reaching 0
				   * empties mm (vm_clear) but does not free it */
	uint64_t faults;          /* [A] page faults handled (statistics) */
	/*
	 * What exec loaded where, for /proc (stat, cmdline, environ, maps):
	 * set by exec before the mm runs and copied by fork, [I] after.
	 * exe_path is the executable's absolute path (kmalloc'd, the mm's
	 * own; NULL if unknown), exe_dev/exe_ino its st_dev/st_ino.
	 */
	uintptr_t start_code, end_code, start_data, end_data, start_stack;
	uintptr_t arg_start, arg_end, env_start, env_end;
	struct vm_image_seg image[VM_IMAGE_SEGS]; /* the file's mapped pages */
	unsigned nimage;
	char *exe_path;
	const struct vm_image_ops *image_ops;   /* NULL: no source (fill with zeroes) */
	void *image_ctx;
	uint32_t exe_dev;
	uint64_t exe_ino;
};

/* Sizes of an address space in bytes (/proc/PID/status, statm). */
struct vm_usage {
	size_t total;             /* every VMA (VmSize) */
	size_t stack;             /* growsdown VMAs (VmStk) */
	size_t exec;              /* executable VMAs (VmExe) */
	size_t data;              /* private writable, not stack (VmData) */
	size_t resident;          /* mapped pages and page tables (VmRSS) */
	size_t locked;            /* mlock'd VMAs (VmLck) */
};

/* Boot: create the caches. */
void vm_init(void);
/* A new empty address space; NULL when out of memory. */
struct mm *vm_create(void);
/* Take / drop a reference; the last put frees VMAs, frames and page tables. */
void vm_get(struct mm *mm);
void vm_put(struct mm *mm);
/*
 * A thread starts running in mm (it holds a reference of its own) / has
 * exited or exec'd away from it.  When the last user leaves, every user
 * page and VMA is freed at once, before the exit is visible to a parent's
 * wait (as Linux's mm_users); the mm itself lives until the last put.
 */
void vm_user_enter(struct mm *mm);
void vm_user_leave(struct mm *mm);
/* A copy-on-write copy of mm for fork; NULL when out of memory. */
struct mm *vm_fork(struct mm *mm);
/* A copy of mm's mappings (ranges, protections, shared objects) with no
 * page present in any (exo_fork); NULL when out of memory. */
struct mm *vm_fork_layout(struct mm *mm);

/*
 * Page-level operations for the exokernel calls (kernel/mm/vm_exo.c).
 * perm is in the EXO_PERM_* bits of <uapi/keel/exo.h>; va page-aligned in
 * the user range (the callers check).
 *
 * vm_exo_place: map frame pa at va with exactly perm, replacing the page
 * there; the page's part of a mapping becomes a one-page mapping of its
 * own with that protection (as mprotect would), or a new one outside any
 * mapping.  Takes over the caller's reference to pa on success.  0 or
 * -ENOMEM (then nothing changed).
 * vm_exo_get: the frame at va with one more reference and its perm bits;
 * want_write first makes the page privately writable (a kernel
 * copy-on-write copy).  0, -EFAULT (no page), -EACCES (want_write of a
 * read-only page, or any access to a PROT_NONE one), -ENOMEM.
 * vm_exo_perm: the perm bits of the page at va, or -ENOENT.
 * vm_exo_scan: the present pages in [*start, end) into out[0..max), in
 * address order, leaving out PROT_NONE mappings (no access to give away);
 * returns how many and sets *start past the last.
 */
struct exo_page_info;
int vm_exo_place(struct mm *mm, uintptr_t va, paddr_t pa, unsigned perm);
int vm_exo_get(struct mm *mm, uintptr_t va, bool want_write, paddr_t *pa, unsigned *perm);
int vm_exo_perm(struct mm *mm, uintptr_t va);
unsigned vm_exo_scan(struct mm *mm, uintptr_t *start, uintptr_t end,
		     struct exo_page_info *out, unsigned max);
/* True if a mapping of mm allows the PROT_* accesses prot at va (an upcall
 * entry: PROT_EXEC; the page below an exception stack: PROT_WRITE). */
bool vm_exo_allows(struct mm *mm, uintptr_t va, unsigned prot);
/* Load mm on this CPU (NULL: the kernel bootstrap tables).  Interrupts off. */
void vm_switch(struct mm *mm);

/*
 * Map [start, start+len) with prot, optionally at a fixed address; returns
 * the address or -Exxx.  len and start must be page multiples.  Used by
 * exec (image, stack) and by mmap.
 */
long vm_map(struct mm *mm, uintptr_t start, size_t len, unsigned prot, unsigned vflags,
	    bool fixed);
/*
 * The same for a shared mapping of an existing object (a device's memory):
 * pages pgoff.. of obj, which must hold len bytes from there.  The VMA takes
 * its own reference to obj; the caller keeps (and later drops) its own.
 */
long vm_map_obj(struct mm *mm, uintptr_t start, size_t len, unsigned prot, unsigned vflags,
		struct vmobj *obj, uint64_t pgoff, bool fixed);
/*
 * The same for device memory: [pa, pa+len) (page-aligned, not RAM: the
 * caller, a device's mmap, vouches for it) as a VMA_IO mapping named name
 * (a string that lives forever, or NULL).  The address or -Exxx.
 */
long vm_map_io(struct mm *mm, uintptr_t start, size_t len, unsigned prot, paddr_t pa,
	       const char *name, bool fixed);
/* Remove every mapping in [start, start+len); 0 or -Exxx. */
int vm_unmap(struct mm *mm, uintptr_t start, size_t len);
/* Change the protection of [start, start+len); 0 or -ENOMEM (a hole) / -EINVAL. */
int vm_protect(struct mm *mm, uintptr_t start, size_t len, unsigned prot);
/*
 * Set and clear VMA flags (VMA_LOCKED, VMA_DONTFORK, VMA_WIPEONFORK) on
 * [start, start+len), splitting VMAs at its ends.  The whole range must be
 * mapped (-ENOMEM); ok (may be NULL) vets each VMA first (its error, e.g.
 * -EINVAL for MADV_WIPEONFORK on a shared mapping, leaves all unchanged).
 * start must be page-aligned (-EINVAL).  May sleep.
 */
int vm_set_flags(struct mm *mm, uintptr_t start, size_t len, unsigned set, unsigned clear,
		 int (*ok)(const struct vma *v));
/* The same on every VMA (mlockall, munlockall); 0. */
int vm_set_flags_all(struct mm *mm, unsigned set, unsigned clear);
/* Bytes of mm in VMAs with all of flags (VmLck: VMA_LOCKED). */
size_t vm_bytes_with(struct mm *mm, unsigned flags);
/* Bytes of [start, start+len) (page-aligned) in VMAs without flags. */
size_t vm_range_bytes_without(struct mm *mm, uintptr_t start, size_t len, unsigned flags);
/* Is all of [start, start+len) mapped?  (start page-aligned) */
bool vm_range_mapped(struct mm *mm, uintptr_t start, size_t len);
/*
 * mremap: resize or move [old, old+old_len), one private mapping (shared
 * objects, device memory, the image and the stack: -EINVAL), in place when
 * it can, else, with VM_REMAP_MAYMOVE, to a free range or to want
 * (VM_REMAP_FIXED); the pages move with their frames.  Returns the new
 * address, or -EINVAL, -EFAULT (not one mapping), -ENOMEM.  May sleep.
 */
#define VM_REMAP_MAYMOVE   1
#define VM_REMAP_FIXED     2
#define VM_REMAP_DONTUNMAP 4
long vm_remap(struct mm *mm, uintptr_t old, size_t old_len, size_t new_len, unsigned flags,
	      uintptr_t want);
/* Is nothing mapped in [start, start+len)? */
bool vm_range_unused(struct mm *mm, uintptr_t start, size_t len);
/*
 * shmdt: unmap the attach of an object made with vmobj_set_tag(tag) that
 * starts at addr (the VMAs of that object in its span); *out names the
 * object (for comparison only: it may be gone once this returns).  -EINVAL
 * if no such attach starts there.
 */
struct vmobj;
int vm_detach_obj(struct mm *mm, uintptr_t addr, const void *tag, const struct vmobj **out);
/* mincore: vec[i] = 1 if page i of [start, ...) is in memory, for npages
 * pages; -ENOMEM if any is unmapped. */
int vm_mincore(struct mm *mm, uintptr_t start, size_t npages, uint8_t *vec);
/* Drop the private pages of [start, start+len): they read as zero again. */
int vm_discard(struct mm *mm, uintptr_t start, size_t len);
/*
 * Copy n bytes into mm at va from the kernel, allocating pages as needed
 * (exec fills the image and the stack of an mm that is not loaded).  The
 * range must lie in VMAs that allow writing, unless force (the kernel
 * filling read-only mappings it creates: exec, file mmap); 0 or
 * -EFAULT/-ENOMEM.
 */
int vm_write_remote(struct mm *mm, uintptr_t va, const void *src, size_t n, bool force);

/* What a fault handler is told. */
#define VM_FAULT_WRITE   (1u << 0)
#define VM_FAULT_EXEC    (1u << 1)
#define VM_FAULT_USER    (1u << 2)   /* the access came from user mode */
#define VM_FAULT_PRESENT (1u << 3)   /* a protection fault on a present page */

/*
 * A user page fault could not be given a frame even after the
 * out-of-memory killer ran (the faulting process is its victim, or there
 * is none): log it and end the current process with SIGKILL.  Interrupts on.
 */
void vm_out_of_memory(uintptr_t addr) __noreturn;
/*
 * Resolve a fault at addr in the current thread's address space: 0 if the
 * access can be retried, -EFAULT if it is invalid (SIGSEGV), -ENOMEM if no
 * frame could be had (the out-of-memory killer has already chosen a victim
 * and waited for it; see kernel/mm/oom.c).  May sleep.
 */
int vm_fault(uintptr_t addr, unsigned why);

/* True if va lies in a MAP_SHARED mapping of mm. */
bool vm_is_shared(struct mm *mm, uintptr_t va);
/* True if a mapping of mm covers va, whatever its protection (SIGSEGV's
 * SEGV_ACCERR vs SEGV_MAPERR).  May sleep. */
bool vm_is_mapped(struct mm *mm, uintptr_t va);
/* The physical address behind user va in mm, if mapped. */
bool vm_translate(struct mm *mm, uintptr_t va, uint64_t *pa);
/* Physical root of mm's page tables (diagnostics). */
uint64_t vm_pmap_root(struct mm *mm);
/* Pages mm holds: mapped user pages and page tables (racy snapshot, for the
 * out-of-memory killer). */
unsigned long vm_resident(struct mm *mm);
/* How far mm's stack may grow (RLIMIT_STACK; kept within the stack area).
 * Any context; never sleeps. */
void vm_set_stack_max(struct mm *mm, uint64_t bytes);
/* Bytes mapped in mm (every VMA: RLIMIT_AS, VmSize).  Takes mm->lock. */
size_t vm_size(struct mm *mm);

/*
 * Read n bytes at user address va of mm (any address space, loaded or
 * not) into the kernel buffer dst, through the frames mapped there: the
 * bytes read, stopping short at the first page that is not mapped (nothing
 * is faulted in).  Takes mm->lock; may sleep.  /proc/PID/cmdline, environ.
 */
size_t vm_read_remote(struct mm *mm, uintptr_t va, void *dst, size_t n);
/*
 * Call fn(ctx, v) for each VMA of mm in address order, with mm->lock held:
 * fn must not sleep, fault or take mm->lock (it may fill a kernel buffer).
 * May sleep.
 */
void vm_walk_vmas(struct mm *mm, void (*fn)(void *ctx, const struct vma *v), void *ctx);
/* mm's sizes (racy snapshot).  May sleep. */
void vm_usage_get(struct mm *mm, struct vm_usage *u);
/* Record the executable's absolute path (copied) in a new mm: 0 or -ENOMEM. */
int vm_set_exe_path(struct mm *mm, const char *path);
/* Record where a new mm's image comes from (takes a reference to ctx). */
void vm_set_image_source(struct mm *mm, const struct vm_image_ops *ops, void *ctx);

#endif
