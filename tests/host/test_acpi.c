/*
 * test_acpi.c - host unit tests for kernel/boot/acpi.c.
 *
 * The tests lay out real ACPI tables byte by byte (little-endian, offsets
 * from the ACPI 6.5 spec and the HPET spec, written independently of the
 * parser's structs) in a buffer that stands in for physical memory from
 * address 0 up to the end of the table area at TBL_BASE.  The low part
 * holds the BIOS data area word for the EBDA and the 0xe0000..0xfffff ROM
 * area, so all three ways of finding the RSDP (loader copy, loader address,
 * BIOS-area scan) run against the same tables.  The accessor handed to the
 * parser returns a fresh exact-size heap copy per call, so ASan reports any
 * read beyond what that call returned.
 *
 * The standard table set (std_build()) is an RSDP, RSDT and XSDT pointing
 * to a dummy FACP, a MADT and an HPET table.  The MADT holds four local
 * APICs (ids 0, 1, 2 disabled, 3 online-capable), an x2APIC (id 0x100), an
 * x2APIC repeating id 1, two IOAPICs, ISA overrides IRQ0 -> GSI2 (conforms),
 * IRQ9 level/active-low, IRQ10 level/active-high, a non-ISA override, an
 * NMI entry and a local APIC address override.
 *
 * Covered: each RSDP path, XSDT preference, the 20-byte loader copy of a
 * 2.0 RSDP, EBDA before ROM, stray signatures, bad checksums and lengths
 * at every level, truncated tables, MADT entries of length 0/1 or running
 * past the table, more than ACPI_MAX_CPUS CPUs, the IRQ/GSI helpers,
 * acpi_print(), and a seeded test of 20k randomly damaged table sets (half
 * with checksums repaired, to get past them) that must only ever return
 * 0, -EINVAL or -ENOENT and, on 0, satisfy the header's invariants.
 */
#include <stdlib.h>
#include <keel/acpi.h>
#include <keel/bootinfo.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "fake_kernel.h"
#include "htest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fake physical memory: [0, TBL_BASE + TBL_SIZE). */
#define TBL_BASE 0x100000ull
#define TBL_SIZE 0x1000ull
#define PHYS_SIZE (TBL_BASE + TBL_SIZE)

/* Where std_build() puts each table (inside the table area). */
#define RSDP_PA (TBL_BASE + 0x000)
#define RSDT_PA (TBL_BASE + 0x040)
#define XSDT_PA (TBL_BASE + 0x100)
#define HPET_PA (TBL_BASE + 0x200)
#define FACP_PA (TBL_BASE + 0x300)
#define MADT_PA (TBL_BASE + 0x400)

/* BIOS areas. */
#define EBDA_SEG_PA 0x40e
#define EBDA_SEG 0x9fc0
#define EBDA_PA (EBDA_SEG << 4)
#define ROM_PA 0xe0000ull

/* RSDP offsets (5.2.5.3). */
#define RSDP_CHECKSUM 8
#define RSDP_OEM 9
#define RSDP_REV 15
#define RSDP_RSDT 16
#define RSDP_V1_LEN 20
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_V2_LEN 36

/* SDT header offsets (5.2.6). */
#define SDT_LENGTH 4
#define SDT_REV 8
#define SDT_CHECKSUM 9
#define SDT_OEM 10
#define SDT_HDR_LEN 36

/* MADT (5.2.12). */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_HDR_LEN 44
#define T_LAPIC 0
#define T_IOAPIC 1
#define T_ISO 2
#define T_NMI 3
#define T_LAPIC_ADDR 5
#define T_X2APIC 9
#define CPU_ENABLED 1
#define CPU_ONLINE_CAPABLE 2
#define INTI_HIGH 0x1
#define INTI_LOW 0x3
#define INTI_EDGE 0x4
#define INTI_LEVEL 0xc

/* HPET table. */
#define HPET_GAS_SPACE 40
#define HPET_GAS_ADDR 44
#define HPET_LEN 56

#define LAPIC_DEFAULT 0xfee00000ull
#define LAPIC_MOVED 0x1fee00000ull
#define HPET_ADDR 0xfed00000ull

#define FUZZ_ITERS 20000

/* ---------------------------------------------------------------- fake memory */

static uint8_t phys[PHYS_SIZE];

struct fakemem {
	uint64_t base, size;
	const uint8_t *buf;
	void **copies;
	size_t ncopies, cap;
	unsigned calls;
};

static struct fakemem fm;

static const void *fake_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	struct fakemem *f = ctx;
	uint8_t *c;

	f->calls++;
	if (pa < f->base || pa - f->base > f->size || len > f->size - (pa - f->base))
		return NULL;
	if (f->ncopies == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->copies = realloc(f->copies, f->cap * sizeof(void *));
		HCHECK(f->copies != NULL);
	}
	c = malloc(len ? len : 1);
	HCHECK(c != NULL);
	memcpy(c, f->buf + (pa - f->base), len);
	f->copies[f->ncopies++] = c;
	return c;
}

static void fake_done(void)
{
	while (fm.ncopies)
		free(fm.copies[--fm.ncopies]);
}

