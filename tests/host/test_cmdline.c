/*
 * test_cmdline.c - host unit tests for lib/cmdline.c.
 *
 * Each test feeds literal command lines and checks lookups, including the
 * corner cases the header promises: last occurrence wins, bare keys give
 * "", quotes group blanks and are stripped, values truncate safely into
 * small buffers (the byte after the buffer is a canary), keys match
 * exactly (no prefix matches), numbers reject garbage and overflow.
 */
#include <lib/cmdline.h>
#include <lib/string.h>
#include "htest.h"

#define CANARY 0x5a

HTEST(cmdline_get_basic)
{
	const char *cl = "loglevel=7 test=pmm,heap quiet init=/bin/sh";
	char v[32];

	HCHECK(cmdline_get(cl, "loglevel", v, sizeof(v)));
	HCHECK_STREQ(v, "7");
	HCHECK(cmdline_get(cl, "test", v, sizeof(v)));
	HCHECK_STREQ(v, "pmm,heap");
	HCHECK(cmdline_get(cl, "init", v, sizeof(v)));
	HCHECK_STREQ(v, "/bin/sh");
	HCHECK(cmdline_get(cl, "quiet", v, sizeof(v)));
	HCHECK_STREQ(v, "");
}

HTEST(cmdline_get_absent_leaves_val)
{
	char v[8] = "keep";

	HCHECK(!cmdline_get("a=1 b=2", "c", v, sizeof(v)));
	HCHECK_STREQ(v, "keep");
	HCHECK(!cmdline_get("", "a", v, sizeof(v)));
	HCHECK(!cmdline_get(NULL, "a", v, sizeof(v)));
	HCHECK(!cmdline_get("a=1", "", v, sizeof(v)));
	HCHECK_STREQ(v, "keep");
}

HTEST(cmdline_no_prefix_match)
{
	char v[8];

	HCHECK(!cmdline_has("loglevel=3", "log"));
	HCHECK(!cmdline_has("log", "loglevel"));
	HCHECK(!cmdline_has("quietly", "quiet"));
	HCHECK(cmdline_get("log=1 loglevel=3", "log", v, sizeof(v)));
	HCHECK_STREQ(v, "1");
	HCHECK(!cmdline_has("Quiet", "quiet"));
}

HTEST(cmdline_last_occurrence_wins)
{
	char v[16];

	HCHECK(cmdline_get("x=1 y=2 x=3", "x", v, sizeof(v)));
	HCHECK_STREQ(v, "3");
	/* A bare key after a value overrides it with "". */
	HCHECK(cmdline_get("x=1 x", "x", v, sizeof(v)));
	HCHECK_STREQ(v, "");
	HCHECK(cmdline_get("x x=long-value", "x", v, sizeof(v)));
	HCHECK_STREQ(v, "long-value");
	HCHECK_EQ(cmdline_get_long("n=1 n=0x10", "n", -1), 16);
}

HTEST(cmdline_quotes)
{
	char v[32];
	const char *cl = "a=\"hello world\" b=x\"y z\"w \"c=q r\" d=\"\" e=\"open end";

	HCHECK(cmdline_get(cl, "a", v, sizeof(v)));
	HCHECK_STREQ(v, "hello world");
	HCHECK(cmdline_get(cl, "b", v, sizeof(v)));
	HCHECK_STREQ(v, "xy zw");
	HCHECK(cmdline_get(cl, "c", v, sizeof(v)));
	HCHECK_STREQ(v, "q r");
	HCHECK(cmdline_get(cl, "d", v, sizeof(v)));
	HCHECK_STREQ(v, "");
	HCHECK(cmdline_get(cl, "e", v, sizeof(v)));
	HCHECK_STREQ(v, "open end");
	/* Words inside quotes are not keys. */
	HCHECK(!cmdline_has(cl, "world"));
	HCHECK(!cmdline_has(cl, "r"));
}

HTEST(cmdline_blanks_and_equals)
{
	char v[16];
	const char *cl = "\t a=1\n\nb=x=y  c= \r";

	HCHECK(cmdline_get(cl, "a", v, sizeof(v)));
	HCHECK_STREQ(v, "1");
	HCHECK(cmdline_get(cl, "b", v, sizeof(v)));
	HCHECK_STREQ(v, "x=y");
	HCHECK(cmdline_get(cl, "c", v, sizeof(v)));
	HCHECK_STREQ(v, "");
	HCHECK(!cmdline_has("=5", "a"));
}

