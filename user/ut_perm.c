/*
 * ut_perm.c - usertests: file permissions.  Root builds a tree under a
 * private /tmp directory, then a child drops to uid 1000 / gid 2000 (no
 * supplementary groups) and checks what it may and may not do.  Every
 * case also passes on Linux run as root.
 *
 *   perm_open_modes       open for reading, writing and O_TRUNC needs the
 *                         matching bit of the class the caller is in
 *                         (owner, group, others: only that class); a file
 *                         open creates opens whatever its mode
 *   perm_dir_search       a directory without x cannot be walked through
 *                         (stat, open, chdir, fchdir: EACCES); x without
 *                         r: names work, listing does not
 *   perm_create_delete    creating, removing and renaming names need w+x
 *                         on the directory; O_CREAT of an existing file in
 *                         a read-only directory opens it, O_EXCL is EEXIST;
 *                         moving a directory to a new parent needs w on it
 *   perm_sticky           in a sticky directory only the owner of a file
 *                         or of the directory removes or renames it (EPERM)
 *   perm_chmod_chown      only the owner changes the mode (EPERM); only
 *                         root the owner; the owner the group, to its own;
 *                         a non-member's S_ISGID is dropped; new files
 *                         belong to the creator; set-group-ID directories
 *                         hand on their group
 *   perm_access_real_ids  access() checks the real ids, AT_EACCESS the
 *                         effective ones; root's X_OK needs an x bit
 *   perm_times_truncate   utimes to now needs write permission or
 *                         ownership, explicit times ownership (EPERM);
 *                         truncate needs write permission
 *   perm_exec             exec needs x (EACCES), not r: an execute-only
 *                         program runs
 *   perm_proc_owner       /proc/PID belongs to the process's effective ids:
 *                         a user lists its own fd/, not root's (EACCES),
 *                         nor reads root's environ or maps, nor its exe or
 *                         cwd links
 *   perm_erofs_order      on a read-only mount, unlink, rename, chmod,
 *                         chown and utimes say EROFS first (before ENOENT)
 *   perm_exec_unshares_files  a process sharing its descriptor table
 *                         (clone(CLONE_FILES)) gets its own at execve
 *   perm_setuid_exec      a set-user-ID root program runs with euid 0 and
 *                         AT_SECURE; a set-group-ID one with its group;
 *                         on a nosuid mount or after PR_SET_NO_NEW_PRIVS,
 *                         with the caller's ids
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <fcntl.h>
#include <utime.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "usertests.h"

#define PT_UID  1000u
#define PT_GID  2000u
#define PT_UID2 1001u
#define PT_GID2 2001u

struct perm_tree {
	char dir[256];
};

static void pt_path(char *buf, size_t size, const struct perm_tree *t, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

/* A file of t with mode, owned by uid:gid, holding "data". */
static void pt_file(const struct perm_tree *t, const char *name, mode_t mode, unsigned uid,
		    unsigned gid)
{
	char p[512];
	int fd;

	pt_path(p, sizeof(p), t, name);
	fd = (int)UT_OK(open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600));
	UT_CHECK(write(fd, "data", 4) == 4);
	close(fd);
	UT_OK(chown(p, uid, gid));
	UT_OK(chmod(p, mode));
}

static void pt_dir(const struct perm_tree *t, const char *name, mode_t mode, unsigned uid,
		   unsigned gid)
{
	char p[512];

	pt_path(p, sizeof(p), t, name);
	UT_OK(mkdir(p, 0700));
	UT_OK(chown(p, uid, gid));
	UT_OK(chmod(p, mode));
}

/* The tree's top directory: root's, open to all (0777, not sticky). */
static void pt_begin(struct perm_tree *t, const char *tag)
{
	ut_tmppath(t->dir, sizeof(t->dir), tag);
	UT_OK(mkdir(t->dir, 0700));
	UT_OK(chmod(t->dir, 0777));
}

/* In a child: become uid PT_UID, gid PT_GID with no other groups. */
static void pt_drop(void)
{
	UT_OK(setgroups(0, NULL));
	UT_OK(setresgid(PT_GID, PT_GID, PT_GID));
	UT_OK(setresuid(PT_UID, PT_UID, PT_UID));
}

