/*
 * sys_mm.c - memory system calls: brk, mmap (anonymous, private file,
 * /dev/zero, devices with their own memory such as /dev/kcov, device
 * memory such as a PCI BAR through /dev/pci-*), munmap,
 * mprotect, madvise.
 *
 * Nothing here fills memory in a loop that user space sizes, except a
 * private file mapping, which copies at most the file's length and stops
 * for a fatal signal.  Shared anonymous memory is filled on fault
 * (kernel/mm/vmobj.c); sizes beyond the commit limit fail with -ENOMEM.
 */
#include <keel/resource.h>
#include <keel/syscall.h>
#include <keel/vm.h>
#include <keel/thread.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/vmobj.h>
#include <keel/kmalloc.h>
#include <keel/cred.h>
#include <keel/klog.h>
#include <keel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define MMAP_KNOWN_FLAGS (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			  MAP_GROWSDOWN | MAP_DENYWRITE | MAP_NORESERVE | MAP_POPULATE | \
			  MAP_STACK | MAP_FIXED_NOREPLACE | 0x1000 /* MAP_EXECUTABLE */ | \
			  0x2000 /* MAP_LOCKED */ | 0x10000 /* MAP_NONBLOCK */)
#define MAP_TYPE_MASK    0x03
#define MAP_SHARED_VALIDATE 0x03 /* MAP_SHARED, and unknown flags are EOPNOTSUPP */
/* Flags Linux defines that Keel does not do: -EINVAL, logged once. */
#define MMAP_UNSUPPORTED (0x40 /* MAP_32BIT */ | 0x40000 /* MAP_HUGETLB */ | \
			  0x80000 /* MAP_SYNC */ | 0x4000000 /* MAP_UNINITIALIZED */ | \
			  (0x3fu << 26) /* MAP_HUGE_SHIFT sizes */)
/* What MAP_SHARED_VALIDATE accepts: Linux's LEGACY_MAP_MASK (no file of
 * Keel's supports MAP_SYNC). */
#define MMAP_VALIDATE_FLAGS ((MMAP_KNOWN_FLAGS & ~MAP_FIXED_NOREPLACE) | 0x40000 /* HUGETLB */ | \
			     0x4000000 /* MAP_UNINITIALIZED */)
#define MMAP_FILE_CHUNK  PAGE_SIZE

/*
 * May mm grow by len bytes under RLIMIT_AS?  (Checked before mapping, so
 * threads mapping at once may overshoot it together; MAP_FIXED over an
 * existing mapping is counted as growth.)
 */
static bool mm_may_grow(struct mm *mm, size_t len)
{
	uint64_t lim = rlimit_cur(RLIMIT_AS);

	return lim == RLIM_INFINITY || (uint64_t)vm_size(mm) + len <= lim;
}

SYSCALL_DEFINE1(brk, uintptr_t, newbrk)
{
	struct mm *mm = thread_current()->mm;
	uintptr_t cur, old_end, new_end;

	mutex_lock(&mm->lock);
	cur = mm->brk;
	mutex_unlock(&mm->lock);
	if (newbrk < mm->brk_start || newbrk >= USER_TOP)
		return (long)cur;
	old_end = ALIGN_UP(cur, PAGE_SIZE);
	new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	if (new_end > old_end) {
		if (!mm_may_grow(mm, new_end - old_end))
			return (long)cur;
		/* Linux refuses to grow the heap into another mapping. */
		long got = vm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
				  VMA_HEAP, false);
		if (got != (long)old_end) {
			if (got > 0)     /* placed elsewhere: undo only that */
				vm_unmap(mm, (uintptr_t)got, new_end - old_end);
			return (long)cur;
		}
	} else if (new_end < old_end) {
		vm_unmap(mm, new_end, old_end - new_end);
	}
	mutex_lock(&mm->lock);
	mm->brk = newbrk;
	mutex_unlock(&mm->lock);
	return (long)newbrk;
}

