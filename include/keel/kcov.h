/*
 * keel/kcov.h - per-thread kernel code coverage for coverage-guided fuzzing
 * (kernel/debug/kcov.c), with Linux's kcov interface.
 *
 * A kernel built with `make KCOV=1` (KEEL_KCOV=1) compiles most generic
 * code with -fsanitize-coverage=trace-pc: the compiler calls
 * __sanitizer_cov_trace_pc() at the start of every basic block.  A thread
 * that enabled coverage through /dev/kcov gets the address of each such
 * call appended to a buffer it has mapped: word 0 is the number of PCs
 * recorded, words 1.. are the PCs, in order, until the buffer is full.
 *
 * User side (Linux's ABI, so programs written for Linux kcov work):
 *
 *   fd = open("/dev/kcov", O_RDWR);
 *   ioctl(fd, KCOV_INIT_TRACE, words);        allocate the buffer
 *   p = mmap(NULL, words * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *   ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC);    this thread only
 *   p[0] = 0; ...system calls...; n = p[0];   PCs in p[1..n]
 *   ioctl(fd, KCOV_DISABLE, 0);
 *
 * Invariants: nothing is recorded in interrupt handlers or when the CPU
 * runs no thread; a thread records only into its own buffer; the buffer
 * lives while the file is open or a thread has it enabled; a thread's
 * coverage is disabled when it exits.  Without KEEL_KCOV, /dev/kcov does
 * not exist and the hook is never called.
 */
#ifndef KEEL_KCOV_H
#define KEEL_KCOV_H

#include <keel/compiler.h>

#ifndef KEEL_KCOV
#define KEEL_KCOV 0
#endif

/* ioctl numbers: Linux's _IOR('c', 1, unsigned long), _IO('c', 100/101). */
#define KCOV_INIT_TRACE 0x80086301ul
#define KCOV_ENABLE     0x6364ul
#define KCOV_DISABLE    0x6365ul
/* KCOV_ENABLE's argument: record PCs (Linux's KCOV_TRACE_CMP is not supported). */
#define KCOV_TRACE_PC   0ul

/* Buffer sizes KCOV_INIT_TRACE accepts, in 64-bit words (count included). */
#define KCOV_MIN_WORDS  2ul
#define KCOV_MAX_WORDS  (1ul << 21)             /* 16 MiB */

struct file_ops;
struct thread;

/* The file operations of /dev/kcov (kernel/fs/devfs.c). */
extern const struct file_ops kcov_fops;
/* True if this kernel was built with KCOV=1 (else /dev/kcov is absent). */
bool kcov_built_in(void);
/* A lookup of /dev/kcov on a kernel without it: log once how to get it. */
void kcov_note_missing(void);
/* Thread t (the current thread) exits: end its coverage.  May sleep. */
void kcov_thread_exit(struct thread *t);

/* The compiler's hook: never call it directly. */
void __sanitizer_cov_trace_pc(void);

#endif
