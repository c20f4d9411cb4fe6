/*
 * test_vt100_replay.c - lib/vt100.c replaying what real programs wrote to
 * a TERM=linux terminal of 25x80 (recorded on Linux from a pty): busybox
 * vi editing a file (alternate screen, absolute addressing, erase to end
 * of line) and bash's readline editing a line longer than the screen is
 * wide (pending wrap at the last column, cursor up across the wrap).
 * The expected screens are what the Linux console showed.
 */
#include <stdlib.h>
#include <string.h>
#include <lib/vt100.h>
#include "htest.h"

#define ROWS 25
#define COLS 80

/* busybox vi f.txt, then: j j A " more" ESC, O "inserted" ESC, x. */
static const char vi_session[] =
	"\033[?1049h\033[H\033[J\033[1;1Hfirst line\033[2;1Hsecond line\033[3;9Ht"
	"hird with tab\033[4;1H~\033[5;1H~\033[6;1H~\033[7;1H~\033[8;1H~\033[9;1H"
	"~\033[10;1H~\033[11;1H~\033[12;1H~\033[13;1H~\033[14;1H~\033[15;1H~\033["
	"16;1H~\033[17;1H~\033[18;1H~\033[19;1H~\033[20;1H~\033[21;1H~\033[22;1H~"
	"\033[23;1H~\033[24;1H~\033[1;1H\033[25;1H\033[K- /tmp/vga/f.txt 1/3 33%"
	"\033[1;1H\033[25;1H\033[K- /tmp/vga/f.txt 2/3 66%\033[1;1H\033[25;1H\033"
	"[K- /tmp/vga/f.txt 3/3 100%\033[1;1H\033[25;1H\033[KI /tmp/vga/f.txt 3/3"
	" 100%\033[1;1H\033[3;24Hmore\033[3;27H\033[25;1H\033[K- /tmp/vga/f.txt ["
	"Modified] 3/3 100%\033[3;27H\033[25;1H\033[KI /tmp/vga/f.txt [Modified] "
	"3/4 75%\033[3;27H\033[3;1Hinserted                   \033[4;1H        th"
	"ird with tab more\033[3;8H\033[25;1H\033[K- /tmp/vga/f.txt [Modified] 3/"
	"4 75%\033[3;8H\033[3;8H \033[3;7H";

/* bash -i, PS1="keel$ ": a 105-character line, Ctrl-A and five Right,
 * "Q", Ctrl-E and three Left, Backspace, Ctrl-A, Home, two Delete, Enter. */
static const char bash_session[] =
	"\033[?2004hkeel$ echo abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx"
	"yzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv\033[A\015\033[C\033[C"
	"\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[CQabcdefghijklmnopq"
	"rstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
	"lmnopqrstuv\033[A\015\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C"
	"\033[C\033[C\033[C\033[C\015\012\015\033[C\033[C\033[C\033[C\033[C\033[C"
	"\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C"
	"\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C\033[C"
	"\033[C\033[C\010\010\010\010\033[1Ptuv\010\010\010\033[A\015\033[C\033[C"
	"\033[C\033[C\033[C\033[Ccho Qabcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
	"rstuvwxyzabcdefghijklmnopqr\033[1Pstuvwxyzabcdefghijklmnopqrtuv\033[A"
	"\015\033[C\033[C\033[C\033[C\033[C\033[Cho Qabcdefghijklmnopqrstuvwxyzab"
	"cdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs\033[1Ptuvwxyzabcdefghijklmno"
	"pqrtuv\033[A\015\033[C\033[C\033[C\033[C\033[C\033[C\015\012\015\015\012"
	"\033[?2004l\015bash: ho: command not found\015\012\033[?2004hkeel$ ";

static void replay(uint16_t *cells, uint16_t *alt, const char *s, size_t n, struct vt *vt)
{
	vt_init(vt, cells, alt, ROWS, COLS);
	for (size_t i = 0; i < n; i++)
		vt_putc(vt, (unsigned char)s[i]);
}

static void check_rows(const uint16_t *cells, const char *const *want, unsigned nwant)
{
	for (unsigned y = 0; y < ROWS; y++) {
		char got[COLS + 1];
		unsigned n = COLS;

		for (unsigned x = 0; x < COLS; x++)
			got[x] = (char)VT_CELL_CHAR(cells[y * COLS + x]);
		while (n > 0 && got[n - 1] == ' ')
			n--;
		got[n] = '\0';
		HCHECK_STREQ(got, y < nwant ? want[y] : "");
	}
}

HTEST(vt_replay_busybox_vi)
{
	static const char *const want[ROWS] = {
		"first line",
		"second line",
		"inserte",
		"        third with tab more",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"~",
		"- /tmp/vga/f.txt [Modified] 3/4 75%",
	};
	uint16_t *cells = malloc(ROWS * COLS * sizeof(uint16_t));
	uint16_t *alt = malloc(ROWS * COLS * sizeof(uint16_t));
	struct vt vt;

	replay(cells, alt, vi_session, sizeof(vi_session) - 1, &vt);
	check_rows(cells, want, ROWS);
	HCHECK_EQ(vt.x, 6);
	HCHECK_EQ(vt.y, 2);
	HCHECK(vt.alt_active);
	/* Leaving vi brings the screen from before it back (here: blank). */
	vt_write(&vt, "\033[?1049l", 8);
	check_rows(cells, want, 0);
	free(cells);
	free(alt);
}

HTEST(vt_replay_bash_readline_wrap)
{
	static const char *const want[] = {
		"keel$ ho Qabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr",
		"stuvwxyzabcdefghijklmnopqrtuv",
		"bash: ho: command not found",
		"keel$",
	};
	uint16_t *cells = malloc(ROWS * COLS * sizeof(uint16_t));
	struct vt vt;

	replay(cells, NULL, bash_session, sizeof(bash_session) - 1, &vt);
	check_rows(cells, want, 4);
	HCHECK_EQ(vt.x, 6);
	HCHECK_EQ(vt.y, 3);
	free(cells);
}
