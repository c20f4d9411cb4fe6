/*
 * keel/tty.h - the terminal: the console's line discipline (kernel/fs/tty.c)
 * and the Linux terminal ABI it speaks (ioctl numbers, struct termios,
 * struct winsize).
 *
 * Keel has one terminal, the system console, reached through /dev/console
 * and /dev/tty (devfs glues both device nodes to tty_console_fops).  Input
 * comes from the console input queue (keel/console.h), output goes to every
 * console device.  What the line discipline does, and its locks, are
 * described at the top of kernel/fs/tty.c.
 */
#ifndef KEEL_TTY_H
#define KEEL_TTY_H

#include <keel/compiler.h>

/* ioctl requests (Linux x86-64 values). */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCFLSH     0x540B
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422

/* c_iflag, c_oflag, c_cflag, c_lflag bits */
#define ICRNL   0000400
#define IXON    0002000
#define OPOST   0000001
#define ONLCR   0000004
#define B38400  0000017
#define CS8     0000060
#define CREAD   0000200
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHOCTL 0001000
#define ECHOKE  0004000
#define IEXTEN  0100000

/* c_cc indices */
#define VINTR   0
#define VQUIT   1
#define VERASE  2
#define VKILL   3
#define VEOF    4
#define VTIME   5
#define VMIN    6
#define VSTART  8
#define VSTOP   9
#define VSUSP   10
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT  15
#define NCCS    19

struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "Linux struct termios");

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct file_ops;

/* The file operations of the console terminal (/dev/console, /dev/tty). */
extern const struct file_ops tty_console_fops;

#endif
