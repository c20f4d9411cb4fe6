/*
 * test_vfs.c - host unit tests of the file layer: path walk, ramfs
 * namespace operations, symlinks, file data, getdents64 encoding,
 * reference counts (all memory comes back), fd tables, non-blocking
 * pipes, the console tty, the initramfs unpacker, and the system calls
 * themselves (with a fake current process; "user" pointers are plain
 * pointers, addresses below FAKE_USER_BAD_LIMIT fault).
 *
 * Every test works in its own directory under / and removes what it
 * made, so the heap check at the end of each test is exact.
 */
#include <string.h>

#include <keel/fd.h>
#include <keel/pipe.h>
#include <keel/initramfs.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/tty.h>
#include <keel/vfs.h>
#include <lib/errno.h>

#include "fake_kernel.h"
#include "fake_sched.h"
#include "htest.h"

#define BAD_PTR ((void *)0x100)

/* The system calls under test (generated table prototypes). */
long sys_read(const uint64_t *);
long sys_write(const uint64_t *);
long sys_open(const uint64_t *);
long sys_openat(const uint64_t *);
long sys_close(const uint64_t *);
long sys_stat(const uint64_t *);
long sys_fstat(const uint64_t *);
long sys_lstat(const uint64_t *);
long sys_newfstatat(const uint64_t *);
long sys_lseek(const uint64_t *);
long sys_pread64(const uint64_t *);
long sys_pwrite64(const uint64_t *);
long sys_readv(const uint64_t *);
long sys_writev(const uint64_t *);
long sys_access(const uint64_t *);
long sys_faccessat2(const uint64_t *);
long sys_pipe2(const uint64_t *);
long sys_dup(const uint64_t *);
long sys_dup2(const uint64_t *);
long sys_dup3(const uint64_t *);
long sys_fcntl(const uint64_t *);
long sys_ioctl(const uint64_t *);
long sys_getdents64(const uint64_t *);
long sys_getcwd(const uint64_t *);
long sys_chdir(const uint64_t *);
long sys_fchdir(const uint64_t *);
long sys_mkdir(const uint64_t *);
long sys_rmdir(const uint64_t *);
long sys_unlink(const uint64_t *);
long sys_unlinkat(const uint64_t *);
long sys_rename(const uint64_t *);
long sys_symlink(const uint64_t *);
long sys_readlink(const uint64_t *);
long sys_umask(const uint64_t *);

#define A(x) ((uint64_t)(x))
#define P(x) ((uint64_t)(uintptr_t)(x))
#define SC(name, ...) sys_##name((const uint64_t[6]){ __VA_ARGS__ })

static struct proc test_proc;
static uint64_t heap_start;

static uint64_t heap_bytes(void)
{
	struct kmem_stats st;

	kmalloc_stats(&st);
	return st.bytes_in_use;
}

/* Boot the VFS once; give the test a process with an fd table. */
static void setup(void)
{
	static bool booted;

	if (!booted) {
		/* test_kmalloc.c may have run it already (then it panics, harmlessly). */
		(void)FAKE_PANICS(kmalloc_init());
		vfs_init();
		tty_init("");
		booted = true;
	}
	fake_log_quiet = true;
	heap_start = heap_bytes();
	memset(&test_proc, 0, sizeof(test_proc));
	spin_init(&test_proc.lock, "proc");
	test_proc.pid = 1;
	test_proc.umask = 022;
	test_proc.fdt = fdtable_create();
	fake_current_proc = &test_proc;
	fake_signals_raised = 0;
}

/* Drop the process's files and cwd; every byte must be back. */
static void teardown(void)
{
	fdtable_put(test_proc.fdt);
	test_proc.fdt = NULL;
	if (test_proc.cwd)
		vnode_put(test_proc.cwd);
	test_proc.cwd = NULL;
	fake_current_proc = NULL;
	fake_log_quiet = false;
	HCHECK_EQ(fake_locks_held(), 0);
	HCHECK_EQ(heap_bytes(), heap_start);    /* every reference dropped */
}

/* Heap use must be back to what it was at the check's start. */
#define HEAP_CHECK(before) HCHECK_EQ(heap_bytes(), (before))

static int kopen(const char *path, int flags, struct file **f)
{
	return vfs_open(NULL, path, flags, 0644, f);
}

static void put_file(const char *path, const char *data)
{
	struct file *f;

	HCHECK_EQ(kopen(path, O_WRONLY | O_CREAT | O_TRUNC, &f), 0);
	HCHECK_EQ(file_write(f, IOBUF_KERNEL(data), strlen(data)),
		  (long)strlen(data));
	file_put(f);
}

