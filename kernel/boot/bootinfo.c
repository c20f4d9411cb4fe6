/*
 * kernel/boot/bootinfo.c - parse Multiboot2 and PVH boot information into one
 * struct bootinfo (see <keel/bootinfo.h> for the interface).
 *
 * Both loaders hand us untrusted little-endian structures in physical
 * memory.  This file is pure C: it never dereferences a physical address
 * itself but asks the struct bootinfo_mem accessor for exactly the bytes
 * it is about to read, and it reads every multi-byte field bytewise so no
 * alignment is assumed.  That keeps it host-testable with ASan/UBSan and
 * makes "never read outside what ptr() returned" easy to check: every read
 * below is of a buffer whose length was just validated.
 *
 * Multiboot2 (GRUB manual, "Boot information format"): an 8-byte header
 * {u32 total_size, u32 reserved} followed by tags {u32 type, u32 size,
 * payload}, each starting 8-byte aligned, ending with a type-0 tag.  The
 * whole blob is fetched at once and walked with bounds checks.
 *
 * PVH (Xen public/arch-x86/hvm/start_info.h): struct hvm_start_info plus
 * separate arrays (module list, memory map) and NUL-terminated strings,
 * each fetched on its own.
 *
 * Memory regions go through bi_add_region() and end in bootinfo_sanitize(),
 * a boundary sweep that needs no sorting and no allocation.
 *
 * No locks, no allocation, no sleeping; runs once on the boot CPU.
 */
#include <keel/bootinfo.h>
#include <lib/errno.h>
#include <lib/string.h>

/* ---------------------------------------------------------------- layouts */

/* Multiboot2 information header and tag layouts (all little-endian). */
struct mb2_info_hdr {
	uint32_t total_size; /* bytes, including this header and end tag */
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* bytes, including this header, excl. padding */
};

#define MB2_TAG_ALIGN 8
#define MB2_INFO_MIN_SIZE (sizeof(struct mb2_info_hdr) + sizeof(struct mb2_tag))

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct mb2_tag_module {
	struct mb2_tag hdr;
	uint32_t mod_start; /* physical [mod_start, mod_end) */
	uint32_t mod_end;
	/* followed by a NUL-terminated command line */
};

struct mb2_tag_meminfo {
	struct mb2_tag hdr;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
};

#define MB2_MEMINFO_UPPER_BASE 0x100000ull
#define KIB 1024ull

struct mb2_tag_mmap {
	struct mb2_tag hdr;
	uint32_t entry_size;	/* a multiple of 8, >= sizeof(mb2_mmap_entry) */
	uint32_t entry_version; /* 0; later versions only append fields */
	uint8_t entries[];	/* entry_size bytes each */
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type; /* E820 numbering */
	uint32_t reserved;
};

#define MB2_MMAP_ENTRY_ALIGN 8

/* Only the common part; the colour info that follows is not used. */
struct mb2_tag_framebuffer {
	struct mb2_tag hdr;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint16_t reserved; /* the spec says u8, GRUB writes u16 */
};

/* A tag must hold its fields up to and including framebuffer_type. */
#define MB2_FB_MIN_SIZE (offsetof(struct mb2_tag_framebuffer, framebuffer_type) + 1)

/* ACPI RSDP sizes: revision 0 (ACPI 1.0) and revision 2+ (ACPI 2.0+). */
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36

/* PVH start-of-day structures (Xen start_info.h). */
struct pvh_start_info {
	uint32_t magic; /* PVH_START_MAGIC */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version 1 and later: */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

#define PVH_START_INFO_V0_SIZE offsetof(struct pvh_start_info, memmap_paddr)
#define PVH_START_INFO_V1_SIZE sizeof(struct pvh_start_info)
#define PVH_VERSION_MEMMAP 1 /* first version with memmap_* */

struct pvh_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 numbering (XEN_HVM_MEMMAP_TYPE_*) */
	uint32_t reserved;
};

/* E820 types, shared by the Multiboot2 memory map and PVH. */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

_Static_assert(sizeof(struct mb2_info_hdr) == 8, "mb2 header layout");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2 module layout");
_Static_assert(sizeof(struct mb2_tag_meminfo) == 16, "mb2 meminfo layout");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2 mmap layout");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry layout");
_Static_assert(offsetof(struct mb2_tag_framebuffer, framebuffer_bpp) == 28,
	       "mb2 framebuffer layout");
