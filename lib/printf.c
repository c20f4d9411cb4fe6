/*
 * lib/printf.c - the formatter behind kprintf() and snprintf() (see
 * lib/printf.h for the supported formats and Keel's choices).
 *
 * Structure: vcbprintf() copies literal text straight to the output and
 * hands each '%' to parse_spec(), which fills a struct fmt_spec without
 * touching the argument list.  Only once the conversion is known to be
 * valid are the '*' arguments and the value fetched, so an unsupported
 * specification consumes nothing and is printed literally.  Integers of
 * every length are widened to uintmax_t plus a sign and printed by one
 * routine, fmt_number(); characters and strings by fmt_chars().
 *
 * Invariants: all output goes through out_write(), which skips empty
 * pieces and keeps the running total; the total is a size_t so it cannot
 * overflow before the final check against INT_MAX.
 */
#include <lib/printf.h>
#include <stdbool.h>
#include <stdint.h>
#include <lib/string.h>

/* Flag characters, as bits in fmt_spec.flags. */
enum {
	FL_LEFT  = 1 << 0,	/* '-': pad on the right */
	FL_ZERO  = 1 << 1,	/* '0': pad numbers with zeros */
	FL_PLUS  = 1 << 2,	/* '+': always print a sign */
	FL_SPACE = 1 << 3,	/* ' ': a space where '+' would be */
	FL_ALT   = 1 << 4,	/* '#': 0x for hex, leading 0 for octal */
};

enum fmt_length {
	LEN_INT,		/* no modifier */
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

enum {
	BASE_OCT = 8,
	BASE_DEC = 10,
	BASE_HEX = 16,
};

/*
 * gcc's freestanding <limits.h> chains to the libc one, which the kernel
 * build (-nostdinc) does not have; use the compilers' predefined macros.
 */
#define INT_MAX		__INT_MAX__
#define INT_MIN		(-INT_MAX - 1)
#define CHAR_BIT	__CHAR_BIT__

#define PREC_NONE	(-1)	/* fmt_spec.prec without a precision */
#define PTR_HEX_DIGITS	16	/* %p always prints a 64-bit pointer */
#define PAD_CHUNK	16	/* bytes of padding per put() call */
/* Enough digits for a uintmax_t in the smallest base (octal). */
#define NUM_BUF_SIZE	((sizeof(uintmax_t) * CHAR_BIT + 2) / 3)

_Static_assert(sizeof(void *) * 2 <= PTR_HEX_DIGITS,
	       "%p prints pointers as 16 hex digits");
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t),
	       "%zd and %tu read the other type's signed/unsigned twin");

struct fmt_spec {
	unsigned int flags;	/* FL_* */
	bool width_star;	/* width comes from an int argument */
	bool prec_star;		/* precision comes from an int argument */
	int width;		/* minimum field width, >= 0 */
	int prec;		/* precision, or PREC_NONE */
	enum fmt_length len;
	char conv;		/* conversion character */
};

struct fmt_out {
	void (*put)(void *ctx, const char *s, size_t n);
	void *ctx;
	size_t total;		/* bytes passed to put() so far */
};

static void out_write(struct fmt_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->put(o->ctx, s, n);
	o->total += n;
}

