/*
 * lib/ldisc.h - the POSIX terminal line discipline as pure byte processing:
 * what one typed byte does (queue it, echo it, edit the line, raise a
 * signal) and what output processing makes of written bytes, for the
 * Linux termios settings (struct linux_termios, Linux x86-64 values).
 *
 * The kernel's terminals (kernel/fs/tty.c) wrap one struct ldisc each with
 * their lock, wait queues and devices; the host unit tests
 * (tests/host/test_ldisc.c) drive it directly.  Nothing here locks,
 * sleeps or allocates: the caller serializes every call on one ldisc.
 *
 * Input queue.  buf[0..len) holds the bytes typed and not yet read, in
 * order.  Each byte has flags: LDISC_F_EOL marks the last byte of a
 * complete canonical line (a newline, VEOL, VEOL2 or VEOF), LDISC_F_EOF
 * marks a VEOF byte, which ends its line but is never returned by a read.
 * Invariants: ready <= len <= LDISC_BUF_SIZE; in canonical mode
 * buf[0..ready) are complete lines (buf[ready - 1] has LDISC_F_EOL when
 * ready > 0) and buf[ready..len) is the line being edited, which erase and
 * kill characters shorten; in non-canonical mode ready == len.  A
 * canonical line always leaves one byte free for its terminator.
 *
 * Echo and output.  Echoed text goes through output processing (OPOST:
 * ONLCR, OCRNL, ONOCR, ONLRET) and then to the echo callback.  The column
 * of the output cursor is tracked from everything that passes output
 * processing, so that erasing a tab or a ^X echo backs up the right
 * number of columns.
 *
 * Output flow control (IXON): VSTOP sets `stopped`, VSTART (or, with
 * IXANY, any byte) clears it; both are swallowed.  The caller holds its
 * writers while stopped (echo still goes out).
 *
 * Not done: IXOFF (input flow control), ISTRIP, IUCLC, XCASE, ECHOPRT,
 * VDISCARD, PARMRK.
 */
#ifndef LIB_LDISC_H
#define LIB_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* c_iflag bits */
#define IGNBRK  0000001
#define BRKINT  0000002
#define IGNPAR  0000004
#define ISTRIP  0000040
#define INLCR   0000100
#define IGNCR   0000200
#define ICRNL   0000400
#define IXON    0002000
#define IXANY   0004000
#define IXOFF   0010000
#define IMAXBEL 0020000
#define IUTF8   0040000
/* c_oflag bits */
#define OPOST   0000001
#define ONLCR   0000004
#define OCRNL   0000010
#define ONOCR   0000020
#define ONLRET  0000040
/* c_cflag bits */
#define B38400  0000017
#define CS8     0000060
#define CREAD   0000200
/* c_lflag bits */
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHONL  0000100
#define NOFLSH  0000200
#define TOSTOP  0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE  0004000
#define IEXTEN  0100000

/* c_cc indices */
#define VINTR    0
#define VQUIT    1
#define VERASE   2
#define VKILL    3
#define VEOF     4
#define VTIME    5
#define VMIN     6
#define VSWTC    7
#define VSTART   8
#define VSTOP    9
#define VSUSP    10
#define VEOL     11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE  14
#define VLNEXT   15
#define VEOL2    16
#define NCCS     19

/* A c_cc entry that is 0 is disabled (_POSIX_VDISABLE). */
#define LDISC_VDISABLE 0

/* Signal numbers the line discipline raises (Linux's). */
#define LDISC_SIGINT  2
#define LDISC_SIGQUIT 3
#define LDISC_SIGTSTP 20

struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "Linux struct termios");

#define LDISC_BUF_SIZE 4096 /* Linux's N_TTY_BUF_SIZE */

#define LDISC_F_EOL 0x1 /* the last byte of a complete canonical line */
#define LDISC_F_EOF 0x2 /* a VEOF byte: ends its line, never read */

/* Receives processed output (echo); ctx is ldisc.ctx. */
typedef void (*ldisc_write_fn)(void *ctx, const char *s, size_t n);

struct ldisc {
	struct linux_termios tio;
	ldisc_write_fn echo; /* where echo goes (may be NULL: dropped) */
	void *ctx;
	size_t len;            /* bytes queued */
	size_t ready;          /* bytes a read may take (see the top) */
	unsigned column;       /* output cursor column */
	unsigned canon_column; /* column where the line being edited began */
	bool lnext;            /* the next byte is taken literally (VLNEXT) */
	bool stopped;          /* output stopped (VSTOP with IXON, or TCOOFF) */
	char buf[LDISC_BUF_SIZE];
	uint8_t flags[LDISC_BUF_SIZE];
};

