/*
 * usertests.c - Keel's user-space test suite: its table, paths and main().
 *
 *   usertests              run every test
 *   usertests name...      run the named tests only
 *   usertests --list       print the test names
 *
 * Each test runs in a child process of its own (so a crash fails that test
 * only) with a 30 s alarm; its failure reason comes back through a pipe
 * (the runner is utest_main() in utest.c).
 * Output is one "usertests: PASS name" or "usertests: FAIL name: reason"
 * line per test and "usertests: N passed, N failed" last; the exit status is
 * 1 if any test failed.
 *
 * Helper programs are found in $USERTESTS_BIN, else next to argv[0], else in
 * /bin: on Keel that is /bin/usertests and /bin/hello; on Linux run
 * `USERTESTS_BIN=build/user build/user/usertests` (or just
 * build/user/usertests).  Scratch files go to /tmp/ut.<pid>.*; after the
 * run, those a failed test left behind (its pid no longer exists) are
 * removed, so the kernel's init-exit report sees every frame come back
 * even when tests failed (for instance under failalloc= fault injection).
 *
 * The binary doubles as a helper for the exec tests (argv[1] "--echo",
 * "--fdcheck"; see ut_proc.c; "--cred", ut_cred.c; "--dumpable" and "--nnp",
 * ut_prctl.c; "--open-probe", ut_perm.c; "--inb", ut_ioport.c) and, as "--orphan-init", as an init that
 * exits leaving a child and a grandchild behind (see ut_regress.c).
 */
#include <dirent.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "usertests.h"

#define UT_ALARM_SECONDS 30
/*
 * The runner kills a test's process group this much after its alarm: a
 * grandchild left blocked forever (its parent OOM-killed, say, under
 * failalloc=) would otherwise hang the suite on the reason pipe.
 */
#define UT_WATCHDOG_GRACE 10
#define UT_TMPDIR        "/tmp"
#define UT_TMP_PREFIX    "ut."
#define UT_CLEAN_TRIES   100	/* removals may fail with ENOMEM: retry */

#define UT_ENTRY(name) { #name, ut_##name },
static const struct utest ut_tests[] = { UT_TESTS(UT_ENTRY) };
#undef UT_ENTRY

static const struct utest_suite ut_suite = {
	.prog = "usertests",
	.tests = ut_tests,
	.ntests = sizeof(ut_tests) / sizeof(ut_tests[0]),
	.alarm_seconds = UT_ALARM_SECONDS,
	.watchdog_grace = UT_WATCHDOG_GRACE,
};

static char ut_bin[256] = "/bin";

const char *ut_bindir(void)
{
	return ut_bin;
}

void ut_binpath(char *buf, size_t size, const char *prog)
{
	snprintf(buf, size, "%s/%s", ut_bin, prog);
}

void ut_tmppath(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/ut.%d.%s", (int)getpid(), tag);
}

int ut_in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return utest_wait(pid);
}

/* Remove path and, if a directory, everything under it; 0 or -1. */
static int ut_remove_tree(const char *path)
{
	char sub[512];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)	/* a directory (Linux, POSIX) */
		return -1;
	(void)umount2(path, 0);			/* a mount a failed test left */
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		err |= ut_remove_tree(sub);
	}
	closedir(dir);
	return err || rmdir(path) < 0 ? -1 : 0;
}

/* Remove /tmp/ut.<pid>.* of processes that no longer exist; 0 if all gone. */
static int ut_clean_tmp_once(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir = opendir(UT_TMPDIR);
	int err = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -1;
	while ((d = readdir(dir))) {
		long pid;

		if (strncmp(d->d_name, UT_TMP_PREFIX, strlen(UT_TMP_PREFIX)) != 0)
			continue;
		pid = strtol(d->d_name + strlen(UT_TMP_PREFIX), NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", UT_TMPDIR, d->d_name);
		err |= ut_remove_tree(path);
	}
	closedir(dir);
	return err;
}

static void ut_clean_tmp(void)
{
	for (int i = 0; i < UT_CLEAN_TRIES && ut_clean_tmp_once() < 0; i++)
		;
}

static void ut_set_bindir(const char *argv0)
{
	const char *env = getenv("USERTESTS_BIN");
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (env && *env)
		snprintf(ut_bin, sizeof(ut_bin), "%s", env);
	else if (slash && slash != argv0)
		snprintf(ut_bin, sizeof(ut_bin), "%.*s", (int)(slash - argv0), argv0);
	else if (slash)
		snprintf(ut_bin, sizeof(ut_bin), "/");
}

int main(int argc, char **argv, char **envp)
{
	if (argc > 1 && strcmp(argv[1], "--echo") == 0)
		return ut_helper_echo(argc, argv, envp);
	if (argc > 1 && strcmp(argv[1], "--fdcheck") == 0)
		return ut_helper_fdcheck(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--cred") == 0)
		return ut_helper_cred(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--dumpable") == 0)
		return ut_helper_dumpable();
	if (argc > 1 && strcmp(argv[1], "--nnp") == 0)
		return ut_helper_nnp();
	if (argc > 1 && strcmp(argv[1], "--open-probe") == 0)
		return ut_helper_open_probe();
	if (argc > 1 && strcmp(argv[1], "--inb") == 0)
		return ut_helper_inb(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--orphan-init") == 0)
		return ut_helper_orphan_init();
	if (argc > 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);       /* exec tests: "I ran", as a status */
	ut_set_bindir(argc > 0 ? argv[0] : NULL);
	int status = utest_main(&ut_suite, argc, argv);
	if (argc <= 1 || strcmp(argv[1], "--list") != 0) {
		ut_clean_tmp();
		ut_clean_shm();
	}
	return status;
}
