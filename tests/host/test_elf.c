/*
 * test_elf.c - host unit tests for lib/elf.c.
 *
 * The tests build a small ET_EXEC image by hand (struct timg: a file header
 * and up to TIMG_MAXPH program headers, serialized into a byte buffer), then
 * change one field per test and check the documented verdict.  Every parse
 * runs on an exact-size heap copy of the image, so ASan reports any read
 * past len.
 *
 * The default image, like a static musl binary:
 *   PT_PHDR   vaddr 0x400040, 6 headers
 *   PT_LOAD R   off 0x0000 vaddr 0x400000 filesz 0x200 memsz 0x200
 *   PT_LOAD RX  off 0x1000 vaddr 0x401000 filesz 0x100 memsz 0x100  (entry)
 *   PT_LOAD RW  off 0x2000 vaddr 0x402000 filesz 0x10  memsz 0x3000
 *   PT_TLS      off 0x2000 vaddr 0x402000 filesz 8     memsz 0x20
 *   PT_GNU_STACK RW
 *
 * Covered: every -ENOEXEC and -EINVAL case of <lib/elf.h> and the exact
 * boundaries around them; PIE; computed AT_PHDR; sorting; real binaries
 * when present (the programs in build/user/, the host's /bin/sh); and two seeded random
 * tests of 50k images each (byte damage and field-level damage) that must
 * only ever return 0, -ENOEXEC or -EINVAL and, on 0, satisfy every promise
 * of the header.
 */
#include <stdlib.h>
#include <lib/elf.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "htest.h"

#define USER_TOP 0x800000000000ull /* 47-bit user half */
#define TIMG_MAXPH 20
#define TIMG_CAP 0x3000
#define TIMG_LEN 0x2010
#define PH_PHDR 0
#define PH_LR 1
#define PH_LX 2
#define PH_LW 3
#define PH_TLS 4
#define PH_STACK 5
#define TIMG_NPH 6
#define FUZZ_ROUNDS 50000

struct timg {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[TIMG_MAXPH];
	size_t len; /* file length */
};

static Elf64_Phdr tph(uint32_t type, uint32_t flags, uint64_t off, uint64_t va, uint64_t fs,
		      uint64_t ms, uint64_t align)
{
	return (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = va,
			     .p_paddr = va, .p_filesz = fs, .p_memsz = ms, .p_align = align };
}

