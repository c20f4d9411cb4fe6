/*
 * keel/exo.h - the exokernel mechanisms inside the kernel
 * (kernel/proc/exo.c; the user interface is <uapi/keel/exo.h>,
 * docs/exokernel.md the description): per-process upcall, run state and
 * IPC receive state, and the hooks the rest of the kernel calls.
 *
 * Lock key (tags as in docs/locking.md): [proc->lock] the owning process's
 * spinlock; [ipc_lock] the process's IPC spinlock below (not proc->lock:
 * the receiver sleeps with it, and signal checks take proc->lock).  Lock
 * order: proc_tree_lock -> ipc_lock.  The IPC fields follow a hand-over: a
 * receiver sets recving; a sender clears it and sets claimed (both under
 * the receiver's ipc_lock), maps
 * the page with no lock held, then stores the message, clears claimed and
 * sets delivered.  A receiver never leaves exo_ipc_recv while claimed is
 * set, so the sender may keep using the receiving process until then.
 */
#ifndef KEEL_EXO_H
#define KEEL_EXO_H

#include <keel/compiler.h>
#include <keel/wait.h>
#include <keel/spinlock.h>

struct proc;
struct fault;

struct exo_proc {
	uintptr_t upcall;     /* [proc->lock] page-fault upcall entry, 0: none */
	uintptr_t xstack_top; /* [proc->lock] top of its exception stack */
	bool held;            /* [proc->lock] EXO_NOT_RUNNABLE: threads wait at their
				   * way out to user mode (kernel/proc/signal.c) */
	bool embryo;          /* [proc->lock] made by exo_fork, never set runnable:
				   * dies with its parent */
	struct spinlock ipc_lock;
	bool recving;          /* [ipc_lock] a thread waits in exo_ipc_recv */
	bool claimed;          /* [ipc_lock] a sender is delivering to it */
	bool delivered;        /* [ipc_lock] from/perm/value hold a message */
	uintptr_t recv_va;     /* [ipc_lock] where a page goes (EXO_NO_PAGE: none) */
	int from;              /* [ipc_lock] */
	unsigned perm;         /* [ipc_lock] */
	uint64_t value;        /* [ipc_lock] */
	unsigned send_waiters; /* [ipc_lock] blocked senders (exo_ipc_send) */
	bool gone;             /* [ipc_lock] exiting: senders let go */
	struct waitq wq;       /* the receiver sleeps here */
	struct waitq send_wq;  /* blocked senders, and the exit waiting for them */
};

/* A new process's state (proc_alloc). */
void exo_proc_init(struct exo_proc *e);
/* fork(2), clone(2) without CLONE_VM... and exo_fork: the child keeps the
 * parent's upcall.  [parent->lock] held. */
void exo_proc_inherit_locked(struct proc *child, struct proc *parent);
/* execve: no upcall in the new image.  [p->lock] held. */
void exo_proc_exec_locked(struct proc *p);
/*
 * An unresolved user page fault (f->user, can sleep, interrupts off): send
 * it to the process's upcall.  False if it has none (the caller raises the
 * signal); true if delivered (return to user mode at the entry).  A broken
 * upcall (entry not executable user code, exception stack missing or
 * overflowing) ends the process with SIGSEGV here, logged.
 */
bool exo_fault_upcall(const struct fault *f);
/* exo_fork: a child with the caller's registers and mappings but no
 * pages, held until exo_set_status(EXO_RUNNABLE).  Its pid or -Exxx. */
long exo_fork(void);
/* The IPC calls' cores (arguments checked by kernel/sys/sys_exo.c). */
int exo_ipc_send(int to, uint64_t value, uintptr_t pg, unsigned perm, bool wait);
/* The process's last thread is exiting: blocked senders let go of it
 * (before it becomes a zombie).  May sleep. */
void exo_proc_exit(struct proc *p);
int exo_ipc_recv(uintptr_t pg, int *from, unsigned *perm, uint64_t *value);

#endif
