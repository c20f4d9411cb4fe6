/*
 * keel/sys_shm.h - System V shared memory (kernel/sys/sys_shm.c): what the
 * rest of the kernel asks of it.  The system calls themselves are in the
 * syscall table.
 */
#ifndef KEEL_SYS_SHM_H
#define KEEL_SYS_SHM_H

/*
 * init has exited: the segments go, as Linux frees an IPC namespace when
 * its last process leaves (an attached one when its last attach goes).
 * May sleep.
 */
void shm_exit_all(void);

#endif
