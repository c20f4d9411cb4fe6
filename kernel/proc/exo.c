/*
 * exo.c - the exokernel mechanisms at the process level (MIT JOS lab 4 on
 * Keel; docs/exokernel.md): the page-fault upcall, and IPC that passes a
 * value and optionally a page.  exo_fork lives with clone in proc.c, the
 * run state (held) with the other waits at the way out to user mode in
 * signal.c, the page operations in kernel/mm/vm_exo.c, the system calls in
 * kernel/sys/sys_exo.c.
 *
 * Upcall: a user page fault the kernel does not resolve goes to the
 * process's upcall entry on its exception stack (arch_upcall_push builds
 * the frame).  The entry and the stack are process-wide, inherited by
 * fork and exo_fork, cleared by execve.
 *
 * IPC: one receive slot per process (keel/exo.h has the hand-over rule).
 * A sender maps the page into the receiver before the receiver wakes, so
 * the receiver returns with the page already there.  Nothing is queued: a
 * try-send to a process that is not waiting is -EAGAIN; the blocking send
 * (libkeel's ipc_send) sleeps on the receiver's send_wq until it receives,
 * instead of retrying: hundreds of processes retrying in a loop would
 * keep every CPU busy and hammer proc_tree_lock.  An exiting process
 * (exo_proc_exit) wakes its blocked senders and waits until they have let
 * go of it before it can become a zombie and be freed.
 *
 * Lock key: keel/exo.h.  Lock order: proc_tree_lock -> proc->lock, and
 * proc_tree_lock -> exo.ipc_lock; a
 * page is taken from (mm->lock) and placed into (mm->lock) an address
 * space with no spinlock held.
 */
#include <keel/exo.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <keel/pmm.h>
#include <keel/fault.h>
#include <keel/signal.h>
#include <keel/klog.h>
#include <uapi/keel/exo.h>
#include <arch/arch.h>
#include <arch/user.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/cpu.h>
#include <keel/time.h>
#include <lib/errno.h>

#define EXO_IPC_SPIN_NS 50000ul /* how long a receiver spins before it sleeps */

void exo_proc_init(struct exo_proc *e)
{
	spin_init(&e->ipc_lock, "exo_ipc");
	waitq_init(&e->wq, "exo_ipc_wq");
	waitq_init(&e->send_wq, "exo_send_wq");
	e->recv_va = (uintptr_t)EXO_NO_PAGE;
}

void exo_proc_inherit_locked(struct proc *child, struct proc *parent)
{
	spin_assert_held(&parent->lock);
	child->exo.upcall = parent->exo.upcall;
	child->exo.xstack_top = parent->exo.xstack_top;
}

void exo_proc_exec_locked(struct proc *p)
{
	spin_assert_held(&p->lock);
	p->exo.upcall = 0;
	p->exo.xstack_top = 0;
}

/* A broken upcall: log why, end the process with SIGSEGV.  Interrupts on. */
static void __noreturn exo_upcall_broken(const struct fault *f, uintptr_t entry, const char *why)
{
	struct thread *t = thread_current();

	klog(LOG_WARN,
	     "%s[%d]: page fault at %lx (rip %lx): upcall %lx failed (%s): "
	     "killed by signal %d",
	     t->name, t->tid, f->addr, f->pc, entry, why, SIGSEGV);
	proc_exit_group(SIGSEGV, true);
}