static void pt_run_as_user(void (*fn)(void *), struct perm_tree *t)
{
	UT_CHECK_EXIT(ut_in_child(fn, t), 0);
}

static int pt_open(const struct perm_tree *t, const char *name, int flags)
{
	char p[512];
	int fd;

	pt_path(p, sizeof(p), t, name);
	fd = open(p, flags, 0666);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------- open */

static void open_modes(void *arg)
{
	struct perm_tree *t = arg;

	pt_drop();
	UT_CHECK(pt_open(t, "root600", O_RDONLY) == -EACCES);
	UT_CHECK(pt_open(t, "root600", O_WRONLY) == -EACCES);
	UT_CHECK(pt_open(t, "root644", O_RDONLY) == 0);
	UT_CHECK(pt_open(t, "root644", O_WRONLY) == -EACCES);
	UT_CHECK(pt_open(t, "root644", O_RDONLY | O_TRUNC) == -EACCES);
	UT_CHECK(pt_open(t, "root666", O_RDWR | O_TRUNC) == 0);
	/* Owner's class only: the owner with 0077 is refused. */
	UT_CHECK(pt_open(t, "mine077", O_RDONLY) == -EACCES);
	UT_CHECK(pt_open(t, "mine400", O_RDONLY) == 0);
	UT_CHECK(pt_open(t, "mine400", O_WRONLY) == -EACCES);
	/* Group's class: group members use the group bits, not the others'. */
	UT_CHECK(pt_open(t, "group604", O_RDONLY) == -EACCES);
	UT_CHECK(pt_open(t, "group640", O_RDONLY) == 0);
	UT_CHECK(pt_open(t, "group640", O_WRONLY) == -EACCES);
	/* A new file opens for writing whatever mode it is created with. */
	char p[512];
	pt_path(p, sizeof(p), t, "new000");
	int fd = (int)UT_OK(open(p, O_CREAT | O_EXCL | O_RDWR, 0));
	UT_CHECK(write(fd, "x", 1) == 1);
	close(fd);
	UT_CHECK(pt_open(t, "new000", O_RDONLY) == -EACCES);
}

void ut_perm_open_modes(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_open");
	pt_file(&t, "root600", 0600, 0, 0);
	pt_file(&t, "root644", 0644, 0, 0);
	pt_file(&t, "root666", 0666, 0, 0);
	pt_file(&t, "mine077", 0077, PT_UID, PT_GID);
	pt_file(&t, "mine400", 0400, PT_UID, PT_GID);
	pt_file(&t, "group604", 0604, 0, PT_GID);
	pt_file(&t, "group640", 0640, 0, PT_GID);
	pt_run_as_user(open_modes, &t);
}

/* ---------------------------------------------------------------- search */

static void dir_search(void *arg)
{
	struct perm_tree *t = arg;
	char p[512];
	struct stat st;
	int fd;

	pt_drop();
	pt_path(p, sizeof(p), t, "closed/f");
	UT_CHECK_ERR(stat(p, &st), EACCES);
	UT_CHECK_ERR(open(p, O_RDONLY), EACCES);
	UT_CHECK_ERR(open(p, O_RDONLY | O_CREAT, 0600), EACCES);
	pt_path(p, sizeof(p), t, "closed");
	UT_OK(stat(p, &st)); /* the directory itself: fine */
	UT_CHECK_ERR(chdir(p), EACCES);
	fd = (int)UT_OK(open(p, O_RDONLY | O_DIRECTORY)); /* r-- for others */
	UT_CHECK_ERR(fchdir(fd), EACCES);
	close(fd);
	/* x without r: names work, listing does not. */
	pt_path(p, sizeof(p), t, "xonly/f");
	UT_OK(stat(p, &st));
	UT_CHECK(pt_open(t, "xonly/f", O_RDONLY) == 0);
	pt_path(p, sizeof(p), t, "xonly");
	UT_CHECK_ERR(open(p, O_RDONLY | O_DIRECTORY), EACCES);
	UT_OK(chdir(p));
	UT_OK(stat("f", &st));
}

void ut_perm_dir_search(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_search");
	pt_dir(&t, "closed", 0744, 0, 0);
	pt_file(&t, "closed/f", 0644, 0, 0);
	pt_dir(&t, "xonly", 0711, 0, 0);
	pt_file(&t, "xonly/f", 0644, 0, 0);
	pt_run_as_user(dir_search, &t);
}

/* ---------------------------------------------------------------- create, delete */

static void create_delete(void *arg)
{
	struct perm_tree *t = arg;
	char p[512], q[512];

	pt_drop();
	pt_path(p, sizeof(p), t, "ro/new");
	UT_CHECK_ERR(open(p, O_CREAT | O_WRONLY, 0644), EACCES);
	UT_CHECK_ERR(mkdir(p, 0755), EACCES);
	UT_CHECK_ERR(symlink("x", p), EACCES);
	UT_CHECK_ERR(mknod(p, S_IFIFO | 0644, 0), EACCES);
	pt_path(q, sizeof(q), t, "mine/own");
	UT_CHECK_ERR(link(q, p), EACCES); /* its own file, into ro: no */
	pt_path(q, sizeof(q), t, "ro/f");
	UT_CHECK_ERR(unlink(q), EACCES);
	UT_CHECK_ERR(rename(q, p), EACCES);
	pt_path(p, sizeof(p), t, "mine/x");
	UT_CHECK_ERR(rename(q, p), EACCES); /* out of ro: no */
	pt_path(q, sizeof(q), t, "ro/sub");
	UT_CHECK_ERR(rmdir(q), EACCES);
	/* An existing name: the directory is not written, so it opens. */
	UT_CHECK(pt_open(t, "ro/f", O_CREAT | O_RDONLY) == 0);
	UT_CHECK(pt_open(t, "ro/f", O_CREAT | O_EXCL | O_RDONLY) == -EEXIST);
	UT_CHECK_ERR(mkdir(q, 0755), EEXIST); /* exists: EEXIST first */
	/* A directory of one's own: everything works. */
	pt_path(p, sizeof(p), t, "mine/a");
	pt_path(q, sizeof(q), t, "mine/b");
	UT_CHECK(pt_open(t, "mine/a", O_CREAT | O_WRONLY) == 0);
	UT_OK(rename(p, q));
	UT_OK(unlink(q));
	/* Moving root's writable-for-all directory sub to a new parent needs
	 * w on sub itself (its ".." changes); rw-x-less rootdir refuses. */
	pt_path(p, sizeof(p), t, "open/rootdir");
	pt_path(q, sizeof(q), t, "mine/rootdir");
	UT_CHECK_ERR(rename(p, q), EACCES);
	pt_path(p, sizeof(p), t, "open/rootfile");
	pt_path(q, sizeof(q), t, "mine/rootfile");
	UT_OK(rename(p, q)); /* a file: only the directories count */
}

void ut_perm_create_delete(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_create");
	pt_dir(&t, "ro", 0755, 0, 0);
	pt_file(&t, "ro/f", 0644, 0, 0);
	pt_dir(&t, "ro/sub", 0777, 0, 0);
	pt_dir(&t, "mine", 0755, PT_UID, PT_GID);
	pt_file(&t, "mine/own", 0644, PT_UID, PT_GID);
	pt_dir(&t, "open", 0777, 0, 0);
	pt_dir(&t, "open/rootdir", 0755, 0, 0);
	pt_file(&t, "open/rootfile", 0644, 0, 0);
	pt_run_as_user(create_delete, &t);
}

/* ---------------------------------------------------------------- sticky */

static void sticky(void *arg)
{
	struct perm_tree *t = arg;
	char p[512], q[512];

	pt_drop();
	pt_path(p, sizeof(p), t, "tmp/rootfile");
	pt_path(q, sizeof(q), t, "tmp/moved");
	UT_CHECK_ERR(unlink(p), EPERM);
	UT_CHECK_ERR(rename(p, q), EPERM);
	UT_CHECK(pt_open(t, "tmp/rootfile", O_WRONLY) == 0); /* 0666: writable still */
	pt_path(p, sizeof(p), t, "tmp/mine");
	UT_CHECK(pt_open(t, "tmp/mine", O_CREAT | O_WRONLY) == 0);
	UT_OK(rename(p, q));
	UT_OK(unlink(q));
	/* Replacing root's file by rename is deleting it too. */
	UT_CHECK(pt_open(t, "tmp/mine", O_CREAT | O_WRONLY) == 0);
	pt_path(q, sizeof(q), t, "tmp/rootfile");
	UT_CHECK_ERR(rename(p, q), EPERM);
	/* In a sticky directory of its own, the owner removes anyone's file. */
	pt_path(p, sizeof(p), t, "mytmp/rootfile");
	UT_OK(unlink(p));
}

void ut_perm_sticky(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_sticky");
	pt_dir(&t, "tmp", 01777, 0, 0);
	pt_file(&t, "tmp/rootfile", 0666, 0, 0);
	pt_dir(&t, "mytmp", 01777, PT_UID, PT_GID);
	pt_file(&t, "mytmp/rootfile", 0644, 0, 0);
	pt_run_as_user(sticky, &t);
}

/* ---------------------------------------------------------------- chmod, chown */

static void chmod_chown(void *arg)
{
	struct perm_tree *t = arg;
	char p[512];
	struct stat st;

	pt_drop();
	pt_path(p, sizeof(p), t, "rootfile");
	UT_CHECK_ERR(chmod(p, 0777), EPERM);
	UT_CHECK_ERR(chown(p, PT_UID, PT_GID), EPERM);
	UT_CHECK_ERR(chown(p, 0, 0), EPERM);   /* not even to what it is */
	UT_OK(chown(p, (uid_t)-1, (gid_t)-1)); /* nothing at all: allowed */
	pt_path(p, sizeof(p), t, "rootsuid");
	UT_CHECK_ERR(chown(p, (uid_t)-1, (gid_t)-1), EPERM); /* would drop S_ISUID */
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 04755);
	/* Its own set-id file loses the bits when written or truncated. */
	pt_path(p, sizeof(p), t, "ownsuid");
	UT_CHECK(pt_open(t, "ownsuid", O_CREAT | O_WRONLY) == 0);
	UT_OK(chmod(p, 06755));
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 06755);
	int wfd = (int)UT_OK(open(p, O_WRONLY));
	UT_CHECK(write(wfd, "x", 1) == 1);
	close(wfd);
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 0755);
	UT_OK(chmod(p, 04755));
	UT_OK(truncate(p, 0));
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 0755);
	/* A directory's S_ISGID goes too when a non-member sets it. */
	pt_path(p, sizeof(p), t, "mydir_rootgrp");
	UT_OK(chmod(p, 02755));
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 0755);
	/* A new file is the creator's. */
	pt_path(p, sizeof(p), t, "new");
	UT_CHECK(pt_open(t, "new", O_CREAT | O_WRONLY) == 0);
	UT_OK(stat(p, &st));
	UT_CHECK(st.st_uid == PT_UID && st.st_gid == PT_GID);
	UT_OK(chmod(p, 0640));
	UT_CHECK_ERR(chown(p, 0, (gid_t)-1), EPERM);
	UT_CHECK_ERR(chown(p, (uid_t)-1, 0), EPERM); /* not its group */
	UT_OK(chown(p, (uid_t)-1, PT_GID));
	UT_OK(chown(p, PT_UID, (gid_t)-1)); /* itself: allowed */
	/* Its own file in root's group: S_ISGID it cannot keep. */
	pt_path(p, sizeof(p), t, "mine_rootgrp");
	UT_OK(chmod(p, 02755));
	UT_OK(stat(p, &st));
	UT_CHECK((st.st_mode & 07777) == 0755);
	/* A set-group-ID directory hands on its group, and to directories the bit. */
	pt_path(p, sizeof(p), t, "sgid/f");
	UT_CHECK(pt_open(t, "sgid/f", O_CREAT | O_WRONLY) == 0);
	UT_OK(stat(p, &st));
	UT_CHECK(st.st_uid == PT_UID && st.st_gid == PT_GID2);
	pt_path(p, sizeof(p), t, "sgid/d");
	UT_OK(mkdir(p, 0755));
	UT_OK(stat(p, &st));
	UT_CHECK(st.st_gid == PT_GID2 && (st.st_mode & S_ISGID));
}