/* Parse with all of phys visible (or only [base, base + size) of it). */
static int parse_window(struct acpi_info *info, const struct bootinfo *bi, uint64_t base,
			uint64_t size)
{
	struct bootinfo_mem m = {fake_ptr, &fm};
	int rc;

	fm.base = base;
	fm.size = size;
	fm.buf = phys + base;
	fm.calls = 0;
	rc = acpi_parse(info, bi, &m);
	fake_done();
	return rc;
}

static struct bootinfo bi_static; /* big: keep it off the stack */
static struct acpi_info info_static;

static struct bootinfo *bi_none(void)
{
	memset(&bi_static, 0, sizeof(bi_static));
	return &bi_static;
}

static struct bootinfo *bi_paddr(uint64_t pa)
{
	struct bootinfo *bi = bi_none();

	bi->rsdp_paddr = pa;
	return bi;
}

static struct bootinfo *bi_inline(uint64_t pa, unsigned len)
{
	struct bootinfo *bi = bi_none();

	memcpy(bi->rsdp, phys + pa, len);
	bi->rsdp_len = len;
	return bi;
}

static int parse(const struct bootinfo *bi)
{
	return parse_window(&info_static, bi, 0, PHYS_SIZE);
}

/* ---------------------------------------------------------------- builders */

static void w8(uint64_t pa, uint8_t v)
{
	HCHECK(pa < PHYS_SIZE);
	if (pa < PHYS_SIZE)
		phys[pa] = v;
}

static void w16(uint64_t pa, uint16_t v)
{
	w8(pa, (uint8_t)v);
	w8(pa + 1, (uint8_t)(v >> 8));
}

static void w32(uint64_t pa, uint32_t v)
{
	w16(pa, (uint16_t)v);
	w16(pa + 2, (uint16_t)(v >> 16));
}

static void w64(uint64_t pa, uint64_t v)
{
	w32(pa, (uint32_t)v);
	w32(pa + 4, (uint32_t)(v >> 32));
}

static uint32_t r32(uint64_t pa)
{
	return (uint32_t)phys[pa] | (uint32_t)phys[pa + 1] << 8 | (uint32_t)phys[pa + 2] << 16 |
	       (uint32_t)phys[pa + 3] << 24;
}

/* Store at sum_at the byte that makes [pa, pa + len) sum to 0. */
static void fix_sum(uint64_t pa, uint64_t len, uint64_t sum_at)
{
	uint8_t s = 0;

	phys[sum_at] = 0;
	for (uint64_t i = 0; i < len; i++)
		s += phys[pa + i];
	phys[sum_at] = (uint8_t)-s;
}

static void rsdp_sums(uint64_t pa)
{
	fix_sum(pa, RSDP_V1_LEN, pa + RSDP_CHECKSUM);
	if (phys[pa + RSDP_REV] >= 2)
		fix_sum(pa, r32(pa + RSDP_LENGTH), pa + RSDP_EXT_CHECKSUM);
}

/* An RSDP of revision rev at pa; xsdt is written only for rev >= 2. */
static void put_rsdp(uint64_t pa, unsigned rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(phys + pa, 0, rev >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN);
	memcpy(phys + pa, "RSD PTR ", 8);
	memcpy(phys + pa + RSDP_OEM, "KEELT ", 6);
	w8(pa + RSDP_REV, (uint8_t)rev);
	w32(pa + RSDP_RSDT, rsdt);
	if (rev >= 2) {
		w32(pa + RSDP_LENGTH, RSDP_V2_LEN);
		w64(pa + RSDP_XSDT, xsdt);
	}
	rsdp_sums(pa);
}

static void sdt_begin(uint64_t pa, const char *sig)
{
	memset(phys + pa, 0, SDT_HDR_LEN);
	memcpy(phys + pa, sig, 4);
	w8(pa + SDT_REV, 1);
	memcpy(phys + pa + SDT_OEM, "KEELT ", 6);
}

/* Set the table's length and checksum. */
static void sdt_end(uint64_t pa, uint32_t len)
{
	w32(pa + SDT_LENGTH, len);
	fix_sum(pa, len, pa + SDT_CHECKSUM);
}

static void put_root(uint64_t pa, const char *sig, const uint64_t *ents, unsigned n, unsigned esize)
{
	sdt_begin(pa, sig);
	for (unsigned i = 0; i < n; i++) {
		if (esize == 8)
			w64(pa + SDT_HDR_LEN + 8 * i, ents[i]);
		else
			w32(pa + SDT_HDR_LEN + 4 * i, (uint32_t)ents[i]);
	}
	sdt_end(pa, SDT_HDR_LEN + n * esize);
}

static void put_hpet(uint64_t pa, uint8_t space, uint64_t addr)
{
	sdt_begin(pa, "HPET");
	memset(phys + pa + SDT_HDR_LEN, 0, HPET_LEN - SDT_HDR_LEN);
	w32(pa + SDT_HDR_LEN, 0x8086a201); /* event timer block id */
	w8(pa + HPET_GAS_SPACE, space);
	w8(pa + HPET_GAS_SPACE + 1, 64);
	w64(pa + HPET_GAS_ADDR, addr);
	sdt_end(pa, HPET_LEN);
}

/* MADT under construction: entries are appended at pa + len. */
struct madtb {
	uint64_t pa;
	uint32_t len;
};

