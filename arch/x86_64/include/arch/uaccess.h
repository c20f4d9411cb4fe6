/*
 * arch/uaccess.h - the raw user-memory copy loops (arch/x86_64/entry/uaccess.S)
 * behind keel/uaccess.h.
 *
 * They open the SMAP window (stac/clac, when the CPU has SMAP) only for the
 * copy itself.  Each instruction that touches user memory has an entry in
 * the exception-fixup table (.extable), so a fault on it ends the copy
 * instead of the kernel.  They do not check addresses: kernel/mm/uaccess.c
 * checks that the user range lies below USER_TOP first.
 */
#ifndef ARCH_UACCESS_H
#define ARCH_UACCESS_H

#include <stddef.h>

/* Copy n bytes from src to dst (either may be user); bytes NOT copied. */
size_t arch_copy_user(void *dst, const void *src, size_t n);
/* Zero n user bytes at dst; bytes NOT zeroed. */
size_t arch_clear_user(void *dst, size_t n);
/*
 * Copy bytes of src to dst one at a time (never reading past the NUL) up
 * to and including a NUL, at most n bytes: the string's length if a NUL
 * was copied, n if none was found in n bytes, -1 if reading src faulted.
 */
long arch_strncpy_user(char *dst, const char *src, size_t n);

#endif