void ut_perm_chmod_chown(void)
{
	struct perm_tree t;
	char p[512];
	struct stat st;

	pt_begin(&t, "perm_chmod");
	pt_file(&t, "rootfile", 0644, 0, 0);
	pt_file(&t, "mine_rootgrp", 0755, PT_UID, 0);
	pt_file(&t, "rootsuid", 04755, 0, 0);
	pt_dir(&t, "mydir_rootgrp", 0755, PT_UID, 0);
	pt_dir(&t, "sgid", 02777, 0, PT_GID2);
	pt_run_as_user(chmod_chown, &t);
	/* Root may give a file away; the change drops set-user-ID. */
	pt_file(&t, "suid", 04755, 0, 0);
	pt_path(p, sizeof(p), &t, "suid");
	UT_OK(chown(p, PT_UID, PT_GID));
	UT_OK(stat(p, &st));
	UT_CHECK(st.st_uid == PT_UID && st.st_gid == PT_GID && (st.st_mode & 07777) == 0755);
}

/* ---------------------------------------------------------------- access */

static void access_real(void *arg)
{
	struct perm_tree *t = arg;
	char p[512];

	pt_path(p, sizeof(p), t, "root600");
	UT_OK(access(p, R_OK | W_OK));
	UT_CHECK_ERR(access(p, X_OK), EACCES); /* root: x needs an x bit */
	pt_path(p, sizeof(p), t, "root700");
	UT_OK(access(p, X_OK));
	/* Real uid PT_UID, effective 0: access() answers for the real one. */
	UT_OK(setresgid(PT_GID, 0, 0));
	UT_OK(setresuid(PT_UID, 0, 0));
	pt_path(p, sizeof(p), t, "root600");
	UT_CHECK_ERR(access(p, R_OK), EACCES);
	UT_OK(faccessat(AT_FDCWD, p, R_OK, AT_EACCESS));
	UT_CHECK(pt_open(t, "root600", O_RDONLY) == 0); /* open: effective */
	pt_path(p, sizeof(p), t, "user600");
	UT_OK(access(p, R_OK | W_OK));
	UT_OK(access(p, F_OK));
	/* The walk is the real user's too: root's closed directory stops it. */
	pt_path(p, sizeof(p), t, "closed/f");
	UT_CHECK_ERR(access(p, R_OK), EACCES);
	UT_OK(faccessat(AT_FDCWD, p, R_OK, AT_EACCESS));
}

