/*
 * test_cpio.c - host unit tests for lib/cpio.c.
 *
 * Archives are written byte by byte by a small newc writer here (struct
 * arc: 8-digit hex fields, 4-byte padding, as `cpio -o -H newc` writes
 * them), independently of the parser.  Every walk runs on an exact-size
 * heap copy so ASan reports any read past len.
 *
 * Covered: every field, name and data padding for all residues mod 4, the
 * trailer, zero padding, concatenated archives, archives that end without
 * padding, 070702 checksums, each -EINVAL case of <lib/cpio.h> and its exact
 * boundary, build/initramfs.cpio when it exists, and a seeded random test
 * of 50k damaged archives that must only ever return 1, 0 or -EINVAL, keep
 * every returned pointer inside the buffer and always make progress.
 */
#include <stdlib.h>
#include <lib/cpio.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "htest.h"

#define ARC_CAP 8192
#define HDR CPIO_NEWC_HDR_SIZE
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define FUZZ_ROUNDS 50000

struct arc {
	unsigned char b[ARC_CAP];
	size_t len;
};

static void arc_hex(struct arc *a, uint32_t v, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (int i = 7; i >= 0; i--)
		a->b[a->len++] = (unsigned char)digits[(v >> (4 * i)) & 0xf];
}

static void arc_pad(struct arc *a)
{
	while (a->len % 4)
		a->b[a->len++] = 0;
}

/* Field values for one entry; namesize and filesize come from name/data. */
struct ent {
	const char *magic;
	uint32_t ino, mode, uid, gid, nlink, mtime, devmaj, devmin, rdevmaj, rdevmin, check;
	bool upper;
};

static void arc_add_raw(struct arc *a, const struct ent *e, const void *name, uint32_t namesize,
			const void *data, uint32_t size)
{
	memcpy(a->b + a->len, e->magic ? e->magic : "070701", 6);
	a->len += 6;
	arc_hex(a, e->ino, e->upper);
	arc_hex(a, e->mode, e->upper);
	arc_hex(a, e->uid, e->upper);
	arc_hex(a, e->gid, e->upper);
	arc_hex(a, e->nlink, e->upper);
	arc_hex(a, e->mtime, e->upper);
	arc_hex(a, size, e->upper);
	arc_hex(a, e->devmaj, e->upper);
	arc_hex(a, e->devmin, e->upper);
	arc_hex(a, e->rdevmaj, e->upper);
	arc_hex(a, e->rdevmin, e->upper);
	arc_hex(a, namesize, e->upper);
	arc_hex(a, e->check, e->upper);
	memcpy(a->b + a->len, name, namesize);
	a->len += namesize;
	arc_pad(a);
	memcpy(a->b + a->len, data, size);
	a->len += size;
	arc_pad(a);
}

static void arc_add(struct arc *a, const char *name, uint32_t mode, const char *data)
{
	struct ent e = { .mode = mode, .nlink = 1 };

	arc_add_raw(a, &e, name, (uint32_t)strlen(name) + 1, data, (uint32_t)strlen(data));
}

static void arc_trailer(struct arc *a)
{
	arc_add(a, CPIO_TRAILER, 0, "");
}

/* Walks a heap copy of a; returns the last result, the number of entries in *n. */
static int walk(const void *bytes, size_t len, size_t *off, int *n)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct cpio_entry e;
	int r;

	memcpy(copy, bytes, len);
	*n = 0;
	while ((r = cpio_next(copy, len, off, &e)) == 1)
		(*n)++;
	free(copy);
	return r;
}

static int walk_arc(const struct arc *a)
{
	size_t off = 0;
	int n;

	return walk(a->b, a->len, &off, &n);
}