static void timg_init(struct timg *t)
{
	memset(t, 0, sizeof(*t));
	t->eh.e_ident[EI_MAG0] = ELFMAG0;
	t->eh.e_ident[EI_MAG1] = ELFMAG1;
	t->eh.e_ident[EI_MAG2] = ELFMAG2;
	t->eh.e_ident[EI_MAG3] = ELFMAG3;
	t->eh.e_ident[EI_CLASS] = ELFCLASS64;
	t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	t->eh.e_ident[EI_VERSION] = EV_CURRENT;
	t->eh.e_type = ET_EXEC;
	t->eh.e_machine = EM_X86_64;
	t->eh.e_version = EV_CURRENT;
	t->eh.e_entry = 0x401000;
	t->eh.e_phoff = sizeof(Elf64_Ehdr);
	t->eh.e_ehsize = sizeof(Elf64_Ehdr);
	t->eh.e_phentsize = sizeof(Elf64_Phdr);
	t->eh.e_phnum = TIMG_NPH;
	t->ph[PH_PHDR] = tph(PT_PHDR, PF_R, 64, 0x400040, TIMG_NPH * 56, TIMG_NPH * 56, 8);
	t->ph[PH_LR] = tph(PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000);
	t->ph[PH_LX] = tph(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
	t->ph[PH_LW] = tph(PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x10, 0x3000, 0x1000);
	t->ph[PH_TLS] = tph(PT_TLS, PF_R, 0x2000, 0x402000, 8, 0x20, 8);
	t->ph[PH_STACK] = tph(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	t->len = TIMG_LEN;
}

/* Serializes t into out[TIMG_CAP]; headers that fall outside are dropped. */
static void timg_write(const struct timg *t, unsigned char *out)
{
	memset(out, 0, TIMG_CAP);
	for (size_t i = 0x1000; i < 0x1100; i++)
		out[i] = 0x90; /* "code" */
	memcpy(out, &t->eh, sizeof(t->eh));
	for (unsigned i = 0; i < TIMG_MAXPH; i++) {
		uint64_t at = t->eh.e_phoff + (uint64_t)i * sizeof(Elf64_Phdr);

		if (t->eh.e_phoff < TIMG_CAP && at + sizeof(Elf64_Phdr) <= TIMG_CAP)
			memcpy(out + at, &t->ph[i], sizeof(Elf64_Phdr));
	}
}

/* Parses an exact-size heap copy of bytes[0, len). */
static int parse_bytes(const void *bytes, size_t len, uint64_t top, struct elf_info *info)
{
	void *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, bytes, len);
	r = elf_parse(copy, len, top, info);
	free(copy);
	return r;
}

static int parse(const struct timg *t, struct elf_info *info)
{
	static unsigned char out[TIMG_CAP];

	timg_write(t, out);
	return parse_bytes(out, t->len, USER_TOP, info);
}

static int verdict(const struct timg *t)
{
	struct elf_info info;

	return parse(t, &info);
}

/* Checks every promise of <lib/elf.h> about a successful parse. */
static bool info_sane(const struct elf_info *in, size_t len, uint64_t top)
{
	bool entry_x = false;

	if (in->nseg < 1 || in->nseg > ELF_MAX_LOAD_SEGS)
		return false;
	if (in->min_vaddr % ELF_PAGE_SIZE || in->max_vaddr % ELF_PAGE_SIZE ||
	    in->min_vaddr >= in->max_vaddr)
		return false;
	if (in->pie ? in->max_vaddr - in->min_vaddr > top / 2
		    : in->min_vaddr < ELF_PAGE_SIZE || in->max_vaddr > top)
		return false;
	for (unsigned i = 0; i < in->nseg; i++) {
		const struct elf_seg *s = &in->seg[i];

		if (s->memsz == 0 || s->filesz > s->memsz || s->offset > len ||
		    s->filesz > len - s->offset)
			return false;
		if (s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE)
			return false;
		if (s->vaddr < in->min_vaddr || s->vaddr + s->memsz > in->max_vaddr ||
		    s->vaddr + s->memsz < s->vaddr)
			return false;
		if (i > 0 && s->vaddr < in->seg[i - 1].vaddr + in->seg[i - 1].memsz)
			return false;
		if ((s->prot & ELF_PROT_X) && in->entry >= s->vaddr &&
		    in->entry - s->vaddr < s->memsz)
			entry_x = true;
	}
	if (!entry_x)
		return false;
	if (in->has_tls && (in->tls_vaddr < in->min_vaddr || in->tls_filesz > in->tls_memsz ||
			    in->tls_vaddr + in->tls_filesz > in->max_vaddr ||
			    (in->tls_align & (in->tls_align - 1))))
		return false;
	if (in->phdr_vaddr && (in->phdr_vaddr < in->min_vaddr ||
			       in->phdr_vaddr + (uint64_t)in->phnum * 56 > in->max_vaddr))
		return false;
	return in->phentsize == sizeof(Elf64_Phdr);
}

static bool info_zero(const struct elf_info *in)
{
	static const struct elf_info zero;

	return memcmp(in, &zero, sizeof(zero)) == 0;
}

/* ---------------------------------------------------------------- valid images */

HTEST(elf_valid_exec)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK(info_sane(&in, t.len, USER_TOP));
	HCHECK(!in.pie && !in.exec_stack && !in.has_interp);
	HCHECK_EQ(in.entry, 0x401000);
	HCHECK_EQ(in.phdr_vaddr, 0x400040);
	HCHECK_EQ(in.phnum, TIMG_NPH);
	HCHECK_EQ(in.phentsize, 56);
	HCHECK_EQ(in.nseg, 3);
	HCHECK_EQ(in.seg[0].vaddr, 0x400000);
	HCHECK_EQ(in.seg[0].prot, ELF_PROT_R);
	HCHECK_EQ(in.seg[1].vaddr, 0x401000);
	HCHECK_EQ(in.seg[1].offset, 0x1000);
	HCHECK_EQ(in.seg[1].filesz, 0x100);
	HCHECK_EQ(in.seg[1].prot, ELF_PROT_R | ELF_PROT_X);
	HCHECK_EQ(in.seg[2].memsz, 0x3000);
	HCHECK_EQ(in.seg[2].prot, ELF_PROT_R | ELF_PROT_W);
	HCHECK_EQ(in.min_vaddr, 0x400000);
	HCHECK_EQ(in.max_vaddr, 0x405000);
	HCHECK(in.has_tls);
	HCHECK_EQ(in.tls_vaddr, 0x402000);
	HCHECK_EQ(in.tls_filesz, 8);
	HCHECK_EQ(in.tls_memsz, 0x20);
	HCHECK_EQ(in.tls_align, 8);
}

