/* drivers/kbd.h - the PS/2 keyboard behind the i8042 controller. */
#ifndef DRIVERS_KBD_H
#define DRIVERS_KBD_H

#define I8042_DATA          0x60
#define I8042_STATUS        0x64
#define I8042_STATUS_OUTPUT 0x01   /* a byte is waiting at I8042_DATA */
#define KBD_IRQ             1
#define KBD_FLUSH_MAX       64

/* Scancode set 1 (what the i8042 translates to by default). */
#define SC_RELEASE          0x80
#define SC_EXTENDED         0xe0
#define SC_LSHIFT           0x2a
#define SC_RSHIFT           0x36
#define SC_CTRL             0x1d
#define SC_CAPSLOCK         0x3a
#define SC_TABLE_SIZE       0x3a

#define ASCII_CTRL_MASK     0x1f

/* Translate one set-1 scancode; returns a character or -1 (pure, tested). */
int kbd_translate(unsigned char sc);

#endif
