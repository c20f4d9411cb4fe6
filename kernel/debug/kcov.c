/*
 * kcov.c - per-thread kernel code coverage behind /dev/kcov, with Linux's
 * kcov interface (see keel/kcov.h for the user-side protocol).
 *
 * In a KCOV=1 build the compiler puts a call to __sanitizer_cov_trace_pc()
 * at the start of every basic block of the instrumented files (the Makefile
 * lists which: not this file, not the entry, trap, switch and early-boot
 * paths, not the scheduler and lock internals).  The hook costs one load
 * and a branch while no thread anywhere has coverage enabled; otherwise it
 * looks at the running thread's kcov pointer and, if set, appends the
 * call's return address to that thread's buffer.  It records nothing in
 * interrupt handlers (cpu->in_irq) or when the CPU runs no thread, calls
 * nothing that is instrumented, and never sleeps or takes a lock.
 *
 * One open of /dev/kcov is one struct kcov, created by KCOV_INIT_TRACE and
 * hung on the file (file->priv, set once).  Its buffer is order-0 frames,
 * wrapped in a vmobj that mmap hands to the VMA code (so a MAP_SHARED
 * mapping shows the same frames); the kernel writes them through the
 * direct map, one page pointer per page.  Word 0 is the count, words 1..
 * the PCs; the hook never writes past the buffer whatever user space
 * stores in the count.
 *
 * Lifetime: the file holds one reference and a thread that enabled
 * coverage holds another, so closing the file while enabled is safe; the
 * last reference frees the object, the buffer pages and the page array.
 * KCOV_ENABLE and KCOV_DISABLE act on the calling thread only; a thread's
 * coverage ends when it exits (kcov_thread_exit from thread_exit).
 *
 * Locking: kcov->lock (a leaf spinlock) guards owner; thread->kcov is
 * written only by its own thread ([C]) and read by the hook on that
 * thread; kcov_active and refs are atomic; the rest is immutable once the
 * object is published in file->priv.
 */
#include <keel/kcov.h>
#include <keel/fd.h>
#include <keel/cpu.h>
#include <keel/thread.h>
#include <keel/vmobj.h>
#include <keel/vm.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/refcount.h>
#include <keel/spinlock.h>
#include <keel/klog.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define KCOV_WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

struct kcov {
	struct spinlock lock;
	refcount_t refs;                /* [A] the file + an enabled thread */
	struct thread *owner;           /* [lock] the thread recording, or NULL */
	uint64_t nwords;                /* [I] buffer size in words, count included */
	uint64_t npages;                /* [I] */
	uint64_t **pages;               /* [I] direct-map address of each buffer page */
	struct vmobj *obj;              /* [I] the same frames, for mmap */
};

static unsigned kcov_active;            /* [A] threads with coverage enabled */

/* ---------------------------------------------------------------- the hook */

/* The slow path of the hook: some thread somewhere has coverage on. */
static __attribute__((noinline)) void kcov_record(uintptr_t pc)
{
	struct cpu *c = this_cpu();
	struct thread *t;
	struct kcov *k;
	uint64_t *head, pos;

	if (c->in_irq)
		return;
	t = c->thread;
	if (!t)
		return;
	k = READ_ONCE(t->kcov);
	if (!k)
		return;
	head = k->pages[0];
	pos = READ_ONCE(head[0]) + 1;   /* user space may have stored anything */
	if (pos >= k->nwords)
		return;
	k->pages[pos / KCOV_WORDS_PER_PAGE][pos % KCOV_WORDS_PER_PAGE] = pc;
	WRITE_ONCE(head[0], pos);
}

void __sanitizer_cov_trace_pc(void)
{
	if (likely(!__atomic_load_n(&kcov_active, __ATOMIC_RELAXED)))
		return;
	kcov_record((uintptr_t)__builtin_return_address(0));
}

/* ---------------------------------------------------------------- objects */

static void kcov_free_pages(struct kcov *k, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		pmm_page_put(arch_virt_to_phys(k->pages[i]));
}

static void kcov_put(struct kcov *k)
{
	if (!refcount_put(&k->refs))
		return;
	vmobj_put(k->obj);              /* the object's references free the frames */
	kfree(k->pages);
	kfree(k);
}

