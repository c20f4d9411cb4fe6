/*
 * ut_sem.c - usertests: System V semaphores (each case also passes on
 * Linux as root).  Every body runs in a child; the test removes the set
 * afterwards, whatever happened (sets outlive their processes).
 *
 *   sem_ops          SETVAL/GETVAL/GETPID/SETALL/GETALL; semop applies all
 *                    operations or none (IPC_NOWAIT: EAGAIN, nothing
 *                    changed); ERANGE past 32767, EFBIG for a semaphore
 *                    past the set, EINVAL for none, E2BIG for too many;
 *                    IPC_STAT's nsems
 *   sem_waits        a decrement waits for an increase (GETNCNT counts
 *                    it), a wait-for-zero for zero (GETZCNT); semtimedop
 *                    times out with EAGAIN; a signal ends a wait with
 *                    EINTR; removing the set wakes waiters with EIDRM
 *   sem_undo         SEM_UNDO operations are undone when the process
 *                    exits
 *   sem_keys_perms   keys, IPC_CREAT|IPC_EXCL (EEXIST), ENOENT, more
 *                    semaphores than the set has (EINVAL); another user:
 *                    EACCES without permission, EPERM for IPC_RMID
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include "usertests.h"

#define SM_KEY     0x4b530000  /* + the pid */
#define SM_SETTLE  100000000ll /* let a child reach its wait */
#define SM_TIMEOUT 50000000l   /* semtimedop's timeout, ns */

union sm_arg {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int sm_op(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };

	return semop(id, &b, 1);
}

static int sm_val(int id, int num)
{
	return semctl(id, num, GETVAL);
}

static void sm_run(void (*body)(void *), int id)
{
	int status = ut_in_child(body, &id);

	(void)semctl(id, 0, IPC_RMID);
	UT_CHECK_EXIT(status, 0);
}

static void sem_ops(void *arg)
{
	int id = *(int *)arg;
	union sm_arg a = { .val = 5 };
	unsigned short all[3] = { 1, 2, 3 }, back[3] = { 0 };
	struct sembuf two[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	struct sembuf many[501];
	struct semid_ds ds;

	UT_OK(semctl(id, 0, SETVAL, a));
	UT_CHECK(sm_val(id, 0) == 5);
	UT_OK(sm_op(id, 0, -2, 0));
	UT_CHECK(sm_val(id, 0) == 3 && semctl(id, 0, GETPID) == getpid());
	UT_CHECK_ERR(sm_op(id, 0, -4, IPC_NOWAIT), EAGAIN);
	UT_CHECK_ERR(semop(id, two, 2), EAGAIN); /* sem 1 is 0: nothing done */
	UT_CHECK(sm_val(id, 0) == 3);
	a.array = all;
	UT_OK(semctl(id, 0, SETALL, a));
	a.array = back;
	UT_OK(semctl(id, 0, GETALL, a));
	UT_CHECK(back[0] == 1 && back[1] == 2 && back[2] == 3);
	a.val = 40000;
	UT_CHECK_ERR(semctl(id, 0, SETVAL, a), ERANGE);
	UT_CHECK_ERR(sm_op(id, 2, 32767, 0), ERANGE);
	UT_CHECK_ERR(sm_op(id, 3, 1, 0), EFBIG);
	UT_CHECK_ERR(semop(id, two, 0), EINVAL);
	memset(many, 0, sizeof(many));
	UT_CHECK_ERR(semop(id, many, 501), E2BIG);
	a.buf = &ds;
	UT_OK(semctl(id, 0, IPC_STAT, a));
	UT_CHECK(ds.sem_nsems == 3 && (ds.sem_perm.mode & 0777) == 0600);
}

void ut_sem_ops(void)
{
	sm_run(sem_ops, (int)UT_OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600)));
}

static volatile sig_atomic_t sm_got;

static void sm_handler(int sig)
{
	(void)sig;
	sm_got = 1;
}