static ssize_t get_file(const char *path, char *buf, size_t n)
{
	struct file *f;
	ssize_t r;
	int err = kopen(path, O_RDONLY, &f);

	if (err)
		return err;
	r = file_read(f, IOBUF_KERNEL(buf), n - 1);
	file_put(f);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

static int lookup_mode(const char *path, unsigned flags, uint32_t *mode)
{
	struct vnode *v;
	int err = vfs_lookup(NULL, path, flags, &v);

	if (!err) {
		*mode = v->mode;
		vnode_put(v);
	}
	return err;
}

/* ---------------------------------------------------------------- walk */

HTEST(vfs_init_layout)
{
	uint32_t mode;

	setup();
	HCHECK_EQ(lookup_mode("/", 0, &mode), 0);
	HCHECK(S_ISDIR(mode));
	HCHECK_EQ(lookup_mode("/tmp", 0, &mode), 0);
	HCHECK_EQ(mode, S_IFDIR | 01777);
	HCHECK_EQ(lookup_mode("/dev/console", 0, &mode), 0);
	HCHECK(S_ISCHR(mode));
	HCHECK_EQ(lookup_mode("/dev/null", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/dev/../tmp", 0, &mode), 0);
	HCHECK(S_ISDIR(mode));
	HCHECK_EQ(lookup_mode("/dev/nonesuch", 0, &mode), -ENOENT);
	teardown();
}

HTEST(vfs_walk_basics)
{
	uint32_t mode;
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(vfs_mkdir(NULL, "/w", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/w", 0755), -EEXIST);
	HCHECK_EQ(vfs_mkdir(NULL, "/w/a/b", 0755), -ENOENT);
	HCHECK_EQ(vfs_mkdir(NULL, "/w/a", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/w/a/b/", 0755), 0);
	put_file("/w/f", "x");
	HCHECK_EQ(lookup_mode("/w/a/b", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("//w///a//b//", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/w/a/./b/../b/.", 0, &mode), 0);
	HCHECK(S_ISDIR(mode));
	HCHECK_EQ(lookup_mode("/../../w/a", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/w/f/", 0, &mode), -ENOTDIR);
	HCHECK_EQ(lookup_mode("/w/f/x", 0, &mode), -ENOTDIR);
	HCHECK_EQ(lookup_mode("/w/f/.", 0, &mode), -ENOTDIR);
	HCHECK_EQ(lookup_mode("/w/f", WALK_DIRECTORY, &mode), -ENOTDIR);
	HCHECK_EQ(lookup_mode("", 0, &mode), -ENOENT);
	HCHECK_EQ(vfs_unlink(NULL, "/w/a", false), -EISDIR);
	HCHECK_EQ(vfs_unlink(NULL, "/w/f", true), -ENOTDIR);
	HCHECK_EQ(vfs_unlink(NULL, "/w/f/", false), -ENOTDIR);
	HCHECK_EQ(vfs_unlink(NULL, "/w/a", true), -ENOTEMPTY);
	HCHECK_EQ(vfs_unlink(NULL, "/w/a/.", true), -EINVAL);
	HCHECK_EQ(vfs_unlink(NULL, "/", true), -EBUSY);
	HCHECK_EQ(vfs_unlink(NULL, "/dev", true), -EBUSY);
	HCHECK_EQ(vfs_unlink(NULL, "/w/a/b/", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/w/a", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/w/f", false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/w/f", false), -ENOENT);
	HCHECK_EQ(vfs_unlink(NULL, "/w", true), 0);
	HEAP_CHECK(h);
	teardown();
}

HTEST(vfs_name_limits)
{
	static char p[VFS_PATH_MAX + 16];
	uint32_t mode;

	setup();
	memset(p, 'a', 300);
	p[0] = '/';
	p[256] = '\0';                  /* a 255-byte name */
	HCHECK_EQ(lookup_mode(p, 0, &mode), -ENOENT);
	p[256] = 'a';
	p[257] = '\0';                  /* 256 bytes */
	HCHECK_EQ(lookup_mode(p, 0, &mode), -ENAMETOOLONG);
	HCHECK_EQ(vfs_mkdir(NULL, p, 0755), -ENAMETOOLONG);
	for (int i = 0; i < VFS_PATH_MAX + 8; i += 2) {
		p[i] = '/';
		p[i + 1] = '.';
	}
	p[VFS_PATH_MAX] = '\0';
	HCHECK_EQ(lookup_mode(p, 0, &mode), -ENAMETOOLONG);
	p[VFS_PATH_MAX - 2] = '\0';
	HCHECK_EQ(lookup_mode(p, 0, &mode), 0);
	teardown();
}

HTEST(vfs_symlinks)
{
	char buf[64];
	uint32_t mode;
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(vfs_mkdir(NULL, "/s", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/s/d", 0755), 0);
	put_file("/s/d/file", "hello");
	HCHECK_EQ(vfs_symlink(NULL, "d/file", "/s/rel"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "/s/d", "/s/abs"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "rel", "/s/chain"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "loop2", "/s/loop1"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "loop1", "/s/loop2"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "nowhere", "/s/dangling"), 0);
	HCHECK_EQ(vfs_symlink(NULL, "x", "/s/rel"), -EEXIST);
	HCHECK_EQ(get_file("/s/rel", buf, sizeof(buf)), 5);
	HCHECK_STREQ(buf, "hello");
	HCHECK_EQ(get_file("/s/chain", buf, sizeof(buf)), 5);
	HCHECK_EQ(get_file("/s/abs/file", buf, sizeof(buf)), 5);
	HCHECK_EQ(get_file("/s/abs/../d/file", buf, sizeof(buf)), 5);
	HCHECK_EQ(lookup_mode("/s/abs", 0, &mode), 0);
	HCHECK(S_ISLNK(mode));
	HCHECK_EQ(lookup_mode("/s/abs", WALK_FOLLOW, &mode), 0);
	HCHECK(S_ISDIR(mode));
	HCHECK_EQ(lookup_mode("/s/abs/", 0, &mode), 0);
	HCHECK(S_ISDIR(mode));
	HCHECK_EQ(lookup_mode("/s/loop1", WALK_FOLLOW, &mode), -ELOOP);
	HCHECK_EQ(lookup_mode("/s/loop1/x", 0, &mode), -ELOOP);
	HCHECK_EQ(lookup_mode("/s/loop1", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/s/dangling", WALK_FOLLOW, &mode), -ENOENT);
	HCHECK_EQ(vfs_readlink(NULL, "/s/rel", buf, sizeof(buf)), 6);
	HCHECK(memcmp(buf, "d/file", 6) == 0);
	HCHECK_EQ(vfs_readlink(NULL, "/s/rel", buf, 3), 3);
	HCHECK_EQ(vfs_readlink(NULL, "/s/d", buf, sizeof(buf)), -EINVAL);
	/* O_NOFOLLOW on a link, O_CREAT through a link. */
	struct file *f;
	HCHECK_EQ(kopen("/s/rel", O_RDONLY | O_NOFOLLOW, &f), -ELOOP);
	HCHECK_EQ(kopen("/s/rel", O_WRONLY | O_CREAT, &f), 0);
	file_put(f);
	HCHECK_EQ(kopen("/s/rel", O_WRONLY | O_CREAT | O_EXCL, &f), -EEXIST);
	/* 40 links are fine, 41 are not. */
	char name[32], target[32];
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/s/n%d", i);
		snprintf(target, sizeof(target), i == 1 ? "d" : "n%d", i - 1);
		HCHECK_EQ(vfs_symlink(NULL, target, name), 0);
	}
	HCHECK_EQ(lookup_mode("/s/n40/file", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/s/n41/file", 0, &mode), -ELOOP);
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/s/n%d", i);
		HCHECK_EQ(vfs_unlink(NULL, name, false), 0);
	}
	/* Unlinking a link removes the link, not its target. */
	HCHECK_EQ(vfs_unlink(NULL, "/s/abs", false), 0);
	HCHECK_EQ(lookup_mode("/s/d", 0, &mode), 0);
	const char *names[] = { "/s/rel", "/s/chain", "/s/loop1", "/s/loop2",
				"/s/dangling", "/s/d/file" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		HCHECK_EQ(vfs_unlink(NULL, names[i], false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/s/d", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/s", true), 0);
	HEAP_CHECK(h);
	teardown();
}

/* ---------------------------------------------------------------- files */

HTEST(vfs_file_data)
{
	static char big[3 * 4096 + 100], back[sizeof(big)];
	struct file *f, *g;
	char buf[64];
	uint64_t h;

	setup();
	h = heap_bytes();
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 1);
	HCHECK_EQ(kopen("/tmp/data", O_RDWR | O_CREAT | O_EXCL, &f), 0);
	HCHECK_EQ(file_write(f, IOBUF_KERNEL(big), sizeof(big)), (long)sizeof(big));
	HCHECK_EQ(file_pread(f, IOBUF_KERNEL(back), sizeof(back), 0), (long)sizeof(big));
	HCHECK(memcmp(big, back, sizeof(big)) == 0);
	HCHECK_EQ(file_read(f, IOBUF_KERNEL(buf), 10), 0);      /* at the end */
	/* A hole reads as zeros. */
	HCHECK_EQ(file_pwrite(f, IOBUF_KERNEL("Z"), 1, 10 * 4096), 1);
	HCHECK_EQ(file_pread(f, IOBUF_KERNEL(buf), 4, 6 * 4096), 4);
	HCHECK(buf[0] == 0 && buf[3] == 0);
	HCHECK_EQ(f->vnode->size, 10 * 4096 + 1);
	/* Truncate, then regrow: the old bytes must not come back. */
	HCHECK_EQ(f->vnode->ops->truncate(f->vnode, 5), 0);
	HCHECK_EQ(f->vnode->ops->truncate(f->vnode, 4096), 0);
	HCHECK_EQ(file_pread(f, IOBUF_KERNEL(buf), 10, 0), 10);
	HCHECK(memcmp(buf, big, 5) == 0 && buf[5] == 0 && buf[9] == 0);
	/* O_APPEND, O_TRUNC; a second open shares nothing but the data. */
	HCHECK_EQ(kopen("/tmp/data", O_WRONLY | O_APPEND | O_TRUNC, &g), 0);
	HCHECK_EQ(file_write(g, IOBUF_KERNEL("ab"), 2), 2);
	HCHECK_EQ(file_write(g, IOBUF_KERNEL("cd"), 2), 2);
	HCHECK_EQ(file_pread(f, IOBUF_KERNEL(buf), 10, 0), 4);
	HCHECK(memcmp(buf, "abcd", 4) == 0);
	HCHECK_EQ(file_read(g, IOBUF_KERNEL(buf), 1), -EBADF);
	file_put(g);
	/* An unlinked open file lives until closed. */
	HCHECK_EQ(vfs_unlink(NULL, "/tmp/data", false), 0);
	HCHECK_EQ(file_pread(f, IOBUF_KERNEL(buf), 10, 0), 4);
	HCHECK_EQ(f->vnode->nlink, 0);
	file_put(f);
	/* Directories cannot be read or opened for writing. */
	HCHECK_EQ(kopen("/tmp", O_WRONLY, &f), -EISDIR);
	HCHECK_EQ(kopen("/tmp", O_RDONLY | O_CREAT, &f), -EISDIR);
	HCHECK_EQ(kopen("/tmp/", O_RDWR | O_CREAT, &f), -EISDIR);
	HCHECK_EQ(kopen("/tmp", O_RDONLY, &f), 0);
	HCHECK_EQ(file_read(f, IOBUF_KERNEL(buf), 10), -EISDIR);
	file_put(f);
	HCHECK_EQ(kopen("/dev/null", O_RDONLY | O_DIRECTORY, &f), -ENOTDIR);
	HEAP_CHECK(h);
	teardown();
}

HTEST(vfs_file_limits)
{
	struct file *f;
	char c = 'x';
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(kopen("/tmp/huge", O_RDWR | O_CREAT, &f), 0);
	HCHECK_EQ(file_pwrite(f, IOBUF_KERNEL(&c), 1, VFS_FILE_MAX), -EFBIG);
	HCHECK_EQ(file_pwrite(f, IOBUF_KERNEL(&c), 1, VFS_FILE_MAX - 1), 1);
	HCHECK_EQ(f->vnode->size, VFS_FILE_MAX);
	/* No block to be had: -ENOMEM (as tmpfs), nothing changed, no crash. */
	fake_pmm_set_limit(fake_pmm_frames_in_use());
	HCHECK_EQ(file_pwrite(f, IOBUF_KERNEL(&c), 1, 0), -ENOMEM);
	fake_pmm_set_limit(0);
	HCHECK_EQ(vfs_unlink(NULL, "/tmp/huge", false), 0);
	file_put(f);
	HEAP_CHECK(h);
	teardown();
}

HTEST(vfs_rename)
{
	char buf[32];
	struct vnode *v;
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(vfs_mkdir(NULL, "/r", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/r/d1", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/r/d1/sub", 0755), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/r/d2", 0755), 0);
	put_file("/r/a", "A");
	put_file("/r/b", "B");
	HCHECK_EQ(vfs_rename(NULL, "/r/a", NULL, "/r/b"), 0);
	HCHECK_EQ(get_file("/r/b", buf, sizeof(buf)), 1);
	HCHECK_STREQ(buf, "A");
	HCHECK_EQ(get_file("/r/a", buf, sizeof(buf)), -ENOENT);
	HCHECK_EQ(vfs_rename(NULL, "/r/b", NULL, "/r/b"), 0);
	HCHECK_EQ(vfs_rename(NULL, "/r/nope", NULL, "/r/x"), -ENOENT);
	HCHECK_EQ(vfs_rename(NULL, "/r/d1", NULL, "/r/d1/sub/x"), -EINVAL);
	HCHECK_EQ(vfs_rename(NULL, "/r/d2", NULL, "/r/d1"), -ENOTEMPTY);
	HCHECK_EQ(vfs_rename(NULL, "/r/b", NULL, "/r/d2"), -EISDIR);
	HCHECK_EQ(vfs_rename(NULL, "/r/d2", NULL, "/r/b"), -ENOTDIR);
	HCHECK_EQ(vfs_rename(NULL, "/r/b/", NULL, "/r/c"), -ENOTDIR);
	HCHECK_EQ(vfs_rename(NULL, "/r/b", NULL, "/dev/b"), -EXDEV);
	HCHECK_EQ(vfs_rename(NULL, "/r/b", NULL, "/r/d1/sub/moved"), 0);
	HCHECK_EQ(get_file("/r/d1/sub/moved", buf, sizeof(buf)), 1);
	/* Move a directory: nlink and ".." follow. */
	HCHECK_EQ(vfs_lookup(NULL, "/r/d1", 0, &v), 0);
	HCHECK_EQ(v->nlink, 3);
	vnode_put(v);
	HCHECK_EQ(vfs_rename(NULL, "/r/d1/sub", NULL, "/r/d2/sub2"), 0);
	HCHECK_EQ(vfs_lookup(NULL, "/r/d1", 0, &v), 0);
	HCHECK_EQ(v->nlink, 2);
	vnode_put(v);
	HCHECK_EQ(get_file("/r/d2/sub2/../sub2/moved", buf, sizeof(buf)), 1);
	HCHECK_EQ(vfs_rename(NULL, "/r/d2/sub2", NULL, "/r/d1/"), 0);  /* over an empty dir */
	HCHECK_EQ(get_file("/r/d1/moved", buf, sizeof(buf)), 1);
	HCHECK_EQ(vfs_unlink(NULL, "/r/d1/moved", false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/r/d1", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/r/d2", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/r", true), 0);
	HEAP_CHECK(h);
	teardown();
}

/* Hard links, attributes, truncate and statfs at the VFS level. */
HTEST(vfs_link_setattr_statfs)
{
	struct vattr a = { .valid = VA_MODE | VA_UID | VA_GID | VA_KILL_SUID };
	struct linux_statfs sf;
	struct linux_stat st;
	struct vnode *v, *w;
	char buf[32];
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(vfs_mkdir(NULL, "/l", 0755), 0);
	put_file("/l/a", "data");
	HCHECK_EQ(vfs_lookup(NULL, "/l/a", 0, &v), 0);
	HCHECK_EQ(vfs_link(v, NULL, "/l/b"), 0);
	HCHECK_EQ(v->nlink, 2);
	HCHECK_EQ(vfs_link(v, NULL, "/l/b"), -EEXIST);
	HCHECK_EQ(vfs_link(v, NULL, "/l/c/"), -ENOENT);
	HCHECK_EQ(vfs_link(v, NULL, "/dev/a"), -EXDEV);
	HCHECK_EQ(vfs_lookup(NULL, "/l/b", 0, &w), 0);
	HCHECK(w == v);
	vnode_put(w);
	HCHECK_EQ(vfs_lookup(NULL, "/l", 0, &w), 0);
	HCHECK_EQ(vfs_link(w, NULL, "/l/d"), -EPERM);       /* a directory */
	vnode_put(w);
	HCHECK_EQ(vfs_unlink(NULL, "/l/a", false), 0);
	HCHECK_EQ(v->nlink, 1);
	HCHECK_EQ(get_file("/l/b", buf, sizeof(buf)), 4);
	HCHECK_STREQ(buf, "data");
	/* chmod keeps the type; chown drops set-user-ID. */
	a.mode = 04755;
	a.uid = 7;
	a.gid = 8;
	HCHECK_EQ(vfs_setattr(v, &a), 0);
	vfs_stat(v, &st);
	HCHECK_EQ(st.st_mode, S_IFREG | 0755);
	HCHECK_EQ(st.st_uid, 7);
	HCHECK_EQ(st.st_gid, 8);
	a = (struct vattr){ .valid = VA_MTIME, .mtime = 5 * NSEC_PER_SEC + 6 };
	HCHECK_EQ(vfs_setattr(v, &a), 0);
	vfs_stat(v, &st);
	HCHECK_EQ(st.st_mtime, 5);
	HCHECK_EQ(st.st_mtime_nsec, 6);
	HCHECK_EQ(vfs_truncate(v, 2), 0);
	HCHECK_EQ(get_file("/l/b", buf, sizeof(buf)), 2);
	vfs_statfs(v, &sf);
	HCHECK_EQ(sf.f_type, TMPFS_MAGIC);
	HCHECK_EQ(sf.f_namelen, VFS_NAME_MAX);
	HCHECK(sf.f_bfree <= sf.f_blocks && sf.f_blocks > 0);
	/* A removed file cannot get a name again. */
	HCHECK_EQ(vfs_unlink(NULL, "/l/b", false), 0);
	HCHECK_EQ(vfs_link(v, NULL, "/l/e"), -ENOENT);
	vnode_put(v);
	HCHECK_EQ(vfs_lookup(NULL, "/l", 0, &w), 0);
	HCHECK_EQ(vfs_truncate(w, 0), -EISDIR);
	vnode_put(w);
	HCHECK_EQ(vfs_unlink(NULL, "/l", true), 0);
	HEAP_CHECK(h);
	teardown();
}

/* ---------------------------------------------------------------- getdents64 */

HTEST(vfs_dirent64_encoding)
{
	unsigned char buf[64];
	struct linux_dirent64 *d = (void *)buf;

	HCHECK_EQ(offsetof(struct linux_dirent64, d_name), 19);
	HCHECK_EQ(vfs_dirent64_encode(buf, sizeof(buf), 7, 3, DT_REG, "a", 1), 24);
	HCHECK_EQ(d->d_ino, 7);
	HCHECK_EQ(d->d_off, 3);
	HCHECK_EQ(d->d_reclen, 24);
	HCHECK_EQ(d->d_type, DT_REG);
	HCHECK_STREQ(d->d_name, "a");
	HCHECK_EQ(vfs_dirent64_encode(buf, sizeof(buf), 1, 1, DT_DIR, "abcde", 5), 32);
	HCHECK_EQ(vfs_dirent64_encode(buf, 23, 1, 1, DT_DIR, "a", 1), 0);
	HCHECK_EQ(vfs_dtype(S_IFLNK | 0777), DT_LNK);
	HCHECK_EQ(vfs_dtype(S_IFCHR), DT_CHR);
}

/* Names listed by getdents64 on fd, joined with spaces. */
static long list_dir(int fd, char *out, size_t bufsize)
{
	static char buf[8192];
	long n, total = 0;

	out[0] = '\0';
	while ((n = SC(getdents64, A(fd), P(buf), A(bufsize))) > 0) {
		for (long at = 0; at < n;) {
			struct linux_dirent64 *d = (void *)(buf + at);

			strcat(out, d->d_name);
			strcat(out, " ");
			at += d->d_reclen;
			total++;
		}
	}
	return n < 0 ? n : total;
}

HTEST(sys_getdents64)
{
	char names[512];
	int fd;

	setup();
	HCHECK_EQ(vfs_mkdir(NULL, "/g", 0755), 0);
	put_file("/g/one", "1");
	put_file("/g/two", "2");
	HCHECK_EQ(vfs_mkdir(NULL, "/g/three", 0755), 0);
	fd = (int)SC(open, P("/g"), A(O_RDONLY | O_DIRECTORY), 0);
	HCHECK(fd >= 0);
	HCHECK_EQ(list_dir(fd, names, 8192), 5);
	HCHECK_STREQ(names, ". .. one two three ");
	/* Tiny buffers: one entry per call; too small for one: -EINVAL. */
	HCHECK_EQ(SC(lseek, A(fd), 0, 0), 0);
	HCHECK_EQ(list_dir(fd, names, 32), 5);
	HCHECK_STREQ(names, ". .. one two three ");
	HCHECK_EQ(SC(lseek, A(fd), 0, 0), 0);
	HCHECK_EQ(SC(getdents64, A(fd), P(names), 8), -EINVAL);
	/* Removing an entry mid-listing does not disturb the rest. */
	HCHECK_EQ(list_dir(fd, names, 24 * 3), 5);
	HCHECK_EQ(SC(lseek, A(fd), 0, 0), 0);
	{
		static char b[48];
		HCHECK_EQ(SC(getdents64, A(fd), P(b), 48), 48);     /* . and .. */
	}
	HCHECK_EQ(vfs_unlink(NULL, "/g/one", false), 0);
	HCHECK_EQ(list_dir(fd, names, 8192), 2);
	HCHECK_STREQ(names, "two three ");
	HCHECK_EQ(SC(getdents64, A(fd), P(BAD_PTR), 100), -EFAULT);
	int ffd = (int)SC(open, P("/g/two"), A(O_RDONLY), 0);
	HCHECK_EQ(SC(getdents64, A(ffd), P(names), 100), -ENOTDIR);
	HCHECK_EQ(SC(close, A(ffd)), 0);
	HCHECK_EQ(SC(close, A(fd)), 0);
	/* devfs lists its devices. */
	fd = (int)SC(open, P("/dev"), A(O_RDONLY | O_DIRECTORY), 0);
	HCHECK_EQ(list_dir(fd, names, 8192), 8);
	HCHECK_STREQ(names, ". .. console null tty zero tty1 ttyS0 ");
	SC(close, A(fd));
	HCHECK_EQ(vfs_unlink(NULL, "/g/two", false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/g/three", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/g", true), 0);
	teardown();
}

/* ---------------------------------------------------------------- system calls */

HTEST(sys_open_read_write)
{
	struct linux_stat st;
	char buf[64];
	long fd, fd2;
	uint64_t h;

	setup();
	h = heap_bytes();
	fd = SC(open, P("/tmp/sys"), A(O_RDWR | O_CREAT | O_EXCL), 0666);
	HCHECK_EQ(fd, 0);
	HCHECK_EQ(SC(write, A(fd), P("hello world"), 11), 11);
	HCHECK_EQ(SC(lseek, A(fd), 6, 0), 6);
	HCHECK_EQ(SC(read, A(fd), P(buf), 64), 5);
	HCHECK(memcmp(buf, "world", 5) == 0);
	HCHECK_EQ(SC(lseek, A(fd), A(-1), 2), 10);
	HCHECK_EQ(SC(lseek, A(fd), A(-100), 1), -EINVAL);
	HCHECK_EQ(SC(lseek, A(fd), 0, 7), -EINVAL);
	HCHECK_EQ(SC(pread64, A(fd), P(buf), 5, 0), 5);
	HCHECK_EQ(SC(pread64, A(fd), P(buf), 5, A(-1)), -EINVAL);
	HCHECK_EQ(SC(pwrite64, A(fd), P("J"), 1, 0), 1);
	HCHECK_EQ(SC(read, A(fd), P(BAD_PTR), 5), -EFAULT);
	HCHECK_EQ(SC(read, A(99), P(buf), 5), -EBADF);
	HCHECK_EQ(SC(read, A(-1), P(buf), 5), -EBADF);
	/* stat: mode with umask applied, size, nlink. */
	HCHECK_EQ(SC(fstat, A(fd), P(&st)), 0);
	HCHECK_EQ(st.st_mode, S_IFREG | 0644);
	HCHECK_EQ(st.st_size, 11);
	HCHECK_EQ(st.st_nlink, 1);
	HCHECK_EQ(st.st_blksize, 4096);
	HCHECK_EQ(SC(stat, P("/tmp/sys"), P(&st)), 0);
	HCHECK_EQ(st.st_size, 11);
	HCHECK_EQ(SC(stat, P("/tmp/nope"), P(&st)), -ENOENT);
	HCHECK_EQ(SC(stat, P("/tmp/sys"), P(BAD_PTR)), -EFAULT);
	HCHECK_EQ(SC(stat, P(BAD_PTR), P(&st)), -EFAULT);
	HCHECK_EQ(SC(newfstatat, A(fd), P(""), P(&st), A(AT_EMPTY_PATH)), 0);
	HCHECK_EQ(st.st_size, 11);
	HCHECK_EQ(SC(newfstatat, A(AT_FDCWD), P("/tmp/sys"), P(&st), 0x8000), -EINVAL);
	HCHECK_EQ(SC(newfstatat, A(fd), P("x"), P(&st), 0), -ENOTDIR);
	HCHECK_EQ(SC(stat, P("/dev/null"), P(&st)), 0);
	HCHECK_EQ(st.st_mode, S_IFCHR | 0666);
	HCHECK_EQ(st.st_rdev, (1 << 8) | 3);
	/* readv / writev */
	struct { uint64_t base, len; } iov[3] = {
		{ P("ab"), 2 }, { P(""), 0 }, { P("cde"), 3 } };
	HCHECK_EQ(SC(lseek, A(fd), 0, 0), 0);
	HCHECK_EQ(SC(writev, A(fd), P(iov), 3), 5);
	char r1[2], r2[3];
	struct { uint64_t base, len; } riov[2] = { { P(r1), 2 }, { P(r2), 3 } };
	HCHECK_EQ(SC(lseek, A(fd), 0, 0), 0);
	HCHECK_EQ(SC(readv, A(fd), P(riov), 2), 5);
	HCHECK(memcmp(r1, "ab", 2) == 0 && memcmp(r2, "cde", 3) == 0);
	HCHECK_EQ(SC(readv, A(fd), P(riov), A(-1)), -EINVAL);
	riov[1].base = P(BAD_PTR);
	HCHECK_EQ(SC(readv, A(fd), P(riov), 2), -EFAULT);
	/* open errors */
	HCHECK_EQ(SC(open, P("/tmp/sys"), A(O_RDWR | O_CREAT | O_EXCL), 0), -EEXIST);
	HCHECK_EQ(SC(open, P("/tmp/none"), A(O_RDONLY), 0), -ENOENT);
	HCHECK_EQ(SC(open, P("/tmp/sys"), A(3), 0), -EINVAL);
	HCHECK_EQ(SC(open, P(BAD_PTR), A(O_RDONLY), 0), -EFAULT);
	HCHECK_EQ(SC(open, P("/tmp/sys/"), A(O_RDONLY), 0), -ENOTDIR);
	/* dup shares the offset */
	fd2 = SC(dup, A(fd));
	HCHECK_EQ(fd2, 1);
	HCHECK_EQ(SC(lseek, A(fd), 3, 0), 3);
	HCHECK_EQ(SC(lseek, A(fd2), 0, 1), 3);
	HCHECK_EQ(SC(close, A(fd2)), 0);
	HCHECK_EQ(SC(close, A(fd2)), -EBADF);
	HCHECK_EQ(SC(close, A(fd)), 0);
	HCHECK_EQ(SC(unlink, P("/tmp/sys")), 0);
	HCHECK_EQ(heap_bytes(), h);
	teardown();
}

HTEST(sys_fd_table)
{
	long fd;
	uint64_t h;

	setup();
	h = heap_bytes();
	fd = SC(open, P("/dev/null"), A(O_RDWR | O_CLOEXEC), 0);
	HCHECK_EQ(fd, 0);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_GETFD), 0), FD_CLOEXEC);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_SETFD), 0), 0);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_GETFD), 0), 0);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_GETFL), 0) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_SETFL), A(O_NONBLOCK | O_RDONLY)), 0);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_GETFL), 0) & (O_ACCMODE | O_NONBLOCK),
		  O_RDWR | O_NONBLOCK);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_DUPFD), 10), 10);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_DUPFD_CLOEXEC), 10), 11);
	HCHECK_EQ(SC(fcntl, A(11), A(F_GETFD), 0), FD_CLOEXEC);
	HCHECK_EQ(SC(fcntl, A(fd), A(F_DUPFD), A(FDTABLE_MAX)), -EINVAL);
	HCHECK_EQ(SC(fcntl, A(fd), 12345, 0), -EINVAL);
	HCHECK_EQ(SC(fcntl, A(500), A(F_GETFD), 0), -EBADF);
	/* dup2 / dup3: grow the table, bash's fd 255. */
	HCHECK_EQ(SC(dup2, A(fd), 255), 255);
	HCHECK_EQ(SC(dup2, A(255), 255), 255);
	HCHECK_EQ(SC(dup2, A(77), 77), -EBADF);
	HCHECK_EQ(SC(dup3, A(255), 255, 0), -EINVAL);
	HCHECK_EQ(SC(dup3, A(fd), 256, A(O_CLOEXEC)), 256);
	HCHECK_EQ(SC(fcntl, A(256), A(F_GETFD), 0), FD_CLOEXEC);
	HCHECK_EQ(SC(dup2, A(fd), A(FDTABLE_MAX)), -EBADF);
	HCHECK_EQ(SC(dup2, A(fd), A(FDTABLE_MAX - 1)), FDTABLE_MAX - 1);
	/* Fill the table: -EMFILE. */
	long n = 0;
	while (SC(dup, A(fd)) >= 0)
		n++;
	HCHECK_EQ(n, FDTABLE_MAX - 6);
	HCHECK_EQ(SC(dup, A(fd)), -EMFILE);
	/* fork and exec: the clone shares files; exec closes cloexec ones. */
	struct fdtable *child = fdtable_clone(test_proc.fdt);
	HCHECK(child != NULL);
	HCHECK_EQ(child->size, FDTABLE_MAX);
	fdtable_close_on_exec(child);
	HCHECK_EQ(fd_get_cloexec(child, 11), -EBADF);
	HCHECK_EQ(fd_get_cloexec(child, 256), -EBADF);
	HCHECK_EQ(fd_get_cloexec(child, 10), 0);
	HCHECK_EQ(fd_get_cloexec(test_proc.fdt, 11), 1);
	fdtable_put(child);
	/* ioctl: not a tty */
	HCHECK_EQ(SC(ioctl, A(fd), 0x5401, P(BAD_PTR)), -ENOTTY);
	HCHECK_EQ(SC(ioctl, A(FDTABLE_MAX + 5), 0x5401, 0), -EBADF);
	(void)h;
	teardown();
}

