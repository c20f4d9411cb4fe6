/*
 * test_ldisc.c - host unit tests of the line discipline (lib/ldisc.c):
 * canonical editing (erase, kill, word erase, reprint, literal next, end
 * of file), echo (ECHOCTL, ECHOE/ECHOK/ECHOKE, ECHONL, tabs), input
 * translation (ICRNL, INLCR, IGNCR), signal characters (ISIG, NOFLSH),
 * non-canonical queueing, output processing (ONLCR, OCRNL, ONOCR) and the
 * VMIN/VTIME read plan.  Expected results are Linux's n_tty behaviour.
 */
#include <string.h>

#include <lib/ldisc.h>

#include "htest.h"

static char echo_out[8192];
static size_t echo_len;

static void test_echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	memcpy(echo_out + echo_len, s, n);
	echo_len += n;
	echo_out[echo_len] = '\0';
}

static struct ldisc ld;

static void reset(void)
{
	ldisc_init(&ld, test_echo, NULL);
	echo_len = 0;
	echo_out[0] = '\0';
}

/* Feed bytes; returns the OR of the results. */
static unsigned feed(const char *s)
{
	unsigned r = 0;

	for (; *s; s++)
		r |= ldisc_input(&ld, (uint8_t)*s);
	return r;
}

/* Read one canonical line (or the raw queue) into a static string. */
static const char *rd(void)
{
	static char buf[LDISC_BUF_SIZE + 1];
	bool eol;
	size_t n = ldisc_read(&ld, buf, sizeof(buf) - 1, &eol);

	buf[n] = '\0';
	return buf;
}

static void set_lflag(uint32_t on, uint32_t off)
{
	struct linux_termios t = ld.tio;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&ld, &t);
}

HTEST(ldisc_canon_line_and_echo)
{
	reset();
	HCHECK_EQ(feed("ab"), 0);
	HCHECK(!ldisc_readable(&ld, 1));
	HCHECK_STREQ(echo_out, "ab");
	HCHECK_EQ(feed("\r"), LDISC_WAKE); /* ICRNL: a line */
	HCHECK_STREQ(echo_out, "ab\r\n");  /* ONLCR on the echo */
	HCHECK(ldisc_readable(&ld, 1));
	HCHECK_EQ(ldisc_available(&ld), 3);
	HCHECK_STREQ(rd(), "ab\n");
	HCHECK(!ldisc_readable(&ld, 1));
}

HTEST(ldisc_canon_two_lines_partial_reads)
{
	char buf[8];
	bool eol;

	reset();
	feed("hello\nxy\n");
	HCHECK_EQ(ldisc_read(&ld, buf, 2, &eol), 2);
	HCHECK(!eol && memcmp(buf, "he", 2) == 0);
	HCHECK_EQ(ldisc_read(&ld, buf, 8, &eol), 4);
	HCHECK(eol && memcmp(buf, "llo\n", 4) == 0);
	HCHECK_STREQ(rd(), "xy\n");
}

HTEST(ldisc_erase_kill_werase)
{
	reset();
	feed("lx\x7fs\n");
	HCHECK_STREQ(rd(), "ls\n");
	HCHECK_STREQ(echo_out, "lx\b \bs\r\n");
	echo_len = 0;
	feed("junk\x15ok\n"); /* ^U kills the line (ECHOKE: erased visually) */
	HCHECK_STREQ(rd(), "ok\n");
	HCHECK_STREQ(echo_out, "junk\b \b\b \b\b \b\b \bok\r\n");
	feed("foo bar-baz  \x17\n"); /* ^W: blanks, then the word */
	HCHECK_STREQ(rd(), "foo bar-\n");
	feed("foo bar-baz\x17\x17\n"); /* the second one takes "-" and "bar" */
	HCHECK_STREQ(rd(), "foo \n");
	feed("one two\x17\x17\x17\n");
	HCHECK_STREQ(rd(), "\n");
	/* Erase on an empty line does nothing, echoes nothing. */
	echo_len = 0;
	echo_out[0] = '\0';
	feed("\x7f\x15\x17");
	HCHECK_STREQ(echo_out, "");
}

