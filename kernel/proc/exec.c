/*
 * exec.c - load an ELF executable into a fresh address space and build
 * the initial user stack of the System V x86-64 ABI:
 *
 *     sp -> argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL
 *           ... argument and environment strings, 16 random bytes, platform
 *
 * The file is read whole into kernel memory (Debian's static busybox and
 * bash are about 2 MiB), validated by elf_parse() before anything is
 * mapped, and copied into the new address space page by page.  Nothing
 * here touches the caller's address space: execve swaps address spaces
 * only after exec_load succeeded, so a failed exec leaves the caller
 * intact.
 */
#include <keel/exec.h>
#include <keel/proc.h>
#include <keel/vm.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/random.h>
#include <keel/time.h>
#include <lib/elf.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>
#include <arch/user.h>

#define EXEC_FILE_MAX     (4ul << 20)      /* largest executable we read */
#define EXEC_STRINGS_MAX  (128ul << 10)    /* argv + envp strings */
#define EXEC_ARGS_MAX     4096             /* argv + envp entries */
#define EXEC_STACK_INIT   (128ul << 10)    /* stack mapped at exec */
#define EXEC_PIE_BASE     0x0000555555554000ul
#define EXEC_RANDOM_BYTES 16
#define EXEC_PLATFORM     "x86_64"
#define EXEC_CLKTCK       100

/* Auxiliary vector keys (Linux values). */
#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31
#define AUXV_MAX    20

static unsigned exec_prot(unsigned elf_prot)
{
	return ((elf_prot & ELF_PROT_R) ? PROT_READ : 0) |
	       ((elf_prot & ELF_PROT_W) ? PROT_WRITE : 0) |
	       ((elf_prot & ELF_PROT_X) ? PROT_EXEC : 0);
}

/* Read the whole regular file at path; *buf is kmalloc'd. */
static int exec_read_file(const char *path, void **buf, size_t *len)
{
	struct linux_stat st;
	struct file *f;
	void *b = NULL;
	ssize_t n;
	int err;

	err = vfs_open_kernel(path, O_RDONLY, &f);
	if (err)
		return err;
	vfs_stat(f->vnode, &st);
	if (!S_ISREG(st.st_mode)) {
		err = -EACCES;          /* Linux: directories and devices too */
		goto out;
	}
	if (!(st.st_mode & 0111)) {
		err = -EACCES;
		goto out;
	}
	if (st.st_size > (int64_t)EXEC_FILE_MAX || st.st_size <= 0) {
		err = st.st_size ? -E2BIG : -ENOEXEC;
		goto out;
	}
	b = kmalloc(st.st_size, 0);
	if (!b) {
		err = -ENOMEM;
		goto out;
	}
	n = vfs_read_kernel(f, b, st.st_size, 0);
	if (n != (ssize_t)st.st_size) {
		err = n < 0 ? (int)n : -EIO;
		kfree(b);
		goto out;
	}
	*buf = b;
	*len = st.st_size;
out:
	file_put(f);
	return err;
}

/* Map and fill the PT_LOAD segments; sets the program break. */
static int exec_map_segments(struct mm *mm, const struct elf_info *ei, const uint8_t *file,
			     uintptr_t bias)
{
	uintptr_t prev_end = 0;
	unsigned prev_prot = 0;

	for (unsigned i = 0; i < ei->nseg; i++) {
		const struct elf_seg *s = &ei->seg[i];
		uintptr_t start = ALIGN_DOWN(s->vaddr + bias, PAGE_SIZE);
		uintptr_t end = ALIGN_UP(s->vaddr + bias + s->memsz, PAGE_SIZE);
		unsigned prot = exec_prot(s->prot);
		long r;

		if (start < prev_end) {
			/* Shares a page with the previous segment: give it both rights. */
			r = vm_protect(mm, start, PAGE_SIZE, prot | prev_prot);
			if (r)
				return (int)r;
			start = prev_end;
		}
		if (start < end) {
			r = vm_map(mm, start, end - start, prot, 0, true);
			if (r < 0)
				return (int)r;
		}
		if (s->filesz) {
			r = vm_write_remote(mm, s->vaddr + bias, file + s->offset, s->filesz, true);
			if (r)
				return (int)r;
		}
		prev_end = MAX(prev_end, end);
		prev_prot = prot;
	}
	mm->brk_start = mm->brk = prev_end;
	return 0;
}

struct stack_builder {
	uint8_t *buf;          /* kernel copy of [top - size, top) */
	size_t size;
	uintptr_t top;         /* user address of the end of buf */
	size_t used;           /* bytes used from the top */
};

/* Push n bytes; returns their user address, or 0 when the area is full. */
static uintptr_t stack_push(struct stack_builder *sb, const void *data, size_t n)
{
	if (n > sb->size - sb->used)
		return 0;
	sb->used += n;
	memcpy(sb->buf + sb->size - sb->used, data, n);
	return sb->top - sb->used;
}