HTEST(elf_phdr_computed_or_absent)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.ph[PH_PHDR].p_type = PT_NULL;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.phdr_vaddr, 0x400040); /* from the PT_LOAD holding e_phoff */
	t.ph[PH_LR].p_filesz = 0x100;	    /* 64 + 6 * 56 = 400 > 0x100 */
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.phdr_vaddr, 0);
	timg_init(&t);
	t.ph[PH_PHDR].p_vaddr = 0x300000; /* PT_PHDR outside every PT_LOAD */
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.ph[PH_PHDR].p_vaddr = 0x400200 - 56; /* straddles the end of the R segment */
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.ph[TIMG_NPH] = t.ph[PH_PHDR];
	t.ph[TIMG_NPH].p_vaddr = 0x400040;
	t.ph[PH_PHDR].p_vaddr = 0x400040;
	t.eh.e_phnum = TIMG_NPH + 1;
	HCHECK_EQ(verdict(&t), -EINVAL); /* two PT_PHDR */
}

HTEST(elf_pie)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.eh.e_type = ET_DYN;
	t.eh.e_entry -= 0x400000;
	for (unsigned i = 0; i < TIMG_NPH; i++)
		if (t.ph[i].p_type != PT_GNU_STACK)
			t.ph[i].p_vaddr -= 0x400000;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK(in.pie);
	HCHECK(info_sane(&in, t.len, USER_TOP));
	HCHECK_EQ(in.min_vaddr, 0);
	HCHECK_EQ(in.max_vaddr, 0x5000);
	HCHECK_EQ(in.entry, 0x1000);
	HCHECK_EQ(in.phdr_vaddr, 0x40);
	/* A PIE's span must be at most user_top / 2. */
	t.ph[PH_LW].p_memsz = USER_TOP / 2 - 0x2000;
	HCHECK_EQ(verdict(&t), 0);
	t.ph[PH_LW].p_memsz++;
	HCHECK_EQ(verdict(&t), -EINVAL);
}

HTEST(elf_pie_high_addresses)
{
	struct timg t;
	struct elf_info in;
	uint64_t shift = 0xffff000000000000ull;

	timg_init(&t);
	t.eh.e_type = ET_DYN;
	t.eh.e_entry += shift;
	for (unsigned i = 0; i < TIMG_NPH; i++)
		if (t.ph[i].p_type != PT_GNU_STACK)
			t.ph[i].p_vaddr += shift;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.max_vaddr - in.min_vaddr, 0x5000);
	t.eh.e_type = ET_EXEC;
	HCHECK_EQ(verdict(&t), -EINVAL); /* the same addresses, fixed: above user_top */
}

HTEST(elf_flags)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.ph[PH_STACK].p_flags = PF_R | PF_W | PF_X;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK(in.exec_stack);
	t.ph[PH_STACK].p_type = PT_INTERP; /* "/lib/ld.so" somewhere in the file */
	t.ph[PH_STACK].p_offset = 0x1f00;
	t.ph[PH_STACK].p_filesz = 0x20;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK(in.has_interp && !in.exec_stack);
	t.ph[PH_STACK].p_offset = TIMG_LEN - 0x1f;
	HCHECK_EQ(verdict(&t), -EINVAL); /* interpreter name past the end */
	timg_init(&t);
	t.ph[PH_STACK].p_type = 0x12345678; /* unknown types are ignored */
	t.ph[PH_STACK].p_offset = ~0ull;
	HCHECK_EQ(verdict(&t), 0);
	t.ph[PH_TLS].p_type = PT_NULL;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK(!in.has_tls);
}

