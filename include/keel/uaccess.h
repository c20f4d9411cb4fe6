/*
 * keel/uaccess.h - copying between the kernel and user memory.
 *
 * Every system call touches user memory only through these functions.  They
 * check that the whole range lies in the user half (below USER_TOP, no
 * wrap-around), open the SMAP window (stac/clac) only for the copy, and turn
 * a fault on a user address into -EFAULT through the exception-fixup table,
 * so a bad pointer can never crash the kernel.  A copy may fault in pages
 * (demand-zero, copy-on-write) and so may sleep: callers must be in a
 * thread, with interrupts on and no spinlock held (every function here
 * that touches user memory checks that with might_sleep(), keel/wait.h).
 */
#ifndef KEEL_UACCESS_H
#define KEEL_UACCESS_H

#include <keel/compiler.h>

#define __user

/* True if [addr, addr + n) lies entirely in user space. */
bool user_range_ok(uintptr_t addr, size_t n);
/* 0, or -EFAULT if any byte could not be read. */
int copy_from_user(void *dst, const void __user *src, size_t n);
/* 0, or -EFAULT if any byte could not be written. */
int copy_to_user(void __user *dst, const void *src, size_t n);
/* Zero n user bytes; 0 or -EFAULT. */
int clear_user(void __user *dst, size_t n);
/*
 * Copy a NUL-terminated string of at most n-1 characters: returns its length
 * (without the NUL, which is stored), -ENAMETOOLONG if no NUL within n bytes,
 * or -EFAULT.
 */
long strncpy_from_user(char *dst, const char __user *src, size_t n);

#endif
