/*
 * keel/sys_sem.h - System V semaphores (kernel/sys/sys_sem.c): what the
 * rest of the kernel asks of them.
 */
#ifndef KEEL_SYS_SEM_H
#define KEEL_SYS_SEM_H

struct proc;

/* p exits: its SEM_UNDO adjustments are applied (clamped to 0..SEMVMX). */
void sem_exit(struct proc *p);
/* init has exited: every set goes (the IPC namespace ends). */
void sem_exit_all(void);

#endif
