/*
 * test_bootinfo.c - host unit tests for kernel/boot/bootinfo.c.
 *
 * The tests build real Multiboot2 information blobs and PVH start_info
 * layouts byte by byte (little-endian, offsets from the specs, written
 * independently of the parser's structs) in a buffer that stands in for
 * physical memory at FAKE_BASE, and hand the parser an accessor over it
 * that returns a fresh exact-size heap copy per call.  ASan then reports
 * any read outside what that call of the accessor returned.
 *
 * Covered: every tag/field the parser uses, the documented edge cases
 * (RSDP tag precedence, meminfo fallback, truncation of strings and of
 * too many modules/regions), malformed input (-EINVAL), bootinfo_sanitize
 * on overlaps and merges, and a seeded random mutation test of 20k blobs
 * per boot path that must only ever return 0 or -EINVAL and, on 0, leave a
 * struct bootinfo that satisfies the header's invariants.
 */
#include <stdlib.h>
#include <keel/bootinfo.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "htest.h"

/* Physical address at which the fake memory block appears. */
#define FAKE_BASE 0x10000ull

/* Multiboot2 tag numbers and sizes, from the spec. */
#define T_END 0
#define T_CMDLINE 1
#define T_LOADER_NAME 2
#define T_MODULE 3
#define T_MEMINFO 4
#define T_MMAP 6
#define T_FB 8
#define T_ACPI_OLD 14
#define T_ACPI_NEW 15
#define MB2_ENTRY_SIZE 24

/* PVH offsets, from Xen's start_info.h. */
#define SI_MAGIC 0
#define SI_VERSION 4
#define SI_NR_MODULES 12
#define SI_MODLIST 16
#define SI_CMDLINE 24
#define SI_RSDP 32
#define SI_MEMMAP 40
#define SI_MEMMAP_ENTRIES 48
#define SI_SIZE_V1 56
#define MOD_ENTRY_SIZE 32
#define MAP_ENTRY_SIZE 24

#define FUZZ_ITERS 20000

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- fake memory */

/*
 * Every ptr() call returns a fresh heap copy of exactly len bytes, so ASan
 * flags a read past what that particular call returned, even when the
 * bytes after it exist in the fake memory.  Copies live until fake_done().
 */
#define FAKE_MAX_COPIES 8192

struct fakemem {
	uint64_t base;
	const uint8_t *buf;
	uint64_t size;
	void *copies[FAKE_MAX_COPIES];
	unsigned ncopies;
};

static const void *fake_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	struct fakemem *f = ctx;
	uint64_t off;
	uint8_t *c;

	if (pa < f->base)
		return NULL;
	off = pa - f->base;
	if (off > f->size || len > f->size - off)
		return NULL;
	HCHECK(f->ncopies < FAKE_MAX_COPIES);
	if (f->ncopies == FAKE_MAX_COPIES)
		return NULL;
	c = malloc(len ? len : 1);
	HCHECK(c != NULL);
	memcpy(c, f->buf + off, len);
	f->copies[f->ncopies++] = c;
	return c;
}

static void fake_done(struct fakemem *f)
{
	while (f->ncopies)
		free(f->copies[--f->ncopies]);
}

static struct fakemem fake; /* big: keep it off the stack */

static int parse_mb2_at(struct bootinfo *bi, const uint8_t *blob, size_t n, uint64_t pa)
{
	struct bootinfo_mem m = {fake_ptr, &fake};
	int rc;

	fake.base = pa;
	fake.buf = blob;
	fake.size = n;
	rc = bootinfo_parse_multiboot2(bi, pa, &m);
	fake_done(&fake);
	return rc;
}

static int parse_mb2(struct bootinfo *bi, const uint8_t *blob, size_t n)
{
	return parse_mb2_at(bi, blob, n, FAKE_BASE);
}