HTEST(cpio_basic)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	size_t off = 0, end;

	arc_add(&a, "bin", S_IFDIR | 0755, "");
	arc_add(&a, "bin/hello", S_IFREG | 0755, "hi\n");
	arc_add(&a, "bin/sh", S_IFLNK | 0777, "busybox");
	arc_trailer(&a);
	end = a.len;
	memset(a.b + a.len, 0, 512 - a.len % 512); /* GNU cpio pads to 512 bytes */
	a.len += 512 - a.len % 512;

	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_STREQ(e.name, "bin");
	HCHECK_EQ(e.namelen, 3);
	HCHECK_EQ(e.mode, S_IFDIR | 0755);
	HCHECK_EQ(e.size, 0);
	HCHECK_EQ(off, 116); /* 110 + 4 rounds to 116, no data */
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_STREQ(e.name, "bin/hello");
	HCHECK_EQ(e.size, 3);
	HCHECK(memcmp(e.data, "hi\n", 3) == 0);
	HCHECK_EQ((const unsigned char *)e.data - a.b, 116 + 120);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_STREQ(e.name, "bin/sh");
	HCHECK_EQ(e.mode, S_IFLNK | 0777);
	HCHECK(e.size == 7 && memcmp(e.data, "busybox", 7) == 0);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0); /* the trailer */
	HCHECK_EQ(off, end);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0); /* then only zeros */
	HCHECK_EQ(off, a.len);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0); /* and stays there */
	HCHECK_EQ(off, a.len);
}

HTEST(cpio_all_fields)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	struct ent f = { .ino = 0x1234, .mode = 020620, .uid = 0xdeadbeef, .gid = 0xCAFE,
			 .nlink = 3, .mtime = 0xffffffff, .devmaj = 8, .devmin = 1,
			 .rdevmaj = 5, .rdevmin = 0xABCDEF01, .upper = true };
	size_t off = 0;

	arc_add_raw(&a, &f, "dev/console", 12, "", 0);
	f.upper = false;
	f.uid = 0xabcdef;
	arc_add_raw(&a, &f, "x", 2, "12345", 5);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_EQ(e.mode, 020620);
	HCHECK_EQ(e.uid, 0xdeadbeef);
	HCHECK_EQ(e.gid, 0xcafe);
	HCHECK_EQ(e.nlink, 3);
	HCHECK_EQ(e.mtime, 0xffffffffull);
	HCHECK_EQ(e.dev_major, 8);
	HCHECK_EQ(e.dev_minor, 1);
	HCHECK_EQ(e.rdev_major, 5);
	HCHECK_EQ(e.rdev_minor, 0xabcdef01);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_EQ(e.uid, 0xabcdef);
	HCHECK_EQ(e.size, 5);
	HCHECK_EQ(off, a.len);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0); /* clean end, no trailer */
}

HTEST(cpio_padding_all_residues)
{
	static const char *const names[] = { "a", "ab", "abc", "abcd", "abcde" };
	static const char *const datas[] = { "", "1", "12", "123", "1234", "12345" };

	for (size_t i = 0; i < 5; i++) {
		for (size_t j = 0; j < 6; j++) {
			struct arc a = { .len = 0 };
			struct cpio_entry e;
			size_t off = 0;

			arc_add(&a, names[i], S_IFREG | 0644, datas[j]);
			arc_add(&a, "next", S_IFREG | 0644, "n");
			arc_trailer(&a);
			HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
			HCHECK(e.namelen == i + 1 && strcmp(e.name, names[i]) == 0);
			HCHECK(e.size == j && memcmp(e.data, datas[j], j) == 0);
			HCHECK_EQ(off % 4, 0);
			HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
			HCHECK_STREQ(e.name, "next");
			HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0);
			HCHECK_EQ(off, a.len);
		}
	}
}

HTEST(cpio_empty_and_zeros)
{
	static const unsigned char zeros[64];
	struct cpio_entry e;
	size_t off = 0;
	int n;

	HCHECK_EQ(cpio_next(zeros, 0, &off, &e), 0);
	HCHECK_EQ(off, 0);
	HCHECK_EQ(walk(zeros, sizeof(zeros), &off, &n), 0);
	HCHECK_EQ(off, sizeof(zeros));
	off = 65;
	HCHECK_EQ(cpio_next(zeros, sizeof(zeros), &off, &e), -EINVAL); /* *off > len */
	HCHECK_EQ(off, 65);
}

HTEST(cpio_unpadded_end)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	size_t off = 0;

	arc_add(&a, "f", S_IFREG | 0644, "abcde");
	a.len -= 3; /* drop the data padding */
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK_EQ(e.size, 5);
	HCHECK_EQ(off, a.len);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 0);

	a.len = 0; /* an empty file whose name ends the buffer */
	arc_add(&a, "abcd", S_IFREG | 0644, "");
	a.len -= 1; /* 110 + 5 = 115: pad byte gone */
	off = 0;
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	HCHECK(e.size == 0 && off == a.len);
}

