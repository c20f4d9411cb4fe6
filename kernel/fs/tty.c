/*
 * tty.c - the terminal line discipline of the system console, in the
 * spirit of Linux's n_tty, cut to what shells need.  devfs exposes it as
 * /dev/console and /dev/tty (tty_console_fops); input comes from the
 * console input queue (keel/console.h), output goes to every console.
 *
 * Canonical mode (ICANON, the default): a read collects one line.  Typed
 * characters are echoed (ECHO), '\r' becomes '\n' (ICRNL), backspace/DEL
 * erases the last character, ^U the whole line, ^D ends the input (end of
 * file on an empty line).  Without ICANON a read returns as soon as one
 * byte is there, plus whatever else is queued, and echo follows ECHO
 * (readline turns both off and echoes itself).  TCGETS/TCSETS* store the
 * termios; TIOCGWINSZ reports 80x25.  Signals from the keyboard (ISIG) are
 * not generated yet.
 *
 * Input is taken from the console queue only under read_lock, by a reader
 * or by poll (which takes what a read would, without waiting), and is
 * processed with the termios of that moment.  Poll registers on the
 * console input queue (woken by every typed byte) and on poll_wq (woken
 * when a reader leaves, since a reader may leave input behind).
 *
 * Invariants ([read_lock] fields): ready <= len <= TTY_LINE_MAX;
 * line[0..ready) is what a read may return (complete lines in canonical
 * mode, every queued byte in raw mode); line[ready..len) is the line being
 * edited, which only erase/kill characters shorten.  eof records a ^D
 * typed on an empty line: once line[0..ready) is drained, one read
 * returns 0 for it and clears it.  A canonical line keeps one byte free
 * for its newline.
 *
 * Lock key (tags as in docs/locking.md):
 *   [read_lock]  tty.read_lock, a mutex: one reader at a time; held across
 *                the wait for input and the copy to user memory.  Poll
 *                only tries it (it never sleeps).
 *   [lock]       tty.lock, a spinlock (leaf): termios, window size and the
 *                foreground process group, which ioctl changes while a
 *                reader may be sleeping.
 * Order: read_lock -> tty.lock; read_lock -> console_in_lock (the input
 * queue's, taken inside console_getc).  Writers take no tty lock: output
 * is serialized by console_lock.
 */
#include <keel/tty.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/console.h>
#include <keel/mutex.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/uaccess.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/string.h>

#define TTY_LINE_MAX 4096
#define TTY_ROWS     25
#define TTY_COLS     80
#define CTRL(c)      ((c) & 0x1f)
#define TTY_DEL      0x7f            /* DEL, the default erase character */

struct tty {
	struct mutex read_lock;         /* guards the [read_lock] fields */
	char line[TTY_LINE_MAX];        /* [read_lock] bytes typed, not yet read */
	size_t len;                     /* [read_lock] */
	size_t ready;                   /* [read_lock] bytes of line a read may take */
	bool eof;                       /* [read_lock] ^D seen on an empty line */
	struct waitq poll_wq;           /* pollers: woken when a reader leaves */
	struct spinlock lock;           /* guards the [lock] fields */
	struct linux_termios termios;   /* [lock] */
	struct linux_winsize winsize;   /* [lock] */
	int pgrp;                       /* [lock] foreground process group, 0 unset */
};