static int parse_pvh_space(struct bootinfo *bi, const uint8_t *space, size_t n, uint64_t si_off)
{
	struct bootinfo_mem m = {fake_ptr, &fake};
	int rc;

	fake.base = FAKE_BASE;
	fake.buf = space;
	fake.size = n;
	rc = bootinfo_parse_pvh(bi, FAKE_BASE + si_off, &m);
	fake_done(&fake);
	return rc;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t rd32t(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---------------------------------------------------------------- MB2 builder */

#define MB2_BUF 16384

struct mb2b {
	uint8_t buf[MB2_BUF];
	size_t off; /* next free byte */
	size_t tag; /* start of the open tag */
};

static void mb2_init(struct mb2b *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->off = 8;
}

static void mb2_open(struct mb2b *b, uint32_t type)
{
	b->tag = b->off;
	wr32(b->buf + b->off, type);
	b->off += 8;
}

static void mb2_u8(struct mb2b *b, uint8_t v)
{
	b->buf[b->off++] = v;
}

static void mb2_u32(struct mb2b *b, uint32_t v)
{
	wr32(b->buf + b->off, v);
	b->off += 4;
}

static void mb2_u64(struct mb2b *b, uint64_t v)
{
	wr64(b->buf + b->off, v);
	b->off += 8;
}

static void mb2_str(struct mb2b *b, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(b->buf + b->off, s, n);
	b->off += n;
}

/* Write the open tag's size (unpadded) and pad to 8. */
static void mb2_close(struct mb2b *b)
{
	wr32(b->buf + b->tag + 4, (uint32_t)(b->off - b->tag));
	b->off = (b->off + 7) & ~(size_t)7;
}

/* Append the end tag and set total_size; returns total_size. */
static size_t mb2_finish(struct mb2b *b)
{
	mb2_open(b, T_END);
	mb2_close(b);
	wr32(b->buf, (uint32_t)b->off);
	return b->off;
}

static void mb2_add_cmdline(struct mb2b *b, const char *s)
{
	mb2_open(b, T_CMDLINE);
	mb2_str(b, s);
	mb2_close(b);
}

static void mb2_add_module(struct mb2b *b, uint32_t start, uint32_t end, const char *cmd)
{
	mb2_open(b, T_MODULE);
	mb2_u32(b, start);
	mb2_u32(b, end);
	mb2_str(b, cmd);
	mb2_close(b);
}

struct e820 {
	uint64_t base, len;
	uint32_t type;
};

/* A QEMU-like PC map: 128 MiB of RAM below the 4 GiB PCI hole. */
static const struct e820 qemu_map[] = {
    {0x0, 0x9fc00, 1},	      {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
};
#define QEMU_MAP_N (sizeof(qemu_map) / sizeof(qemu_map[0]))
#define QEMU_USABLE (0x9fc00ull + 0x7ee0000ull)

static void mb2_add_mmap(struct mb2b *b, const struct e820 *e, size_t n, uint32_t entry_size)
{
	mb2_open(b, T_MMAP);
	mb2_u32(b, entry_size);
	mb2_u32(b, 0);
	for (size_t i = 0; i < n; i++) {
		size_t start = b->off;

		mb2_u64(b, e[i].base);
		mb2_u64(b, e[i].len);
		mb2_u32(b, e[i].type);
		while (b->off < start + entry_size)
			mb2_u8(b, 0xee); /* reserved + future fields */
	}
	mb2_close(b);
}

static void mb2_add_fb(struct mb2b *b)
{
	mb2_open(b, T_FB);
	mb2_u64(b, 0xfd000000);
	mb2_u32(b, 4096); /* pitch */
	mb2_u32(b, 1024); /* width */
	mb2_u32(b, 768);  /* height */
	mb2_u8(b, 32);	  /* bpp */
	mb2_u8(b, 1);	  /* RGB */
	mb2_u8(b, 0);	  /* reserved (u16 in GRUB) */
	mb2_u8(b, 0);
	mb2_u8(b, 16); /* red position, size */
	mb2_u8(b, 8);
	mb2_u8(b, 8); /* green */
	mb2_u8(b, 8);
	mb2_u8(b, 0); /* blue */
	mb2_u8(b, 8);
	mb2_close(b);
}

static void mb2_add_rsdp(struct mb2b *b, bool is_new, uint8_t fill)
{
	size_t n = is_new ? 36 : 20;

	mb2_open(b, is_new ? T_ACPI_NEW : T_ACPI_OLD);
	memcpy(b->buf + b->off, "RSD PTR ", 8);
	for (size_t i = 8; i < n; i++)
		b->buf[b->off + i] = fill;
	b->off += n;
	mb2_close(b);
}

/* The full blob most tests start from; returns total_size. */
static size_t mb2_build_full(struct mb2b *b)
{
	mb2_init(b);
	mb2_open(b, T_LOADER_NAME); /* skipped by the parser */
	mb2_str(b, "GRUB 2.06");
	mb2_close(b);
	mb2_add_cmdline(b, "loglevel=7 test=pmm,heap");
	mb2_add_module(b, 0x200000, 0x201234, "/boot/initrd arg");
	mb2_add_module(b, 0x300000, 0x300000, "");
	mb2_open(b, T_MEMINFO);
	mb2_u32(b, 639);
	mb2_u32(b, 130048);
	mb2_close(b);
	mb2_add_mmap(b, qemu_map, QEMU_MAP_N, MB2_ENTRY_SIZE);
	mb2_add_fb(b);
	mb2_add_rsdp(b, false, 0x11);
	return mb2_finish(b);
}

/* ---------------------------------------------------------------- invariants */

static bool str_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* The promises <keel/bootinfo.h> makes about a successfully parsed bi. */
static bool bi_invariants_ok(const struct bootinfo *bi)
{
	if (!str_terminated(bi->cmdline, sizeof(bi->cmdline)))
		return false;
	if (bi->mem_count > BOOTINFO_MAX_REGIONS || bi->mod_count > BOOTINFO_MAX_MODULES ||
	    bi->rsdp_len > BOOTINFO_RSDP_MAX)
		return false;
	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (r->len == 0 || r->type < BOOT_MEM_USABLE || r->type > BOOT_MEM_BAD ||
		    r->len > UINT64_MAX - r->base)
			return false;
		if (i > 0) {
			const struct boot_mem_region *p = &bi->mem[i - 1];
			uint64_t pend = p->base + p->len;

			if (pend > r->base)
				return false; /* unsorted or overlapping */
			if (pend == r->base && p->type == r->type)
				return false; /* not merged */
		}
	}
	for (unsigned i = 0; i < bi->mod_count; i++)
		if (bi->mod[i].start > bi->mod[i].end ||
		    !str_terminated(bi->mod[i].cmdline, sizeof(bi->mod[i].cmdline)))
			return false;
	return bi->info_start <= bi->info_end;
}

static struct bootinfo bi_static; /* too big for a comfortable stack */

/* ---------------------------------------------------------------- MB2 tests */

HTEST(bootinfo_mb2_full_blob)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n = mb2_build_full(&b);

	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK(bi_invariants_ok(bi));
	HCHECK_STREQ(bi->protocol, "multiboot2");
	HCHECK_STREQ(bi->cmdline, "loglevel=7 test=pmm,heap");

	HCHECK_EQ(bi->mod_count, 2);
	HCHECK_EQ(bi->mod[0].start, 0x200000);
	HCHECK_EQ(bi->mod[0].end, 0x201234);
	HCHECK_STREQ(bi->mod[0].cmdline, "/boot/initrd arg");
	HCHECK_EQ(bi->mod[1].start, bi->mod[1].end);
	HCHECK_STREQ(bi->mod[1].cmdline, "");

	/* The map was already canonical, so it comes back unchanged. */
	HCHECK_EQ(bi->mem_count, QEMU_MAP_N);
	for (unsigned i = 0; i < QEMU_MAP_N && i < bi->mem_count; i++) {
		HCHECK_EQ(bi->mem[i].base, qemu_map[i].base);
		HCHECK_EQ(bi->mem[i].len, qemu_map[i].len);
		HCHECK_EQ(bi->mem[i].type, qemu_map[i].type);
	}
	HCHECK_EQ(bootinfo_usable_bytes(bi), QEMU_USABLE);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0x7fe0000);

	HCHECK(bi->has_fb);
	HCHECK_EQ(bi->fb.addr, 0xfd000000);
	HCHECK_EQ(bi->fb.pitch, 4096);
	HCHECK_EQ(bi->fb.width, 1024);
	HCHECK_EQ(bi->fb.height, 768);
	HCHECK_EQ(bi->fb.bpp, 32);
	HCHECK_EQ(bi->fb.type, BOOT_FB_TYPE_RGB);

	HCHECK_EQ(bi->rsdp_len, 20);
	HCHECK(memcmp(bi->rsdp, "RSD PTR ", 8) == 0);
	HCHECK_EQ(bi->rsdp[19], 0x11);
	HCHECK_EQ(bi->rsdp_paddr, 0);

	HCHECK_EQ(bi->info_start, FAKE_BASE);
	HCHECK_EQ(bi->info_end, FAKE_BASE + n);
	HCHECK_EQ(bi->mem_dropped, 0);
	HCHECK_EQ(bi->mod_dropped, 0);
}

