/*
 * keel/pid.h - the pid table: processes, threads, process groups and
 * sessions found by number without scanning every process
 * (kernel/proc/pid.c).
 *
 * Numbers.  Process and thread ids share one number space: pid_alloc()
 * hands out 1 (init), 2, 3, ... and never reuses a number.  A process's
 * pid is the tid of its first thread.  Process-group and session ids are
 * numbers from the same space (a pgid is normally the pid of the group's
 * first process, which may have exited since).
 *
 * Entries.  Each number in use has one struct pid in a hash table keyed by
 * the number.  It names the process with that pid (live or zombie: until
 * wait() reaps it), the live thread with that tid, and lists the processes
 * whose process group and whose session have that number (zombies stay
 * members until reaped, as they stay in proc_all): list_for_each(pos,
 * &e->pgrp) visits list_entry(pos, struct proc, pgrp_node) for each
 * member of group e->nr.  An entry lives exactly while one of the four is
 * in use; the operation that empties it unhashes it onto a caller's
 * "dead" list.
 *
 * proc_all lists every process in increasing pid order, so pid_next() can
 * walk the live pids for the future /proc.
 *
 * Lock key (tags as in docs/locking.md): [proc_tree_lock] guards the
 * table, proc_all, every field of struct pid and the membership nodes of
 * struct proc; it is the lock every lookup of a process by number already
 * holds.  The functions whose contract says "[proc_tree_lock] held" assert
 * it.  Entries are never allocated or freed under it, which keeps the heap
 * out of the global process lock's hold times: callers allocate a spare
 * entry before taking the lock (pid_entry_alloc) and free what the locked
 * operations unhashed after dropping it (pid_free_dead).
 */
#ifndef KEEL_PID_H
#define KEEL_PID_H

#include <keel/compiler.h>
#include <keel/list.h>

struct proc;
struct thread;

struct pid {
	int nr;                /* [proc_tree_lock] the number (set when hashed) */
	struct list hash_node; /* [proc_tree_lock] chain; a dead list once unhashed */
	struct proc *proc;     /* [proc_tree_lock] process with pid nr, or NULL */
	struct thread *thread; /* [proc_tree_lock] live thread with tid nr, or NULL */
	struct list pgrp;      /* [proc_tree_lock] with pgid nr (proc.pgrp_node) */
	struct list session;   /* [proc_tree_lock] with sid nr (proc.session_node) */
};

/* Every process, zombies included, by increasing pid ([proc_tree_lock],
 * struct proc.all_node). */
extern struct list proc_all;

/* Boot: create the entry cache and the table. */
void pid_init(void);
/* A new process/thread number (never reused); any context, no lock. */
int pid_alloc(void);
/* The last number pid_alloc handed out (0 before the first): /proc/loadavg. */
int pid_last(void);

/* A blank entry for the locked operations below, or NULL (ENOMEM).  Call
 * it before taking proc_tree_lock, never under it. */
struct pid *pid_entry_alloc(void);
/* Free an entry that is not in the table (NULL is fine). */
void pid_entry_free(struct pid *e);
/* Free the entries a locked operation unhashed onto dead; proc_tree_lock
 * not held. */
void pid_free_dead(struct list *dead);

/* The entry of nr, or NULL.  [proc_tree_lock] held. */
struct pid *pid_lookup(int nr);
/* Is some process (zombies included) in process group pgid?
 * [proc_tree_lock] held. */
bool pid_pgrp_in_use(int pgid);
/*
 * Is process group pgid orphaned (POSIX): no live member has a parent in
 * another group of the same session?  An empty group counts as orphaned.
 * [proc_tree_lock] held.
 */
bool pid_pgrp_orphaned(int pgid);

/*
 * Make the new process p (p->pid, p->pgid, p->sid set; the entries of its
 * pgid and sid in use, unless they are p->pid) findable by pid, and a
 * member of its group and session.  Uses *spare (then NULL) unless
 * p->pid already has an entry.  [proc_tree_lock] held.
 */
void pid_attach_proc(struct proc *p, struct pid **spare);
/* Reaping p: not findable, no longer a member, off proc_all.
 * [proc_tree_lock] held. */
void pid_detach_proc(struct proc *p, struct list *dead);
/*
 * Move p to process group pgid (setpgid).  Returns false, changing
 * nothing, when pgid has no entry and *spare is NULL: allocate one and
 * call again.  [proc_tree_lock] held.
 */
bool pid_set_pgrp(struct proc *p, int pgid, struct pid **spare, struct list *dead);
/* p leads a new session and a new group, both numbered p->pid (setsid).
 * [proc_tree_lock] held. */
void pid_set_session(struct proc *p, struct list *dead);
/* The new thread t (t->tid set, already on its process's thread list) is
 * findable by tid.  Uses *spare as pid_attach_proc does.
 * [proc_tree_lock] held. */
void pid_attach_thread(struct thread *t, struct pid **spare);
/* t is leaving its process's thread list: no longer findable.
 * [proc_tree_lock] held. */
void pid_detach_thread(struct thread *t, struct list *dead);

/*
 * The smallest pid >= nr of a process in existence (zombies included), or
 * 0 if there is none: the iterator the future /proc directory uses.  Takes proc_tree_lock
 * itself (call it without); the process may be gone by the time the caller
 * looks at it.  Walking forward, pid_next(prev + 1), costs O(1) while prev
 * still exists, else a walk of proc_all.
 */
int pid_next(int nr);

#endif