static struct tty console_tty = {
	.read_lock = MUTEX_INIT(console_tty.read_lock, "tty_read"),
	.poll_wq = WAITQ_INIT(console_tty.poll_wq, "tty_poll_wq"),
	.lock = SPINLOCK_INIT("tty"),
	.termios = {
		.c_iflag = ICRNL | IXON,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
			   ECHOKE | IEXTEN,
		.c_cc = {
			[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = TTY_DEL,
			[VKILL] = CTRL('U'), [VEOF] = CTRL('D'), [VTIME] = 0,
			[VMIN] = 1, [VSTART] = CTRL('Q'), [VSTOP] = CTRL('S'),
			[VSUSP] = CTRL('Z'), [VREPRINT] = CTRL('R'),
			[VDISCARD] = CTRL('O'), [VWERASE] = CTRL('W'),
			[VLNEXT] = CTRL('V'),
		},
	},
	.winsize = { TTY_ROWS, TTY_COLS, 0, 0 },
};

static void tty_echo(const char *s, size_t n, bool on)
{
	if (on)
		console_write(s, n);
}

/* Add one typed byte in canonical mode. [read_lock] held. */
static void tty_canon_input(struct tty *t, char c, const struct linux_termios *tio)
{
	bool echo = tio->c_lflag & ECHO;

	mutex_assert_held(&t->read_lock);
	if (c == '\r' && (tio->c_iflag & ICRNL))
		c = '\n';
	if ((uint8_t)c == tio->c_cc[VERASE] || c == '\b') {
		if (t->len > t->ready) {
			t->len--;
			tty_echo("\b \b", 3, echo);
		}
		return;
	}
	if ((uint8_t)c == tio->c_cc[VKILL]) {
		for (; t->len > t->ready; t->len--)
			tty_echo("\b \b", 3, echo);
		return;
	}
	if ((uint8_t)c == tio->c_cc[VEOF]) {
		if (t->len == t->ready)
			t->eof = true;
		t->ready = t->len;
		return;
	}
	if (t->len == TTY_LINE_MAX - 1 && c != '\n')
		return;                 /* line full: only a newline fits */
	t->line[t->len++] = c;
	tty_echo(&c, 1, echo);
	if (c == '\n')
		t->ready = t->len;
}

/* Raw-mode input: translate and queue. [read_lock] held. */
static void tty_raw_input(struct tty *t, char c, const struct linux_termios *tio)
{
	mutex_assert_held(&t->read_lock);
	if (c == '\r' && (tio->c_iflag & ICRNL))
		c = '\n';
	if (t->len < TTY_LINE_MAX)
		t->line[t->len++] = c;
	t->ready = t->len;
	tty_echo(&c, 1, tio->c_lflag & ECHO);
}

/* Next typed byte: -EAGAIN if nonblock and none is queued, -EINTR on a signal. */
static int tty_getc(bool nonblock)
{
	if (nonblock) {
		int c = console_trygetc();

		return c < 0 ? -EAGAIN : c;
	}
	return console_getc_interruptible();
}

static void tty_snapshot(struct tty *t, struct linux_termios *tio)
{
	spin_lock(&t->lock);
	*tio = t->termios;
	spin_unlock(&t->lock);
}

/*
 * Take what is queued on the console as a read would, without waiting: up
 * to the end of a line in canonical mode, everything in raw mode. [read_lock] held.
 */
static void tty_take_queued(struct tty *t, const struct linux_termios *tio)
{
	int c;

	mutex_assert_held(&t->read_lock);
	if (tio->c_lflag & ICANON) {
		while (t->ready == 0 && !t->eof && (c = console_trygetc()) >= 0)
			tty_canon_input(t, (char)c, tio);
	} else {
		while (t->len < TTY_LINE_MAX && (c = console_trygetc()) >= 0)
			tty_raw_input(t, (char)c, tio);
	}
}

static ssize_t tty_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct tty *t = &console_tty;
	bool nonblock = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
	struct linux_termios tio;
	ssize_t ret;
	int c;

