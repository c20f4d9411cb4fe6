/*
 * test_string.c - host unit tests for lib/string.c.
 *
 * Built with ASan/UBSan and with host_rename.h force-included, so memcpy
 * etc. below are Keel's.  Buffers under test are heap blocks of exactly
 * the size a call may touch (plus a known offset), so ASan reports any
 * read or write past either end; the word-at-a-time paths are exercised
 * at every pair of alignments.  Expected results come from naive
 * byte-at-a-time reference loops in this file.
 */
#include <stdlib.h>
#include <lib/string.h>
#include "htest.h"

#define MAX_ALIGN	16	/* offsets 0..15 cover every word alignment */
#define MAX_LEN		80	/* several words plus ragged heads and tails */
#define SENTINEL	0xa5

/* Allocate off + len bytes so p + off .. p + off + len ends the block. */
static unsigned char *alloc_exact(size_t off, size_t len)
{
	unsigned char *p = malloc(off + len + (off + len == 0));

	HCHECK(p != NULL);
	return p;
}

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

HTEST(memcpy_all_alignments)
{
	for (size_t so = 0; so < MAX_ALIGN; so++)
		for (size_t dof = 0; dof < MAX_ALIGN; dof++)
			for (size_t len = 0; len <= MAX_LEN; len++) {
				unsigned char *s = alloc_exact(so, len);
				unsigned char *d = alloc_exact(dof, len);
				bool ok = true;

				fill_pattern(s, so + len, (unsigned int)len);
				for (size_t i = 0; i < dof + len; i++)
					d[i] = SENTINEL;
				HCHECK(memcpy(d + dof, s + so, len) == d + dof);
				for (size_t i = 0; i < dof; i++)
					ok &= d[i] == SENTINEL;
				for (size_t i = 0; i < len; i++)
					ok &= d[dof + i] == s[so + i];
				HCHECK(ok);
				free(s);
				free(d);
			}
}

HTEST(memcpy_zero_length_touches_nothing)
{
	unsigned char b[4] = { 1, 2, 3, 4 };

	HCHECK(memcpy(b, b + 2, 0) == b);
	HCHECK_EQ(b[0], 1);
	HCHECK(memcpy(NULL, NULL, 0) == NULL);
}

/* Reference memmove via a temporary copy. */
static void ref_move(unsigned char *buf, size_t d, size_t s, size_t n)
{
	unsigned char tmp[MAX_LEN];

	for (size_t i = 0; i < n; i++)
		tmp[i] = buf[s + i];
	for (size_t i = 0; i < n; i++)
		buf[d + i] = tmp[i];
}

HTEST(memmove_overlap_both_directions)
{
	enum { SPAN = 2 * MAX_ALIGN + MAX_LEN };
	unsigned char ref[SPAN];

	for (size_t so = 0; so < 2 * MAX_ALIGN; so++)
		for (size_t dof = 0; dof < 2 * MAX_ALIGN; dof++)
			for (size_t len = 0; len <= MAX_LEN; len++) {
				size_t need = (so > dof ? so : dof) + len;
				unsigned char *b = alloc_exact(0, need);

				fill_pattern(b, need, (unsigned int)(so ^ len));
				for (size_t i = 0; i < need; i++)
					ref[i] = b[i];
				ref_move(ref, dof, so, len);
				HCHECK(memmove(b + dof, b + so, len) ==
				       b + dof);
				HCHECK(memcmp(b, ref, need) == 0);
				free(b);
			}
}

