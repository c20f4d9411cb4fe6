/*
 * lib/elf.c - ELF64 executable validation (see <lib/elf.h>).
 *
 * The image is untrusted: every header is copied out of the buffer with
 * memcpy (the buffer may be unaligned, and the checks then work on a
 * private copy), every offset and size is checked against len before use,
 * and every sum is checked for overflow before it is formed.  Checks run in
 * three passes:
 *
 *   1. the file header (-ENOEXEC for anything that is not ours);
 *   2. each program header on its own (elf_check_load, elf_note_tls, ...);
 *   3. the PT_LOADs against each other (sorted, no shared bytes, span),
 *      then the entry, TLS and program-header address against the PT_LOADs.
 *
 * Pure functions on caller-provided memory: no state, no locks.
 */
#include <lib/elf.h>
#include <lib/errno.h>
#include <lib/string.h>

#define ELF_PAGE_MASK (ELF_PAGE_SIZE - 1)

static bool elf_is_pow2_or_zero(uint64_t x)
{
	return (x & (x - 1)) == 0;
}

/* True when [off, off + size) lies inside [0, len), without overflow. */
static bool elf_in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

/* True when [a, a + asz) lies inside [b, b + bsz); bsz > 0, b + bsz no overflow. */
static bool elf_range_inside(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a >= b && a - b <= bsz && asz <= bsz - (a - b);
}

static int elf_check_ehdr(const Elf64_Ehdr *eh, size_t len)
{
	const unsigned char *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 || id[EI_MAG2] != ELFMAG2 ||
	    id[EI_MAG3] != ELFMAG3)
		return -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return -ENOEXEC;
	if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return -ENOEXEC;
	return 0;
}

static unsigned elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? ELF_PROT_R : 0) | ((flags & PF_W) ? ELF_PROT_W : 0) |
	       ((flags & PF_X) ? ELF_PROT_X : 0);
}

/* One PT_LOAD on its own; appends it to info->seg unless memsz is 0. */
static int elf_check_load(const Elf64_Phdr *ph, size_t len, struct elf_info *info)
{
	if (ph->p_filesz > ph->p_memsz)
		return -EINVAL;
	if (!elf_in_file(ph->p_offset, ph->p_filesz, len))
		return -EINVAL;
	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return -EINVAL;
	if (!elf_is_pow2_or_zero(ph->p_align))
		return -EINVAL;
	if ((ph->p_vaddr & ELF_PAGE_MASK) != (ph->p_offset & ELF_PAGE_MASK))
		return -EINVAL;
	if (ph->p_memsz == 0)
		return 0;	/* maps nothing; legal but useless */
	if (info->nseg == ELF_MAX_LOAD_SEGS)
		return -ENOEXEC;
	info->seg[info->nseg++] = (struct elf_seg){
		.vaddr = ph->p_vaddr,
		.memsz = ph->p_memsz,
		.offset = ph->p_offset,
		.filesz = ph->p_filesz,
		.prot = elf_prot(ph->p_flags),
	};
	return 0;
}

static int elf_note_tls(const Elf64_Phdr *ph, size_t len, uint64_t user_top,
			struct elf_info *info)
{
	if (info->has_tls)
		return -EINVAL;
	if (ph->p_filesz > ph->p_memsz || ph->p_memsz > user_top)
		return -EINVAL;
	if (!elf_in_file(ph->p_offset, ph->p_filesz, len))
		return -EINVAL;
	if (!elf_is_pow2_or_zero(ph->p_align) || ph->p_filesz > UINT64_MAX - ph->p_vaddr)
		return -EINVAL;
	info->has_tls = true;
	info->tls_vaddr = ph->p_vaddr;
	info->tls_filesz = ph->p_filesz;
	info->tls_memsz = ph->p_memsz;
	info->tls_align = ph->p_align;
	return 0;
}

/* Pass 2: every program header on its own.  *pt_phdr gets PT_PHDR's address. */
static int elf_scan_phdrs(const unsigned char *p, size_t len, const Elf64_Ehdr *eh,
			  uint64_t user_top, struct elf_info *info, bool *has_pt_phdr,
			  uint64_t *pt_phdr)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		int err = 0;

		memcpy(&ph, p + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			err = elf_check_load(&ph, len, info);
			break;
		case PT_TLS:
			err = elf_note_tls(&ph, len, user_top, info);
			break;
		case PT_GNU_STACK:
			info->exec_stack = (ph.p_flags & PF_X) != 0;
			break;
		case PT_INTERP:
			if (!elf_in_file(ph.p_offset, ph.p_filesz, len))
				err = -EINVAL;
			info->has_interp = true;
			break;
		case PT_PHDR:
			if (*has_pt_phdr)
				err = -EINVAL;
			*has_pt_phdr = true;
			*pt_phdr = ph.p_vaddr;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}
	return info->nseg ? 0 : -ENOEXEC;
}