/* Fill a private file mapping from the file (read now, like MAP_POPULATE). */
static long mmap_fill_from_file(struct mm *mm, uintptr_t addr, size_t len, int fd, uint64_t off)
{
	struct file *f = fd_get(fd);
	uint8_t *buf;
	long ret = 0;

	if (!f)
		return -EBADF;
	if (!f->vnode || !file_readable(f)) {
		file_put(f);
		return -EACCES;
	}
	buf = kmalloc(MMAP_FILE_CHUNK, 0);
	if (!buf) {
		file_put(f);
		return -ENOMEM;
	}
	for (size_t done = 0; done < len; done += MMAP_FILE_CHUNK) {
		if (done && signal_checkpoint()) {
			ret = -EINTR;
			break;
		}
		ssize_t n = vfs_read_kernel(f, buf, MMAP_FILE_CHUNK, off + done);
		if (n < 0) {
			ret = n;
			break;
		}
		if (n == 0)
			break;
		ret = vm_write_remote(mm, addr + done, buf, (size_t)n, true);
		if (ret)
			break;
		if ((size_t)n < MMAP_FILE_CHUNK)
			break;
	}
	kfree(buf);
	file_put(f);
	return ret;
}

/*
 * mmap of a device with its own memory (f->ops->mmap, e.g. /dev/kcov): map
 * the object it hands out.  len is page-aligned and the flags checked.
 */
/* Device memory to map instead of an object (mmap_place's io argument). */
struct mmap_io {
	uint64_t pa;
	const char *name;
};

static long mmap_place_one(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
			   unsigned vflags, struct vmobj *obj, const struct mmap_io *io,
			   bool fixed)
{
	if (io)
		return vm_map_io(mm, addr, len, prot, io->pa, io->name, fixed);
	return vm_map_obj(mm, addr, len, prot, vflags, obj, 0, fixed);
}

/* Place a mapping as the MAP_FIXED* flags say; the address or -Exxx. */
static long mmap_place(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
		       unsigned vflags, struct vmobj *obj, const struct mmap_io *io,
		       unsigned flags)
{
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	long ret;

	if (flags & MAP_FIXED_NOREPLACE) {
		/* Probe by mapping without replacement. */
		ret = mmap_place_one(mm, addr, len, prot, vflags, obj, io, false);
		if (ret >= 0 && (uintptr_t)ret != addr) {
			vm_unmap(mm, (uintptr_t)ret, len);
			return -EEXIST;
		}
		return ret;
	}
	return mmap_place_one(mm, fixed ? addr : ALIGN_DOWN(addr, PAGE_SIZE), len, prot, vflags,
			      obj, io, flags & MAP_FIXED);
}

static long mmap_device(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
			unsigned flags, struct file *f, uint64_t off)
{
	struct vmobj *obj;
	long ret;

	ret = f->ops->mmap(f, off, len, flags, &obj);
	if (ret)
		return ret;
	ret = mmap_place(mm, addr, len, prot, 0, obj, NULL, flags);
	vmobj_put(obj);
	return ret;
}

/*
 * mmap of device memory (f->ops->mmap_io, e.g. a PCI BAR through
 * /dev/pci-*): the device checks the request and names the physical range.
 */
static long mmap_device_io(struct mm *mm, uintptr_t addr, size_t len, unsigned prot,
			   unsigned flags, struct file *f, uint64_t off)
{
	struct mmap_io io = { 0, NULL };
	long ret;

	if ((prot & PROT_WRITE) && !file_writable(f))
		return -EACCES;
	ret = f->ops->mmap_io(f, off, len, prot, flags, &io.pa, &io.name);
	if (ret)
		return ret;
	return mmap_place(mm, addr, len, prot, 0, NULL, &io, flags);
}

