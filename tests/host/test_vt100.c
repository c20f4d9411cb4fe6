/*
 * test_vt100.c - host unit tests for lib/vt100.c, the VGA console's
 * terminal emulator.
 *
 * Each test draws into a heap screen of exactly rows * cols cells (ASan
 * catches any access outside it), feeds a byte string and checks the
 * screen text, attributes, cursor and replies.  The fuzz tests feed
 * random bytes (biased towards escape-sequence syntax) to screens of
 * several sizes and check the invariants after every byte.
 */
#include <stdlib.h>
#include <string.h>
#include <lib/vt100.h>
#include "htest.h"

#define ROWS 25
#define COLS 80
#define ESC  "\033"
#define CSI  "\033["

struct term {
	struct vt vt;
	uint16_t *cells, *alt;
	char reply[256];
	size_t reply_len;
	unsigned cx, cy, cursor_calls;
	bool cvis;
};

static void term_cursor(void *ctx, unsigned x, unsigned y, bool visible)
{
	struct term *t = ctx;

	t->cx = x;
	t->cy = y;
	t->cvis = visible;
	t->cursor_calls++;
}

static void term_reply(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;

	HCHECK(t->reply_len + n < sizeof(t->reply));
	memcpy(t->reply + t->reply_len, s, n);
	t->reply_len += n;
	t->reply[t->reply_len] = '\0';
}

static struct term *term_new(unsigned rows, unsigned cols, bool alt)
{
	struct term *t = calloc(1, sizeof(*t));

	HCHECK(t != NULL);
	t->cells = malloc((size_t)rows * cols * sizeof(uint16_t));
	t->alt = alt ? malloc((size_t)rows * cols * sizeof(uint16_t)) : NULL;
	vt_init(&t->vt, t->cells, t->alt, rows, cols);
	t->vt.cursor = term_cursor;
	t->vt.reply = term_reply;
	t->vt.ctx = t;
	return t;
}

static void term_free(struct term *t)
{
	free(t->cells);
	free(t->alt);
	free(t);
}

static void put(struct term *t, const char *s)
{
	vt_write(&t->vt, s, strlen(s));
}

/* Row y as text, trailing blanks removed. */
static const char *row(struct term *t, unsigned y)
{
	static char buf[VT_MAX_COLS + 1];
	unsigned n = t->vt.cols;

	for (unsigned x = 0; x < n; x++)
		buf[x] = (char)VT_CELL_CHAR(t->cells[y * t->vt.cols + x]);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

static uint8_t attr_at(struct term *t, unsigned x, unsigned y)
{
	return VT_CELL_ATTR(t->cells[y * t->vt.cols + x]);
}

static void at(struct term *t, unsigned x, unsigned y)
{
	HCHECK_EQ(t->vt.x, x);
	HCHECK_EQ(t->vt.y, y);
}

/* Write "0".."N" on rows 0..rows-1 (row i says its number). */
static void number_rows(struct term *t)
{
	char buf[16];

	put(t, CSI "H" CSI "2J");
	for (unsigned y = 0; y < t->vt.rows; y++) {
		snprintf(buf, sizeof(buf), CSI "%u;1H%u", y + 1, y);
		put(t, buf);
	}
}

HTEST(vt_init_clears_and_homes)
{
	struct term *t = term_new(ROWS, COLS, false);

	for (unsigned i = 0; i < ROWS * COLS; i++)
		HCHECK_EQ(t->cells[i], VT_CELL(' ', VT_ATTR_DEFAULT));
	at(t, 0, 0);
	HCHECK(t->vt.cursor_visible);
	term_free(t);
}

HTEST(vt_text_cr_lf_bs_bel)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, "hello\r\nworld");
	HCHECK_STREQ(row(t, 0), "hello");
	HCHECK_STREQ(row(t, 1), "world");
	at(t, 5, 1);
	HCHECK_EQ(t->cx, 5);
	HCHECK_EQ(t->cy, 1);
	put(t, "\b\bX\a");
	HCHECK_STREQ(row(t, 1), "worXd");
	put(t, "\n"); /* LF alone keeps the column */
	at(t, 4, 2);
	put(t, "\r\b"); /* BS stops at column 0 */
	at(t, 0, 2);
	put(t, "a\x0b"
	       "b\x0c"
	       "c"); /* VT and FF are line feeds */
	HCHECK_STREQ(row(t, 3), " b");
	HCHECK_STREQ(row(t, 4), "  c");
	term_free(t);
}

