/*
 * initramfs.c - unpack a boot module (a newc cpio archive, see lib/cpio.h)
 * into the root ramfs at boot.
 *
 * Names are taken relative to the root ("./bin/sh", "bin/sh" and
 * "/bin/sh" are the same); missing parent directories are created (0755).
 * Regular files, directories and symlinks are unpacked; other types
 * (device nodes, fifos, sockets) are skipped with a note, since devfs
 * provides the devices.  An existing directory is kept; an existing file
 * is replaced (later archives override earlier ones, as on Linux).
 * A malformed archive stops the unpacking with -EINVAL; what came before
 * it stays.  Runs single-threaded at boot; may sleep.
 */
#include <keel/initramfs.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/time.h>
#include <lib/cpio.h>
#include <lib/errno.h>
#include <lib/string.h>

struct initramfs_stats {
	unsigned files;
	uint64_t bytes;
};

/* mkdir -p of every parent of path (a mutable absolute path). */
static int initramfs_mkparents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		int err;

		*s = '\0';
		err = vfs_mkdir(NULL, path, 0755);
		*s = '/';
		if (err && err != -EEXIST)
			return err;
	}
	return 0;
}

/* The archive's modification time, as Linux keeps it (owners stay root:
 * Keel's archives are made with -R 0:0). */
static void initramfs_attrs(struct vnode *v, const struct cpio_entry *e)
{
	struct vattr a = {
		.valid = VA_ATIME | VA_MTIME,
		.atime = (int64_t)(e->mtime * NSEC_PER_SEC),
		.mtime = (int64_t)(e->mtime * NSEC_PER_SEC),
	};

	vfs_setattr(v, &a);
}

static int initramfs_file(const char *path, const struct cpio_entry *e)
{
	struct file *f;
	ssize_t n;
	int err;

	vfs_unlink(NULL, path, false);
	err = vfs_open(NULL, path, O_WRONLY | O_CREAT | O_TRUNC, e->mode & S_IMODE, &f);
	if (err)
		return err;
	n = e->size ? file_write(f, IOBUF_KERNEL(e->data), e->size) : 0;
	initramfs_attrs(f->vnode, e);
	file_put(f);
	if (n < 0)
		return (int)n;
	return (size_t)n == e->size ? 0 : -ENOSPC;
}

static int initramfs_symlink(const char *path, const struct cpio_entry *e)
{
	char *target;
	int err;

	if (e->size == 0 || e->size >= VFS_PATH_MAX)
		return -EINVAL;
	target = kmalloc(e->size + 1, 0);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = '\0';
	vfs_unlink(NULL, path, false);
	err = vfs_symlink(NULL, target, path);
	kfree(target);
	return err;
}

/* Unpack one entry; 1 if it was counted as a file, 0 if not, or -Exxx. */
static int initramfs_entry(const struct cpio_entry *e, char *path)
{
	const char *name = e->name;
	size_t len = e->namelen;
	int err;

	while (len && (name[0] == '/' ||
		       (name[0] == '.' && (len == 1 || name[1] == '/')))) {
		name++;
		len--;
	}
	if (len == 0)
		return 0;               /* "." or "/" itself */
	if (len + 2 > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	path[0] = '/';
	memcpy(path + 1, name, len);
	path[len + 1] = '\0';
	err = initramfs_mkparents(path);
	if (err)
		return err;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		err = vfs_mkdir(NULL, path, e->mode & S_IMODE);
		return err == -EEXIST ? 0 : err;
	case S_IFREG:
		err = initramfs_file(path, e);
		return err ? err : 1;
	case S_IFLNK:
		err = initramfs_symlink(path, e);
		return err ? err : 1;
	default:
		klog(LOG_INFO, "initramfs: skipping %s (mode %o)", path, e->mode);
		return 0;
	}
}

int initramfs_unpack(const void *buf, size_t len)
{
	struct initramfs_stats st = { 0, 0 };
	char *path = kmalloc(VFS_PATH_MAX, 0);
	struct cpio_entry e;
	size_t off = 0;
	int ret = 0, r;

	if (!path)
		return -EINVAL;
	while (off < len) {
		size_t before = off;

		r = cpio_next(buf, len, &off, &e);
		if (r < 0) {
			klog(LOG_ERR, "initramfs: malformed archive at offset %zu", off);
			ret = -EINVAL;
			break;
		}
		if (r == 0) {
			if (off == before)
				break;
			continue;       /* end of one archive; maybe another follows */
		}
		r = initramfs_entry(&e, path);
		if (r < 0) {
			klog(LOG_WARN, "initramfs: cannot unpack %.*s: error %d",
			     (int)MIN(e.namelen, (size_t)200), e.name, r);
			continue;
		}
		if (r > 0) {
			st.files++;
			st.bytes += e.size;
		}
	}
	kfree(path);
	klog(LOG_INFO, "initramfs: %u files, %lu KiB", st.files,
	     (unsigned long)DIV_ROUND_UP(st.bytes, KiB));
	return ret;
}