HTEST(sys_pipe_nonblocking)
{
	static char big[PIPE_SIZE];
	int fds[2];
	char buf[16];
	struct linux_stat st;
	uint64_t h;

	setup();
	h = heap_bytes();
	HCHECK_EQ(SC(pipe2, P(fds), A(O_NONBLOCK | O_CLOEXEC)), 0);
	HCHECK_EQ(fds[0], 0);
	HCHECK_EQ(fds[1], 1);
	HCHECK_EQ(SC(fcntl, A(fds[0]), A(F_GETFD), 0), FD_CLOEXEC);
	HCHECK_EQ(SC(fstat, A(fds[0]), P(&st)), 0);
	HCHECK(S_ISFIFO(st.st_mode));
	HCHECK_EQ(SC(read, A(fds[0]), P(buf), 16), -EAGAIN);
	HCHECK_EQ(SC(write, A(fds[0]), P("x"), 1), -EBADF);
	HCHECK_EQ(SC(read, A(fds[1]), P(buf), 1), -EBADF);
	HCHECK_EQ(SC(lseek, A(fds[0]), 0, 0), -ESPIPE);
	HCHECK_EQ(SC(pread64, A(fds[0]), P(buf), 1, 0), -ESPIPE);
	HCHECK_EQ(SC(write, A(fds[1]), P("abc"), 3), 3);
	HCHECK_EQ(SC(read, A(fds[0]), P(buf), 2), 2);
	HCHECK_EQ(SC(read, A(fds[0]), P(buf + 2), 16), 1);
	HCHECK(memcmp(buf, "abc", 3) == 0);
	/* Fill it (wrapping around), then: atomic small writes wait whole,
	 * big writes go partial. */
	HCHECK_EQ(SC(write, A(fds[1]), P(big), PIPE_SIZE - 100), PIPE_SIZE - 100);
	HCHECK_EQ(SC(write, A(fds[1]), P(big), 200), -EAGAIN);
	HCHECK_EQ(SC(write, A(fds[1]), P(big), PIPE_BUF + 1), 100);
	HCHECK_EQ(SC(write, A(fds[1]), P(big), 1), -EAGAIN);
	HCHECK_EQ(SC(read, A(fds[0]), P(big), PIPE_SIZE), PIPE_SIZE);
	/* A bad buffer is -EFAULT and consumes nothing. */
	HCHECK_EQ(SC(write, A(fds[1]), P("q"), 1), 1);
	HCHECK_EQ(SC(read, A(fds[0]), P(BAD_PTR), 1), -EFAULT);
	HCHECK_EQ(SC(read, A(fds[0]), P(buf), 1), 1);
	/* EOF once no writer is left; EPIPE + SIGPIPE once no reader. */
	HCHECK_EQ(SC(close, A(fds[1])), 0);
	HCHECK_EQ(SC(read, A(fds[0]), P(buf), 1), 0);
	HCHECK_EQ(SC(pipe2, P(fds + 0), A(0)), 0);      /* fds 1, 2 */
	HCHECK_EQ(SC(close, A(fds[0])), 0);
	HCHECK_EQ(SC(write, A(fds[1]), P("x"), 1), -EPIPE);
	HCHECK(fake_signals_raised & (1ull << (SIGPIPE - 1)));
	HCHECK_EQ(SC(pipe2, P(fds), A(040000 /* O_DIRECT */)), -EINVAL);
	HCHECK_EQ(SC(pipe2, P(BAD_PTR), A(0)), -EFAULT);
	HCHECK_EQ(SC(close, A(0)), 0);
	HCHECK_EQ(SC(close, A(fds[1])), 0);
	HCHECK_EQ(heap_bytes(), h);
	teardown();
}