HTEST(vt_lf_returns_option)
{
	struct term *t = term_new(ROWS, COLS, false);

	t->vt.lf_returns = true;
	put(t, "ab\ncd");
	HCHECK_STREQ(row(t, 1), "cd");
	t->vt.lf_returns = false;
	put(t, CSI "20h"
		   "\nef"); /* LNM: LF is CR LF */
	HCHECK_STREQ(row(t, 2), "ef");
	put(t, CSI "20l"
		   "\ngh");
	HCHECK_STREQ(row(t, 3), "  gh");
	term_free(t);
}

HTEST(vt_tabs)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, "\tA\tB");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[8]), 'A');
	HCHECK_EQ(VT_CELL_CHAR(t->cells[16]), 'B');
	put(t, CSI "1;79H\t\t");
	at(t, 79, 0); /* tabs stop at the last column */
	put(t, CSI "3g" CSI "1;5H" ESC "H" CSI "1;1H\tx");
	at(t, 5, 0); /* the only stop left is column 4 */
	put(t, CSI "1;1H\t" CSI "g" CSI "1;1H\t");
	at(t, 79, 0);
	put(t, ESC "c" CSI "1;20H" CSI "2Z");
	at(t, 8, 0); /* back two stops */
	put(t, CSI "3I");
	at(t, 32, 0);
	term_free(t);
}

HTEST(vt_wrap_pending)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "1;78Habc");
	at(t, 79, 0);
	HCHECK(t->vt.wrap_pending);
	HCHECK_EQ(VT_CELL_CHAR(t->cells[79]), 'c');
	put(t, "d");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[COLS]), 'd');
	at(t, 1, 1);
	/* CR clears the pending wrap; BS steps back from the last column. */
	put(t, CSI "3;79Hxy\r");
	at(t, 0, 2);
	put(t, CSI "4;79Hxy\bz");
	HCHECK_STREQ(row(t, 3) + 77, " zy");
	/* HT at the last column keeps the pending wrap (Linux). */
	put(t, CSI "5;79Hxy\tz");
	HCHECK_STREQ(row(t, 5), "z");
	/* Wrap at the bottom scrolls. */
	put(t, CSI "25;80HQR");
	HCHECK_STREQ(row(t, 24), "R");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[23 * COLS + 79]), 'Q');
	term_free(t);
}

HTEST(vt_autowrap_off)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "?7l" CSI "1;78Habcdef");
	at(t, 79, 0);
	HCHECK_EQ(VT_CELL_CHAR(t->cells[79]), 'f');
	HCHECK_STREQ(row(t, 1), "");
	put(t, CSI "?7h" CSI "2;80Hgh");
	HCHECK_STREQ(row(t, 2), "h");
	term_free(t);
}

HTEST(vt_cursor_moves_and_clamping)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "10;20H");
	at(t, 19, 9);
	put(t, CSI "A");
	at(t, 19, 8);
	put(t, CSI "3A");
	at(t, 19, 5);
	put(t, CSI "0B"); /* 0 counts as 1 */
	at(t, 19, 6);
	put(t, CSI "2C");
	at(t, 21, 6);
	put(t, CSI "D");
	at(t, 20, 6);
	put(t, CSI "2E");
	at(t, 0, 8);
	put(t, CSI "5G" CSI "F");
	at(t, 0, 7);
	put(t, CSI "7d");
	at(t, 0, 6);
	put(t, CSI "12G");
	at(t, 11, 6);
	put(t, CSI "3;4f");
	at(t, 3, 2);
	put(t, CSI "H");
	at(t, 0, 0);
	put(t, CSI ";5H");
	at(t, 4, 0);
	put(t, CSI "5;H");
	at(t, 0, 4);
	put(t, CSI "99A");
	at(t, 0, 0);
	put(t, CSI "999B" CSI "999C");
	at(t, 79, 24);
	put(t, CSI "99999999;99999999H");
	at(t, 79, 24);
	put(t, CSI "99999999999999999999D");
	at(t, 0, 24);
	put(t, CSI "0;0H");
	at(t, 0, 0);
	put(t, CSI "3`" CSI "2a" CSI "2e");
	at(t, 4, 2);
	term_free(t);
}

