/*
 * fuzz_cpio.c - libFuzzer target for lib/cpio.c (`make fuzz`).
 *
 * Every input is walked as an initramfs, continuing after each end while
 * bytes remain (concatenated archives).  Each call must return 1, 0 or
 * -EINVAL; every entry's name and data must lie inside the input, the name
 * must be NUL-terminated at namelen, and *off must advance.  A broken rule
 * aborts, which libFuzzer reports as a crash with the input saved.
 */
#include <stdlib.h>
#include <lib/cpio.h>
#include <lib/errno.h>
#include <lib/string.h>

#define FUZZ_ASSERT(c)          \
	do {                    \
		if (!(c))       \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	struct cpio_entry e;
	size_t off = 0;

	for (;;) {
		size_t prev = off;
		int r = cpio_next(data, size, &off, &e);

		FUZZ_ASSERT(r == 1 || r == 0 || r == -EINVAL);
		if (r == -EINVAL) {
			FUZZ_ASSERT(off == prev);
			return 0;
		}
		FUZZ_ASSERT(off <= size);
		if (r == 0) {
			if (off == size)
				return 0;
			FUZZ_ASSERT(off > prev);	/* past a trailer: go on */
			continue;
		}
		FUZZ_ASSERT(off > prev);
		FUZZ_ASSERT((const uint8_t *)e.name >= data && (const uint8_t *)e.name < end);
		FUZZ_ASSERT(e.namelen < (size_t)(end - (const uint8_t *)e.name));
		FUZZ_ASSERT(e.name[e.namelen] == '\0' && strlen(e.name) == e.namelen);
		FUZZ_ASSERT((const uint8_t *)e.data >= data && (const uint8_t *)e.data <= end);
		FUZZ_ASSERT(e.size <= (size_t)(end - (const uint8_t *)e.data));
	}
}
