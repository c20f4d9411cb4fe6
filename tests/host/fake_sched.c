/*
 * fake_sched.c - host stand-ins for mutexes, wait queues, user copies,
 * proc_current(), signals, the process tree, timers, the console and the
 * clock, so the file layer (kernel/fs/vfs.c, ramfs.c, fd.c, pipe.c,
 * devfs.c, tty.c, sys_fs.c) runs in host unit tests.  Hooks and rules:
 * fake_sched.h.
 */
#include <keel/console.h>
#include <keel/cred.h>
#include <keel/epoll.h>
#include <keel/mutex.h>
#include <keel/panic.h>
#include <keel/pid.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/thread.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/string.h>

#include "fake_sched.h"

#define FAKE_OWNER ((struct thread *)1)

struct proc *fake_current_proc;
uint64_t fake_signals_raised;
uint64_t fake_pgrp_signals;
int fake_pgrp_signalled;
struct spinlock proc_tree_lock = SPINLOCK_INIT("proc_tree");
static console_input_fn fake_console_in_fn[CONSOLE_LINES];
char fake_console_out[4096];
unsigned fake_console_out_len;
static char fake_console_in[256];
static unsigned fake_console_in_head, fake_console_in_len;
static uint64_t fake_clock;

/* ---------------------------------------------------------------- mutexes */

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->owner = NULL;
	waitq_init(&m->wq, name);
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	if (m->owner)
		panic("fake mutex_lock(%s): already held (deadlock)", m->name);
	m->owner = FAKE_OWNER;
}

int mutex_lock_interruptible(struct mutex *m)
{
	mutex_lock(m);
	return 0;
}

int mutex_lock_killable(struct mutex *m)
{
	mutex_lock(m);
	return 0;
}

bool mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return false;
	m->owner = FAKE_OWNER;
	return true;
}

void mutex_unlock(struct mutex *m)
{
	if (!m->owner)
		panic("fake mutex_unlock(%s): not held", m->name);
	m->owner = NULL;
}

bool mutex_held(struct mutex *m)
{
	return m->owner != NULL;
}

/* ---------------------------------------------------------------- wait queues */

void waitq_init(struct waitq *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

void waitq_prepare(struct waitq *wq, struct waiter *w)
{
	panic("fake waitq_prepare: a host test would sleep forever");
}

void waitq_finish(struct waitq *wq, struct waiter *w)
{
}

/*
 * Nobody sleeps here, but entries a poll table queued are marked woken
 * (the host tests queue no callback entries: no epoll here).
 */
void wake_up(struct waitq *wq)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &wq->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);

		list_remove(&w->node);
		w->woken = true;
	}
}

/* No epoll in the host tests: no file has registrations to remove. */
void epoll_file_release(struct file *f)
{
}

void wake_up_one(struct waitq *wq)
{
	struct waiter *w = list_first(&wq->waiters, struct waiter, node);

	if (w) {
		list_remove(&w->node);
		w->woken = true;
	}
}

bool wait_interrupted(void)
{
	return false;
}

void schedule(void)
{
}

/* ---------------------------------------------------------------- user memory */