HTEST(cmdline_truncation)
{
	char buf[5];

	for (size_t sz = 1; sz <= 4; sz++) {
		memset(buf, CANARY, sizeof(buf));
		HCHECK(cmdline_get("k=abcdef", "k", buf, sz));
		HCHECK_EQ(strlen(buf), sz - 1);
		HCHECK(strncmp(buf, "abcdef", sz - 1) == 0);
		HCHECK_EQ((unsigned char)buf[sz], CANARY);
	}
	/* valsz 0: presence only, val never touched (NULL is fine). */
	HCHECK(cmdline_get("k=abc", "k", NULL, 0));
}

HTEST(cmdline_has_cases)
{
	HCHECK(cmdline_has("quiet", "quiet"));
	HCHECK(cmdline_has("a=1 quiet=0", "quiet"));
	HCHECK(!cmdline_has("a=quiet", "quiet"));
	HCHECK(!cmdline_has(NULL, "quiet"));
}

HTEST(cmdline_get_long_cases)
{
	const char *cl = "d=42 h=0x1F H=0XfF neg=-17 z=0 bare junk=12x hx=0x "
			 "e= m=- big=9223372036854775807 "
			 "over=9223372036854775808 min=-9223372036854775808 "
			 "under=-9223372036854775809 hexbig=0x7fffffffffffffff "
			 "hexover=0x8000000000000000 sp=\" 5\" "
			 "long=000000000000000000000000000000000000000001";

	HCHECK_EQ(cmdline_get_long(cl, "d", -1), 42);
	HCHECK_EQ(cmdline_get_long(cl, "h", -1), 31);
	HCHECK_EQ(cmdline_get_long(cl, "H", -1), 255);
	HCHECK_EQ(cmdline_get_long(cl, "neg", 0), -17);
	HCHECK_EQ(cmdline_get_long(cl, "z", -1), 0);
	HCHECK_EQ(cmdline_get_long(cl, "absent", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "bare", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "junk", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "hx", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "e", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "m", 99), 99);
	HCHECK(cmdline_get_long(cl, "big", 0) == 9223372036854775807L);
	HCHECK_EQ(cmdline_get_long(cl, "over", 99), 99);
	HCHECK(cmdline_get_long(cl, "min", 0) == -9223372036854775807L - 1);
	HCHECK_EQ(cmdline_get_long(cl, "under", 99), 99);
	HCHECK(cmdline_get_long(cl, "hexbig", 0) == 9223372036854775807L);
	HCHECK_EQ(cmdline_get_long(cl, "hexover", 99), 99);
	HCHECK_EQ(cmdline_get_long(cl, "sp", 99), 99);
	/* Too long for the internal buffer: rejected, not silently cut. */
	HCHECK_EQ(cmdline_get_long(cl, "long", 99), 99);
}

HTEST(cmdline_list_contains_cases)
{
	HCHECK(cmdline_list_contains("pmm,heap", "heap"));
	HCHECK(cmdline_list_contains("pmm,heap", "pmm"));
	HCHECK(cmdline_list_contains("pmm", "pmm"));
	HCHECK(!cmdline_list_contains("pmm,heap", "he"));
	HCHECK(!cmdline_list_contains("pmm,heap", "heaps"));
	HCHECK(!cmdline_list_contains("pmm,heap", "pmm,heap"));
	HCHECK(cmdline_list_contains("vm,all", "anything"));
	HCHECK(cmdline_list_contains("all", "pmm"));
	HCHECK(!cmdline_list_contains("allx,ball", "pmm"));
	HCHECK(cmdline_list_contains(" pmm , heap ", "heap"));
	HCHECK(cmdline_list_contains("a,,b", "b"));
	HCHECK(!cmdline_list_contains("a,,b", ""));
	HCHECK(!cmdline_list_contains("", "a"));
	HCHECK(!cmdline_list_contains(",", "a"));
	HCHECK(!cmdline_list_contains(NULL, "a"));
	HCHECK(!cmdline_list_contains("a", NULL));
}

HTEST(cmdline_get_then_list)
{
	char v[64];

	HCHECK(cmdline_get("loglevel=7 test=pmm,heap quiet", "test", v, sizeof(v)));
	HCHECK(cmdline_list_contains(v, "heap"));
	HCHECK(!cmdline_list_contains(v, "vm"));
}