HTEST(ldisc_erase_echo_modes)
{
	reset();
	set_lflag(0, ECHOE);
	feed("ab\x7f"); /* without ECHOE the erase character is echoed */
	HCHECK_STREQ(echo_out, "ab^?");
	feed("\n");
	HCHECK_STREQ(rd(), "a\n");
	echo_len = 0;
	set_lflag(ECHOE, ECHOKE);
	feed("xy\x15"); /* ECHOK without ECHOKE: kill char, then newline */
	HCHECK_STREQ(echo_out, "xy^U\r\n");
	feed("z\n");
	HCHECK_STREQ(rd(), "z\n");
	/* A control character echoed as ^X takes two columns to erase. */
	reset();
	feed("a\x01\x7f");
	HCHECK_STREQ(echo_out, "a^A\b \b\b \b");
	/* A tab is erased back to the column it started at. */
	reset();
	feed("ab\t\x7f");
	HCHECK_STREQ(echo_out, "ab\t\b\b\b\b\b\b");
}

HTEST(ldisc_utf8_erase)
{
	struct linux_termios t;

	reset();
	t = ld.tio;
	t.c_iflag |= IUTF8;
	ldisc_set_termios(&ld, &t);
	feed("a\xc3\xa9\xe2\x82\xac\x7f\x7f"); /* a, e-acute, euro; two erases */
	HCHECK_STREQ(echo_out, "a\xc3\xa9\xe2\x82\xac\b \b\b \b");
	HCHECK_EQ(ld.column, 1);
	feed("\n");
	HCHECK_STREQ(rd(), "a\n");
	/* Without IUTF8 an erase takes one byte. */
	reset();
	feed("\xc3\xa9\x7f\n");
	HCHECK_STREQ(rd(), "\xc3\n");
}

HTEST(ldisc_flow_control)
{
	struct linux_termios t;

	reset();
	HCHECK_EQ(feed("\x13"), 0); /* ^S stops output, is swallowed */
	HCHECK(ld.stopped);
	feed("a");
	HCHECK(ld.stopped); /* without IXANY only ^Q restarts */
	HCHECK_EQ(feed("\x11"), LDISC_WAKE);
	HCHECK(!ld.stopped);
	feed("\n");
	HCHECK_STREQ(rd(), "a\n"); /* neither ^S nor ^Q was queued */
	feed("\x13");
	HCHECK_EQ(feed("\x03"), LDISC_WAKE | LDISC_SIGINT); /* ^C restarts */
	HCHECK(!ld.stopped);
	t = ld.tio;
	t.c_iflag |= IXANY;
	ldisc_set_termios(&ld, &t);
	feed("\x13");
	HCHECK_EQ(feed("b"), LDISC_WAKE); /* IXANY: any byte restarts */
	HCHECK(!ld.stopped);
	feed("\x13");
	t.c_iflag &= ~(uint32_t)IXON; /* flow control off: output runs */
	ldisc_set_termios(&ld, &t);
	HCHECK(!ld.stopped);
	feed("\x13\x11\n"); /* and ^S ^Q are data */
	HCHECK_STREQ(rd(), "b\x13\x11\n");
}

HTEST(ldisc_echoctl_and_esc)
{
	reset();
	feed("\x1b[A\t");
	HCHECK_STREQ(echo_out, "^[[A\t");
	reset();
	set_lflag(0, ECHOCTL);
	feed("\x1b");
	HCHECK_STREQ(echo_out, "\x1b");
	reset();
	set_lflag(0, ECHO);
	feed("secret\n");
	HCHECK_STREQ(echo_out, "");
	set_lflag(ECHONL, 0);
	feed("pw\n"); /* ECHONL echoes only the newline */
	HCHECK_STREQ(echo_out, "\r\n");
}

HTEST(ldisc_eof)
{
	char buf[8];
	bool eol;

	reset();
	HCHECK_EQ(feed("\x04"), LDISC_WAKE);
	HCHECK(ldisc_readable(&ld, 1));
	HCHECK_EQ(ldisc_available(&ld), 0);
	HCHECK_EQ(ldisc_read(&ld, buf, sizeof(buf), &eol), 0); /* end of file */
	HCHECK(eol);
	HCHECK(!ldisc_readable(&ld, 1));
	feed("ab\x04"); /* ^D pushes a partial line, without the ^D */
	HCHECK_EQ(ldisc_read(&ld, buf, sizeof(buf), &eol), 2);
	HCHECK(eol && memcmp(buf, "ab", 2) == 0);
	HCHECK_STREQ(echo_out, "ab"); /* ^D is not echoed */
	feed("\x04\x04");             /* two ends of file, two reads */
	HCHECK_EQ(ldisc_read(&ld, buf, sizeof(buf), &eol), 0);
	HCHECK_EQ(ldisc_read(&ld, buf, sizeof(buf), &eol), 0);
	HCHECK(!ldisc_readable(&ld, 1));
}