HTEST(bootinfo_mb2_minimal)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	mb2_init(&b);
	n = mb2_finish(&b);
	HCHECK_EQ(n, 16);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mem_count, 0);
	HCHECK_EQ(bi->mod_count, 0);
	HCHECK_STREQ(bi->cmdline, "");
	HCHECK(!bi->has_fb);
	HCHECK_EQ(bi->rsdp_len, 0);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0);
}

HTEST(bootinfo_mb2_rsdp_new_wins)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	for (int order = 0; order < 2; order++) {
		mb2_init(&b);
		mb2_add_rsdp(&b, order == 0, 0x22 + order);
		mb2_add_rsdp(&b, order != 0, 0x22 + !order);
		n = mb2_finish(&b);
		HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
		HCHECK_EQ(bi->rsdp_len, 36);
		/* the new (ACPI 2.0) tag is the one filled with 0x22 */
		HCHECK_EQ(bi->rsdp[35], 0x22);
	}
}

HTEST(bootinfo_mb2_mmap_wide_entries_and_types)
{
	static const struct e820 map[] = {
	    {0x100000, 0x100000, 1}, /* usable */
	    {0x200000, 0x1000, 3},   /* ACPI reclaim */
	    {0x201000, 0x1000, 4},   /* ACPI NVS */
	    {0x202000, 0x1000, 5},   /* bad */
	    {0x203000, 0x1000, 12},  /* unknown (PMEM) -> reserved */
	    {0x204000, 0x1000, 0},   /* unknown -> reserved, merged */
	    {0x205000, 0, 1},	     /* empty: dropped */
	};
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	mb2_init(&b);
	mb2_add_mmap(&b, map, 7, 40); /* entry_size 40: future fields */
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mem_count, 5);
	HCHECK_EQ(bi->mem[0].type, BOOT_MEM_USABLE);
	HCHECK_EQ(bi->mem[1].type, BOOT_MEM_ACPI_RECLAIM);
	HCHECK_EQ(bi->mem[2].type, BOOT_MEM_ACPI_NVS);
	HCHECK_EQ(bi->mem[3].type, BOOT_MEM_BAD);
	HCHECK_EQ(bi->mem[4].type, BOOT_MEM_RESERVED);
	HCHECK_EQ(bi->mem[4].base, 0x203000);
	HCHECK_EQ(bi->mem[4].len, 0x2000);
	HCHECK(bi_invariants_ok(bi));
}

HTEST(bootinfo_mb2_meminfo_fallback)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	mb2_init(&b);
	mb2_open(&b, T_MEMINFO);
	mb2_u32(&b, 639);	/* KiB below 640K */
	mb2_u32(&b, 64 * 1024); /* KiB above 1M */
	mb2_close(&b);
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mem_count, 2);
	HCHECK_EQ(bi->mem[0].base, 0);
	HCHECK_EQ(bi->mem[0].len, 639 * 1024);
	HCHECK_EQ(bi->mem[1].base, 0x100000);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0x100000 + 64ull * 1024 * 1024);
}

HTEST(bootinfo_mb2_unaligned_tag_sizes)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	/* Tag sizes 8+5, 16+2: the next tags start at the padded offsets. */
	mb2_init(&b);
	mb2_add_cmdline(&b, "abcd");
	mb2_add_module(&b, 0x1000, 0x2000, "x");
	mb2_add_cmdline(&b, "second=1"); /* a later cmdline tag wins */
	mb2_add_mmap(&b, qemu_map, 2, MB2_ENTRY_SIZE);
	n = mb2_finish(&b);
	HCHECK_EQ(rd32t(b.buf + 8 + 4), 13);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_STREQ(bi->cmdline, "second=1");
	HCHECK_EQ(bi->mod_count, 1);
	HCHECK_STREQ(bi->mod[0].cmdline, "x");
	HCHECK_EQ(bi->mem_count, 2);
}

HTEST(bootinfo_mb2_unterminated_strings)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	/* Strings without NUL: cut at the tag end, not read beyond. */
	mb2_init(&b);
	mb2_open(&b, T_CMDLINE);
	memcpy(b.buf + b.off, "nonul", 5);
	b.off += 5;
	mb2_close(&b);
	mb2_open(&b, T_MODULE);
	mb2_u32(&b, 0x1000);
	mb2_u32(&b, 0x2000);
	memcpy(b.buf + b.off, "modx", 4);
	b.off += 4;
	mb2_close(&b);
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_STREQ(bi->cmdline, "nonul");
	HCHECK_STREQ(bi->mod[0].cmdline, "modx");
}

HTEST(bootinfo_mb2_long_strings_truncated)
{
	static struct mb2b b;
	static char big[3000];
	struct bootinfo *bi = &bi_static;
	size_t n;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mb2_init(&b);
	mb2_add_cmdline(&b, big);
	mb2_add_module(&b, 0, 0x1000, big + 2000);
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(strlen(bi->cmdline), BOOTINFO_CMDLINE_MAX - 1);
	HCHECK_EQ(strlen(bi->mod[0].cmdline), BOOT_MODULE_CMDLINE_MAX - 1);
}

