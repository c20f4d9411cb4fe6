/*
 * keel/bootinfo.h - what the boot loader told us, in one loader-neutral form.
 *
 * Keel is entered two ways:
 *   - Multiboot2 (GRUB): EAX = MULTIBOOT2_BOOTLOADER_MAGIC, EBX = physical
 *     address of the Multiboot2 information (a list of 8-byte-aligned tags);
 *   - PVH (`qemu -kernel`, Xen): EBX = physical address of a
 *     struct hvm_start_info whose first word is PVH_START_MAGIC.
 * The entry code decides which one it got and calls the matching parser,
 * which fills one struct bootinfo.  Nothing after early boot looks at the
 * loader's own structures again.
 *
 * The parsers never dereference a physical address themselves: they read
 * loader memory only through a struct bootinfo_mem accessor (the kernel's
 * direct map, or a fake buffer in host tests), and never touch a byte
 * outside what the accessor returned.  Loader data is untrusted: malformed
 * input yields -EINVAL, never a crash.
 *
 * Invariants of a successfully parsed struct bootinfo:
 *   - every string (cmdline, mod[].cmdline) is NUL-terminated, truncated
 *     to its buffer if it was longer;
 *   - mem[0..mem_count) is sanitized (see bootinfo_sanitize()): sorted by
 *     base, non-empty, non-overlapping, adjacent regions of one type merged,
 *     every type one of enum boot_mem_type.  Address ranges not listed are
 *     unknown and must be treated as unusable;
 *   - mod[i].start <= mod[i].end.
 * Limits: at most BOOTINFO_MAX_REGIONS regions and BOOTINFO_MAX_MODULES
 * modules are kept; the rest are dropped silently and counted in
 * mem_dropped / mod_dropped so the caller can log it.
 *
 * Locking: none.  A struct bootinfo is filled once on the boot CPU before
 * any other CPU runs and is read-only afterwards.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EAX on entry from a Multiboot2 loader. */
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u
/* First word of struct hvm_start_info on a PVH entry ("xEn3", 0x80 set). */
#define PVH_START_MAGIC 0x336ec578u

/* Memory types; the values are the E820 ones, and a higher value wins. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED,
	BOOT_MEM_ACPI_RECLAIM,
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_BAD,
};

/* Physical range [base, base + len) of one type. */
struct boot_mem_region {
	uint64_t base, len;
	uint32_t type; /* enum boot_mem_type */
};

#define BOOT_MODULE_CMDLINE_MAX 128

/* A module the loader placed in memory: physical [start, end). */
struct boot_module {
	uint64_t start, end;
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
};

/* Multiboot2 framebuffer type values (struct boot_fb.type). */
#define BOOT_FB_TYPE_INDEXED 0
#define BOOT_FB_TYPE_RGB 1
#define BOOT_FB_TYPE_EGA_TEXT 2

struct boot_fb {
	uint64_t addr;		       /* physical */
	uint32_t pitch, width, height; /* bytes per line, pixels, pixels */
	uint8_t bpp, type;	       /* bits per pixel, BOOT_FB_TYPE_* */
};

#define BOOTINFO_MAX_REGIONS 128
#define BOOTINFO_MAX_MODULES 16
#define BOOTINFO_CMDLINE_MAX 1024
#define BOOTINFO_RSDP_MAX 36 /* size of an ACPI 2.0+ RSDP */

/* Sanity limits on loader data; anything larger is treated as garbage. */
#define MB2_INFO_MAX_SIZE (1u << 20) /* bytes of Multiboot2 information */
#define PVH_MAX_MODULES 1024
#define PVH_MAX_MEMMAP_ENTRIES 4096

struct bootinfo {
	const char *protocol; /* "multiboot2" or "pvh" */
	char cmdline[BOOTINFO_CMDLINE_MAX];

	struct boot_mem_region mem[BOOTINFO_MAX_REGIONS]; /* sanitized */
	unsigned mem_count;
	unsigned mem_dropped; /* regions that did not fit */

