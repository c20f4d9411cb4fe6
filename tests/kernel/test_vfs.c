/*
 * test_vfs.c - in-kernel tests of the file layer through its kernel API
 * (no process needed): ramfs files and directories, symlinks, devices,
 * non-blocking pipes, fd tables, the initramfs unpacker, file-system types
 * and mounts, the poll op (masks, and wakeups of a registered waiter), and
 * that every byte of heap comes back once files are closed and unlinked.  Blocking
 * pipe and tty paths are covered by the user-space suite.
 */
#include <keel/ktest.h>
#include <keel/fd.h>
#include <keel/pipe.h>
#include <keel/initramfs.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/pmm.h>
#include <keel/thread.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

static uint64_t kt_heap(void)
{
	struct kmem_stats st;

	kmalloc_stats(&st);
	return st.bytes_in_use;
}

static int kt_put(const char *path, const void *data, size_t n)
{
	struct file *f;
	ssize_t w;
	int err = vfs_open(NULL, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);

	if (err)
		return err;
	w = file_write(f, IOBUF_KERNEL(data), n);
	file_put(f);
	return w == (ssize_t)n ? 0 : -EIO;
}

KTEST(vfs_files_roundtrip)
{
	static char data[10000], back[10000];
	uint64_t heap = kt_heap();
	struct file *f;
	struct vnode *v;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 251);
	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/kt", 0755), 0);
	KT_CHECK_EQ(t, kt_put("/tmp/kt/a", data, sizeof(data)), 0);
	KT_CHECK_EQ(t, vfs_open_kernel("/tmp/kt/a", O_RDONLY, &f), 0);
	KT_CHECK_EQ(t, vfs_read_kernel(f, back, sizeof(back), 0), (long)sizeof(back));
	KT_CHECK(t, memcmp(data, back, sizeof(data)) == 0);
	KT_CHECK_EQ(t, vfs_read_kernel(f, back, 10, 9995), 5);
	KT_CHECK_EQ(t, file_write(f, IOBUF_KERNEL("x"), 1), -EBADF);
	/* Unlinked while open: still readable, freed at the last close. */
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/kt/a", false), 0);
	KT_CHECK_EQ(t, vfs_read_kernel(f, back, 4, 0), 4);
	file_put(f);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/kt/a", 0, &v), -ENOENT);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/kt", true), 0);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

KTEST(vfs_walk_and_symlinks)
{
	uint64_t heap = kt_heap();
	struct vnode *v;
	char buf[32];

	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/w", 0755), 0);
	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/w/d", 0755), 0);
	KT_CHECK_EQ(t, kt_put("/tmp/w/d/f", "abc", 3), 0);
	KT_CHECK_EQ(t, vfs_symlink(NULL, "d", "/tmp/w/l"), 0);
	KT_CHECK_EQ(t, vfs_symlink(NULL, "/tmp/w/self", "/tmp/w/self"), 0);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/w/l/f", 0, &v), 0);
	KT_CHECK(t, S_ISREG(v->mode) && v->size == 3);
	vnode_put(v);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/w/l/../d/./f", 0, &v), 0);
	vnode_put(v);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/w/self", WALK_FOLLOW, &v), -ELOOP);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/w/d/f/", 0, &v), -ENOTDIR);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/w/nope", 0, &v), -ENOENT);
	KT_CHECK_EQ(t, vfs_readlink(NULL, "/tmp/w/l", buf, sizeof(buf)), 1);
	KT_CHECK_EQ(t, vfs_rename(NULL, "/tmp/w/d/f", NULL, "/tmp/w/g"), 0);
	KT_CHECK_EQ(t, vfs_rename(NULL, "/tmp/w/g", NULL, "/dev/g"), -EXDEV);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w", true), -ENOTEMPTY);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w/g", false), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w/l", false), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w/self", false), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w/d", true), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/w", true), 0);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