/* Linux's default settings for a new terminal (stty sane). */
void ldisc_default_termios(struct linux_termios *t);
/* A new line discipline with the default settings and empty queue. */
void ldisc_init(struct ldisc *l, ldisc_write_fn echo, void *ctx);

/*
 * Results of ldisc_input: LDISC_WAKE when the input became readable in a
 * way readers and pollers must see (a complete line, a byte in
 * non-canonical mode) or output was restarted, and the signal the byte
 * raises (ldisc_input_signal) for the foreground process group.
 */
#define LDISC_WAKE     0x100
#define LDISC_SIG_MASK 0x0ff
static inline int ldisc_input_signal(unsigned r)
{
	return (int)(r & LDISC_SIG_MASK);
}

/*
 * Process one received byte under the current settings: input
 * translation (IGNCR, ICRNL, INLCR), signal characters (ISIG: VINTR,
 * VQUIT, VSUSP flush the queue unless NOFLSH and are echoed), canonical
 * editing (ICANON: VERASE, VKILL, VEOF, VEOL, VEOL2 and, with IEXTEN,
 * VWERASE, VREPRINT, VLNEXT), queueing and echo (ECHO, ECHOE, ECHOK,
 * ECHOKE, ECHONL, ECHOCTL).  A full queue drops the byte (in canonical
 * mode only a line terminator fits into the last free byte).  Returns
 * LDISC_WAKE and/or a signal number (see above).
 */
unsigned ldisc_input(struct ldisc *l, uint8_t c);

/* Change the settings (TCSETS): switching ICANON on or off keeps the
 * queued bytes and makes them readable (Linux). */
void ldisc_set_termios(struct ldisc *l, const struct linux_termios *t);
/* Drop every queued byte (TCFLSH, TCSETSF). */
void ldisc_flush_input(struct ldisc *l);

/* Would a read return now (data, or an end of file)?  In non-canonical
 * mode: at least min bytes are queued (min >= 1). */
bool ldisc_readable(const struct ldisc *l, size_t min);
/* Bytes a read could take (FIONREAD): queued bytes in non-canonical
 * mode, the bytes of complete lines in canonical mode. */
size_t ldisc_available(const struct ldisc *l);

/*
 * Take up to n readable bytes into dst: in canonical mode at most one
 * line (an end-of-file byte ends it and is consumed but not copied; *eol
 * is set when the line's end was reached), in non-canonical mode whatever
 * is queued.  Returns the bytes copied (0 with *eol set: an end of file).
 */
size_t ldisc_read(struct ldisc *l, char *dst, size_t n, bool *eol);

/*
 * Output processing (OPOST and its c_oflag bits) of in[0..n) into
 * out[0..outsz): returns the bytes written to out and sets *used to the
 * input bytes consumed (an expansion that does not fit is left for the
 * next call; outsz >= 2 always makes progress).  Updates the column.
 */
size_t ldisc_output(struct ldisc *l, const char *in, size_t n, char *out, size_t outsz,
		    size_t *used);

/*
 * How a non-canonical read waits (VMIN, VTIME, Linux's n_tty_read):
 *   MIN=0 TIME=0: return at once with what is there (possibly nothing);
 *   MIN>0 TIME=0: wait (forever) until MIN bytes were read or the buffer
 *                 is full;
 *   MIN=0 TIME>0: wait at most TIME for the first byte; return it;
 *   MIN>0 TIME>0: wait forever for the first byte; after each byte the
 *                 read ends if TIME passes with no further byte, or once
 *                 MIN bytes were read.
 * Canonical reads wait forever for one line (minimum 1, no timeout).
 * Times are in deciseconds, LDISC_FOREVER for none.
 */
#define LDISC_FOREVER (-1L)
struct ldisc_rplan {
	size_t minimum; /* the read returns once this many bytes were copied */
	long timeout;   /* the wait limit for the next byte (0: do not wait) */
	long inter;     /* after bytes were copied, the limit becomes this (0: no change) */
};
void ldisc_rplan_init(struct ldisc_rplan *p, const struct linux_termios *t);
/* The read has copied `copied` bytes so far: may it return now? */
bool ldisc_rplan_done(const struct ldisc_rplan *p, size_t copied);
/* Bytes were copied in this round: the limit for the next wait. */
void ldisc_rplan_progress(struct ldisc_rplan *p);

#endif /* LIB_LDISC_H */