HTEST(bootinfo_mb2_too_many_modules)
{
	static struct mb2b b;
	struct bootinfo *bi = &bi_static;
	size_t n;

	mb2_init(&b);
	for (uint32_t i = 0; i < BOOTINFO_MAX_MODULES + 4; i++)
		mb2_add_module(&b, i * 0x1000, i * 0x1000 + 0x800, "m");
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mod_count, BOOTINFO_MAX_MODULES);
	HCHECK_EQ(bi->mod_dropped, 4);
	HCHECK_EQ(bi->mod[BOOTINFO_MAX_MODULES - 1].start, (BOOTINFO_MAX_MODULES - 1) * 0x1000);
}

HTEST(bootinfo_mb2_many_regions)
{
	static struct mb2b b;
	static struct e820 map[400];
	struct bootinfo *bi = &bi_static;
	size_t n;

	/* 400 adjacent usable pieces: compacted while parsing into one. */
	for (int i = 0; i < 400; i++)
		map[i] = (struct e820){0x100000 + i * 0x1000ull, 0x1000, 1};
	mb2_init(&b);
	mb2_add_mmap(&b, map, 400, MB2_ENTRY_SIZE);
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mem_count, 1);
	HCHECK_EQ(bi->mem[0].len, 400 * 0x1000);
	HCHECK_EQ(bi->mem_dropped, 0);

	/* 400 disjoint pieces: the first BOOTINFO_MAX_REGIONS are kept. */
	for (int i = 0; i < 400; i++)
		map[i] = (struct e820){0x100000 + i * 0x2000ull, 0x1000, 1};
	mb2_init(&b);
	mb2_add_mmap(&b, map, 400, MB2_ENTRY_SIZE);
	n = mb2_finish(&b);
	HCHECK_EQ(parse_mb2(bi, b.buf, n), 0);
	HCHECK_EQ(bi->mem_count, BOOTINFO_MAX_REGIONS);
	HCHECK_EQ(bi->mem_dropped, 400 - BOOTINFO_MAX_REGIONS);
	HCHECK_EQ(bi->mem[BOOTINFO_MAX_REGIONS - 1].base,
		  0x100000 + (BOOTINFO_MAX_REGIONS - 1) * 0x2000ull);
	HCHECK(bi_invariants_ok(bi));
}

/* Offset of the first tag of the given type in the full blob. */
static size_t find_tag(const struct mb2b *b, uint32_t type)
{
	size_t off = 8;

	while (rd32t(b->buf + off) != type) {
		HCHECK(rd32t(b->buf + off) != T_END);
		off += (rd32t(b->buf + off + 4) + 7) & ~7u;
	}
	return off;
}

#define AT_HEADER UINT32_MAX /* dmg.tag: patch the info header */
#define NO_WRITE UINT64_MAX  /* dmg.val: patch nothing */

/*
 * One way to damage the full blob: write the u32 val at offset off of the
 * first tag of type tag (or of the header), then make the accessor's range
 * len bytes long (0: total_size; negative: that many bytes short).
 */
struct dmg {
	const char *name;
	uint32_t tag;
	uint32_t off;
	uint64_t val;
	long len;
};

static const struct dmg mb2_damage[] = {
    {"total_size below header + end tag", AT_HEADER, 0, 15, 0},
    {"total_size zero", AT_HEADER, 0, 0, 0},
    {"total_size absurd", AT_HEADER, 0, 0xfffffff8, 0},
    {"total_size past readable memory", AT_HEADER, 0, NO_WRITE, -8},
    {"header not readable", AT_HEADER, 0, NO_WRITE, 4},
    {"total_size ends inside the tags", AT_HEADER, 0, 64, 0},
    {"no end tag", T_END, 0, T_CMDLINE, 0},
    {"end tag past total_size", T_END, 4, 16, 0},
    {"tag size below 8", T_CMDLINE, 4, 7, 0},
    {"tag runs past total_size", T_CMDLINE, 4, 0x1000, 0},
    {"tag size huge", T_FB, 4, 0xfffffff0, 0},
    {"mmap entry_size 0", T_MMAP, 8, 0, 0},
    {"mmap entry_size 16", T_MMAP, 8, 16, 0},
    {"mmap entry_size 28 (not 8-aligned)", T_MMAP, 8, 28, 0},
    {"module end before start", T_MODULE, 12, 0x1000, 0},
};

HTEST(bootinfo_mb2_malformed)
{
	static struct mb2b b;

	for (size_t i = 0; i < N(mb2_damage); i++) {
		const struct dmg *d = &mb2_damage[i];
		size_t n = mb2_build_full(&b);
		size_t at = d->tag == AT_HEADER ? 0 : find_tag(&b, d->tag);
		int rc;

		if (d->val != NO_WRITE)
			wr32(b.buf + at + d->off, (uint32_t)d->val);
		if (d->len < 0)
			n -= (size_t)-d->len;
		else if (d->len > 0)
			n = (size_t)d->len;
		rc = parse_mb2(&bi_static, b.buf, n);
		if (rc != -EINVAL)
			fprintf(stderr, "  case: %s\n", d->name);
		HCHECK_EQ(rc, -EINVAL);
	}
}

/*
 * One tag of exactly size bytes (padding zeroed), then the end tag.  The
 * payload comes from tmpl, so a tag cut short really is short and the walk
 * stays in step: only the size check itself decides the result.
 */
static int parse_one_tag(uint32_t type, uint32_t size, const uint8_t *tmpl)
{
	static struct mb2b b;
	uint32_t payload = size > 8 ? size - 8 : 0;

	mb2_init(&b);
	mb2_open(&b, type);
	memcpy(b.buf + b.off, tmpl, payload);
	b.off += payload;
	mb2_close(&b);
	wr32(b.buf + b.tag + 4, size); /* may claim less than its header */
	return parse_mb2(&bi_static, b.buf, mb2_finish(&b));
}

