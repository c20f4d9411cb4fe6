/*
 * drivers/kbd.h - the PS/2 keyboard behind the i8042 controller.  The
 * scancodes and their translation are lib/kbdmap.h's.
 */
#ifndef DRIVERS_KBD_H
#define DRIVERS_KBD_H

#include <lib/kbdmap.h>

#define I8042_DATA                 0x60
#define I8042_STATUS               0x64 /* read: status; write: controller command */
#define I8042_COMMAND              0x64
#define I8042_STATUS_OUTPUT        0x01 /* a byte is waiting at I8042_DATA */
#define I8042_STATUS_INPUT         0x02 /* the controller has not taken our last byte */
#define I8042_STATUS_AUX           0x20 /* the waiting byte is from the mouse port */
#define I8042_STATUS_ABSENT        0xff /* what an empty port reads */
#define I8042_CMD_WRITE_KBD_OUTPUT 0xd2 /* next data byte: as if from the keyboard */
#define KBD_IRQ                    1
#define KBD_FLUSH_MAX              64
#define KBD_I8042_WAIT_MAX         10000 /* status polls before giving up on the controller */

/*
 * The byte kbd_kick() has the controller send: set 1's "key detection
 * error", which no key produces; the interrupt handler takes it as "look
 * for terminal replies" and never translates it.
 */
#define KBD_KICK_BYTE 0x00

/*
 * Make the keyboard interrupt run soon (the controller echoes
 * KBD_KICK_BYTE), so that it delivers the VGA terminal's replies
 * (vga_deliver_replies).  Any context, any locks held; never waits
 * for more than KBD_I8042_WAIT_MAX status reads.  Does nothing before the
 * keyboard is set up or without a controller.
 */
void kbd_kick(void);

#endif
