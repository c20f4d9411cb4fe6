/*
 * lib/cmdline.c - kernel command-line option lookup (see <lib/cmdline.h>).
 *
 * The line is scanned word by word every time; it is short and options are
 * read a handful of times at boot, so no parsed form is kept.  A word is
 * split at its first '=' into key and value; '"' toggles quoting anywhere
 * in the word and is never part of a key or value.  Scanning continues
 * past a match so that the last occurrence wins.
 *
 * Pure functions on caller-provided strings: no state, no locks.
 */
#include <lib/cmdline.h>

#define CMDLINE_QUOTE '"'
#define CMDLINE_ASSIGN '='
#define CMDLINE_LIST_SEP ','
#define CMDLINE_LIST_ALL "all"
#define CMDLINE_HEX_BASE 16
#define CMDLINE_DEC_BASE 10
/* Longest numeric value cmdline_get_long() accepts, plus its NUL. */
#define CMDLINE_NUM_MAX 32

#define CMDLINE_LONG_MAX ((long)(~0ul >> 1))

static bool cmdline_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Scan the whole line for key.  On each match copy the value into
 * val[valsz] (truncated, NUL-terminated).  Returns the untruncated length
 * of the last match's value, or -1 when key is absent.
 */
static long cmdline_find(const char *s, const char *key, char *val, size_t valsz)
{
	long found = -1;

	if (!s || !key || !*key)
		return -1;
	while (*s) {
		bool quoted = false, in_value = false, match = true;
		size_t ki = 0, vlen = 0;

		while (cmdline_blank(*s))
			s++;
		if (!*s)
			break;
		for (; *s && (quoted || !cmdline_blank(*s)); s++) {
			char c = *s;

			if (c == CMDLINE_QUOTE) {
				quoted = !quoted;
			} else if (in_value) {
				if (match && vlen + 1 < valsz)
					val[vlen] = c;
				vlen++;
			} else if (c == CMDLINE_ASSIGN) {
				in_value = true;
				match = match && key[ki] == '\0';
			} else if (match && key[ki] == c) {
				ki++;
			} else {
				match = false;
			}
		}
		if (!in_value)
			match = match && key[ki] == '\0';
		if (match) {
			if (valsz)
				val[vlen < valsz ? vlen : valsz - 1] = '\0';
			found = (long)vlen;
		}
	}
	return found;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsz)
{
	return cmdline_find(cmdline, key, val, valsz) >= 0;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_find(cmdline, key, NULL, 0) >= 0;
}

static int cmdline_digit(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned)d < base ? d : -1;
}

long cmdline_get_long(const char *cmdline, const char *key, long dflt)
{
	char buf[CMDLINE_NUM_MAX];
	const char *p = buf;
	unsigned long mag = 0, limit;
	unsigned base = CMDLINE_DEC_BASE;
	long len = cmdline_find(cmdline, key, buf, sizeof(buf));
	bool neg = false;

	if (len <= 0 || (size_t)len >= sizeof(buf))
		return dflt;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = CMDLINE_HEX_BASE;
		p += 2;
	}
	if (!*p)
		return dflt;
	limit = (unsigned long)CMDLINE_LONG_MAX + (neg ? 1 : 0);
	for (; *p; p++) {
		int d = cmdline_digit(*p, base);

		if (d < 0 || mag > (limit - (unsigned)d) / base)
			return dflt;
		mag = mag * base + (unsigned)d;
	}
	if (!neg)
		return (long)mag;
	return mag ? -(long)(mag - 1) - 1 : 0;
}

/* True if the n bytes at a equal the whole string str. */
static bool cmdline_span_eq(const char *a, size_t n, const char *str)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str[i] != a[i])
			return false;
	return str[n] == '\0';
}

bool cmdline_list_contains(const char *list, const char *item)
{
	if (!list || !item || !*item)
		return false;
	for (;;) {
		const char *a = list, *b;

		while (*list && *list != CMDLINE_LIST_SEP)
			list++;
		b = list;
		while (a < b && cmdline_blank(*a))
			a++;
		while (b > a && cmdline_blank(b[-1]))
			b--;
		if (cmdline_span_eq(a, (size_t)(b - a), item) ||
		    cmdline_span_eq(a, (size_t)(b - a), CMDLINE_LIST_ALL))
			return true;
		if (!*list)
			return false;
		list++;
	}
}
