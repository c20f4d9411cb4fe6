/*
 * console.c - fan-out of kernel output to all console devices, the
 * routing of each line's input to its handler (the line's terminal), and
 * the console input queue for lines with no handler (a ring buffer written
 * by interrupt handlers and read by the kernel shell).  See keel/console.h.
 *
 * console_in_fn[line] is [A]: set with an atomic store, read with an
 * atomic load by the interrupt handler that calls it.
 *
 * Until the scheduler exists, a reader waits with arch_wait_for_interrupt()
 * (sti; hlt) and re-checks the queue: the interrupt that queues a byte is
 * also the one that wakes the CPU, so no wakeup is lost.
 */
#include <keel/console.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <keel/wait.h>
#include <keel/thread.h>
#include <arch/arch.h>

static struct spinlock console_lock = SPINLOCK_INIT("console");
static struct console *console_list;      /* [console_lock] */

static struct spinlock console_in_lock = SPINLOCK_INIT("console_in");
static char console_in_buf[CONSOLE_INPUT_SIZE];  /* [console_in_lock] */
static unsigned console_in_head, console_in_tail; /* [console_in_lock] */
static struct waitq console_in_wq = WAITQ_INIT(console_in_wq, "console_in_wq");
static console_input_fn console_in_fn[CONSOLE_LINES]; /* [A] */

/* Input that a console made under console_lock, waiting for the tick. */
static void (*console_deferred)(void);   /* [A] exchanged */

void console_input_later(void (*fn)(void))
{
	__atomic_store_n(&console_deferred, fn, __ATOMIC_RELEASE);
}

void console_run_deferred(void)
{
	void (*fn)(void);

	if (!__atomic_load_n(&console_deferred, __ATOMIC_RELAXED))
		return;
	fn = __atomic_exchange_n(&console_deferred, NULL, __ATOMIC_ACQ_REL);
	if (fn)
		fn();
}

/* Add c to the set of output consoles. */
void console_register(struct console *c)
{
	spin_lock(&console_lock);
	c->next = NULL;
	struct console **pp = &console_list;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	spin_unlock(&console_lock);
}

/* Kernel text to one device: each "\n" goes out as "\r\n" (devices get
 * bytes as they are; a terminal does its own output processing). */
static void console_emit_text(struct console *c, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		if (i > start)
			c->write(c, s + start, i - start);
		c->write(c, "\r\n", 2);
		start = i + 1;
	}
	if (n > start)
		c->write(c, s + start, n - start);
}

void console_write_unlocked(const char *s, size_t n)
{
	for (struct console *c = console_list; c; c = c->next)
		console_emit_text(c, s, n);
}

/* Write s[0..n) to every console; takes console_lock. */
void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	console_write_unlocked(s, n);
	spin_unlock(&console_lock);
}

/* Write the bytes s[0..n) unchanged to the consoles of one line; takes
 * console_lock. */
void console_write_line(enum console_line line, const char *s, size_t n)
{
	spin_lock(&console_lock);
	for (struct console *c = console_list; c; c = c->next)
		if (c->line == line)
			c->write(c, s, n);
	spin_unlock(&console_lock);
}

/* Route line's input to fn (NULL: the input queue); returns the old handler. */
console_input_fn console_set_input(enum console_line line, console_input_fn fn)
{
	if (line >= CONSOLE_LINES)
		return NULL;
	return __atomic_exchange_n(&console_in_fn[line], fn, __ATOMIC_ACQ_REL);
}

/* Hand one input byte to its line's handler, or queue it; safe from
 * interrupt handlers. */
void console_input(enum console_line line, char c)
{
	console_input_fn fn = line < CONSOLE_LINES ?
		__atomic_load_n(&console_in_fn[line], __ATOMIC_ACQUIRE) : NULL;

	if (fn) {
		fn(line, c);
		return;
	}
	spin_lock(&console_in_lock);
	unsigned next = (console_in_head + 1) % CONSOLE_INPUT_SIZE;
	if (next != console_in_tail) {
		console_in_buf[console_in_head] = c;
		console_in_head = next;
	}
	spin_unlock(&console_in_lock);
	wake_up(&console_in_wq);
}

/* The wait queue console_input() wakes (for poll registration). */
struct waitq *console_input_wq(void)
{
	return &console_in_wq;
}

/* Dequeue one input byte, or -1 when the queue is empty. */
int console_trygetc(void)
{
	int c = -1;

	spin_lock(&console_in_lock);
	if (console_in_tail != console_in_head) {
		c = (unsigned char)console_in_buf[console_in_tail];
		console_in_tail = (console_in_tail + 1) % CONSOLE_INPUT_SIZE;
	}
	spin_unlock(&console_in_lock);
	return c;
}

/*
 * Wait for and dequeue one input byte, sleeping on console_in_wq (or,
 * with no thread to sleep, halting until the next interrupt).
 */
int console_getc(void)
{
	int c;

	if (!thread_current()) {
		while ((c = console_trygetc()) < 0) {
			arch_irq_disable();
			if (console_in_tail == console_in_head)
				arch_wait_for_interrupt();   /* sti; hlt: atomic */
			else
				arch_irq_enable();
		}
		return c;
	}
	spin_lock(&console_in_lock);
	wait_event_locked_uninterruptible(&console_in_wq, &console_in_lock,
					  console_in_tail != console_in_head);
	c = (unsigned char)console_in_buf[console_in_tail];
	console_in_tail = (console_in_tail + 1) % CONSOLE_INPUT_SIZE;
	spin_unlock(&console_in_lock);
	return c;
}

/* Like console_getc, but a signal interrupts the wait: byte or -EINTR. */
int console_getc_interruptible(void)
{
	int c, err;

	spin_lock(&console_in_lock);
	err = wait_event_locked(&console_in_wq, &console_in_lock,
				console_in_tail != console_in_head);
	if (err) {
		spin_unlock(&console_in_lock);
		return err;
	}
	c = (unsigned char)console_in_buf[console_in_tail];
	console_in_tail = (console_in_tail + 1) % CONSOLE_INPUT_SIZE;
	spin_unlock(&console_in_lock);
	return c;
}
