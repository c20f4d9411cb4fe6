/*
 * drivers/vga.h - the VGA text screen: constants of the hardware, and the
 * driver's one outward call (terminal replies, taken by the keyboard).
 */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include <keel/compiler.h>

#define VGA_TEXT_PHYS         0xb8000
#define VGA_COLS              80
#define VGA_ROWS              25
#define VGA_CRTC_INDEX        0x3d4
#define VGA_CRTC_DATA         0x3d5
#define VGA_CRTC_CURSOR_START 0x0a /* bit 5 turns the cursor off */
#define VGA_CRTC_CURSOR_HI    0x0e
#define VGA_CRTC_CURSOR_LO    0x0f
#define VGA_CURSOR_DISABLE    0x20

/* Terminal replies (ESC [ 6 n ...) waiting to become VGA-line input. */
#define VGA_REPLY_SIZE 128

/*
 * Hand the terminal's queued replies (answers to ESC [ 6 n, ESC [ c) to
 * the console input of the VGA line.  Called by the keyboard interrupt;
 * any context, no lock held.
 */
void vga_deliver_replies(void);

#endif