static struct madtb madt_begin(uint64_t pa, uint32_t lapic, uint32_t flags)
{
	struct madtb b = {pa, MADT_HDR_LEN};

	sdt_begin(pa, "APIC");
	w32(pa + MADT_LAPIC_ADDR, lapic);
	w32(pa + MADT_FLAGS, flags);
	return b;
}

static uint64_t madt_ent(struct madtb *b, uint8_t type, uint8_t len)
{
	uint64_t e = b->pa + b->len;

	memset(phys + e, 0, len);
	w8(e, type);
	w8(e + 1, len);
	b->len += len;
	return e;
}

static void madt_lapic(struct madtb *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint64_t e = madt_ent(b, T_LAPIC, 8);

	w8(e + 2, uid);
	w8(e + 3, id);
	w32(e + 4, flags);
}

static void madt_x2apic(struct madtb *b, uint32_t id, uint32_t uid, uint32_t flags)
{
	uint64_t e = madt_ent(b, T_X2APIC, 16);

	w32(e + 4, id);
	w32(e + 8, flags);
	w32(e + 12, uid);
}

static void madt_ioapic(struct madtb *b, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	uint64_t e = madt_ent(b, T_IOAPIC, 12);

	w8(e + 2, id);
	w32(e + 4, addr);
	w32(e + 8, gsi_base);
}

static void madt_iso(struct madtb *b, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint64_t e = madt_ent(b, T_ISO, 10);

	w8(e + 2, bus);
	w8(e + 3, irq);
	w32(e + 4, gsi);
	w16(e + 8, flags);
}

static void madt_end(struct madtb *b)
{
	sdt_end(b->pa, b->len);
}

/* The MADT described in the file comment. */
static void std_madt(void)
{
	struct madtb b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 1);
	uint64_t e;

	madt_lapic(&b, 0, 0, CPU_ENABLED);
	madt_lapic(&b, 1, 1, CPU_ENABLED);
	madt_lapic(&b, 2, 2, 0);
	madt_lapic(&b, 3, 3, CPU_ONLINE_CAPABLE);
	madt_x2apic(&b, 0x100, 4, CPU_ENABLED);
	madt_x2apic(&b, 1, 5, CPU_ENABLED); /* duplicate apic id */
	madt_ioapic(&b, 0, 0xfec00000, 0);
	madt_ioapic(&b, 1, 0xfec01000, 24);
	madt_iso(&b, 0, 0, 2, 0);
	madt_iso(&b, 0, 9, 9, INTI_LOW | INTI_LEVEL);
	madt_iso(&b, 0, 10, 10, INTI_HIGH | INTI_LEVEL);
	madt_iso(&b, 1, 4, 40, 0);  /* not ISA: ignored */
	e = madt_ent(&b, T_NMI, 6); /* NMI source: skipped */
	w16(e + 2, 0);
	e = madt_ent(&b, T_LAPIC_ADDR, 12);
	w64(e + 4, LAPIC_MOVED);
	madt_end(&b);
}

/*
 * Clear phys and write the standard tables; the RSDP (revision rev) goes
 * to rsdp_pa.
 */
static void std_build(unsigned rev, uint64_t rsdp_pa)
{
	const uint64_t ents[] = {FACP_PA, MADT_PA, HPET_PA};

	memset(phys, 0, sizeof(phys));
	sdt_begin(FACP_PA, "FACP");
	sdt_end(FACP_PA, SDT_HDR_LEN);
	put_hpet(HPET_PA, 0, HPET_ADDR);
	std_madt();
	put_root(RSDT_PA, "RSDT", ents, N(ents), 4);
	put_root(XSDT_PA, "XSDT", ents, N(ents), 8);
	put_rsdp(rsdp_pa, rev, (uint32_t)RSDT_PA, XSDT_PA);
}

/* Every field of the standard table set. */
static void check_std(const struct acpi_info *a)
{
	HCHECK_STREQ(a->oem_id, "KEELT");
	HCHECK_EQ(a->lapic_addr, LAPIC_MOVED);
	HCHECK(a->pcat_compat);
	HCHECK_EQ(a->ncpus, 4);
	HCHECK_EQ(a->ncpus_dropped, 0);
	HCHECK_EQ(a->cpus[0].apic_id, 0);
	HCHECK_EQ(a->cpus[1].apic_id, 1);
	HCHECK_EQ(a->cpus[2].apic_id, 3);
	HCHECK_EQ(a->cpus[3].apic_id, 0x100);
	HCHECK_EQ(a->cpus[1].uid, 1);
	HCHECK_EQ(a->cpus[3].uid, 4);
	HCHECK(a->cpus[0].enabled && !a->cpus[0].online_capable);
	HCHECK(!a->cpus[2].enabled && a->cpus[2].online_capable);
	HCHECK(a->cpus[3].enabled);
	HCHECK_EQ(a->nioapics, 2);
	HCHECK_EQ(a->ioapics[0].id, 0);
	HCHECK_EQ(a->ioapics[0].addr, 0xfec00000);
	HCHECK_EQ(a->ioapics[0].gsi_base, 0);
	HCHECK_EQ(a->ioapics[1].id, 1);
	HCHECK_EQ(a->ioapics[1].addr, 0xfec01000);
	HCHECK_EQ(a->ioapics[1].gsi_base, 24);
	HCHECK_EQ(a->noverrides, 3);
	HCHECK_EQ(a->overrides[0].bus_irq, 0);
	HCHECK_EQ(a->overrides[0].gsi, 2);
	HCHECK(!a->overrides[0].active_low && !a->overrides[0].level);
	HCHECK_EQ(a->overrides[1].bus_irq, 9);
	HCHECK(a->overrides[1].active_low && a->overrides[1].level);
	HCHECK_EQ(a->overrides[2].bus_irq, 10);
	HCHECK(!a->overrides[2].active_low && a->overrides[2].level);
	HCHECK(a->has_hpet);
	HCHECK_EQ(a->hpet_addr, HPET_ADDR);
}

