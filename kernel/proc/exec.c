/*
 * exec.c - load an ELF executable into a fresh address space and build
 * the initial user stack of the System V x86-64 ABI:
 *
 *     sp -> argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL
 *           ... argument and environment strings, 16 random bytes, platform
 *
 * The file is read whole into kernel memory (Debian's static busybox and
 * bash are about 2 MiB) and validated by elf_parse() before anything is
 * mapped; a page of the new address space is filled from it when first
 * touched (vm_image_fill), so a program pays for the pages it uses.  Nothing
 * here touches the caller's address space: execve swaps address spaces
 * only after exec_load succeeded, so a failed exec leaves the caller
 * intact.
 */
#include <keel/exec.h>
#include <keel/resource.h>
#include <keel/proc.h>
#include <keel/cred.h>
#include <keel/vm.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/panic.h>
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
#define EXEC_SP_ALIGN     16               /* the ABI's sp alignment at entry */

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

/*
 * Executables' bytes, shared by every address space running the same
 * version of a file (same st_dev, st_ino, size, mtime and ctime): exec
 * reads a file once while something runs it, and a page of an image that
 * is missing (an exo_fork child's, one MADV_DONTNEED dropped) is refilled
 * by a copy from here.  The refill happens in the page-fault handler,
 * which may run inside a user copy made under a file's lock (read(2) into
 * that page), so it must not read the file itself.
 *
 * Lock key: [exec_files_lock] the list and each entry's refs; the rest
 * [I] once listed.
 */
struct exec_file {
	struct list node;          /* [exec_files_lock] exec_files */
	unsigned refs;             /* [exec_files_lock] address spaces, and exec itself */
	struct linux_stat st;      /* [I] the version of the file */
	size_t len;                /* [I] */
	uint8_t *data;             /* [I] the file's bytes */
};

static struct spinlock exec_files_lock = SPINLOCK_INIT("exec_files");
static struct list exec_files = LIST_INIT(exec_files);   /* [exec_files_lock] */

static bool exec_same_version(const struct linux_stat *a, const struct linux_stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtime == b->st_mtime && a->st_mtime_nsec == b->st_mtime_nsec &&
	       a->st_ctime == b->st_ctime && a->st_ctime_nsec == b->st_ctime_nsec;
}

/* The listed image of this version of a file, referenced, or NULL. */
static struct exec_file *exec_file_find(const struct linux_stat *st)
{
	struct exec_file *img = NULL;
	struct list *pos;

	spin_lock(&exec_files_lock);
	list_for_each(pos, &exec_files) {
		struct exec_file *i = list_entry(pos, struct exec_file, node);
		if (exec_same_version(&i->st, st)) {
			i->refs++;
			img = i;
			break;
		}
	}
	spin_unlock(&exec_files_lock);
	return img;
}

/* List a freshly read image (refs 1), unless another exec listed the same
 * version meanwhile: then that one, referenced, and img is freed. */
static struct exec_file *exec_file_publish(struct exec_file *img)
{
	struct exec_file *other;

	spin_lock(&exec_files_lock);
	other = NULL;
	for (struct list *pos = exec_files.next; pos != &exec_files; pos = pos->next) {
		struct exec_file *i = list_entry(pos, struct exec_file, node);
		if (exec_same_version(&i->st, &img->st)) {
			i->refs++;
			other = i;
			break;
		}
	}
	if (!other) {
		img->refs = 1;
		list_add_tail(&exec_files, &img->node);
	}
	spin_unlock(&exec_files_lock);
	if (other) {
		kfree(img->data);
		kfree(img);
		return other;
	}
	return img;
}

static void exec_file_get(void *ctx)
{
	struct exec_file *img = ctx;

	spin_lock(&exec_files_lock);
	img->refs++;
	spin_unlock(&exec_files_lock);
}

static void exec_file_put(void *ctx)
{
	struct exec_file *img = ctx;
	bool last;

	spin_lock(&exec_files_lock);
	assert(img->refs > 0);
	last = --img->refs == 0;
	if (last)
		list_remove(&img->node);
	spin_unlock(&exec_files_lock);
	if (last) {
		kfree(img->data);
		kfree(img);
	}
}

/* The image source of keel/vm.h: a copy from memory, never sleeps. */
static long exec_file_read(void *ctx, void *buf, size_t n, uint64_t off)
{
	const struct exec_file *img = ctx;

	if (off >= img->len)
		return 0;
	n = MIN(n, (size_t)(img->len - off));
	memcpy(buf, img->data + off, n);
	return (long)n;
}