HTEST(elf_segments_sorted)
{
	struct timg t;
	struct elf_info in;
	Elf64_Phdr tmp;

	timg_init(&t);
	tmp = t.ph[PH_LR];
	t.ph[PH_LR] = t.ph[PH_LW];
	t.ph[PH_LW] = tmp;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.seg[0].vaddr, 0x400000);
	HCHECK_EQ(in.seg[1].vaddr, 0x401000);
	HCHECK_EQ(in.seg[2].vaddr, 0x402000);
	HCHECK(info_sane(&in, t.len, USER_TOP));
}

HTEST(elf_zero_size_load_ignored)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.ph[PH_STACK] = tph(PT_LOAD, PF_R, 0x1000, 0x401000, 0, 0, 0x1000);
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.nseg, 3);
}

HTEST(elf_pages_shared_not_bytes)
{
	struct timg t;
	struct elf_info in;

	/* RX ends at 0x401100; RW starts in the same page at 0x401100. */
	timg_init(&t);
	t.ph[PH_LW].p_offset = 0x1100;
	t.ph[PH_LW].p_vaddr = 0x401100;
	t.ph[PH_TLS].p_offset = 0x1100;
	t.ph[PH_TLS].p_vaddr = 0x401100;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.max_vaddr, 0x405000);
	t.ph[PH_LW].p_offset--;
	t.ph[PH_LW].p_vaddr--;
	HCHECK_EQ(verdict(&t), -EINVAL); /* one shared byte */
	timg_init(&t);
	t.ph[PH_LW].p_vaddr = 0x401000; /* fully inside the RX segment */
	t.ph[PH_LW].p_offset = 0x1000;
	HCHECK_EQ(verdict(&t), -EINVAL);
}

/* ---------------------------------------------------------------- -ENOEXEC */

HTEST(elf_not_elf)
{
	struct timg t;
	struct elf_info in;
	static const char script[] = "#!/bin/sh\necho hi\n";

	HCHECK_EQ(parse_bytes(script, sizeof(script), USER_TOP, &in), -ENOEXEC);
	HCHECK_EQ(elf_parse(NULL, 100, USER_TOP, &in), -ENOEXEC);
	timg_init(&t);
	for (size_t len = 0; len < sizeof(Elf64_Ehdr); len++) {
		t.len = len;
		HCHECK_EQ(verdict(&t), -ENOEXEC);
	}
	for (int i = EI_MAG0; i <= EI_MAG3; i++) {
		timg_init(&t);
		t.eh.e_ident[i] ^= 0x20;
		HCHECK_EQ(verdict(&t), -ENOEXEC);
	}
}

HTEST(elf_header_fields)
{
	struct timg t;
	struct elf_info in;

#define BAD(stmt)                                      \
	do {                                           \
		timg_init(&t);                         \
		stmt;                                  \
		HCHECK_EQ(verdict(&t), -ENOEXEC);      \
	} while (0)
	BAD(t.eh.e_ident[EI_CLASS] = 1);
	BAD(t.eh.e_ident[EI_CLASS] = 0);
	BAD(t.eh.e_ident[EI_DATA] = 2);
	BAD(t.eh.e_ident[EI_VERSION] = 0);
	BAD(t.eh.e_version = 2);
	BAD(t.eh.e_machine = 3);  /* EM_386 */
	BAD(t.eh.e_machine = 183); /* EM_AARCH64 */
	BAD(t.eh.e_type = 1);	  /* ET_REL */
	BAD(t.eh.e_type = 4);	  /* ET_CORE */
	BAD(t.eh.e_type = 0);
	BAD(t.eh.e_phentsize = 32);
	BAD(t.eh.e_phentsize = 57);
	BAD(t.eh.e_phnum = 0);
	BAD(t.eh.e_phnum = PN_XNUM);
	BAD(t.eh.e_phoff = t.len);
	BAD(t.eh.e_phoff = t.len - TIMG_NPH * 56 + 1);
	BAD(t.eh.e_phoff = ~0ull - 8);
	BAD(t.eh.e_phoff = 64; t.eh.e_phnum = 0xfffe);
#undef BAD
	timg_init(&t);
	t.eh.e_ident[EI_OSABI] = 3; /* GNU/Linux: fine */
	HCHECK_EQ(verdict(&t), 0);
	t.eh.e_phoff = t.len - TIMG_NPH * 56; /* headers flush with the end of the file */
	t.ph[PH_PHDR].p_type = PT_NULL;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.phdr_vaddr, 0); /* not inside any PT_LOAD's file bytes */
}

