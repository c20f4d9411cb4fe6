/*
 * lib/printf.h - freestanding formatted output for Keel.
 *
 * One formatter, vcbprintf(), walks the format string and hands the output
 * to a caller-supplied put() callback in pieces, so the kernel's console
 * printer can stream text of any length without a buffer.  snprintf() and
 * vsnprintf() are thin wrappers that collect the pieces into a buffer.
 *
 * Supported conversions: %d %i %u %x %X %o %c %s %p %%, with the flags
 * '-' '0' '+' ' ' '#', a field width and a precision (either may be '*',
 * taken from an int argument; a negative '*' width means '-' plus its
 * absolute value, a negative '*' precision means "no precision"), and the
 * length modifiers hh h l ll z t j for the integer conversions.  Their
 * meaning is ISO C99's, with these Keel choices:
 *   - %p prints "0x" and exactly 16 lowercase hex digits (all kernel
 *     pointers are 64-bit), NULL included: "0x0000000000000000".  Only the
 *     width and '-' apply to it.
 *   - %s with a NULL pointer prints "(null)" (cut by a precision like any
 *     other string).
 *   - Length modifiers on %c, %s and %p are accepted and ignored (no wide
 *     characters).  '0' on %c, %s or %p pads with spaces.
 *   - No floating point (the kernel never touches the FPU): %f %e %g %a,
 *     %n, any unknown conversion, and a specification cut off by the end
 *     of the format are copied to the output literally, from the '%' on,
 *     and consume no argument.
 *
 * Invariants: no allocation, no locks, no sleeping; reentrant, so usable
 * from interrupt context.  The formatter never reads a string argument
 * beyond its NUL or beyond the precision.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format fmt with ap and pass the output to put(ctx, s, n) in order, in
 * pieces of n > 0 bytes (s is not NUL-terminated and is valid only during
 * the call).  Returns the total number of bytes passed to put(), or -1 if
 * that exceeds INT_MAX (put() still saw all of the output).  Does not
 * consume ap (it works on a copy).  May sleep only if put() does.
 */
int vcbprintf(void (*put)(void *ctx, const char *s, size_t n), void *ctx,
	      const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * C99 vsnprintf: write at most size - 1 bytes of output to buf followed by
 * a NUL (nothing at all when size == 0; buf may then be NULL).  Returns the
 * length the full output would have had, so output was truncated iff the
 * return value is >= size; -1 if that length exceeds INT_MAX.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* C99 snprintf: vsnprintf() with a variable argument list. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LIB_PRINTF_H */