KTEST(vfs_devices)
{
	uint64_t heap = kt_heap();
	struct file *f;
	char buf[8] = "xxxxxxx";

	KT_CHECK_EQ(t, vfs_open_kernel("/dev/zero", O_RDWR, &f), 0);
	KT_CHECK_EQ(t, file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 8);
	KT_CHECK(t, buf[0] == 0 && buf[7] == 0);
	KT_CHECK_EQ(t, file_write(f, IOBUF_KERNEL(buf), 8), 8);
	file_put(f);
	KT_CHECK_EQ(t, vfs_open_kernel("/dev/null", O_RDWR | O_TRUNC, &f), 0);
	KT_CHECK_EQ(t, file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 0);
	KT_CHECK_EQ(t, file_write(f, IOBUF_KERNEL(buf), 8), 8);
	file_put(f);
	KT_CHECK_EQ(t, vfs_open_kernel("/dev/console", O_WRONLY, &f), 0);
	KT_CHECK_EQ(t, file_write(f, IOBUF_KERNEL("ktest:   console ok\n"), 20), 20);
	KT_CHECK(t, f->ops->ioctl != NULL);
	file_put(f);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

KTEST(vfs_pipe_nonblocking)
{
	static char big[PIPE_SIZE];
	uint64_t heap = kt_heap();
	struct file *rd, *wr;
	char buf[8];

	KT_CHECK_EQ(t, pipe_create(O_NONBLOCK, &rd, &wr), 0);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(buf), 8), -EAGAIN);
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL("ping"), 4), 4);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(buf), 8), 4);
	KT_CHECK(t, memcmp(buf, "ping", 4) == 0);
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL(big), PIPE_SIZE), PIPE_SIZE);
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL(big), 1), -EAGAIN);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(big), PIPE_SIZE), PIPE_SIZE);
	KT_CHECK_EQ(t, file_pread(rd, IOBUF_KERNEL(buf), 1, 0), -ESPIPE);
	file_put(wr);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(buf), 8), 0);   /* EOF */
	file_put(rd);
	KT_CHECK_EQ(t, pipe_create(0, &rd, &wr), 0);
	file_put(rd);
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL("x"), 1), -EPIPE);
	file_put(wr);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

KTEST(vfs_fdtable)
{
	uint64_t heap = kt_heap();
	struct fdtable *a = fdtable_create(), *b;
	struct file *f;

	KT_CHECK(t, a != NULL);
	KT_CHECK_EQ(t, fd_install_console(a), 0);
	KT_CHECK_EQ(t, vfs_open_kernel("/dev/null", O_RDONLY, &f), 0);
	KT_CHECK_EQ(t, fd_alloc(a, f, 0, true), 3);
	KT_CHECK_EQ(t, fd_install_at(a, 300, file_get(f), false), 300);
	KT_CHECK(t, a->size >= 301);
	b = fdtable_clone(a);
	KT_CHECK(t, b != NULL);
	fdtable_close_on_exec(b);
	KT_CHECK(t, fdtable_lookup(b, 3) == NULL);
	f = fdtable_lookup(b, 300);
	KT_CHECK(t, f != NULL);
	if (f)
		file_put(f);
	KT_CHECK_EQ(t, fd_close(b, 300), 0);
	KT_CHECK_EQ(t, fd_close(b, 300), -EBADF);
	fdtable_put(b);
	fdtable_put(a);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

/* A newc cpio entry at buf + at; the new end. */
static size_t kt_cpio_add(char *buf, size_t at, const char *name, unsigned mode,
			  const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = data ? strlen(data) : 0;

	at += (size_t)snprintf(buf + at, 111, "070701%08X%08X%08X%08X%08X%08X%08X"
			       "%08X%08X%08X%08X%08X%08X", 1, mode, 0, 0, 1, 0,
			       (unsigned)dlen, 0, 0, 0, 0, (unsigned)nlen, 0);
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

KTEST(vfs_initramfs_unpack)
{
	static char img[1024];
	uint64_t heap = kt_heap();
	struct file *f;
	char buf[8];
	size_t n;

	n = kt_cpio_add(img, 0, "tmp/ktir/bin/prog", S_IFREG | 0755, "prog");
	n = kt_cpio_add(img, n, "tmp/ktir/link", S_IFLNK | 0777, "bin/prog");
	n = kt_cpio_add(img, n, "TRAILER!!!", 0, NULL);
	KT_CHECK_EQ(t, initramfs_unpack(img, n), 0);
	KT_CHECK_EQ(t, vfs_open_kernel("/tmp/ktir/link", O_RDONLY, &f), 0);
	KT_CHECK_EQ(t, vfs_read_kernel(f, buf, sizeof(buf), 0), 4);
	file_put(f);
	KT_CHECK_EQ(t, initramfs_unpack("junk", 4), -EINVAL);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktir/link", false), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktir/bin/prog", false), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktir/bin", true), 0);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktir", true), 0);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

/* Everything freed gives its frames back too. */
KTEST(vfs_memory_returns)
{
	static char page[4096];
	uint64_t frames, heap;

	kmalloc_shrink();
	frames = pmm_free_frames();
	heap = kt_heap();
	for (int i = 0; i < 64; i++)
		KT_CHECK_EQ(t, kt_put("/tmp/mem", page, sizeof(page)) , 0);
	{
		struct file *f;

		KT_CHECK_EQ(t, vfs_open(NULL, "/tmp/mem", O_WRONLY | O_APPEND, 0, &f), 0);
		for (int i = 0; i < 256; i++)
			file_write(f, IOBUF_KERNEL(page), sizeof(page));
		file_put(f);
	}
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/mem", false), 0);
	kmalloc_shrink();
	KT_CHECK_EQ(t, kt_heap(), heap);
	KT_CHECK_EQ(t, pmm_free_frames(), frames);
}

