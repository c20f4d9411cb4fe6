/*
 * tty.c - terminals: one POSIX terminal per console line (/dev/ttyS0 on
 * the serial line, /dev/tty1 on the VGA screen and PS/2 keyboard), the
 * system console (/dev/console) and the controlling terminal (/dev/tty),
 * with controlling terminals, foreground process groups and job control
 * as on Linux.  Devices and their numbers: keel/tty.h.
 *
 * Input is processed when it arrives.  Each terminal attaches a handler
 * to its console line (console_set_input); the input driver's interrupt
 * calls it with every byte, and the line discipline (lib/ldisc.c) does
 * what the byte means there and then, under the terminal's spinlock:
 * queue it, edit the line, echo it (to this line's console devices only,
 * console_write_line), or raise VINTR/VQUIT/VSUSP's signal, which is sent
 * to the foreground process group once the lock is dropped.  So ^C works
 * while nothing reads, and echo does not wait for a reader.
 *
 * Reading (tty_read) copies from the line discipline's queue: in
 * canonical mode one line per read, otherwise as VMIN/VTIME say
 * (ldisc_rplan: the four POSIX cases, with the inter-byte timer).  One
 * reader at a time (read_mutex); it sleeps on the terminal's wait queue,
 * woken by input that makes the queue readable and by settings changes,
 * with a timer for VTIME.  Poll registers on the same queue.  Writing
 * runs output processing (OPOST, ONLCR) under the lock and writes to the
 * line's devices; it waits (on the same queue) only while output is
 * stopped by ^S (IXON) or TCXONC, else never: output is synchronous, so
 * the output queue is always empty (TIOCOUTQ 0, TCSETSW and tcdrain do
 * not wait).
 *
 * Controlling terminal (Linux's rules).  struct proc.ctty is the
 * process's controlling terminal; fork copies it, setsid clears it.  The
 * terminal records its session and foreground process group.  A session
 * leader without one acquires a terminal by opening it without O_NOCTTY
 * (not /dev/console or /dev/tty) or with TIOCSCTTY, if no other session
 * has it (TIOCSCTTY 1 takes it from another session: root only).
 * TIOCNOTTY gives it up (the leader: for the whole session, after
 * SIGHUP and SIGCONT to the foreground group); so does the leader's exit
 * (tty_exit_session: SIGHUP to the foreground group).  A process of a background group that reads its
 * controlling terminal gets SIGTTIN sent to its group and -EINTR, or -EIO
 * when SIGTTIN is ignored or blocked or its group is orphaned; writing
 * with TOSTOP, changing the settings (TCSETS*, TCFLSH, TIOCSPGRP) do the
 * same with SIGTTOU, except that an ignored or blocked SIGTTOU lets the
 * call go ahead.  The -EINTR of read, write and ioctl becomes -ERESTARTSYS
 * in syscall_dispatch, so the call restarts after the stop (or after a
 * SA_RESTART handler), as on Linux.  A hung-up terminal's open files are
 * not revoked.
 *
 * Invariants: a process whose ctty is t is in session t->session (and
 * t->session == 0 means nobody has t); pgrp == 0 when session == 0.  The terminals are static and never
 * freed, so ctty pointers and file->priv need no reference.
 *
 * Lock key (tags as in docs/locking.md):
 *   [lock]       tty.lock, a spinlock taken by the input interrupt: the
 *                line discipline (queue, settings, column, stopped) and
 *                the window size.  It guards the sleep condition of
 *                readers, and of writers while output is stopped.
 *   [tree+lock]  written holding proc_tree_lock and tty.lock, read under
 *                either: session, pgrp (the interrupt reads pgrp under
 *                tty.lock only).
 *   [read_mutex] tty.read_mutex: one reader at a time.
 *   [I]          immutable after tty_init.
 * Order: read_mutex -> proc_tree_lock -> tty.lock -> (waitq, timer_base,
 * console).  A signal is never sent under tty.lock: signal_send_pgrp takes
 * proc_tree_lock.
 */