SYSCALL_DEFINE6(mmap, uintptr_t, addr, size_t, len, unsigned, prot, unsigned, flags, int, fd,
		uint64_t, off)
{
	struct mm *mm = thread_current()->mm;
	unsigned type = flags & MAP_TYPE_MASK;
	bool anon = flags & MAP_ANONYMOUS;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	unsigned vflags = type == MAP_SHARED ? VMA_SHARED : 0;
	long ret;

	/* Linux's order: the offset, the descriptor, the length, the type. */
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (!anon) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
	}
	if (!len)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE) {
		if (anon)
			return -EINVAL;
		if (flags & ~MMAP_VALIDATE_FLAGS)
			return -EOPNOTSUPP;
		type = MAP_SHARED;
	} else if (type != MAP_SHARED && type != MAP_PRIVATE) {
		return -EINVAL;
	} else {
		flags &= MMAP_KNOWN_FLAGS | MMAP_UNSUPPORTED;   /* Linux ignores the rest */
	}
	if (flags & MMAP_UNSUPPORTED) {
		klog_once(LOG_WARN, "mmap: MAP_32BIT, MAP_HUGETLB, MAP_SYNC and MAP_UNINITIALIZED "
				    "are not supported");
		return -EINVAL;
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;     /* Linux ignores other bits here */
	if (fixed && !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!mm_may_grow(mm, len))
		return -ENOMEM;
	if (!anon) {
		/* Check the file before MAP_FIXED can remove what is mapped there. */
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		bool readable = file_readable(f), zero = f->ops->mmap_zero;
		bool regular = f->vnode && S_ISREG(f->vnode->mode);
		if (f->ops->mmap) {
			ret = readable ? mmap_device(mm, addr, len, prot, flags, f, off) : -EACCES;
			file_put(f);
			return ret;
		}
		if (f->ops->mmap_io) {
			ret = readable ? mmap_device_io(mm, addr, len, prot, flags, f, off)
				       : -EACCES;
			file_put(f);
			return ret;
		}
		file_put(f);
		if (!readable)
			return -EACCES;
		if (zero) {
			anon = true;         /* /dev/zero: anonymous memory, as on Linux */
		} else if (!regular) {
			return -ENODEV;
		} else if (type == MAP_SHARED) {
			klog_once(LOG_WARN, "mmap: shared file mappings are not supported yet");
			return -ENODEV;
		}
	}
	if (flags & MAP_NORESERVE)
		vflags |= VMA_NORESERVE;
	ret = mmap_place(mm, addr, len, prot, vflags, NULL, NULL, flags);
	if (ret < 0 || anon)
		return ret;
	/* Private file mapping: copy the file's bytes in (the rest is zero). */
	long err = mmap_fill_from_file(mm, (uintptr_t)ret, len, fd, off);
	if (err) {
		vm_unmap(mm, (uintptr_t)ret, len);
		return err;
	}
	return ret;
}

SYSCALL_DEFINE2(munmap, uintptr_t, addr, size_t, len)
{
	return vm_unmap(thread_current()->mm, addr, len);
}

SYSCALL_DEFINE3(mprotect, uintptr_t, addr, size_t, len, unsigned, prot)
{
	return vm_protect(thread_current()->mm, addr, len, prot);
}

#define MADV_DONTNEED     4
#define MADV_FREE         8
#define MADV_REMOVE       9
#define MADV_DONTFORK     10
#define MADV_DOFORK       11
#define MADV_WIPEONFORK   18
#define MADV_KEEPONFORK   19
#define MADV_LAST_LINUX   25    /* MADV_COLLAPSE, Linux 6.1 */
#define MADV_HWPOISON     100
#define MADV_SOFT_OFFLINE 101

/* MADV_WIPEONFORK: private anonymous memory only (Linux). */
static int madvise_wipe_ok(const struct vma *v)
{
	unsigned not_anon = VMA_SHARED | VMA_IO | VMA_EXO_SHARE | VMA_IMAGE;

	return (v->flags & not_anon) || v->obj ? -EINVAL : 0;
}

SYSCALL_DEFINE3(madvise, uintptr_t, addr, size_t, len, int, advice)
{
	struct mm *mm = thread_current()->mm;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (advice < 0 || (advice > MADV_LAST_LINUX && advice != MADV_HWPOISON &&
			   advice != MADV_SOFT_OFFLINE) || (advice > 4 && advice < 8))
		return -EINVAL;
	if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE)
		return cred_privileged() ? -EINVAL : -EPERM;    /* no memory-failure testing */
	if (len == 0)
		return 0;
	if (!vm_range_mapped(mm, addr, len))
		return -ENOMEM;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		return vm_discard(mm, addr, len);
	case MADV_DONTFORK:
		return vm_set_flags(mm, addr, len, VMA_DONTFORK, 0, NULL);
	case MADV_DOFORK:
		return vm_set_flags(mm, addr, len, 0, VMA_DONTFORK, NULL);
	case MADV_WIPEONFORK:
		return vm_set_flags(mm, addr, len, VMA_WIPEONFORK, 0, madvise_wipe_ok);
	case MADV_KEEPONFORK:
		return vm_set_flags(mm, addr, len, 0, VMA_WIPEONFORK, NULL);
	default:
		return 0;       /* other advice is only advice */
	}
}

/* ---------------------------------------------------------------- mlock */

#define MLOCK_ONFAULT 1
#define MCL_CURRENT   1
#define MCL_FUTURE    2
#define MCL_ONFAULT   4

/*
 * May the caller lock add more bytes (RLIMIT_MEMLOCK, Linux's rules:
 * privilege overrides it; a limit of 0 is EPERM, going over it ENOMEM).
 */