/* ---------------------------------------------------------------- fs types, mounts */

static int kt_fs_mounts;

/* A test file-system type: ramfs instances, mounts counted. */
static int kt_fs_mount(struct fs_type *type, const char *source,
		       unsigned long flags, const void *data, struct vnode **rootp)
{
	kt_fs_mounts++;
	return ramfs_fs_type.mount(&ramfs_fs_type, source, flags, data, rootp);
}

static int kt_fs_unmount(struct fs_type *type, struct vnode *root)
{
	return ramfs_fs_type.unmount(&ramfs_fs_type, root);
}

static struct fs_type kt_fs_type = {
	.name = "ktestfs", .mount = kt_fs_mount, .unmount = kt_fs_unmount,
};

KTEST(vfs_fs_types_and_mounts)
{
	struct fs_type dup = { .name = "devfs", .mount = kt_fs_mount };
	uint64_t heap = kt_heap();
	struct vnode *tmp, *in, *out;
	char buf[8];
	struct file *f;

	kt_fs_mounts = 0;
	KT_CHECK_EQ(t, vfs_register_fs(&dup), -EBUSY);
	KT_CHECK_EQ(t, vfs_register_fs(&kt_fs_type), 0);
	KT_CHECK_EQ(t, vfs_register_fs(&kt_fs_type), -EBUSY);
	KT_CHECK_EQ(t, vfs_mkdir(NULL, "/tmp/ktmnt", 0755), 0);
	KT_CHECK_EQ(t, vfs_mount(NULL, "/tmp/ktmnt", "nosuchfs", 0, NULL), -ENODEV);
	KT_CHECK_EQ(t, vfs_mount(NULL, "/tmp/ktmnt", "ktestfs", 0, NULL), 0);
	KT_CHECK_EQ(t, kt_fs_mounts, 1);
	/* In: a different file system; out again with "..". */
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp", 0, &tmp), 0);
	KT_CHECK_EQ(t, vfs_lookup(NULL, "/tmp/ktmnt", 0, &in), 0);
	KT_CHECK(t, in->dev != tmp->dev && S_ISDIR(in->mode));
	KT_CHECK_EQ(t, vfs_lookup(in, "..", 0, &out), 0);
	KT_CHECK(t, out == tmp);
	vnode_put(out);
	KT_CHECK_EQ(t, kt_put("/tmp/ktmnt/f", "mounted", 7), 0);
	KT_CHECK_EQ(t, vfs_open_kernel("/tmp/ktmnt/../ktmnt/f", O_RDONLY, &f), 0);
	KT_CHECK_EQ(t, vfs_read_kernel(f, buf, sizeof(buf), 0), 7);
	KT_CHECK(t, f->vnode->dev == in->dev);
	file_put(f);
	vnode_put(in);
	vnode_put(tmp);
	KT_CHECK_EQ(t, vfs_rename(NULL, "/tmp/ktmnt/f", NULL, "/tmp/f"), -EXDEV);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktmnt", true), -EBUSY);
	KT_CHECK_EQ(t, vfs_unregister_fs(&kt_fs_type), -EBUSY);
	KT_CHECK_EQ(t, vfs_umount("/tmp/ktmnt"), -EBUSY);          /* not empty */
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktmnt/f", false), 0);
	KT_CHECK_EQ(t, vfs_umount("/tmp/ktmnt"), 0);
	KT_CHECK_EQ(t, vfs_umount("/tmp/ktmnt"), -EINVAL);
	KT_CHECK_EQ(t, vfs_unregister_fs(&kt_fs_type), 0);
	KT_CHECK_EQ(t, vfs_mount(NULL, "/tmp/ktmnt", "ktestfs", 0, NULL), -ENODEV);
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktmnt", true), 0);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

/* ---------------------------------------------------------------- poll */

#define KT_RD (POLLIN | POLLRDNORM)
#define KT_WR (POLLOUT | POLLWRNORM)

/* A poll table with one entry for this thread, as poll(2) would queue. */
struct kt_pt {
	struct poll_table pt;
	struct waiter w;
	struct waitq *wq;
	int queued;
};

static void kt_pt_queue(struct file *f, struct waitq *wq, struct poll_table *pt)
{
	struct kt_pt *k = container_of(pt, struct kt_pt, pt);

	k->queued++;
	k->wq = wq;
	k->w.thread = thread_current();
	k->w.woken = false;
	spin_lock(&wq->lock);
	list_add_tail(&wq->waiters, &k->w.node);
	spin_unlock(&wq->lock);
}

/* Take the entry off its queue (wake_up unlinked it if it woke). */
static void kt_pt_done(struct kt_pt *k)
{
	spin_lock(&k->wq->lock);
	list_remove(&k->w.node);
	spin_unlock(&k->wq->lock);
}

static void kt_pt_init(struct kt_pt *k)
{
	memset(k, 0, sizeof(*k));
	k->pt.queue = kt_pt_queue;
}

KTEST(vfs_poll_pipe)
{
	static char big[PIPE_SIZE];
	uint64_t heap = kt_heap();
	struct file *rd, *wr;
	struct kt_pt k;

	KT_CHECK_EQ(t, pipe_create(O_NONBLOCK, &rd, &wr), 0);
	KT_CHECK_EQ(t, vfs_poll(rd, NULL), 0);                      /* empty */
	KT_CHECK_EQ(t, vfs_poll(wr, NULL), KT_WR);
	/* A registered reader is woken by a write. */
	kt_pt_init(&k);
	KT_CHECK_EQ(t, vfs_poll(rd, &k.pt), 0);
	KT_CHECK(t, k.queued == 1 && !k.w.woken);
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL("x"), 1), 1);
	KT_CHECK(t, k.w.woken);
	kt_pt_done(&k);
	KT_CHECK_EQ(t, vfs_poll(rd, NULL), KT_RD);                  /* data */
	KT_CHECK_EQ(t, file_write(wr, IOBUF_KERNEL(big), PIPE_SIZE - 1), PIPE_SIZE - 1);
	KT_CHECK_EQ(t, vfs_poll(wr, NULL), 0);                      /* full */
	/* A registered writer is woken by a read. */
	kt_pt_init(&k);
	KT_CHECK_EQ(t, vfs_poll(wr, &k.pt), 0);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(big), PIPE_BUF), PIPE_BUF);
	KT_CHECK(t, k.w.woken);
	kt_pt_done(&k);
	KT_CHECK_EQ(t, vfs_poll(wr, NULL), KT_WR);
	/* Writer gone: hang-up, and the reader's entry is woken. */
	kt_pt_init(&k);
	KT_CHECK_EQ(t, vfs_poll(rd, &k.pt), KT_RD);
	file_put(wr);
	KT_CHECK(t, k.w.woken);
	kt_pt_done(&k);
	KT_CHECK_EQ(t, vfs_poll(rd, NULL), KT_RD | POLLHUP);
	KT_CHECK_EQ(t, file_read(rd, IOBUF_KERNEL(big), PIPE_SIZE), PIPE_SIZE - PIPE_BUF);
	KT_CHECK_EQ(t, vfs_poll(rd, NULL), POLLHUP);
	file_put(rd);
	/* Reader gone: an error on the write end. */
	KT_CHECK_EQ(t, pipe_create(0, &rd, &wr), 0);
	kt_pt_init(&k);
	KT_CHECK_EQ(t, vfs_poll(wr, &k.pt), KT_WR);
	file_put(rd);
	KT_CHECK(t, k.w.woken);
	kt_pt_done(&k);
	KT_CHECK_EQ(t, vfs_poll(wr, NULL), KT_WR | POLLERR);
	file_put(wr);
	KT_CHECK_EQ(t, kt_heap(), heap);
}

