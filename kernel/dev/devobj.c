/*
 * devobj.c - device objects: interrupt lines handed to user-space drivers
 * (keel/devobj.h, <keel/devobj.h>, docs/drivers.md).
 *
 * /dev/irqN is ISA line N.  Opening it attaches the opener as the line's
 * driver: a device object is made (one zeroed page, struct keel_devobj)
 * and the line's handler becomes devobj_irq (irq_takeover: a kernel driver
 * that yields, the PS/2 keyboard, steps aside until the last close).  On
 * each interrupt devobj_irq, in interrupt context on whatever CPU took it,
 * counts it in the page, masks a level-triggered line, and wakes the
 * driver's readers, pollers and futex waiters.
 *
 * The Twizzler seed bug was a kernel writing its device representation
 * through the page tables that happened to be loaded (a dead thread's).
 * Here the kernel writes the page only through its own direct mapping of
 * the frame (d->page, from arch_phys_to_virt), which is valid in every
 * address space and on a CPU with no thread at all; user mappings of it
 * are read-only (vmobj_set_device) and only ever read by the driver.
 *
 * Lifetime: the open file owns the devobj.  The handler runs only between
 * irq_takeover and irq_free (keel/irq.h: once irq_free returns it runs
 * nowhere), so release detaches first and frees after.  The page itself
 * is a frame the vmobj references, so a mapping that outlives the file
 * keeps a frozen, valid page.
 *
 * Lock key: [devobj_mutex] attachments (devobj_lines); [lock] a devobj's
 * own spinlock, taken inside the line's irq_desc lock by the handler:
 * order irq_desc -> devobj lock -> waitq / futex bucket.  [I] set before
 * the handler is attached.  [A] atomic.
 */
#include <keel/devobj.h>
#include <keel/cpu.h>
#include <keel/fd.h>
#include <keel/futex.h>
#include <keel/initcall.h>
#include <keel/irq.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/proc.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <keel/vfs.h>
#include <keel/vmobj.h>
#include <keel/wait.h>
#include <arch/arch.h>
#include <arch/irq.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define DEVOBJ_NAME_MAX    24
#define DEVOBJ_MAJOR       240 /* Linux's "local/experimental" range */
#define DEV_MKDEV(ma, mi)  (((uint32_t)(ma) << 8) | (mi))
/* Lines never offered to user space: the PIC cascade. */
#define DEVOBJ_IRQ_CASCADE 2

struct devobj {
	unsigned irq;             /* [I] */
	bool level;               /* [I] level-triggered line */
	paddr_t frame;            /* [I] the shared page; the vmobj holds it */
	struct keel_devobj *page; /* [I] its kernel (direct-map) address */
	struct vmobj *obj;        /* [I] what mmap hands out (one reference) */
	struct spinlock lock;
	struct waitq wq;         /* readers and pollers of the count */
	uint32_t count;          /* [lock] writes; [A] reads */
	uint64_t bootstrap_hits; /* [lock] interrupts that found no user tables loaded */
};

/* The open file's view: the count it last returned. */
struct devobj_file {
	struct devobj *d; /* [I] */
	uint32_t seen;    /* [A] */
};

static struct mutex devobj_mutex = MUTEX_INIT(devobj_mutex, "devobj");
static struct devobj *devobj_lines[ARCH_IRQ_COUNT]; /* [devobj_mutex] */
/* irq_name() strings: static, because /proc/interrupts reads them racily. */
static char devobj_names[ARCH_IRQ_COUNT][DEVOBJ_NAME_MAX]; /* [devobj_mutex] */
static char devobj_paths[ARCH_IRQ_COUNT][DEVOBJ_NAME_MAX]; /* [B] "/dev/irqN" */