HTEST(vt_erase_display_and_line)
{
	struct term *t = term_new(ROWS, COLS, false);

	number_rows(t);
	put(t, CSI "3;1Habcdef" CSI "3;4H" CSI "K");
	HCHECK_STREQ(row(t, 2), "abc");
	put(t, CSI "3;2H" CSI "1K");
	HCHECK_STREQ(row(t, 2), "  c");
	put(t, CSI "2K");
	HCHECK_STREQ(row(t, 2), "");
	put(t, CSI "5;2H" CSI "J");
	HCHECK_STREQ(row(t, 3), "3");
	HCHECK_STREQ(row(t, 4), "4");
	HCHECK_STREQ(row(t, 5), "");
	HCHECK_STREQ(row(t, 24), "");
	number_rows(t);
	put(t, CSI "12;2H" CSI "1J");
	HCHECK_STREQ(row(t, 10), "");
	HCHECK_STREQ(row(t, 11), "");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[11 * COLS + 2]), ' ');
	HCHECK_STREQ(row(t, 12), "12");
	put(t, CSI "2J");
	for (unsigned y = 0; y < ROWS; y++)
		HCHECK_STREQ(row(t, y), "");
	at(t, 1, 11); /* ED does not move the cursor */
	number_rows(t);
	put(t, CSI "3J" CSI "7J" CSI "7K");
	HCHECK_STREQ(row(t, 0), "");
	term_free(t);
}

HTEST(vt_erase_uses_background)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "44m" CSI "2J" CSI "1;37m"
		   "x");
	HCHECK_EQ(attr_at(t, 5, 5), 0x17);
	HCHECK_EQ(attr_at(t, 0, 0), 0x1f);
	term_free(t);
}

HTEST(vt_insert_delete_lines)
{
	struct term *t = term_new(ROWS, COLS, false);

	number_rows(t);
	put(t, CSI "3;5H" CSI "2L");
	HCHECK_STREQ(row(t, 1), "1");
	HCHECK_STREQ(row(t, 2), "");
	HCHECK_STREQ(row(t, 3), "");
	HCHECK_STREQ(row(t, 4), "2");
	HCHECK_STREQ(row(t, 24), "22");
	at(t, 4, 2);
	put(t, CSI "M");
	HCHECK_STREQ(row(t, 2), "");
	HCHECK_STREQ(row(t, 3), "2");
	HCHECK_STREQ(row(t, 23), "22");
	HCHECK_STREQ(row(t, 24), "");
	number_rows(t);
	put(t, CSI "1;1H" CSI "999M");
	for (unsigned y = 0; y < ROWS; y++)
		HCHECK_STREQ(row(t, y), "");
	/* Inside a region only; outside it IL/DL do nothing. */
	number_rows(t);
	put(t, CSI "5;10r" CSI "6;1H" CSI "L");
	HCHECK_STREQ(row(t, 5), "");
	HCHECK_STREQ(row(t, 6), "5");
	HCHECK_STREQ(row(t, 9), "8");
	HCHECK_STREQ(row(t, 10), "10");
	put(t, CSI "20;1H" CSI "3L" CSI "2;1H" CSI "3M");
	HCHECK_STREQ(row(t, 19), "19");
	HCHECK_STREQ(row(t, 1), "1");
	term_free(t);
}

HTEST(vt_insert_delete_erase_chars)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, "abcdef" CSI "1;3H" CSI "2P");
	HCHECK_STREQ(row(t, 0), "abef");
	put(t, CSI "@");
	HCHECK_STREQ(row(t, 0), "ab ef");
	put(t, CSI "3@"
		   "XYZ");
	HCHECK_STREQ(row(t, 0), "abXYZ ef");
	put(t, CSI "1;2H" CSI "2X");
	HCHECK_STREQ(row(t, 0), "a  YZ ef");
	at(t, 1, 0);
	put(t, CSI "999P");
	HCHECK_STREQ(row(t, 0), "a");
	put(t, CSI "1;79Hxy" CSI "1;79H" CSI "99@");
	HCHECK_STREQ(row(t, 0), "a");
	put(t, CSI "1;80Hq" CSI "99999X" CSI "1;78H" CSI "5P");
	HCHECK_STREQ(row(t, 0), "a");
	/* Insert mode (IRM) shifts the line as glyphs arrive. */
	put(t, CSI "2;1Hworld" CSI "2;1H" CSI "4hhello " CSI "4l");
	HCHECK_STREQ(row(t, 1), "hello world");
	term_free(t);
}

