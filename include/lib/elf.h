/*
 * lib/elf.h - ELF64 executable validation for execve (x86-64 only).
 *
 * elf_parse() reads an untrusted file image and either rejects it or
 * returns, in struct elf_info, everything exec needs to build an address
 * space: the PT_LOAD segments (sorted by address, checked against each other
 * and the file), the entry point, where the program headers are in memory
 * (for AT_PHDR), the TLS template and the stack's executability.
 *
 * It is a pure function: no allocation, no locks, no global state; it never
 * reads outside buf[0, len) and trusts no field of the file.  The kernel
 * calls it from execve; the host unit tests and fuzzers (tests/host/
 * test_elf.c, tests/fuzz/fuzz_elf.c) call it on hostile input.
 *
 * What the caller (exec) may rely on after a return of 0:
 *   - 1 <= nseg <= ELF_MAX_LOAD_SEGS; seg[] is sorted by vaddr and no two
 *     segments share a byte (they may share a page: exec must map such a
 *     page once, with the union of both protections);
 *   - every seg: memsz > 0, filesz <= memsz, offset + filesz <= len,
 *     vaddr % ELF_PAGE_SIZE == offset % ELF_PAGE_SIZE, no overflow;
 *   - min_vaddr / max_vaddr are page-aligned and bound every segment;
 *     for ET_EXEC PAGE_SIZE <= min_vaddr and max_vaddr <= user_top; for a
 *     PIE max_vaddr - min_vaddr <= user_top / 2 (exec picks a page-aligned
 *     bias and adds it to every address here, entry and phdr_vaddr included);
 *   - entry lies inside a segment with ELF_PROT_X;
 *   - has_tls: [tls_vaddr, tls_vaddr + tls_filesz) lies inside
 *     [min_vaddr, max_vaddr), tls_filesz <= tls_memsz <= user_top and
 *     tls_align is 0 or a power of two;
 *   - phdr_vaddr, when not 0, addresses phnum * phentsize bytes inside one
 *     PT_LOAD segment.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- file format */

#define EI_NIDENT	16
#define EI_MAG0		0	/* e_ident[] indices */
#define EI_MAG1		1
#define EI_MAG2		2
#define EI_MAG3		3
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_OSABI	7

#define ELFMAG0		0x7f	/* e_ident[EI_MAG0..3] */
#define ELFMAG1		'E'
#define ELFMAG2		'L'
#define ELFMAG3		'F'
#define ELFCLASS64	2	/* e_ident[EI_CLASS] */
#define ELFDATA2LSB	1	/* e_ident[EI_DATA]: little endian */
#define EV_CURRENT	1	/* e_ident[EI_VERSION] and e_version */

#define ET_EXEC		2	/* e_type: fixed-address executable */
#define ET_DYN		3	/* e_type: position independent (static-pie) */
#define EM_X86_64	62	/* e_machine */
#define PN_XNUM		0xffff	/* e_phnum: extended numbering (unsupported) */

#define PT_NULL		0	/* p_type */
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_PHDR		6
#define PT_TLS		7
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552

#define PF_X		0x1	/* p_flags */
#define PF_W		0x2
#define PF_R		0x4

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64, "ELF64 file header is 64 bytes");
_Static_assert(sizeof(Elf64_Phdr) == 56, "ELF64 program header is 56 bytes");

/* ---------------------------------------------------------------- parsed form */

#define ELF_MAX_LOAD_SEGS 16
#define ELF_PAGE_SIZE	4096ull	/* the unit of mapping; x86-64 small pages */

#define ELF_PROT_R 1
#define ELF_PROT_W 2
#define ELF_PROT_X 4

/* One PT_LOAD: map [vaddr, vaddr + memsz); file bytes [offset, offset +
 * filesz) go to vaddr, the rest is zero. */
struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot;		/* ELF_PROT_* */
};

struct elf_info {
	bool pie;		/* ET_DYN (static-pie): all addresses are relative to a load bias chosen by exec */
	uint64_t entry;		/* e_entry (unbiased) */
	uint64_t phdr_vaddr;	/* program headers in memory (PT_PHDR, else computed from the PT_LOAD that contains e_phoff), unbiased; 0 if not mapped */
	uint16_t phnum, phentsize;
	unsigned nseg;
	struct elf_seg seg[ELF_MAX_LOAD_SEGS];	/* PT_LOAD, in file order, sorted by vaddr */
	uint64_t min_vaddr, max_vaddr;		/* page-rounded span of all PT_LOADs (unbiased) */
	bool has_tls;
	uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;
	bool exec_stack;	/* PT_GNU_STACK with PF_X */
	bool has_interp;	/* PT_INTERP present (dynamic executable) */
};

/*
 * elf_parse - validate the ELF image buf[0, len) for loading below user_top
 * (exclusive end of user virtual memory; a multiple of ELF_PAGE_SIZE).
 *
 * Returns 0 and fills *info, or:
 *   -ENOEXEC  not a loadable x86-64 ELF64 executable: bad magic, class, data
 *             encoding, version, machine or type; e_phentsize is not
 *             sizeof(Elf64_Phdr); e_phnum is 0 or PN_XNUM; the program
 *             headers are not inside the file; no PT_LOAD with memsz > 0;
 *             more than ELF_MAX_LOAD_SEGS of them.
 *   -EINVAL   a malformed or hostile layout: p_filesz > p_memsz; file bytes
 *             past the end of the file; address overflow; a segment below
 *             ELF_PAGE_SIZE or ending above user_top (PIE: a span over
 *             user_top / 2); p_align not 0 or a power of two; p_vaddr and
 *             p_offset not congruent modulo ELF_PAGE_SIZE; PT_LOADs sharing a
 *             byte; the entry outside every executable segment; a PT_TLS,
 *             PT_PHDR or PT_INTERP that is inconsistent (see the header
 *             comment); two PT_TLS.
 * *info is zeroed first, so it is all-zero after an error.
 * Pure: no locks, never sleeps, reads nothing outside buf[0, len).
 */
int elf_parse(const void *buf, size_t len, uint64_t user_top, struct elf_info *info);

#endif /* LIB_ELF_H */