/* ---------------------------------------------------------------- RSDP paths */

HTEST(acpi_rom_scan_rsdt)
{
	std_build(0, ROM_PA + 0x40);
	/* A stray signature with a bad checksum earlier in the ROM area. */
	memcpy(phys + ROM_PA + 0x10, "RSD PTR ", 8);
	HCHECK_EQ(parse(bi_none()), 0);
	HCHECK_EQ(info_static.revision, 0);
	HCHECK(!info_static.used_xsdt);
	check_std(&info_static);
}

HTEST(acpi_rom_scan_end)
{
	/* The last slot that holds a whole 1.0 RSDP below 1 MiB. */
	std_build(0, 0xfffe0);
	HCHECK_EQ(parse(bi_none()), 0);
	check_std(&info_static);
	/* An RSDP in the last slot would run past 0xfffff: not searched. */
	std_build(0, 0xffff0);
	HCHECK_EQ(parse(bi_none()), -ENOENT);
}

HTEST(acpi_rom_scan_unaligned_ignored)
{
	std_build(0, ROM_PA + 0x48); /* not on a 16-byte boundary */
	HCHECK_EQ(parse(bi_none()), -ENOENT);
}

HTEST(acpi_ebda_scan)
{
	std_build(2, EBDA_PA + 0x30);
	w16(EBDA_SEG_PA, EBDA_SEG);
	/* A second, valid RSDP in the ROM area leads nowhere: EBDA first. */
	put_rsdp(ROM_PA, 0, 0x12345, 0);
	HCHECK_EQ(parse(bi_none()), 0);
	HCHECK_EQ(info_static.revision, 2);
	HCHECK(info_static.used_xsdt);
	check_std(&info_static);

	/* Beyond the EBDA's first KiB: not searched there, nor found. */
	std_build(2, EBDA_PA + 0x400);
	w16(EBDA_SEG_PA, EBDA_SEG);
	HCHECK_EQ(parse(bi_none()), -ENOENT);
}

HTEST(acpi_paddr_xsdt_preferred)
{
	std_build(2, RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(info_static.used_xsdt);
	check_std(&info_static);

	/* An RSDT without the MADT proves the XSDT was used. */
	put_root(RSDT_PA, "RSDT", (const uint64_t[]){FACP_PA}, 1, 4);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	check_std(&info_static);

	/* A zero XSDT address: fall back to the RSDT. */
	std_build(2, RSDP_PA);
	w64(RSDP_PA + RSDP_XSDT, 0);
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.used_xsdt);
	check_std(&info_static);
}

HTEST(acpi_paddr_v1)
{
	std_build(0, RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.used_xsdt);
	check_std(&info_static);
}

HTEST(acpi_inline_copy)
{
	std_build(2, RSDP_PA);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V2_LEN)), 0);
	HCHECK(info_static.used_xsdt);
	check_std(&info_static);

	/* Inline copy wins over the address; the address is garbage. */
	bi_inline(RSDP_PA, RSDP_V2_LEN)->rsdp_paddr = 0x5;
	HCHECK_EQ(parse(&bi_static), 0);

	/* MB2 tag 14 copies only 20 bytes of a 2.0 RSDP: use the RSDT. */
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V1_LEN)), 0);
	HCHECK_EQ(info_static.revision, 2);
	HCHECK(!info_static.used_xsdt);
	check_std(&info_static);

	/* A 2.0 RSDP longer than the copy (length 40): used as 1.0. */
	std_build(2, RSDP_PA);
	w32(RSDP_PA + RSDP_LENGTH, RSDP_V2_LEN + 4);
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V2_LEN)), 0);
	HCHECK(!info_static.used_xsdt);
	check_std(&info_static);
	/* ... but when fetched by address, whole and through the XSDT. */
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(info_static.used_xsdt);

	std_build(0, RSDP_PA);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V1_LEN)), 0);
	check_std(&info_static);

	/* Too short to be an RSDP at all. */
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V1_LEN - 1)), -EINVAL);
}

