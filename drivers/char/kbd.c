/*
 * kbd.c - PS/2 keyboard driver: reads set-1 scancodes from the i8042 on
 * IRQ 1, translates them with lib/kbdmap.c (the Linux console's sequences)
 * and feeds the bytes to the console input of the VGA line.
 *
 * The same interrupt delivers the VGA terminal's replies to queries
 * (vga_deliver_replies): kbd_kick() asks the controller to send
 * KBD_KICK_BYTE as if typed, which raises the interrupt from any context.
 *
 * Lock key: [K] keyboard interrupt context: the translation state is only
 * touched by the interrupt handler (one line, never nested).
 * kbd_ready is [A]: set once the interrupt line is requested.
 */
#include <drivers/kbd.h>
#include <drivers/vga.h>
#include <arch/cpu.h>
#include <keel/irq.h>
#include <keel/initcall.h>
#include <keel/klog.h>
#include <keel/console.h>

static struct kbd_state kbd_state; /* [K] */
static bool kbd_ready;             /* [A] the interrupt line is ours */

static void kbd_irq(unsigned irq, void *arg)
{
	char seq[KBD_SEQ_MAX];
	uint8_t status;

	while ((status = inb(I8042_STATUS)) & I8042_STATUS_OUTPUT) {
		uint8_t sc = inb(I8042_DATA);
		size_t n;

		if ((status & I8042_STATUS_AUX) || sc == KBD_KICK_BYTE)
			continue; /* a mouse byte (if firmware enabled it), or a kick */
		n = kbd_map(&kbd_state, sc, seq);
		for (size_t i = 0; i < n; i++)
			console_input(CONSOLE_LINE_VGA, seq[i]);
	}
	vga_deliver_replies();
}

/* Wait until the controller has taken our last byte; false if it never does. */
static bool kbd_wait_input_empty(void)
{
	for (int i = 0; i < KBD_I8042_WAIT_MAX; i++) {
		if (!(inb(I8042_STATUS) & I8042_STATUS_INPUT))
			return true;
		cpu_relax();
	}
	return false;
}

void kbd_kick(void)
{
	if (!__atomic_load_n(&kbd_ready, __ATOMIC_ACQUIRE))
		return;
	if (!kbd_wait_input_empty())
		return;
	outb(I8042_COMMAND, I8042_CMD_WRITE_KBD_OUTPUT);
	if (!kbd_wait_input_empty())
		return;
	outb(I8042_DATA, KBD_KICK_BYTE);
}

/* Flush stale bytes and start taking keyboard interrupts. */
static void kbd_init(void)
{
	kbd_state_init(&kbd_state);
	if (inb(I8042_STATUS) == I8042_STATUS_ABSENT) {
		klog(LOG_INFO, "kbd: no i8042 controller: keyboard disabled");
		return;
	}
	for (int i = 0; i < KBD_FLUSH_MAX && (inb(I8042_STATUS) & I8042_STATUS_OUTPUT); i++)
		(void)inb(I8042_DATA);
	if (irq_request_flags(KBD_IRQ, kbd_irq, NULL, "ps2-kbd", IRQ_F_YIELDS)) {
		klog(LOG_WARN, "kbd: no interrupt line: keyboard disabled");
		return;
	}
	__atomic_store_n(&kbd_ready, true, __ATOMIC_RELEASE);
}
INITCALL(INITCALL_DEVICE, kbd_init);