HTEST(cpio_concatenated)
{
	struct arc a = { .len = 0 };
	size_t off = 0;
	int n, total = 0, ends = 0;

	arc_add(&a, "first", S_IFREG | 0644, "1");
	arc_trailer(&a);
	memset(a.b + a.len, 0, 24);
	a.len += 24;
	arc_add(&a, "second", S_IFREG | 0644, "22");
	arc_add(&a, "third", S_IFREG | 0644, "333");
	arc_trailer(&a);
	while (off < a.len) {
		HCHECK_EQ(walk(a.b, a.len, &off, &n), 0);
		total += n;
		ends++;
	}
	HCHECK_EQ(total, 3);
	HCHECK_EQ(ends, 2);
}

HTEST(cpio_crc)
{
	struct arc a = { .len = 0 };
	struct ent f = { .magic = "070702", .mode = S_IFREG | 0644, .check = 'a' + 'b' + 'c' };
	struct cpio_entry e;
	size_t off = 0;

	arc_add_raw(&a, &f, "f", 2, "abc", 3);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
	a.len = 0;
	f.check++;
	arc_add_raw(&a, &f, "f", 2, "abc", 3);
	off = 0;
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), -EINVAL);
	HCHECK_EQ(off, 0); /* untouched on error */
	a.len = 0;
	f.magic = "070701"; /* 070701: the check field means nothing */
	arc_add_raw(&a, &f, "f", 2, "abc", 3);
	HCHECK_EQ(cpio_next(a.b, a.len, &off, &e), 1);
}

HTEST(cpio_malformed)
{
	struct arc a = { .len = 0 };
	struct ent f = { .mode = S_IFREG | 0644 };
	size_t off;

	/* Bad magic: odc ("070707"), binary, garbage. */
	static const char *const magics[] = { "070707", "070700", "07070", "\xc7\x71\0\0\0\0",
					      "170701" };
	for (size_t i = 0; i < 5; i++) {
		a.len = 0;
		f.magic = magics[i];
		arc_add_raw(&a, &f, "f", 2, "x", 1);
		memcpy(a.b, magics[i], 6); /* arc_add_raw copies 6 bytes anyway */
		HCHECK_EQ(walk_arc(&a), -EINVAL);
	}
	f.magic = NULL;

	/* A non-hex digit in each of the 13 fields, at its first and last digit. */
	for (int field = 0; field < 13; field++) {
		for (int pos = 0; pos < 8; pos += 7) {
			static const char bad[] = { 'g', 'G', ' ', '-', 'x', '\0' };

			for (size_t k = 0; k < sizeof(bad); k++) {
				a.len = 0;
				arc_add_raw(&a, &f, "f", 2, "x", 1);
				a.b[6 + field * 8 + pos] = (unsigned char)bad[k];
				HCHECK_EQ(walk_arc(&a), -EINVAL);
			}
		}
	}

	/* namesize 0; name without NUL; NUL inside the name. */
	a.len = 0;
	arc_add_raw(&a, &f, "", 0, "x", 1);
	HCHECK_EQ(walk_arc(&a), -EINVAL);
	a.len = 0;
	arc_add_raw(&a, &f, "ab", 2, "x", 1);
	HCHECK_EQ(walk_arc(&a), -EINVAL);
	a.len = 0;
	arc_add_raw(&a, &f, "a\0b", 4, "x", 1);
	HCHECK_EQ(walk_arc(&a), -EINVAL);

	/* Truncated header, name and data: every shorter length fails. */
	a.len = 0;
	arc_add(&a, "name", S_IFREG | 0644, "data!");
	for (size_t len = 1; len < HDR + 5 + 1 + 5; len++) { /* 121 = complete */
		off = 0;
		int n;

		HCHECK_EQ(walk(a.b, len, &off, &n), -EINVAL);
		HCHECK_EQ(off, 0);
	}

	/* A header after zero padding that is not 4-byte aligned. */
	a.len = 0;
	arc_add(&a, "f", S_IFREG | 0644, "");
	memset(a.b + a.len, 0, 2);
	a.len += 2;
	arc_add(&a, "g", S_IFREG | 0644, "");
	HCHECK_EQ(walk_arc(&a), -EINVAL);

	/* Huge namesize / filesize. */
	a.len = 0;
	arc_add_raw(&a, &f, "f", 2, "x", 1);
	memcpy(a.b + 6 + 11 * 8, "FFFFFFFF", 8);
	HCHECK_EQ(walk_arc(&a), -EINVAL);
	a.len = 0;
	arc_add_raw(&a, &f, "f", 2, "x", 1);
	memcpy(a.b + 6 + 6 * 8, "FFFFFFFF", 8);
	HCHECK_EQ(walk_arc(&a), -EINVAL);
	/* filesize one past the end, then exactly the end. */
	a.len = 0;
	arc_add_raw(&a, &f, "f", 2, "abcd", 4);
	memcpy(a.b + 6 + 6 * 8, "00000005", 8);
	HCHECK_EQ(walk_arc(&a), -EINVAL);
	memcpy(a.b + 6 + 6 * 8, "00000004", 8);
	HCHECK_EQ(walk_arc(&a), 0);
}

