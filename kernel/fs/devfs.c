/*
 * devfs.c - the device file system mounted on /dev: a fixed directory of
 * character devices.
 *
 *   console (5,1)  the system console as a minimal tty: see below
 *   tty     (5,0)  the same device (every process's controlling tty)
 *   null    (1,3)  reads end of file, writes vanish
 *   zero    (1,5)  reads zeros, writes vanish
 *   kcov    (10,240) per-thread kernel coverage (kernel/debug/kcov.c); only in
 *                  kernels built with KCOV=1, absent (ENOENT) otherwise
 *
 * The console tty has a line discipline in the spirit of Linux's n_tty,
 * cut to what shells need.  In canonical mode (ICANON, the default) a read
 * collects one line: typed characters are echoed (ECHO), '\r' becomes '\n'
 * (ICRNL), backspace/DEL erases the last character, ^U the whole line, ^D
 * ends the input (end of file on an empty line).  Without ICANON a read
 * returns as soon as one byte is there, plus whatever else is queued, and
 * echo follows ECHO (readline turns both off and echoes itself).  TCGETS/
 * TCSETS* store the termios; TIOCGWINSZ reports 80x25.  Signals from the
 * keyboard (ISIG) are not generated yet.
 *
 * Locking: devfs's vnodes are static and never freed (no refcount work).
 * tty.read_lock (a mutex) serializes readers and guards the line buffer;
 * tty.lock (a spinlock) guards termios, winsize and pgrp, which ioctl
 * changes while a reader may be sleeping.
 */
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/kcov.h>
#include <keel/console.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <lib/string.h>

/* ---------------------------------------------------------------- tty ABI (Linux) */

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

#define TTY_LINE_MAX 4096
#define TTY_ROWS     25
#define TTY_COLS     80
#define CTRL(c)      ((c) & 0x1f)

/* Device numbers (Linux's). */
#define DEV_MKDEV(ma, mi) (((uint32_t)(ma) << 8) | (mi))

struct tty {
	struct mutex read_lock;
	char line[TTY_LINE_MAX];        /* [read_lock] bytes typed, not yet read */
	size_t len;                     /* [read_lock] */
	size_t ready;                   /* [read_lock] bytes of line a read may take */
	bool eof;                       /* [read_lock] ^D seen on an empty line */
	struct spinlock lock;
	struct linux_termios termios;   /* [lock] */
	struct linux_winsize winsize;   /* [lock] */
	int pgrp;                       /* [lock] foreground process group, 0 unset */
};

static struct tty console_tty = {
	.read_lock = MUTEX_INIT(console_tty.read_lock, "tty_read"),
	.lock = SPINLOCK_INIT("tty"),
	.termios = {
		.c_iflag = ICRNL | IXON,
		.c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
			   ECHOKE | IEXTEN,
		.c_cc = {
			[VINTR] = CTRL('C'), [VQUIT] = 0x1c, [VERASE] = 0x7f,
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
		while (t->len < TTY_LINE_MAX && (c = console_trygetc()) >= 0)
			tty_raw_input(t, (char)c, &tio);
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
	return ret;
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

/* ---------------------------------------------------------------- null, zero */

static ssize_t null_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return 0;
}

static ssize_t null_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return (ssize_t)n;
}

/* Bytes of zeros copied between two checks for a reschedule or SIGKILL. */
#define ZERO_CHECK_BYTES (64 * KiB)

static ssize_t zero_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	static const char zeros[256];
	size_t done = 0;

	while (done < n) {
		size_t k = MIN(n - done, sizeof(zeros));

		if (done && done % ZERO_CHECK_BYTES == 0 && signal_checkpoint())
			return (ssize_t)done;
		if (iobuf_copy_to(b, done, zeros, k))
			return done ? (ssize_t)done : -EFAULT;
		done += k;
	}
	return (ssize_t)n;
}

static const struct file_ops tty_fops = {
	.read = tty_read, .write = tty_write, .ioctl = tty_ioctl,
};
static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .seekable = true,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .seekable = true, .mmap_zero = true,
};

/* ---------------------------------------------------------------- the directory */

struct devfs_entry {
	const char *name;
	const struct file_ops *fops;
	uint32_t rdev;
	struct vnode v;
	bool (*present)(void);          /* [I] NULL: always there */
	void (*missing)(void);          /* [I] a lookup of an absent device */
};

