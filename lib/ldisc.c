/*
 * lib/ldisc.c - the terminal line discipline's byte processing (see
 * <lib/ldisc.h>): input translation, signal characters, canonical line
 * editing, echo, output processing and the VMIN/VTIME read plan, with
 * Linux's n_tty semantics.
 *
 * Pure functions on a caller-owned struct ldisc: no locks, no sleeping, no
 * allocation; echo leaves through the ldisc's callback, in small chunks
 * from a stack buffer, so it is usable from interrupt handlers.
 */
#include <lib/ldisc.h>
#include <lib/string.h>

#define CTRL(c)     ((c)&0x1f)
#define ASCII_DEL   0x7f
#define CTRL_ECHO_X 0x40 /* ^X: the control character XOR this */
#define TAB_WIDTH   8
#define ECHO_CHUNK  64 /* output-processing buffer on the stack */

static bool ldisc_iscntrl(uint8_t c)
{
	return c < 0x20 || c == ASCII_DEL;
}

static bool ldisc_isalnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ldisc_utf8_cont(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

/* Is c the (enabled) special character cc[idx]? */
static bool ldisc_is(const struct ldisc *l, int idx, uint8_t c)
{
	return l->tio.c_cc[idx] != LDISC_VDISABLE && c == l->tio.c_cc[idx];
}

void ldisc_default_termios(struct linux_termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = CTRL('C');
	t->c_cc[VQUIT] = CTRL('\\');
	t->c_cc[VERASE] = ASCII_DEL;
	t->c_cc[VKILL] = CTRL('U');
	t->c_cc[VEOF] = CTRL('D');
	t->c_cc[VTIME] = 0;
	t->c_cc[VMIN] = 1;
	t->c_cc[VSTART] = CTRL('Q');
	t->c_cc[VSTOP] = CTRL('S');
	t->c_cc[VSUSP] = CTRL('Z');
	t->c_cc[VREPRINT] = CTRL('R');
	t->c_cc[VDISCARD] = CTRL('O');
	t->c_cc[VWERASE] = CTRL('W');
	t->c_cc[VLNEXT] = CTRL('V');
}

void ldisc_init(struct ldisc *l, ldisc_write_fn echo, void *ctx)
{
	memset(l, 0, sizeof(*l));
	ldisc_default_termios(&l->tio);
	l->echo = echo;
	l->ctx = ctx;
}

/* ---------------------------------------------------------------- output */

/* Process one byte into out[0..room): bytes written, 0 if it does not fit
 * (*dropped set when the byte is consumed without output). */
static size_t ldisc_output_char(struct ldisc *l, uint8_t c, char *out, size_t room, bool *dropped)
{
	uint32_t of = l->tio.c_oflag;

	*dropped = false;
	if (room == 0)
		return 0;
	switch (c) {
	case '\n':
		if (of & ONLRET)
			l->column = 0;
		if (of & ONLCR) {
			if (room < 2)
				return 0;
			l->canon_column = l->column = 0;
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		l->canon_column = l->column;
		break;
	case '\r':
		if ((of & ONOCR) && l->column == 0) {
			*dropped = true;
			return 0;
		}
		if (of & OCRNL) {
			c = '\n';
			if (of & ONLRET)
				l->canon_column = l->column = 0;
			break;
		}
		l->canon_column = l->column = 0;
		break;
	case '\t':
		l->column += TAB_WIDTH - (l->column % TAB_WIDTH);
		break;
	case '\b':
		if (l->column > 0)
			l->column--;
		break;
	default:
		/* UTF-8 continuation bytes take no column of their own. */
		if (!ldisc_iscntrl(c) && !((l->tio.c_iflag & IUTF8) && ldisc_utf8_cont(c)))
			l->column++;
		break;
	}
	out[0] = (char)c;
	return 1;
}

size_t ldisc_output(struct ldisc *l, const char *in, size_t n, char *out, size_t outsz,
		    size_t *used)
{
	size_t i, o = 0;

	if (!(l->tio.c_oflag & OPOST)) {
		n = n < outsz ? n : outsz;
		memcpy(out, in, n);
		*used = n;
		return n;
	}
	for (i = 0; i < n; i++) {
		bool dropped;
		size_t k = ldisc_output_char(l, (uint8_t)in[i], out + o, outsz - o, &dropped);

		if (k == 0 && !dropped)
			break;
		o += k;
	}
	*used = i;
	return o;
}

/* Echo s[0..n) through output processing. */
static void ldisc_echo_raw(struct ldisc *l, const char *s, size_t n)
{
	char out[ECHO_CHUNK];

	while (n > 0) {
		size_t used, k = ldisc_output(l, s, n, out, sizeof(out), &used);

		if (k && l->echo)
			l->echo(l->ctx, out, k);
		s += used;
		n -= used;
	}
}

static void ldisc_echo_byte(struct ldisc *l, char c)
{
	ldisc_echo_raw(l, &c, 1);
}

/* Echo a typed byte: control characters as ^X with ECHOCTL (not tab). */
static void ldisc_echo_char(struct ldisc *l, uint8_t c)
{
	if ((l->tio.c_lflag & ECHOCTL) && ldisc_iscntrl(c) && c != '\t') {
		char s[2] = { '^', (char)(c ^ CTRL_ECHO_X) };

		ldisc_echo_raw(l, s, 2);
		return;
	}
	ldisc_echo_byte(l, (char)c);
}

/* Echo columns one typed byte takes on the screen, starting at col. */
static unsigned ldisc_echo_width(const struct ldisc *l, uint8_t c, unsigned col)
{
	if (c == '\t')
		return TAB_WIDTH - (col % TAB_WIDTH);
	if (ldisc_iscntrl(c))
		return (l->tio.c_lflag & ECHOCTL) ? 2 : 0;
	if ((l->tio.c_iflag & IUTF8) && ldisc_utf8_cont(c))
		return 0;
	return 1;
}

/* ---------------------------------------------------------------- editing */

static void ldisc_queue(struct ldisc *l, uint8_t c, uint8_t flags)
{
	l->buf[l->len] = (char)c;
	l->flags[l->len] = flags;
	l->len++;
}

/* Visually erase the byte at position at of the line being edited. */
static void ldisc_echo_erase(struct ldisc *l, size_t at)
{
	uint8_t c = (uint8_t)l->buf[at];
	unsigned col = l->canon_column, w;

	if (c == '\t') {
		/* Back up to the column the tab started at. */
		for (size_t i = l->ready; i < at; i++)
			col += ldisc_echo_width(l, (uint8_t)l->buf[i], col);
		w = ldisc_echo_width(l, c, col);
		while (w--)
			ldisc_echo_byte(l, '\b');
		return;
	}
	for (w = ldisc_echo_width(l, c, 0); w > 0; w--)
		ldisc_echo_raw(l, "\b \b", 3);
}

/* VERASE, VWERASE, VKILL on the line being edited (Linux's eraser). */
static void ldisc_erase(struct ldisc *l, uint8_t c)
{
	enum { ERASE, WERASE, KILL } kind;
	uint32_t lf = l->tio.c_lflag;
	unsigned seen_alnums = 0;

	if (l->len == l->ready)
		return;
	if (ldisc_is(l, VERASE, c)) {
		kind = ERASE;
	} else if (ldisc_is(l, VWERASE, c)) {
		kind = WERASE;
	} else {
		if (!(lf & ECHO)) {
			l->len = l->ready;
			return;
		}
		if (!(lf & ECHOK) || !(lf & ECHOKE) || !(lf & ECHOE)) {
			l->len = l->ready;
			ldisc_echo_char(l, c);
			if (lf & ECHOK)
				ldisc_echo_byte(l, '\n');
			return;
		}
		kind = KILL;
	}
	while (l->len > l->ready) {
		uint8_t prev = (uint8_t)l->buf[l->len - 1];

		if (kind == WERASE) {
			if (ldisc_isalnum(prev) || prev == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		l->len--;
		/* With IUTF8 a character's continuation bytes go with it. */
		while ((l->tio.c_iflag & IUTF8) && l->len > l->ready &&
		       ldisc_utf8_cont((uint8_t)l->buf[l->len]))
			l->len--;
		if (lf & ECHO) {
			if (kind == ERASE && !(lf & ECHOE))
				ldisc_echo_char(l, c);
			else
				ldisc_echo_erase(l, l->len);
		}
		if (kind == ERASE)
			break;
	}
}

/* A line ends with byte c (flags add LDISC_F_EOF for VEOF): complete. */
static unsigned ldisc_end_line(struct ldisc *l, uint8_t c, uint8_t flags)
{
	ldisc_queue(l, c, LDISC_F_EOL | flags);
	l->ready = l->len;
	return LDISC_WAKE;
}

/* ISIG: a signal character.  Flush (unless NOFLSH), echo, report. */
static unsigned ldisc_signal_char(struct ldisc *l, uint8_t c, int sig)
{
	unsigned r = (unsigned)sig;

	if ((l->tio.c_iflag & IXON) && l->stopped) {
		l->stopped = false; /* a signal character restarts output */
		r |= LDISC_WAKE;
	}
	if (!(l->tio.c_lflag & NOFLSH))
		ldisc_flush_input(l);
	if (l->tio.c_lflag & ECHO)
		ldisc_echo_char(l, c);
	return r;
}

/* Echo and queue an ordinary byte (the tail of Linux's receive paths). */
static unsigned ldisc_plain(struct ldisc *l, uint8_t c, bool raw_newline)
{
	bool canon = l->tio.c_lflag & ICANON;

	if (l->len >= LDISC_BUF_SIZE - (canon ? 1 : 0))
		return 0; /* full: a canonical line keeps room for its end */
	if (l->tio.c_lflag & ECHO) {
		if (c == '\n' && raw_newline) {
			ldisc_echo_byte(l, '\n');
		} else {
			if (l->len == l->ready)
				l->canon_column = l->column;
			ldisc_echo_char(l, c);
		}
	}
	ldisc_queue(l, c, 0);
	if (canon)
		return 0;
	l->ready = l->len;
	return LDISC_WAKE;
}

/* ICANON special characters; returns true (with *r) if c was one. */
static bool ldisc_canon_special(struct ldisc *l, uint8_t c, unsigned *r)
{
	uint32_t lf = l->tio.c_lflag;
	bool iext = lf & IEXTEN;

	*r = 0;
	if (ldisc_is(l, VERASE, c) || ldisc_is(l, VKILL, c) || (iext && ldisc_is(l, VWERASE, c))) {
		ldisc_erase(l, c);
		return true;
	}
	if (iext && ldisc_is(l, VLNEXT, c)) {
		l->lnext = true;
		if ((lf & ECHO) && (lf & ECHOCTL))
			ldisc_echo_raw(l, "^\b", 2);
		return true;
	}
	if (iext && (lf & ECHO) && ldisc_is(l, VREPRINT, c)) {
		ldisc_echo_char(l, c);
		ldisc_echo_byte(l, '\n');
		for (size_t i = l->ready; i < l->len; i++)
			ldisc_echo_char(l, (uint8_t)l->buf[i]);
		return true;
	}
	if (c == '\n') {
		if (l->len >= LDISC_BUF_SIZE)
			return true;
		if ((lf & ECHO) || (lf & ECHONL))
			ldisc_echo_byte(l, '\n');
		*r = ldisc_end_line(l, c, 0);
		return true;
	}
	if (ldisc_is(l, VEOF, c)) {
		if (l->len < LDISC_BUF_SIZE)
			*r = ldisc_end_line(l, c, LDISC_F_EOF);
		return true;
	}
	if (ldisc_is(l, VEOL, c) || (iext && ldisc_is(l, VEOL2, c))) {
		if (l->len >= LDISC_BUF_SIZE)
			return true;
		if (lf & ECHO) {
			if (l->len == l->ready)
				l->canon_column = l->column;
			ldisc_echo_char(l, c);
		}
		*r = ldisc_end_line(l, c, 0);
		return true;
	}
	return false;
}

unsigned ldisc_input(struct ldisc *l, uint8_t c)
{
	uint32_t lf = l->tio.c_lflag, inf = l->tio.c_iflag;
	bool translated = false;
	unsigned r;

	if (l->lnext) {
		l->lnext = false;
		return ldisc_plain(l, c, false);
	}
	if (inf & IXON) {
		if (ldisc_is(l, VSTART, c)) {
			l->stopped = false;
			return LDISC_WAKE;
		}
		if (ldisc_is(l, VSTOP, c)) {
			l->stopped = true;
			return 0;
		}
	}
	if (lf & ISIG) {
		if (ldisc_is(l, VINTR, c))
			return ldisc_signal_char(l, c, LDISC_SIGINT);
		if (ldisc_is(l, VQUIT, c))
			return ldisc_signal_char(l, c, LDISC_SIGQUIT);
		if (ldisc_is(l, VSUSP, c))
			return ldisc_signal_char(l, c, LDISC_SIGTSTP);
	}
	r = 0;
	if (l->stopped && (inf & IXON) && (inf & IXANY)) {
		l->stopped = false;
		r = LDISC_WAKE;
	}
	if (c == '\r') {
		if (inf & IGNCR)
			return r;
		if (inf & ICRNL) {
			c = '\n';
			translated = true;
		}
	} else if (c == '\n' && (inf & INLCR)) {
		c = '\r';
		translated = true;
	}
	if (lf & ICANON) {
		unsigned special;

		if (ldisc_canon_special(l, c, &special))
			return r | special;
	}
	return r | ldisc_plain(l, c, translated);
}

void ldisc_flush_input(struct ldisc *l)
{
	l->len = l->ready = 0;
	l->lnext = false;
}

void ldisc_set_termios(struct ldisc *l, const struct linux_termios *t)
{
	bool was_canon = l->tio.c_lflag & ICANON;

	if (!(t->c_iflag & IXON))
		l->stopped = false; /* flow control off: output runs */
	l->tio = *t;
	if (was_canon == !!(t->c_lflag & ICANON))
		return;
	/* Either way every queued byte becomes readable, as one pushed line
	 * when canonical mode comes on (Linux). */
	for (size_t i = 0; i < l->len; i++)
		l->flags[i] &= (uint8_t) ~(LDISC_F_EOL | LDISC_F_EOF);
	if (l->len && (t->c_lflag & ICANON))
		l->flags[l->len - 1] |= LDISC_F_EOL;
	l->ready = l->len;
	l->lnext = false;
}

/* ---------------------------------------------------------------- reading */

bool ldisc_readable(const struct ldisc *l, size_t min)
{
	if (l->tio.c_lflag & ICANON)
		return l->ready > 0;
	return l->ready >= (min ? min : 1);
}

size_t ldisc_available(const struct ldisc *l)
{
	size_t n = l->ready;

	if (!(l->tio.c_lflag & ICANON))
		return n;
	for (size_t i = 0; i < l->ready; i++)
		if (l->flags[i] & LDISC_F_EOF)
			n--;
	return n;
}

/* Remove the first k bytes of the queue. */
static void ldisc_consume(struct ldisc *l, size_t k)
{
	memmove(l->buf, l->buf + k, l->len - k);
	memmove(l->flags, l->flags + k, l->len - k);
	l->len -= k;
	l->ready -= k;
}

size_t ldisc_read(struct ldisc *l, char *dst, size_t n, bool *eol)
{
	size_t take, copy;

	*eol = false;
	if (!(l->tio.c_lflag & ICANON)) {
		take = n < l->ready ? n : l->ready;
		memcpy(dst, l->buf, take);
		ldisc_consume(l, take);
		return take;
	}
	if (l->ready == 0)
		return 0;
	/* The first line: up to and including its terminator. */
	for (take = 0; take < l->ready && !(l->flags[take] & LDISC_F_EOL); take++)
		;
	take++;
	copy = take;
	if (l->flags[take - 1] & LDISC_F_EOF)
		copy--; /* the end-of-file byte is consumed, not read */
	if (copy > n) {
		copy = take = n; /* the rest of the line stays for the next read */
	} else {
		*eol = true;
	}
	memcpy(dst, l->buf, copy);
	ldisc_consume(l, take);
	return copy;
}

/* ---------------------------------------------------------------- VMIN/VTIME */

void ldisc_rplan_init(struct ldisc_rplan *p, const struct linux_termios *t)
{
	long vmin = t->c_cc[VMIN], vtime = t->c_cc[VTIME];

	p->minimum = 1;
	p->timeout = LDISC_FOREVER;
	p->inter = 0;
	if (t->c_lflag & ICANON)
		return;
	if (vmin) {
		p->minimum = (size_t)vmin;
		p->inter = vtime; /* 0: no inter-byte timer */
	} else {
		p->timeout = vtime; /* 0: do not wait at all */
	}
}

bool ldisc_rplan_done(const struct ldisc_rplan *p, size_t copied)
{
	return copied >= p->minimum;
}

void ldisc_rplan_progress(struct ldisc_rplan *p)
{
	if (p->inter)
		p->timeout = p->inter;
}
