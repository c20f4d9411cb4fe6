/*
 * keel/syscall.h - system-call handlers.
 *
 * Keel speaks the Linux x86-64 system-call ABI.  The table that maps
 * numbers to handlers is generated from kernel/sys/syscall.tbl by
 * tools/gen_syscalls.py; a number without a handler returns -ENOSYS and is
 * logged once.  Handlers are written with SYSCALL_DEFINEn, which gives them
 * typed arguments:
 *
 *   SYSCALL_DEFINE3(read, int, fd, void __user *, buf, size_t, count)
 *   {
 *           ...
 *   }
 *
 * defines `long sys_read(const uint64_t *args)` for the table.  A handler
 * returns a value >= 0 or -Exxx, validates every argument before changing
 * any state, and touches user memory only through keel/uaccess.h.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/compiler.h>
#include <keel/uaccess.h>

#define SYSCALL_ARGS 6

typedef long (*syscall_fn)(const uint64_t *args);

#define SYSCALL_DEFINE0(name)                                               \
	static long sys_##name##_impl(void);                                \
	long sys_##name(const uint64_t *args) { (void)args; return sys_##name##_impl(); } \
	static long sys_##name##_impl(void)
#define SYSCALL_DEFINE1(name, t1, a1)                                       \
	static long sys_##name##_impl(t1 a1);                               \
	long sys_##name(const uint64_t *args) { return sys_##name##_impl((t1)args[0]); } \
	static long sys_##name##_impl(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                               \
	static long sys_##name##_impl(t1 a1, t2 a2);                        \
	long sys_##name(const uint64_t *args)                               \
	{ return sys_##name##_impl((t1)args[0], (t2)args[1]); }             \
	static long sys_##name##_impl(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                       \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3);                 \
	long sys_##name(const uint64_t *args)                               \
	{ return sys_##name##_impl((t1)args[0], (t2)args[1], (t3)args[2]); } \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)               \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4);          \
	long sys_##name(const uint64_t *args)                               \
	{ return sys_##name##_impl((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3]); } \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)       \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);   \
	long sys_##name(const uint64_t *args)                               \
	{ return sys_##name##_impl((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
				   (t5)args[4]); }                          \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6); \
	long sys_##name(const uint64_t *args)                               \
	{ return sys_##name##_impl((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
				   (t5)args[4], (t6)args[5]); }             \
	static long sys_##name##_impl(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

/* Run system call nr with args; the arch entry code calls this. */
long syscall_dispatch(unsigned long nr, const uint64_t *args);

#endif
