/*
 * keel/ioport.h - I/O port permissions of user processes: ioperm(2) and
 * iopl(2) with Linux's semantics (kernel/proc/ioport.c).
 *
 * Each process may have an I/O permission bitmap, one bit per port of the
 * 65536, in the hardware's sense (a set bit refuses the port), allocated
 * by the first ioperm that turns a port on and freed at exit; and an
 * emulated I/O privilege level (0..3).  As on Linux since 5.5, iopl(3)
 * does not raise the CPU's IOPL (which would also allow cli/sti): it makes
 * every port usable through the same bitmap mechanism, and a cli or sti
 * then faults and is skipped as a no-op (as Linux does); levels 1 and 2
 * give no port.  Both are inherited by fork (every new process: clone
 * without CLONE_THREAD, exo_fork) and kept across execve.
 *
 * Keel keeps them per process, not per thread as Linux does: an ioperm in
 * one thread applies to all threads of its process.  The calling thread
 * gets it at once; another thread of the process running on another CPU
 * gets it at its next context switch (a tick at the latest when its CPU
 * has other work; until then it keeps the old permissions).
 *
 * The arch's context switch loads the map of the process about to run
 * into the CPU's TSS (arch/x86_64/entry/gdt.c).  It reads the state
 * without a lock, through gen: a change (under proc->lock) stores a fresh,
 * never reused number in gen after it changed the bits (release); the
 * switch reads gen (acquire) before the bits and remembers the number it
 * copied, so a copy that raced with a change carries an older number and
 * is redone at the next switch.  A CPU whose copy is current copies
 * nothing.  The bitmap is freed only when the process's last thread
 * exits, so no other CPU can be copying it then.
 *
 * Lock key: [proc->lock] changes to struct ioport_proc; [A] gen.
 */
#ifndef KEEL_IOPORT_H
#define KEEL_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

#define IO_PORTS        65536u
#define IO_BITMAP_BYTES (IO_PORTS / 8)
#define IOPL_LEVEL_MAX  3u /* iopl(2)'s highest level: every port */

/* The I/O permissions of one process (in struct proc). */
struct ioport_proc {
	uint8_t *bitmap; /* [proc->lock] IO_BITMAP_BYTES, a set bit refuses; or NULL
			  * (no port).  Read lock-free by the switch (above). */
	unsigned iopl;   /* [proc->lock] emulated level; 3 = every port */
	uint64_t gen;    /* [A] 0 while no port was ever allowed, else the
			  * number of the last change (above) */
};

/* ioperm(2) for the current process: 0, -EINVAL, -EPERM or -ENOMEM. */
long ioport_perm(unsigned long from, unsigned long num, int turn_on);
/* iopl(2) for the current process: 0, -EINVAL or -EPERM. */
long ioport_iopl(unsigned level);
/* A new process (fork) gets parent's permissions; 0 or -ENOMEM.  Child
 * not yet visible; may sleep; takes parent->lock. */
int ioport_fork(struct proc *child, struct proc *parent);
/* p's last thread exits (or p never ran): free its bitmap.  May not be
 * called with p->lock held. */
void ioport_exit(struct proc *p);

/* Does p run with iopl(3), whose cli/sti the #GP handler skips as Linux
 * does?  Lock-free (a single read); any context. */
bool ioport_iopl_emulated(const struct proc *p);

/*
 * For the context switch (interrupts off, any lock): the generation of a
 * process's permissions io, 0 when it never had a port (the common case:
 * one load).
 */
static inline uint64_t ioport_gen(const struct ioport_proc *io)
{
	return __atomic_load_n(&io->gen, __ATOMIC_ACQUIRE);
}

/*
 * For the context switch, after ioport_gen() returned non-zero: the map
 * (IO_BITMAP_BYTES, a set bit refuses) a thread of the process with io
 * must run with, or NULL when it may use no port.  Lock-free (above).
 */
const uint8_t *ioport_map(const struct ioport_proc *io);

#endif