HTEST(sys_paths_and_cwd)
{
	struct linux_stat st;
	char buf[128];
	uint64_t h;
	long fd;

	setup();
	h = heap_bytes();
	HCHECK_EQ(SC(getcwd, P(buf), 128), 2);
	HCHECK_STREQ(buf, "/");
	HCHECK_EQ(SC(umask, 077), 022);
	HCHECK_EQ(SC(mkdir, P("/c"), 0777), 0);
	HCHECK_EQ(SC(stat, P("/c"), P(&st)), 0);
	HCHECK_EQ(st.st_mode, S_IFDIR | 0700);
	HCHECK_EQ(SC(umask, 022), 077);
	HCHECK_EQ(SC(mkdir, P("/c/sub"), 0755), 0);
	HCHECK_EQ(SC(chdir, P("/c/sub")), 0);
	HCHECK_EQ(SC(getcwd, P(buf), 128), 7);
	HCHECK_STREQ(buf, "/c/sub");
	HCHECK_EQ(SC(getcwd, P(buf), 6), -ERANGE);
	HCHECK_EQ(SC(getcwd, P(BAD_PTR), 100), -EFAULT);
	/* Relative paths start at the cwd. */
	fd = SC(open, P("f"), A(O_WRONLY | O_CREAT), 0644);
	HCHECK_EQ(fd, 0);
	HCHECK_EQ(SC(stat, P("/c/sub/f"), P(&st)), 0);
	HCHECK_EQ(SC(symlink, P("sub/f"), P("../link")), 0);
	HCHECK_EQ(SC(readlink, P("/c/link"), P(buf), 128), 5);
	HCHECK_EQ(SC(readlink, P("/c/link"), P(buf), 0), -EINVAL);
	HCHECK_EQ(SC(lstat, P("../link"), P(&st)), 0);
	HCHECK(S_ISLNK(st.st_mode));
	HCHECK_EQ(st.st_size, 5);
	HCHECK_EQ(SC(access, P("../link"), 0), 0);
	HCHECK_EQ(SC(access, P("../link"), 1), -EACCES);       /* no x bit */
	HCHECK_EQ(SC(access, P("/c"), 1), 0);
	HCHECK_EQ(SC(access, P("/c"), 8), -EINVAL);
	HCHECK_EQ(SC(faccessat2, A(AT_FDCWD), P("../link"), 0, A(AT_SYMLINK_NOFOLLOW)), 0);
	/* dirfd-relative */
	long dfd = SC(open, P("/c"), A(O_RDONLY | O_DIRECTORY), 0);
	HCHECK(dfd > 0);
	HCHECK_EQ(SC(openat, A(dfd), P("sub/f"), A(O_RDONLY), 0), 2);
	HCHECK_EQ(SC(close, 2), 0);
	HCHECK_EQ(SC(openat, A(fd), P("x"), A(O_RDONLY), 0), -ENOTDIR);
	HCHECK_EQ(SC(openat, A(42), P("x"), A(O_RDONLY), 0), -EBADF);
	HCHECK_EQ(SC(openat, A(42), P("/c"), A(O_RDONLY), 0), 2);    /* absolute: dirfd unused */
	HCHECK_EQ(SC(close, 2), 0);
	HCHECK_EQ(SC(newfstatat, A(dfd), P("link"), P(&st), A(AT_SYMLINK_NOFOLLOW)), 0);
	HCHECK(S_ISLNK(st.st_mode));
	HCHECK_EQ(SC(unlinkat, A(dfd), P("link"), A(0x1)), -EINVAL);
	HCHECK_EQ(SC(unlinkat, A(dfd), P("link"), 0), 0);
	HCHECK_EQ(SC(rename, P("f"), P("g")), 0);
	HCHECK_EQ(SC(fchdir, A(dfd)), 0);
	HCHECK_EQ(SC(getcwd, P(buf), 128), 3);
	HCHECK_EQ(SC(fchdir, A(fd)), -ENOTDIR);
	HCHECK_EQ(SC(chdir, P("sub/g")), -ENOTDIR);
	HCHECK_EQ(SC(unlink, P("sub/g")), 0);
	HCHECK_EQ(SC(close, A(fd)), 0);
	HCHECK_EQ(SC(close, A(dfd)), 0);
	/* A removed cwd: getcwd fails, creating in it fails. */
	HCHECK_EQ(SC(chdir, P("sub")), 0);
	HCHECK_EQ(SC(rmdir, P("/c/sub")), 0);
	HCHECK_EQ(SC(getcwd, P(buf), 128), -ENOENT);
	HCHECK_EQ(SC(open, P("new"), A(O_WRONLY | O_CREAT), 0644), -ENOENT);
	HCHECK_EQ(SC(mkdir, P("new"), 0755), -ENOENT);
	HCHECK_EQ(SC(chdir, P("/")), 0);
	HCHECK_EQ(SC(rmdir, P("/c")), 0);
	HCHECK_EQ(SC(rmdir, P("/c")), -ENOENT);
	HCHECK_EQ(SC(mkdir, P(BAD_PTR), 0755), -EFAULT);
	(void)h;
	teardown();
}