_Static_assert(sizeof(struct pvh_start_info) == 56, "PVH start_info layout");
_Static_assert(PVH_START_INFO_V0_SIZE == 40, "PVH start_info v0 layout");
_Static_assert(sizeof(struct pvh_modlist_entry) == 32, "PVH modlist layout");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "PVH memmap layout");
_Static_assert(ACPI_RSDP_V2_SIZE <= BOOTINFO_RSDP_MAX, "RSDP buffer");

/* ---------------------------------------------------------------- helpers */

/* Little-endian loads from possibly unaligned loader memory. */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

#define RD32(p, type, field) rd32((p) + offsetof(type, field))
#define RD64(p, type, field) rd64((p) + offsetof(type, field))

static const uint8_t *bi_ptr(const struct bootinfo_mem *m, uint64_t pa, uint64_t len)
{
	return m->ptr(m->ctx, pa, len);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static void bi_reset(struct bootinfo *bi, const char *protocol)
{
	memset(bi, 0, sizeof(*bi));
	bi->protocol = protocol;
}

/* Copy at most srclen bytes of a string, stopping at NUL; always terminates. */
static void bi_copy_str(char *dst, size_t dstsz, const uint8_t *src, uint64_t srclen)
{
	size_t i;

	for (i = 0; i + 1 < dstsz && i < srclen && src[i] != '\0'; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

/* Grow [info_start, info_end) to cover [pa, pa + len). */
static void bi_extend_info(struct bootinfo *bi, uint64_t pa, uint64_t len)
{
	uint64_t end = len > UINT64_MAX - pa ? UINT64_MAX : pa + len;

	if (len == 0)
		return;
	if (bi->info_start == bi->info_end) {
		bi->info_start = pa;
		bi->info_end = end;
		return;
	}
	if (pa < bi->info_start)
		bi->info_start = pa;
	if (end > bi->info_end)
		bi->info_end = end;
}

/*
 * Copy the NUL-terminated string at physical pa into dst, truncating.
 * Reads only until the NUL or until dst is full.  -EINVAL if a byte it
 * needs is out of the accessor's range.
 */
static int bi_read_pstr(struct bootinfo *bi, const struct bootinfo_mem *m, uint64_t pa, char *dst,
			size_t dstsz)
{
	size_t i, nread = 0;

	for (i = 0; i + 1 < dstsz; i++) {
		const uint8_t *c;

		if (i > UINT64_MAX - pa)
			return -EINVAL;
		c = bi_ptr(m, pa + i, 1);
		if (!c)
			return -EINVAL;
		nread = i + 1;
		if (*c == '\0')
			break;
		dst[i] = (char)*c;
	}
	dst[i] = '\0';
	bi_extend_info(bi, pa, nread);
	return 0;
}

static uint32_t bi_e820_type(uint32_t e820)
{
	switch (e820) {
	case E820_RAM:
		return BOOT_MEM_USABLE;
	case E820_ACPI:
		return BOOT_MEM_ACPI_RECLAIM;
	case E820_NVS:
		return BOOT_MEM_ACPI_NVS;
	case E820_UNUSABLE:
		return BOOT_MEM_BAD;
	case E820_RESERVED:
	default:
		return BOOT_MEM_RESERVED;
	}
}

/*
 * Append a region.  When the table is full, compact it with
 * bootinfo_sanitize() first; if it is still full the region is dropped.
 */
static void bi_add_region(struct bootinfo *bi, uint64_t base, uint64_t len, uint32_t type)
{
	struct boot_mem_region *r;

	if (len == 0)
		return;
	if (bi->mem_count == BOOTINFO_MAX_REGIONS)
		bootinfo_sanitize(bi);
	if (bi->mem_count == BOOTINFO_MAX_REGIONS) {
		bi->mem_dropped++;
		return;
	}
	r = &bi->mem[bi->mem_count++];
	r->base = base;
	r->len = len;
	r->type = type;
}

/* Next free module slot, or NULL (and counted as dropped) when full. */
static struct boot_module *bi_new_module(struct bootinfo *bi)
{
	if (bi->mod_count == BOOTINFO_MAX_MODULES) {
		bi->mod_dropped++;
		return NULL;
	}
	return &bi->mod[bi->mod_count++];
}

/* ---------------------------------------------------------------- sanitize */

static bool mem_type_valid(uint32_t type)
{
	return type >= BOOT_MEM_USABLE && type <= BOOT_MEM_BAD;
}

/* Append [base, end) to out[], merging with the previous entry if possible. */
static void mem_emit(struct bootinfo *bi, struct boot_mem_region *out, unsigned *nout,
		     uint64_t base, uint64_t end, uint32_t type)
{
	struct boot_mem_region *prev = *nout ? &out[*nout - 1] : NULL;

	if (prev && prev->type == type && prev->base + prev->len == base) {
		prev->len += end - base;
		return;
	}
	if (*nout == BOOTINFO_MAX_REGIONS) {
		bi->mem_dropped++;
		return;
	}
	out[*nout].base = base;
	out[*nout].len = end - base;
	out[*nout].type = type;
	(*nout)++;
}

/*
 * Sweep over every region boundary in increasing order.  Between two
 * consecutive boundaries the coverage is constant, so each such interval
 * gets the highest type of the regions covering it (or none: a gap).
 * O(n^2) for n <= BOOTINFO_MAX_REGIONS, which is nothing at boot.
 */
void bootinfo_sanitize(struct bootinfo *bi)
{
	struct boot_mem_region out[BOOTINFO_MAX_REGIONS];
	struct boot_mem_region *in = bi->mem;
	unsigned n = bi->mem_count, nout = 0, i;
	uint64_t cur = 0, next;
	bool more = false;

	for (i = 0; i < n; i++) {
		if (!mem_type_valid(in[i].type))
			in[i].type = BOOT_MEM_RESERVED;
		if (in[i].len > UINT64_MAX - in[i].base)
			in[i].len = UINT64_MAX - in[i].base;
		if (in[i].len && (!more || in[i].base < cur)) {
			cur = in[i].base;
			more = true;
		}
	}

	while (more) {
		uint32_t type = 0;

		more = false;
		next = 0;
		for (i = 0; i < n; i++) {
			uint64_t base = in[i].base, end = base + in[i].len;

			if (in[i].len == 0)
				continue;
			if (base <= cur && cur < end && in[i].type > type)
				type = in[i].type;
			if (base > cur && (!more || base < next)) {
				next = base;
				more = true;
			}
			if (end > cur && (!more || end < next)) {
				next = end;
				more = true;
			}
		}
		if (more && type)
			mem_emit(bi, out, &nout, cur, next, type);
		cur = next;
	}

	for (i = 0; i < nout; i++)
		/* cppcheck-suppress uninitvar ; mem_emit() filled out[0..nout) */
		in[i] = out[i];
	bi->mem_count = nout;
}

uint64_t bootinfo_usable_bytes(const struct bootinfo *bi)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			sum += bi->mem[i].len;
	return sum;
}

uint64_t bootinfo_max_usable_addr(const struct bootinfo *bi)
{
	uint64_t max = 0;
	unsigned i;

	for (i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (r->type == BOOT_MEM_USABLE && r->base + r->len > max)
			max = r->base + r->len;
	}
	return max;
}

/* ---------------------------------------------------------------- Multiboot2 */

/* What the tag walk remembers across tags. */
struct mb2_state {
	bool have_mmap;
	bool have_meminfo;
	bool have_new_rsdp;
	uint32_t mem_lower_kib, mem_upper_kib;
};

static int mb2_module(struct bootinfo *bi, const uint8_t *tag, uint32_t size)
{
	struct boot_module *mod;
	uint32_t start, end;

	if (size < sizeof(struct mb2_tag_module))
		return -EINVAL;
	start = RD32(tag, struct mb2_tag_module, mod_start);
	end = RD32(tag, struct mb2_tag_module, mod_end);
	if (end < start)
		return -EINVAL;
	mod = bi_new_module(bi);
	if (!mod)
		return 0;
	mod->start = start;
	mod->end = end;
	bi_copy_str(mod->cmdline, sizeof(mod->cmdline), tag + sizeof(struct mb2_tag_module),
		    size - sizeof(struct mb2_tag_module));
	return 0;
}

static int mb2_meminfo(struct mb2_state *st, const uint8_t *tag, uint32_t size)
{
	if (size < sizeof(struct mb2_tag_meminfo))
		return -EINVAL;
	st->have_meminfo = true;
	st->mem_lower_kib = RD32(tag, struct mb2_tag_meminfo, mem_lower);
	st->mem_upper_kib = RD32(tag, struct mb2_tag_meminfo, mem_upper);
	return 0;
}

static int mb2_mmap(struct bootinfo *bi, struct mb2_state *st, const uint8_t *tag, uint32_t size)
{
	uint32_t esize, n, i;

	if (size < sizeof(struct mb2_tag_mmap))
		return -EINVAL;
	esize = RD32(tag, struct mb2_tag_mmap, entry_size);
	if (esize < sizeof(struct mb2_mmap_entry) || esize % MB2_MMAP_ENTRY_ALIGN != 0)
		return -EINVAL;
	st->have_mmap = true;
	/* A partial trailing entry, if any, is ignored. */
	n = (size - sizeof(struct mb2_tag_mmap)) / esize;
	for (i = 0; i < n; i++) {
		const uint8_t *e = tag + sizeof(struct mb2_tag_mmap) + (uint64_t)i * esize;

		bi_add_region(bi, RD64(e, struct mb2_mmap_entry, base_addr),
			      RD64(e, struct mb2_mmap_entry, length),
			      bi_e820_type(RD32(e, struct mb2_mmap_entry, type)));
	}
	return 0;
}

static int mb2_framebuffer(struct bootinfo *bi, const uint8_t *tag, uint32_t size)
{
	if (size < MB2_FB_MIN_SIZE)
		return -EINVAL;
	bi->has_fb = true;
	bi->fb.addr = RD64(tag, struct mb2_tag_framebuffer, framebuffer_addr);
	bi->fb.pitch = RD32(tag, struct mb2_tag_framebuffer, framebuffer_pitch);
	bi->fb.width = RD32(tag, struct mb2_tag_framebuffer, framebuffer_width);
	bi->fb.height = RD32(tag, struct mb2_tag_framebuffer, framebuffer_height);
	bi->fb.bpp = tag[offsetof(struct mb2_tag_framebuffer, framebuffer_bpp)];
	bi->fb.type = tag[offsetof(struct mb2_tag_framebuffer, framebuffer_type)];
	return 0;
}

/* Tags 14 and 15: a copy of the RSDP follows the tag header. */
static int mb2_rsdp(struct bootinfo *bi, struct mb2_state *st, const uint8_t *tag, uint32_t size,
		    bool is_new)
{
	uint32_t need = is_new ? ACPI_RSDP_V2_SIZE : ACPI_RSDP_V1_SIZE;
	unsigned i;

	if (size - sizeof(struct mb2_tag) < need)
		return -EINVAL;
	if (!is_new && st->have_new_rsdp)
		return 0;
	st->have_new_rsdp |= is_new;
	for (i = 0; i < need; i++)
		bi->rsdp[i] = tag[sizeof(struct mb2_tag) + i];
	bi->rsdp_len = need;
	return 0;
}

static int mb2_tag(struct bootinfo *bi, struct mb2_state *st, const uint8_t *tag, uint32_t type,
		   uint32_t size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		bi_copy_str(bi->cmdline, sizeof(bi->cmdline), tag + sizeof(struct mb2_tag),
			    size - sizeof(struct mb2_tag));
		return 0;
	case MB2_TAG_MODULE:
		return mb2_module(bi, tag, size);
	case MB2_TAG_BASIC_MEMINFO:
		return mb2_meminfo(st, tag, size);
	case MB2_TAG_MMAP:
		return mb2_mmap(bi, st, tag, size);
	case MB2_TAG_FRAMEBUFFER:
		return mb2_framebuffer(bi, tag, size);
	case MB2_TAG_ACPI_OLD:
		return mb2_rsdp(bi, st, tag, size, false);
	case MB2_TAG_ACPI_NEW:
		return mb2_rsdp(bi, st, tag, size, true);
	default:
		return 0; /* tags we do not need */
	}
}

int bootinfo_parse_multiboot2(struct bootinfo *bi, uint64_t mbi_pa, const struct bootinfo_mem *m)
{
	struct mb2_state st = {0};
	const uint8_t *blob;
	uint32_t total;
	uint64_t off;
	int err;

	bi_reset(bi, "multiboot2");
	if (mbi_pa % MB2_TAG_ALIGN != 0)
		return -EINVAL;
	blob = bi_ptr(m, mbi_pa, sizeof(struct mb2_info_hdr));
	if (!blob)
		return -EINVAL;
	total = RD32(blob, struct mb2_info_hdr, total_size);
	if (total < MB2_INFO_MIN_SIZE || total > MB2_INFO_MAX_SIZE || total > UINT64_MAX - mbi_pa)
		return -EINVAL;
	blob = bi_ptr(m, mbi_pa, total);
	if (!blob)
		return -EINVAL;
	bi_extend_info(bi, mbi_pa, total);

	for (off = sizeof(struct mb2_info_hdr);; off = align_up(off, MB2_TAG_ALIGN)) {
		const uint8_t *tag = blob + off;
		uint32_t type, size;

		if (off + sizeof(struct mb2_tag) > total)
			return -EINVAL; /* ran out before the end tag */
		type = RD32(tag, struct mb2_tag, type);
		size = RD32(tag, struct mb2_tag, size);
		if (size < sizeof(struct mb2_tag) || size > total - off)
			return -EINVAL;
		if (type == MB2_TAG_END)
			break;
		err = mb2_tag(bi, &st, tag, type, size);
		if (err)
			return err;
		off += size;
	}

	if (!st.have_mmap && st.have_meminfo) {
		bi_add_region(bi, 0, st.mem_lower_kib * KIB, BOOT_MEM_USABLE);
		bi_add_region(bi, MB2_MEMINFO_UPPER_BASE, st.mem_upper_kib * KIB, BOOT_MEM_USABLE);
	}
	bootinfo_sanitize(bi);
	return 0;
}

/* ---------------------------------------------------------------- PVH */

static int pvh_modules(struct bootinfo *bi, const struct bootinfo_mem *m, uint64_t list_pa,
		       uint32_t nr)
{
	const uint8_t *list;
	uint32_t i;
	int err;

	if (nr == 0)
		return 0;
	if (nr > PVH_MAX_MODULES || list_pa == 0)
		return -EINVAL;
	list = bi_ptr(m, list_pa, (uint64_t)nr * sizeof(struct pvh_modlist_entry));
	if (!list)
		return -EINVAL;
	bi_extend_info(bi, list_pa, (uint64_t)nr * sizeof(struct pvh_modlist_entry));

	for (i = 0; i < nr; i++) {
		const uint8_t *e = list + (uint64_t)i * sizeof(struct pvh_modlist_entry);
		uint64_t pa = RD64(e, struct pvh_modlist_entry, paddr);
		uint64_t size = RD64(e, struct pvh_modlist_entry, size);
		uint64_t cmd = RD64(e, struct pvh_modlist_entry, cmdline_paddr);
		struct boot_module *mod;

		if (size > UINT64_MAX - pa)
			return -EINVAL;
		mod = bi_new_module(bi);
		if (!mod)
			continue;
		mod->start = pa;
		mod->end = pa + size;
		if (cmd) {
			err = bi_read_pstr(bi, m, cmd, mod->cmdline, sizeof(mod->cmdline));
			if (err)
				return err;
		}
	}
	return 0;
}

static int pvh_memmap(struct bootinfo *bi, const struct bootinfo_mem *m, uint64_t map_pa,
		      uint32_t nr)
{
	const uint8_t *map;
	uint32_t i;

	if (nr == 0)
		return 0;
	if (nr > PVH_MAX_MEMMAP_ENTRIES || map_pa == 0)
		return -EINVAL;
	map = bi_ptr(m, map_pa, (uint64_t)nr * sizeof(struct pvh_memmap_entry));
	if (!map)
		return -EINVAL;
	bi_extend_info(bi, map_pa, (uint64_t)nr * sizeof(struct pvh_memmap_entry));

	for (i = 0; i < nr; i++) {
		const uint8_t *e = map + (uint64_t)i * sizeof(struct pvh_memmap_entry);

		bi_add_region(bi, RD64(e, struct pvh_memmap_entry, addr),
			      RD64(e, struct pvh_memmap_entry, size),
			      bi_e820_type(RD32(e, struct pvh_memmap_entry, type)));
	}
	return 0;
}

int bootinfo_parse_pvh(struct bootinfo *bi, uint64_t start_info_pa, const struct bootinfo_mem *m)
{
	const uint8_t *si;
	uint64_t si_size = PVH_START_INFO_V0_SIZE, cmd;
	uint32_t version;
	int err;

	bi_reset(bi, "pvh");
	si = bi_ptr(m, start_info_pa, si_size);
	if (!si || RD32(si, struct pvh_start_info, magic) != PVH_START_MAGIC)
		return -EINVAL;
	version = RD32(si, struct pvh_start_info, version);
	if (version >= PVH_VERSION_MEMMAP) {
		si_size = PVH_START_INFO_V1_SIZE;
		si = bi_ptr(m, start_info_pa, si_size);
		if (!si)
			return -EINVAL;
	}
	bi_extend_info(bi, start_info_pa, si_size);

	cmd = RD64(si, struct pvh_start_info, cmdline_paddr);
	if (cmd) {
		err = bi_read_pstr(bi, m, cmd, bi->cmdline, sizeof(bi->cmdline));
		if (err)
			return err;
	}
	bi->rsdp_paddr = RD64(si, struct pvh_start_info, rsdp_paddr);

	err = pvh_modules(bi, m, RD64(si, struct pvh_start_info, modlist_paddr),
			  RD32(si, struct pvh_start_info, nr_modules));
	if (err)
		return err;

	if (version >= PVH_VERSION_MEMMAP) {
		err = pvh_memmap(bi, m, RD64(si, struct pvh_start_info, memmap_paddr),
				 RD32(si, struct pvh_start_info, memmap_entries));
		if (err)
			return err;
	}
	bootinfo_sanitize(bi);
	return 0;
}
