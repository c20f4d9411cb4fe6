/*
 * keel/console.h - the console: a set of output devices (serial, VGA) that
 * all receive every byte, and one input queue fed by input drivers (serial
 * receive, PS/2 keyboard) from interrupt context.
 *
 * console_lock serializes output so lines from different CPUs do not mix;
 * panic() bypasses it when it cannot be taken.  The input queue has its
 * own lock (console_in_lock); a full queue drops the newest byte.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/compiler.h>

struct waitq;

struct console {
	const char *name;                                          /* [I] */
	void (*write)(struct console *c, const char *s, size_t n); /* [I] */
	struct console *next;                                      /* [console_lock] */
};

#define CONSOLE_INPUT_SIZE 256

void console_register(struct console *c);
/* Write to every console. Takes console_lock. */
void console_write(const char *s, size_t n);
/* Write bypassing a console_lock that cannot be had (panic path). */
void console_write_unlocked(const char *s, size_t n);
/* Feed one input byte (any context, usually an interrupt handler). */
void console_input(char c);
/* The wait queue woken whenever an input byte is queued (never NULL). */
struct waitq *console_input_wq(void);
/* Next input byte, or -1 if none is queued. */
int console_trygetc(void);
/* Next input byte, waiting for one (interrupts must be enabled). */
int console_getc(void);
/* The same, but a signal ends the wait with -EINTR. */
int console_getc_interruptible(void);

#endif