HTEST(bootinfo_mb2_tag_min_sizes)
{
	static const struct {
		uint32_t type, min;
	} tags[] = {
	    {T_MODULE, 16}, {T_MEMINFO, 16},	  {T_MMAP, 16},
	    {T_FB, 30},	    {T_ACPI_OLD, 8 + 20}, {T_ACPI_NEW, 8 + 36},
	};
	uint8_t tmpl[64] = {0};

	for (size_t i = 0; i < N(tags); i++) {
		/* mmap needs a valid entry_size; zeros suit the others. */
		tmpl[0] = tags[i].type == T_MMAP ? MB2_ENTRY_SIZE : 0;
		HCHECK_EQ(parse_one_tag(tags[i].type, tags[i].min - 1, tmpl), -EINVAL);
		HCHECK_EQ(parse_one_tag(tags[i].type, tags[i].min, tmpl), 0);
	}
	/* A size below the 8-byte tag header is malformed for any tag. */
	HCHECK_EQ(parse_one_tag(T_CMDLINE, 7, tmpl), -EINVAL);
	HCHECK_EQ(parse_one_tag(77, 0, tmpl), -EINVAL);
	/* cmdline and unknown tags may be empty (size 8). */
	HCHECK_EQ(parse_one_tag(T_CMDLINE, 8, tmpl), 0);
	HCHECK_STREQ(bi_static.cmdline, "");
	HCHECK_EQ(parse_one_tag(77, 8, tmpl), 0);
}

HTEST(bootinfo_mb2_misaligned_address)
{
	static struct mb2b b;
	size_t n = mb2_build_full(&b);

	HCHECK_EQ(parse_mb2_at(&bi_static, b.buf, n, FAKE_BASE + 4), -EINVAL);
	HCHECK_EQ(parse_mb2_at(&bi_static, b.buf, n, FAKE_BASE + 8), 0);
}

/* ---------------------------------------------------------------- PVH */

#define PVH_SPACE 8192
#define PVH_SI 0x0 /* offsets of the pieces in the fake space */
#define PVH_MODLIST 0x100
#define PVH_MEMMAP 0x200
#define PVH_CMDLINE 0x800
#define PVH_MOD0_CMD 0xc00
#define PVH_MOD1_CMD 0xd00

static void put_str(uint8_t *dst, const char *s)
{
	memcpy(dst, s, strlen(s) + 1);
}

static void pvh_build(uint8_t *s, uint32_t version)
{
	memset(s, 0, PVH_SPACE);
	wr32(s + PVH_SI + SI_MAGIC, 0x336ec578);
	wr32(s + PVH_SI + SI_VERSION, version);
	wr32(s + PVH_SI + SI_NR_MODULES, 2);
	wr64(s + PVH_SI + SI_MODLIST, FAKE_BASE + PVH_MODLIST);
	wr64(s + PVH_SI + SI_CMDLINE, FAKE_BASE + PVH_CMDLINE);
	wr64(s + PVH_SI + SI_RSDP, 0xf5a40);
	wr64(s + PVH_SI + SI_MEMMAP, FAKE_BASE + PVH_MEMMAP);
	wr32(s + PVH_SI + SI_MEMMAP_ENTRIES, QEMU_MAP_N);

	wr64(s + PVH_MODLIST + 0, 0x400000);
	wr64(s + PVH_MODLIST + 8, 0x12345);
	wr64(s + PVH_MODLIST + 16, FAKE_BASE + PVH_MOD0_CMD);
	wr64(s + PVH_MODLIST + MOD_ENTRY_SIZE + 0, 0x500000);
	wr64(s + PVH_MODLIST + MOD_ENTRY_SIZE + 8, 0);
	wr64(s + PVH_MODLIST + MOD_ENTRY_SIZE + 16, 0); /* no cmdline */

	for (size_t i = 0; i < QEMU_MAP_N; i++) {
		uint8_t *e = s + PVH_MEMMAP + i * MAP_ENTRY_SIZE;

		wr64(e, qemu_map[i].base);
		wr64(e + 8, qemu_map[i].len);
		wr32(e + 16, qemu_map[i].type);
	}
	put_str(s + PVH_CMDLINE, "console=ttyS0 init=/sbin/init");
	put_str(s + PVH_MOD0_CMD, "initrd.cpio");
	put_str(s + PVH_MOD1_CMD, "unused");
}

static uint8_t pvh_space[PVH_SPACE];

HTEST(bootinfo_pvh_full)
{
	struct bootinfo *bi = &bi_static;

	pvh_build(pvh_space, 1);
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SI), 0);
	HCHECK(bi_invariants_ok(bi));
	HCHECK_STREQ(bi->protocol, "pvh");
	HCHECK_STREQ(bi->cmdline, "console=ttyS0 init=/sbin/init");
	HCHECK_EQ(bi->rsdp_paddr, 0xf5a40);
	HCHECK_EQ(bi->rsdp_len, 0);
	HCHECK(!bi->has_fb);
	HCHECK_EQ(bi->mod_count, 2);
	HCHECK_EQ(bi->mod[0].start, 0x400000);
	HCHECK_EQ(bi->mod[0].end, 0x412345);
	HCHECK_STREQ(bi->mod[0].cmdline, "initrd.cpio");
	HCHECK_EQ(bi->mod[1].start, 0x500000);
	HCHECK_EQ(bi->mod[1].end, 0x500000);
	HCHECK_STREQ(bi->mod[1].cmdline, "");
	HCHECK_EQ(bi->mem_count, QEMU_MAP_N);
	HCHECK_EQ(bootinfo_usable_bytes(bi), QEMU_USABLE);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0x7fe0000);
	/* Hull of start_info .. the module cmdline's NUL. */
	HCHECK_EQ(bi->info_start, FAKE_BASE + PVH_SI);
	HCHECK_EQ(bi->info_end, FAKE_BASE + PVH_MOD0_CMD + strlen("initrd.cpio") + 1);
}

HTEST(bootinfo_pvh_version0_no_memmap)
{
	struct bootinfo *bi = &bi_static;

	/* v0: memmap fields do not exist, so the 40-byte struct suffices. */
	pvh_build(pvh_space, 0);
	memcpy(pvh_space + PVH_SPACE - 40, pvh_space, 40);
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SPACE - 40), 0);
	HCHECK_EQ(bi->mem_count, 0);
	HCHECK_EQ(bi->mod_count, 2);
	HCHECK_STREQ(bi->cmdline, "console=ttyS0 init=/sbin/init");
	/* The same layout claiming v1 runs past the end: -EINVAL. */
	wr32(pvh_space + PVH_SPACE - 40 + SI_VERSION, 1);
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SPACE - 40), -EINVAL);
}