bool user_range_ok(uintptr_t addr, size_t n)
{
	return addr >= FAKE_USER_BAD_LIMIT && addr + n >= addr;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (n && !user_range_ok((uintptr_t)src, n))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (n && !user_range_ok((uintptr_t)dst, n))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int clear_user(void __user *dst, size_t n)
{
	if (n && !user_range_ok((uintptr_t)dst, n))
		return -EFAULT;
	memset(dst, 0, n);
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t n)
{
	if (!user_range_ok((uintptr_t)src, 1))
		return -EFAULT;
	for (size_t i = 0; i < n; i++) {
		dst[i] = src[i];
		if (!src[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}

/* ---------------------------------------------------------------- process, signals */

struct proc *proc_current(void)
{
	return fake_current_proc;
}

/* No limits on the host: the descriptor table's own maximum applies. */
uint64_t rlimit_cur(int res)
{
	return RLIM_INFINITY;
}

/* The host tests run as root (no credentials are faked). */
bool cred_privileged(void)
{
	return true;
}

struct vnode *proc_get_cwd(struct proc *p)
{
	return p->cwd ? vnode_get(p->cwd) : NULL;
}

void signal_raise_current(int sig)
{
	if (sig > 0 && sig <= NSIG)
		fake_signals_raised |= 1ull << (sig - 1);
}

int signal_send_pgrp_locked(int pgid, int sig)
{
	if (sig > 0 && sig <= NSIG)
		fake_pgrp_signals |= 1ull << (sig - 1);
	fake_pgrp_signalled = pgid;
	return 1;
}

int signal_send_pgrp(int pgid, int sig)
{
	return signal_send_pgrp_locked(pgid, sig);
}

bool signal_current_ignores_or_blocks(int sig)
{
	return false;
}

/* No process groups or sessions exist in host tests. */
struct pid *pid_lookup(int nr)
{
	return NULL;
}

bool pid_pgrp_orphaned(int pgid)
{
	return true;
}

struct thread *thread_current(void)
{
	return NULL;
}

/* File access on the host is root's (kernel/fs/perm.c lets it do anything). */
void cred_fs_current(struct cred_fs *out, bool real)
{
	memset(out, 0, sizeof(*out));
	out->priv = true;
}

bool cred_fs_in_group(const struct cred_fs *c, uint32_t gid)
{
	return c->gid == gid;
}

bool sched_wake(struct thread *t)
{
	return false;
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->cpu = -1;
}

void timer_arm(struct timer *t, uint64_t expires)
{
	panic("fake timer_arm: a host test would sleep");
}

bool timer_cancel(struct timer *t)
{
	return false;
}

bool signal_pending(void)
{
	return false;
}

bool signal_fatal_pending(void)
{
	return false;
}

bool signal_checkpoint(void)
{
	return false;
}

/* ---------------------------------------------------------------- console, clock */

void console_write(const char *s, size_t n)
{
	n = MIN(n, sizeof(fake_console_out) - fake_console_out_len);
	memcpy(fake_console_out + fake_console_out_len, s, n);
	fake_console_out_len += (unsigned)n;
}

void console_write_line(enum console_line line, const char *s, size_t n)
{
	console_write(s, n);
}

console_input_fn console_set_input(enum console_line line, console_input_fn fn)
{
	console_input_fn old = fake_console_in_fn[line];

	fake_console_in_fn[line] = fn;
	return old;
}

/* A byte typed on line (TIOCSTI comes this way): to the line's input fn. */
void console_input(enum console_line line, char c)
{
	if (line < CONSOLE_LINES && fake_console_in_fn[line])
		fake_console_in_fn[line](line, c);
}

static struct waitq fake_console_in_wq = WAITQ_INIT(fake_console_in_wq, "console_in_wq");

struct waitq *console_input_wq(void)
{
	return &fake_console_in_wq;
}

void fake_console_feed(const char *s)
{
	if (fake_console_in_fn[CONSOLE_LINE_SERIAL]) {
		for (; *s; s++)
			fake_console_in_fn[CONSOLE_LINE_SERIAL](CONSOLE_LINE_SERIAL, *s);
		return;
	}
	for (; *s && fake_console_in_len < sizeof(fake_console_in); s++) {
		unsigned at = (fake_console_in_head + fake_console_in_len) %
			      sizeof(fake_console_in);

		fake_console_in[at] = *s;
		fake_console_in_len++;
	}
	wake_up(&fake_console_in_wq);
}

int console_trygetc(void)
{
	int c;

	if (!fake_console_in_len)
		return -1;
	c = (unsigned char)fake_console_in[fake_console_in_head];
	fake_console_in_head = (fake_console_in_head + 1) % sizeof(fake_console_in);
	fake_console_in_len--;
	return c;
}

int console_getc(void)
{
	int c = console_trygetc();

	if (c < 0)
		panic("fake console_getc: no input queued (would block)");
	return c;
}

int console_getc_interruptible(void)
{
	return console_getc();
}

uint64_t time_ns(void)
{
	return fake_clock += 1000;
}

/* The wall clock: the fake monotonic clock from a fixed 2026 epoch. */
#define FAKE_EPOCH_NS (1796000000ull * 1000000000ull)

uint64_t time_real_ns(void)
{
	return FAKE_EPOCH_NS + time_ns();
}
