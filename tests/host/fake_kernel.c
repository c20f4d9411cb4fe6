/*
 * fake_kernel.c - host stand-ins for the kernel's panic, logging and
 * spinlock services, and a fault injector that never injects, so pure
 * kernel/ files (kernel/mm/kmalloc.c, ...) can be unit-tested on the host.
 * Test hooks: fake_kernel.h.
 *
 * Invariants: single-threaded.  A spinlock is "held" while its holder
 * field is non-NULL; taking a held lock or releasing a free one panics, so
 * host tests also check lock discipline.  Held locks are remembered in a
 * small stack so a caught panic can release them, as a dead CPU would.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/failinject.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/spinlock.h>
#include <lib/printf.h>
#include <lib/string.h>

#include "fake_kernel.h"

#define FAKE_MAX_HELD 16

jmp_buf fake_panic_buf;
jmp_buf *fake_panic_jmp;
char fake_panic_msg[FAKE_MSG_MAX];
int fake_panic_count;
char fake_log[FAKE_LOG_MAX];
bool fake_log_quiet;

static size_t fake_log_len;
static struct spinlock *fake_held[FAKE_MAX_HELD];
static int fake_nheld;
static int fake_loglevel = LOG_INFO;
static bool fake_panicking;

/* ---------------------------------------------------------------- panic */

void panic(const char *fmt, ...)
{
	va_list ap;
	jmp_buf *jb = fake_panic_jmp;

	va_start(ap, fmt);
	vsnprintf(fake_panic_msg, sizeof(fake_panic_msg), fmt, ap);
	va_end(ap);
	fake_panic_count++;
	fake_nheld = 0;
	for (int i = 0; i < FAKE_MAX_HELD; i++) {
		if (fake_held[i])
			fake_held[i]->holder = NULL;
		fake_held[i] = NULL;
	}
	if (jb) {
		fake_panic_jmp = NULL;
		longjmp(*jb, 1);
	}
	fake_panicking = true;
	fprintf(stderr, "panic: %s\n", fake_panic_msg);
	abort();
}

void panic_set_exit(bool on)
{
}

bool panic_in_progress(void)
{
	return fake_panicking;
}

/* ---------------------------------------------------------------- logging */

static void fake_log_append(const char *s)
{
	size_t n = strlen(s);

	if (!fake_log_quiet)
		fputs(s, stderr);
	if (n > FAKE_LOG_MAX - 1 - fake_log_len)
		n = FAKE_LOG_MAX - 1 - fake_log_len;
	memcpy(fake_log + fake_log_len, s, n);
	fake_log_len += n;
	fake_log[fake_log_len] = '\0';
}

void fake_log_clear(void)
{
	fake_log_len = 0;
	fake_log[0] = '\0';
}

int vkprintf(const char *fmt, va_list ap)
{
	char buf[FAKE_MSG_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	fake_log_append(buf);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

void klog_set_level(int level)
{
	fake_loglevel = level;
}

void klog_emit(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > fake_loglevel)
		return;
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n"); /* klog() lines carry no newline of their own */
}

/* ---------------------------------------------------------------- spinlocks */

/* Stand-in for "this CPU" in struct spinlock.holder. */
static char fake_cpu;

void spin_init(struct spinlock *l, const char *name)
{
	l->next = 0;
	l->owner = 0;
	l->name = name;
	l->holder = NULL;
	l->holder_pc = 0;
}

bool spin_trylock(struct spinlock *l)
{
	if (l->holder)
		return false;
	if (fake_nheld == FAKE_MAX_HELD)
		panic("fake spin_trylock(%s): too many locks held", l->name);
	l->holder = (struct cpu *)&fake_cpu;
	l->holder_pc = (uintptr_t)__builtin_return_address(0);
	fake_held[fake_nheld++] = l;
	return true;
}

void spin_lock(struct spinlock *l)
{
	if (l->holder)
		panic("fake spin_lock(%s): already held (deadlock)", l->name);
	spin_trylock(l);
}

void spin_unlock(struct spinlock *l)
{
	int i;

	if (!l->holder)
		panic("fake spin_unlock(%s): not held", l->name);
	l->holder = NULL;
	for (i = fake_nheld - 1; i >= 0 && fake_held[i] != l; i--)
		;
	if (i < 0)
		panic("fake spin_unlock(%s): not on the held stack", l->name);
	for (; i < fake_nheld - 1; i++)
		fake_held[i] = fake_held[i + 1];
	fake_held[--fake_nheld] = NULL;
}

bool spin_held(const struct spinlock *l)
{
	return l->holder != NULL;
}

int fake_locks_held(void)
{
	return fake_nheld;
}

void irq_push_off(void)
{
}

void irq_pop_off(void)
{
}

/* ---------------------------------------------------------- failinject */

/* Never armed on the host: kmalloc's fail_should() hook stays false. */
unsigned failinject_armed;

bool failinject_roll(enum fail_kind kind)
{
	(void)kind;
	return false;
}
