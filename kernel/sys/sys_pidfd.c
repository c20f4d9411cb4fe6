/*
 * sys_pidfd.c - process file descriptors (Linux's pidfd_open and
 * pidfd_send_signal; man 2 pidfd_open): a descriptor that names one
 * process for as long as it is open, even once its pid is reused, and
 * that polls readable when the process has exited.
 *
 * A pidfd holds the process's pid and its start time (struct proc's
 * start_ns, [I]), not a pointer: the process is found again by number
 * under proc_tree_lock, and a different start time means the pid now
 * names another process (ours was reaped).  Pollers wait on one queue,
 * proc_exit_wq, which every process exit wakes (kernel/proc/exit.c, once
 * the process is a zombie); each rechecks its own.
 *
 * Lock key: [I] the pidfd's fields; the process through proc_tree_lock.
 */
#include <keel/cred.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include "sys_fs.h"

#define PIDFD_NONBLOCK O_NONBLOCK

struct pidfd {
	int pid;           /* [I] */
	uint64_t start_ns; /* [I] the process's start_ns: which one pid means */
};

/* The process pf names, if it still exists (a zombie too).  [proc_tree_lock] */
static struct proc *pidfd_proc_locked(const struct pidfd *pf)
{
	struct proc *p = proc_find(pf->pid);

	spin_assert_held(&proc_tree_lock);
	return p && p->start_ns == pf->start_ns ? p : NULL;
}

/* Readable (and hung up once reaped) when the process has exited. */
static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	const struct pidfd *pf = f->priv;
	unsigned mask = 0;
	struct proc *p;

	poll_wait(f, &proc_exit_wq, pt);
	spin_lock(&proc_tree_lock);
	p = pidfd_proc_locked(pf);
	if (!p)
		mask = POLLIN | POLLRDNORM | POLLHUP;
	else if (p->state != PROC_ALIVE)
		mask = POLLIN | POLLRDNORM;
	spin_unlock(&proc_tree_lock);
	return mask;
}

static ssize_t pidfd_rw(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return -EINVAL;
}

static void pidfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops pidfd_ops = {
	.read = pidfd_rw,
	.write = pidfd_rw,
	.release = pidfd_release,
	.poll = pidfd_poll,
	.mode = 0600, /* an anonymous inode, as on Linux */
};

SYSCALL_DEFINE2(pidfd_open, int, pid, unsigned, flags)
{
	struct pidfd *pf;
	struct proc *p;
	struct file *f;
	int err = 0;

	if ((flags & ~PIDFD_NONBLOCK) || pid <= 0)
		return -EINVAL;
	pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p) {
		pf->start_ns = p->start_ns;
	} else {
		struct thread *t = thread_find_locked(pid);
		err = t ? -EINVAL : -ESRCH; /* a thread, not a process (Linux 6.1) */
		if (t)
			spin_unlock(&t->proc->lock);
	}
	spin_unlock(&proc_tree_lock);
	if (err) {
		kfree(pf);
		return err;
	}
	pf->pid = pid;
	f = file_alloc(&pidfd_ops, NULL, pf, O_RDWR | (flags & PIDFD_NONBLOCK));
	if (!f) {
		kfree(pf);
		return -ENOMEM;
	}
	return install_file(f, true); /* always close-on-exec (Linux) */
}

SYSCALL_DEFINE4(pidfd_send_signal, int, fd, int, sig, const struct ksiginfo __user *, uinfo,
		unsigned, flags)
{
	struct proc *me = proc_current(), *p;
	struct ksiginfo info;
	struct file *f;
	struct cred c;
	long ret;

	if (flags)
		return -EINVAL;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!(f = fd_get(fd)))
		return -EBADF;
	if (f->ops != &pidfd_ops) {
		file_put(f);
		return -EBADF;
	}
	const struct pidfd pf = *(const struct pidfd *)f->priv;
	file_put(f);
	if (uinfo) {
		if (copy_from_user(&info, uinfo, sizeof(info)))
			return -EFAULT;
		if (info.si_signo != sig)
			return -EINVAL;
		/* Only to itself may a process pretend to be kill() or the kernel. */
		if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pf.pid != me->pid)
			return -EPERM;
	} else {
		signal_info_user(&info, sig, SI_USER);
	}
	cred_get(me, &c);
	spin_lock(&proc_tree_lock);
	p = pidfd_proc_locked(&pf);
	if (!p)
		ret = -ESRCH;
	else if (!cred_may_signal(&c, me, p, sig))
		ret = -EPERM;
	else if (p->state == PROC_ALIVE)
		ret = signal_send_info(p, &info);
	else
		ret = 0; /* a zombie: the signal is lost, no error */
	spin_unlock(&proc_tree_lock);
	return ret;
}
