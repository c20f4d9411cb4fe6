/*
 * test_tty.c - in-kernel tests of the terminals: a byte fed into a console
 * line (as its input interrupt does) is processed at once by that line's
 * terminal (edited, queued, readable and polled without a reader), a
 * signal character flushes the line, and /dev/tty needs a controlling
 * terminal.  Uses tty1 (the VGA line) so that the echo stays off the
 * serial log.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/console.h>
#include <keel/fd.h>
#include <keel/tty.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>

#define KT_TTY_RD (POLLIN | POLLRDNORM)

static void kt_tty_type(const char *s)
{
	for (; *s; s++)
		console_input(CONSOLE_LINE_VGA, *s);
}

KTEST(tty_input_at_arrival)
{
	struct file *f;
	char buf[16] = { 0 };

	KT_CHECK_EQ(t, vfs_open_kernel("/dev/tty1", O_RDWR | O_NONBLOCK | O_NOCTTY, &f), 0);
	KT_CHECK_EQ(t, f->ops->ioctl(f, TCFLSH, TCIFLUSH), 0);
	KT_CHECK_EQ(t, vfs_poll(f, NULL) & KT_TTY_RD, 0);
	kt_tty_type("hx\x7fi");
	KT_CHECK_EQ(t, vfs_poll(f, NULL) & KT_TTY_RD, 0); /* half a line */
	kt_tty_type("\r");
	KT_CHECK_EQ(t, vfs_poll(f, NULL) & KT_TTY_RD, KT_TTY_RD);
	KT_CHECK_EQ(t, file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 3);
	KT_CHECK(t, memcmp(buf, "hi\n", 3) == 0);
	KT_CHECK_EQ(t, file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), -EAGAIN);
	/* ^C (no foreground group here) flushes what was typed. */
	kt_tty_type("ab\x03\r");
	KT_CHECK_EQ(t, file_read(f, IOBUF_KERNEL(buf), sizeof(buf)), 1);
	KT_CHECK_EQ(t, buf[0], '\n');
	file_put(f);
	KT_CHECK_EQ(t, vfs_open_kernel("/dev/tty", O_RDWR, &f), -ENXIO);
}