HTEST(memmove_whole_buffer_shift)
{
	char s[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	memmove(s + 1, s, sizeof(s) - 2);
	HCHECK_STREQ(s, "aabcdefghijklmnopqrstuvwxyz012345678");
	memmove(s, s + 9, sizeof(s) - 10);
	HCHECK_STREQ(s, "ijklmnopqrstuvwxyz012345678012345678");
	memmove(s, s, sizeof(s));
	HCHECK_STREQ(s, "ijklmnopqrstuvwxyz012345678012345678");
}

HTEST(memset_all_alignments_and_values)
{
	static const int values[] = { 0, 0x5a, 0xff, -1, 0x1ab, -128 };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
		for (size_t off = 0; off < MAX_ALIGN; off++)
			for (size_t len = 0; len <= MAX_LEN; len++) {
				unsigned char *b = alloc_exact(off, len);
				unsigned char want = (unsigned char)values[v];
				bool ok = true;

				for (size_t i = 0; i < off + len; i++)
					b[i] = SENTINEL;
				HCHECK(memset(b + off, values[v], len) ==
				       b + off);
				for (size_t i = 0; i < off; i++)
					ok &= b[i] == SENTINEL;
				for (size_t i = 0; i < len; i++)
					ok &= b[off + i] == want;
				HCHECK(ok);
				free(b);
			}
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

HTEST(memcmp_all_alignments_every_position)
{
	for (size_t ao = 0; ao < MAX_ALIGN; ao++)
		for (size_t bo = 0; bo < MAX_ALIGN; bo += 3)
			for (size_t len = 0; len <= 40; len++) {
				unsigned char *a = alloc_exact(ao, len);
				unsigned char *b = alloc_exact(bo, len);

				fill_pattern(a + ao, len, 1);
				fill_pattern(b + bo, len, 1);
				HCHECK_EQ(memcmp(a + ao, b + bo, len), 0);
				for (size_t i = 0; i < len; i++) {
					unsigned char old = b[bo + i];

					b[bo + i] = (unsigned char)(old + 1);
					HCHECK_EQ(sign(memcmp(a + ao, b + bo,
							      len)), -1);
					HCHECK_EQ(sign(memcmp(b + bo, a + ao,
							      len)), 1);
					/* Bytes past the limit do not count. */
					HCHECK_EQ(memcmp(a + ao, b + bo, i), 0);
					b[bo + i] = old;
				}
				free(a);
				free(b);
			}
}

HTEST(memcmp_is_unsigned)
{
	unsigned char hi[] = { 0x80 }, lo[] = { 0x01 };

	HCHECK(memcmp(hi, lo, 1) > 0);
	HCHECK(memcmp(lo, hi, 1) < 0);
	HCHECK_EQ(memcmp(hi, lo, 0), 0);
}

HTEST(memchr_basic)
{
	const char s[] = "hello\0world";
	unsigned char hb[] = { 1, 0x80, 0xff, 0x80 };

	HCHECK(memchr(s, 'l', sizeof(s)) == s + 2);
	HCHECK(memchr(s, '\0', sizeof(s)) == s + 5);
	HCHECK(memchr(s, 'w', sizeof(s)) == s + 6);
	HCHECK(memchr(s, 'w', 6) == NULL);
	HCHECK(memchr(s, 'h', 0) == NULL);
	HCHECK(memchr(s, 'z', sizeof(s)) == NULL);
	HCHECK(memchr(s, 0x100 + 'o', sizeof(s)) == s + 4);
	HCHECK(memchr(hb, -128, sizeof(hb)) == hb + 1);
	HCHECK(memchr(hb, 0xff, sizeof(hb)) == hb + 2);
}

/* A heap copy of s whose block ends exactly at its NUL. */
static char *dup_exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	HCHECK(p != NULL);
	memcpy(p, s, n);
	return p;
}

HTEST(strlen_strnlen)
{
	for (size_t off = 0; off < MAX_ALIGN; off++) {
		char *base = (char *)alloc_exact(off, MAX_LEN + 1);

		for (size_t len = 0; len <= MAX_LEN; len++) {
			memset(base, 'x', off + MAX_LEN);
			base[off + len] = '\0';
			HCHECK_EQ(strlen(base + off), len);
			HCHECK_EQ(strnlen(base + off, MAX_LEN + 1), len);
			HCHECK_EQ(strnlen(base + off, len), len);
			if (len > 0)
				HCHECK_EQ(strnlen(base + off, len - 1),
					  len - 1);
		}
		free(base);
	}
	HCHECK_EQ(strlen(""), 0);
	HCHECK_EQ(strnlen("abc", 0), 0);
	/* strnlen must not read past max: no NUL inside the buffer. */
	char *nonul = malloc(3);
	memcpy(nonul, "abc", 3);
	HCHECK_EQ(strnlen(nonul, 3), 3);
	free(nonul);
}

HTEST(strcmp_strncmp)
{
	char *a = dup_exact("abc"), *b = dup_exact("abd"), *e = dup_exact("");

	HCHECK_EQ(strcmp(a, a), 0);
	HCHECK(strcmp(a, b) < 0);
	HCHECK(strcmp(b, a) > 0);
	HCHECK(strcmp("ab", "abc") < 0);
	HCHECK(strcmp("abc", "ab") > 0);
	HCHECK_EQ(strcmp(e, ""), 0);
	HCHECK(strcmp(e, "a") < 0);
	HCHECK(strcmp("\x80", "\x01") > 0);	/* compared as unsigned */

	HCHECK_EQ(strncmp(a, b, 2), 0);
	HCHECK(strncmp(a, b, 3) < 0);
	HCHECK(strncmp(a, b, 100) < 0);
	HCHECK_EQ(strncmp(a, b, 0), 0);
	HCHECK(strncmp("ab", "abc", 3) < 0);
	HCHECK_EQ(strncmp("ab", "abc", 2), 0);
	HCHECK(strncmp("\xff", "a", 1) > 0);
	/* Stops at a common NUL: reads nothing beyond either string. */
	HCHECK_EQ(strncmp(e, e, 50), 0);
	HCHECK_EQ(strncmp(a, a, 1000), 0);
	free(a);
	free(b);
	free(e);
}

HTEST(strchr_strrchr)
{
	char *s = dup_exact("hello, world");
	size_t n = strlen(s);

	HCHECK(strchr(s, 'o') == s + 4);
	HCHECK(strrchr(s, 'o') == s + 8);
	HCHECK(strchr(s, 'h') == s);
	HCHECK(strrchr(s, 'h') == s);
	HCHECK(strchr(s, 'd') == s + n - 1);
	HCHECK(strchr(s, 'z') == NULL);
	HCHECK(strrchr(s, 'z') == NULL);
	HCHECK(strchr(s, '\0') == s + n);
	HCHECK(strrchr(s, '\0') == s + n);
	HCHECK(strchr(s, 0x100 + 'w') == s + 7);
	HCHECK(strchr("", 'a') == NULL);
	HCHECK(strrchr("", 'a') == NULL);
	free(s);

	char *hb = dup_exact("a\xe9z\xe9");
	HCHECK(strchr(hb, 0xe9) == hb + 1);
	HCHECK(strrchr(hb, 0xe9) == hb + 3);
	HCHECK(strchr(hb, (char)0xe9) == hb + 1);
	free(hb);
}

HTEST(strstr_cases)
{
	char *h = dup_exact("aaabaaab");
	char *e = dup_exact("");

	HCHECK(strstr(h, "aab") == h + 1);
	HCHECK(strstr(h, "b") == h + 3);
	HCHECK(strstr(h, "aaab") == h);
	HCHECK(strstr(h, "baaab") == h + 3);
	HCHECK(strstr(h, "aaabaaab") == h);
	HCHECK(strstr(h, "aaabaaabx") == NULL);
	HCHECK(strstr(h, "x") == NULL);
	HCHECK(strstr(h, "") == h);
	HCHECK(strstr(e, "") == e);
	HCHECK(strstr(e, "a") == NULL);
	HCHECK(strstr(h, "ab") == h + 2);
	free(h);
	free(e);
}

HTEST(strlcpy_cases)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	HCHECK_EQ(strlcpy(buf, "abc", sizeof(buf)), 3);
	HCHECK_STREQ(buf, "abc");
	HCHECK_EQ(buf[4], 'x');		/* no padding beyond the NUL */

	HCHECK_EQ(strlcpy(buf, "0123456789", sizeof(buf)), 10);
	HCHECK_STREQ(buf, "0123456");

	HCHECK_EQ(strlcpy(buf, "1234567", sizeof(buf)), 7);	/* exact fit */
	HCHECK_STREQ(buf, "1234567");

	HCHECK_EQ(strlcpy(buf, "abc", 1), 3);
	HCHECK_EQ(buf[0], '\0');
	HCHECK_EQ(buf[1], '2');

	buf[0] = 'q';
	HCHECK_EQ(strlcpy(buf, "abc", 0), 3);	/* size 0 touches nothing */
	HCHECK_EQ(buf[0], 'q');
	HCHECK_EQ(strlcpy(NULL, "abcd", 0), 4);

	HCHECK_EQ(strlcpy(buf, "", sizeof(buf)), 0);
	HCHECK_STREQ(buf, "");

	/* Destination block of exactly size bytes: ASan checks bounds. */
	char *d = malloc(4);
	HCHECK_EQ(strlcpy(d, "hello", 4), 5);
	HCHECK_STREQ(d, "hel");
	free(d);
}