/* The line's handler: interrupt context, the line's irq_desc lock held. */
static void devobj_irq(unsigned irq, void *arg)
{
	struct devobj *d = arg;
	struct futex_key key = { 0, d->frame + offsetof(struct keel_devobj, count) };
	uint32_t n;

	spin_lock(&d->lock);
	if (d->level) {
		irq_mask_from_handler(irq); /* until the driver writes 1 */
		__atomic_store_n(&d->page->masked, 1, __ATOMIC_RELAXED);
	}
	if (!pmap_current())
		d->bootstrap_hits++;
	d->page->last_ns = time_ns();
	d->page->last_cpu = this_cpu()->id;
	n = d->count + 1;
	__atomic_store_n(&d->count, n, __ATOMIC_RELEASE);
	__atomic_store_n(&d->page->count, n, __ATOMIC_RELEASE);
	wake_up(&d->wq);
	spin_unlock(&d->lock);
	(void)futex_wake_key(&key, INT32_MAX, FUTEX_BITSET_ANY);
}

int devobj_attach(unsigned irq, const char *owner, struct devobj **out)
{
	struct devobj *d;
	void *page;
	int err;

	if (irq >= ARCH_IRQ_COUNT || irq == DEVOBJ_IRQ_CASCADE)
		return -ENODEV;
	d = kzalloc(sizeof(*d));
	page = pmm_alloc_page(PMM_ZERO | PMM_USER);
	if (!d || !page) {
		err = -ENOMEM;
		goto out_free;
	}
	d->irq = irq;
	d->level = irq_is_level(irq);
	d->page = page;
	d->frame = arch_virt_to_phys(page);
	d->page->irq = irq;
	d->page->level = d->level;
	spin_init(&d->lock, "devobj");
	waitq_init(&d->wq, "devobj_wq");
	d->obj = vmobj_create_frames(&d->frame, 1);
	if (!d->obj) {
		err = -ENOMEM;
		goto out_free;
	}
	vmobj_set_device(d->obj, devobj_paths[irq], true);

	mutex_lock(&devobj_mutex);
	if (devobj_lines[irq]) {
		err = -EBUSY;
		goto out_unlock;
	}
	snprintf(devobj_names[irq], sizeof(devobj_names[irq]), "devobj:%s", owner);
	err = irq_takeover(irq, devobj_irq, d, devobj_names[irq]);
	if (err)
		goto out_unlock;
	devobj_lines[irq] = d;
	mutex_unlock(&devobj_mutex);
	pmm_page_put(d->frame); /* the vmobj holds the page from now on */
	*out = d;
	return 0;

out_unlock:
	mutex_unlock(&devobj_mutex);
out_free:
	if (d && d->obj)
		vmobj_put(d->obj);
	if (page)
		pmm_page_put(arch_virt_to_phys(page));
	kfree(d);
	return err;
}

void devobj_detach(struct devobj *d)
{
	mutex_lock(&devobj_mutex);
	assert(devobj_lines[d->irq] == d);
	irq_free(d->irq, d); /* the handler runs nowhere after this */
	devobj_lines[d->irq] = NULL;
	mutex_unlock(&devobj_mutex);
	vmobj_put(d->obj); /* the page lives on in any mapping */
	kfree(d);
}

const struct keel_devobj *devobj_shared(const struct devobj *d)
{
	return d->page;
}

struct vmobj *devobj_vmobj(struct devobj *d)
{
	return d->obj;
}

uint64_t devobj_bootstrap_hits(struct devobj *d)
{
	spin_lock(&d->lock);
	uint64_t n = d->bootstrap_hits;
	spin_unlock(&d->lock);
	return n;
}

void devobj_enable(struct devobj *d, bool on)
{
	if (on) {
		__atomic_store_n(&d->page->masked, 0, __ATOMIC_RELAXED);
		irq_unmask(d->irq);
	} else {
		irq_mask(d->irq);
	}
}

/* ---------------------------------------------------------------- /dev/irqN */

/* Privileged processes only (CAP_SYS_RAWIO on Linux). */
static bool devobj_may_attach(void)
{
	return true; /* replaced by the credentials check (cred_privileged) */
}