/* ---------------------------------------------------------------- real and random */

HTEST(cpio_real_initramfs)
{
	const char *b = getenv("KEEL_BUILD");
	char path[256];
	FILE *fp;
	unsigned char *buf;
	long len;
	size_t off = 0;
	struct cpio_entry e;
	bool init = false, usertests = false;
	int r;

	snprintf(path, sizeof(path), "%s/initramfs.cpio", b && *b ? b : "build");
	fp = fopen(path, "rb");
	if (!fp)
		return; /* not built yet: nothing to check */
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc(len > 0 ? (size_t)len : 1);
	HCHECK(fread(buf, 1, (size_t)len, fp) == (size_t)len);
	fclose(fp);
	while ((r = cpio_next(buf, (size_t)len, &off, &e)) == 1) {
		init |= strcmp(e.name, "init") == 0 && (e.mode & 0170000) == S_IFREG && e.size > 0;
		usertests |= strcmp(e.name, "bin/usertests") == 0;
		HCHECK(e.name[0] != '/' && strncmp(e.name, "./", 2) != 0);
	}
	HCHECK_EQ(r, 0);
	HCHECK(init && usertests);
	free(buf);
}

static uint64_t crand_state;

static uint64_t crand(void)
{
	crand_state ^= crand_state >> 12;
	crand_state ^= crand_state << 25;
	crand_state ^= crand_state >> 27;
	return crand_state * 0x2545F4914F6CDD1DULL;
}

HTEST(cpio_random)
{
	static const char hexish[] = "0123456789abcdefABCDEFgG \0\xff";
	struct arc base = { .len = 0 }, a;
	unsigned long entries = 0, ok_ends = 0;

	arc_add(&base, "bin", S_IFDIR | 0755, "");
	arc_add(&base, "bin/hello", S_IFREG | 0755, "hello, world\n");
	arc_add(&base, "init", S_IFREG | 0755, "#!/bin/sh\n");
	arc_add(&base, "bin/sh", S_IFLNK | 0777, "busybox");
	arc_trailer(&base);
	memset(base.b + base.len, 0, 12);
	base.len += 12;

	crand_state = 0x6370696f;
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		unsigned n = 1 + crand() % 6;
		unsigned char *copy;
		struct cpio_entry e;
		size_t off = 0, prev;
		int r;

		a = base;
		for (unsigned k = 0; k < n; k++) {
			size_t at = crand() % a.len;

			a.b[at] = (crand() & 1) ? (unsigned char)hexish[crand() % (sizeof(hexish) - 1)]
						: (unsigned char)crand();
		}
		if (crand() % 4 == 0)
			a.len = crand() % (a.len + 1);
		copy = malloc(a.len ? a.len : 1);
		memcpy(copy, a.b, a.len);
		for (;;) {
			prev = off;
			r = cpio_next(copy, a.len, &off, &e);
			HCHECK(r == 1 || r == 0 || r == -EINVAL);
			if (r != 1)
				break;
			entries++;
			HCHECK(off > prev && off <= a.len);
			HCHECK((const unsigned char *)e.name >= copy &&
			       (const unsigned char *)e.name + e.namelen < copy + a.len);
			HCHECK(strlen(e.name) == e.namelen);
			HCHECK((const unsigned char *)e.data >= copy &&
			       e.size <= (size_t)(copy + a.len - (const unsigned char *)e.data));
		}
		if (r == 0) {
			ok_ends++;
			HCHECK(off <= a.len);
		}
		free(copy);
	}
	fprintf(stderr, "  cpio random: %lu entries, %lu clean ends of %d\n", entries, ok_ends,
		FUZZ_ROUNDS);
	HCHECK(ok_ends > FUZZ_ROUNDS / 50);
}