HTEST(bootinfo_pvh_types_and_overlaps)
{
	static const struct e820 map[] = {
	    {0x0, 0x100000, 1},	     {0x1000, 0x1000, 7}, /* PMEM -> reserved */
	    {0x80000, 0x1000, 6},			  /* DISABLED -> reserved */
	    {0x100000, 0x100000, 1},			  /* merges with the first */
	    {0x1ff000, 0x2000, 5},			  /* bad, overlapping usable */
	};
	struct bootinfo *bi = &bi_static;

	pvh_build(pvh_space, 1);
	wr32(pvh_space + SI_MEMMAP_ENTRIES, 5);
	for (size_t i = 0; i < 5; i++) {
		uint8_t *e = pvh_space + PVH_MEMMAP + i * MAP_ENTRY_SIZE;

		wr64(e, map[i].base);
		wr64(e + 8, map[i].len);
		wr32(e + 16, map[i].type);
	}
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SI), 0);
	HCHECK(bi_invariants_ok(bi));
	HCHECK_EQ(bi->mem_count, 6);
	HCHECK_EQ(bi->mem[0].len, 0x1000);
	HCHECK_EQ(bi->mem[1].type, BOOT_MEM_RESERVED);
	HCHECK_EQ(bi->mem[3].type, BOOT_MEM_RESERVED);
	HCHECK_EQ(bi->mem[4].base, 0x81000);
	HCHECK_EQ(bi->mem[4].len, 0x1ff000 - 0x81000);
	HCHECK_EQ(bi->mem[5].type, BOOT_MEM_BAD);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0x1ff000);
}

HTEST(bootinfo_pvh_long_cmdline)
{
	struct bootinfo *bi = &bi_static;

	pvh_build(pvh_space, 1);
	/* 2000 non-NUL bytes; only the first 1023 are read and kept. */
	memset(pvh_space + PVH_CMDLINE, 'c', 2000);
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SI), 0);
	HCHECK_EQ(strlen(bi->cmdline), BOOTINFO_CMDLINE_MAX - 1);
}

HTEST(bootinfo_pvh_malformed)
{
	struct bootinfo *bi = &bi_static;
	uint8_t *s = pvh_space;

	pvh_build(s, 1);
	wr32(s + SI_MAGIC, 0x336ec579);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* start_info cut short by the accessor */
	HCHECK_EQ(parse_pvh_space(bi, s, SI_SIZE_V1 - 1, PVH_SI), -EINVAL);
	HCHECK_EQ(parse_pvh_space(bi, s, 4, PVH_SI), -EINVAL);

	pvh_build(s, 1);
	wr32(s + SI_NR_MODULES, 0xffffffff);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* modules that run past the fake memory */
	wr32(s + SI_NR_MODULES, 1000);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1);
	wr64(s + SI_MODLIST, 0);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1);
	wr32(s + SI_MEMMAP_ENTRIES, 0xffffffff);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1);
	wr64(s + SI_MEMMAP, FAKE_BASE + PVH_SPACE - MAP_ENTRY_SIZE);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1);
	wr64(s + SI_MEMMAP, 0);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* cmdline pointer outside memory */
	wr64(s + SI_CMDLINE, 0x1000);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* cmdline runs into the end of memory */
	memset(s + PVH_SPACE - 10, 'x', 10);
	wr64(s + SI_CMDLINE, FAKE_BASE + PVH_SPACE - 10);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* module cmdline at the top of the address space */
	wr64(s + PVH_MODLIST + 16, UINT64_MAX);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* module end overflows */
	wr64(s + PVH_MODLIST + 0, UINT64_MAX - 10);
	wr64(s + PVH_MODLIST + 8, 11);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), -EINVAL);

	pvh_build(s, 1); /* the largest module that fits is fine */
	wr64(s + PVH_MODLIST + 0, UINT64_MAX - 10);
	wr64(s + PVH_MODLIST + 8, 10);
	HCHECK_EQ(parse_pvh_space(bi, s, PVH_SPACE, PVH_SI), 0);
}

HTEST(bootinfo_pvh_too_many_modules)
{
	struct bootinfo *bi = &bi_static;
	const uint32_t nr = BOOTINFO_MAX_MODULES + 3;

	pvh_build(pvh_space, 1);
	wr32(pvh_space + SI_NR_MODULES, nr);
	wr64(pvh_space + SI_MODLIST, FAKE_BASE + 0x1000);
	for (uint32_t i = 0; i < nr; i++) {
		uint8_t *e = pvh_space + 0x1000 + i * MOD_ENTRY_SIZE;

		wr64(e, 0x1000000 + i * 0x10000ull);
		wr64(e + 8, 0x100);
		wr64(e + 16, FAKE_BASE + PVH_MOD1_CMD);
	}
	HCHECK_EQ(parse_pvh_space(bi, pvh_space, PVH_SPACE, PVH_SI), 0);
	HCHECK_EQ(bi->mod_count, BOOTINFO_MAX_MODULES);
	HCHECK_EQ(bi->mod_dropped, 3);
	HCHECK_STREQ(bi->mod[BOOTINFO_MAX_MODULES - 1].cmdline, "unused");
}

/* Room for the largest tables PVH may give, plus one entry too many. */
#define BIG_MODLIST 0x1000
#define BIG_MEMMAP (BIG_MODLIST + (PVH_MAX_MODULES + 1) * MOD_ENTRY_SIZE)
#define BIG_SPACE (BIG_MEMMAP + (PVH_MAX_MEMMAP_ENTRIES + 1) * MAP_ENTRY_SIZE)