static const struct file_ops kt_nopoll_ops = { .mode = S_IFIFO | 0600 };

KTEST(vfs_poll_files_and_devices)
{
	static const char *const never_block[] = {
		"/tmp/ktpoll", "/tmp", "/dev", "/dev/null", "/dev/zero",
	};
	uint64_t heap = kt_heap();
	struct file *f;

	f = file_alloc(&kt_nopoll_ops, NULL, NULL, O_RDWR);
	KT_CHECK(t, f != NULL);
	if (f) {
		KT_CHECK_EQ(t, vfs_poll(f, NULL), DEFAULT_POLLMASK);
		file_put(f);
	}
	KT_CHECK_EQ(t, kt_put("/tmp/ktpoll", "x", 1), 0);
	for (size_t i = 0; i < ARRAY_SIZE(never_block); i++) {
		KT_CHECK_EQ(t, vfs_open_kernel(never_block[i], O_RDONLY, &f), 0);
		KT_CHECK_EQ(t, vfs_poll(f, NULL), DEFAULT_POLLMASK);
		file_put(f);
	}
	KT_CHECK_EQ(t, vfs_unlink(NULL, "/tmp/ktpoll", false), 0);
	/* The console is always writable (nobody types during the tests). */
	KT_CHECK_EQ(t, vfs_open_kernel("/dev/console", O_WRONLY, &f), 0);
	KT_CHECK_EQ(t, vfs_poll(f, NULL) & KT_WR, KT_WR);
	file_put(f);
	KT_CHECK_EQ(t, kt_heap(), heap);
}