HTEST(vt_scroll_region)
{
	struct term *t = term_new(ROWS, COLS, false);

	number_rows(t);
	put(t, CSI "3;6r");
	at(t, 0, 0); /* DECSTBM homes the cursor */
	put(t, CSI "6;1H\n");
	HCHECK_STREQ(row(t, 1), "1");
	HCHECK_STREQ(row(t, 2), "3");
	HCHECK_STREQ(row(t, 4), "5");
	HCHECK_STREQ(row(t, 5), "");
	HCHECK_STREQ(row(t, 6), "6");
	at(t, 0, 5);
	put(t, CSI "3;1H" ESC "M");
	HCHECK_STREQ(row(t, 2), "");
	HCHECK_STREQ(row(t, 3), "3");
	HCHECK_STREQ(row(t, 5), "5");
	put(t, CSI "2S");
	HCHECK_STREQ(row(t, 2), "4");
	HCHECK_STREQ(row(t, 3), "5");
	HCHECK_STREQ(row(t, 4), "");
	put(t, CSI "T");
	HCHECK_STREQ(row(t, 2), "");
	HCHECK_STREQ(row(t, 3), "4");
	put(t, CSI "999T");
	HCHECK_STREQ(row(t, 3), "");
	HCHECK_STREQ(row(t, 6), "6");
	/* Below the region LF moves down to the last row and stays. */
	put(t, CSI "24;1H\n\n\n");
	at(t, 0, 24);
	HCHECK_STREQ(row(t, 23), "23");
	/* Bad regions are ignored; CSI r resets to the full screen. */
	put(t, CSI "6;3r" CSI "5;5r" CSI "0;99999r");
	HCHECK_EQ(t->vt.top, 0);
	HCHECK_EQ(t->vt.bottom, 24);
	put(t, CSI "3;6r" CSI "r");
	HCHECK_EQ(t->vt.top, 0);
	HCHECK_EQ(t->vt.bottom, 24);
	term_free(t);
}

HTEST(vt_origin_mode)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "5;10r" CSI "?6h");
	at(t, 0, 4);
	put(t, CSI "2;3H");
	at(t, 2, 5);
	put(t, CSI "99;1H");
	at(t, 0, 9);
	put(t, CSI "6n");
	HCHECK_STREQ(t->reply, ESC "[6;1R");
	put(t, CSI "?6l");
	at(t, 0, 0);
	term_free(t);
}

HTEST(vt_index_and_next_line)
{
	struct term *t = term_new(ROWS, COLS, false);

	number_rows(t);
	put(t, CSI "25;3H" ESC "D");
	HCHECK_STREQ(row(t, 0), "1");
	HCHECK_STREQ(row(t, 24), "");
	at(t, 2, 24);
	put(t, CSI "10;5H" ESC "E");
	at(t, 0, 10);
	put(t, CSI "H" ESC "M");
	HCHECK_STREQ(row(t, 0), "");
	HCHECK_STREQ(row(t, 1), "1");
	term_free(t);
}

HTEST(vt_save_restore)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "5;6H" CSI "31m" ESC "7" CSI "H" CSI "0m" ESC "8"
		   "r");
	at(t, 6, 4);
	HCHECK_EQ(attr_at(t, 5, 4), 0x04); /* red restored with the position */
	put(t, CSI "10;11H" CSI "s" CSI "H" CSI "u");
	at(t, 10, 9);
	put(t, CSI "2;2H" CSI "?1048h" CSI "H" CSI "?1048l");
	at(t, 1, 1);
	term_free(t);
}