HTEST(elf_load_count)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.ph[PH_LR].p_type = PT_NULL;
	t.ph[PH_LX].p_type = PT_NULL;
	t.ph[PH_LW].p_type = PT_NULL;
	HCHECK_EQ(verdict(&t), -ENOEXEC); /* no PT_LOAD */
	t.ph[PH_LR].p_type = PT_LOAD;
	t.ph[PH_LR].p_memsz = t.ph[PH_LR].p_filesz = 0;
	HCHECK_EQ(verdict(&t), -ENOEXEC); /* only an empty one */

	/* ELF_MAX_LOAD_SEGS: 13 more one-page RW segments above 0x405000. */
	timg_init(&t);
	t.ph[PH_STACK].p_type = PT_NULL;
	for (unsigned i = 0; i < ELF_MAX_LOAD_SEGS - 3; i++)
		t.ph[TIMG_NPH + i] = tph(PT_LOAD, PF_R | PF_W, 0x2000, 0x405000 + i * 0x1000, 0x10,
					 0x1000, 0x1000);
	t.eh.e_phnum = TIMG_NPH + ELF_MAX_LOAD_SEGS - 3;
	t.ph[PH_PHDR].p_filesz = t.ph[PH_PHDR].p_memsz = t.eh.e_phnum * 56;
	t.ph[PH_LR].p_filesz = t.ph[PH_LR].p_memsz = 0x1000;
	HCHECK_EQ(parse(&t, &in), 0);
	HCHECK_EQ(in.nseg, ELF_MAX_LOAD_SEGS);
	HCHECK_EQ(in.max_vaddr, 0x405000 + (ELF_MAX_LOAD_SEGS - 3) * 0x1000);
	HCHECK(info_sane(&in, t.len, USER_TOP));
	t.ph[t.eh.e_phnum] = tph(PT_LOAD, PF_R, 0x2000, 0x500000, 0x10, 0x10, 0x1000);
	t.eh.e_phnum++;
	t.ph[PH_PHDR].p_filesz = t.ph[PH_PHDR].p_memsz = t.eh.e_phnum * 56;
	HCHECK_EQ(verdict(&t), -ENOEXEC); /* one too many */
}

/* ---------------------------------------------------------------- -EINVAL */

HTEST(elf_load_fields)
{
	struct timg t;

#define EXPECT(want, stmt)                          \
	do {                                        \
		timg_init(&t);                      \
		stmt;                               \
		HCHECK_EQ(verdict(&t), want);       \
	} while (0)
	EXPECT(-EINVAL, t.ph[PH_LX].p_filesz = 0x101);			/* filesz > memsz */
	EXPECT(-EINVAL, t.ph[PH_LW].p_filesz = 0x11);			/* one byte past the file */
	EXPECT(0, t.ph[PH_LW].p_filesz = 0x10; t.len = 0x2010);		/* exactly the file */
	EXPECT(-EINVAL, t.ph[PH_LW].p_offset = ~0ull - 0xfff);		/* offset + filesz wraps */
	EXPECT(-EINVAL, t.ph[PH_LW].p_memsz = ~0ull - 0x401fff);	/* vaddr + memsz wraps */
	EXPECT(-EINVAL, t.ph[PH_LW].p_memsz = USER_TOP - 0x402000 + 1);	/* past user_top */
	EXPECT(0, t.ph[PH_LW].p_memsz = USER_TOP - 0x402000);		/* ends at user_top */
	EXPECT(-EINVAL, t.ph[PH_LW].p_vaddr = USER_TOP - 0x1000; t.ph[PH_LW].p_memsz = 0x1001);
	EXPECT(-EINVAL, t.ph[PH_LR].p_vaddr = 0; t.ph[PH_PHDR].p_type = PT_NULL); /* page 0 */
	EXPECT(0, t.ph[PH_LR].p_vaddr = 0x1000; t.ph[PH_PHDR].p_type = PT_NULL);
	EXPECT(-EINVAL, t.ph[PH_LX].p_align = 3);
	EXPECT(-EINVAL, t.ph[PH_LX].p_align = 0x1800);
	EXPECT(0, t.ph[PH_LX].p_align = 0);
	EXPECT(0, t.ph[PH_LX].p_align = 1);
	EXPECT(0, t.ph[PH_LX].p_align = 0x200000);
	EXPECT(-EINVAL, t.ph[PH_LX].p_offset = 0x1010);			/* vaddr % 4096 != offset % 4096 */
	EXPECT(0, t.ph[PH_LX].p_offset = 0x0);				/* congruent, another page */
	EXPECT(0, t.ph[PH_LW].p_memsz = 0x10);				/* no bss */
#undef EXPECT
}

