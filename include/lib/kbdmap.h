/*
 * lib/kbdmap.h - the PC keyboard's scancodes (set 1, what the i8042 hands
 * over by default) to the bytes the Linux console sends for them
 * (TERM=linux): characters with Shift, Caps Lock and Ctrl; Alt as an ESC
 * prefix; ESC [ A..D for the arrows, ESC [ 1~..6~ for Home Insert Delete
 * End PgUp PgDn, ESC [[A..E and ESC [17~..24~ for F1..F12 (Shift+F1..F10
 * give F11..F20); Shift+Tab sends ESC TAB; the keypad by Num Lock;
 * Backspace sends DEL (0x7f).
 *
 * Pure: all state (modifiers, locks, a pending E0/E1 prefix) lives in a
 * struct kbd_state that the caller owns and serializes (the keyboard
 * interrupt handler).  No allocation, no locks; host-tested.
 */
#ifndef LIB_KBDMAP_H
#define LIB_KBDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The i8042 controller (what both keyboard drivers talk to). */
#define I8042_DATA                 0x60
#define I8042_STATUS               0x64 /* read: status; write: controller command */
#define I8042_COMMAND              0x64
#define I8042_STATUS_OUTPUT        0x01 /* a byte is waiting at I8042_DATA */
#define I8042_STATUS_INPUT         0x02 /* the controller has not taken our last byte */
#define I8042_STATUS_AUX           0x20 /* the waiting byte is from the mouse port */
#define I8042_STATUS_ABSENT        0xff /* what an empty port reads */
#define I8042_CMD_WRITE_KBD_OUTPUT 0xd2 /* next data byte: as if from the keyboard */
#define KBD_IRQ                    1

/*
 * The byte kbd_kick() (drivers/kbd.h) has the controller send: set 1's "key detection
 * error", which no key produces; the interrupt handler takes it as "look
 * for terminal replies" and never translates it.
 */
#define KBD_KICK_BYTE 0x00

/* Scancode set 1. */
#define SC_RELEASE     0x80 /* or'ed into the make code when a key goes up */
#define SC_EXTENDED    0xe0 /* prefix of the keys the XT did not have */
#define SC_PAUSE       0xe1 /* prefix of Pause: E1 1D 45, E1 9D C5 */
#define SC_ESC         0x01
#define SC_BACKSPACE   0x0e
#define SC_TAB         0x0f
#define SC_ENTER       0x1c
#define SC_CTRL        0x1d /* left; E0 1D is the right one */
#define SC_LSHIFT      0x2a
#define SC_RSHIFT      0x36
#define SC_KP_STAR     0x37
#define SC_ALT         0x38 /* left; E0 38 is the right one (AltGr) */
#define SC_SPACE       0x39
#define SC_CAPSLOCK    0x3a
#define SC_F1          0x3b /* F1..F10 are 0x3b..0x44 */
#define SC_NUMLOCK     0x45
#define SC_SCROLLLOCK  0x46
#define SC_KP_FIRST    0x47 /* keypad 7 8 9 - 4 5 6 + 1 2 3 0 . */
#define SC_KP_LAST     0x53
#define SC_102ND       0x56 /* the key left of Z on ISO keyboards */
#define SC_F11         0x57
#define SC_F12         0x58
#define SC_E0_KP_SLASH 0x35 /* after E0 */

/* Longest sequence one key produces (Alt+ESC prefix + ESC [ 2 4 ~). */
#define KBD_SEQ_MAX 8

struct kbd_state {
	bool lshift, rshift, lctrl, rctrl, lalt, ralt;
	bool caps, num;           /* lock states */
	bool caps_down, num_down; /* held: typematic repeat must not toggle */
	bool e0;                  /* the previous byte was SC_EXTENDED */
	uint8_t skip;             /* bytes of a Pause sequence still to drop */
};

/* All modifiers up, all locks off (the Linux console's start state). */
void kbd_state_init(struct kbd_state *st);

/*
 * Feed one scancode byte.  Writes the bytes the key sends to
 * out[0..KBD_SEQ_MAX) and returns how many (0 for prefixes, releases,
 * modifiers and keys that send nothing).
 */
size_t kbd_map(struct kbd_state *st, uint8_t sc, char out[KBD_SEQ_MAX]);

#endif