HTEST(vt_sgr_attributes)
{
	struct term *t = term_new(ROWS, COLS, false);
	static const struct {
		const char *seq;
		uint8_t attr;
	} cases[] = {
		{ CSI "m", 0x07 },
		{ CSI "0m", 0x07 },
		{ CSI "1m", 0x0f },
		{ CSI "2m", 0x08 },
		{ CSI "4m", 0x03 },
		{ CSI "5m", 0x87 },
		{ CSI "7m", 0x70 },
		{ CSI "1;7m", 0x78 },
		{ CSI "31m", 0x04 },
		{ CSI "32m", 0x02 },
		{ CSI "33m", 0x06 },
		{ CSI "34m", 0x01 },
		{ CSI "35m", 0x05 },
		{ CSI "36m", 0x03 },
		{ CSI "37m", 0x07 },
		{ CSI "30;47m", 0x70 },
		{ CSI "41m", 0x47 },
		{ CSI "44;33m", 0x16 },
		{ CSI "91m", 0x0c },
		{ CSI "97m", 0x0f },
		{ CSI "104m", 0x17 },
		{ CSI "1;31m", 0x0c },
		{ CSI "1;22m", 0x07 },
		{ CSI "4;24m", 0x07 },
		{ CSI "21m", 0x03 },
		{ CSI "5;25m", 0x07 },
		{ CSI "7;27m", 0x07 },
		{ CSI "31;39m", 0x07 },
		{ CSI "41;49m", 0x07 },
		{ CSI "38;5;1m", 0x04 },
		{ CSI "38;5;9m", 0x0c },
		{ CSI "48;5;4m", 0x17 },
		{ CSI "38;2;255;255;255m", 0x0f },
		{ CSI "38;2;0;0;150m", 0x01 },
		{ CSI "38;2;0;0;200m", 0x09 },
		{ CSI "38;5;232m", 0x00 },
		{ CSI "3;10;11;12m", 0x07 },
		{ CSI "31;1;2m", 0x08 | 0x08 },
		{ CSI "38;5m", 0x07 },
		{ CSI "38;2;1m", 0x07 },
		{ CSI "999999m", 0x07 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(t, CSI "0m" CSI "H");
		put(t, cases[i].seq);
		put(t, "x");
		if (attr_at(t, 0, 0) != cases[i].attr)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].seq + 1);
		HCHECK_EQ(attr_at(t, 0, 0), cases[i].attr);
	}
	term_free(t);
}

HTEST(vt_cursor_visibility_callback)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "?25l");
	HCHECK(!t->cvis);
	put(t, CSI "?25h" CSI "3;4H");
	HCHECK(t->cvis);
	HCHECK_EQ(t->cx, 3);
	HCHECK_EQ(t->cy, 2);
	put(t, CSI "?25l" ESC "c");
	HCHECK(t->cvis);
	term_free(t);
}

HTEST(vt_alternate_screen)
{
	struct term *t = term_new(ROWS, COLS, true);

	put(t, "main text" CSI "5;7H");
	put(t, CSI "?1049h");
	HCHECK_STREQ(row(t, 0), "");
	put(t, CSI "H"
		   "editor");
	put(t, CSI "?1049h"); /* a second enter does not save the editor */
	put(t, CSI "?1049l");
	HCHECK_STREQ(row(t, 0), "main text");
	at(t, 6, 4);
	put(t, CSI "?47h"
		   "x" CSI "?47l");
	HCHECK_STREQ(row(t, 0), "main text");
	put(t, CSI "?1049l"); /* leaving twice changes nothing */
	HCHECK_STREQ(row(t, 0), "main text");
	term_free(t);

	/* Without a save area the screen is cleared both ways. */
	t = term_new(ROWS, COLS, false);
	put(t, "main" CSI "?1049h"
	       "alt" CSI "?1049l");
	HCHECK_STREQ(row(t, 0), "");
	term_free(t);
}