static void out_pad(struct fmt_out *o, char c, size_t n)
{
	static const char spaces[PAD_CHUNK] = "                ";
	static const char zeros[PAD_CHUNK] = "0000000000000000";
	const char *src = c == '0' ? zeros : spaces;

	while (n > 0) {
		size_t chunk = n < PAD_CHUNK ? n : PAD_CHUNK;

		out_write(o, src, chunk);
		n -= chunk;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read a decimal number at *p, saturating at INT_MAX. */
static int parse_int(const char **p)
{
	int v = 0;

	for (; is_digit(**p); (*p)++) {
		int d = **p - '0';

		v = v <= (INT_MAX - d) / BASE_DEC ? v * BASE_DEC + d : INT_MAX;
	}
	return v;
}

static unsigned int flag_bit(char c)
{
	switch (c) {
	case '-': return FL_LEFT;
	case '0': return FL_ZERO;
	case '+': return FL_PLUS;
	case ' ': return FL_SPACE;
	case '#': return FL_ALT;
	default:  return 0;
	}
}

static enum fmt_length parse_length(const char **p)
{
	const char *s = *p;
	enum fmt_length len = LEN_INT;

	switch (*s) {
	case 'h':
		len = s[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		len = s[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'z': len = LEN_Z; break;
	case 't': len = LEN_T; break;
	case 'j': len = LEN_J; break;
	default:
		return LEN_INT;
	}
	*p += (len == LEN_HH || len == LEN_LL) ? 2 : 1;
	return len;
}

static bool conv_supported(char c)
{
	return c != '\0' && strchr("diuxXocsp%", c) != NULL;
}

/*
 * Parse the specification after a '%' at *p into *sp and advance *p past
 * it.  Returns false if it is not one we support (*p then points just
 * after the offending character, or at the terminating NUL).
 */
static bool parse_spec(const char **p, struct fmt_spec *sp)
{
	const char *s = *p;
	unsigned int bit;

	sp->flags = 0;
	while ((bit = flag_bit(*s)) != 0) {
		sp->flags |= bit;
		s++;
	}

	sp->width_star = *s == '*';
	sp->width = sp->width_star ? (s++, 0) : parse_int(&s);

	sp->prec_star = false;
	sp->prec = PREC_NONE;
	if (*s == '.') {
		s++;
		sp->prec_star = *s == '*';
		sp->prec = sp->prec_star ? (s++, 0) : parse_int(&s);
	}

	sp->len = parse_length(&s);
	sp->conv = *s;
	if (*s != '\0')
		s++;
	*p = s;
	return conv_supported(sp->conv);
}

/* Fetch the '*' width and precision, in that order, if the spec has them. */
static void fetch_stars(struct fmt_spec *sp, va_list *ap)
{
	if (sp->width_star) {
		int w = va_arg(*ap, int);

		if (w < 0) {
			sp->flags |= FL_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
	}
	if (sp->prec_star) {
		int pr = va_arg(*ap, int);

		sp->prec = pr < 0 ? PREC_NONE : pr;
	}
}

static intmax_t fetch_signed(enum fmt_length len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return va_arg(*ap, ptrdiff_t);	/* signed size_t */
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	case LEN_J:  return va_arg(*ap, intmax_t);
	default:     return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(enum fmt_length len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	case LEN_T:  return va_arg(*ap, size_t);	/* unsigned ptrdiff_t */
	case LEN_J:  return va_arg(*ap, uintmax_t);
	default:     return va_arg(*ap, unsigned int);
	}
}

/* Pad s[0..n) to the field width with spaces, on the side '-' says. */
static void fmt_chars(struct fmt_out *o, const struct fmt_spec *sp,
		      const char *s, size_t n)
{
	size_t pad = (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!(sp->flags & FL_LEFT))
		out_pad(o, ' ', pad);
	out_write(o, s, n);
	if (sp->flags & FL_LEFT)
		out_pad(o, ' ', pad);
}

/*
 * Print prefix (a sign or "0x"), then the magnitude v in base with at
 * least sp->prec digits, padded to sp->width.
 */
static void fmt_number(struct fmt_out *o, const struct fmt_spec *sp,
		       uintmax_t v, unsigned int base, bool upper,
		       const char *prefix)
{
	const char *digit_set = upper ? "0123456789ABCDEF"
				      : "0123456789abcdef";
	char buf[NUM_BUF_SIZE];
	size_t ndigits = 0, nzeros, plen = strlen(prefix), len, pad;
	size_t prec = sp->prec == PREC_NONE ? 1 : (size_t)sp->prec;

	for (uintmax_t x = v; x != 0; x /= base)
		buf[sizeof(buf) - ++ndigits] = digit_set[x % base];
	if (v == 0 && prec > 0)
		buf[sizeof(buf) - ++ndigits] = '0';

	nzeros = prec > ndigits ? prec - ndigits : 0;
	/* '#' with %o: make the first digit a zero, adding one if needed. */
	if ((sp->flags & FL_ALT) && base == BASE_OCT && nzeros == 0 &&
	    !(v == 0 && ndigits > 0))
		nzeros = 1;

	len = plen + nzeros + ndigits;
	pad = (size_t)sp->width > len ? (size_t)sp->width - len : 0;
	if ((sp->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO &&
	    sp->prec == PREC_NONE) {
		nzeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		out_pad(o, ' ', pad);
	out_write(o, prefix, plen);
	out_pad(o, '0', nzeros);
	out_write(o, buf + sizeof(buf) - ndigits, ndigits);
	if (sp->flags & FL_LEFT)
		out_pad(o, ' ', pad);
}

static void fmt_signed(struct fmt_out *o, const struct fmt_spec *sp,
		       va_list *ap)
{
	intmax_t v = fetch_signed(sp->len, ap);
	/* 0 - v in unsigned arithmetic is exact even for INTMAX_MIN. */
	uintmax_t mag = v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v;
	const char *sign = "";

	if (v < 0)
		sign = "-";
	else if (sp->flags & FL_PLUS)
		sign = "+";
	else if (sp->flags & FL_SPACE)
		sign = " ";
	fmt_number(o, sp, mag, BASE_DEC, false, sign);
}

static void fmt_unsigned(struct fmt_out *o, const struct fmt_spec *sp,
			 va_list *ap)
{
	uintmax_t v = fetch_unsigned(sp->len, ap);
	bool upper = sp->conv == 'X';
	const char *prefix = "";
	unsigned int base = BASE_DEC;

	if (sp->conv == 'o') {
		base = BASE_OCT;
	} else if (sp->conv == 'x' || sp->conv == 'X') {
		base = BASE_HEX;
		if ((sp->flags & FL_ALT) && v != 0)
			prefix = upper ? "0X" : "0x";
	}
	fmt_number(o, sp, v, base, upper, prefix);
}

static void fmt_pointer(struct fmt_out *o, const struct fmt_spec *sp,
			va_list *ap)
{
	struct fmt_spec psp = *sp;

	psp.flags &= FL_LEFT;
	psp.prec = PTR_HEX_DIGITS;
	fmt_number(o, &psp, (uintptr_t)va_arg(*ap, void *), BASE_HEX, false,
		   "0x");
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp,
		       va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t n;

	if (s == NULL)
		s = "(null)";
	/* strnlen, not strlen: with a precision s need not be terminated. */
	n = sp->prec == PREC_NONE ? strlen(s) : strnlen(s, (size_t)sp->prec);
	fmt_chars(o, sp, s, n);
}

/* Print one valid specification, fetching its arguments from *ap. */
static void fmt_one(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	char c;

	fetch_stars(sp, ap);
	switch (sp->conv) {
	case 'd':
	case 'i':
		fmt_signed(o, sp, ap);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		fmt_unsigned(o, sp, ap);
		break;
	case 'p':
		fmt_pointer(o, sp, ap);
		break;
	case 's':
		fmt_string(o, sp, ap);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		fmt_chars(o, sp, &c, 1);
		break;
	default:	/* '%' */
		out_write(o, "%", 1);
		break;
	}
}

int vcbprintf(void (*put)(void *ctx, const char *s, size_t n), void *ctx,
	      const char *fmt, va_list ap)
{
	struct fmt_out o = { .put = put, .ctx = ctx, .total = 0 };
	struct fmt_spec spec;
	va_list args;

	/* A va_list parameter may be an array; work on a real object. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *pct = strchr(fmt, '%');
		const char *start;

		if (pct == NULL) {
			out_write(&o, fmt, strlen(fmt));
			break;
		}
		out_write(&o, fmt, (size_t)(pct - fmt));
		start = pct;
		fmt = pct + 1;
		if (parse_spec(&fmt, &spec))
			fmt_one(&o, &spec, &args);
		else
			out_write(&o, start, (size_t)(fmt - start));
	}
	va_end(args);
	return o.total > INT_MAX ? -1 : (int)o.total;
}

/* State of a vsnprintf(): bytes stored so far, never more than size - 1. */
struct sbuf {
	char *buf;
	size_t size;
	size_t used;
};

static void sbuf_put(void *ctx, const char *s, size_t n)
{
	struct sbuf *sb = ctx;
	size_t room;

	if (sb->used + 1 >= sb->size)
		return;
	room = sb->size - 1 - sb->used;
	if (n > room)
		n = room;
	memcpy(sb->buf + sb->used, s, n);
	sb->used += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf sb = { .buf = buf, .size = size, .used = 0 };
	int ret = vcbprintf(sbuf_put, &sb, fmt, ap);

	if (size > 0)
		buf[sb.used] = '\0';
	return ret;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