HTEST(acpi_no_rsdp)
{
	memset(phys, 0, sizeof(phys));
	HCHECK_EQ(parse(bi_none()), -ENOENT);
	/* No BIOS area reachable at all (UEFI): nothing to scan. */
	HCHECK_EQ(parse_window(&info_static, bi_none(), TBL_BASE, TBL_SIZE), -ENOENT);
	/* Only a signature with a bad checksum. */
	memcpy(phys + ROM_PA + 0x100, "RSD PTR ", 8);
	HCHECK_EQ(parse(bi_none()), -ENOENT);
	/* An EBDA holding nothing: on to the ROM area, which has nothing. */
	w16(EBDA_SEG_PA, 0xffff);
	HCHECK_EQ(parse(bi_none()), -ENOENT);
}

/* ---------------------------------------------------------------- bad tables */

HTEST(acpi_bad_rsdp)
{
	std_build(2, RSDP_PA);
	phys[RSDP_PA + RSDP_CHECKSUM]++;
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V2_LEN)), -EINVAL);

	/* Good 1.0 checksum, bad extended checksum. */
	std_build(2, RSDP_PA);
	phys[RSDP_PA + RSDP_EXT_CHECKSUM]++;
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V2_LEN)), -EINVAL);

	/* Bad signature. */
	std_build(0, RSDP_PA);
	phys[RSDP_PA] = 'X';
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* 2.0 length below 36, or absurd. */
	std_build(2, RSDP_PA);
	w32(RSDP_PA + RSDP_LENGTH, RSDP_V1_LEN);
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);
	HCHECK_EQ(parse(bi_inline(RSDP_PA, RSDP_V2_LEN)), -EINVAL);
	std_build(2, RSDP_PA);
	w32(RSDP_PA + RSDP_LENGTH, 0x80000000u);
	fix_sum(RSDP_PA, RSDP_V1_LEN, RSDP_PA + RSDP_CHECKSUM);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* A 2.0 RSDP cut off by the end of memory. */
	std_build(0, PHYS_SIZE - RSDP_V1_LEN);
	phys[PHYS_SIZE - RSDP_V1_LEN + RSDP_REV] = 2;
	fix_sum(PHYS_SIZE - RSDP_V1_LEN, RSDP_V1_LEN, PHYS_SIZE - RSDP_V1_LEN + RSDP_CHECKSUM);
	HCHECK_EQ(parse(bi_paddr(PHYS_SIZE - RSDP_V1_LEN)), -EINVAL);
	/* An address nothing is mapped at. */
	HCHECK_EQ(parse(bi_paddr(PHYS_SIZE + 0x1000)), -EINVAL);
}

HTEST(acpi_bad_root)
{
	std_build(0, RSDP_PA);
	phys[RSDT_PA + SDT_HDR_LEN]++; /* checksum now off */
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	std_build(2, RSDP_PA);
	phys[XSDT_PA + SDT_HDR_LEN]++;
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* Wrong signature: an RSDT where the XSDT should be. */
	std_build(2, RSDP_PA);
	w64(RSDP_PA + RSDP_XSDT, RSDT_PA);
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* Length shorter than a header. */
	std_build(0, RSDP_PA);
	sdt_end(RSDT_PA, SDT_HDR_LEN - 1);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* RSDT pointing outside memory. */
	std_build(0, RSDP_PA);
	w32(RSDP_PA + RSDP_RSDT, 0xfff00000u);
	rsdp_sums(RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* An RSDT with no MADT in it, with 0 and unreachable entries. */
	std_build(0, RSDP_PA);
	put_root(RSDT_PA, "RSDT", (const uint64_t[]){0, FACP_PA, 0xfffff000u, HPET_PA}, 4, 4);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -ENOENT);

	/* Trailing bytes that do not make a whole entry are ignored. */
	std_build(2, RSDP_PA);
	sdt_end(XSDT_PA, SDT_HDR_LEN + 3 * 8 + 5);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	check_std(&info_static);
}

HTEST(acpi_bad_madt)
{
	struct madtb b;

	std_build(0, RSDP_PA);
	phys[MADT_PA + MADT_HDR_LEN + 3]++;
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* Longer than the memory it sits in (unreachable as a whole). */
	std_build(0, RSDP_PA);
	w32(MADT_PA + SDT_LENGTH, (uint32_t)(PHYS_SIZE - MADT_PA + 1));
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* Absurd length. */
	std_build(0, RSDP_PA);
	w32(MADT_PA + SDT_LENGTH, ACPI_TABLE_MAX_LEN + 1);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* A header, but no room for the MADT's fixed fields. */
	std_build(0, RSDP_PA);
	sdt_end(MADT_PA, MADT_HDR_LEN - 1);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* No usable CPU. */
	std_build(0, RSDP_PA);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 0);
	madt_lapic(&b, 0, 0, 0);
	madt_ioapic(&b, 0, 0xfec00000, 0);
	madt_end(&b);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);

	/* The first MADT wins, even when a later one is fine. */
	std_build(0, RSDP_PA);
	phys[MADT_PA + MADT_HDR_LEN + 3]++;
	b = madt_begin(TBL_BASE + 0xe00, (uint32_t)LAPIC_DEFAULT, 0);
	madt_lapic(&b, 0, 0, CPU_ENABLED);
	madt_end(&b);
	put_root(RSDT_PA, "RSDT", (const uint64_t[]){MADT_PA, TBL_BASE + 0xe00}, 2, 4);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), -EINVAL);
}