bool exo_fault_upcall(const struct fault *f)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uintptr_t entry, top, sp;
	int err;

	if (!p || !t->mm)
		return false;
	spin_lock(&p->lock);
	entry = p->exo.upcall;
	top = p->exo.xstack_top;
	spin_unlock(&p->lock);
	if (!entry)
		return false;
	arch_irq_enable();
	if (entry >= USER_TOP || !vm_exo_allows(t->mm, entry, PROT_EXEC))
		exo_upcall_broken(f, entry, "the entry is not user code");
	/*
	 * A handler whose frames ran off the bottom of the exception stack
	 * (a big local array moves the stack pointer far down at once) has
	 * its stack pointer below the bottom, in a guard page or in nothing:
	 * that is an overflow, not a new fault from elsewhere.  A stack
	 * pointer there that is in a writable mapping is another stack (a
	 * thread's may lie right below) and starts a fresh frame at the top.
	 */
	sp = arch_user_frame_sp(t->utf);
	if (sp < top - EXO_XSTACK_SIZE && sp >= top - 2 * EXO_XSTACK_SIZE &&
	    !vm_exo_allows(t->mm, sp, PROT_WRITE))
		exo_upcall_broken(f, entry, "the exception stack overflows");
	err = arch_upcall_push(t->utf, f->addr, f->code, entry, top, EXO_XSTACK_SIZE);
	if (err)
		exo_upcall_broken(f, entry,
				  err == -ENOSPC ? "the exception stack overflows" :
				  err == -EFAULT ? "no writable exception stack" :
						   "not a 64-bit user frame");
	arch_irq_disable();
	return true;
}

/* ---------------------------------------------------------------- IPC */

/*
 * The live process `to` (0: the caller) with its IPC lock held, or NULL
 * (-ESRCH).  Holding the lock keeps it from finishing its exit
 * (exo_proc_exit takes the lock first), so it cannot be freed meanwhile.
 */
static struct proc *exo_ipc_target_lock(int to)
{
	struct proc *p;

	spin_lock(&proc_tree_lock);
	p = to ? proc_find(to) : proc_current();
	if (p && p->state == PROC_ALIVE)
		spin_lock(&p->exo.ipc_lock);
	else
		p = NULL;
	spin_unlock(&proc_tree_lock);
	if (p && p->exo.gone) {
		spin_unlock(&p->exo.ipc_lock);
		p = NULL;
	}
	return p;
}

/*
 * Sleep until p waits in exo_ipc_recv or exits.  0, or -EINTR.
 * [p->exo.ipc_lock] held on entry and return.
 */
static int exo_ipc_wait_receiver(struct proc *p)
{
	int err;

	spin_assert_held(&p->exo.ipc_lock);
	p->exo.send_waiters++;
	err = wait_event_locked(&p->exo.send_wq, &p->exo.ipc_lock, p->exo.recving || p->exo.gone);
	if (--p->exo.send_waiters == 0 && p->exo.gone)
		wake_up(&p->exo.send_wq); /* its exit waits for us */
	return err;
}

int exo_ipc_send(int to, uint64_t value, uintptr_t pg, unsigned perm, bool wait)
{
	struct thread *me = thread_current();
	struct proc *self = me->proc, *p;
	struct mm *mm = NULL;
	uintptr_t dst = (uintptr_t)EXO_NO_PAGE;
	unsigned src_perm, got_perm = 0;
	paddr_t pa = 0;
	int err = 0;

	/* The page to send, checked and held before anything changes. */
	if (pg != (uintptr_t)EXO_NO_PAGE) {
		err = vm_exo_get(me->mm, pg, perm & EXO_PERM_W, &pa, &src_perm);
		if (err)
			return err;
	}
	p = exo_ipc_target_lock(to);
	if (!p) {
		err = -ESRCH;
		goto out;
	}
	while (!p->exo.recving && wait && !p->exo.gone) {
		err = exo_ipc_wait_receiver(p);
		if (err)
			break;
	}
	if (!err && (p->exo.gone || !p->exo.recving))
		err = p->exo.gone ? -ESRCH : -EAGAIN;
	if (!err) {
		spin_lock(&p->lock);
		mm = p->mm;
		if (mm)
			vm_get(mm);
		spin_unlock(&p->lock);
		if (!mm) {
			err = -ESRCH;
		} else {
			p->exo.recving = false;
			p->exo.claimed = true;
			dst = p->exo.recv_va;
		}
	}
	spin_unlock(&p->exo.ipc_lock);
	if (err)
		goto out;
	/* p stays until we clear claimed: its receiver waits for that. */
	if (pa && dst != (uintptr_t)EXO_NO_PAGE) {
		err = vm_exo_place(mm, dst, pa, perm | EXO_PERM_R);
		if (!err) {
			pa = 0; /* the reference is the mapping's now */
			got_perm = (perm | EXO_PERM_R) & EXO_PERM_ALL;
		}
	}
	spin_lock(&p->exo.ipc_lock);
	p->exo.claimed = false;
	if (err) {
		p->exo.recving = true; /* still waiting for a message */
	} else {
		p->exo.from = self->pid;
		p->exo.value = value;
		p->exo.perm = got_perm;
		p->exo.delivered = true;
	}
	wake_up(&p->exo.wq);
	spin_unlock(&p->exo.ipc_lock);
out:
	if (mm)
		vm_put(mm);
	if (pa)
		pmm_page_put(pa);
	return err;
}

