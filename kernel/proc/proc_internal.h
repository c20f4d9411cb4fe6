/*
 * proc_internal.h - what the files of kernel/proc share and nobody else
 * may call: init's struct proc, and freeing a struct proc (proc.c
 * allocates it, exit.c's wait frees the zombie).
 */
#ifndef KEEL_PROC_INTERNAL_H
#define KEEL_PROC_INTERNAL_H

struct proc;

/* pid 1: set once when init starts; NULL after init is reaped at shutdown
 * (proc_reap_init, under proc_tree_lock).  Others use proc_init(). */
extern struct proc *init_proc;

/* Free a process nobody can reach any more (reaped, or never started). */
void proc_free(struct proc *p);

#endif
