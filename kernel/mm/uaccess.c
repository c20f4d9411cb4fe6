/*
 * uaccess.c - copying between the kernel and user memory (keel/uaccess.h).
 *
 * Each function first checks the whole user range (below USER_TOP, no
 * wrap-around), so a kernel address passed as a user pointer is refused
 * before anything is read or written, then calls the arch's raw copy,
 * which turns a fault on a user address into a short count through the
 * exception-fixup table.  On -EFAULT from copy_from_user the bytes of dst
 * that were not copied are zeroed, so a caller never sees stale kernel
 * memory.  A copy may fault, and the fault may sleep (demand paging,
 * copy-on-write, the out-of-memory killer's wait): every function here
 * that touches user memory starts with might_sleep(), so a caller holding
 * a spinlock, with interrupts off or in an interrupt handler is caught in
 * debug builds even when its copy happens not to fault.
 */
#include <keel/uaccess.h>
#include <keel/wait.h>
#include <arch/layout.h>
#include <arch/uaccess.h>
#include <lib/string.h>
#include <lib/errno.h>

bool user_range_ok(uintptr_t addr, size_t n)
{
	return addr <= USER_TOP && n <= USER_TOP - addr;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	size_t left = n;

	might_sleep();
	if (user_range_ok((uintptr_t)src, n))
		left = arch_copy_user(dst, (const void *)src, n);
	if (!left)
		return 0;
	memset((char *)dst + (n - left), 0, left);
	return -EFAULT;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	might_sleep();
	if (!user_range_ok((uintptr_t)dst, n))
		return -EFAULT;
	return arch_copy_user((void *)dst, src, n) ? -EFAULT : 0;
}

int clear_user(void __user *dst, size_t n)
{
	might_sleep();
	if (!user_range_ok((uintptr_t)dst, n))
		return -EFAULT;
	return arch_clear_user((void *)dst, n) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t n)
{
	uintptr_t addr = (uintptr_t)src;
	size_t max;
	long len;

	might_sleep();
	if (addr >= USER_TOP)
		return -EFAULT;
	max = MIN(n, USER_TOP - addr);     /* never read past user space */
	len = arch_strncpy_user(dst, (const char *)src, max);
	if (len < 0)
		return -EFAULT;
	if ((size_t)len < max)
		return len;
	/* No NUL in max bytes: too long if max was n, else it runs off user space. */
	return max == n ? -ENAMETOOLONG : -EFAULT;
}