#include <keel/tty.h>
#include <keel/cred.h>
#include <keel/console.h>
#include <keel/fd.h>
#include <keel/klog.h>
#include <keel/mutex.h>
#include <keel/pid.h>
#include <keel/proc.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <lib/cmdline.h>
#include <lib/errno.h>
#include <lib/string.h>

#define TTY_ROWS             25
#define TTY_COLS             80
#define TTY_CHUNK            256 /* bytes moved between user memory and the queue per step */
#define TTY_NS_PER_DS        (100 * NSEC_PER_MSEC) /* VTIME is in deciseconds */
#define TTY_NO_DEADLINE      UINT64_MAX
#define TTY_CONSOLE_NAME_MAX 16

/* Device numbers (Linux's). */
#define TTY_MKDEV(ma, mi) (((uint32_t)(ma) << 8) | (mi))
#define TTY_DEV_TTY       TTY_MKDEV(5, 0)
#define TTY_DEV_CONSOLE   TTY_MKDEV(5, 1)
#define TTY_DEV_TTY1      TTY_MKDEV(4, 1)
#define TTY_DEV_TTYS0     TTY_MKDEV(4, 64)

struct tty {
	const char *name;             /* [I] */
	uint32_t rdev;                /* [I] */
	enum console_line line;       /* [I] */
	struct spinlock lock;         /* guards the [lock] fields */
	struct ldisc ld;              /* [lock] */
	struct linux_winsize winsize; /* [lock] */
	int session;                  /* [tree+lock] the session it controls, 0 none */
	int pgrp;                     /* [tree+lock] its foreground process group, 0 none */
	struct waitq wq;              /* readers and pollers */
	struct mutex read_mutex;      /* one reader at a time */
};

#define TTY_INIT(v, n, dev, l)                                                               \
	{                                                                                    \
		.name = (n), .rdev = (dev), .line = (l), .lock = SPINLOCK_INIT("tty"),       \
		.winsize = { TTY_ROWS, TTY_COLS, 0, 0 }, .wq = WAITQ_INIT((v).wq, "tty_wq"), \
		.read_mutex = MUTEX_INIT((v).read_mutex, "tty_read"),                        \
	}

static struct tty tty_lines[CONSOLE_LINES] = {
	[CONSOLE_LINE_SERIAL] = TTY_INIT(tty_lines[CONSOLE_LINE_SERIAL], "ttyS0", TTY_DEV_TTYS0,
					 CONSOLE_LINE_SERIAL),
	[CONSOLE_LINE_VGA] =
		TTY_INIT(tty_lines[CONSOLE_LINE_VGA], "tty1", TTY_DEV_TTY1, CONSOLE_LINE_VGA),
};
static struct tty *tty_console = &tty_lines[CONSOLE_LINE_SERIAL]; /* [I] */

/* ---------------------------------------------------------------- input */

/* ldisc echo callback: to this terminal's line only.  [lock] held. */
static void tty_echo(void *ctx, const char *s, size_t n)
{
	struct tty *t = ctx;

	console_write_line(t->line, s, n);
}

/* Console input handler: one typed byte, in interrupt context. */
static void tty_receive(enum console_line line, char c)
{
	struct tty *t = &tty_lines[line];
	unsigned r;
	int pgrp, sig;

	spin_lock(&t->lock);
	r = ldisc_input(&t->ld, (uint8_t)c);
	pgrp = t->pgrp;
	spin_unlock(&t->lock);
	sig = ldisc_input_signal(r);
	if (sig && pgrp > 0)
		signal_send_pgrp(pgrp, sig);
	if (r & LDISC_WAKE)
		wake_up(&t->wq);
}

