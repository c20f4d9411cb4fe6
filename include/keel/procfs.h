/*
 * keel/procfs.h - the process file system ("proc", mounted on /proc):
 * kernel state as text files in Linux's formats (man 5 proc), generated
 * when read.  kernel/fs/procfs.c is the file system (directories, nodes,
 * open files, the system-wide files); kernel/fs/procfs_pid.c writes the
 * per-process files (/proc/PID/...), kernel/fs/procfs_sys.c the
 * system-wide ones.
 *
 * A node names what it shows by numbers (pid, tid, fd) and a table entry;
 * it holds no reference to a process, so a file of a process that is gone
 * reads as -ESRCH and its directory lookups fail with -ENOENT, as Linux's
 * do.  A file's text is generated into a kernel buffer (struct procfs_buf)
 * by a read at offset 0 (or the first read) of an open file, and later
 * reads at other offsets return pieces of that snapshot; stat shows size
 * 0, as on Linux.
 *
 * Lock key: the tables are [I]; each open file's snapshot has its own
 * mutex (procfs.c).  Generators take proc_tree_lock, proc->lock and
 * mm->lock as the process code's rules say, never across a sleep.
 */
#ifndef KEEL_PROCFS_H
#define KEEL_PROCFS_H

#include <keel/compiler.h>
#include <keel/vfs.h>

#define PROCFS_NUM_MAX 12 /* digits of a pid, tid or fd, and a NUL */

/* A growing text buffer; a failed allocation sets oom and drops output. */
struct procfs_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void procfs_write(struct procfs_buf *b, const void *s, size_t n);

/* What a node shows: a table entry and the numbers it applies to. */
struct procfs_ent;
struct procfs_target {
	const struct procfs_ent *ent;
	int pid; /* /proc/PID/..., else 0 */
	int tid; /* /proc/PID/task/TID/..., else 0 */
	int fd;  /* /proc/PID/fd/FD */
};

/* The generators of the per-process files (procfs_pid.c): 0, -ESRCH
 * (the process is gone) or -ENOMEM.  May sleep. */
int procfs_pid_stat(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_status(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_statm(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_comm(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_cmdline(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_environ(const struct procfs_target *t, struct procfs_buf *b);
int procfs_pid_maps(const struct procfs_target *t, struct procfs_buf *b);
/* Symlink texts of /proc/PID/{exe,cwd,root} and fd/N: length or -Exxx. */
ssize_t procfs_pid_exe(const struct procfs_target *t, char *buf, size_t n);
ssize_t procfs_pid_cwd(const struct procfs_target *t, char *buf, size_t n);
ssize_t procfs_pid_root(const struct procfs_target *t, char *buf, size_t n);
ssize_t procfs_pid_fd_link(const struct procfs_target *t, char *buf, size_t n);

/* The system-wide files (procfs_sys.c): generators as above, the links
 * /proc/self and thread-self, and the host name's store (a write). */
int procfs_sys_meminfo(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_cpuinfo(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_uptime(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_loadavg(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_stat(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_version(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_mounts(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_filesystems(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_interrupts(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_cmdline(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_hostname(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_osrelease(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_ostype(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_pid_max(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_ngroups_max(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_max_map_count(const struct procfs_target *t, struct procfs_buf *b);
int procfs_sys_store_max_map_count(const char *s, size_t n);
int procfs_sys_pipe_max_size(const struct procfs_target *t, struct procfs_buf *b);
ssize_t procfs_sys_self(const struct procfs_target *t, char *buf, size_t n);
ssize_t procfs_sys_thread_self(const struct procfs_target *t, char *buf, size_t n);
int procfs_sys_store_hostname(const char *s, size_t n);
/* Keep a copy of the kernel command line for /proc/cmdline (boot, once). */
void procfs_sys_init(const char *cmdline);

/* Does process pid exist (zombies too)?  Does it have thread tid? */
bool procfs_pid_exists(int pid);
/* May the caller see pid's private files (environ, maps, exe, cwd, root,
 * fd links)?  Linux's ptrace_may_access with the file-system ids: 0,
 * -EACCES, or -ENOENT once it is gone. */
int procfs_pid_may_access(int pid);
/* The effective uid and gid of process pid (its /proc/PID files' owner, as
 * Linux's); false if there is no such process. */
bool procfs_pid_owner(int pid, uint32_t *uid, uint32_t *gid);
bool procfs_tid_exists(int pid, int tid);
/* The smallest tid >= from of a live thread of pid, or 0. */
int procfs_next_tid(int pid, int from);
/* The smallest open fd >= from of process pid, or -1. */
int procfs_next_fd(int pid, int from);

/*
 * Files whose text a higher layer makes (the device layer, kernel/dev, lies
 * above kernel/fs, so procfs cannot call it): procfs has the file, named by
 * its path under /proc ("bus/pci/devices"), and its owner registers the
 * generator, once, at boot.  fn fills b and returns 0 or -Exxx; it runs in
 * a reader's context (may sleep).  0, -ENOENT (procfs has no such file) or
 * -EBUSY (already registered).  Lock key: the generator pointer is [A].
 */
typedef int (*procfs_ext_fn)(struct procfs_buf *b);
int procfs_register(const char *path, procfs_ext_fn fn);

/* Register the type "proc" and mount it on /proc (making the directory if
 * missing); after vfs_init and the initramfs.  cmdline is the kernel's
 * command line (/proc/cmdline, copied).  Panics on failure. */
void procfs_init(const char *cmdline);

extern struct fs_type procfs_fs_type;

#endif
