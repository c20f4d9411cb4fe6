/*
 * drivers/kbd.h - the PS/2 keyboard behind the i8042 controller.  The
 * controller's registers, scancodes and their translation are
 * lib/kbdmap.h's (shared with the user-space driver, user/kbdd.c).
 */
#ifndef DRIVERS_KBD_H
#define DRIVERS_KBD_H

#include <lib/kbdmap.h>

#define KBD_FLUSH_MAX      64
#define KBD_I8042_WAIT_MAX 10000 /* status polls before giving up on the controller */

/*
 * Make the keyboard interrupt run soon (the controller echoes
 * KBD_KICK_BYTE), so that it delivers the VGA terminal's replies
 * (vga_deliver_replies).  Any context, any locks held; never waits
 * for more than KBD_I8042_WAIT_MAX status reads.  Does nothing before the
 * keyboard is set up or without a controller.
 */
void kbd_kick(void);

#endif