	struct boot_module mod[BOOTINFO_MAX_MODULES];
	unsigned mod_count;
	unsigned mod_dropped; /* modules that did not fit */

	/* Copy of the RSDP when the loader gave one inline (MB2 tags 14/15). */
	uint8_t rsdp[BOOTINFO_RSDP_MAX];
	unsigned rsdp_len;
	/* Or its physical address (PVH); 0 if unknown. */
	uint64_t rsdp_paddr;

	bool has_fb;
	struct boot_fb fb;

	/*
	 * Physical extent [info_start, info_end) of the loader's own info
	 * blob(s), to keep reserved while they are parsed.  For PVH, whose
	 * pieces are separate, this is the smallest range covering all of
	 * them (start_info, module list, memory map, command lines).
	 */
	uint64_t info_start, info_end;
};

/*
 * How the parsers read loader memory.  ptr(ctx, pa, len) returns a pointer
 * to len readable bytes at physical address pa, or NULL when any of them is
 * out of range.  In the kernel it adds the direct-map offset; in host tests
 * it indexes a fake buffer.
 */
struct bootinfo_mem {
	const void *(*ptr)(void *ctx, uint64_t pa, uint64_t len);
	void *ctx;
};

/*
 * Fill *bi from the Multiboot2 information at physical address mbi_pa
 * (the caller has already checked EAX == MULTIBOOT2_BOOTLOADER_MAGIC).
 * Reads tags 1 (cmdline), 3 (module), 4 (basic meminfo, used only when no
 * memory map tag is present), 6 (memory map), 8 (framebuffer), 14 and 15
 * (RSDP copies; 15 wins over 14); skips every other tag.
 * Returns 0, or -EINVAL when the information is malformed: mbi_pa not
 * 8-aligned, total_size below the minimum or above MB2_INFO_MAX_SIZE, a tag
 * shorter than its fixed part or running past total_size, no end tag, a
 * memory map entry_size below 24 or not a multiple of 8, or a module with
 * end < start.  On error *bi holds partial data and must not be used.
 * Does not sleep, takes no lock.
 */
int bootinfo_parse_multiboot2(struct bootinfo *bi, uint64_t mbi_pa, const struct bootinfo_mem *m);

/*
 * Fill *bi from the PVH struct hvm_start_info at physical start_info_pa.
 * Version 0 has no memory map (mem_count stays 0); version 1 and later
 * give one.  Returns 0, or -EINVAL on a bad magic, more than
 * PVH_MAX_MODULES modules or PVH_MAX_MEMMAP_ENTRIES map entries, a table
 * or string the accessor cannot reach, or a module whose end overflows.
 * On error *bi holds partial data and must not be used.
 * Does not sleep, takes no lock.
 */
int bootinfo_parse_pvh(struct bootinfo *bi, uint64_t start_info_pa, const struct bootinfo_mem *m);

/*
 * Put bi->mem into canonical form: types outside enum boot_mem_type become
 * BOOT_MEM_RESERVED; where regions overlap, the higher type value wins
 * (so any non-usable type beats usable, as Linux's e820 sanitizer does);
 * then the result is sorted by base, adjacent regions of one type are
 * merged and empty ones dropped.  A region running past 2^64 is clipped
 * to end at 2^64 - 1.  If the canonical form needs more than
 * BOOTINFO_MAX_REGIONS entries, the highest ones are dropped and counted
 * in mem_dropped.  Uses about 3 KiB of stack.  Called by both parsers.
 */
void bootinfo_sanitize(struct bootinfo *bi);

/* Total bytes in BOOT_MEM_USABLE regions. */
uint64_t bootinfo_usable_bytes(const struct bootinfo *bi);

/* End (exclusive) of the highest usable region, or 0 if there is none. */
uint64_t bootinfo_max_usable_addr(const struct bootinfo *bi);

#endif /* KEEL_BOOTINFO_H */
