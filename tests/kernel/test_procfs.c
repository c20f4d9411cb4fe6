/*
 * test_procfs.c - in-kernel tests of /proc through the kernel file API:
 * the writable host name (one name for uname and /proc), reads in pieces
 * cut from one snapshot, a proc instance that cannot be unmounted while a
 * node of it is held and gives all of its memory back when it goes, and
 * tmpfs's unmount that discards its files.  The per-process files need
 * processes: the user-space suite (user/ut_procfs.c) covers them.
 */
#include <keel/ktest.h>
#include <keel/fd.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/utsname.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>

#define KT_PROC_BUF 512

static uint64_t kt_proc_heap(void)
{
	struct kmem_stats st;

	kmalloc_stats(&st);
	return st.bytes_in_use;
}

/* Write text to path at offset 0 (a new open): bytes written or -Exxx. */
static ssize_t kt_proc_write(const char *path, const char *text)
{
	struct file *f;
	ssize_t n;
	int err = vfs_open_kernel(path, O_WRONLY, &f);

	if (err)
		return err;
	n = file_write(f, IOBUF_KERNEL(text), strlen(text));
	file_put(f);
	return n;
}

/* Read path whole into buf (NUL-terminated): its length or -Exxx. */
static ssize_t kt_proc_read(const char *path, char *buf, size_t size)
{
	struct file *f;
	ssize_t n;
	int err = vfs_open_kernel(path, O_RDONLY, &f);

	if (err)
		return err;
	n = vfs_read_kernel(f, buf, size - 1, 0);
	file_put(f);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

KTEST(procfs_hostname_roundtrip)
{
	char old[UTS_LEN], now[UTS_LEN], buf[KT_PROC_BUF];
	char toolong[UTS_LEN + 1];

	uts_hostname(old, sizeof(old));
	KT_CHECK_EQ(t, kt_proc_write("/proc/sys/kernel/hostname", "kt-host\n"), 8);
	uts_hostname(now, sizeof(now));
	KT_CHECK(t, strcmp(now, "kt-host") == 0);
	KT_CHECK_EQ(t, kt_proc_read("/proc/sys/kernel/hostname", buf, sizeof(buf)), 8);
	KT_CHECK(t, strcmp(buf, "kt-host\n") == 0);
	memset(toolong, 'x', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	/* Too long: cut to the maximum, as Linux's sysctl strings. */
	KT_CHECK_EQ(t, kt_proc_write("/proc/sys/kernel/hostname", toolong),
		    (ssize_t)strlen(toolong));
	uts_hostname(now, sizeof(now));
	KT_CHECK_EQ(t, strlen(now), (size_t)UTS_NAME_MAX);
	KT_CHECK_EQ(t, uts_set_hostname(toolong, strlen(toolong)), -EINVAL);
	KT_CHECK_EQ(t, kt_proc_write("/proc/sys/kernel/ostype", "x"), -EACCES);
	KT_CHECK_EQ(t, uts_set_hostname(old, strlen(old)), 0);
}

KTEST(procfs_reads_in_pieces)
{
	char whole[KT_PROC_BUF] = { 0 }, pieces[KT_PROC_BUF] = { 0 };
	struct file *f;
	size_t at = 0;
	ssize_t n;

	KT_CHECK(t, kt_proc_read("/proc/version", whole, sizeof(whole)) > 0);
	KT_CHECK_EQ(t, vfs_open_kernel("/proc/version", O_RDONLY, &f), 0);
	while ((n = file_read(f, IOBUF_KERNEL(pieces + at), 7)) > 0)
		at += (size_t)n;
	KT_CHECK_EQ(t, n, 0);
	KT_CHECK_EQ(t, at, strlen(whole));
	KT_CHECK(t, memcmp(whole, pieces, at) == 0);
	/* A read in the middle of the text cuts from the same snapshot. */
	KT_CHECK_EQ(t, vfs_read_kernel(f, pieces, 5, 6), 5);
	KT_CHECK(t, memcmp(pieces, whole + 6, 5) == 0);
	file_put(f);
}

KTEST(procfs_mount_busy_and_memory)
{
	uint64_t heap = kt_proc_heap();
	struct vnode *v;

	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/ktproc", 0755), 0);
	KT_CHECK_EQ(t, vfs_mount("proc", "/tmp/ktproc", "proc", 0, NULL), 0);
	KT_CHECK_EQ(t, vfs_mount("proc", "/tmp/ktproc", "proc", 0, "hidepid=2"), -EINVAL);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/ktproc/sys/kernel", WALK_DIRECTORY, &v), 0);
	KT_CHECK_EQ(t, vfs_umount("/tmp/ktproc"), -EBUSY);
	vnode_put(v);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/ktproc/sys/kernel/ostype", 0, &v), 0);
	KT_CHECK(t, S_ISREG(v->mode) && v->size == 0);
	vnode_put(v);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/ktproc/999999999", 0, &v), -ENOENT);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/ktproc/007", 0, &v), -ENOENT);
	KT_CHECK_EQ(t, vfs_umount("/tmp/ktproc"), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktproc", true), 0);
	KT_CHECK(t, kt_proc_heap() <= heap); /* earlier tests may still be freeing */
}

KTEST(tmpfs_unmount_discards_files)
{
	uint64_t heap = kt_proc_heap();
	struct file *f;
	struct vnode *v;

	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/kttmp", 0755), 0);
	KT_CHECK_EQ(t, vfs_mount("none", "/tmp/kttmp", "tmpfs", 0, "mode=700,size=1m"), 0);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/kttmp", 0, &v), 0);
	KT_CHECK_EQ(t, v->mode, (uint32_t)(S_IFDIR | 0700));
	vnode_put(v);
	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/kttmp/a", 0755), 0);
	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/kttmp/a/b", 0755), 0);
	KT_CHECK_EQ(t, vfs_symlink(NULL, "a", "/tmp/kttmp/l"), 0);
	KT_CHECK_EQ(t, vfs_open(NULL, "/tmp/kttmp/a/b/f", O_CREAT | O_WRONLY, 0644, &f), 0);
	KT_CHECK_EQ(t, file_write(f, IOBUF_KERNEL("data"), 4), 4);
	KT_CHECK_EQ(t, vfs_umount("/tmp/kttmp"), -EBUSY); /* f is open */
	file_put(f);
	KT_CHECK_EQ(t, vfs_umount("/tmp/kttmp"), 0);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/kttmp/a", 0, &v), -ENOENT);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/kttmp", true), 0);
	KT_CHECK(t, kt_proc_heap() <= heap); /* earlier tests may still be freeing */
}