void tty_init(const char *cmdline)
{
	char name[TTY_CONSOLE_NAME_MAX];

	for (int i = 0; i < CONSOLE_LINES; i++) {
		struct tty *t = &tty_lines[i];

		ldisc_init(&t->ld, tty_echo, t);
		console_set_input(t->line, tty_receive);
	}
	if (cmdline_get(cmdline, "console", name, sizeof(name))) {
		if (strcmp(name, "tty1") == 0 || strcmp(name, "tty0") == 0)
			tty_console = &tty_lines[CONSOLE_LINE_VGA];
		else if (strcmp(name, "ttyS0") == 0 ||
			 strncmp(name, "ttyS0,", sizeof("ttyS0,") - 1) == 0) /* ttyS0,115200 */
			tty_console = &tty_lines[CONSOLE_LINE_SERIAL];
		else
			klog(LOG_WARN, "tty: console=%s: no such terminal, using %s", name,
			     tty_console->name);
	}
}

void tty_detach_input(void)
{
	for (int i = 0; i < CONSOLE_LINES; i++)
		console_set_input(tty_lines[i].line, NULL);
}

/* ---------------------------------------------------------------- job control */

/* The caller's controlling terminal, or NULL.  Takes proc_tree_lock. */
static struct tty *tty_current_ctty(void)
{
	struct proc *p = proc_current();
	struct tty *t;

	if (!p)
		return NULL;
	spin_lock(&proc_tree_lock);
	t = p->ctty;
	spin_unlock(&proc_tree_lock);
	return t;
}

/*
 * May the caller read (sig SIGTTIN) or change (SIGTTOU) terminal t?  0
 * if t is not its controlling terminal or its group is in the foreground;
 * else -EIO (SIGTTIN ignored or blocked, or an orphaned group), 0
 * (SIGTTOU ignored or blocked), or -EINTR after sending sig to the group.
 */