HTEST(bootinfo_pvh_count_limits)
{
	static uint8_t s[BIG_SPACE];
	struct bootinfo *bi = &bi_static;

	memset(s, 0, sizeof(s));
	wr32(s + SI_MAGIC, 0x336ec578);
	wr32(s + SI_VERSION, 1);
	wr64(s + SI_MODLIST, FAKE_BASE + BIG_MODLIST);
	wr64(s + SI_MEMMAP, FAKE_BASE + BIG_MEMMAP);
	for (unsigned i = 0; i <= PVH_MAX_MODULES; i++)
		wr64(s + BIG_MODLIST + i * MOD_ENTRY_SIZE, 0x1000000 + i);
	for (unsigned i = 0; i <= PVH_MAX_MEMMAP_ENTRIES; i++) {
		uint8_t *e = s + BIG_MEMMAP + i * MAP_ENTRY_SIZE;

		wr64(e, 0x100000 + i * 0x1000ull);
		wr64(e + 8, 0x1000);
		wr32(e + 16, 1);
	}

	wr32(s + SI_NR_MODULES, PVH_MAX_MODULES);
	wr32(s + SI_MEMMAP_ENTRIES, PVH_MAX_MEMMAP_ENTRIES);
	HCHECK_EQ(parse_pvh_space(bi, s, sizeof(s), 0), 0);
	HCHECK_EQ(bi->mod_count, BOOTINFO_MAX_MODULES);
	HCHECK_EQ(bi->mod_dropped, PVH_MAX_MODULES - BOOTINFO_MAX_MODULES);
	HCHECK_EQ(bi->mem_count, 1);
	HCHECK_EQ(bi->mem[0].len, PVH_MAX_MEMMAP_ENTRIES * 0x1000ull);

	wr32(s + SI_NR_MODULES, PVH_MAX_MODULES + 1);
	HCHECK_EQ(parse_pvh_space(bi, s, sizeof(s), 0), -EINVAL);
	wr32(s + SI_NR_MODULES, 0);
	wr32(s + SI_MEMMAP_ENTRIES, PVH_MAX_MEMMAP_ENTRIES + 1);
	HCHECK_EQ(parse_pvh_space(bi, s, sizeof(s), 0), -EINVAL);
}

HTEST(bootinfo_mb2_size_limit)
{
	static uint8_t blob[MB2_INFO_MAX_SIZE + 8];
	struct bootinfo *bi = &bi_static;

	/* header, one big skipped tag, end tag: exactly total bytes. */
	for (uint32_t total = MB2_INFO_MAX_SIZE; total <= MB2_INFO_MAX_SIZE + 8; total += 8) {
		memset(blob, 0, sizeof(blob));
		wr32(blob, total);
		wr32(blob + 8, T_LOADER_NAME);
		wr32(blob + 12, total - 16);
		wr32(blob + total - 8, T_END);
		wr32(blob + total - 4, 8);
		HCHECK_EQ(parse_mb2(bi, blob, total), total <= MB2_INFO_MAX_SIZE ? 0 : -EINVAL);
	}
}

/* ---------------------------------------------------------------- sanitize */

static void set_regions(struct bootinfo *bi, const struct e820 *e, size_t n)
{
	memset(bi, 0, sizeof(*bi));
	for (size_t i = 0; i < n; i++) {
		bi->mem[i].base = e[i].base;
		bi->mem[i].len = e[i].len;
		bi->mem[i].type = e[i].type;
	}
	bi->mem_count = (unsigned)n;
}