/* Linux's debugfs kcov has a dynamic number; this is Keel's own.  kcov comes
 * last so that the other devices keep their inode numbers. */
#define DEV_KCOV DEV_MKDEV(10, 240)

static struct devfs_entry devfs_entries[] = {
	{ "console", &tty_fops, DEV_MKDEV(5, 1), { 0 }, NULL, NULL },
	{ "null", &null_fops, DEV_MKDEV(1, 3), { 0 }, NULL, NULL },
	{ "tty", &tty_fops, DEV_MKDEV(5, 0), { 0 }, NULL, NULL },
	{ "zero", &zero_fops, DEV_MKDEV(1, 5), { 0 }, NULL, NULL },
	{ "kcov", &kcov_fops, DEV_KCOV, { 0 }, kcov_built_in, kcov_note_missing },
};

static bool devfs_present(const struct devfs_entry *e)
{
	return !e->present || e->present();
}

static struct vnode devfs_root_vnode;   /* [I] after devfs_create_fs */

static int devfs_lookup(struct vnode *dir, const char *name, size_t len,
			struct vnode **out)
{
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = vnode_get(dir);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(devfs_entries); i++) {
		struct devfs_entry *e = &devfs_entries[i];

		if (strlen(e->name) == len && memcmp(e->name, name, len) == 0) {
			if (!devfs_present(e)) {
				if (e->missing)
					e->missing();
				return -ENOENT;
			}
			*out = vnode_get(&e->v);
			return 0;
		}
	}
	return -ENOENT;
}

static int devfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, const char *target, struct vnode **out)
{
	int err = devfs_lookup(dir, name, len, out);

	if (err == 0)
		return -EEXIST;
	*out = NULL;
	return -EPERM;
}

static int devfs_remove(struct vnode *dir, const char *name, size_t len,
			bool rmdir)
{
	return -EPERM;
}

static int devfs_rename(struct vnode *odir, const char *oname, size_t olen,
			struct vnode *ndir, const char *nname, size_t nlen)
{
	return -EPERM;
}

static int devfs_readdir(struct vnode *dir, uint64_t *pos, vfs_filldir_t fill,
			 void *ctx)
{
	for (;;) {
		uint64_t i = *pos;

		if (i == 0) {
			if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
				return 0;
		} else if (i == 1) {
			if (!fill(ctx, "..", 2, dir->ino, DT_DIR, 2))
				return 0;
		} else if (i - 2 < ARRAY_SIZE(devfs_entries)) {
			struct devfs_entry *e = &devfs_entries[i - 2];

			if (devfs_present(e) &&
			    !fill(ctx, e->name, strlen(e->name), e->v.ino, DT_CHR, i + 1))
				return 0;
		} else {
			return 0;
		}
		*pos = i + 1;
	}
}

static const struct vnode_ops devfs_vops = {
	.lookup = devfs_lookup,
	.create = devfs_create,
	.remove = devfs_remove,
	.rename = devfs_rename,
	.readdir = devfs_readdir,
};

static ssize_t devfs_dir_rw(struct file *f, struct iobuf b, size_t n,
			    uint64_t *off)
{
	return -EISDIR;
}

static const struct file_ops devfs_dir_fops = {
	.read = devfs_dir_rw, .write = devfs_dir_rw, .seekable = true,
};

#define DEVFS_DEV 0x10000       /* st_dev, apart from ramfs's small numbers */

struct vnode *devfs_create_fs(void)
{
	if (devfs_root_vnode.ops)
		return &devfs_root_vnode;
	vnode_init(&devfs_root_vnode, &devfs_vops, &devfs_dir_fops,
		   S_IFDIR | 0755, DEVFS_DEV);
	devfs_root_vnode.ino = 1;
	devfs_root_vnode.nlink = 2;
	for (size_t i = 0; i < ARRAY_SIZE(devfs_entries); i++) {
		struct devfs_entry *e = &devfs_entries[i];

		vnode_init(&e->v, &devfs_vops, e->fops, S_IFCHR | 0666, DEVFS_DEV);
		e->v.ino = i + 2;
		e->v.rdev = e->rdev;
	}
	return &devfs_root_vnode;
}