HTEST(elf_entry)
{
	struct timg t;

	timg_init(&t);
	t.eh.e_entry = 0x4010ff; /* last byte of RX */
	HCHECK_EQ(verdict(&t), 0);
	t.eh.e_entry = 0x401100; /* one past */
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.eh.e_entry = 0x402000; /* RW data */
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.eh.e_entry = 0x400100; /* R only */
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.eh.e_entry = 0;
	HCHECK_EQ(verdict(&t), -EINVAL);
	t.eh.e_entry = 0x401000;
	t.ph[PH_LX].p_flags = PF_R; /* no executable segment at all */
	HCHECK_EQ(verdict(&t), -EINVAL);
}

HTEST(elf_tls)
{
	struct timg t;
	struct elf_info in;

#define EXPECT(want, stmt)                          \
	do {                                        \
		timg_init(&t);                      \
		stmt;                               \
		HCHECK_EQ(parse(&t, &in), want);    \
	} while (0)
	EXPECT(-EINVAL, t.ph[PH_TLS].p_vaddr = 0x300000);		/* below the span */
	EXPECT(-EINVAL, t.ph[PH_TLS].p_vaddr = 0x405000 - 7);		/* image ends past it */
	EXPECT(0, t.ph[PH_TLS].p_vaddr = 0x405000 - 8);			/* image ends at its end */
	EXPECT(-EINVAL, t.ph[PH_TLS].p_vaddr = ~0ull - 4);		/* vaddr + filesz wraps */
	EXPECT(-EINVAL, t.ph[PH_TLS].p_filesz = 0x21);			/* filesz > memsz */
	EXPECT(-EINVAL, t.ph[PH_TLS].p_offset = 0x2009);		/* image past the file */
	EXPECT(-EINVAL, t.ph[PH_TLS].p_align = 12);
	EXPECT(-EINVAL, t.ph[PH_TLS].p_memsz = USER_TOP + 1);
	EXPECT(-EINVAL, t.ph[PH_STACK] = t.ph[PH_TLS]);			/* two PT_TLS */
	EXPECT(0, t.ph[PH_TLS].p_filesz = 0);				/* all .tbss */
#undef EXPECT
	HCHECK(in.has_tls && in.tls_filesz == 0 && in.tls_memsz == 0x20);
}

HTEST(elf_error_zeroes_info)
{
	struct timg t;
	struct elf_info in;

	timg_init(&t);
	t.eh.e_entry = 0x402000;
	memset(&in, 0xa5, sizeof(in));
	HCHECK_EQ(parse(&t, &in), -EINVAL);
	HCHECK(info_zero(&in));
	memset(&in, 0xa5, sizeof(in));
	t.eh.e_machine = 3;
	HCHECK_EQ(parse(&t, &in), -ENOEXEC);
	HCHECK(info_zero(&in));
}

/* ---------------------------------------------------------------- real files */

/* Reads a whole file into a malloc'd buffer; NULL if it is not there. */
static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static const char *build_dir(void)
{
	const char *b = getenv("KEEL_BUILD");

	return b && *b ? b : "build";
}

HTEST(elf_real_binaries)
{
	static const char *const progs[] = { "init", "hello", "forkexec", "usertests" };
	char path[256];
	struct elf_info in;
	size_t len;
	void *buf;

	/* Keel's own static musl programs, when they have been built. */
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		snprintf(path, sizeof(path), "%s/user/%s", build_dir(), progs[i]);
		buf = slurp(path, &len);
		if (!buf)
			continue;
		HCHECK_EQ(parse_bytes(buf, len, USER_TOP, &in), 0);
		HCHECK(info_sane(&in, len, USER_TOP));
		HCHECK(!in.has_interp && in.phdr_vaddr != 0);
		free(buf);
	}
	/* Debian's static busybox and the host's dynamic /bin/sh. */
	if ((buf = slurp("/bin/busybox", &len)) != NULL) {
		HCHECK_EQ(parse_bytes(buf, len, USER_TOP, &in), 0);
		HCHECK(info_sane(&in, len, USER_TOP));
		free(buf);
	}
	if ((buf = slurp("/bin/sh", &len)) != NULL) {
		int r = parse_bytes(buf, len, USER_TOP, &in);

		HCHECK(r == 0 || r == -ENOEXEC); /* a script on odd hosts */
		if (r == 0)
			HCHECK(in.has_interp && info_sane(&in, len, USER_TOP));
		free(buf);
	}
}

