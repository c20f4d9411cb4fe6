/*
 * kbd.c - PS/2 keyboard driver: scancode set 1 to characters with shift,
 * ctrl and caps lock, fed into the console input queue from IRQ 1.
 * Modifier state is only touched by the keyboard interrupt handler
 * (and by tests with interrupts off): [K] = keyboard IRQ context.
 */
#include <drivers/kbd.h>
#include <arch/cpu.h>
#include <keel/irq.h>
#include <keel/initcall.h>
#include <keel/klog.h>
#include <keel/console.h>

static const char kbd_plain[SC_TABLE_SIZE] = {
	0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
	'\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
	0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
	'*', 0, ' ',
};

static const char kbd_shifted[SC_TABLE_SIZE] = {
	0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
	'\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
	0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
	'*', 0, ' ',
};

static bool kbd_shift, kbd_ctrl, kbd_caps, kbd_extended;   /* [K] */

int kbd_translate(unsigned char sc)
{
	bool release = sc & SC_RELEASE;
	unsigned code = sc & ~SC_RELEASE;
	bool extended = kbd_extended;
	char c;

	if (sc == SC_EXTENDED) {
		kbd_extended = true;
		return -1;
	}
	kbd_extended = false;
	switch (code) {
	case SC_LSHIFT:
	case SC_RSHIFT:
		if (!extended)
			kbd_shift = !release;
		return -1;
	case SC_CTRL:
		kbd_ctrl = !release;
		return -1;
	case SC_CAPSLOCK:
		if (!release)
			kbd_caps = !kbd_caps;
		return -1;
	}
	if (release || extended || code >= SC_TABLE_SIZE)
		return -1;
	c = kbd_shift ? kbd_shifted[code] : kbd_plain[code];
	if (kbd_caps && c >= 'a' && c <= 'z')
		c = kbd_shifted[code];
	else if (kbd_caps && c >= 'A' && c <= 'Z')
		c = kbd_plain[code];
	if (!c)
		return -1;
	if (kbd_ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 c == '[' || c == '\\' || c == ']'))
		c &= ASCII_CTRL_MASK;
	return (unsigned char)c;
}

static void kbd_irq(unsigned irq, void *arg)
{
	while (inb(I8042_STATUS) & I8042_STATUS_OUTPUT) {
		int c = kbd_translate(inb(I8042_DATA));
		if (c >= 0)
			console_input(CONSOLE_LINE_VGA, (char)c);
	}
}

/* Flush stale bytes and start taking keyboard interrupts. */
static void kbd_init(void)
{
	for (int i = 0; i < KBD_FLUSH_MAX && (inb(I8042_STATUS) & I8042_STATUS_OUTPUT); i++)
		(void)inb(I8042_DATA);
	if (irq_request(KBD_IRQ, kbd_irq, NULL, "ps2-kbd"))
		klog(LOG_WARN, "kbd: no interrupt line: keyboard disabled");
}
INITCALL(INITCALL_DEVICE, kbd_init);