HTEST(vt_reports)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, CSI "12;34H" CSI "6n");
	HCHECK_STREQ(t->reply, ESC "[12;34R");
	t->reply_len = 0;
	put(t, CSI "999;999H" CSI "6n");
	HCHECK_STREQ(t->reply, ESC "[25;80R");
	t->reply_len = 0;
	put(t, CSI "5n");
	HCHECK_STREQ(t->reply, ESC "[0n");
	t->reply_len = 0;
	put(t, CSI "c");
	HCHECK_STREQ(t->reply, ESC "[?6c");
	t->reply_len = 0;
	put(t, ESC "Z");
	HCHECK_STREQ(t->reply, ESC "[?6c");
	t->reply_len = 0;
	put(t, CSI "?1c" CSI ">c" CSI "?6n" CSI "7n");
	HCHECK_EQ(t->reply_len, 0);
	t->vt.reply = NULL;
	put(t, CSI "6n"); /* no reply callback: dropped */
	term_free(t);
}

HTEST(vt_strings_and_unknown_sequences_draw_nothing)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, ESC "]0;window title\a"
		   "a");
	put(t, ESC "]2;title" ESC "\\"
		   "b");
	put(t, ESC "P1$r q" ESC "\\"
		   "c");
	put(t, ESC "_apc" ESC "\\" ESC "^pm" ESC "\\" ESC "Xsos" ESC "\\"
		   "d");
	put(t, ESC "]R"
		   "e");
	put(t, ESC "]P0a0b0c0"
		   "f");
	put(t, ESC "]Pzg"); /* short palette: z draws */
	put(t, ESC "(B" ESC ")0" ESC "%G" ESC "=" ESC ">" ESC "Q"
		   "h");
	put(t, CSI "!p" CSI "?1000;1006h" CSI ">4;2m" CSI "2 q" CSI "y"
		   "i");
	put(t, CSI "1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20m"
		   "j");
	put(t, CSI "1?2m" CSI "1$3m"
		   "k");
	put(t, "\x0e\x0f\x7f"
	       "l");
	put(t, CSI "12\x18"
		   "m" ESC "\x1a"
		   "n");
	put(t, ESC "]0;x\x18"
		   "o");
	HCHECK_STREQ(row(t, 0), "abcdefzghijklmno");
	/* A control inside CSI acts, the sequence goes on: CR, then CUF 10. */
	put(t, CSI "2;3H" CSI "1\r0C"
		   "p");
	HCHECK_STREQ(row(t, 1), "          p");
	/* ESC inside CSI starts a new sequence. */
	put(t, CSI "12" CSI "3;1Hq");
	HCHECK_STREQ(row(t, 2), "q");
	term_free(t);
}

HTEST(vt_reset_and_decaln)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, ESC "#8");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[ROWS * COLS - 1]), 'E');
	put(t, CSI "3;5r" CSI "?7l" CSI "4h" CSI "31m" CSI "3g" ESC "c");
	HCHECK_STREQ(row(t, 0), "");
	HCHECK_EQ(t->vt.top, 0);
	HCHECK_EQ(t->vt.bottom, ROWS - 1);
	HCHECK(t->vt.autowrap);
	HCHECK(!t->vt.insert);
	put(t, "\tx");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[8]), 'x');
	HCHECK_EQ(attr_at(t, 8, 0), VT_ATTR_DEFAULT);
	term_free(t);
}

HTEST(vt_utf8)
{
	struct term *t = term_new(ROWS, COLS, false);

	put(t, "\xe2\x94\x80\xe2\x94\x82"
	       "\xc3\xa9"
	       "\xe4\xb8\xad"
	       "\xf0\x9f\x98\x80"
	       "z");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[0]), 0xc4);
	HCHECK_EQ(VT_CELL_CHAR(t->cells[1]), 0xb3);
	HCHECK_EQ(VT_CELL_CHAR(t->cells[2]), 0x82);
	HCHECK_EQ(VT_CELL_CHAR(t->cells[3]), '?');
	HCHECK_EQ(VT_CELL_CHAR(t->cells[4]), '?');
	HCHECK_EQ(VT_CELL_CHAR(t->cells[5]), 'z');
	put(t, CSI "2H"
		   "\x80"
		   "\xc3"
		   "a"
		   "\xff");
	HCHECK_STREQ(row(t, 1), "??a?");
	term_free(t);
}

