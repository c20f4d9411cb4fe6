/*
 * keel/eventfd.h - event counters as open files (kernel/fs/eventfd.c):
 * eventfd(2)'s 64-bit counter that write adds to and read takes (all of
 * it, or one in semaphore mode), pollable like a pipe.
 */
#ifndef KEEL_EVENTFD_H
#define KEEL_EVENTFD_H

#include <keel/compiler.h>

#define EFD_SEMAPHORE 1 /* read takes 1, not the whole count */

struct file;

/*
 * A new eventfd with counter initval; flags: EFD_SEMAPHORE, O_NONBLOCK
 * (the caller has checked them).  One reference in *out: 0 or -ENOMEM.
 */
int eventfd_create(uint64_t initval, unsigned flags, struct file **out);

#endif
