/*
 * keel/tty.h - terminals: one POSIX terminal per console line
 * (kernel/fs/tty.c), their devices, controlling terminals and job control,
 * and the Linux terminal ABI they speak (ioctl numbers, struct winsize;
 * struct termios and its bits are lib/ldisc.h's).
 *
 * Devices (devfs glues each node to tty_fops; Linux's numbers):
 *   /dev/ttyS0   (4,64) the serial line (COM1)
 *   /dev/tty1    (4,1)  the VGA text screen and the PS/2 keyboard
 *   /dev/console (5,1)  the system console: ttyS0, or tty1 with the kernel
 *                       command line option console=tty1 (the last
 *                       console= wins); never becomes a controlling tty
 *   /dev/tty     (5,0)  the opener's controlling terminal (ENXIO if none)
 *
 * What the line discipline does, and the locks, are described at the top
 * of kernel/fs/tty.c.
 */
#ifndef KEEL_TTY_H
#define KEEL_TTY_H

#include <keel/compiler.h>
#include <lib/ldisc.h>

/* ioctl requests (Linux x86-64 values). */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCSBRK     0x5409
#define TCXONC     0x540A
#define TCFLSH     0x540B
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCSTI    0x5412
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

/* TCXONC arguments */
#define TCOOFF 0
#define TCOON  1
#define TCIOFF 2
#define TCION  3

/* TCFLSH arguments */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct file_ops;
struct proc;

/* The file operations of every terminal device node (devfs). */
extern const struct file_ops tty_fops;

/*
 * Boot: attach a terminal to each console line (from now on typed input
 * is processed by the terminals as it arrives) and pick the system
 * console from the command line (console=ttyS0 or console=tty1).  Once,
 * after the VFS is up and before input interrupts are enabled.
 */
void tty_init(const char *cmdline);

/*
 * The kernel shell takes the console input back (before it reads with
 * console_getc): the terminals stop receiving typed bytes.
 */
void tty_detach_input(void);

/*
 * Process p is exiting.  If it leads a session that has a controlling
 * terminal, the terminal is hung up: SIGHUP goes to its foreground
 * process group (as on Linux; SIGCONT would go to the leader itself) and
 * every process of the session loses its controlling terminal.  Takes proc_tree_lock; called from the exit path.
 */
void tty_exit_session(struct proc *p);
/*
 * p's controlling terminal as /proc/PID/stat shows it: its device number
 * (tty_nr, 0 without one), and its foreground group in *tpgid (-1 without
 * one).  [proc_tree_lock] held.
 */
int tty_proc_ctty(struct proc *p, int *tpgid);

#endif