static const struct vm_image_ops exec_file_ops = {
	.read = exec_file_read,
	.get = exec_file_get,
	.put = exec_file_put,
};

/*
 * The image of the regular executable file at path (referenced: the
 * caller puts it), read unless a running program already has this version.
 */
static int exec_read_file(const char *path, struct exec_file **out, struct mm *mm,
			  bool *nosuid)
{
	struct linux_stat st;
	struct exec_file *img;
	struct vnode *v;
	struct file *f;
	ssize_t n;
	int err;

	/* The file is checked before it is opened: a device's open must not
	 * run (a terminal would become the controlling one). */
	err = vfs_lookup(NULL, path, WALK_FOLLOW, &v);
	if (err)
		return err;
	if (!S_ISREG(v->mode))
		err = -EACCES;          /* Linux: directories and devices too */
	else if (vfs_permission(v, MAY_EXEC) || (vfs_mount_flags_of(v) & MS_NOEXEC))
		err = -EACCES;          /* not executable by us, or on a noexec mount */
	*nosuid = vfs_mount_flags_of(v) & MS_NOSUID;
	if (!err)
		err = vfs_open_vnode(v, O_RDONLY, &f);
	vnode_put(v);
	if (err)
		return err;
	vfs_stat(f->vnode, &st);
	if (st.st_size > (int64_t)EXEC_FILE_MAX || st.st_size <= 0) {
		err = st.st_size ? -E2BIG : -ENOEXEC;
		goto out;
	}
	img = exec_file_find(&st);
	if (!img) {
		img = kzalloc(sizeof(*img));
		if (!img) {
			err = -ENOMEM;
			goto out;
		}
		img->st = st;
		img->len = (size_t)st.st_size;
		img->data = kmalloc(img->len, 0);
		if (!img->data) {
			kfree(img);
			err = -ENOMEM;
			goto out;
		}
		n = vfs_read_kernel(f, img->data, img->len, 0);
		if (n != (ssize_t)img->len) {
			err = n < 0 ? (int)n : -EIO;
			kfree(img->data);
			kfree(img);
			goto out;
		}
		img = exec_file_publish(img);
	}
	*out = img;
	vm_set_image_source(mm, &exec_file_ops, img);
	mm->exe_dev = (uint32_t)st.st_dev;
	mm->exe_ino = st.st_ino;
out:
	file_put(f);
	return err;
}

/* Widen the code (executable) or data (writable) range of mm by segment s. */
static void exec_note_segment(struct mm *mm, const struct elf_seg *s, uintptr_t bias)
{
	uintptr_t lo = s->vaddr + bias, hi = lo + s->filesz;

	if (s->filesz && mm->nimage < VM_IMAGE_SEGS) {
		struct vm_image_seg *is = &mm->image[mm->nimage++];

		is->start = ALIGN_DOWN(lo, PAGE_SIZE);
		is->end = ALIGN_UP(hi, PAGE_SIZE);
		is->off = ALIGN_DOWN(s->offset, PAGE_SIZE);
		is->file_start = lo;
		is->file_end = hi;
		is->file_off = s->offset;
	}

	if (s->prot & ELF_PROT_X) {
		if (!mm->start_code || lo < mm->start_code)
			mm->start_code = lo;
		mm->end_code = MAX(mm->end_code, hi);
	} else if (s->prot & ELF_PROT_W) {
		if (!mm->start_data || lo < mm->start_data)
			mm->start_data = lo;
		mm->end_data = MAX(mm->end_data, hi);
	}
}

/* Map and fill the PT_LOAD segments; sets the program break. */
static int exec_map_segments(struct mm *mm, const struct elf_info *ei, const uint8_t *file,
			     uintptr_t bias)
{
	uintptr_t prev_end = 0;
	unsigned prev_prot = 0;
	unsigned with_bytes = 0;

	/*
	 * Image pages are filled on first touch from the image (the page-fault
	 * handler's vm_image_fill), as Linux maps the page cache: a program
	 * pays only for the pages it uses.  That needs every segment with file
	 * bytes in mm->image; an executable with more is copied in whole now
	 * (all of it: a copied page two segments share would never be filled
	 * with the other's bytes).
	 */
	for (unsigned i = 0; i < ei->nseg; i++)
		with_bytes += ei->seg[i].filesz != 0;
	bool lazy = with_bytes <= VM_IMAGE_SEGS - mm->nimage;

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
			r = vm_map(mm, start, end - start, prot, VMA_IMAGE, true);
			if (r < 0)
				return (int)r;
		}
		if (s->filesz && !lazy) {
			r = vm_write_remote(mm, s->vaddr + bias, file + s->offset, s->filesz, true);
			if (r)
				return (int)r;
		}
		prev_end = MAX(prev_end, end);
		prev_prot = prot;
		exec_note_segment(mm, s, bias);
	}
	mm->brk_start = mm->brk = prev_end;
	return 0;
}

