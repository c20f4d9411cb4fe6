/*
 * lib/string.c - freestanding memory and string routines (see lib/string.h).
 *
 * Everything is plain portable C.  Two things need care:
 *
 * 1. Self-calls.  gcc can recognise byte/word copy and fill loops and
 *    replace them with calls to memcpy/memmove/memset ("loop distribution");
 *    inside memcpy() that would be infinite recursion.  gcc 12 happens not
 *    to do it under -fno-builtin, but that is not a documented promise
 *    (GCC bug 56888), so every function whose loops could be rewritten is
 *    marked NO_LIBCALL_LOOPS, which turns the transformation off
 *    explicitly.  clang does not rewrite loops into library calls under
 *    -fno-builtin and has no such option, so the marker is empty there.
 *    objdump -d of the kernel object shows no mem* call in these functions.
 *
 * 2. Word-at-a-time access.  memcpy, memmove, memset and memcmp move
 *    machine words when both pointers share the same alignment within a
 *    word: a byte loop first brings them to a word boundary, the word loop
 *    then touches only whole aligned words lying entirely inside the
 *    buffers, and a byte loop finishes the tail.  So no access is ever
 *    misaligned or outside [p, p + n) (ASan and UBSan check this on the
 *    host).  Word accesses go through the may_alias type word_t so they do
 *    not break strict aliasing.  Differently aligned buffers fall back to
 *    bytes: simple, and rare in the kernel.
 *
 *    The str*() functions stay byte-at-a-time: a word-at-a-time strlen
 *    must read past the NUL, which is outside the object.
 */
#include <lib/string.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL_LOOPS \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL_LOOPS
#endif

/* A machine word that may alias any object. */
typedef uintptr_t __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)
/* 0x0101...01: multiplying a byte by this repeats it in every byte lane. */
#define WORD_ONES ((word_t)-1 / 0xff)

static inline bool word_aligned(uintptr_t addr)
{
	return (addr & WORD_MASK) == 0;
}

/* True iff a and b have the same offset within a word. */
static inline bool co_aligned(const void *a, const void *b)
{
	return word_aligned((uintptr_t)a ^ (uintptr_t)b);
}

/* Copy n bytes upwards (lowest address first); dst may be below src. */
NO_LIBCALL_LOOPS
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (co_aligned(d, s)) {
		while (n > 0 && !word_aligned((uintptr_t)d)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
	}
}

/* Copy n bytes downwards (highest address first); dst may be above src. */
NO_LIBCALL_LOOPS
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (co_aligned(d, s)) {
		while (n > 0 && !word_aligned((uintptr_t)d)) {
			*--d = *--s;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n > 0) {
		*--d = *--s;
		n--;
	}
}

NO_LIBCALL_LOOPS
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

NO_LIBCALL_LOOPS
void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	/* Only a destination inside (src, src + n) needs a backward copy. */
	if (d > s && d - s < n)
		copy_backward(dst, src, n);
	else if (d != s)
		copy_forward(dst, src, n);
	return dst;
}

NO_LIBCALL_LOOPS
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	word_t pattern = WORD_ONES * byte;

	while (n > 0 && !word_aligned((uintptr_t)d)) {
		*d++ = byte;
		n--;
	}
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = pattern;
		d += WORD_SIZE;
	}
	while (n > 0) {
		*d++ = byte;
		n--;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	if (co_aligned(p, q)) {
		while (n > 0 && !word_aligned((uintptr_t)p)) {
			if (*p != *q)
				return *p - *q;
			p++;
			q++;
			n--;
		}
		/* Skip equal words; the byte loop finds the difference. */
		while (n >= WORD_SIZE &&
		       *(const word_t *)p == *(const word_t *)q) {
			p += WORD_SIZE;
			q += WORD_SIZE;
			n -= WORD_SIZE;
		}
	}
	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char byte = (unsigned char)c;

	for (; n > 0; n--, p++) {
		if (*p == byte)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t len = 0;

	while (len < max && s[len] != '\0')
		len++;
	return len;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (*p == '\0')
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t nlen = strlen(needle);

	for (; *haystack != '\0'; haystack++) {
		if (strncmp(haystack, needle, nlen) == 0)
			return (char *)haystack;
	}
	return nlen == 0 ? (char *)haystack : NULL;
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t slen = strlen(src);

	if (size > 0) {
		size_t n = slen < size ? slen : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return slen;
}

size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
	size_t dlen = strnlen(dst, size);
	size_t slen = strlen(src);
	size_t room, n;

	if (dlen == size)	/* no NUL in dst: nothing can be appended */
		return size + slen;
	room = size - dlen - 1;
	n = slen < room ? slen : room;
	memcpy(dst + dlen, src, n);
	dst[dlen + n] = '\0';
	return dlen + slen;
}

bool str_starts_with(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++) {
		if (*s != *prefix)
			return false;
	}
	return true;
}