void exo_proc_exit(struct proc *p)
{
	spin_lock(&p->exo.ipc_lock);
	p->exo.gone = true;
	wake_up(&p->exo.send_wq);
	wait_event_locked_uninterruptible(&p->exo.send_wq, &p->exo.ipc_lock,
					  p->exo.send_waiters == 0);
	spin_unlock(&p->exo.ipc_lock);
}

/*
 * Before sleeping, a receiver on a machine with other CPUs spins for a
 * while if nothing else wants this CPU: the partner of a round trip is
 * usually running on another CPU and answers within microseconds, and a
 * sleep would cost a wake-up IPI and two context switches.  Bounded by
 * EXO_IPC_SPIN_NS, a reschedule or a signal.  [ipc_lock] held on entry and
 * return; released while spinning.
 */
static void exo_ipc_spin(struct proc *p)
{
	uint64_t until;

	spin_assert_held(&p->exo.ipc_lock);
	if (cpu_online_count() < 2 || !sched_cpu_otherwise_idle())
		return;
	spin_unlock(&p->exo.ipc_lock);
	until = time_ns() + EXO_IPC_SPIN_NS;
	while (!READ_ONCE(p->exo.delivered) && (READ_ONCE(p->exo.claimed) || time_ns() < until) &&
	       !READ_ONCE(this_cpu()->need_resched) && sched_cpu_otherwise_idle() &&
	       !signal_pending())
		arch_cpu_relax();
	spin_lock(&p->exo.ipc_lock);
}

int exo_ipc_recv(uintptr_t pg, int *from, unsigned *perm, uint64_t *value)
{
	struct proc *p = thread_current()->proc;
	int err;

	spin_lock(&p->exo.ipc_lock);
	if (p->exo.recving || p->exo.claimed) {
		spin_unlock(&p->exo.ipc_lock);
		return -EBUSY; /* another thread of p is receiving */
	}
	p->exo.recving = true;
	p->exo.delivered = false;
	p->exo.recv_va = pg;
	if (p->exo.send_waiters)
		wake_up(&p->exo.send_wq); /* senders blocked until we receive */
	exo_ipc_spin(p);
	err = wait_event_locked(&p->exo.wq, &p->exo.ipc_lock, p->exo.delivered);
	if (err && (p->exo.claimed || p->exo.delivered)) {
		/* A sender got here first: the message is ours (and the sender
		 * may still be using p, so we may not leave before it is done). */
		wait_event_locked_uninterruptible(&p->exo.wq, &p->exo.ipc_lock, !p->exo.claimed);
		err = p->exo.delivered ? 0 : -EINTR;
	}
	p->exo.recving = false;
	if (!err) {
		*from = p->exo.from;
		*perm = p->exo.perm;
		*value = p->exo.value;
		p->exo.delivered = false;
	}
	spin_unlock(&p->exo.ipc_lock);
	return err;
}