/*
 * The initial stack is built in a kernel buffer that mirrors the top
 * EXEC_STACK_INIT bytes of the new stack, filled downwards from the top,
 * and copied into the new address space in one go by exec_map_stack().
 */
struct exec_stack {
	uint8_t *buf;          /* kernel copy of [top - size, top) */
	size_t size;
	uintptr_t top;         /* user address of the end of buf */
	size_t used;           /* bytes used from the top */
};

/* User addresses of the strings exec_push_strings() put on the stack. */
struct exec_strings {
	uintptr_t execfn;      /* the path given to execve, for AT_EXECFN */
	uintptr_t platform;    /* EXEC_PLATFORM, for AT_PLATFORM */
	uintptr_t random;      /* EXEC_RANDOM_BYTES bytes, for AT_RANDOM */
	uintptr_t arg_start, arg_end, env_start, env_end;   /* for /proc */
};

/* The auxiliary vector as (key, value) words, ending with AT_NULL. */
struct exec_auxv {
	uint64_t word[2 * AUXV_MAX];
	size_t n;              /* words used */
};

/* Push n bytes; returns their user address, or 0 when the area is full. */
static uintptr_t exec_stack_push(struct exec_stack *st, const void *data, size_t n)
{
	if (n > st->size - st->used)
		return 0;
	st->used += n;
	memcpy(st->buf + st->size - st->used, data, n);
	return st->top - st->used;
}

static uintptr_t exec_stack_push_string(struct exec_stack *st, const char *s)
{
	return exec_stack_push(st, s, strlen(s) + 1);
}