HTEST(acpi_bad_hpet_ignored)
{
	std_build(0, RSDP_PA);
	phys[HPET_PA + HPET_GAS_ADDR]++;
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.has_hpet);
	HCHECK_EQ(info_static.ncpus, 4);

	/* Not in system memory space (I/O space, id 1). */
	std_build(0, RSDP_PA);
	put_hpet(HPET_PA, 1, HPET_ADDR);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.has_hpet);

	/* Too short to hold the address. */
	std_build(0, RSDP_PA);
	sdt_end(HPET_PA, HPET_LEN - 1);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.has_hpet);

	/* No HPET table at all. */
	std_build(0, RSDP_PA);
	put_root(RSDT_PA, "RSDT", (const uint64_t[]){MADT_PA}, 1, 4);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK(!info_static.has_hpet);
	HCHECK_EQ(info_static.lapic_addr, LAPIC_MOVED);
}

/* ---------------------------------------------------------------- MADT walk */

HTEST(acpi_madt_entry_len_zero)
{
	struct madtb b;
	uint64_t e;

	std_build(0, RSDP_PA);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 0);
	madt_lapic(&b, 0, 0, CPU_ENABLED);
	e = madt_ent(&b, T_LAPIC, 8);
	w8(e + 1, 0); /* length 0: the walk must stop here */
	madt_lapic(&b, 2, 2, CPU_ENABLED);
	madt_end(&b);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(info_static.ncpus, 1);
	HCHECK(!info_static.pcat_compat);
	HCHECK_EQ(info_static.lapic_addr, LAPIC_DEFAULT);

	/* Length 1 (shorter than an entry header) likewise. */
	w8(e + 1, 1);
	fix_sum(MADT_PA, b.len, MADT_PA + SDT_CHECKSUM);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(info_static.ncpus, 1);
}

HTEST(acpi_madt_entry_past_end)
{
	struct madtb b;

	std_build(0, RSDP_PA);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 0);
	madt_lapic(&b, 0, 0, CPU_ENABLED);
	madt_lapic(&b, 1, 1, CPU_ENABLED);
	madt_ioapic(&b, 0, 0xfec00000, 0);
	madt_end(&b);
	/* Cut the table in the middle of the IOAPIC entry. */
	sdt_end(MADT_PA, b.len - 4);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(info_static.ncpus, 2);
	HCHECK_EQ(info_static.nioapics, 0);
}

HTEST(acpi_madt_entry_too_short_for_type)
{
	struct madtb b;

	/* Skipped, and the walk goes on past it. */
	std_build(0, RSDP_PA);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 0);
	madt_lapic(&b, 0, 0, CPU_ENABLED);
	madt_ent(&b, T_IOAPIC, 4);
	madt_ent(&b, T_X2APIC, 12);
	madt_ent(&b, T_LAPIC_ADDR, 8);
	madt_lapic(&b, 5, 5, CPU_ENABLED);
	madt_end(&b);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(info_static.ncpus, 2);
	HCHECK_EQ(info_static.cpus[1].apic_id, 5);
	HCHECK_EQ(info_static.nioapics, 0);
	HCHECK_EQ(info_static.lapic_addr, LAPIC_DEFAULT);
}

HTEST(acpi_madt_too_many_cpus)
{
	struct madtb b;

	std_build(0, RSDP_PA);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 0);
	for (unsigned i = 0; i < ACPI_MAX_CPUS + 6; i++)
		madt_x2apic(&b, 1000 + i, i, CPU_ENABLED);
	madt_x2apic(&b, 1000, 999, CPU_ENABLED); /* duplicate: not counted */
	for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		madt_ioapic(&b, (uint8_t)i, 0xfec00000 + 0x1000 * i, 24 * i);
	for (unsigned i = 0; i < ACPI_MAX_OVERRIDES + 2; i++)
		madt_iso(&b, 0, (uint8_t)i, i + 100, 0);
	madt_end(&b);
	HCHECK(b.len <= TBL_SIZE - (MADT_PA - TBL_BASE));
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(info_static.ncpus, ACPI_MAX_CPUS);
	HCHECK_EQ(info_static.ncpus_dropped, 6);
	HCHECK_EQ(info_static.cpus[ACPI_MAX_CPUS - 1].apic_id, 1000 + ACPI_MAX_CPUS - 1);
	HCHECK_EQ(info_static.nioapics, ACPI_MAX_IOAPICS);
	HCHECK_EQ(info_static.noverrides, ACPI_MAX_OVERRIDES);
}

/* ---------------------------------------------------------------- helpers */

HTEST(acpi_irq_to_gsi)
{
	struct acpi_info none;
	bool low = true, level = true;

	std_build(0, RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 0, &low, &level), 2);
	HCHECK(!low && !level);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 9, &low, &level), 9);
	HCHECK(low && level);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 10, &low, &level), 10);
	HCHECK(!low && level);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 1, &low, &level), 1);
	HCHECK(!low && !level);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 4, NULL, NULL), 4); /* bus 1 ignored */

	memset(&none, 0, sizeof(none));
	low = level = true;
	HCHECK_EQ(acpi_irq_to_gsi(&none, 0, &low, &level), 0);
	HCHECK(!low && !level);
	HCHECK_EQ(acpi_irq_to_gsi(&none, 15, NULL, &level), 15);
}