static struct devobj_file *devobj_file(struct file *f)
{
	return f->priv;
}

static int devobj_open(struct file *f, int flags)
{
	unsigned irq = (unsigned)(uintptr_t)f->vnode->priv;
	struct proc *p = proc_current();
	char owner[PROC_NAME_MAX];
	struct devobj_file *df;
	int err;

	if (!devobj_may_attach())
		return -EPERM;
	df = kzalloc(sizeof(*df));
	if (!df)
		return -ENOMEM;
	spin_lock(&p->lock);
	memcpy(owner, p->name, sizeof(owner));
	spin_unlock(&p->lock);
	owner[sizeof(owner) - 1] = 0;
	err = devobj_attach(irq, owner, &df->d);
	if (err) {
		kfree(df);
		return err;
	}
	f->priv = df;
	return 0;
}

static void devobj_release(struct file *f)
{
	struct devobj_file *df = devobj_file(f);

	if (!df)
		return;
	devobj_detach(df->d);
	kfree(df);
}

static bool devobj_changed(struct devobj_file *df)
{
	return __atomic_load_n(&df->d->count, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&df->seen, __ATOMIC_RELAXED);
}

static ssize_t devobj_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct devobj_file *df = devobj_file(f);
	struct devobj *d = df->d;
	uint32_t count;
	int err = 0;

	if (n != sizeof(uint32_t))
		return -EINVAL; /* as UIO: exactly the 4-byte count */
	spin_lock(&d->lock);
	if (!devobj_changed(df)) {
		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK)
			err = -EAGAIN;
		else
			err = wait_event_locked(&d->wq, &d->lock, devobj_changed(df));
	}
	count = d->count;
	spin_unlock(&d->lock);
	if (err)
		return err;
	if (iobuf_copy_to(b, 0, &count, sizeof(count)))
		return -EFAULT;
	__atomic_store_n(&df->seen, count, __ATOMIC_RELAXED);
	return sizeof(count);
}

static ssize_t devobj_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	uint32_t on;

	if (n != sizeof(on))
		return -EINVAL;
	if (iobuf_copy_from(&on, b, 0, sizeof(on)))
		return -EFAULT;
	devobj_enable(devobj_file(f)->d, on != 0);
	return sizeof(on);
}

static unsigned devobj_poll(struct file *f, struct poll_table *pt)
{
	struct devobj_file *df = devobj_file(f);

	poll_wait(f, &df->d->wq, pt);
	return devobj_changed(df) ? POLLIN | POLLRDNORM : 0;
}

static int devobj_mmap(struct file *f, uint64_t off, size_t len, unsigned flags, struct vmobj **obj)
{
	struct devobj_file *df = devobj_file(f);

	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED || off != 0 ||
	    len != KEEL_DEVOBJ_SIZE)
		return -EINVAL;
	vmobj_get(df->d->obj);
	*obj = df->d->obj;
	return 0;
}

static const struct file_ops devobj_fops = {
	.open = devobj_open,
	.read = devobj_read,
	.write = devobj_write,
	.poll = devobj_poll,
	.mmap = devobj_mmap,
	.release = devobj_release,
};

/* /dev/irqN for every line a driver could take (root only: 0600). */
static void devobj_init(void)
{
	char name[DEVOBJ_NAME_MAX];

	for (unsigned irq = 0; irq < ARCH_IRQ_COUNT; irq++) {
		if (irq == DEVOBJ_IRQ_CASCADE)
			continue;
		snprintf(name, sizeof(name), "irq%u", irq);
		snprintf(devobj_paths[irq], sizeof(devobj_paths[irq]), "/dev/%s", name);
		(void)devfs_add(name, &devobj_fops, DEV_MKDEV(DEVOBJ_MAJOR, irq), 0600,
				(void *)(uintptr_t)irq);
	}
}
INITCALL(INITCALL_DEVICE, devobj_init);