static size_t count_strings(char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int exec_build_stack(struct mm *mm, const struct elf_info *ei, uintptr_t bias,
			    const char *path, char *const argv[], char *const envp[],
			    uintptr_t *sp_out)
{
	size_t argc = count_strings(argv), envc = count_strings(envp);
	struct stack_builder sb = { NULL, EXEC_STACK_INIT, mm->stack_top, 0 };
	uint64_t *ptrs = NULL, aux[2 * AUXV_MAX];
	uint8_t random[EXEC_RANDOM_BYTES];
	uintptr_t execfn, platform, rnd, sp;
	size_t na = 0, nwords;
	int err = -E2BIG;

	if (argc + envc > EXEC_ARGS_MAX)
		return -E2BIG;
	sb.buf = kmalloc(sb.size, KM_ZERO);
	ptrs = kmalloc((argc + envc + 2) * sizeof(uint64_t), 0);
	if (!sb.buf || !ptrs) {
		err = -ENOMEM;
		goto out;
	}
	execfn = stack_push(&sb, path, strlen(path) + 1);
	for (size_t i = envc; i-- > 0;)
		if (!(ptrs[argc + 1 + i] = stack_push(&sb, envp[i], strlen(envp[i]) + 1)))
			goto out;
	for (size_t i = argc; i-- > 0;)
		if (!(ptrs[i] = stack_push(&sb, argv[i], strlen(argv[i]) + 1)))
			goto out;
	ptrs[argc] = 0;
	ptrs[argc + 1 + envc] = 0;
	platform = stack_push(&sb, EXEC_PLATFORM, sizeof(EXEC_PLATFORM));
	random_get(random, sizeof(random));
	rnd = stack_push(&sb, random, sizeof(random));
	if (!execfn || !platform || !rnd || sb.used > EXEC_STRINGS_MAX)
		goto out;

#define AUX(k, v) do { aux[na++] = (k); aux[na++] = (v); } while (0)
	if (ei->phdr_vaddr) {
		AUX(AT_PHDR, ei->phdr_vaddr + bias);
		AUX(AT_PHENT, ei->phentsize);
		AUX(AT_PHNUM, ei->phnum);
	}
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, ei->entry + bias);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_PLATFORM, platform);
	AUX(AT_HWCAP, arch_hwcap());
	AUX(AT_CLKTCK, EXEC_CLKTCK);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, rnd);
	AUX(AT_HWCAP2, 0);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	/* argc, argv..NULL, envp..NULL, auxv: sp must end 16-byte aligned. */
	nwords = 1 + (argc + 1) + (envc + 1) + na;
	sp = ALIGN_DOWN(sb.top - sb.used - nwords * sizeof(uint64_t), 16);
	sb.used = sb.top - sp - nwords * sizeof(uint64_t);
	if (sb.used + nwords * sizeof(uint64_t) > sb.size)
		goto out;
	{
		uint64_t argc64 = argc;
		size_t at = sb.size - sb.used - nwords * sizeof(uint64_t);
		memcpy(sb.buf + at, &argc64, sizeof(argc64));
		at += sizeof(uint64_t);
		memcpy(sb.buf + at, ptrs, (argc + 1 + envc + 1) * sizeof(uint64_t));
		at += (argc + 1 + envc + 1) * sizeof(uint64_t);
		memcpy(sb.buf + at, aux, na * sizeof(uint64_t));
	}
	long mapped = vm_map(mm, mm->stack_top - sb.size, sb.size,
			     PROT_READ | PROT_WRITE | (ei->exec_stack ? PROT_EXEC : 0),
			     VMA_GROWSDOWN, true);
	if (mapped < 0) {
		err = (int)mapped;
		goto out;
	}
	{
		uintptr_t lo = ALIGN_DOWN(sp, PAGE_SIZE);
		err = vm_write_remote(mm, lo, sb.buf + (lo - (sb.top - sb.size)), sb.top - lo,
				      true);
	}
	if (!err)
		*sp_out = sp;
out:
	kfree(ptrs);
	kfree(sb.buf);
	return err;
}

int exec_load(struct mm *mm, const char *path, char *const argv[], char *const envp[],
	      struct exec_image *img)
{
	struct elf_info ei;
	uintptr_t bias = 0;
	void *file = NULL;
	size_t len = 0;
	int err;

	err = exec_read_file(path, &file, &len);
	if (err)
		return err;
	err = elf_parse(file, len, USER_TOP, &ei);
	if (err)
		goto out;
	if (ei.has_interp) {
		klog_once(LOG_WARN, "exec: %s is dynamically linked; Keel runs static programs", path);
		err = -ENOEXEC;
		goto out;
	}
	if (ei.pie)
		bias = EXEC_PIE_BASE - ei.min_vaddr;
	err = exec_map_segments(mm, &ei, file, bias);
	if (err)
		goto out;
	err = exec_build_stack(mm, &ei, bias, path, argv, envp, &img->sp);
	if (err)
		goto out;
	img->entry = ei.entry + bias;
	const char *base = strrchr(path, '/');
	strlcpy(img->name, base ? base + 1 : path, sizeof(img->name));
out:
	kfree(file);
	return err;
}