static size_t exec_count_strings(char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/*
 * Push the n strings of v, last first, and store their user addresses in
 * ptrs[0..n-1] and NULL in ptrs[n].  Returns 0, or -E2BIG when full.
 */
static int exec_push_vector(struct exec_stack *st, char *const v[], size_t n, uint64_t *ptrs)
{
	ptrs[n] = 0;
	for (size_t i = n; i-- > 0;) {
		ptrs[i] = exec_stack_push_string(st, v[i]);
		if (!ptrs[i])
			return -E2BIG;
	}
	return 0;
}

/*
 * Push the strings the new program finds above its pointer arrays: from
 * the top, the path, the environment, the arguments, the platform name and
 * the random bytes.  ptrs gets argv's addresses, NULL, envp's, NULL.
 * Returns 0, or -E2BIG when they exceed EXEC_STRINGS_MAX or the area.
 */
static int exec_push_strings(struct exec_stack *st, const char *path, char *const argv[],
			     size_t argc, char *const envp[], size_t envc, uint64_t *ptrs,
			     struct exec_strings *str)
{
	uint8_t random[EXEC_RANDOM_BYTES];

	str->execfn = exec_stack_push_string(st, path);
	str->env_end = st->top - st->used;
	if (exec_push_vector(st, envp, envc, ptrs + argc + 1))
		return -E2BIG;
	str->env_start = str->arg_end = st->top - st->used;
	if (exec_push_vector(st, argv, argc, ptrs))
		return -E2BIG;
	str->arg_start = st->top - st->used;
	str->platform = exec_stack_push(st, EXEC_PLATFORM, sizeof(EXEC_PLATFORM));
	random_get(random, sizeof(random));
	str->random = exec_stack_push(st, random, sizeof(random));
	if (!str->execfn || !str->platform || !str->random || st->used > EXEC_STRINGS_MAX)
		return -E2BIG;
	return 0;
}

static void exec_auxv_put(struct exec_auxv *av, uint64_t key, uint64_t val)
{
	assert(av->n + 2 <= ARRAY_SIZE(av->word));
	av->word[av->n++] = key;
	av->word[av->n++] = val;
}

/* The auxiliary vector of a static program loaded at bias. */
static void exec_fill_auxv(struct exec_auxv *av, const struct elf_info *ei, uintptr_t bias,
			   const struct exec_strings *str, const struct exec_image *img)
{
	struct proc *p = proc_current(); /* NULL while the first process is built */
	struct cred cr;

	memset(&cr, 0, sizeof(cr)); /* ... which is root */
	if (p)
		cred_get(p, &cr);
	if (img->set_uid != CRED_ID_NONE)       /* the ids the program will run with */
		cr.u.eff = img->set_uid;
	if (img->set_gid != CRED_ID_NONE)
		cr.g.eff = img->set_gid;
	av->n = 0;
	if (ei->phdr_vaddr) {
		exec_auxv_put(av, AT_PHDR, ei->phdr_vaddr + bias);
		exec_auxv_put(av, AT_PHENT, ei->phentsize);
		exec_auxv_put(av, AT_PHNUM, ei->phnum);
	}
	exec_auxv_put(av, AT_PAGESZ, PAGE_SIZE);
	exec_auxv_put(av, AT_BASE, 0);
	exec_auxv_put(av, AT_FLAGS, 0);
	exec_auxv_put(av, AT_ENTRY, ei->entry + bias);
	exec_auxv_put(av, AT_UID, cr.u.real);
	exec_auxv_put(av, AT_EUID, cr.u.eff);
	exec_auxv_put(av, AT_GID, cr.g.real);
	exec_auxv_put(av, AT_EGID, cr.g.eff);
	exec_auxv_put(av, AT_PLATFORM, str->platform);
	exec_auxv_put(av, AT_HWCAP, arch_hwcap());
	exec_auxv_put(av, AT_CLKTCK, EXEC_CLKTCK);
	exec_auxv_put(av, AT_SECURE, cred_exec_secure(&cr));
	exec_auxv_put(av, AT_RANDOM, str->random);
	exec_auxv_put(av, AT_HWCAP2, 0);
	exec_auxv_put(av, AT_EXECFN, str->execfn);
	exec_auxv_put(av, AT_NULL, 0);
}

/*
 * Below the strings, lay out argc, the nptrs words of ptrs (argv, NULL,
 * envp, NULL) and the auxiliary vector, so that *sp, the address of argc,
 * is EXEC_SP_ALIGN-aligned.  Returns 0, or -E2BIG when the area is full.
 */
static int exec_push_vectors(struct exec_stack *st, size_t argc, const uint64_t *ptrs,
			     size_t nptrs, const struct exec_auxv *av, uintptr_t *sp)
{
	size_t nwords = 1 + nptrs + av->n;
	size_t bytes = nwords * sizeof(uint64_t);
	uint64_t argc64 = argc;
	uint8_t *at;

	size_t strings = st->used;

	*sp = ALIGN_DOWN(st->top - st->used - bytes, EXEC_SP_ALIGN);
	st->used = st->top - *sp - bytes;      /* the padding below the strings */
	if (st->used + bytes > st->size)
		return -E2BIG;
	/* The buffer is not zeroed beforehand (it is mostly unused). */
	memset(st->buf + st->size - st->used, 0, st->used - strings);
	at = st->buf + st->size - st->used - bytes;
	memcpy(at, &argc64, sizeof(argc64));
	at += sizeof(uint64_t);
	memcpy(at, ptrs, nptrs * sizeof(uint64_t));
	at += nptrs * sizeof(uint64_t);
	memcpy(at, av->word, av->n * sizeof(uint64_t));
	return 0;
}

/* Map the stack area into mm and copy the built part, from sp's page up. */
static int exec_map_stack(struct mm *mm, const struct elf_info *ei, const struct exec_stack *st,
			  uintptr_t sp)
{
	unsigned prot = PROT_READ | PROT_WRITE | (ei->exec_stack ? PROT_EXEC : 0);
	uintptr_t base = st->top - st->size;
	uintptr_t lo = ALIGN_DOWN(sp, PAGE_SIZE);
	long mapped;

	mapped = vm_map(mm, base, st->size, prot, VMA_GROWSDOWN, true);
	if (mapped < 0)
		return (int)mapped;
	memset(st->buf + (lo - base), 0, sp - lo);   /* below sp in its page */
	return vm_write_remote(mm, lo, st->buf + (lo - base), st->top - lo, true);
}

/*
 * Build the System V initial stack (see the top of this file) at the top
 * of mm's stack area and map it; img->sp gets the new program's stack
 * pointer.  Returns 0, -E2BIG (too many or too long arguments), -ENOMEM,
 * or what mapping the stack returned.
 */
static int exec_build_stack(struct mm *mm, const struct elf_info *ei, uintptr_t bias,
			    const char *path, char *const argv[], char *const envp[],
			    struct exec_image *img)
{
	size_t argc = exec_count_strings(argv), envc = exec_count_strings(envp);
	size_t nptrs = argc + 1 + envc + 1;
	struct exec_stack st = { NULL, EXEC_STACK_INIT, mm->stack_top, 0 };
	struct exec_strings str;
	struct exec_auxv av;
	uint64_t *ptrs = NULL;
	uintptr_t sp;
	int err;

	if (argc + envc > EXEC_ARGS_MAX)
		return -E2BIG;
	st.buf = kmalloc(st.size, 0);      /* only the part copied out is cleared */
	ptrs = kmalloc(nptrs * sizeof(uint64_t), 0);
	if (!st.buf || !ptrs) {
		err = -ENOMEM;
		goto out;
	}
	err = exec_push_strings(&st, path, argv, argc, envp, envc, ptrs, &str);
	if (err)
		goto out;
	exec_fill_auxv(&av, ei, bias, &str, img);
	err = exec_push_vectors(&st, argc, ptrs, nptrs, &av, &sp);
	if (err)
		goto out;
	err = exec_map_stack(mm, ei, &st, sp);
	if (!err) {
		img->sp = sp;
		mm->start_stack = sp;
		mm->arg_start = str.arg_start;
		mm->arg_end = str.arg_end;
		mm->env_start = str.env_start;
		mm->env_end = str.env_end;
	}
out:
	kfree(ptrs);
	kfree(st.buf);
	return err;
}

/* Record the executable's absolute path in mm for /proc/PID/exe and maps
 * (left unknown if it cannot be had). */
static void exec_note_path(struct mm *mm, const char *path)
{
	char *abs = kmalloc(VFS_PATH_MAX, 0);

	if (abs && vfs_realpath(NULL, path, abs, VFS_PATH_MAX) >= 0)
		(void)vm_set_exe_path(mm, abs);
	kfree(abs);
}

/* PR_SET_NO_NEW_PRIVS: set-id bits are ignored, as on a nosuid mount. */
static bool exec_no_new_privs(void)
{
	struct proc *p = proc_current(); /* NULL while the first process is built */
	bool nnp = false;

	if (p) {
		spin_lock(&p->lock);
		nnp = p->no_new_privs;
		spin_unlock(&p->lock);
	}
	return nnp;
}

int exec_load(struct mm *mm, const char *path, char *const argv[], char *const envp[],
	      struct exec_image *img)
{
	struct elf_info ei;
	uintptr_t bias = 0;
	struct exec_file *image = NULL;
	const uint8_t *file;
	bool nosuid;
	uint32_t mode;
	int err;

	err = exec_read_file(path, &image, mm, &nosuid);
	if (err)
		return err;
	mode = image->st.st_mode;
	nosuid |= exec_no_new_privs();
	img->set_uid = (mode & S_ISUID) && !nosuid ? image->st.st_uid : CRED_ID_NONE;
	img->set_gid = (mode & S_ISGID) && (mode & S_IXGRP) && !nosuid ? image->st.st_gid :
									     CRED_ID_NONE;
	file = image->data;
	err = elf_parse(file, image->len, USER_TOP, &ei);
	if (err)
		goto out;
	if (ei.has_interp) {
		klog_once(LOG_WARN, "exec: %s is dynamically linked; Keel runs static programs", path);
		err = -ENOEXEC;
		goto out;
	}
	if (ei.pie)
		bias = EXEC_PIE_BASE - ei.min_vaddr;
	vm_set_stack_max(mm, rlimit_cur(RLIMIT_STACK));
	err = exec_map_segments(mm, &ei, file, bias);
	if (err)
		goto out;
	err = exec_build_stack(mm, &ei, bias, path, argv, envp, img);
	if (err)
		goto out;
	img->entry = ei.entry + bias;
	exec_note_path(mm, path);
	const char *base = strrchr(path, '/');
	strlcpy(img->name, base ? base + 1 : path, sizeof(img->name));
out:
	exec_file_put(image);  /* the mm holds its own reference */
	return err;
}
