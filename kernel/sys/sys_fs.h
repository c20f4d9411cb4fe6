/*
 * sys_fs.h - helpers shared by the file system calls (kernel/sys/sys_fs.c,
 * sys_file.c, sys_path.c).  Internal to kernel/: not a subsystem API.
 */
#ifndef KERNEL_SYS_FS_H
#define KERNEL_SYS_FS_H

#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/uaccess.h>

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define R_OK 4
#define W_OK 2
#define X_OK 1

#define UIO_MAXIOV       1024
#define GETDENTS_BUF_MAX (64 * KiB)
#define UMASK_DEFAULT    022

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};

/* Copy a user path into a new PATH_MAX buffer (*out, kfree it); 0 or -Exxx. */
int user_path(const char __user *upath, char **out);
/* The directory a *at() call starts from (a reference); 0 or -Exxx. */
int at_base(int dirfd, const char *path, struct vnode **base);
/* The current process's descriptor table. */
struct fdtable *cur_fdt(void);
/* The current process's umask. */
unsigned cur_umask(void);
/* The current process's descriptor limit: RLIMIT_NOFILE, at most
 * FDTABLE_MAX. */
unsigned cur_nofile(void);
/* Install f at the lowest free descriptor (consumes the reference). */
long install_file(struct file *f, bool cloexec);
/* May a regular file be made size bytes long (RLIMIT_FSIZE)?  0, or
 * -EFBIG after raising SIGXFSZ. */
int fsize_check_size(uint64_t size);
/* stat() of an open file (pipes included). */
void file_stat(struct file *f, struct linux_stat *st);

#endif