	if (n == 0)
		return 0;
	if (mutex_lock_interruptible(&t->read_lock))
		return -EINTR;
	tty_snapshot(t, &tio);
	if (tio.c_lflag & ICANON) {
		while (t->ready == 0 && !t->eof) {
			c = tty_getc(nonblock);
			if (c < 0) {
				ret = c;
				goto out;
			}
			tty_canon_input(t, (char)c, &tio);
		}
	} else {
		if (t->ready == 0) {
			c = tty_getc(nonblock);
			if (c < 0) {
				ret = c;
				goto out;
			}
			tty_raw_input(t, (char)c, &tio);
		}
		tty_take_queued(t, &tio);
	}
	if (t->ready == 0 && t->eof) {
		t->eof = false;
		ret = 0;
		goto out;
	}
	n = MIN(n, t->ready);
	if (iobuf_copy_to(b, 0, t->line, n)) {
		ret = -EFAULT;
		goto out;
	}
	memmove(t->line, t->line + n, t->len - n);
	t->len -= n;
	t->ready -= n;
	ret = (ssize_t)n;
out:
	mutex_unlock(&t->read_lock);
	wake_up(&t->poll_wq);
	return ret;
}

/*
 * Readable once a read would not wait: a line (canonical) or a byte (raw)
 * is there, or an end of file.  The input is taken from the console queue
 * here, as a read would take it (so it is echoed now).  While a reader
 * holds read_lock it takes the input itself: no POLLIN until it leaves and
 * wakes poll_wq.  Writing never blocks.
 */
static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *t = &console_tty;
	unsigned mask = POLLOUT | POLLWRNORM;
	struct linux_termios tio;

	poll_wait(f, console_input_wq(), pt);
	poll_wait(f, &t->poll_wq, pt);
	if (!mutex_trylock(&t->read_lock))
		return mask;
	tty_snapshot(t, &tio);
	tty_take_queued(t, &tio);
	if (t->ready > 0 || t->eof)
		mask |= POLLIN | POLLRDNORM;
	mutex_unlock(&t->read_lock);
	return mask;
}

static ssize_t tty_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	char chunk[256];
	size_t done = 0;

	while (done < n) {
		size_t k = MIN(n - done, sizeof(chunk));

		if (iobuf_copy_from(chunk, b, done, k))
			return done ? (ssize_t)done : -EFAULT;
		console_write(chunk, k);
		done += k;
	}
	return (ssize_t)n;
}

static long tty_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct tty *t = &console_tty;
	struct linux_termios tio;
	struct linux_winsize ws;
	int pgrp;

	switch (cmd) {
	case TCGETS:
		tty_snapshot(t, &tio);
		return copy_to_user((void *)arg, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (copy_from_user(&tio, (const void *)arg, sizeof(tio)))
			return -EFAULT;
		spin_lock(&t->lock);
		t->termios = tio;
		spin_unlock(&t->lock);
		return 0;
	case TIOCGWINSZ:
		spin_lock(&t->lock);
		ws = t->winsize;
		spin_unlock(&t->lock);
		return copy_to_user((void *)arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		if (copy_from_user(&ws, (const void *)arg, sizeof(ws)))
			return -EFAULT;
		spin_lock(&t->lock);
		t->winsize = ws;
		spin_unlock(&t->lock);
		return 0;
	case TIOCGPGRP: {
		struct proc *p = proc_current();

		spin_lock(&t->lock);
		pgrp = t->pgrp;
		spin_unlock(&t->lock);
		if (!pgrp && p)
			pgrp = READ_ONCE(p->pgid);
		return copy_to_user((void *)arg, &pgrp, sizeof(pgrp));
	}
	case TIOCSPGRP:
		if (copy_from_user(&pgrp, (const void *)arg, sizeof(pgrp)))
			return -EFAULT;
		if (pgrp < 0)
			return -EINVAL;
		spin_lock(&t->lock);
		t->pgrp = pgrp;
		spin_unlock(&t->lock);
		return 0;
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TCFLSH:
		return 0;
	case FIONREAD:
		pgrp = 0;       /* queued bytes are not counted yet */
		return copy_to_user((void *)arg, &pgrp, sizeof(pgrp));
	default:
		return -ENOTTY;
	}
}

const struct file_ops tty_console_fops = {
	.read = tty_read, .write = tty_write, .ioctl = tty_ioctl, .poll = tty_poll,
};