static int mlock_may(struct mm *mm, size_t add)
{
	uint64_t lim = rlimit_cur(RLIMIT_MEMLOCK);

	if (cred_privileged() || lim == RLIM_INFINITY)
		return 0;
	if (lim == 0)
		return -EPERM;
	return vm_bytes_with(mm, VMA_LOCKED) + add > lim ? -ENOMEM : 0;
}

static long do_mlock(uintptr_t addr, size_t len)
{
	struct mm *mm = thread_current()->mm;
	uintptr_t start = ALIGN_DOWN(addr, PAGE_SIZE);
	int err;

	/* Linux rounds the range out to pages. */
	if (len > USER_TOP || addr > USER_TOP - len)
		return -ENOMEM;
	len = ALIGN_UP(len + (addr - start), PAGE_SIZE);
	if (!vm_range_mapped(mm, start, len))
		return -ENOMEM;
	err = mlock_may(mm, vm_range_bytes_without(mm, start, len, VMA_LOCKED));
	return err ? err : vm_set_flags(mm, start, len, VMA_LOCKED, 0, NULL);
}

SYSCALL_DEFINE2(mlock, uintptr_t, addr, size_t, len)
{
	return do_mlock(addr, len);
}

SYSCALL_DEFINE3(mlock2, uintptr_t, addr, size_t, len, unsigned, flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(addr, len);
}

SYSCALL_DEFINE2(munlock, uintptr_t, addr, size_t, len)
{
	uintptr_t start = ALIGN_DOWN(addr, PAGE_SIZE);

	if (len > USER_TOP || addr > USER_TOP - len)
		return -ENOMEM;
	return vm_set_flags(thread_current()->mm, start, ALIGN_UP(len + (addr - start), PAGE_SIZE),
			    0, VMA_LOCKED, NULL);
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	struct mm *mm = thread_current()->mm;
	int err;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (flags & MCL_CURRENT) {
		struct vm_usage u;
		vm_usage_get(mm, &u);
		if ((err = mlock_may(mm, u.total - u.locked)))
			return err;
		vm_set_flags_all(mm, VMA_LOCKED, 0);
	} else if (!cred_privileged() && rlimit_cur(RLIMIT_MEMLOCK) == 0) {
		return -EPERM;
	}
	mutex_lock(&mm->lock);
	mm->def_flags = (flags & MCL_FUTURE) ? VMA_LOCKED : 0;
	mutex_unlock(&mm->lock);
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	struct mm *mm = thread_current()->mm;

	vm_set_flags_all(mm, 0, VMA_LOCKED);
	mutex_lock(&mm->lock);
	mm->def_flags = 0;
	mutex_unlock(&mm->lock);
	return 0;
}

/* ---------------------------------------------------------------- mincore, msync */

#define MINCORE_CHUNK 4096      /* pages per kernel buffer */

SYSCALL_DEFINE3(mincore, uintptr_t, addr, size_t, len, uint8_t __user *, uvec)
{
	struct mm *mm = thread_current()->mm;
	size_t npages;
	uint8_t *buf;
	long err = 0;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - len)
		return -ENOMEM;
	npages = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;
	if (!npages)
		return 0;
	buf = kmalloc(MIN(npages, (size_t)MINCORE_CHUNK), 0);
	if (!buf)
		return -ENOMEM;
	for (size_t done = 0; done < npages && !err;) {
		size_t n = MIN(npages - done, (size_t)MINCORE_CHUNK);
		err = vm_mincore(mm, addr + done * PAGE_SIZE, n, buf);
		if (!err && copy_to_user(uvec + done, buf, n))
			err = -EFAULT;
		done += n;
	}
	kfree(buf);
	return err;
}

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

/* No file is mapped shared yet, so there is never anything to write back. */
SYSCALL_DEFINE3(msync, uintptr_t, addr, size_t, len, int, flags)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (len == 0)
		return 0;
	return vm_range_mapped(thread_current()->mm, addr, len) ? 0 : -ENOMEM;
}

SYSCALL_DEFINE5(mremap, uintptr_t, old, size_t, old_len, size_t, new_len, unsigned, flags,
		uintptr_t, new_addr)
{
	struct mm *mm = thread_current()->mm;

	if (new_len > old_len && !mm_may_grow(mm, new_len - old_len))
		return -ENOMEM;
	return vm_remap(mm, old, old_len, new_len, flags, new_addr);
}