void ut_perm_access_real_ids(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_access");
	pt_file(&t, "root600", 0600, 0, 0);
	pt_file(&t, "root700", 0700, 0, 0);
	pt_file(&t, "user600", 0600, PT_UID, PT_GID);
	pt_dir(&t, "closed", 0700, 0, 0);
	pt_file(&t, "closed/f", 0644, 0, 0);
	UT_CHECK_EXIT(ut_in_child(access_real, &t), 0);
}

/* ---------------------------------------------------------------- times, truncate */

static void times_truncate(void *arg)
{
	struct perm_tree *t = arg;
	struct utimbuf ub = { 1000, 2000 };
	char p[512];

	pt_drop();
	pt_path(p, sizeof(p), t, "root666");
	UT_OK(utime(p, NULL)); /* now: write permission is enough */
	UT_OK(utimensat(AT_FDCWD, p, NULL, 0));
	UT_CHECK_ERR(utime(p, &ub), EPERM);
	struct timespec now_omit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	UT_CHECK_ERR(utimensat(AT_FDCWD, p, now_omit, 0), EPERM); /* not "both now" */
	pt_path(p, sizeof(p), t, "root644");
	UT_CHECK_ERR(utime(p, NULL), EACCES);
	UT_CHECK_ERR(truncate(p, 0), EACCES);
	pt_path(p, sizeof(p), t, "root666");
	UT_OK(truncate(p, 1));
	pt_path(p, sizeof(p), t, "mine400");
	UT_OK(utime(p, &ub)); /* the owner: any times */
}