/* ---------------------------------------------------------------- random */

static uint64_t erand_state;

static uint64_t erand(void)
{
	erand_state ^= erand_state >> 12;
	erand_state ^= erand_state << 25;
	erand_state ^= erand_state >> 27;
	return erand_state * 0x2545F4914F6CDD1DULL;
}

/* Values near the boundaries the parser checks. */
static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0,	     1,		 7,	     8,		 0xfff,		 0x1000,
		0x1001,	     0x2010,	 0x400000,   0x401000,	 0x402000,	 0x405000,
		USER_TOP - 1, USER_TOP, USER_TOP / 2, ~0ull,	 ~0ull - 0xfff, 1ull << 63,
		56,	     64,	 0xffff,     0xfffe,
	};
	uint64_t x = v[erand() % (sizeof(v) / sizeof(v[0]))];

	return (erand() & 3) == 0 ? x + (erand() % 9) - 4 : x;
}

static void check_random(const void *bytes, size_t len, unsigned *ok)
{
	struct elf_info in;
	int r = parse_bytes(bytes, len, USER_TOP, &in);

	HCHECK(r == 0 || r == -ENOEXEC || r == -EINVAL);
	if (r == 0) {
		HCHECK(info_sane(&in, len, USER_TOP));
		(*ok)++;
	} else {
		HCHECK(info_zero(&in));
	}
}

HTEST(elf_random_bytes)
{
	static unsigned char out[TIMG_CAP];
	struct timg t;
	unsigned ok = 0;

	erand_state = 0x656c6621;
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len = TIMG_LEN;
		unsigned n = 1 + erand() % 8;

		timg_init(&t);
		timg_write(&t, out);
		for (unsigned k = 0; k < n; k++) {
			/* Mostly the headers, where the parser looks. */
			size_t at = erand() % (erand() & 1 ? 64 + 6 * 56 : TIMG_LEN);

			out[at] = (erand() & 1) ? (unsigned char)erand() : out[at] ^ (1u << (erand() % 8));
		}
		if (erand() % 8 == 0)
			len = erand() % TIMG_LEN;
		check_random(out, len, &ok);
	}
	fprintf(stderr, "  elf random bytes: %u of %d parsed\n", ok, FUZZ_ROUNDS);
	HCHECK(ok > FUZZ_ROUNDS / 50); /* the mutations do not only break things */
}

HTEST(elf_random_fields)
{
	static unsigned char out[TIMG_CAP];
	struct timg t;
	unsigned ok = 0;

	erand_state = 0x6669656c64;
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		unsigned n = 1 + erand() % 3;

		timg_init(&t);
		if (erand() & 1)
			t.eh.e_type = ET_DYN;
		for (unsigned k = 0; k < n; k++) {
			Elf64_Phdr *ph = &t.ph[erand() % TIMG_NPH];

			switch (erand() % 9) {
			case 0: ph->p_offset = interesting(); break;
			case 1: ph->p_vaddr = interesting(); break;
			case 2: ph->p_filesz = interesting(); break;
			case 3: ph->p_memsz = interesting(); break;
			case 4: ph->p_align = interesting(); break;
			case 5: ph->p_type = (uint32_t[]){ PT_LOAD, PT_TLS, PT_PHDR, PT_INTERP,
							   PT_NULL }[erand() % 5]; break;
			case 6: ph->p_flags = (uint32_t)erand() & 7; break;
			case 7: t.eh.e_entry = interesting(); break;
			default: t.eh.e_phnum = (uint16_t)(erand() % 9); break;
			}
		}
		timg_write(&t, out);
		check_random(out, t.len, &ok);
	}
	fprintf(stderr, "  elf random fields: %u of %d parsed\n", ok, FUZZ_ROUNDS);
	HCHECK(ok > FUZZ_ROUNDS / 50);
}