HTEST(ldisc_lnext_reprint)
{
	reset();
	feed("a\x16\x03"
	     "b"); /* ^V^C: a literal ^C, no signal */
	HCHECK_STREQ(echo_out, "a^\b^Cb");
	feed("\x12"); /* ^R reprints the line */
	HCHECK_STREQ(echo_out, "a^\b^Cb^R\r\na^Cb");
	feed("\n");
	HCHECK_STREQ(rd(), "a\x03"
			   "b\n");
	/* Without IEXTEN, ^V and ^W are ordinary. */
	reset();
	set_lflag(0, IEXTEN);
	feed("\x16\x17\n");
	HCHECK_STREQ(rd(), "\x16\x17\n");
}

HTEST(ldisc_input_translation)
{
	struct linux_termios t;

	reset();
	t = ld.tio;
	t.c_iflag = IGNCR;
	ldisc_set_termios(&ld, &t);
	feed("a\rb\n");
	HCHECK_STREQ(rd(), "ab\n");
	t.c_iflag = INLCR; /* \n -> \r: not a line end, \r stays */
	ldisc_set_termios(&ld, &t);
	HCHECK_EQ(feed("x\n"), 0);
	HCHECK(!ldisc_readable(&ld, 1));
	t.c_iflag = 0; /* no ICRNL: \r is data, echoed ^M */
	ldisc_set_termios(&ld, &t);
	echo_len = 0;
	feed("\r\n");
	HCHECK_STREQ(rd(), "x\r\r\n");
	HCHECK_STREQ(echo_out, "^M\r\n");
}

HTEST(ldisc_isig)
{
	reset();
	feed("partial");
	echo_len = 0;
	HCHECK_EQ(ldisc_input_signal(feed("\x03")), LDISC_SIGINT);
	HCHECK_STREQ(echo_out, "^C");
	HCHECK_EQ(ld.len, 0); /* flushed */
	HCHECK_EQ(ldisc_input_signal(feed("\x1c")), LDISC_SIGQUIT);
	HCHECK_EQ(ldisc_input_signal(feed("\x1a")), LDISC_SIGTSTP);
	set_lflag(NOFLSH, 0);
	feed("keep");
	HCHECK_EQ(ldisc_input_signal(feed("\x03")), LDISC_SIGINT);
	HCHECK_EQ(ld.len, 4);
	/* Signals also come in raw mode; without ISIG ^C is data. */
	set_lflag(0, ICANON | NOFLSH);
	HCHECK_EQ(ldisc_input_signal(feed("\x03")), LDISC_SIGINT);
	set_lflag(0, ISIG);
	HCHECK_EQ(feed("\x03"), LDISC_WAKE);
	/* A disabled character (0) never matches a NUL byte. */
	reset();
	ld.tio.c_cc[VINTR] = LDISC_VDISABLE;
	HCHECK_EQ(feed("\x03"), 0);
	HCHECK_EQ(ldisc_input(&ld, 0), 0);
	HCHECK_EQ(ld.len, 2);
}

HTEST(ldisc_raw_mode)
{
	char buf[16];
	bool eol;

	reset();
	set_lflag(0, ICANON | ECHO);
	HCHECK_EQ(feed("q\x7f"), LDISC_WAKE);
	HCHECK_EQ(ldisc_available(&ld), 2);
	HCHECK(ldisc_readable(&ld, 2) && !ldisc_readable(&ld, 3));
	HCHECK_EQ(ldisc_read(&ld, buf, 1, &eol), 1);
	HCHECK_EQ(ldisc_read(&ld, buf + 1, sizeof(buf), &eol), 1);
	HCHECK(buf[0] == 'q' && buf[1] == 0x7f);
	HCHECK_STREQ(echo_out, "");
	HCHECK_EQ(feed("\r"), LDISC_WAKE); /* ICRNL still applies */
	HCHECK_STREQ(rd(), "\n");
	/* Raw with ECHO|ECHOCTL: ^J typed echoes ^J, Enter a newline. */
	set_lflag(ECHO, 0);
	feed("\n\r");
	HCHECK_STREQ(echo_out, "^J\r\n");
	/* Switching to canonical makes what is queued one readable line. */
	set_lflag(ICANON, 0);
	HCHECK(ldisc_readable(&ld, 1));
	HCHECK_STREQ(rd(), "\n\n");
}

