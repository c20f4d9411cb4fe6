/*
 * oom.c - the out-of-memory killer.
 *
 * User memory comes from pmm_alloc_pages(PMM_USER), which leaves the last
 * frames (the kernel's reserve) to the kernel.  When a page fault cannot
 * get a frame, vm_fault() calls oom_kill(): it picks the process that holds
 * the most user memory (resident pages and page tables), never init, never
 * a kernel thread
 * (they have no process), never a process already on its way out; sends it
 * SIGKILL; and lets the faulting thread wait a little for the memory to
 * come back before it retries.  Linux's policy in spirit: the hog dies,
 * not whoever happened to fault next.
 *
 * An allocation can also fail while memory is plentiful (an injected
 * failure, failalloc=; a race with a burst of frees): then nobody is
 * killed, the fault is simply retried, OOM_TRANSIENT_TRIES times at most.
 *
 * One victim at a time: while the last victim is alive and younger than
 * OOM_VICTIM_TIMEOUT_NS, nobody else is chosen (its exit frees its memory
 * when its last thread leaves the address space, see vm_user_leave).
 *
 * State: oom_victim_pid, oom_victim and oom_victim_since are
 * [proc_tree_lock], oom_kills is [A] (tags as in docs/locking.md).
 * Lock order: proc_tree_lock -> proc->lock.
 */
#include <keel/oom.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/pmap.h>
#include <keel/vm.h>
#include <keel/pmm.h>
#include <keel/klog.h>
#include <lib/errno.h>

#define OOM_WAIT_NS            (10 * NSEC_PER_MSEC)    /* between retries */
#define OOM_TRANSIENT_NS       NSEC_PER_MSEC           /* retry of a passing failure */
#define OOM_TRANSIENT_TRIES    64                      /* then believe it */
/* Memory is short when fewer frames than this are free beyond the reserve. */
#define OOM_LOW_FRAMES         64
#define OOM_VICTIM_TIMEOUT_NS  (2000 * NSEC_PER_MSEC)  /* then choose another */

static int oom_victim_pid;          /* [proc_tree_lock] last victim, 0 if none */
static const struct proc *oom_victim; /* [proc_tree_lock] its struct (compared, never followed) */
static uint64_t oom_victim_since;   /* [proc_tree_lock] when it was killed */
static unsigned long oom_kills;     /* [A] victims since boot */

unsigned long oom_kill_count(void)
{
	return __atomic_load_n(&oom_kills, __ATOMIC_RELAXED);
}

/* Resident user pages of p, or 0 if it has no address space.  [proc_tree_lock] held. */
static unsigned long oom_badness(struct proc *p)
{
	unsigned long pages = 0;

	spin_assert_held(&proc_tree_lock);
	spin_lock(&p->lock);
	if (p->mm && !p->group_exiting)
		pages = vm_resident(p->mm);
	spin_unlock(&p->lock);
	return pages;
}

/* Is the last victim still dying (alive, and not for too long)?  [proc_tree_lock] held. */
static bool oom_victim_pending(void)
{
	struct proc *v;

	spin_assert_held(&proc_tree_lock);
	if (!oom_victim_pid)
		return false;
	v = proc_find(oom_victim_pid);
	/* The same process, not a newer one that reuses its pid. */
	if (v && v == oom_victim && v->state == PROC_ALIVE &&
	    time_ns() - oom_victim_since < OOM_VICTIM_TIMEOUT_NS)
		return true;
	oom_victim_pid = 0;
	return false;
}

int oom_kill(unsigned attempt)
{
	struct proc *me = proc_current(), *victim = NULL;
	unsigned long most = 0, pages;
	struct list *pos;

	if (signal_fatal_pending())
		return -EINTR;
	if (attempt < OOM_TRANSIENT_TRIES &&
	    pmm_free_frames() >= pmm_user_reserve_frames() + OOM_LOW_FRAMES) {
		sched_sleep_until(time_ns() + OOM_TRANSIENT_NS, false);
		return 0;          /* not out of memory: try again */
	}
	spin_lock(&proc_tree_lock);
	if (!oom_victim_pending()) {
		list_for_each(pos, &proc_all) {
			struct proc *p = list_entry(pos, struct proc, all_node);
			if (p == proc_init() || p->state != PROC_ALIVE)
				continue;
			pages = oom_badness(p);
			if (pages > most) {
				most = pages;
				victim = p;
			}
		}
		if (!victim) {
			spin_unlock(&proc_tree_lock);
			klog_once(LOG_ERR, "oom: out of memory and no process to kill");
			return -ENOMEM;
		}
		oom_victim_pid = victim->pid;
		oom_victim = victim;
		oom_victim_since = time_ns();
		__atomic_fetch_add(&oom_kills, 1, __ATOMIC_RELAXED);
		klog(LOG_WARN, "oom: out of memory: killed process %d (%s) holding %lu KiB; "
		     "%s[%d] faulted", victim->pid, victim->name, most * PAGE_SIZE / KiB,
		     me ? me->name : "kernel", me ? me->pid : 0);
		signal_send(victim, SIGKILL);
	}
	spin_unlock(&proc_tree_lock);
	if (victim == me)
		return -ENOMEM;        /* the fault fails; SIGKILL ends us */
	sched_sleep_until(time_ns() + OOM_WAIT_NS, false);
	return signal_fatal_pending() ? -EINTR : 0;
}