HTEST(acpi_ioapic_for_gsi)
{
	struct acpi_info a;

	memset(&a, 0, sizeof(a));
	HCHECK(acpi_ioapic_for_gsi(&a, 0) == NULL);
	a.nioapics = 3;
	a.ioapics[0] = (struct acpi_ioapic){.id = 8, .addr = 0xfec00000, .gsi_base = 24};
	a.ioapics[1] = (struct acpi_ioapic){.id = 9, .addr = 0xfec01000, .gsi_base = 0};
	a.ioapics[2] = (struct acpi_ioapic){.id = 10, .addr = 0xfec02000, .gsi_base = 48};
	HCHECK_EQ(acpi_ioapic_for_gsi(&a, 0)->id, 9);
	HCHECK_EQ(acpi_ioapic_for_gsi(&a, 23)->id, 9);
	HCHECK_EQ(acpi_ioapic_for_gsi(&a, 24)->id, 8);
	HCHECK_EQ(acpi_ioapic_for_gsi(&a, 47)->id, 8);
	HCHECK_EQ(acpi_ioapic_for_gsi(&a, 1000)->id, 10);
	a.ioapics[1].gsi_base = 16;
	HCHECK(acpi_ioapic_for_gsi(&a, 15) == NULL);
}

/* The tables QEMU 7.2 builds for `-smp 4` on i440fx (SeaBIOS). */
static void qemu_build(void)
{
	const uint64_t ents[] = {FACP_PA, MADT_PA, HPET_PA};
	struct madtb b;

	memset(phys, 0, sizeof(phys));
	sdt_begin(FACP_PA, "FACP");
	sdt_end(FACP_PA, SDT_HDR_LEN);
	put_hpet(HPET_PA, 0, HPET_ADDR);
	b = madt_begin(MADT_PA, (uint32_t)LAPIC_DEFAULT, 1);
	for (uint8_t i = 0; i < 4; i++)
		madt_lapic(&b, i, i, CPU_ENABLED);
	madt_ioapic(&b, 0, 0xfec00000, 0);
	madt_iso(&b, 0, 0, 2, 0);
	madt_iso(&b, 0, 5, 5, INTI_HIGH | INTI_LEVEL);
	madt_iso(&b, 0, 9, 9, INTI_HIGH | INTI_LEVEL);
	madt_iso(&b, 0, 10, 10, INTI_HIGH | INTI_LEVEL);
	madt_iso(&b, 0, 11, 11, INTI_HIGH | INTI_LEVEL);
	madt_end(&b);
	put_root(RSDT_PA, "RSDT", ents, N(ents), 4);
	put_rsdp(ROM_PA + 0x5a0, 0, (uint32_t)RSDT_PA, 0);
	memcpy(phys + ROM_PA + 0x5a0 + RSDP_OEM, "BOCHS ", 6);
	rsdp_sums(ROM_PA + 0x5a0);
}

HTEST(acpi_qemu_like_and_print)
{
	bool low, level;

	qemu_build();
	HCHECK_EQ(parse(bi_none()), 0);
	HCHECK_EQ(info_static.ncpus, 4);
	HCHECK_EQ(info_static.lapic_addr, LAPIC_DEFAULT);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 0, &low, &level), 2);
	HCHECK_EQ(acpi_irq_to_gsi(&info_static, 11, &low, &level), 11);
	HCHECK(!low && level);
	HCHECK_EQ(acpi_ioapic_for_gsi(&info_static, 2)->addr, 0xfec00000);

	fake_log_quiet = true;
	fake_log_clear();
	acpi_print(&info_static);
	fake_log_quiet = false;
	HCHECK(strstr(fake_log, "acpi: rsdp rev 0 oem \"BOCHS\" via rsdt, lapic at 0xfee00000"));
	HCHECK(strstr(fake_log, "acpi: 4 cpus (apic ids 0 1 2 3)\n"));
	HCHECK(strstr(fake_log, "acpi: ioapic 0 at 0xfec00000 gsi 0\n"));
	HCHECK(strstr(fake_log, "acpi: override irq 0 -> gsi 2 (high, edge)\n"));
	HCHECK(strstr(fake_log, "acpi: override irq 9 -> gsi 9 (high, level)\n"));
	HCHECK(strstr(fake_log, "acpi: hpet at 0xfed00000\n"));
}