static bool regions_are(const struct bootinfo *bi, const struct e820 *e, size_t n)
{
	if (bi->mem_count != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (bi->mem[i].base != e[i].base || bi->mem[i].len != e[i].len ||
		    bi->mem[i].type != e[i].type)
			return false;
	return true;
}

#define SANITIZE_CASE(in, want)                                                                    \
	do {                                                                                       \
		set_regions(&bi_static, in, N(in));                                                \
		bootinfo_sanitize(&bi_static);                                                     \
		HCHECK(regions_are(&bi_static, want, N(want)));                                    \
		HCHECK(bi_invariants_ok(&bi_static));                                              \
	} while (0)

HTEST(bootinfo_sanitize_reserved_hole_splits_usable)
{
	static const struct e820 in[] = {{0, 0x10000, 1}, {0x4000, 0x1000, 2}};
	static const struct e820 want[] = {
	    {0, 0x4000, 1}, {0x4000, 0x1000, 2}, {0x5000, 0xb000, 1}};

	SANITIZE_CASE(in, want);
}

HTEST(bootinfo_sanitize_nonusable_wins_any_order)
{
	static const struct e820 in[] = {
	    {0x3000, 0x2000, 3}, {0x0, 0x4000, 1}, {0x4800, 0x1000, 1}};
	static const struct e820 want[] = {
	    {0x0, 0x3000, 1}, {0x3000, 0x2000, 3}, {0x5000, 0x800, 1}};

	SANITIZE_CASE(in, want);
}

HTEST(bootinfo_sanitize_priority_order)
{
	/* Same range with every type: the highest value (bad) wins. */
	static const struct e820 in[] = {{0x1000, 0x1000, 1},
					 {0x1000, 0x1000, 5},
					 {0x1000, 0x1000, 4},
					 {0x1000, 0x1000, 3},
					 {0x1000, 0x1000, 2}};
	static const struct e820 want[] = {{0x1000, 0x1000, 5}};

	SANITIZE_CASE(in, want);
}

HTEST(bootinfo_sanitize_merge_and_drop)
{
	static const struct e820 in[] = {{0x3000, 0x1000, 1}, {0x0, 0x1000, 1},
					 {0x2000, 0, 2},			   /* empty */
					 {0x1000, 0x2000, 1}, {0x1000, 0x1000, 1}, /* dup */
					 {0x5000, 0x1000, 1},			   /* gap */
					 {0x6000, 0x1000, 99}};			   /* bogus */
	static const struct e820 want[] = {
	    {0x0, 0x4000, 1}, {0x5000, 0x1000, 1}, {0x6000, 0x1000, 2}};

	SANITIZE_CASE(in, want);
}

HTEST(bootinfo_sanitize_nested_and_empty)
{
	static const struct e820 in[] = {{0x0, 0x100000, 2}, {0x1000, 0x1000, 1}};
	static const struct e820 want[] = {{0x0, 0x100000, 2}};
	struct bootinfo *bi = &bi_static;

	SANITIZE_CASE(in, want);
	memset(bi, 0, sizeof(*bi));
	bootinfo_sanitize(bi);
	HCHECK_EQ(bi->mem_count, 0);
	HCHECK_EQ(bootinfo_usable_bytes(bi), 0);
}

HTEST(bootinfo_sanitize_top_of_address_space)
{
	static const struct e820 in[] = {{UINT64_MAX - 0xfff, 0x2000, 1}, {0xfffff000, 0x1000, 2}};
	static const struct e820 want[] = {
	    {0xfffff000, 0x1000, 2}, {UINT64_MAX - 0xfff, 0xfff, 1}, /* clipped */
	};

	SANITIZE_CASE(in, want);
	HCHECK(bootinfo_max_usable_addr(&bi_static) == UINT64_MAX);
}

HTEST(bootinfo_sanitize_output_overflow)
{
	struct bootinfo *bi = &bi_static;

	/* One big usable region with 127 reserved holes: 255 pieces. */
	memset(bi, 0, sizeof(*bi));
	bi->mem[0] = (struct boot_mem_region){0, 0x1000000, 1};
	for (unsigned i = 1; i < BOOTINFO_MAX_REGIONS; i++)
		bi->mem[i] = (struct boot_mem_region){i * 0x10000ull, 0x1000, 2};
	bi->mem_count = BOOTINFO_MAX_REGIONS;
	bootinfo_sanitize(bi);
	HCHECK_EQ(bi->mem_count, BOOTINFO_MAX_REGIONS);
	HCHECK_EQ(bi->mem_dropped, 2 * BOOTINFO_MAX_REGIONS - 1 - BOOTINFO_MAX_REGIONS);
	HCHECK(bi_invariants_ok(bi));
	HCHECK_EQ(bi->mem[0].base, 0);
	HCHECK_EQ(bi->mem[0].len, 0x10000);
}

HTEST(bootinfo_usable_helpers)
{
	static const struct e820 in[] = {{0x0, 0x9f000, 1},
					 {0x100000, 0x100000, 1},
					 {0x300000, 0x1000, 2},
					 {0x100000000, 0x40000000, 1},
					 {0x200000000, 0x1000, 4}};
	struct bootinfo *bi = &bi_static;

	set_regions(bi, in, N(in));
	bootinfo_sanitize(bi);
	HCHECK_EQ(bootinfo_usable_bytes(bi), 0x9f000 + 0x100000 + 0x40000000);
	HCHECK_EQ(bootinfo_max_usable_addr(bi), 0x140000000);
}

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A value likely to hit an edge case when written over a size or count. */
static uint64_t interesting(size_t space)
{
	static const uint64_t v[] = {0,	 1,	     7,		 8,	     9,		15,
				     16, 23,	     24,	 31,	     32,	40,
				     56, 0x7fffffff, 0x80000000, 0xffffffff, UINT64_MAX};

	switch (rng() % 3) {
	case 0:
		return v[rng() % N(v)];
	case 1:
		return FAKE_BASE + rng() % (space + 16); /* a pointer */
	default:
		return rng() % (space + 16);
	}
}

/* Damage buf[0..n) a little: random bytes, or an interesting word. */
static void mutate(uint8_t *buf, size_t n)
{
	int k = 1 + (int)(rng() % 6);

	while (k--) {
		size_t at = rng() % n;

		switch (rng() % 3) {
		case 0:
			buf[at] = (uint8_t)rng();
			break;
		case 1:
			at &= ~(size_t)3;
			if (at + 4 <= n)
				wr32(buf + at, (uint32_t)interesting(n));
			break;
		default:
			at &= ~(size_t)7;
			if (at + 8 <= n)
				wr64(buf + at, interesting(n));
			break;
		}
	}
}

HTEST(bootinfo_fuzz_mb2)
{
	static struct mb2b b;
	static uint8_t work[MB2_BUF];
	size_t n = mb2_build_full(&b);
	int ok = 0, bad = 0;

	for (int it = 0; it < FUZZ_ITERS; it++) {
		size_t len = n;
		int rc;

		memcpy(work, b.buf, n);
		mutate(work, n);
		if (rng() % 4 == 0)
			len = rng() % (n + 1); /* truncate the readable range */
		rc = parse_mb2(&bi_static, work, len);
		if (rc == 0) {
			ok++;
			HCHECK(bi_invariants_ok(&bi_static));
		} else {
			bad++;
			HCHECK_EQ(rc, -EINVAL);
		}
	}
	fprintf(stderr, "  fuzz mb2: %d parsed, %d -EINVAL\n", ok, bad);
	/* Both outcomes must actually be exercised. */
	HCHECK(ok > FUZZ_ITERS / 20);
	HCHECK(bad > FUZZ_ITERS / 20);
}

HTEST(bootinfo_fuzz_pvh)
{
	static uint8_t work[PVH_SPACE];
	int ok = 0, bad = 0;

	pvh_build(pvh_space, 1);
	for (int it = 0; it < FUZZ_ITERS; it++) {
		size_t len = PVH_SPACE;
		int rc;

		memcpy(work, pvh_space, PVH_SPACE);
		/* Aim most damage at the structures, not the empty space. */
		mutate(work, rng() % 2 ? 0x400 : PVH_SPACE);
		if (rng() % 4 == 0)
			len = rng() % (PVH_SPACE + 1);
		if (len == 0)
			len = 1;
		rc = parse_pvh_space(&bi_static, work, len, PVH_SI);
		if (rc == 0) {
			ok++;
			HCHECK(bi_invariants_ok(&bi_static));
		} else {
			bad++;
			HCHECK_EQ(rc, -EINVAL);
		}
	}
	fprintf(stderr, "  fuzz pvh: %d parsed, %d -EINVAL\n", ok, bad);
	HCHECK(ok > FUZZ_ITERS / 20);
	HCHECK(bad > FUZZ_ITERS / 20);
}
