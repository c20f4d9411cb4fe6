/*
 * fuzz_elf.c - libFuzzer target for lib/elf.c (`make fuzz`).
 *
 * Every input is parsed as an ELF image with a 47-bit user_top (ASan and
 * UBSan watch the parser); the result must be 0, -ENOEXEC or -EINVAL, and
 * a 0 must come with an elf_info that keeps every promise of <lib/elf.h>.
 * A broken promise aborts, which libFuzzer reports as a crash with the
 * input saved.
 */
#include <stdlib.h>
#include <lib/elf.h>
#include <lib/errno.h>
#include <lib/string.h>

#define USER_TOP 0x800000000000ull

#define FUZZ_ASSERT(c)          \
	do {                    \
		if (!(c))       \
			abort(); \
	} while (0)

static void check_info(const struct elf_info *in, size_t len)
{
	bool entry_x = false;

	FUZZ_ASSERT(in->nseg >= 1 && in->nseg <= ELF_MAX_LOAD_SEGS);
	FUZZ_ASSERT(in->min_vaddr % ELF_PAGE_SIZE == 0 && in->max_vaddr % ELF_PAGE_SIZE == 0);
	FUZZ_ASSERT(in->min_vaddr < in->max_vaddr);
	if (in->pie)
		FUZZ_ASSERT(in->max_vaddr - in->min_vaddr <= USER_TOP / 2);
	else
		FUZZ_ASSERT(in->min_vaddr >= ELF_PAGE_SIZE && in->max_vaddr <= USER_TOP);
	for (unsigned i = 0; i < in->nseg; i++) {
		const struct elf_seg *s = &in->seg[i];

		FUZZ_ASSERT(s->memsz > 0 && s->filesz <= s->memsz);
		FUZZ_ASSERT(s->offset <= len && s->filesz <= len - s->offset);
		FUZZ_ASSERT(s->vaddr % ELF_PAGE_SIZE == s->offset % ELF_PAGE_SIZE);
		FUZZ_ASSERT(s->vaddr >= in->min_vaddr && s->vaddr + s->memsz > s->vaddr);
		FUZZ_ASSERT(s->vaddr + s->memsz <= in->max_vaddr);
		if (i > 0)
			FUZZ_ASSERT(s->vaddr >= in->seg[i - 1].vaddr + in->seg[i - 1].memsz);
		if ((s->prot & ELF_PROT_X) && in->entry >= s->vaddr && in->entry - s->vaddr < s->memsz)
			entry_x = true;
	}
	FUZZ_ASSERT(entry_x);
	if (in->has_tls) {
		FUZZ_ASSERT(in->tls_filesz <= in->tls_memsz && in->tls_memsz <= USER_TOP);
		FUZZ_ASSERT(in->tls_vaddr >= in->min_vaddr);
		FUZZ_ASSERT(in->tls_vaddr + in->tls_filesz <= in->max_vaddr);
		FUZZ_ASSERT((in->tls_align & (in->tls_align - 1)) == 0);
	}
	if (in->phdr_vaddr)
		FUZZ_ASSERT(in->phdr_vaddr >= in->min_vaddr &&
			    in->phdr_vaddr + (uint64_t)in->phnum * in->phentsize <= in->max_vaddr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info info;
	int r = elf_parse(data, size, USER_TOP, &info);

	FUZZ_ASSERT(r == 0 || r == -ENOEXEC || r == -EINVAL);
	if (r == 0)
		check_info(&info, size);
	return 0;
}