void ut_perm_times_truncate(void)
{
	struct perm_tree t;

	pt_begin(&t, "perm_times");
	pt_file(&t, "root666", 0666, 0, 0);
	pt_file(&t, "root644", 0644, 0, 0);
	pt_file(&t, "mine400", 0400, PT_UID, PT_GID);
	pt_run_as_user(times_truncate, &t);
}

/* ---------------------------------------------------------------- exec */

/* Copy the usertests binary to t/name with mode and owner. */
static void pt_copy_self(const struct perm_tree *t, const char *name, mode_t mode, unsigned uid,
			 unsigned gid)
{
	char src[512], dst[512], buf[4096];
	int in, out;
	ssize_t n;

	ut_binpath(src, sizeof(src), "usertests");
	pt_path(dst, sizeof(dst), t, name);
	in = (int)UT_OK(open(src, O_RDONLY));
	out = (int)UT_OK(open(dst, O_CREAT | O_WRONLY | O_TRUNC, 0700));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		UT_CHECK(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
	UT_OK(chown(dst, uid, gid));
	UT_OK(chmod(dst, mode));
}

/* Run t/name with args as the current process; its exit status. */
static int pt_exec(const struct perm_tree *t, const char *name, char *const *args)
{
	char p[512];
	pid_t pid;

	pt_path(p, sizeof(p), t, name);
	pid = utest_fork();
	if (pid == 0) {
		execv(p, args);
		_exit(errno == EACCES ? 126 : 127);
	}
	return utest_wait(pid);
}

static void exec_perm(void *arg)
{
	struct perm_tree *t = arg;
	char *exit7[] = { "usertests", "--exit", "7", NULL };

	pt_drop();
	UT_CHECK_EXIT(pt_exec(t, "noexec", exit7), 126);
	UT_CHECK_EXIT(pt_exec(t, "rootonly", exit7), 126);
	UT_CHECK_EXIT(pt_exec(t, "execonly", exit7), 7); /* no r needed */
}

void ut_perm_exec(void)
{
	struct perm_tree t;
	char *exit7[] = { "usertests", "--exit", "7", NULL };

	pt_begin(&t, "perm_exec");
	pt_copy_self(&t, "noexec", 0644, 0, 0);
	pt_copy_self(&t, "rootonly", 0700, 0, 0);
	pt_copy_self(&t, "execonly", 0711, 0, 0);
	UT_CHECK_EXIT(pt_exec(&t, "noexec", exit7), 126); /* root too */
	UT_CHECK_EXIT(pt_exec(&t, "rootonly", exit7), 7);
	pt_run_as_user(exec_perm, &t);
}

static void setuid_exec(void *arg)
{
	struct perm_tree *t = arg;
	char uid[16], gid[16], zero[] = "0", one[] = "1";
	char *suid[] = { "usertests", "--cred", uid, zero, zero, gid, gid, gid, one, NULL };
	char *sgid[] = { "usertests", "--cred", uid, uid, uid, gid, "2001", "2001", one, NULL };
	char *plain[] = { "usertests", "--cred", uid, uid, uid, gid, gid, gid, zero, NULL };

	snprintf(uid, sizeof(uid), "%u", PT_UID);
	snprintf(gid, sizeof(gid), "%u", PT_GID);
	pt_drop();
	UT_CHECK_EXIT(pt_exec(t, "suid", suid), 0);
	UT_CHECK_EXIT(pt_exec(t, "sgid", sgid), 0);
	UT_CHECK_EXIT(pt_exec(t, "plain", plain), 0);
	/* On a nosuid mount the bits change nothing, nor under no_new_privs. */
	UT_CHECK_EXIT(pt_exec(t, "nosuid/suid", plain), 0);
	UT_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	UT_CHECK_EXIT(pt_exec(t, "suid", plain), 0);
}

void ut_perm_setuid_exec(void)
{
	struct perm_tree t;
	char p[512];

	/* Its own tmpfs: /tmp itself is often mounted nosuid (Keel's is). */
	pt_begin(&t, "perm_suid");
	UT_OK(mount("tmpfs", t.dir, "tmpfs", 0, "mode=0777"));
	pt_dir(&t, "nosuid", 0777, 0, 0);
	pt_path(p, sizeof(p), &t, "nosuid");
	UT_OK(mount("tmpfs", p, "tmpfs", MS_NOSUID, "mode=0777"));
	pt_copy_self(&t, "suid", 04755, 0, 0);
	pt_copy_self(&t, "sgid", 02755, 0, PT_GID2);
	pt_copy_self(&t, "plain", 0755, 0, 0);
	pt_copy_self(&t, "nosuid/suid", 04755, 0, 0);
	pt_run_as_user(setuid_exec, &t);
	UT_OK(umount2(p, 0));
	UT_OK(umount2(t.dir, 0));
}

/* ---------------------------------------------------------------- /proc */

static void proc_owner(void *arg)
{
	struct stat st;
	int fd;

	(void)arg;
	pt_drop();
	UT_OK(stat("/proc/self", &st));
	UT_CHECK(st.st_uid == PT_UID && st.st_gid == PT_GID);
	fd = (int)UT_OK(open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
	close(fd);
	UT_OK(stat("/proc/1", &st));
	UT_CHECK(st.st_uid == 0);
	UT_CHECK_ERR(open("/proc/1/fd", O_RDONLY | O_DIRECTORY), EACCES);
	UT_CHECK_ERR(open("/proc/1/environ", O_RDONLY), EACCES);
	char link[256];
	UT_CHECK_ERR(readlink("/proc/1/exe", link, sizeof(link)), EACCES);
	UT_CHECK_ERR(readlink("/proc/1/cwd", link, sizeof(link)), EACCES);
	UT_CHECK_ERR(open("/proc/1/maps", O_RDONLY), EACCES);
	UT_CHECK(readlink("/proc/self/exe", link, sizeof(link)) > 0);
}

void ut_perm_proc_owner(void)
{
	UT_CHECK_EXIT(ut_in_child(proc_owner, NULL), 0);
}

/* ---------------------------------------------------------------- EROFS */

void ut_perm_erofs_order(void)
{
	struct perm_tree t;
	char p[512], q[512];

	pt_begin(&t, "perm_erofs");
	UT_OK(mount("tmpfs", t.dir, "tmpfs", MS_RDONLY, "mode=0755"));
	pt_path(p, sizeof(p), &t, "missing");
	pt_path(q, sizeof(q), &t, "other");
	UT_CHECK_ERR(unlink(p), EROFS);
	UT_CHECK_ERR(rmdir(p), EROFS);
	UT_CHECK_ERR(rename(p, q), EROFS);
	UT_CHECK_ERR(chmod(t.dir, 0700), EROFS);
	UT_CHECK_ERR(chown(t.dir, 0, 0), EROFS);
	UT_CHECK_ERR(utimensat(AT_FDCWD, t.dir, NULL, 0), EROFS);
	UT_OK(umount2(t.dir, 0));
}

/* ---------------------------------------------------------------- exec, files */

#define PT_PROBE_FD    100
#define PT_CLONE_FILES 0x400 /* <sched.h> hides it without _GNU_SOURCE */

/* usertests --open-probe: open /dev/null as fd PT_PROBE_FD and exit 0. */
int ut_helper_open_probe(void)
{
	int fd = open("/dev/null", O_RDONLY);

	return fd >= 0 && dup2(fd, PT_PROBE_FD) == PT_PROBE_FD ? 0 : 1;
}

void ut_perm_exec_unshares_files(void)
{
	char path[256];
	char *args[] = { "usertests", "--open-probe", NULL };
	pid_t pid;

	ut_binpath(path, sizeof(path), "usertests");
	close(PT_PROBE_FD);
	pid = (pid_t)syscall(SYS_clone, PT_CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		execv(path, args);
		_exit(127);
	}
	UT_CHECK(pid > 0);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	/* What the exec'd program opened is not in our table. */
	UT_CHECK_ERR(fcntl(PT_PROBE_FD, F_GETFD), EBADF);
}