static void sem_waits(void *arg)
{
	int id = *(int *)arg;
	union sm_arg a = { .val = 0 };
	struct timespec ts = { 0, SM_TIMEOUT };
	struct sembuf dec = { 0, -1, 0 };
	pid_t c;

	/* A decrement waits for an increase. */
	c = utest_fork();
	if (c == 0)
		_exit(sm_op(id, 0, -1, 0) == 0 ? 0 : 1);
	utest_sleep_ns(SM_SETTLE);
	UT_CHECK(semctl(id, 0, GETNCNT) == 1);
	UT_OK(sm_op(id, 0, 1, 0));
	UT_CHECK_EXIT(utest_wait(c), 0);
	UT_CHECK(sm_val(id, 0) == 0);
	/* A wait for zero. */
	a.val = 1;
	UT_OK(semctl(id, 1, SETVAL, a));
	c = utest_fork();
	if (c == 0)
		_exit(sm_op(id, 1, 0, 0) == 0 ? 0 : 1);
	utest_sleep_ns(SM_SETTLE);
	UT_CHECK(semctl(id, 1, GETZCNT) == 1);
	a.val = 0;
	UT_OK(semctl(id, 1, SETVAL, a));
	UT_CHECK_EXIT(utest_wait(c), 0);
	/* A timeout. */
	UT_CHECK_ERR(syscall(SYS_semtimedop, id, &dec, 1, &ts), EAGAIN);
	/* A signal. */
	c = utest_fork();
	if (c == 0) {
		struct sigaction sa = { .sa_handler = sm_handler };
		sigaction(SIGUSR1, &sa, NULL);
		_exit(sm_op(id, 0, -1, 0) < 0 && errno == EINTR && sm_got ? 0 : 1);
	}
	utest_sleep_ns(SM_SETTLE);
	UT_OK(kill(c, SIGUSR1));
	UT_CHECK_EXIT(utest_wait(c), 0);
	/* Removal. */
	c = utest_fork();
	if (c == 0)
		_exit(sm_op(id, 0, -1, 0) < 0 && errno == EIDRM ? 0 : 1);
	utest_sleep_ns(SM_SETTLE);
	UT_OK(semctl(id, 0, IPC_RMID));
	UT_CHECK_EXIT(utest_wait(c), 0);
}

void ut_sem_waits(void)
{
	sm_run(sem_waits, (int)UT_OK(semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)));
}

static void sem_undo(void *arg)
{
	int id = *(int *)arg;
	union sm_arg a = { .val = 2 };
	pid_t c;

	UT_OK(semctl(id, 0, SETVAL, a));
	c = utest_fork();
	if (c == 0) {
		if (sm_op(id, 0, 3, SEM_UNDO) || sm_op(id, 0, -1, SEM_UNDO) || sm_val(id, 0) != 4)
			_exit(1);
		_exit(0); /* +3 -1 undone: back to 2 */
	}
	UT_CHECK_EXIT(utest_wait(c), 0);
	UT_CHECK(sm_val(id, 0) == 2);
	c = utest_fork();
	if (c == 0)
		_exit(sm_op(id, 0, -2, SEM_UNDO) == 0 ? 0 : 1);
	UT_CHECK_EXIT(utest_wait(c), 0);
	UT_CHECK(sm_val(id, 0) == 2);
}

void ut_sem_undo(void)
{
	sm_run(sem_undo, (int)UT_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600)));
}

static int sm_key;

static void sem_other_user(void *arg)
{
	int id = *(int *)arg;

	UT_OK(setgid(2000));
	UT_OK(setuid(1000));
	UT_CHECK_ERR(semget(sm_key, 1, 0600), EACCES);
	UT_CHECK_ERR(sm_val(id, 0), EACCES);
	UT_CHECK_ERR(semctl(id, 0, IPC_RMID), EPERM);
}

static void sem_keys_perms(void *arg)
{
	int id = *(int *)arg;

	UT_CHECK_ERR(semget(sm_key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	UT_CHECK(semget(sm_key, 2, 0) == id);
	UT_CHECK(semget(sm_key, 0, 0) == id);
	UT_CHECK_ERR(semget(sm_key, 3, 0), EINVAL);
	UT_CHECK_ERR(semget(sm_key + 1, 1, 0), ENOENT);
	UT_CHECK_ERR(semget(IPC_PRIVATE, 0, IPC_CREAT), EINVAL);
	UT_CHECK_EXIT(ut_in_child(sem_other_user, &id), 0);
}

void ut_sem_keys_perms(void)
{
	sm_key = SM_KEY + getpid();
	sm_run(sem_keys_perms, (int)UT_OK(semget(sm_key, 2, IPC_CREAT | IPC_EXCL | 0600)));
}