HTEST(acpi_print_std)
{
	std_build(2, RSDP_PA);
	HCHECK_EQ(parse(bi_paddr(RSDP_PA)), 0);
	fake_log_quiet = true;
	fake_log_clear();
	acpi_print(&info_static);
	fake_log_quiet = false;
	HCHECK(strstr(fake_log, "via xsdt, lapic at 0x1fee00000, 8259 pics\n"));
	HCHECK(strstr(fake_log, "acpi: 4 cpus (apic ids 0 1 3(offline) 256)\n"));
	HCHECK(strstr(fake_log, "acpi: override irq 9 -> gsi 9 (low, level)\n"));

	/* A long CPU list wraps; every id still appears. */
	info_static.ncpus = ACPI_MAX_CPUS;
	for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
		info_static.cpus[i] =
		    (struct acpi_cpu){.apic_id = 4000000000u + i, .enabled = i % 2};
	info_static.ncpus_dropped = 3;
	info_static.has_hpet = false;
	fake_log_quiet = true;
	fake_log_clear();
	acpi_print(&info_static);
	fake_log_quiet = false;
	HCHECK(strstr(fake_log, " 4000000000(offline)"));
	HCHECK(strstr(fake_log, " 4000000063)\n"));
	HCHECK(strstr(fake_log, "acpi: 3 more cpus dropped (limit 64)\n"));
	HCHECK(strstr(fake_log, "acpi: no hpet\n"));
}

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A value likely to hit an edge case when written over a length or address. */
static uint64_t interesting(void)
{
	static const uint64_t v[] = {
	    0,	1,  2,	7,  8,	12,   16,	  19,	      20,	  35,
	    36, 37, 43, 44, 45, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffffffffffff};

	/* The cap on table lengths, and just past it. */
	if (rng() % 16 == 0)
		return ACPI_TABLE_MAX_LEN + rng() % 2;

	switch (rng() % 3) {
	case 0:
		return v[rng() % N(v)];
	case 1:
		return TBL_BASE + rng() % (TBL_SIZE + 64); /* an address */
	default:
		return rng() % (TBL_SIZE + 64); /* a length */
	}
}

/* Damage the table area a little, mostly around the tables' fields. */
static void mutate(void)
{
	int k = 1 + (int)(rng() % 6);

	while (k--) {
		uint64_t at =
		    TBL_BASE + rng() % (rng() % 2 ? MADT_PA - TBL_BASE + 0x100 : TBL_SIZE);

		switch (rng() % 4) {
		case 0:
			phys[at] = (uint8_t)rng();
			break;
		case 1:
			phys[at] = (uint8_t)(rng() % 20); /* a MADT type or length */
			break;
		case 2:
			if (at + 4 <= PHYS_SIZE)
				w32(at, (uint32_t)interesting());
			break;
		default:
			if (at + 8 <= PHYS_SIZE)
				w64(at, interesting());
			break;
		}
	}
}

/* Repair the checksum of the table at pa if its length field allows. */
static void fuzz_fix(uint64_t pa)
{
	uint32_t len = r32(pa + SDT_LENGTH);

	if (len > SDT_CHECKSUM && len <= PHYS_SIZE - pa)
		fix_sum(pa, len, pa + SDT_CHECKSUM);
}

static void fuzz_fix_all(void)
{
	uint32_t len = r32(RSDP_PA + RSDP_LENGTH);

	fix_sum(RSDP_PA, RSDP_V1_LEN, RSDP_PA + RSDP_CHECKSUM);
	if (len > RSDP_EXT_CHECKSUM && len <= TBL_SIZE)
		fix_sum(RSDP_PA, len, RSDP_PA + RSDP_EXT_CHECKSUM);
	fuzz_fix(RSDT_PA);
	fuzz_fix(XSDT_PA);
	fuzz_fix(HPET_PA);
	fuzz_fix(MADT_PA);
}

/* The header's invariants of a successfully filled struct acpi_info. */
static bool info_invariants_ok(const struct acpi_info *a)
{
	if (a->ncpus < 1 || a->ncpus > ACPI_MAX_CPUS || a->nioapics > ACPI_MAX_IOAPICS ||
	    a->noverrides > ACPI_MAX_OVERRIDES)
		return false;
	for (unsigned i = 0; i < a->ncpus; i++) {
		if (a->cpus[i].enabled == a->cpus[i].online_capable)
			return false;
		for (unsigned j = 0; j < i; j++)
			if (a->cpus[i].apic_id == a->cpus[j].apic_id)
				return false;
	}
	if (strnlen(a->oem_id, sizeof(a->oem_id)) == sizeof(a->oem_id))
		return false;
	for (const char *s = a->oem_id; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return !a->has_hpet || a->hpet_addr != 0;
}

HTEST(acpi_fuzz)
{
	static uint8_t pristine[TBL_SIZE];
	int ok = 0, inval = 0, noent = 0;

	std_build(2, RSDP_PA);
	memcpy(pristine, phys + TBL_BASE, TBL_SIZE);
	for (int it = 0; it < FUZZ_ITERS; it++) {
		struct bootinfo *bi;
		int rc;

		memcpy(phys + TBL_BASE, pristine, TBL_SIZE);
		mutate();
		if (rng() % 2)
			fuzz_fix_all();
		if (rng() % 4 == 0)
			bi = bi_inline(RSDP_PA, rng() % 2 ? RSDP_V2_LEN : RSDP_V1_LEN);
		else
			bi = bi_paddr(RSDP_PA);
		rc = parse_window(&info_static, bi, TBL_BASE, TBL_SIZE);
		if (rc == 0) {
			ok++;
			HCHECK(info_invariants_ok(&info_static));
		} else if (rc == -EINVAL) {
			inval++;
		} else {
			noent++;
			HCHECK_EQ(rc, -ENOENT);
		}
	}
	fprintf(stderr, "  fuzz: %d parsed, %d -EINVAL, %d -ENOENT\n", ok, inval, noent);
	HCHECK(ok > FUZZ_ITERS / 20);
	HCHECK(inval > FUZZ_ITERS / 20);
}
