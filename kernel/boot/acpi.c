/*
 * kernel/boot/acpi.c - find the ACPI MADT and HPET tables and condense them
 * into a struct acpi_info (see <keel/acpi.h> for the interface).
 *
 * The path to the tables (ACPI 6.5, chapter 5.2):
 *
 *	RSDP ("RSD PTR ", 16-byte aligned in the BIOS area or handed over
 *	  |   by the loader; 20 bytes in 1.0, `length` bytes in 2.0+)
 *	  +-- rsdt_address -> RSDT: SDT header + 32-bit table addresses
 *	  +-- xsdt_address -> XSDT: SDT header + 64-bit table addresses
 *	                        +-- "APIC" (MADT): CPUs, IOAPICs, overrides
 *	                        +-- "HPET": event timer block base address
 *
 * Every table starts with the 36-byte SDT header whose `length` covers the
 * whole table and whose bytes sum to 0 mod 256.  Firmware data is
 * untrusted, so a table is used only after its signature, length (at
 * least a header, at most ACPI_TABLE_MAX_LEN) and checksum are checked,
 * and it is fetched through the struct bootinfo_mem accessor in one piece
 * of exactly `length` bytes; all parsing then stays inside that piece.
 *
 * Layouts are byte-packed and not aligned in memory, so the structs below
 * serve only as named offsets (offsetof) and every multi-byte field is
 * read bytewise, little-endian: no unaligned access, no strict-aliasing
 * questions, no dependence on the host's byte order.
 *
 * No locks, no allocation, no sleeping; runs once on the boot CPU.
 */
#include <keel/acpi.h>
#include <keel/compiler.h>
#include <keel/klog.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

/* ---------------------------------------------------------------- layouts */

#define ACPI_OEM_ID_LEN 6

/* Root System Description Pointer (5.2.5.3). */
struct acpi_rsdp {
	char signature[8]; /* ACPI_RSDP_SIG */
	uint8_t checksum;  /* over the first ACPI_RSDP_V1_LEN bytes */
	char oem_id[ACPI_OEM_ID_LEN];
	uint8_t revision; /* 0: ACPI 1.0; 2: ACPI 2.0 and later */
	uint32_t rsdt_address;
	/* revision >= 2: */
	uint32_t length; /* of the whole RSDP */
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over `length` bytes */
	uint8_t reserved[3];
} __packed;

#define ACPI_RSDP_SIG "RSD PTR "
#define ACPI_RSDP_SIG_LEN 8
#define ACPI_RSDP_V1_LEN offsetof(struct acpi_rsdp, length)
#define ACPI_RSDP_V2_LEN sizeof(struct acpi_rsdp)
#define ACPI_RSDP_REV_XSDT 2   /* first revision with length/xsdt_address */
#define ACPI_RSDP_LEN_MAX 4096 /* sanity cap on the 2.0 length field */
#define ACPI_RSDP_ALIGN 16     /* where the BIOS-area scan looks */

_Static_assert(ACPI_RSDP_V1_LEN == 20, "ACPI 1.0 RSDP is 20 bytes");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 2.0 RSDP is 36 bytes");
_Static_assert(ACPI_RSDP_V2_LEN == BOOTINFO_RSDP_MAX, "bootinfo holds a full RSDP");

/* BIOS areas searched when the loader did not hand over the RSDP (5.2.5.1). */
#define BDA_EBDA_SEGMENT_PA 0x40eull /* u16 real-mode segment of the EBDA */
#define REAL_MODE_SEG_SHIFT 4
#define EBDA_SCAN_LEN 1024ull /* only its first KiB is searched */
#define BIOS_ROM_SCAN_START 0xe0000ull
#define BIOS_ROM_SCAN_END 0x100000ull /* exclusive */

