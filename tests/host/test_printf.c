/*
 * test_printf.c - host unit tests for lib/printf.c.
 *
 * snprintf/vsnprintf here are Keel's (host_rename.h is force-included).
 * Expected strings are written out literally; they match C99 (and glibc)
 * except where lib/printf.h documents a Keel choice (%p, unsupported
 * conversions).  Formats that the compiler's -Wformat would rightly reject
 * (deliberately unsupported or odd ones) go through raw_snprintf(), which
 * has no format attribute.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <lib/printf.h>
#include <lib/string.h>
#include "htest.h"

#define OUT_SIZE 512

/* Format into a large buffer; check the text and the return value. */
#define CHECK_FMT(expect, ...)                                             \
	do {                                                               \
		char out_[OUT_SIZE];                                       \
		int ret_ = snprintf(out_, sizeof(out_), __VA_ARGS__);      \
		HCHECK_STREQ(out_, expect);                                \
		HCHECK_EQ(ret_, (int)strlen(expect));                      \
	} while (0)

/* The same, through the unchecked wrapper. */
#define CHECK_RAW(expect, ...)                                             \
	do {                                                               \
		char out_[OUT_SIZE];                                       \
		int ret_ = raw_snprintf(out_, sizeof(out_), __VA_ARGS__);  \
		HCHECK_STREQ(out_, expect);                                \
		HCHECK_EQ(ret_, (int)strlen(expect));                      \
	} while (0)

static int raw_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

HTEST(printf_plain_text)
{
	CHECK_FMT("hello", "hello");
	CHECK_RAW("", "");
	CHECK_FMT("%", "%%");
	CHECK_FMT("100%", "100%%");
	CHECK_FMT("%d", "%%d");
	CHECK_FMT("a%b%c", "a%%b%%c");
}

HTEST(printf_decimal)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-42", "%d", -42);
	CHECK_FMT("42", "%i", 42);
	CHECK_FMT("-7", "%i", -7);
	CHECK_FMT("2147483647", "%d", INT_MAX);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
	CHECK_FMT("-2147483648", "%i", INT_MIN);
	CHECK_FMT("x=1,y=-2,z=3", "x=%d,y=%d,z=%d", 1, -2, 3);
}

