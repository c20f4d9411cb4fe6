/*
 * fake_kernel.h - test hooks of the host stand-ins for kernel services
 * (fake_kernel.c: panic, klog, spinlocks; fake_pmm.c: the page allocator).
 *
 * The fakes are single-threaded.  panic() is made testable: FAKE_PANICS()
 * runs a statement with a jmp_buf armed; a panic inside it records its
 * message, releases every spinlock still held (as if that CPU had died)
 * and longjmps back.  A panic with nothing armed prints and aborts.
 *
 *	HCHECK(FAKE_PANICS(kfree(p)));
 *	HCHECK(strstr(fake_panic_msg, "double free"));
 *
 * (Locals of the caller changed inside the statement must be volatile.)
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_MSG_MAX 512

/* Armed jump target for the next panic, or NULL; disarmed by a panic. */
extern jmp_buf *fake_panic_jmp;
/* The message of the last panic and the number of panics so far. */
extern char fake_panic_msg[FAKE_MSG_MAX];
extern int fake_panic_count;

/*
 * Everything klog_emit()/kprintf() printed since fake_log_clear() (cut at
 * FAKE_LOG_MAX bytes); fake_log_quiet keeps it off stderr.
 */
#define FAKE_LOG_MAX 8192
extern char fake_log[FAKE_LOG_MAX];
extern bool fake_log_quiet;
void fake_log_clear(void);

/* Evaluate stmt; true if it panicked (see fake_panic_msg). */
#define FAKE_PANICS(stmt)                                            \
	({                                                           \
		volatile bool fake_panicked_ = true;                 \
		fake_panic_jmp = &fake_panic_buf;                    \
		if (setjmp(fake_panic_buf) == 0) {                   \
			stmt;                                        \
			fake_panicked_ = false;                      \
		}                                                    \
		fake_panic_jmp = NULL;                               \
		fake_panicked_;                                      \
	})
extern jmp_buf fake_panic_buf;

/* Number of spinlocks held right now (0 outside any critical section). */
int fake_locks_held(void);

/* Fake pmm: frames handed out right now, and an optional limit. */
uint64_t fake_pmm_frames_in_use(void);
/* Fail allocations that would take more than limit frames (0: no limit). */
void fake_pmm_set_limit(uint64_t limit);

#endif