/* ---------------------------------------------------------------- console tty */

HTEST(sys_console_tty)
{
	char buf[64];
	int ws[2] = { 0, 0 };
	unsigned char tio[36];
	long fd;

	setup();
	HCHECK_EQ(fd_install_console(test_proc.fdt), 0);
	HCHECK_EQ(SC(ioctl, 1, 0x5413, P(ws)), 0);     /* TIOCGWINSZ */
	HCHECK_EQ(ws[0], 25 | (80 << 16));
	HCHECK_EQ(SC(ioctl, 0, 0x5401, P(tio)), 0);    /* TCGETS */
	HCHECK_EQ(SC(ioctl, 0, 0x5401, P(BAD_PTR)), -EFAULT);
	HCHECK_EQ(SC(ioctl, 0, 0x1234, 0), -ENOTTY);
	fake_console_out_len = 0;
	HCHECK_EQ(SC(write, 2, P("hi\n"), 3), 3);
	HCHECK(fake_console_out_len == 4 && memcmp(fake_console_out, "hi\r\n", 4) == 0);
	/* Canonical: line editing, echo, \r -> \n, two lines in two reads. */
	fake_console_out_len = 0;
	fake_console_feed("lx\x7fs\rab\n");
	HCHECK_EQ(SC(read, 0, P(buf), 64), 3);
	HCHECK(memcmp(buf, "ls\n", 3) == 0);
	HCHECK_EQ(SC(read, 0, P(buf), 64), 3);
	HCHECK(memcmp(buf, "ab\n", 3) == 0);
	HCHECK(fake_console_out_len >= 6);
	/* ^D on an empty line is end of file. */
	fake_console_feed("\x04");
	HCHECK_EQ(SC(read, 0, P(buf), 64), 0);
	/* Raw mode (readline): bytes as they come, no echo. */
	tio[12] &= (unsigned char)~(0x2 | 0x8);        /* c_lflag: ~ICANON ~ECHO */
	HCHECK_EQ(SC(ioctl, 0, 0x5402, P(tio)), 0);    /* TCSETS */
	fake_console_out_len = 0;
	fake_console_feed("q\x7f");
	HCHECK_EQ(SC(read, 0, P(buf), 64), 2);
	HCHECK(buf[0] == 'q' && buf[1] == 0x7f);
	HCHECK_EQ(fake_console_out_len, 0);
	tio[12] |= 0x2 | 0x8;
	HCHECK_EQ(SC(ioctl, 0, 0x5402, P(tio)), 0);
	/* No controlling terminal: /dev/tty is ENXIO.  O_NONBLOCK with nothing typed. */
	HCHECK_EQ(SC(open, P("/dev/tty"), A(O_RDWR), 0), -ENXIO);
	fd = SC(open, P("/dev/console"), A(O_RDWR | O_NONBLOCK), 0);
	HCHECK_EQ(fd, 3);
	HCHECK_EQ(SC(read, A(fd), P(buf), 64), -EAGAIN);
	teardown();
}