HTEST(printf_decimal_flags_width)
{
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("  -42", "%5d", -42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("-42  |", "%-5d|", -42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("+42", "%+d", 42);
	CHECK_FMT("-42", "%+d", -42);
	CHECK_FMT("+0", "%+d", 0);
	CHECK_FMT(" 42", "% d", 42);
	CHECK_FMT("-42", "% d", -42);
	CHECK_FMT(" 0042", "% 05d", 42);
	CHECK_FMT("+0042", "%+05d", 42);
	CHECK_FMT("  +42", "%+5d", 42);
	CHECK_RAW("+42", "%+ d", 42);		/* '+' beats ' ' */
	CHECK_RAW("42   |", "%-05d|", 42);	/* '-' beats '0' */
	CHECK_RAW("00042", "%00005d", 42);	/* repeated flags */
	CHECK_FMT("42", "%1d", 42);		/* width smaller than text */
	CHECK_FMT("-2147483648", "%5d", INT_MIN);
	CHECK_FMT("  -2147483648", "%13d", INT_MIN);
	CHECK_FMT("-002147483648", "%013d", INT_MIN);
}

HTEST(printf_decimal_precision)
{
	CHECK_FMT("007", "%.3d", 7);
	CHECK_FMT("-007", "%.3d", -7);
	CHECK_FMT("    -007", "%8.3d", -7);
	CHECK_FMT("-007    |", "%-8.3d|", -7);
	CHECK_RAW("     007", "%08.3d", 7);	/* precision disables '0' */
	CHECK_FMT("+007", "%+.3d", 7);
	CHECK_FMT("12345", "%.3d", 12345);
	CHECK_FMT("", "%.0d", 0);
	CHECK_FMT("", "%.d", 0);		/* "." alone means 0 */
	CHECK_FMT("     ", "%5.0d", 0);
	CHECK_FMT("+", "%+.0d", 0);
	CHECK_FMT(" ", "% .0d", 0);
	CHECK_FMT("1", "%.0d", 1);
	CHECK_FMT("0", "%.1d", 0);
	CHECK_FMT("0000000000000000000042", "%.22d", 42);
}

HTEST(printf_star_width_precision)
{
	CHECK_FMT("   42", "%*d", 5, 42);
	CHECK_FMT("42   |", "%*d|", -5, 42);	/* negative: left-justify */
	CHECK_FMT("42   |", "%-*d|", 5, 42);
	CHECK_FMT("007", "%.*d", 3, 7);
	CHECK_FMT("7", "%.*d", -1, 7);		/* negative: no precision */
	CHECK_FMT("0", "%.*d", -1, 0);
	CHECK_RAW("00042", "%05.*d", -3, 42);	/* so '0' applies */
	CHECK_FMT("   007", "%*.*d", 6, 3, 7);
	CHECK_FMT("-0001", "%0*d", 5, -1);
	CHECK_FMT("ab|   cd", "%.*s|%*s", 2, "abc", 5, "cd");
	CHECK_FMT("[  x]", "[%*c]", 3, 'x');
	CHECK_FMT("1 2 3", "%*d %d %.*d", 0, 1, 2, 0, 3);
}

HTEST(printf_length_modifiers_signed)
{
	CHECK_FMT("-1", "%hhd", (signed char)-1);
	CHECK_RAW("-1", "%hhd", 255);			/* truncated to char */
	CHECK_RAW("-128", "%hhd", 128);
	CHECK_RAW("127", "%hhd", 0x17f);
	CHECK_FMT("-32768", "%hd", (short)SHRT_MIN);
	CHECK_RAW("-1", "%hd", 65535);
	CHECK_RAW("4", "%hi", 0x10004);
	CHECK_FMT("-9223372036854775808", "%ld", LONG_MIN);
	CHECK_FMT("9223372036854775807", "%ld", LONG_MAX);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("9223372036854775807", "%lli", LLONG_MAX);
	CHECK_FMT("-5", "%zd", (ptrdiff_t)-5);
	CHECK_FMT("-7", "%td", (ptrdiff_t)-7);
	CHECK_FMT("-9223372036854775808", "%td", (ptrdiff_t)PTRDIFF_MIN);
	CHECK_FMT("-9223372036854775808", "%jd", INTMAX_MIN);
	CHECK_FMT("9223372036854775807", "%jd", INTMAX_MAX);
	CHECK_FMT("-0000000000000000000009223372036854775808", "%.40lld",
		  LLONG_MIN);
	CHECK_FMT("+9223372036854775807", "%+lld", LLONG_MAX);
	/* Arguments after a 64-bit one stay in step. */
	CHECK_FMT("1 -2 3", "%d %lld %hhd", 1, -2LL, (signed char)3);
}

HTEST(printf_length_modifiers_unsigned)
{
	CHECK_FMT("255", "%hhu", (unsigned char)255);
	CHECK_RAW("0", "%hhu", 256);
	CHECK_RAW("1", "%hhu", 257);
	CHECK_RAW("ff", "%hhx", -1);
	CHECK_RAW("377", "%hho", -1);
	CHECK_RAW("5", "%hu", 65536 + 5);
	CHECK_RAW("ffff", "%hx", -1);
	CHECK_RAW("2345", "%hx", 0x12345);
	CHECK_FMT("4294967295", "%u", UINT_MAX);
	CHECK_FMT("ffffffff", "%x", UINT_MAX);
	CHECK_FMT("18446744073709551615", "%lu", ULONG_MAX);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK_FMT("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
	CHECK_FMT("1777777777777777777777", "%llo", ULLONG_MAX);
	CHECK_FMT("01777777777777777777777", "%#llo", ULLONG_MAX);
	CHECK_FMT("0xffffffffffffffff", "%#llx", ULLONG_MAX);
	CHECK_FMT("18446744073709551615", "%zu", SIZE_MAX);
	CHECK_FMT("ffffffffffffffff", "%zx", SIZE_MAX);
	CHECK_FMT("18446744073709551615", "%ju", UINTMAX_MAX);
	CHECK_FMT("8000000000000000", "%jx", (uintmax_t)1 << 63);
	CHECK_FMT("9223372036854775808", "%tu", (size_t)1 << 63);
	CHECK_FMT("deadbeefcafe", "%lx", 0xdeadbeefcafeUL);
}

HTEST(printf_hex_octal)
{
	CHECK_FMT("0", "%u", 0u);
	CHECK_FMT("0", "%x", 0u);
	CHECK_FMT("0", "%o", 0u);
	CHECK_FMT("deadbeef", "%x", 0xdeadbeefu);
	CHECK_FMT("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK_FMT("10", "%o", 8u);
	CHECK_FMT("0x1f", "%#x", 0x1fu);
	CHECK_FMT("0X1F", "%#X", 0x1fu);
	CHECK_FMT("0", "%#x", 0u);		/* no prefix for zero */
	CHECK_FMT("010", "%#o", 8u);
	CHECK_FMT("0", "%#o", 0u);
	CHECK_FMT("0777", "%#o", 0777u);
	CHECK_FMT("010", "%#.3o", 8u);		/* already starts with 0 */
	CHECK_FMT("00010", "%#.5o", 8u);
	CHECK_FMT("00010", "%.5o", 8u);
	CHECK_FMT("  010", "%#5o", 8u);
	CHECK_FMT("0", "%#.0o", 0u);		/* '#' forces the zero */
	CHECK_FMT("", "%.0o", 0u);
	CHECK_FMT("", "%#.0x", 0u);
	CHECK_FMT("", "%.0x", 0u);
	CHECK_FMT("      0xab", "%#10x", 0xabu);
	CHECK_FMT("0x000000ab", "%#010x", 0xabu);
	CHECK_FMT("0xab      |", "%-#10x|", 0xabu);
	CHECK_FMT("0x00ab", "%#.4x", 0xabu);
	CHECK_FMT("    0x00ab", "%#10.4x", 0xabu);
	CHECK_FMT("00000ABC", "%08X", 0xabcu);
	CHECK_FMT("00000000", "%08x", 0u);
	CHECK_FMT("   ab", "%5x", 0xabu);
	CHECK_RAW("5", "%+u", 5u);		/* sign flags ignored */
	CHECK_RAW("5", "% u", 5u);
	CHECK_RAW("ab", "%+x", 0xabu);
	CHECK_RAW("4294967295", "%u", -1);
	CHECK_FMT("  00042", "%7.5u", 42u);
}

HTEST(printf_char)
{
	char out[OUT_SIZE];

	CHECK_FMT("A", "%c", 'A');
	CHECK_FMT("  x", "%3c", 'x');
	CHECK_FMT("x  |", "%-3c|", 'x');
	CHECK_FMT("abc", "%c%c%c", 'a', 'b', 'c');
	CHECK_FMT("A", "%c", 0x141);		/* converted to unsigned char */
	CHECK_FMT("\xe9", "%c", 0xe9);
	CHECK_RAW("  x", "%03c", 'x');		/* '0' pads with spaces */
	/* A NUL character is output and counted. */
	memset(out, 'z', sizeof(out));
	HCHECK_EQ(snprintf(out, sizeof(out), "a%cb", 0), 3);
	HCHECK(memcmp(out, "a\0b\0", 4) == 0);
}

HTEST(printf_string)
{
	const char *null_str = NULL;

	CHECK_FMT("hello", "%s", "hello");
	CHECK_FMT("", "%s", "");
	CHECK_FMT("     ", "%5s", "");
	CHECK_FMT("     hello", "%10s", "hello");
	CHECK_FMT("hello     |", "%-10s|", "hello");
	CHECK_FMT("hello", "%3s", "hello");
	CHECK_FMT("hel", "%.3s", "hello");
	CHECK_FMT("hi", "%.10s", "hi");
	CHECK_FMT("", "%.0s", "hello");
	CHECK_FMT("     hel", "%8.3s", "hello");
	CHECK_FMT("hel     |", "%-8.3s|", "hello");
	CHECK_RAW("   hi", "%05s", "hi");	/* '0' pads with spaces */
	CHECK_RAW("(null)", "%s", null_str);
	CHECK_RAW("    (null)", "%10s", null_str);
	CHECK_RAW("(nu", "%.3s", null_str);
	CHECK_FMT("a b c", "%s %s %s", "a", "b", "c");
	CHECK_FMT("x%sy", "x%%sy");
}

HTEST(printf_string_precision_reads_no_further)
{
	/* Not NUL-terminated: ASan fails the test if %.3s reads byte 3. */
	char *s = malloc(3);

	memcpy(s, "abc", 3);
	CHECK_FMT("abc", "%.3s", s);
	CHECK_FMT("ab", "%.2s", s);
	CHECK_FMT("  abc", "%5.3s", s);
	CHECK_FMT("abc", "%.*s", 3, s);
	free(s);
}

HTEST(printf_pointer)
{
	CHECK_FMT("0x0000000000001234", "%p", (void *)0x1234);
	CHECK_FMT("0x0000000000000000", "%p", NULL);
	CHECK_FMT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	CHECK_FMT("0xffffffff80000000", "%p", (void *)0xffffffff80000000UL);
	CHECK_FMT("  0x0000000000001234", "%20p", (void *)0x1234);
	CHECK_FMT("0x0000000000001234  |", "%-20p|", (void *)0x1234);
	CHECK_FMT("0x0000000000001234", "%5p", (void *)0x1234);
	CHECK_RAW("  0x0000000000001234", "%020p", (void *)0x1234);
	CHECK_RAW("0x0000000000001234", "%+#p", (void *)0x1234);
	CHECK_RAW("0x0000000000001234", "%.3p", (void *)0x1234);
	CHECK_FMT("[0x00000000deadbeef]", "[%p]", (void *)0xdeadbeefUL);
}

HTEST(printf_unsupported_printed_literally)
{
	CHECK_RAW("%f", "%f");
	CHECK_RAW("%5.2f|", "%5.2f|");
	CHECK_RAW("%e %g %a %E %G %A", "%e %g %a %E %G %A");
	CHECK_RAW("%Lf", "%Lf");
	CHECK_RAW("%n", "%n");
	CHECK_RAW("%", "%");			/* cut off by the end */
	CHECK_RAW("abc%", "abc%");
	CHECK_RAW("%-5", "%-5");
	CHECK_RAW("%l", "%l");
	CHECK_RAW("%5.", "%5.");
	CHECK_RAW("%hhhd", "%hhhd");
	/* Unsupported conversions consume no argument, not even '*'. */
	CHECK_RAW("%q5", "%q%d", 5);
	CHECK_RAW("%*f7", "%*f%d", 7);
	CHECK_RAW("%.*f|x", "%.*f|%s", "x");
	CHECK_RAW("%w12", "%w%d%d", 1, 2);
}

HTEST(printf_length_on_char_string_ignored)
{
	CHECK_RAW("x", "%lc", 'x');
	CHECK_RAW("ab", "%ls", "ab");
	CHECK_RAW("ab", "%hhs", "ab");
	CHECK_RAW("ab", "%lls", "ab");
	CHECK_RAW("0x0000000000000010", "%lp", (void *)16);
}

HTEST(printf_truncation_and_return)
{
	char buf[16];

	memset(buf, 'z', sizeof(buf));
	HCHECK_EQ(snprintf(buf, 5, "hello world"), 11);
	HCHECK_STREQ(buf, "hell");
	HCHECK_EQ(buf[5], 'z');		/* nothing beyond size touched */

	memset(buf, 'z', sizeof(buf));
	HCHECK_EQ(snprintf(buf, 1, "hello"), 5);
	HCHECK_EQ(buf[0], '\0');
	HCHECK_EQ(buf[1], 'z');

	memset(buf, 'z', sizeof(buf));
	HCHECK_EQ(snprintf(buf, 0, "hello"), 5);
	HCHECK_EQ(buf[0], 'z');			/* size 0 writes nothing */
	HCHECK_EQ(snprintf(NULL, 0, "%d-%s", 1234, "abc"), 8);

	HCHECK_EQ(snprintf(buf, 6, "hello"), 5);	/* exact fit */
	HCHECK_STREQ(buf, "hello");
	HCHECK_EQ(snprintf(buf, 5, "hello"), 5);	/* one short */
	HCHECK_STREQ(buf, "hell");

	HCHECK_EQ(snprintf(buf, 4, "%d", 123456), 6);	/* inside a number */
	HCHECK_STREQ(buf, "123");
	HCHECK_EQ(snprintf(buf, 4, "%10d", 1), 10);	/* inside padding */
	HCHECK_STREQ(buf, "   ");
	HCHECK_EQ(snprintf(buf, 4, "%-10d|", 1), 11);
	HCHECK_STREQ(buf, "1  ");
	HCHECK_EQ(snprintf(buf, 3, "%s%s", "a", "bcd"), 4);
	HCHECK_STREQ(buf, "ab");
	HCHECK_EQ(snprintf(buf, 8, "%p", (void *)1), 18);
	HCHECK_STREQ(buf, "0x00000");
}

HTEST(printf_exact_size_buffer)
{
	/* A heap block of exactly size bytes: ASan checks every write. */
	for (size_t size = 1; size <= 12; size++) {
		char *b = malloc(size);

		HCHECK_EQ(snprintf(b, size, "%s=%d", "key", -12345), 10);
		HCHECK(strncmp(b, "key=-12345", size - 1) == 0);
		HCHECK_EQ(strlen(b), size - 1 < 10 ? size - 1 : 10);
		free(b);
	}
}

HTEST(printf_wide_fields)
{
	char big[OUT_SIZE];

	HCHECK_EQ(snprintf(big, sizeof(big), "%300d", 7), 300);
	HCHECK_EQ(strlen(big), 300);
	HCHECK_EQ(big[0], ' ');
	HCHECK_EQ(big[299], '7');
	HCHECK_EQ(snprintf(big, sizeof(big), "%0300d", -7), 300);
	HCHECK_EQ(big[0], '-');
	HCHECK_EQ(big[1], '0');
	HCHECK_EQ(big[299], '7');
	HCHECK_EQ(snprintf(big, sizeof(big), "%-200s|", "x"), 201);
	HCHECK_EQ(big[0], 'x');
	HCHECK_EQ(big[199], ' ');
	HCHECK_EQ(big[200], '|');
	/* Larger than the buffer: truncated, full length returned. */
	HCHECK_EQ(snprintf(big, sizeof(big), "%1000d", 1), 1000);
	HCHECK_EQ(strlen(big), OUT_SIZE - 1);
}

/* Helper that formats the same va_list twice. */
static bool format_twice(char *a, char *b, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ra, rb;

	va_start(ap, fmt);
	ra = vsnprintf(a, size, fmt, ap);
	rb = vsnprintf(b, size, fmt, ap);
	va_end(ap);
	return ra == rb;
}

HTEST(printf_vsnprintf_leaves_ap_alone)
{
	char a[64], b[64];

	HCHECK(format_twice(a, b, sizeof(a), "%d %s %llx", -3, "mid",
			    0xabcULL));
	HCHECK_STREQ(a, "-3 mid abc");
	HCHECK_STREQ(b, "-3 mid abc");
}

struct collect {
	char text[OUT_SIZE];
	size_t len;
	int calls;
	int empty_calls;
};

static void collect_put(void *ctx, const char *s, size_t n)
{
	struct collect *c = ctx;

	c->calls++;
	if (n == 0)
		c->empty_calls++;
	HCHECK(c->len + n < sizeof(c->text));
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len] = '\0';
}

static int cb_format(struct collect *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	memset(c, 0, sizeof(*c));
	va_start(ap, fmt);
	ret = vcbprintf(collect_put, c, fmt, ap);
	va_end(ap);
	return ret;
}

HTEST(vcbprintf_streams_everything)
{
	struct collect c;
	int ret;

	ret = cb_format(&c, "pid %d: %s at %p%%", 42, "fault",
			(void *)0xffffffff80001000UL);
	HCHECK_STREQ(c.text, "pid 42: fault at 0xffffffff80001000%");
	HCHECK_EQ(ret, (int)strlen(c.text));
	HCHECK_EQ(c.empty_calls, 0);

	/* Padding longer than any internal chunk arrives in full. */
	ret = cb_format(&c, "[%40s][%-40d][%040x]", "r", 1, 0xfu);
	HCHECK_EQ(ret, 3 * 42);
	HCHECK_EQ(c.len, 3 * 42);
	HCHECK(str_starts_with(c.text,
			       "[                                       r]"));
	HCHECK(strstr(c.text,
		      "[1                                       ]") != NULL);
	HCHECK(strstr(c.text,
		      "[000000000000000000000000000000000000000f]") != NULL);
	HCHECK_EQ(c.empty_calls, 0);

	/* No buffer limit: far more than vsnprintf callers usually have. */
	ret = cb_format(&c, "%400d", 5);
	HCHECK_EQ(ret, 400);
	HCHECK_EQ(c.len, 400);
	HCHECK_EQ(c.text[399], '5');

	ret = cb_format(&c, "%s", "");
	HCHECK_EQ(ret, 0);
	HCHECK_EQ(c.calls, 0);
	HCHECK_EQ(c.len, 0);
}