HTEST(strlcat_cases)
{
	char buf[8];

	strlcpy(buf, "ab", sizeof(buf));
	HCHECK_EQ(strlcat(buf, "cd", sizeof(buf)), 4);
	HCHECK_STREQ(buf, "abcd");

	HCHECK_EQ(strlcat(buf, "efghij", sizeof(buf)), 10);	/* truncated */
	HCHECK_STREQ(buf, "abcdefg");

	HCHECK_EQ(strlcat(buf, "z", sizeof(buf)), 8);	/* already full */
	HCHECK_STREQ(buf, "abcdefg");

	strlcpy(buf, "abc", sizeof(buf));
	HCHECK_EQ(strlcat(buf, "defg", sizeof(buf)), 7);	/* exact fit */
	HCHECK_STREQ(buf, "abcdefg");

	strlcpy(buf, "abc", sizeof(buf));
	HCHECK_EQ(strlcat(buf, "", sizeof(buf)), 3);
	HCHECK_STREQ(buf, "abc");

	/* No NUL within size: dst untouched, returns size + strlen(src). */
	memcpy(buf, "abcdefgh", 8);
	HCHECK_EQ(strlcat(buf, "xyz", 5), 8);
	HCHECK(memcmp(buf, "abcdefgh", 8) == 0);
	HCHECK_EQ(strlcat(buf, "xyz", 0), 3);
	HCHECK(memcmp(buf, "abcdefgh", 8) == 0);
	HCHECK_EQ(strlcat(NULL, "xyz", 0), 3);

	/* size smaller than the existing string. */
	strlcpy(buf, "abcdef", sizeof(buf));
	HCHECK_EQ(strlcat(buf, "gh", 3), 5);
	HCHECK_STREQ(buf, "abcdef");

	char *d = malloc(6);
	strlcpy(d, "ab", 6);
	HCHECK_EQ(strlcat(d, "cdefgh", 6), 8);
	HCHECK_STREQ(d, "abcde");
	free(d);
}

HTEST(str_starts_with_cases)
{
	HCHECK(str_starts_with("hello", "he"));
	HCHECK(str_starts_with("hello", "hello"));
	HCHECK(str_starts_with("hello", ""));
	HCHECK(str_starts_with("", ""));
	HCHECK(!str_starts_with("hello", "hello!"));
	HCHECK(!str_starts_with("hello", "hex"));
	HCHECK(!str_starts_with("", "a"));
	HCHECK(!str_starts_with("Hello", "h"));
}