HTEST(vt_line_drawing_charset)
{
	struct term *t = term_new(ROWS, COLS, false);
	static const uint8_t box[] = { 0xda, 0xc4, 0xbf, 0xb3, 0xc0, 0xd9, 'q', 0xc5, 'x' };

	/* TERM=linux: enacs ESC ) 0, smacs SO, rmacs SI; and ESC ( 0 for G0. */
	put(t, ESC "(0lqkxmj" ESC "(Bq" ESC ")0\x0en\x0fx");
	for (unsigned i = 0; i < sizeof(box); i++)
		HCHECK_EQ(VT_CELL_CHAR(t->cells[i]), box[i]);
	/* ESC 7 / ESC 8 keep the sets; ESC c resets them. */
	put(t, CSI "2H\x0e" ESC "7\x0f" ESC "8q");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[COLS]), 0xc4);
	put(t, ESC "c"
		   "\x0eq");
	HCHECK_EQ(VT_CELL_CHAR(t->cells[0]), 'q');
	/* Letters below 0x5f are not line drawing. */
	put(t, ESC "(0" CSI "3HAZ^" ESC "(B");
	HCHECK_STREQ(row(t, 2), "AZ^");
	term_free(t);
}

HTEST(vt_dirty_rows)
{
	struct term *t = term_new(ROWS, COLS, false);
	unsigned top, bottom;

	HCHECK(vt_take_dirty(&t->vt, &top, &bottom)); /* the first clear */
	HCHECK_EQ(top, 0);
	HCHECK_EQ(bottom, ROWS - 1);
	HCHECK(!vt_take_dirty(&t->vt, &top, &bottom));
	put(t, CSI "5;1H" CSI "10;20H" CSI "6n"); /* moves draw nothing */
	HCHECK(!vt_take_dirty(&t->vt, &top, &bottom));
	put(t, CSI "4;1Hx" CSI "7;1H" CSI "K");
	HCHECK(vt_take_dirty(&t->vt, &top, &bottom));
	HCHECK_EQ(top, 3);
	HCHECK_EQ(bottom, 6);
	put(t, CSI "3;9r" CSI "9;1H\n");
	HCHECK(vt_take_dirty(&t->vt, &top, &bottom));
	HCHECK_EQ(top, 2);
	HCHECK_EQ(bottom, 8);
	term_free(t);
}

HTEST(vt_tiny_and_wide_screens)
{
	struct term *t = term_new(1, 1, true);

	put(t, "abc\r\n\t" CSI "5;5H" CSI "L" CSI "M" CSI "@" CSI "P" ESC "M" ESC "D");
	put(t, CSI "1;1r" CSI "S" CSI "T" CSI "?1049h" CSI "?1049l" CSI "6n");
	at(t, 0, 0);
	term_free(t);

	t = term_new(3, VT_MAX_COLS + 50, false); /* clamped to VT_MAX_COLS */
	HCHECK_EQ(t->vt.cols, VT_MAX_COLS);
	put(t, CSI "1;9999H\t"
		   "x");
	HCHECK_EQ(t->vt.x, VT_MAX_COLS - 1);
	term_free(t);
}

/* A deterministic generator, so a failure is reproducible. */
static uint32_t fuzz_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static unsigned char fuzz_byte(uint64_t *s)
{
	static const char syntax[] = "\033\033\033[[[[;;;;0123456789?>!\"$ #()]P?\\\a\r\n\b\t"
				     "ABCDEFGHJKLMPSTXZ@`abcdefghlmnrsu78c";
	uint32_t r = fuzz_rand(s);

	if (r % 4 == 0)
		return (unsigned char)(r >> 8);
	return (unsigned char)syntax[(r >> 8) % (sizeof(syntax) - 1)];
}

/* Copy the rows vt_take_dirty names to front, as the VGA driver does. */
static void sync_front(struct term *t, uint16_t *front)
{
	unsigned top, bottom, cols = t->vt.cols;

	if (!vt_take_dirty(&t->vt, &top, &bottom))
		return;
	HCHECK(top <= bottom && bottom < t->vt.rows);
	memcpy(front + top * cols, t->cells + top * cols,
	       (size_t)(bottom - top + 1) * cols * sizeof(uint16_t));
}

/*
 * A well-formed sequence most of the time: ESC [, maybe a private marker,
 * up to 20 parameters of 0 to 25 digits, maybe an intermediate, a final
 * byte; or an ESC sequence, a string, a control or text.
 */
