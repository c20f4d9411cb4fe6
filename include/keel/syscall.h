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
 * declares and defines `long sys_read(const uint64_t *args)` for the
 * table (and a static sys_read_impl with the typed arguments).  A handler
 * returns a value >= 0 or -Exxx, validates every argument before changing
 * any state, and touches user memory only through keel/uaccess.h.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/compiler.h>
#include <keel/uaccess.h>

#define SYSCALL_ARGS 6

typedef long (*syscall_fn)(const uint64_t *args);

/*
 * The one signature every handler has.  SYSCALL_DEFINEn declares the
 * handler with it before defining it (so -Wmissing-prototypes holds without
 * a hand-written list), and the generated table declares every handler of
 * syscall.tbl with it too.
 */
#define SYSCALL_HANDLER(name) long sys_##name(const uint64_t *args)

/* params: the typed parameter list; call: the arguments decoded from args. */
#define SYSCALL_DEFINEx(name, params, call)                                 \
	SYSCALL_HANDLER(name);                                              \
	static long sys_##name##_impl params;                               \
	SYSCALL_HANDLER(name) { (void)args; return sys_##name##_impl call; } \
	static long sys_##name##_impl params

#define SYSCALL_DEFINE0(name) SYSCALL_DEFINEx(name, (void), ())
#define SYSCALL_DEFINE1(name, t1, a1) SYSCALL_DEFINEx(name, (t1 a1), ((t1)args[0]))
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                               \
	SYSCALL_DEFINEx(name, (t1 a1, t2 a2), ((t1)args[0], (t2)args[1]))
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                       \
	SYSCALL_DEFINEx(name, (t1 a1, t2 a2, t3 a3),                        \
			((t1)args[0], (t2)args[1], (t3)args[2]))
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)               \
	SYSCALL_DEFINEx(name, (t1 a1, t2 a2, t3 a3, t4 a4),                 \
			((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3]))
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)       \
	SYSCALL_DEFINEx(name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5),          \
			((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
			 (t5)args[4]))
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	SYSCALL_DEFINEx(name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6),   \
			((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
			 (t5)args[4], (t6)args[5]))

/* Run system call nr with args; the arch entry code calls this. */
long syscall_dispatch(unsigned long nr, const uint64_t *args);

#endif
