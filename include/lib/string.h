/*
 * lib/string.h - freestanding memory and string routines for Keel.
 *
 * The kernel has no libc, so lib/string.c provides the usual <string.h>
 * functions with ISO C semantics, the BSD strlcpy()/strlcat() pair, and
 * str_starts_with().  The compiler may also emit calls to memcpy, memmove,
 * memset and memcmp on its own (struct copies, initialisers), so these four
 * must always exist and must never call themselves.
 *
 * Invariants and contracts shared by every function here:
 *   - No function allocates, sleeps or takes a lock; all are safe in any
 *     context (interrupt handlers included) and are reentrant.
 *   - No function reads or writes outside the buffers its arguments
 *     describe: a "string" is read up to and including its NUL, a
 *     (pointer, n) buffer exactly n bytes.  Passing NULL is undefined
 *     unless n == 0 for the mem*() functions.
 *   - Bytes are compared as unsigned char, as ISO C requires.
 *
 * The code is portable C (no arch hooks); it only relies on
 * <stddef.h>, <stdint.h> and <stdbool.h>, which a freestanding compiler
 * provides.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes from src to dst; the regions must not overlap.  Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/* Copy n bytes from src to dst; the regions may overlap.  Returns dst. */
void *memmove(void *dst, const void *src, size_t n);

/* Fill n bytes at dst with (unsigned char)c.  Returns dst. */
void *memset(void *dst, int c, size_t n);

/*
 * Compare n bytes; returns <0, 0 or >0 as the first differing byte of a
 * is less than, absent from, or greater than that of b.
 */
int memcmp(const void *a, const void *b, size_t n);

/* First occurrence of (unsigned char)c in the n bytes at s, or NULL. */
void *memchr(const void *s, int c, size_t n);

/* Length of s, not counting its NUL. */
size_t strlen(const char *s);

/* strlen(s), but reads at most max bytes and returns at most max. */
size_t strnlen(const char *s, size_t max);

/* Compare two strings; <0, 0 or >0 like memcmp(). */
int strcmp(const char *a, const char *b);

/* strcmp() limited to the first n bytes. */
int strncmp(const char *a, const char *b, size_t n);

/*
 * First occurrence of (char)c in s, or NULL.  c == '\0' finds the
 * terminator.
 */
char *strchr(const char *s, int c);

/* Last occurrence of (char)c in s, or NULL.  c == '\0' finds the NUL. */
char *strrchr(const char *s, int c);

/*
 * First occurrence of needle in haystack, or NULL; an empty needle
 * matches at haystack.  O(strlen(haystack) * strlen(needle)).
 */
char *strstr(const char *haystack, const char *needle);

/*
 * BSD strlcpy: copy src into the size-byte buffer dst, truncating, and
 * NUL-terminate if size > 0.  Returns strlen(src); the copy was
 * truncated iff the return value is >= size.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/*
 * BSD strlcat: append src to the string in the size-byte buffer dst,
 * truncating, and NUL-terminate unless dst held no NUL within size bytes
 * (then dst is left untouched).  Returns the length of the string it
 * tried to create: strnlen(dst, size) + strlen(src); the result was
 * truncated iff the return value is >= size.
 */
size_t strlcat(char *restrict dst, const char *restrict src, size_t size);

/* True iff s begins with prefix (every string begins with ""). */
bool str_starts_with(const char *s, const char *prefix);

#endif /* LIB_STRING_H */