/* ---------------------------------------------------------------- initramfs */

#define CPIO_TEST_MTIME 0x5f000000u    /* every entry's mtime (2020) */

static size_t cpio_add(char *buf, size_t at, const char *name, unsigned mode,
		       const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = data ? strlen(data) : 0;

	at += (size_t)sprintf(buf + at, "070701%08X%08X%08X%08X%08X%08X%08X"
			      "%08X%08X%08X%08X%08zX%08X", 1, mode, 0, 0, 1, CPIO_TEST_MTIME,
			      (unsigned)dlen, 0, 0, 0, 0, nlen, 0);
	memcpy(buf + at, name, nlen);
	at += nlen;
	while (at % 4)
		buf[at++] = 0;
	if (dlen)
		memcpy(buf + at, data, dlen);
	at += dlen;
	while (at % 4)
		buf[at++] = 0;
	return at;
}

HTEST(initramfs_unpack_tree)
{
	static char img[4096];
	struct linux_stat st;
	struct vnode *v;
	char buf[64];
	size_t n = 0;
	uint32_t mode;

	setup();
	n = cpio_add(img, n, ".", S_IFDIR | 0755, NULL);
	n = cpio_add(img, n, "./ir/bin", S_IFDIR | 0755, NULL);
	n = cpio_add(img, n, "ir/bin/hello", S_IFREG | 0755, "#!hello");
	n = cpio_add(img, n, "ir/deep/er/file", S_IFREG | 0600, "x");
	n = cpio_add(img, n, "ir/sh", S_IFLNK | 0777, "bin/hello");
	n = cpio_add(img, n, "ir/console", S_IFCHR | 0600, NULL);
	n = cpio_add(img, n, "TRAILER!!!", 0, NULL);
	fake_log_clear();
	HCHECK_EQ(initramfs_unpack(img, n), 0);
	HCHECK(strstr(fake_log, "initramfs: 3 files, 1 KiB") != NULL);
	HCHECK_EQ(get_file("/ir/sh", buf, sizeof(buf)), 7);
	HCHECK_STREQ(buf, "#!hello");
	HCHECK_EQ(lookup_mode("/ir/bin/hello", 0, &mode), 0);
	HCHECK_EQ(mode, S_IFREG | 0755);
	HCHECK_EQ(vfs_lookup(NULL, "/ir/bin/hello", 0, &v), 0);
	vfs_stat(v, &st);
	vnode_put(v);
	HCHECK_EQ(st.st_mtime, CPIO_TEST_MTIME);     /* the archive's time */
	HCHECK_EQ(lookup_mode("/ir/deep/er/file", 0, &mode), 0);
	HCHECK_EQ(lookup_mode("/ir/console", 0, &mode), -ENOENT);
	/* A second archive overrides files. */
	n = cpio_add(img, 0, "ir/bin/hello", S_IFREG | 0700, "new");
	n = cpio_add(img, n, "TRAILER!!!", 0, NULL);
	HCHECK_EQ(initramfs_unpack(img, n), 0);
	HCHECK_EQ(get_file("/ir/bin/hello", buf, sizeof(buf)), 3);
	HCHECK_EQ(initramfs_unpack("junk", 4), -EINVAL);
	memcpy(img, "070799", 6);
	HCHECK_EQ(initramfs_unpack(img, n), -EINVAL);
	const char *rm[] = { "/ir/bin/hello", "/ir/deep/er/file", "/ir/sh" };
	for (size_t i = 0; i < 3; i++)
		HCHECK_EQ(vfs_unlink(NULL, rm[i], false), 0);
	const char *rd[] = { "/ir/bin", "/ir/deep/er", "/ir/deep", "/ir" };
	for (size_t i = 0; i < 4; i++)
		HCHECK_EQ(vfs_unlink(NULL, rd[i], true), 0);
	teardown();
}

/* ---------------------------------------------------------------- kernel API */

HTEST(vfs_kernel_api)
{
	struct file *f;
	char buf[16];
	uint64_t h;

	setup();
	h = heap_bytes();
	put_file("/tmp/elf", "\x7f" "ELFdata");
	HCHECK_EQ(vfs_open_kernel("/tmp/elf", O_RDONLY, &f), 0);
	HCHECK_EQ(vfs_read_kernel(f, buf, 3, 1), 3);
	HCHECK(memcmp(buf, "ELF", 3) == 0);
	HCHECK_EQ(vfs_read_kernel(f, buf, 16, 100), 0);
	file_put(f);
	HCHECK_EQ(vfs_open_kernel("/tmp/none", O_RDONLY, &f), -ENOENT);
	HCHECK(vfs_root() != NULL && S_ISDIR(vfs_root()->mode));
	HCHECK_EQ(vfs_unlink(NULL, "/tmp/elf", false), 0);
	HCHECK_EQ(heap_bytes(), h);
	teardown();
}

