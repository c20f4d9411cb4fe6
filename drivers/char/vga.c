/*
 * vga.c - VGA text mode (80x25 at physical 0xb8000) as a console:
 * scrolling, newline/backspace/tab handling and a hardware cursor.
 * State is protected by the console lock (kernel/core/console.c).
 */
#include <arch/cpu.h>
#include <arch/arch.h>
#include <drivers/vga.h>
#include <keel/console.h>
#include <keel/initcall.h>
#include <lib/string.h>

static volatile uint16_t *vga_buf;   /* [console lock] */
static unsigned vga_row, vga_col;    /* [console lock] */

static void vga_set_cursor(void)
{
	unsigned pos = vga_row * VGA_COLS + vga_col;

	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LO);
	outb(VGA_CRTC_DATA, pos & 0xff);
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HI);
	outb(VGA_CRTC_DATA, (pos >> 8) & 0xff);
}

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		vga_buf[i] = vga_buf[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		vga_buf[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_BLANK;
	vga_row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
	switch (c) {
	case '\n':
		vga_col = 0;
		vga_row++;
		break;
	case '\r':
		vga_col = 0;
		break;
	case '\b':
		if (vga_col > 0)
			vga_col--;
		break;
	case '\t':
		vga_col = ALIGN_UP(vga_col + 1, VGA_TAB);
		break;
	default:
		vga_buf[vga_row * VGA_COLS + vga_col] = VGA_CELL(c);
		vga_col++;
	}
	if (vga_col >= VGA_COLS) {
		vga_col = 0;
		vga_row++;
	}
	if (vga_row >= VGA_ROWS)
		vga_scroll();
}

static void vga_write(struct console *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vga_putc(s[i]);
	vga_set_cursor();
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
		vga_buf[i] = VGA_BLANK;
	vga_row = vga_col = 0;
	vga_set_cursor();
	console_register(&vga_console);
}
INITCALL(INITCALL_EARLY_DEVICE, vga_init);