/* System Description Table header, common to every table (5.2.6). */
struct acpi_sdt_hdr {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* all `length` bytes sum to 0 */
	char oem_id[ACPI_OEM_ID_LEN];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

_Static_assert(sizeof(struct acpi_sdt_hdr) == 36, "SDT header is 36 bytes");

#define ACPI_SIG_LEN 4
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_MADT "APIC"
#define ACPI_SIG_HPET "HPET"
#define ACPI_RSDT_ENTRY_LEN 4 /* 32-bit physical addresses */
#define ACPI_XSDT_ENTRY_LEN 8 /* 64-bit physical addresses */

/* Multiple APIC Description Table (5.2.12). */
struct acpi_madt {
	struct acpi_sdt_hdr hdr;
	uint32_t lapic_address;
	uint32_t flags; /* MADT_FLAG_* */
} __packed;		/* then the interrupt controller structures */

#define MADT_FLAG_PCAT_COMPAT (1u << 0)

/* Header of every MADT interrupt controller structure. */
struct madt_entry {
	uint8_t type;	/* MADT_TYPE_* */
	uint8_t length; /* of the whole entry, header included */
} __packed;

#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_OVERRIDE 2
#define MADT_TYPE_LAPIC_ADDR 5
#define MADT_TYPE_X2APIC 9

/* Type 0: processor local APIC (5.2.12.2). */
struct madt_lapic {
	struct madt_entry hdr;
	uint8_t uid; /* ACPI processor UID */
	uint8_t apic_id;
	uint32_t flags; /* MADT_CPU_* */
} __packed;

/* Flags of types 0 and 9 (Table 5.23). */
#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

/* Type 1: I/O APIC (5.2.12.3). */
struct madt_ioapic {
	struct madt_entry hdr;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

/* Type 2: interrupt source override (5.2.12.5). */
struct madt_override {
	struct madt_entry hdr;
	uint8_t bus;	/* MADT_BUS_ISA */
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags */
} __packed;

#define MADT_BUS_ISA 0

/* MPS INTI flags (Table 5.26): polarity and trigger mode fields. */
#define MPS_INTI_POLARITY_MASK 0x3u
#define MPS_INTI_POLARITY_LOW 0x3u /* 0: conforms, 1: high, 2: reserved */
#define MPS_INTI_TRIGGER_MASK 0xcu
#define MPS_INTI_TRIGGER_LEVEL 0xcu /* 0: conforms, 4: edge, 8: reserved */

/* Type 5: local APIC address override (5.2.12.8). */
struct madt_lapic_addr {
	struct madt_entry hdr;
	uint16_t reserved;
	uint64_t address;
} __packed;

/* Type 9: processor local x2APIC (5.2.12.12). */
struct madt_x2apic {
	struct madt_entry hdr;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags; /* MADT_CPU_* */
	uint32_t uid;
} __packed;

_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part is 44 bytes");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT type 0 is 8 bytes");
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT type 1 is 12 bytes");
_Static_assert(sizeof(struct madt_override) == 10, "MADT type 2 is 10 bytes");
_Static_assert(sizeof(struct madt_lapic_addr) == 12, "MADT type 5 is 12 bytes");
_Static_assert(sizeof(struct madt_x2apic) == 16, "MADT type 9 is 16 bytes");

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_SYSTEM_MEMORY */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;

#define ACPI_GAS_SYSTEM_MEMORY 0

/* IA-PC HPET Description Table (HPET spec 1.0a, 3.2.4). */
struct acpi_hpet {
	struct acpi_sdt_hdr hdr;
	uint32_t event_timer_block_id;
	struct acpi_gas base_address;
	uint8_t hpet_number;
	uint16_t min_clock_tick;
	uint8_t page_protection;
} __packed;

_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table is 56 bytes");

/* ---------------------------------------------------------------- helpers */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Read field `f` of layout `type` from the bytes at p. */
#define RD8(p, type, f) ((p)[offsetof(type, f)])
#define RD16(p, type, f) rd16((p) + offsetof(type, f))
#define RD32(p, type, f) rd32((p) + offsetof(type, f))
#define RD64(p, type, f) rd64((p) + offsetof(type, f))

/* True iff the n bytes at p sum to 0 mod 256, as every ACPI checksum. */
static bool acpi_sum_ok(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return sum == 0;
}

static const uint8_t *acpi_map(const struct bootinfo_mem *m, uint64_t pa, uint64_t len)
{
	return m->ptr(m->ctx, pa, len);
}

/* ---------------------------------------------------------------- RSDP */

/* What acpi_parse() needs from a validated RSDP. */
struct rsdp_info {
	unsigned revision;
	bool has_v2; /* length/xsdt_address present and checked */
	uint32_t rsdt;
	uint64_t xsdt;
	char oem_id[ACPI_OEM_ID_LEN]; /* raw, not NUL-terminated */
};

/*
 * Check the RSDP in the avail bytes at p and extract it into *r.  The 1.0
 * part must be complete and valid.  When the revision says 2.0+ and the
 * 2.0 part is within avail, its length must be sane and fit in avail, and
 * its extended checksum must hold; when the 2.0 part is cut off (a loader
 * copy of only 20 bytes) the RSDP is used as a 1.0 one.
 */
static int rsdp_decode(const uint8_t *p, size_t avail, struct rsdp_info *r)
{
	uint32_t len;

	if (avail < ACPI_RSDP_V1_LEN || memcmp(p, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN) != 0 ||
	    !acpi_sum_ok(p, ACPI_RSDP_V1_LEN))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->revision = RD8(p, struct acpi_rsdp, revision);
	r->rsdt = RD32(p, struct acpi_rsdp, rsdt_address);
	memcpy(r->oem_id, p + offsetof(struct acpi_rsdp, oem_id), ACPI_OEM_ID_LEN);
	if (r->revision < ACPI_RSDP_REV_XSDT || avail < ACPI_RSDP_V2_LEN)
		return 0;
	len = RD32(p, struct acpi_rsdp, length);
	if (len < ACPI_RSDP_V2_LEN || len > ACPI_RSDP_LEN_MAX)
		return -EINVAL;
	if (len > avail)
		return 0; /* cannot check the extended part: use 1.0 */
	if (!acpi_sum_ok(p, len))
		return -EINVAL;
	r->has_v2 = true;
	r->xsdt = RD64(p, struct acpi_rsdp, xsdt_address);
	return 0;
}

/*
 * Read and check the RSDP at physical pa: its 1.0 part first, then, for
 * revision 2+, as many bytes as its length field gives.
 */
static int rsdp_fetch(const struct bootinfo_mem *m, uint64_t pa, struct rsdp_info *r)
{
	const uint8_t *p;
	uint32_t len;
	int rc;

	p = acpi_map(m, pa, ACPI_RSDP_V1_LEN);
	if (!p)
		return -EINVAL;
	rc = rsdp_decode(p, ACPI_RSDP_V1_LEN, r);
	if (rc || r->revision < ACPI_RSDP_REV_XSDT)
		return rc;
	p = acpi_map(m, pa, ACPI_RSDP_V2_LEN);
	if (!p)
		return -EINVAL;
	len = RD32(p, struct acpi_rsdp, length);
	if (len < ACPI_RSDP_V2_LEN || len > ACPI_RSDP_LEN_MAX)
		return -EINVAL;
	p = acpi_map(m, pa, len);
	if (!p)
		return -EINVAL;
	return rsdp_decode(p, len, r);
}

/*
 * Search [pa, pa + len) on ACPI_RSDP_ALIGN boundaries for a valid RSDP.
 * A region the accessor cannot reach, or one without a valid RSDP, gives
 * -ENOENT; a signature with a bad checksum is a stray match and skipped.
 */
static int rsdp_scan(const struct bootinfo_mem *m, uint64_t pa, uint64_t len, struct rsdp_info *r)
{
	const uint8_t *p = acpi_map(m, pa, len);
	uint64_t off;

	if (!p)
		return -ENOENT;
	for (off = 0; off + ACPI_RSDP_V1_LEN <= len; off += ACPI_RSDP_ALIGN) {
		if (memcmp(p + off, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN) == 0 &&
		    rsdp_fetch(m, pa + off, r) == 0)
			return 0;
	}
	return -ENOENT;
}

/* The EBDA's first KiB, then the BIOS ROM area (ACPI 5.2.5.1). */
static int rsdp_scan_bios(const struct bootinfo_mem *m, struct rsdp_info *r)
{
	const uint8_t *p = acpi_map(m, BDA_EBDA_SEGMENT_PA, sizeof(uint16_t));
	uint64_t ebda;

	if (p) {
		ebda = (uint64_t)rd16(p) << REAL_MODE_SEG_SHIFT;
		if (ebda && rsdp_scan(m, ebda, EBDA_SCAN_LEN, r) == 0)
			return 0;
	}
	return rsdp_scan(m, BIOS_ROM_SCAN_START, BIOS_ROM_SCAN_END - BIOS_ROM_SCAN_START, r);
}

static int rsdp_find(const struct bootinfo *bi, const struct bootinfo_mem *m, struct rsdp_info *r)
{
	if (bi->rsdp_len)
		return rsdp_decode(bi->rsdp, MIN(bi->rsdp_len, sizeof(bi->rsdp)), r);
	if (bi->rsdp_paddr)
		return rsdp_fetch(m, bi->rsdp_paddr, r);
	return rsdp_scan_bios(m, r);
}

/* ---------------------------------------------------------------- tables */

/*
 * Fetch the whole table at physical pa, which must carry signature sig, a
 * sane length and a good checksum.  On success *tp and *lenp describe it.
 */
static int table_fetch(const struct bootinfo_mem *m, uint64_t pa, const char *sig,
		       const uint8_t **tp, uint32_t *lenp)
{
	const uint8_t *p = acpi_map(m, pa, sizeof(struct acpi_sdt_hdr));
	uint32_t len;

	if (!p || memcmp(p, sig, ACPI_SIG_LEN) != 0)
		return -EINVAL;
	len = RD32(p, struct acpi_sdt_hdr, length);
	if (len < sizeof(struct acpi_sdt_hdr) || len > ACPI_TABLE_MAX_LEN)
		return -EINVAL;
	p = acpi_map(m, pa, len);
	if (!p || !acpi_sum_ok(p, len))
		return -EINVAL;
	*tp = p;
	*lenp = len;
	return 0;
}

/* Copy n raw OEM id bytes as a printable string, trailing blanks cut. */
static void oem_id_copy(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;

	n = MIN(n, size - 1);
	for (i = 0; i < n; i++) {
		char c = src[i];

		dst[i] = (c >= ' ' && c <= '~') ? c : '?';
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

/* ---------------------------------------------------------------- MADT */

static void madt_add_cpu(struct acpi_info *info, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
	struct acpi_cpu *c;
	unsigned i;

	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
		return;
	for (i = 0; i < info->ncpus; i++)
		if (info->cpus[i].apic_id == apic_id)
			return;
	if (info->ncpus == ACPI_MAX_CPUS) {
		info->ncpus_dropped++;
		return;
	}
	c = &info->cpus[info->ncpus++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & MADT_CPU_ENABLED;
	c->online_capable = !c->enabled && (flags & MADT_CPU_ONLINE_CAPABLE);
}

static void madt_add_ioapic(struct acpi_info *info, const uint8_t *e)
{
	struct acpi_ioapic *io;

	if (info->nioapics == ACPI_MAX_IOAPICS)
		return;
	io = &info->ioapics[info->nioapics++];
	io->id = RD8(e, struct madt_ioapic, id);
	io->addr = RD32(e, struct madt_ioapic, address);
	io->gsi_base = RD32(e, struct madt_ioapic, gsi_base);
}

static void madt_add_override(struct acpi_info *info, const uint8_t *e)
{
	struct acpi_irq_override *o;
	uint16_t flags = RD16(e, struct madt_override, flags);

	if (RD8(e, struct madt_override, bus) != MADT_BUS_ISA ||
	    info->noverrides == ACPI_MAX_OVERRIDES)
		return;
	o = &info->overrides[info->noverrides++];
	o->bus_irq = RD8(e, struct madt_override, source);
	o->gsi = RD32(e, struct madt_override, gsi);
	/* "Conforms" and the reserved encodings mean the ISA defaults. */
	o->active_low = (flags & MPS_INTI_POLARITY_MASK) == MPS_INTI_POLARITY_LOW;
	o->level = (flags & MPS_INTI_TRIGGER_MASK) == MPS_INTI_TRIGGER_LEVEL;
}

/* Handle one interrupt controller structure of len bytes at e. */
static void madt_entry(struct acpi_info *info, const uint8_t *e, unsigned len)
{
	switch (RD8(e, struct madt_entry, type)) {
	case MADT_TYPE_LAPIC:
		if (len >= sizeof(struct madt_lapic))
			madt_add_cpu(info, RD8(e, struct madt_lapic, apic_id),
				     RD8(e, struct madt_lapic, uid),
				     RD32(e, struct madt_lapic, flags));
		break;
	case MADT_TYPE_X2APIC:
		if (len >= sizeof(struct madt_x2apic))
			madt_add_cpu(info, RD32(e, struct madt_x2apic, x2apic_id),
				     RD32(e, struct madt_x2apic, uid),
				     RD32(e, struct madt_x2apic, flags));
		break;
	case MADT_TYPE_IOAPIC:
		if (len >= sizeof(struct madt_ioapic))
			madt_add_ioapic(info, e);
		break;
	case MADT_TYPE_OVERRIDE:
		if (len >= sizeof(struct madt_override))
			madt_add_override(info, e);
		break;
	case MADT_TYPE_LAPIC_ADDR:
		if (len >= sizeof(struct madt_lapic_addr))
			info->lapic_addr = RD64(e, struct madt_lapic_addr, address);
		break;
	default:
		break; /* NMI sources, GIC, ...: not needed */
	}
}

/*
 * Walk the MADT's len bytes at t.  Entries shorter than their type needs
 * are ignored; the walk stops at an entry shorter than its own header or
 * running past the table (no way to find the next one).
 */
static int madt_parse(struct acpi_info *info, const uint8_t *t, uint32_t len)
{
	uint32_t off = sizeof(struct acpi_madt);
	unsigned elen;

	if (len < sizeof(struct acpi_madt))
		return -EINVAL;
	info->lapic_addr = RD32(t, struct acpi_madt, lapic_address);
	info->pcat_compat = RD32(t, struct acpi_madt, flags) & MADT_FLAG_PCAT_COMPAT;
	while (len - off >= sizeof(struct madt_entry)) {
		elen = RD8(t + off, struct madt_entry, length);
		if (elen < sizeof(struct madt_entry) || elen > len - off)
			break;
		madt_entry(info, t + off, elen);
		off += elen;
	}
	return info->ncpus ? 0 : -EINVAL;
}

/* ---------------------------------------------------------------- HPET */

/* Record the HPET at pa if its table is valid; ignore it otherwise. */
static void hpet_parse(struct acpi_info *info, const struct bootinfo_mem *m, uint64_t pa)
{
	const uint8_t *t;
	uint32_t len;

	if (table_fetch(m, pa, ACPI_SIG_HPET, &t, &len) || len < sizeof(struct acpi_hpet))
		return;
	if (RD8(t, struct acpi_hpet, base_address.space_id) != ACPI_GAS_SYSTEM_MEMORY)
		return;
	info->hpet_addr = RD64(t, struct acpi_hpet, base_address.address);
	info->has_hpet = info->hpet_addr != 0;
}

/* ---------------------------------------------------------------- root */

/*
 * Visit the tables the root table at t (len bytes, entries of esize bytes)
 * points to: the first "APIC" is the MADT, the first "HPET" the HPET table.
 * Entries that are 0 or that the accessor cannot reach are skipped.
 */
static int root_walk(struct acpi_info *info, const struct bootinfo_mem *m, const uint8_t *t,
		     uint32_t len, unsigned esize)
{
	const uint8_t *madt = NULL, *hdr;
	uint32_t off, madt_len = 0;
	uint64_t pa;
	int rc;

	for (off = sizeof(struct acpi_sdt_hdr); len - off >= esize; off += esize) {
		pa = esize == ACPI_XSDT_ENTRY_LEN ? rd64(t + off) : rd32(t + off);
		if (!pa)
			continue;
		hdr = acpi_map(m, pa, sizeof(struct acpi_sdt_hdr));
		if (!hdr)
			continue;
		if (!madt && memcmp(hdr, ACPI_SIG_MADT, ACPI_SIG_LEN) == 0) {
			rc = table_fetch(m, pa, ACPI_SIG_MADT, &madt, &madt_len);
			if (rc)
				return rc;
		} else if (!info->has_hpet && memcmp(hdr, ACPI_SIG_HPET, ACPI_SIG_LEN) == 0) {
			hpet_parse(info, m, pa);
		}
	}
	if (!madt)
		return -ENOENT;
	return madt_parse(info, madt, madt_len);
}

int acpi_parse(struct acpi_info *info, const struct bootinfo *bi, const struct bootinfo_mem *m)
{
	struct rsdp_info r;
	const uint8_t *root;
	uint32_t root_len;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = rsdp_find(bi, m, &r);
	if (rc)
		return rc;
	info->revision = r.revision;
	oem_id_copy(info->oem_id, sizeof(info->oem_id), r.oem_id, ACPI_OEM_ID_LEN);
	if (r.has_v2 && r.xsdt) {
		info->used_xsdt = true;
		rc = table_fetch(m, r.xsdt, ACPI_SIG_XSDT, &root, &root_len);
		if (rc)
			return rc;
		return root_walk(info, m, root, root_len, ACPI_XSDT_ENTRY_LEN);
	}
	rc = table_fetch(m, r.rsdt, ACPI_SIG_RSDT, &root, &root_len);
	if (rc)
		return rc;
	return root_walk(info, m, root, root_len, ACPI_RSDT_ENTRY_LEN);
}

/* ---------------------------------------------------------------- queries */

uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, bool *active_low,
			 bool *level)
{
	uint32_t gsi = isa_irq;
	bool low = false, lvl = false;
	unsigned i;

	for (i = 0; i < info->noverrides; i++) {
		if (info->overrides[i].bus_irq == isa_irq) {
			gsi = info->overrides[i].gsi;
			low = info->overrides[i].active_low;
			lvl = info->overrides[i].level;
			break;
		}
	}
	if (active_low)
		*active_low = low;
	if (level)
		*level = lvl;
	return gsi;
}

const struct acpi_ioapic *acpi_ioapic_for_gsi(const struct acpi_info *info, uint32_t gsi)
{
	const struct acpi_ioapic *best = NULL;
	unsigned i;

	for (i = 0; i < info->nioapics; i++) {
		const struct acpi_ioapic *io = &info->ioapics[i];

		if (io->gsi_base <= gsi && (!best || io->gsi_base > best->gsi_base))
			best = io;
	}
	return best;
}

/* ---------------------------------------------------------------- print */

#define ACPI_PRINT_LINE 160 /* the CPU list wraps at about this width */

static void acpi_print_cpus(const struct acpi_info *info)
{
	char line[ACPI_PRINT_LINE + 32];
	size_t n;
	unsigned i;

	n = (size_t)snprintf(line, sizeof(line), "acpi: %u cpus%s (apic ids", info->ncpus,
			     info->ncpus_dropped ? " used" : "");
	for (i = 0; i < info->ncpus; i++) {
		if (n > ACPI_PRINT_LINE) {
			klog(LOG_INFO, "%s", line);
			n = (size_t)snprintf(line, sizeof(line), "acpi:   ");
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %u%s", info->cpus[i].apic_id,
				      info->cpus[i].enabled ? "" : "(offline)");
		n = MIN(n, sizeof(line) - 1);
	}
	klog(LOG_INFO, "%s)", line);
	if (info->ncpus_dropped)
		klog(LOG_INFO, "acpi: %u more cpus dropped (limit %u)", info->ncpus_dropped,
			ACPI_MAX_CPUS);
}

void acpi_print(const struct acpi_info *info)
{
	unsigned i;

	klog(LOG_INFO, "acpi: rsdp rev %u oem \"%s\" via %s, lapic at %#llx%s", info->revision,
		info->oem_id, info->used_xsdt ? "xsdt" : "rsdt",
		(unsigned long long)info->lapic_addr, info->pcat_compat ? ", 8259 pics" : "");
	acpi_print_cpus(info);
	for (i = 0; i < info->nioapics; i++)
		klog(LOG_INFO, "acpi: ioapic %u at %#llx gsi %u", info->ioapics[i].id,
			(unsigned long long)info->ioapics[i].addr, info->ioapics[i].gsi_base);
	for (i = 0; i < info->noverrides; i++)
		klog(LOG_INFO, "acpi: override irq %u -> gsi %u (%s, %s)", info->overrides[i].bus_irq,
			info->overrides[i].gsi, info->overrides[i].active_low ? "low" : "high",
			info->overrides[i].level ? "level" : "edge");
	if (info->has_hpet)
		klog(LOG_INFO, "acpi: hpet at %#llx", (unsigned long long)info->hpet_addr);
	else
		klog(LOG_INFO, "acpi: no hpet");
}