/* ---------------------------------------------------------------- fs types, mounts */

static int htestfs_mounts, htestfs_unmounts;

/* A test type: ramfs instances, with the calls counted. */
static int htestfs_mount(struct fs_type *type, const char *source,
			 unsigned long flags, const void *data,
			 struct vnode **rootp)
{
	htestfs_mounts++;
	return ramfs_fs_type.mount(&ramfs_fs_type, source, flags, data, rootp);
}

static int htestfs_unmount(struct fs_type *type, struct vnode *root)
{
	htestfs_unmounts++;
	return ramfs_fs_type.unmount(&ramfs_fs_type, root);
}

static struct fs_type htestfs = {
	.name = "htestfs", .mount = htestfs_mount, .unmount = htestfs_unmount,
};

/* st_dev and inode of what path names. */
static int lookup_id(const char *path, uint32_t *dev, uint64_t *ino)
{
	struct vnode *v;
	int err = vfs_lookup(NULL, path, WALK_FOLLOW, &v);

	if (!err) {
		*dev = v->dev;
		*ino = v->ino;
		vnode_put(v);
	}
	return err;
}

HTEST(vfs_fs_type_registration)
{
	struct fs_type dup = { .name = "ramfs", .mount = htestfs_mount };

	setup();
	HCHECK_EQ(vfs_register_fs(&dup), -EBUSY);
	HCHECK_EQ(vfs_register_fs(&htestfs), 0);
	HCHECK_EQ(vfs_register_fs(&htestfs), -EBUSY);
	HCHECK_EQ(vfs_mkdir(NULL, "/mt", 0755), 0);
	HCHECK_EQ(vfs_mount(NULL, "/mt", "nosuchfs", 0, NULL), -ENODEV);
	HCHECK_EQ(vfs_mount(NULL, "/mt", "htestfs", MS_BIND, NULL), -EINVAL);
	HCHECK_EQ(htestfs_mounts, 0);
	HCHECK_EQ(vfs_unregister_fs(&htestfs), 0);
	HCHECK_EQ(vfs_unregister_fs(&htestfs), -ENOENT);
	HCHECK_EQ(vfs_mount(NULL, "/mt", "htestfs", 0, NULL), -ENODEV);
	HCHECK_EQ(vfs_unlink(NULL, "/mt", true), 0);
	teardown();
}

HTEST(vfs_mount_walk_and_umount)
{
	uint32_t dev, rootdev, mode;
	uint64_t ino, rootino;
	char buf[64];

	setup();
	htestfs_mounts = htestfs_unmounts = 0;
	HCHECK_EQ(vfs_register_fs(&htestfs), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/mt", 0755), 0);
	put_file("/mt/under", "hidden");
	HCHECK_EQ(lookup_id("/", &rootdev, &rootino), 0);
	/* Targets that cannot be mounted on. */
	HCHECK_EQ(vfs_mount(NULL, "/mt/under", "htestfs", 0, NULL), -ENOTDIR);
	HCHECK_EQ(vfs_mount(NULL, "/mt/none", "htestfs", 0, NULL), -ENOENT);
	HCHECK_EQ(vfs_mount(NULL, "/", "htestfs", 0, NULL), -EBUSY);
	HCHECK_EQ(vfs_mount(NULL, "/mt", "devfs", 0, NULL), -EBUSY);
	HCHECK_EQ(htestfs_mounts, 0);

	/* Mounted: a new file system hides what was there. */
	HCHECK_EQ(vfs_mount("src", "/mt", "htestfs", 0, NULL), 0);
	HCHECK_EQ(htestfs_mounts, 1);
	HCHECK_EQ(lookup_id("/mt", &dev, &ino), 0);
	HCHECK(dev != rootdev);
	HCHECK_EQ(lookup_mode("/mt/under", 0, &mode), -ENOENT);
	HCHECK_EQ(vfs_mkdir(NULL, "/mt/d", 0755), 0);
	put_file("/mt/d/f", "data");
	HCHECK_EQ(get_file("/mt/d/../../mt/./d/f", buf, sizeof(buf)), 4);
	/* ".." leaves the mount through its mount point. */
	HCHECK_EQ(lookup_id("/mt/..", &dev, &ino), 0);
	HCHECK(dev == rootdev && ino == rootino);
	HCHECK_EQ(lookup_id("/mt/d/../..", &dev, &ino), 0);
	HCHECK(dev == rootdev && ino == rootino);
	HCHECK_EQ(SC(chdir, P("/mt/d")), 0);
	HCHECK_EQ(SC(getcwd, P(buf), sizeof(buf)), 6);
	HCHECK_STREQ(buf, "/mt/d");
	HCHECK_EQ(lookup_mode("../../mt/d/f", 0, &mode), 0);
	/* Mount points and other file systems are out of reach. */
	HCHECK_EQ(vfs_rename(NULL, "/mt/d/f", NULL, "/f"), -EXDEV);
	HCHECK_EQ(vfs_unlink(NULL, "/mt", true), -EBUSY);
	HCHECK_EQ(vfs_rename(NULL, "/mt", NULL, "/mt2"), -EBUSY);
	HCHECK_EQ(vfs_unregister_fs(&htestfs), -EBUSY);

	/* Busy: not empty (the type refuses, the mount stays). */
	HCHECK_EQ(vfs_umount("/mt"), -EBUSY);
	HCHECK_EQ(htestfs_unmounts, 1);
	HCHECK_EQ(lookup_mode("/mt/d/f", 0, &mode), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mt/d/f", false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mt/d", true), 0);
	/* Busy: a cwd holds the root (the type is not even asked). */
	HCHECK_EQ(SC(chdir, P("/mt")), 0);
	HCHECK_EQ(vfs_umount("/mt"), -EBUSY);
	HCHECK_EQ(htestfs_unmounts, 1);
	HCHECK_EQ(SC(chdir, P("/")), 0);
	/* Busy: a mount inside it. */
	HCHECK_EQ(vfs_mkdir(NULL, "/mt/in", 0755), 0);
	HCHECK_EQ(vfs_mount(NULL, "/mt/in", "htestfs", 0, NULL), 0);
	HCHECK_EQ(vfs_umount("/mt"), -EBUSY);
	HCHECK_EQ(htestfs_unmounts, 1);
	HCHECK_EQ(vfs_umount("/mt/in"), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mt/in", true), 0);
	/* Stacked: a second mount on the first one's root. */
	HCHECK_EQ(vfs_mount(NULL, "/mt", "htestfs", 0, NULL), 0);
	HCHECK_EQ(lookup_id("/mt/..", &dev, &ino), 0);
	HCHECK(dev == rootdev && ino == rootino);
	HCHECK_EQ(vfs_umount("/mt"), 0);
	HCHECK_EQ(vfs_umount("/mt"), 0);
	HCHECK_EQ(htestfs_unmounts, 4);
	HCHECK_EQ(htestfs_mounts, 3);

	/* Back to the directory underneath. */
	HCHECK_EQ(get_file("/mt/under", buf, sizeof(buf)), 6);
	HCHECK_EQ(vfs_umount("/mt"), -EINVAL);
	HCHECK_EQ(vfs_umount("/"), -EINVAL);
	HCHECK_EQ(vfs_umount("/dev"), -EBUSY);  /* devfs has no unmount */
	HCHECK_EQ(vfs_umount("/nonesuch"), -ENOENT);
	HCHECK_EQ(vfs_unregister_fs(&htestfs), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mt/under", false), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mt", true), 0);
	teardown();
}

/*
 * A ramfs whose directory entries are all gone may still have live nodes:
 * a removed directory someone holds, an unlinked file still open.  Unmount
 * must refuse then (and the instance must outlive such a node): under
 * ASan a use after free here fails the test.
 */
HTEST(vfs_umount_ramfs_with_removed_node)
{
	struct vnode *d, *f;

	setup();
	HCHECK_EQ(vfs_mkdir(NULL, "/mr", 0755), 0);
	HCHECK_EQ(vfs_mount(NULL, "/mr", "ramfs", 0, NULL), 0);
	HCHECK_EQ(vfs_mkdir(NULL, "/mr/d", 0755), 0);
	put_file("/mr/f", "data");
	HCHECK_EQ(vfs_lookup(NULL, "/mr/d", WALK_FOLLOW, &d), 0);
	HCHECK_EQ(vfs_lookup(NULL, "/mr/f", WALK_FOLLOW, &f), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mr/d", true), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mr/f", false), 0);
	HCHECK_EQ(vfs_umount("/mr"), -EBUSY);       /* d and f are alive */
	vnode_put(d);
	HCHECK_EQ(vfs_umount("/mr"), -EBUSY);       /* f is */
	vnode_put(f);
	HCHECK_EQ(vfs_umount("/mr"), 0);
	HCHECK_EQ(vfs_unlink(NULL, "/mr", true), 0);
	teardown();
}