static size_t fuzz_sequence(uint64_t *s, char *buf)
{
	static const char finals[] = "@ABCDEFGHIJKLMPSTXZ`abcdefghlmnrsu";
	static const char privs[] = "?>=<";
	static const char escs[] = "78DEHMZc=>(0)B#8%G";
	uint32_t r = fuzz_rand(s);
	size_t n = 0;

	switch (r % 8) {
	case 0:
		buf[n++] = '\033';
		buf[n++] = escs[fuzz_rand(s) % (sizeof(escs) - 1)];
		return n;
	case 1:
		n = (size_t)snprintf(buf, 64, "\033]%u;title%c", fuzz_rand(s) % 1000,
				     fuzz_rand(s) % 2 ? '\a' : '\033');
		return n;
	case 2:
		buf[n++] = (char)(fuzz_rand(s) % 0x20);
		return n;
	case 3:
		buf[n++] = (char)(' ' + fuzz_rand(s) % 95);
		return n;
	}
	buf[n++] = '\033';
	buf[n++] = '[';
	if (fuzz_rand(s) % 3 == 0)
		buf[n++] = privs[fuzz_rand(s) % (sizeof(privs) - 1)];
	for (unsigned p = 0, np = fuzz_rand(s) % 21; p < np; p++) {
		unsigned digits = fuzz_rand(s) % 8 == 0 ? fuzz_rand(s) % 26 : fuzz_rand(s) % 4;

		for (unsigned d = 0; d < digits; d++)
			buf[n++] = (char)('0' + fuzz_rand(s) % 10);
		if (p + 1 < np)
			buf[n++] = fuzz_rand(s) % 10 ? ';' : ':';
	}
	if (fuzz_rand(s) % 10 == 0)
		buf[n++] = (char)(' ' + fuzz_rand(s) % 16);
	buf[n++] = finals[fuzz_rand(s) % (sizeof(finals) - 1)];
	return n;
}

static void fuzz_screen(unsigned rows, unsigned cols, bool alt, uint64_t seed, size_t bytes)
{
	struct term *t = term_new(rows, cols, alt);
	struct vt *vt = &t->vt;
	size_t size = (size_t)rows * vt->cols * sizeof(uint16_t);
	uint16_t *front = calloc(1, size);

	char seq[1024];
	size_t seq_len = 0, seq_pos = 0;

	for (size_t i = 0; i < bytes; i++) {
		/* Half the bytes are random, half are whole sequences. */
		if (seq_pos == seq_len && fuzz_rand(&seed) % 2) {
			seq_len = fuzz_sequence(&seed, seq);
			seq_pos = 0;
		}
		vt_putc(vt, seq_pos < seq_len ? (unsigned char)seq[seq_pos++] : fuzz_byte(&seed));
		if (vt->x >= vt->cols || vt->y >= vt->rows || vt->top > vt->bottom ||
		    vt->bottom >= vt->rows || vt->nparams > VT_MAX_PARAMS) {
			fprintf(stderr, "  %ux%u seed %llu byte %zu: x=%u y=%u top=%u bottom=%u\n",
				rows, cols, (unsigned long long)seed, i, vt->x, vt->y, vt->top,
				vt->bottom);
			HCHECK(false);
			break;
		}
		for (unsigned p = 0; p < vt->nparams; p++)
			HCHECK(vt->params[p] <= VT_PARAM_MAX);
		if (t->reply_len > sizeof(t->reply) / 2)
			t->reply_len = 0;
		/* Every change is in a row vt_take_dirty reports. */
		if (i % 7 == 0 || i + 1 == bytes) {
			sync_front(t, front);
			HCHECK(memcmp(front, t->cells, size) == 0);
		}
	}
	free(front);
	term_free(t);
}

HTEST(vt_fuzz_invariants)
{
	fuzz_screen(25, 80, true, 1, 200000);
	fuzz_screen(25, 80, false, 2, 100000);
	fuzz_screen(1, 1, true, 3, 50000);
	fuzz_screen(2, 3, false, 4, 50000);
	fuzz_screen(50, 132, true, 5, 50000);
	fuzz_screen(7, VT_MAX_COLS, false, 6, 50000);
}