/* Stable insertion sort of info->seg by vaddr (at most 16 entries). */
static void elf_sort_segs(struct elf_info *info)
{
	for (unsigned i = 1; i < info->nseg; i++) {
		struct elf_seg s = info->seg[i];
		unsigned j = i;

		for (; j > 0 && info->seg[j - 1].vaddr > s.vaddr; j--)
			info->seg[j] = info->seg[j - 1];
		info->seg[j] = s;
	}
}

/* Pass 3a: the PT_LOADs against each other and the user address range. */
static int elf_check_span(struct elf_info *info, uint64_t user_top)
{
	uint64_t end = 0;

	elf_sort_segs(info);
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_seg *s = &info->seg[i];

		if (i > 0 && s->vaddr < end)
			return -EINVAL;	/* shares a byte with the previous one */
		end = s->vaddr + s->memsz;	/* no overflow: elf_check_load */
	}
	if (end > UINT64_MAX - ELF_PAGE_MASK)
		return -EINVAL;
	info->min_vaddr = info->seg[0].vaddr & ~ELF_PAGE_MASK;
	info->max_vaddr = (end + ELF_PAGE_MASK) & ~ELF_PAGE_MASK;
	if (info->pie)
		return info->max_vaddr - info->min_vaddr <= user_top / 2 ? 0 : -EINVAL;
	if (info->min_vaddr < ELF_PAGE_SIZE || info->max_vaddr > user_top)
		return -EINVAL;
	return 0;
}

static bool elf_entry_ok(const struct elf_info *info)
{
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_seg *s = &info->seg[i];

		if ((s->prot & ELF_PROT_X) && elf_range_inside(info->entry, 1, s->vaddr, s->memsz))
			return true;
	}
	return false;
}

/* Returns the segment holding [vaddr, vaddr + size) entirely, or NULL. */
static const struct elf_seg *elf_seg_holding(const struct elf_info *info, uint64_t vaddr,
					     uint64_t size)
{
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_seg *s = &info->seg[i];

		if (elf_range_inside(vaddr, size, s->vaddr, s->memsz))
			return s;
	}
	return NULL;
}

/* The PT_LOAD whose file bytes contain the program headers, or NULL. */
static const struct elf_seg *elf_seg_with_phoff(const struct elf_info *info, uint64_t phoff,
						uint64_t size)
{
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_seg *s = &info->seg[i];

		if (s->filesz && elf_range_inside(phoff, size, s->offset, s->filesz))
			return s;
	}
	return NULL;
}

/* Pass 3b: entry, TLS and program-header address against the PT_LOADs. */
static int elf_check_refs(struct elf_info *info, const Elf64_Ehdr *eh, bool has_pt_phdr,
			  uint64_t pt_phdr)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	const struct elf_seg *s;

	if (!elf_entry_ok(info))
		return -EINVAL;
	if (info->has_tls &&
	    (info->tls_vaddr < info->min_vaddr ||
	     info->tls_vaddr + info->tls_filesz > info->max_vaddr))
		return -EINVAL;
	if (has_pt_phdr) {
		if (!elf_seg_holding(info, pt_phdr, phsize))
			return -EINVAL;
		info->phdr_vaddr = pt_phdr;
	} else if ((s = elf_seg_with_phoff(info, eh->e_phoff, phsize)) != NULL) {
		info->phdr_vaddr = s->vaddr + (eh->e_phoff - s->offset);
	}
	return 0;
}

int elf_parse(const void *buf, size_t len, uint64_t user_top, struct elf_info *info)
{
	bool has_pt_phdr = false;
	uint64_t pt_phdr = 0;
	Elf64_Ehdr eh;
	int err;

	memset(info, 0, sizeof(*info));
	if (!buf || len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof(eh));
	err = elf_check_ehdr(&eh, len);
	if (err)
		return err;
	info->pie = eh.e_type == ET_DYN;
	info->entry = eh.e_entry;
	info->phnum = eh.e_phnum;
	info->phentsize = eh.e_phentsize;

	err = elf_scan_phdrs(buf, len, &eh, user_top, info, &has_pt_phdr, &pt_phdr);
	if (!err)
		err = elf_check_span(info, user_top);
	if (!err)
		err = elf_check_refs(info, &eh, has_pt_phdr, pt_phdr);
	if (err)
		memset(info, 0, sizeof(*info));
	return err;
}
