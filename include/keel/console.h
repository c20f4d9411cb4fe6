/*
 * keel/console.h - the console: a set of output devices (serial, VGA) that
 * all receive every byte, and one input queue fed by input drivers (serial
 * receive, PS/2 keyboard) from interrupt context.
 *
 * console_lock serializes output so lines from different CPUs do not mix;
 * panic() bypasses it when it cannot be taken.
 *
 * Input: each line's bytes go to the handler attached to the line (the
 * line's terminal, kernel/fs/tty.c, attaches one at boot), or, with no
 * handler, to the console input queue, which the kernel shell reads with
 * console_getc.  The queue has its own lock (console_in_lock); a full
 * queue drops the newest byte.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/compiler.h>

struct waitq;

/*
 * The physical terminal lines: each console device is one line, and input
 * drivers name the line their bytes arrive on.  A terminal (keel/tty.h) is
 * attached to each line.
 */
enum console_line {
	CONSOLE_LINE_SERIAL, /* COM1: /dev/ttyS0 */
	CONSOLE_LINE_VGA,    /* VGA text screen + PS/2 keyboard: /dev/tty1 */
	CONSOLE_LINES
};

struct console {
	const char *name;                                          /* [I] */
	enum console_line line;                                    /* [I] */
	void (*write)(struct console *c, const char *s, size_t n); /* [I] */
	struct console *next;                                      /* [console_lock] */
};

#define CONSOLE_INPUT_SIZE 256

void console_register(struct console *c);
/* Write kernel text to every console ("\n" becomes "\r\n"). Takes console_lock. */
void console_write(const char *s, size_t n);
/* Write bypassing a console_lock that cannot be had (panic path). */
void console_write_unlocked(const char *s, size_t n);
/* Write bytes as they are (a terminal's processed output) only to the
 * console devices of one line. Takes console_lock. */
void console_write_line(enum console_line line, const char *s, size_t n);
/*
 * A console that produced input under console_lock (a terminal's replies
 * to queries) asks for fn to run with no lock held: the next timer tick on
 * any CPU calls it (console_run_deferred).  One pending fn at a time (the
 * VGA terminal's); fn must be idempotent.
 */
void console_input_later(void (*fn)(void));
void console_run_deferred(void);
/* Feed one input byte that arrived on line (any context, usually an IRQ). */
void console_input(enum console_line line, char c);
/* Receives a line's input bytes in interrupt context; must not sleep. */
typedef void (*console_input_fn)(enum console_line line, char c);
/* Send line's input to fn (NULL: to the input queue); returns the old one. */
console_input_fn console_set_input(enum console_line line, console_input_fn fn);
/* The wait queue woken whenever an input byte is queued (never NULL). */
struct waitq *console_input_wq(void);
/* Next input byte, or -1 if none is queued. */
int console_trygetc(void);
/* Next input byte, waiting for one (interrupts must be enabled). */
int console_getc(void);
/* The same, but a signal ends the wait with -EINTR. */
int console_getc_interruptible(void);

#endif
