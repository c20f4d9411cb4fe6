/*
 * keel/oom.h - the out-of-memory killer (kernel/mm/oom.c).
 */
#ifndef KEEL_OOM_H
#define KEEL_OOM_H

/*
 * A user-memory allocation failed in a page fault of the current thread
 * (attempt: how many times in a row for this fault, from 0): if memory is
 * really short, make sure a victim (the biggest holder of user memory,
 * never init) is dying; wait a little for memory to come back.  0: retry
 * the allocation; -ENOMEM: give up (the current process is the victim, or
 * no process can be killed); -EINTR: the current thread is dying.  Thread
 * context, no lock held (sleeps).
 */
int oom_kill(unsigned attempt);
/* Processes killed so far (tests, the init-exit report). */
unsigned long oom_kill_count(void);

#endif
