/*
 * ut_shm.c - usertests: System V shared memory (each case also passes on
 * Linux as root).
 *
 *   shm_share_fork      an attach is shared memory: a forked child sees
 *                       and changes the same bytes; IPC_STAT reports size,
 *                       mode, creator and attaches (fork's and exit's
 *                       included); a read-only attach faults on a write
 *                       and cannot be made writable (EACCES);
 *                       after IPC_RMID an attached segment keeps its id
 *                       (SHM_DEST, no key; shmat still works) until the
 *                       last detach, then the id is gone
 *   shm_keys_perms      keys find segments; IPC_CREAT|IPC_EXCL is EEXIST,
 *                       a bigger size EINVAL, a missing key ENOENT; as
 *                       another user: EACCES without permission, EPERM for
 *                       IPC_RMID and IPC_SET; IPC_SET by the owner opens it
 *   shm_attach_rules    alignment (EINVAL, or SHM_RND rounds), no attach
 *                       over a mapping without SHM_REMAP, shmdt only at an
 *                       attach, bad ids and commands EINVAL, IPC_INFO
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include "usertests.h"

#define SH_SIZE 10000
#define SH_PAGE 4096
#define SH_KEY  0x4b450000 /* + the pid: no clash with other runs */

static int sh_nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -1;
	return (int)ds.shm_nattch;
}

static void sh_write_ro(void *arg)
{
	*(volatile char *)arg = 1; /* must fault */
}