static int tty_job_check(struct tty *t, int sig)
{
	struct proc *p = proc_current();
	int ret = 0;

	if (!p)
		return 0;
	spin_lock(&proc_tree_lock);
	if (p->ctty != t || !t->pgrp || t->pgrp == p->pgid)
		goto out;
	if (signal_current_ignores_or_blocks(sig)) {
		if (sig == SIGTTIN)
			ret = -EIO;
	} else if (pid_pgrp_orphaned(p->pgid)) {
		ret = -EIO;
	} else {
		signal_send_pgrp_locked(p->pgid, sig);
		ret = -EINTR;
	}
out:
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* Set t's session and foreground group.  proc_tree_lock held. */
static void tty_set_owner_locked(struct tty *t, int session, int pgrp)
{
	spin_assert_held(&proc_tree_lock);
	spin_lock(&t->lock);
	t->session = session;
	t->pgrp = pgrp;
	spin_unlock(&t->lock);
}

/*
 * Session sid gives up its controlling terminal t: every member loses it,
 * t has no session.  Returns t's foreground group before.  proc_tree_lock
 * held.
 */
static int tty_disassociate_locked(struct tty *t, int sid)
{
	struct pid *e = pid_lookup(sid);
	int pgrp = t->pgrp;
	struct list *pos;

	spin_assert_held(&proc_tree_lock);
	if (e) {
		list_for_each(pos, &e->session) {
			struct proc *m = list_entry(pos, struct proc, session_node);

			if (m->ctty == t)
				m->ctty = NULL;
		}
	}
	tty_set_owner_locked(t, 0, 0);
	return pgrp;
}

/*
 * Hang up for the leaving session sid: SIGHUP to the old foreground group,
 * and SIGCONT too when the leader gives the terminal up alive (TIOCNOTTY);
 * at the leader's exit Linux sends SIGCONT only to the leader itself.
 */
static void tty_hangup_locked(struct tty *t, int sid, bool cont)
{
	int pgrp = tty_disassociate_locked(t, sid);

	if (pgrp) {
		signal_send_pgrp_locked(pgrp, SIGHUP);
		if (cont)
			signal_send_pgrp_locked(pgrp, SIGCONT);
	}
}

int tty_proc_ctty(struct proc *p, int *tpgid)
{
	struct tty *t;

	spin_assert_held(&proc_tree_lock);
	t = p->ctty;
	*tpgid = t && t->pgrp ? t->pgrp : -1;
	return t ? (int)t->rdev : 0; /* Linux's tty_nr is major << 8 | minor too */
}

void tty_exit_session(struct proc *p)
{
	struct tty *t;

	/* Only p itself changes its session (setsid), and p is exiting. */
	if (READ_ONCE(p->sid) != p->pid)
		return;
	spin_lock(&proc_tree_lock);
	t = p->ctty;
	if (t && t->session == p->sid)
		tty_hangup_locked(t, p->sid, false);
	spin_unlock(&proc_tree_lock);
}

/* A session leader without a controlling terminal opens t: acquire it if free. */
static void tty_open_acquire(struct tty *t)
{
	struct proc *p = proc_current();

	if (!p)
		return;
	spin_lock(&proc_tree_lock);
	if (p->sid == p->pid && !p->ctty && !t->session) {
		p->ctty = t;
		tty_set_owner_locked(t, p->sid, p->pgid);
	}
	spin_unlock(&proc_tree_lock);
}

/* TIOCSCTTY: make t the caller's controlling terminal (steal: arg 1). */
static long tty_ioctl_sctty(struct tty *t, uintptr_t arg)
{
	struct proc *p = proc_current();
	long ret = 0;

	spin_lock(&proc_tree_lock);
	if (p->sid == p->pid && t->session == p->sid)
		goto out; /* already ours */
	if (p->sid != p->pid || p->ctty) {
		ret = -EPERM;
		goto out;
	}
	if (t->session) {
		if (arg != 1 || !cred_privileged()) {
			ret = -EPERM;
			goto out;
		}
		tty_disassociate_locked(t, t->session); /* root may steal it */
	}
	p->ctty = t;
	tty_set_owner_locked(t, p->sid, p->pgid);
out:
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* TIOCNOTTY: the caller gives up its controlling terminal t. */
static long tty_ioctl_notty(struct tty *t)
{
	struct proc *p = proc_current();
	long ret = 0;

	spin_lock(&proc_tree_lock);
	if (p->ctty != t)
		ret = -ENOTTY;
	else if (p->sid == p->pid && t->session == p->sid)
		tty_hangup_locked(t, p->sid, true);
	else
		p->ctty = NULL;
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* The session of process group pgid (a member's, else the process
 * numbered pgid's), 0 if neither exists.  proc_tree_lock held. */
static int tty_session_of_pgrp_locked(int pgid)
{
	struct pid *e = pid_lookup(pgid);
	struct proc *m;

	spin_assert_held(&proc_tree_lock);
	if (!e)
		return 0;
	m = list_first(&e->pgrp, struct proc, pgrp_node);
	if (!m)
		m = e->proc;
	return m ? m->sid : 0;
}

/* TIOCSPGRP: make pgid the foreground group of the caller's ctty t. */
static long tty_ioctl_spgrp(struct tty *t, uintptr_t arg)
{
	struct proc *p = proc_current();
	long ret;
	int pgid;

	ret = tty_job_check(t, SIGTTOU);
	if (ret == -EIO)
		return -ENOTTY;
	if (ret)
		return ret;
	if (copy_from_user(&pgid, (const void *)arg, sizeof(pgid)))
		return -EFAULT;
	if (pgid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	if (p->ctty != t || t->session != p->sid) {
		ret = -ENOTTY;
	} else if (!pid_lookup(pgid)) {
		ret = -ESRCH;
	} else if (tty_session_of_pgrp_locked(pgid) != p->sid) {
		ret = -EPERM;
	} else {
		tty_set_owner_locked(t, t->session, pgid);
		ret = 0;
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* TIOCGPGRP (sid false) / TIOCGSID (sid true) of the caller's ctty t. */
static long tty_ioctl_gpgrp(struct tty *t, uintptr_t arg, bool sid)
{
	struct proc *p = proc_current();
	int v;

	spin_lock(&proc_tree_lock);
	if (p->ctty != t || (sid && !t->session)) {
		spin_unlock(&proc_tree_lock);
		return -ENOTTY;
	}
	v = sid ? t->session : t->pgrp;
	spin_unlock(&proc_tree_lock);
	return copy_to_user((void *)arg, &v, sizeof(v));
}

/* ---------------------------------------------------------------- open */

/* Which terminal a device number names: /dev/tty and /dev/console
 * included; NULL with *err set if none. */
static struct tty *tty_of_rdev(uint32_t rdev, int *err)
{
	struct tty *t;

	switch (rdev) {
	case TTY_DEV_TTY:
		t = tty_current_ctty();
		if (!t)
			*err = -ENXIO;
		return t;
	case TTY_DEV_CONSOLE:
		return tty_console;
	default:
		for (int i = 0; i < CONSOLE_LINES; i++)
			if (tty_lines[i].rdev == rdev)
				return &tty_lines[i];
		*err = -ENODEV;
		return NULL;
	}
}

static int tty_open(struct file *f, int flags)
{
	uint32_t rdev = f->vnode ? f->vnode->rdev : TTY_DEV_CONSOLE;
	int err = 0;
	struct tty *t = tty_of_rdev(rdev, &err);

	if (!t)
		return err;
	f->priv = t; /* before the file is published */
	if (!(flags & O_NOCTTY) && rdev != TTY_DEV_TTY && rdev != TTY_DEV_CONSOLE)
		tty_open_acquire(t);
	return 0;
}

/* ---------------------------------------------------------------- read, write */

static void tty_timeout(struct timer *tm)
{
	sched_wake(container_of(tm, struct thread, timer));
}

/*
 * Sleep on t->wq until woken, deadline (TTY_NO_DEADLINE: none) or a
 * signal: 0 or -EINTR.  [lock] held; dropped while asleep.
 */
static int tty_sleep_locked(struct tty *t, uint64_t deadline)
{
	struct thread *th = thread_current();
	struct waiter w;

	might_sleep_locked(&t->lock);
	waitq_prepare(&t->wq, &w);
	if (wait_interrupted()) {
		waitq_finish(&t->wq, &w);
		return -EINTR;
	}
	spin_unlock(&t->lock);
	if (deadline != TTY_NO_DEADLINE) {
		timer_init(&th->timer, tty_timeout);
		timer_arm(&th->timer, deadline);
	}
	schedule();
	if (deadline != TTY_NO_DEADLINE)
		timer_cancel(&th->timer);
	waitq_finish(&t->wq, &w);
	spin_lock(&t->lock);
	return 0;
}

static uint64_t tty_deadline(long ds)
{
	return ds == LDISC_FOREVER ? TTY_NO_DEADLINE : time_ns() + (uint64_t)ds * TTY_NS_PER_DS;
}

/*
 * Copy what the read plan allows into b.  read_mutex held; takes [lock]
 * around queue access and drops it for the user copies.
 */
static ssize_t tty_read_locked(struct tty *t, struct iobuf b, size_t n, bool nonblock)
{
	struct ldisc_rplan plan;
	char chunk[TTY_CHUNK];
	size_t done = 0, k;
	uint64_t deadline;
	ssize_t err = 0;
	bool canon, eol;

	spin_lock(&t->lock);
	canon = t->ld.tio.c_lflag & ICANON;
	ldisc_rplan_init(&plan, &t->ld.tio);
	deadline = tty_deadline(plan.timeout);
	while (done < n) {
		if (!ldisc_readable(&t->ld, 1)) {
			/* Non-canonical: return once MIN is met and the queue is
			 * drained (Linux copies all that is there, then checks). */
			if (!canon && ldisc_rplan_done(&plan, done))
				break;
			if (plan.timeout == 0 || time_ns() >= deadline)
				break;
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			err = tty_sleep_locked(t, deadline);
			if (err)
				break;
			continue;
		}
		k = ldisc_read(&t->ld, chunk, MIN(n - done, sizeof(chunk)), &eol);
		spin_unlock(&t->lock);
		if (k && iobuf_copy_to(b, done, chunk, k))
			return done ? (ssize_t)done : -EFAULT;
		done += k;
		spin_lock(&t->lock);
		if (canon) {
			if (eol)
				break; /* one line per read */
			continue;
		}
		ldisc_rplan_progress(&plan); /* VTIME: the inter-byte timer restarts */
		deadline = tty_deadline(plan.timeout);
	}
	spin_unlock(&t->lock);
	return done ? (ssize_t)done : err;
}

static ssize_t tty_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct tty *t = f->priv;
	bool nonblock = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
	ssize_t ret;

	ret = tty_job_check(t, SIGTTIN);
	if (ret)
		return ret;
	if (n == 0)
		return 0;
	if (mutex_lock_interruptible(&t->read_mutex))
		return -EINTR;
	ret = tty_read_locked(t, b, n, nonblock);
	mutex_unlock(&t->read_mutex);
	return ret;
}

static ssize_t tty_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct tty *t = f->priv;
	char in[TTY_CHUNK], out[2 * TTY_CHUNK];
	size_t done = 0;
	bool tostop;
	int err;

	spin_lock(&t->lock);
	tostop = t->ld.tio.c_lflag & TOSTOP;
	spin_unlock(&t->lock);
	if (tostop && (err = tty_job_check(t, SIGTTOU)))
		return err;
	while (done < n) {
		size_t k = MIN(n - done, sizeof(in)), used, o;

		if (iobuf_copy_from(in, b, done, k))
			return done ? (ssize_t)done : -EFAULT;
		spin_lock(&t->lock);
		while (t->ld.stopped) { /* ^S (IXON) or TCOOFF: wait for the restart */
			if (tty_sleep_locked(t, TTY_NO_DEADLINE)) {
				spin_unlock(&t->lock);
				return done ? (ssize_t)done : -EINTR;
			}
		}
		o = ldisc_output(&t->ld, in, k, out, sizeof(out), &used);
		spin_unlock(&t->lock);
		console_write_line(t->line, out, o);
		done += used; /* out holds twice in: used == k */
		if (done < n && signal_checkpoint())
			break;
	}
	return (ssize_t)done;
}

/*
 * Readable once a read would not wait: a line (canonical), VMIN bytes
 * (non-canonical with VTIME 0), else a byte.  Writing never blocks.
 */
static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *t = f->priv;
	unsigned mask = POLLOUT | POLLWRNORM;
	const struct linux_termios *tio;
	size_t min = 1;

	poll_wait(f, &t->wq, pt);
	spin_lock(&t->lock);
	tio = &t->ld.tio;
	if (!(tio->c_lflag & ICANON) && !tio->c_cc[VTIME] && tio->c_cc[VMIN])
		min = tio->c_cc[VMIN];
	if (ldisc_readable(&t->ld, min))
		mask |= POLLIN | POLLRDNORM;
	spin_unlock(&t->lock);
	return mask;
}

/* ---------------------------------------------------------------- ioctl */

static long tty_ioctl_tcsets(struct tty *t, unsigned long cmd, uintptr_t arg)
{
	struct linux_termios tio;
	long ret = tty_job_check(t, SIGTTOU);

	if (ret)
		return ret;
	if (copy_from_user(&tio, (const void *)arg, sizeof(tio)))
		return -EFAULT;
	spin_lock(&t->lock);
	if (cmd == TCSETSF)
		ldisc_flush_input(&t->ld);
	ldisc_set_termios(&t->ld, &tio);
	spin_unlock(&t->lock);
	wake_up(&t->wq); /* readability may have changed */
	return 0;
}

static long tty_ioctl_swinsz(struct tty *t, uintptr_t arg)
{
	struct linux_winsize ws;
	bool changed;
	int pgrp;

	if (copy_from_user(&ws, (const void *)arg, sizeof(ws)))
		return -EFAULT;
	spin_lock(&t->lock);
	changed = memcmp(&ws, &t->winsize, sizeof(ws)) != 0;
	t->winsize = ws;
	pgrp = t->pgrp;
	spin_unlock(&t->lock);
	if (changed && pgrp)
		signal_send_pgrp(pgrp, SIGWINCH);
	return 0;
}

static long tty_ioctl_tcflsh(struct tty *t, uintptr_t arg)
{
	long ret = tty_job_check(t, SIGTTOU);

	if (ret)
		return ret;
	if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
		return -EINVAL;
	if (arg != TCOFLUSH) {
		spin_lock(&t->lock);
		ldisc_flush_input(&t->ld);
		spin_unlock(&t->lock);
	}
	return 0; /* output is never queued */
}

/* TCXONC: stop or restart output, or send the STOP or START character. */
static long tty_ioctl_tcxonc(struct tty *t, uintptr_t arg)
{
	long ret = tty_job_check(t, SIGTTOU);
	char c;

	if (ret)
		return ret;
	spin_lock(&t->lock);
	switch (arg) {
	case TCOOFF:
	case TCOON:
		t->ld.stopped = arg == TCOOFF;
		break;
	case TCIOFF:
	case TCION:
		c = (char)t->ld.tio.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c != LDISC_VDISABLE)
			console_write_line(t->line, &c, 1);
		break;
	default:
		ret = -EINVAL;
	}
	spin_unlock(&t->lock);
	wake_up(&t->wq);
	return ret;
}

/*
 * TIOCSTI: one byte as if typed on t (Linux's rule: t must be the caller's
 * controlling terminal, unless the caller is privileged).  It goes the way
 * a key goes, through the console input of t's line, so a user-space
 * keyboard driver (kbdd) feeds the VGA terminal with it.
 */
static long tty_ioctl_sti(struct tty *t, uintptr_t arg)
{
	char c;

	if (!cred_privileged() && tty_current_ctty() != t)
		return -EPERM;
	if (copy_from_user(&c, (const void *)arg, 1))
		return -EFAULT;
	console_input(t->line, c);
	return 0;
}

static long tty_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct tty *t = f->priv;
	struct linux_termios tio;
	struct linux_winsize ws;
	int v;

	switch (cmd) {
	case TCGETS:
		spin_lock(&t->lock);
		tio = t->ld.tio;
		spin_unlock(&t->lock);
		return copy_to_user((void *)arg, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_ioctl_tcsets(t, cmd, arg);
	case TIOCGWINSZ:
		spin_lock(&t->lock);
		ws = t->winsize;
		spin_unlock(&t->lock);
		return copy_to_user((void *)arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		return tty_ioctl_swinsz(t, arg);
	case TIOCSCTTY:
		return tty_ioctl_sctty(t, arg);
	case TIOCNOTTY:
		return tty_ioctl_notty(t);
	case TIOCGPGRP:
		return tty_ioctl_gpgrp(t, arg, false);
	case TIOCGSID:
		return tty_ioctl_gpgrp(t, arg, true);
	case TIOCSPGRP:
		return tty_ioctl_spgrp(t, arg);
	case FIONREAD:
		spin_lock(&t->lock);
		v = (int)ldisc_available(&t->ld);
		spin_unlock(&t->lock);
		return copy_to_user((void *)arg, &v, sizeof(v));
	case TIOCOUTQ:
		v = 0; /* output is written synchronously */
		return copy_to_user((void *)arg, &v, sizeof(v));
	case TCFLSH:
		return tty_ioctl_tcflsh(t, arg);
	case TCSBRK:
		if (arg)
			return 0; /* tcdrain: nothing is queued */
		klog_once(LOG_INFO, "tty: sending a break (TCSBRK 0) is not supported");
		return -EINVAL;
	case TCXONC:
		return tty_ioctl_tcxonc(t, arg);
	case TIOCSTI:
		return tty_ioctl_sti(t, arg);
	default:
		return -ENOTTY;
	}
}

const struct file_ops tty_fops = {
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};