HTEST(ldisc_buffer_full)
{
	reset();
	set_lflag(0, ECHO);
	for (int i = 0; i < LDISC_BUF_SIZE + 10; i++)
		ldisc_input(&ld, 'x');
	HCHECK_EQ(ld.len, LDISC_BUF_SIZE - 1); /* room for the newline */
	HCHECK_EQ(feed("\n"), LDISC_WAKE);
	HCHECK_EQ(ldisc_available(&ld), LDISC_BUF_SIZE);
	reset();
	set_lflag(0, ICANON | ECHO);
	for (int i = 0; i < LDISC_BUF_SIZE + 10; i++)
		ldisc_input(&ld, 'x');
	HCHECK_EQ(ld.len, LDISC_BUF_SIZE);
}

HTEST(ldisc_output_processing)
{
	char out[64];
	size_t used, n;

	reset();
	n = ldisc_output(&ld, "a\nb", 3, out, sizeof(out), &used);
	HCHECK_EQ(n, 4);
	HCHECK_EQ(used, 3);
	HCHECK(memcmp(out, "a\r\nb", 4) == 0);
	/* An expansion that does not fit waits for the next call. */
	n = ldisc_output(&ld, "x\n", 2, out, 2, &used);
	HCHECK_EQ(n, 1);
	HCHECK_EQ(used, 1);
	ld.tio.c_oflag = OPOST | OCRNL | ONOCR;
	ld.column = 0;
	n = ldisc_output(&ld, "\r", 1, out, sizeof(out), &used); /* column 0: dropped */
	HCHECK_EQ(n, 0);
	HCHECK_EQ(used, 1);
	n = ldisc_output(&ld, "ab\r", 3, out, sizeof(out), &used);
	HCHECK_EQ(n, 3);
	HCHECK(memcmp(out, "ab\n", 3) == 0);
	ld.tio.c_oflag = 0; /* no OPOST: bytes as they are */
	n = ldisc_output(&ld, "\n", 1, out, sizeof(out), &used);
	HCHECK(n == 1 && out[0] == '\n');
}

HTEST(ldisc_vmin_vtime_plan)
{
	struct linux_termios t;
	struct ldisc_rplan p;

	ldisc_default_termios(&t);
	ldisc_rplan_init(&p, &t); /* canonical: one line, no timeout */
	HCHECK_EQ(p.minimum, 1);
	HCHECK_EQ(p.timeout, LDISC_FOREVER);
	t.c_lflag &= ~(uint32_t)ICANON;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0; /* poll */
	ldisc_rplan_init(&p, &t);
	HCHECK_EQ(p.timeout, 0);
	HCHECK(!ldisc_rplan_done(&p, 0));
	t.c_cc[VMIN] = 3; /* MIN>0, TIME=0: wait for 3 */
	ldisc_rplan_init(&p, &t);
	HCHECK_EQ(p.timeout, LDISC_FOREVER);
	HCHECK(!ldisc_rplan_done(&p, 2) && ldisc_rplan_done(&p, 3));
	ldisc_rplan_progress(&p);
	HCHECK_EQ(p.timeout, LDISC_FOREVER);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 5; /* MIN=0, TIME>0: one byte or 0.5 s */
	ldisc_rplan_init(&p, &t);
	HCHECK_EQ(p.timeout, 5);
	HCHECK(ldisc_rplan_done(&p, 1));
	t.c_cc[VMIN] = 4; /* MIN>0, TIME>0: inter-byte timer after the first */
	ldisc_rplan_init(&p, &t);
	HCHECK_EQ(p.timeout, LDISC_FOREVER);
	ldisc_rplan_progress(&p);
	HCHECK_EQ(p.timeout, 5);
	HCHECK(!ldisc_rplan_done(&p, 3) && ldisc_rplan_done(&p, 4));
}