static void share_fork(void *arg)
{
	int id = *(int *)arg;
	char *p = shmat(id, NULL, 0), *ro;
	struct shmid_ds ds;
	pid_t pid;

	UT_CHECK(p != (void *)-1);
	p[0] = 'p';
	p[SH_SIZE - 1] = 'e';
	UT_CHECK(sh_nattch(id) == 1);
	pid = utest_fork();
	if (pid == 0) {
		int ok = p[0] == 'p' && p[SH_SIZE - 1] == 'e' && sh_nattch(id) == 2;
		p[1] = 'c';
		_exit(ok ? 0 : 1);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(p[1] == 'c');
	UT_OK(shmctl(id, IPC_STAT, &ds));
	UT_CHECK(ds.shm_segsz == SH_SIZE && (ds.shm_perm.mode & 0777) == 0600);
	UT_CHECK(ds.shm_cpid == getppid() && ds.shm_nattch == 1); /* the test made it */
	ro = shmat(id, NULL, SHM_RDONLY);
	UT_CHECK(ro != (void *)-1 && ro != p && ro[1] == 'c');
	UT_CHECK_ERR(mprotect(ro, SH_PAGE, PROT_READ | PROT_WRITE), EACCES); /* stays read-only */
	UT_CHECK(sh_nattch(id) == 2);
	UT_CHECK_KILLED(ut_in_child(sh_write_ro, ro), SIGSEGV);
	UT_OK(shmdt(ro));
	UT_CHECK(sh_nattch(id) == 1);
	UT_OK(shmctl(id, IPC_RMID, NULL));
	/* Removed but attached: the id lives on, marked, with no key (and
	 * Linux even attaches it again); it goes with the last detach. */
	UT_OK(shmctl(id, IPC_STAT, &ds));
	UT_CHECK((ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE);
	char *again = shmat(id, NULL, 0);
	UT_CHECK(again != (void *)-1 && again[0] == 'p');
	p[2] = 'x'; /* still ours until the detach */
	UT_CHECK(p[0] == 'p' && again[2] == 'x');
	UT_OK(shmdt(again));
	UT_OK(shmdt(p));
	UT_CHECK((long)shmat(id, NULL, 0) == -1 && errno == EINVAL);
	UT_CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
}

/*
 * Segments outlive their processes: each test's body runs in a child and
 * the test removes what it made afterwards, whatever the body did (a
 * failure exits at once; under fault injection, any call may).
 */
static void sh_run(void (*body)(void *), int id)
{
	int status = ut_in_child(body, &id);

	(void)shmctl(id, IPC_RMID, NULL);
	UT_CHECK_EXIT(status, 0);
}

void ut_shm_share_fork(void)
{
	sh_run(share_fork, (int)UT_OK(shmget(IPC_PRIVATE, SH_SIZE, IPC_CREAT | 0600)));
}

static int sh_key;

static void sh_other_user(void *arg)
{
	int id = *(int *)arg;

	UT_OK(setgid(2000));
	UT_OK(setuid(1000));
	UT_CHECK_ERR(shmget(sh_key, SH_PAGE, 0600), EACCES);
	UT_CHECK((long)shmat(id, NULL, SHM_RDONLY) == -1 && errno == EACCES);
	UT_CHECK_ERR(shmctl(id, IPC_RMID, NULL), EPERM);
	struct shmid_ds ds = { 0 };
	UT_CHECK_ERR(shmctl(id, IPC_SET, &ds), EPERM);
}

static void sh_other_user_opened(void *arg)
{
	int id = *(int *)arg;
	char *p;

	UT_OK(setgid(2000));
	UT_OK(setuid(1000));
	UT_CHECK(shmget(sh_key, SH_PAGE, 0400) == id);
	p = shmat(id, NULL, SHM_RDONLY);
	UT_CHECK(p != (void *)-1);
	UT_CHECK((long)shmat(id, NULL, 0) == -1 && errno == EACCES); /* no write */
}

static void keys_perms(void *arg)
{
	int id = *(int *)arg;
	struct shmid_ds ds;

	UT_CHECK_ERR(shmget(sh_key, SH_PAGE, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	UT_CHECK(shmget(sh_key, SH_PAGE, 0) == id);
	UT_CHECK(shmget(sh_key, 1, IPC_CREAT) == id);
	UT_CHECK_ERR(shmget(sh_key, 2 * SH_PAGE, 0), EINVAL);
	UT_CHECK_ERR(shmget(sh_key + 1, SH_PAGE, 0), ENOENT);
	UT_CHECK_ERR(shmget(IPC_PRIVATE, 0, IPC_CREAT), EINVAL);
	UT_CHECK_EXIT(ut_in_child(sh_other_user, &id), 0);
	UT_OK(shmctl(id, IPC_STAT, &ds));
	ds.shm_perm.mode = 0644;
	UT_OK(shmctl(id, IPC_SET, &ds));
	UT_OK(shmctl(id, IPC_STAT, &ds));
	UT_CHECK((ds.shm_perm.mode & 0777) == 0644);
	UT_CHECK_EXIT(ut_in_child(sh_other_user_opened, &id), 0);
	UT_OK(shmctl(id, IPC_RMID, NULL));
	UT_CHECK_ERR(shmget(sh_key, SH_PAGE, 0), ENOENT);
}

void ut_shm_keys_perms(void)
{
	sh_key = SH_KEY + getpid();
	sh_run(keys_perms, (int)UT_OK(shmget(sh_key, SH_PAGE, IPC_CREAT | IPC_EXCL | 0600)));
}

static void attach_rules(void *arg)
{
	int id = *(int *)arg;
	char *m =
		mmap(NULL, 2 * SH_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct shminfo info;
	char *p;

	UT_CHECK(m != MAP_FAILED);
	UT_CHECK((long)shmat(id, m + 1, 0) == -1 && errno == EINVAL);
	UT_CHECK((long)shmat(id, m, 0) == -1 && errno == EINVAL); /* mapped there */
	p = shmat(id, m + 1, SHM_RND | SHM_REMAP);
	UT_CHECK(p == m);
	UT_CHECK_ERR(shmdt(m + SH_PAGE), EINVAL); /* no attach there */
	UT_CHECK_ERR(shmdt(m + 1), EINVAL);
	UT_OK(shmdt(p));
	UT_CHECK((long)shmat(-1, NULL, 0) == -1 && errno == EINVAL);
	UT_CHECK_ERR(shmctl(id, 1000, NULL), EINVAL);
	UT_CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0);
	UT_CHECK(info.shmmni > 0 && info.shmmin == 1);
	UT_OK(shmctl(id, IPC_RMID, NULL));
	munmap(m, 2 * SH_PAGE);
}

void ut_shm_attach_rules(void)
{
	sh_run(attach_rules, (int)UT_OK(shmget(IPC_PRIVATE, SH_PAGE, IPC_CREAT | 0600)));
}

/*
 * After the suite: remove segments these tests made whose creator is gone
 * (a test process killed between shmget and its cleanup, e.g. under fault
 * injection): root's, private or with a key of SH_KEY's range.
 */
void ut_clean_shm(void)
{
	struct shm_info info;
	int top = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);

	for (int slot = 0; slot <= top; slot++) {
		struct shmid_ds ds;
		int id = shmctl(slot, SHM_STAT, &ds);
		unsigned key = (unsigned)ds.shm_perm.__key;

		if (id < 0 || ds.shm_perm.cuid != 0 || kill(ds.shm_cpid, 0) == 0 || errno != ESRCH)
			continue;
		if (key == IPC_PRIVATE || (key & 0xffff0000u) == SH_KEY)
			(void)shmctl(id, IPC_RMID, NULL);
	}
}