/* A new object with a zeroed buffer of nwords words; 0 or -ENOMEM. */
static int kcov_create(uint64_t nwords, struct kcov **out)
{
	struct kcov *k;
	paddr_t *frames;
	uint64_t i;
	int err = -ENOMEM;

	k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	spin_init(&k->lock, "kcov");
	refcount_init(&k->refs, 1);
	k->nwords = nwords;
	k->npages = ALIGN_UP(nwords, KCOV_WORDS_PER_PAGE) / KCOV_WORDS_PER_PAGE;
	k->pages = kmalloc(k->npages * sizeof(*k->pages), 0);
	frames = kmalloc(k->npages * sizeof(*frames), 0);
	if (!k->pages || !frames)
		goto out_free;
	for (i = 0; i < k->npages; i++) {
		k->pages[i] = pmm_alloc_page(PMM_ZERO | PMM_USER);
		if (!k->pages[i])
			goto out_pages;
		frames[i] = arch_virt_to_phys(k->pages[i]);
	}
	k->obj = vmobj_create_frames(frames, k->npages);
	if (!k->obj)
		goto out_pages;
	err = 0;
	/* The object holds its own references now; ours are not needed. */
out_pages:
	kcov_free_pages(k, i);
out_free:
	kfree(frames);
	if (err) {
		kfree(k->pages);
		kfree(k);
		return err;
	}
	*out = k;
	return 0;
}

static struct kcov *kcov_of(struct file *f)
{
	return __atomic_load_n((struct kcov **)&f->priv, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- ioctls */

static long kcov_init_trace(struct file *f, uintptr_t words)
{
	struct kcov *k, *none = NULL;
	int err;

	if (words < KCOV_MIN_WORDS || words > KCOV_MAX_WORDS)
		return -EINVAL;
	if (kcov_of(f))
		return -EBUSY;
	err = kcov_create(words, &k);
	if (err)
		return err;
	/* Two racing KCOV_INIT_TRACEs: one wins, the other is a double init. */
	if (!__atomic_compare_exchange_n((struct kcov **)&f->priv, &none, k, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kcov_put(k);
		return -EBUSY;
	}
	return 0;
}

static long kcov_enable(struct kcov *k, uintptr_t mode)
{
	struct thread *t = thread_current();
	long ret = 0;

	if (mode != KCOV_TRACE_PC)
		return -EINVAL;
	if (t->kcov)
		return -EBUSY;          /* this thread records into another buffer */
	spin_lock(&k->lock);
	if (k->owner) {
		ret = -EBUSY;
		goto out_unlock;
	}
	k->owner = t;
	refcount_get(&k->refs);        /* the thread's */
	WRITE_ONCE(t->kcov, k);
	__atomic_fetch_add(&kcov_active, 1, __ATOMIC_RELAXED);
out_unlock:
	spin_unlock(&k->lock);
	return ret;
}

/* End t's coverage (t is the current thread, recording into k). */
static void kcov_stop(struct thread *t, struct kcov *k)
{
	spin_lock(&k->lock);
	k->owner = NULL;
	spin_unlock(&k->lock);
	WRITE_ONCE(t->kcov, NULL);
	__atomic_fetch_sub(&kcov_active, 1, __ATOMIC_RELAXED);
	kcov_put(k);
}

static long kcov_disable(struct kcov *k, uintptr_t arg)
{
	struct thread *t = thread_current();

	if (arg != 0 || t->kcov != k)
		return -EINVAL;         /* not enabled, or by another thread */
	kcov_stop(t, k);
	return 0;
}

static long kcov_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct kcov *k;

	/* Linux's ioctl command is an unsigned int: musl's int sign-extends
	 * KCOV_INIT_TRACE, so only the low 32 bits count. */
	cmd = (uint32_t)cmd;
	if (cmd == KCOV_INIT_TRACE)
		return kcov_init_trace(f, arg);
	if (cmd != KCOV_ENABLE && cmd != KCOV_DISABLE)
		return -ENOTTY;
	k = kcov_of(f);
	if (!k)
		return -EINVAL;         /* no KCOV_INIT_TRACE yet */
	return cmd == KCOV_ENABLE ? kcov_enable(k, arg) : kcov_disable(k, arg);
}

/* ---------------------------------------------------------------- file ops */

static int kcov_mmap(struct file *f, uint64_t off, size_t len, unsigned flags,
		     struct vmobj **obj)
{
	struct kcov *k = kcov_of(f);

	if (!k)
		return -EINVAL;         /* mmap before KCOV_INIT_TRACE */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED || off != 0 ||
	    len != ALIGN_UP(k->nwords * sizeof(uint64_t), PAGE_SIZE))
		return -EINVAL;
	vmobj_get(k->obj);
	*obj = k->obj;
	return 0;
}

static void kcov_release(struct file *f)
{
	struct kcov *k = kcov_of(f);

	if (k)
		kcov_put(k);            /* a thread still recording keeps it */
}

const struct file_ops kcov_fops = {
	.ioctl = kcov_ioctl,
	.mmap = kcov_mmap,
	.release = kcov_release,
};

/* ---------------------------------------------------------------- the rest */

bool kcov_built_in(void)
{
	return KEEL_KCOV;
}

void kcov_note_missing(void)
{
	klog_once(LOG_INFO, "kcov: /dev/kcov needs a kernel built with make KCOV=1");
}

void kcov_thread_exit(struct thread *t)
{
	struct kcov *k = t->kcov;

	if (k)
		kcov_stop(t, k);
}
