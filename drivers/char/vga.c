/*
 * vga.c - the VGA text screen (80x25 at physical 0xb8000) as a terminal:
 * output goes through the VT100/Linux-console emulator (lib/vt100.c),
 * which draws into a shadow screen in RAM; after each write the rows it
 * changed are compared with a copy of what the hardware shows and only
 * the differing cells are stored to the text buffer (each store there is
 * slow under emulation, and a scroll would otherwise read and rewrite
 * the whole screen per line).  The hardware cursor follows the emulator's
 * (and hides on ESC [ ? 25 l).
 *
 * Bare "\n" returns the carriage (vt.lf_returns), because kernel messages
 * reach this console without a line discipline's ONLCR.
 *
 * Answers to queries (ESC [ 6 n ...) belong on the VGA line's input side,
 * but vga_write runs under the console lock, the innermost lock, so it
 * cannot call console_input() (input lock, wake-ups).  Replies go into a
 * single-producer ring instead, and kbd_kick() makes the keyboard
 * controller raise its interrupt, whose handler calls
 * vga_deliver_replies() with no lock held.  While a user-space keyboard
 * driver holds the line (kbdd), the next timer tick delivers them instead
 * (console_input_later); delivery is idempotent, so both may run.
 *
 * Lock key: [console lock] kernel/core/console.c's console_lock, held by
 * whoever calls the console's write (the panic path writes without it);
 * [A] atomic accesses only.
 */
#include <arch/cpu.h>
#include <arch/arch.h>
#include <drivers/kbd.h>
#include <drivers/vga.h>
#include <keel/console.h>
#include <keel/initcall.h>
#include <lib/string.h>
#include <lib/vt100.h>

static volatile uint16_t *vga_buf;               /* [I] the text buffer */
static uint16_t vga_shadow[VGA_ROWS * VGA_COLS]; /* [console lock] the emulator's screen */
static uint16_t vga_front[VGA_ROWS * VGA_COLS];  /* [console lock] what vga_buf holds */
static struct vt vga_vt;                         /* [console lock] */
static uint16_t vga_alt[VGA_ROWS * VGA_COLS];    /* [console lock] alternate screen's save */
static bool vga_cursor_hidden;                   /* [console lock] */

/*
 * The reply ring: bytes [tail, head) are queued.  head is written by the
 * producer (vga_write, [console lock]) after the byte, tail by the
 * consumer (a compare-and-swap per byte, so racing consumers take each
 * byte once).
 */
static char vga_reply_buf[VGA_REPLY_SIZE]; /* [console lock] writes, [A] reads */
static unsigned vga_reply_head;            /* [console lock] writes, [A] */
static unsigned vga_reply_tail;            /* [A] */

static void vga_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	unsigned pos = y * VGA_COLS + x;

	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LO);
	outb(VGA_CRTC_DATA, pos & 0xff);
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HI);
	outb(VGA_CRTC_DATA, (pos >> 8) & 0xff);
	if (visible == !vga_cursor_hidden)
		return;
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_START);
	uint8_t start = inb(VGA_CRTC_DATA);
	outb(VGA_CRTC_DATA, visible ? start & ~VGA_CURSOR_DISABLE : start | VGA_CURSOR_DISABLE);
	vga_cursor_hidden = !visible;
}

/* vt's reply callback: queue s (dropped when the ring is full). */
static void vga_reply(void *ctx, const char *s, size_t n)
{
	unsigned head = vga_reply_head;
	unsigned tail = __atomic_load_n(&vga_reply_tail, __ATOMIC_ACQUIRE);

	if (head - tail + n > VGA_REPLY_SIZE)
		return; /* nobody reads them: keep no partial answer */
	for (size_t i = 0; i < n; i++)
		vga_reply_buf[(head + i) % VGA_REPLY_SIZE] = s[i];
	__atomic_store_n(&vga_reply_head, head + (unsigned)n, __ATOMIC_RELEASE);
	kbd_kick();
	console_input_later(vga_deliver_replies); /* if a user-space driver has the keyboard */
}

void vga_deliver_replies(void)
{
	unsigned tail = __atomic_load_n(&vga_reply_tail, __ATOMIC_ACQUIRE);

	while (tail != __atomic_load_n(&vga_reply_head, __ATOMIC_ACQUIRE)) {
		char c = vga_reply_buf[tail % VGA_REPLY_SIZE];

		if (__atomic_compare_exchange_n(&vga_reply_tail, &tail, tail + 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			console_input(CONSOLE_LINE_VGA, c);
			tail++;
		}
	}
}

/* Store the cells of the rows vt changed that differ from the screen. */
static void vga_flush(void)
{
	unsigned top, bottom;

	if (!vt_take_dirty(&vga_vt, &top, &bottom))
		return;
	for (unsigned i = top * VGA_COLS; i < (bottom + 1) * VGA_COLS; i++) {
		if (vga_front[i] != vga_shadow[i]) {
			vga_front[i] = vga_shadow[i];
			vga_buf[i] = vga_shadow[i];
		}
	}
}

static void vga_write(struct console *con, const char *s, size_t n)
{
	vt_write(&vga_vt, s, n);
	vga_flush();
}

static struct console vga_console = {
	.name = "vga",
	.line = CONSOLE_LINE_VGA,
	.write = vga_write,
};

/* Clear the text screen and register it as a console (needs the direct map). */
static void vga_init(void)
{
	vga_buf = arch_phys_to_virt(VGA_TEXT_PHYS);
	for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
		vga_front[i] = vga_buf[i];
	vt_init(&vga_vt, vga_shadow, vga_alt, VGA_ROWS, VGA_COLS);
	vga_vt.cursor = vga_cursor;
	vga_vt.reply = vga_reply;
	vga_vt.lf_returns = true;
	vga_flush();
	vga_cursor(NULL, 0, 0, true);
	console_register(&vga_console);
}
INITCALL(INITCALL_EARLY_DEVICE, vga_init);