/* ---------------------------------------------------------------- poll */

#define RDMASK (POLLIN | POLLRDNORM)
#define WRMASK (POLLOUT | POLLWRNORM)
#define HT_PT_MAX 4

/* A poll table that puts a waiter on each queue, as poll(2) would. */
struct ht_pt {
	struct poll_table pt;
	struct waiter w[HT_PT_MAX];
	struct waitq *wq[HT_PT_MAX];
	int n;
};

static void ht_pt_queue(struct file *f, struct waitq *wq, struct poll_table *pt)
{
	struct ht_pt *t = container_of(pt, struct ht_pt, pt);
	struct waiter *w = &t->w[t->n];

	HCHECK(t->n < HT_PT_MAX);
	w->thread = NULL;
	w->woken = false;
	spin_lock(&wq->lock);
	list_add_tail(&wq->waiters, &w->node);
	spin_unlock(&wq->lock);
	t->wq[t->n++] = wq;
}

static void ht_pt_init(struct ht_pt *t)
{
	memset(t, 0, sizeof(*t));
	t->pt.queue = ht_pt_queue;
}

/* Take every entry off its queue (a woken one is off already). */
static void ht_pt_done(struct ht_pt *t)
{
	for (int i = 0; i < t->n; i++) {
		spin_lock(&t->wq[i]->lock);
		list_remove(&t->w[i].node);
		spin_unlock(&t->wq[i]->lock);
	}
	t->n = 0;
}

static void pipe_fill(struct file *wr, size_t n)
{
	static char big[PIPE_SIZE];

	HCHECK_EQ(file_write(wr, IOBUF_KERNEL(big), n), (long)n);
}

static void pipe_drain(struct file *rd, size_t n)
{
	static char big[PIPE_SIZE];

	HCHECK_EQ(file_read(rd, IOBUF_KERNEL(big), n), (long)n);
}

HTEST(vfs_poll_pipe_masks)
{
	struct file *rd, *wr;

	setup();
	HCHECK_EQ(pipe_create(O_NONBLOCK, &rd, &wr), 0);
	/* Empty. */
	HCHECK_EQ(vfs_poll(rd, NULL), 0);
	HCHECK_EQ(vfs_poll(wr, NULL), WRMASK);
	/* Data. */
	pipe_fill(wr, 1);
	HCHECK_EQ(vfs_poll(rd, NULL), RDMASK);
	HCHECK_EQ(vfs_poll(wr, NULL), WRMASK);
	/* Full, and writable again only once PIPE_BUF bytes fit. */
	pipe_fill(wr, PIPE_SIZE - 1);
	HCHECK_EQ(vfs_poll(rd, NULL), RDMASK);
	HCHECK_EQ(vfs_poll(wr, NULL), 0);
	pipe_drain(rd, PIPE_BUF - 1);
	HCHECK_EQ(vfs_poll(wr, NULL), 0);
	pipe_drain(rd, 1);
	HCHECK_EQ(vfs_poll(wr, NULL), WRMASK);
	/* Writer closed: hung up, readable while data is left. */
	file_put(wr);
	HCHECK_EQ(vfs_poll(rd, NULL), RDMASK | POLLHUP);
	pipe_drain(rd, PIPE_SIZE - PIPE_BUF);
	HCHECK_EQ(vfs_poll(rd, NULL), POLLHUP);
	file_put(rd);
	/* Reader closed: an error on the write end, full or not. */
	HCHECK_EQ(pipe_create(O_NONBLOCK, &rd, &wr), 0);
	pipe_fill(wr, PIPE_SIZE);
	file_put(rd);
	HCHECK_EQ(vfs_poll(wr, NULL), POLLERR);
	file_put(wr);
	HCHECK_EQ(pipe_create(0, &rd, &wr), 0);
	file_put(rd);
	HCHECK_EQ(vfs_poll(wr, NULL), WRMASK | POLLERR);
	file_put(wr);
	teardown();
}

HTEST(vfs_poll_pipe_wakeups)
{
	struct file *rd, *wr;
	struct ht_pt t;

	setup();
	HCHECK_EQ(pipe_create(O_NONBLOCK, &rd, &wr), 0);
	/* A write wakes the read end's pollers, and only them. */
	ht_pt_init(&t);
	HCHECK_EQ(vfs_poll(rd, &t.pt), 0);
	HCHECK_EQ(t.n, 1);
	HCHECK(!t.w[0].woken);
	pipe_fill(wr, PIPE_SIZE);
	HCHECK(t.w[0].woken);
	ht_pt_done(&t);
	/* A read wakes the write end's. */
	HCHECK_EQ(vfs_poll(wr, &t.pt), 0);
	HCHECK_EQ(t.n, 1);
	HCHECK(!t.w[0].woken);
	pipe_drain(rd, PIPE_SIZE);
	HCHECK(t.w[0].woken);
	ht_pt_done(&t);
	/* Closing one end wakes the other end's. */
	HCHECK_EQ(vfs_poll(rd, &t.pt), 0);
	file_put(wr);
	HCHECK(t.w[0].woken);
	HCHECK_EQ(vfs_poll(rd, NULL), POLLHUP);
	ht_pt_done(&t);
	file_put(rd);
	HCHECK_EQ(pipe_create(O_NONBLOCK, &rd, &wr), 0);
	HCHECK_EQ(vfs_poll(wr, &t.pt), WRMASK);
	file_put(rd);
	HCHECK(t.w[0].woken);
	ht_pt_done(&t);
	file_put(wr);
	teardown();
}

static const struct file_ops ht_nopoll_ops = { .mode = S_IFIFO | 0600 };

HTEST(vfs_poll_files_and_devices)
{
	struct file *f;
	struct ht_pt t;
	char buf[8];

	setup();
	/* No poll op: Linux's default mask. */
	f = file_alloc(&ht_nopoll_ops, NULL, NULL, O_RDWR);
	HCHECK(f != NULL);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	/* ramfs files and directories, /dev/null, /dev/zero never block. */
	put_file("/pf", "x");
	HCHECK_EQ(kopen("/pf", O_RDONLY, &f), 0);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	HCHECK_EQ(kopen("/", O_RDONLY | O_DIRECTORY, &f), 0);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	HCHECK_EQ(kopen("/dev", O_RDONLY | O_DIRECTORY, &f), 0);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	HCHECK_EQ(kopen("/dev/null", O_RDWR, &f), 0);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	HCHECK_EQ(kopen("/dev/zero", O_RDONLY, &f), 0);
	HCHECK_EQ(vfs_poll(f, NULL), DEFAULT_POLLMASK);
	file_put(f);
	HCHECK_EQ(vfs_unlink(NULL, "/pf", false), 0);

	/* The console: writable; readable once a whole line is typed. */
	HCHECK_EQ(kopen("/dev/console", O_RDWR | O_NONBLOCK, &f), 0);
	ht_pt_init(&t);
	HCHECK_EQ(vfs_poll(f, &t.pt), WRMASK);
	HCHECK_EQ(t.n, 1);              /* the terminal's queue */
	fake_console_out_len = 0;
	fake_console_feed("ab");
	HCHECK(!t.w[0].woken);          /* half a line is not readable */
	HCHECK_EQ(fake_console_out_len, 2);     /* echoed as it arrived */
	HCHECK_EQ(vfs_poll(f, NULL), WRMASK);
	fake_console_feed("\r");
	HCHECK(t.w[0].woken);           /* a complete line wakes pollers */
	ht_pt_done(&t);
	HCHECK_EQ(vfs_poll(f, NULL), WRMASK | RDMASK);
	HCHECK_EQ(file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 3);
	HCHECK(memcmp(buf, "ab\n", 3) == 0);
	HCHECK_EQ(vfs_poll(f, NULL), WRMASK);
	/* ^D on an empty line is readable (end of file). */
	HCHECK_EQ(vfs_poll(f, &t.pt), WRMASK);
	HCHECK_EQ(file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), -EAGAIN);
	fake_console_feed("\x04");
	HCHECK(t.w[0].woken);
	ht_pt_done(&t);
	HCHECK_EQ(vfs_poll(f, NULL), WRMASK | RDMASK);
	HCHECK_EQ(file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 0);
	HCHECK_EQ(vfs_poll(f, NULL), WRMASK);
	file_put(f);
	teardown();
}
