/*
 * lib/vt100.h - a VT100/ANSI terminal emulator in the dialect of the Linux
 * console (TERM=linux), drawing into a text screen of cells.
 *
 * A cell is what a VGA text buffer holds: the character in the low byte
 * (code page 437) and the colour attribute in the high byte
 * (VT_CELL(ch, attr)).  The caller owns the cell array (rows x cols, row
 * after row), feeds output bytes to vt_write(), and hears back through
 * two optional callbacks: where the cursor is (after every vt_write) and
 * the terminal's answers to queries (ESC [ 6 n, ESC [ c, ESC Z), which
 * belong on the terminal's input side.
 *
 * What it understands: the controls CR LF VT FF BS HT BEL, ESC 7 8 D E M
 * H c Z # 8 and charset designators, the CSI sequences that the Linux
 * console's terminfo entry advertises and busybox vi/less/top and bash's
 * readline emit (cursor movement and addressing, erase in display/line,
 * insert/delete of lines and characters, scrolling region, SGR colours,
 * modes 4 and 20, private modes ?6 ?7 ?25 ?47 ?1047 ?1048 ?1049, reports
 * 5n 6n c), the G0/G1 character sets with SO/SI (the DEC line-drawing set
 * that TERM=linux's enacs/smacs select), Linux's ESC ] P/R palette
 * sequences, and UTF-8 text (shown as
 * code page 437 where it has the glyph, '?' where not).  Every other
 * sequence, and OSC/DCS/APC/PM/SOS strings, are consumed without drawing.
 *
 * Invariants (after every byte, whatever the input): 0 <= x < cols,
 * 0 <= y < rows, 0 <= top <= bottom < rows; no write outside the cell
 * array (or the alternate-screen save area).  Numeric parameters are
 * clamped to VT_PARAM_MAX while they are parsed.
 *
 * Pure and freestanding: no allocation, no locks, no global state.  A
 * struct vt is used by one caller at a time (the VGA driver holds the
 * console lock around vt_write); the callbacks run inside vt_write.
 */
#ifndef LIB_VT100_H
#define LIB_VT100_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_CELL(ch, attr)  ((uint16_t)((uint8_t)(ch) | ((uint16_t)(uint8_t)(attr) << 8)))
#define VT_CELL_CHAR(cell) ((uint8_t)((cell)&0xff))
#define VT_CELL_ATTR(cell) ((uint8_t)((cell) >> 8))

#define VT_MAX_COLS   256 /* wider screens are clamped (tab-stop bitmap) */
#define VT_MAX_PARAMS 16  /* parameters kept per CSI; more are ignored */
#define VT_PARAM_MAX  9999
#define VT_REPLY_MAX  32 /* longest answer to a query */

/* Attribute of a blank screen: grey on black. */
#define VT_ATTR_DEFAULT 0x07

/* The graphic rendition: what SGR sets. */
struct vt_pen {
	uint8_t fg, bg; /* VGA colour 0..15, or VT_COLOR_DEFAULT */
	bool bold, dim, underline, blink, reverse;
};

#define VT_COLOR_DEFAULT 0xff

/* What ESC 7 / CSI s save. */
struct vt_saved {
	unsigned x, y;
	struct vt_pen pen;
	bool origin;
	uint8_t charset[2], gl;
};

struct vt {
	/* Screen: set by vt_init, never changed. */
	uint16_t *cells;    /* rows * cols */
	uint16_t *alt_save; /* rows * cols, or NULL: the alternate screen clears */
	unsigned rows, cols;

	/* Callbacks (optional), with their argument. */
	void (*cursor)(void *ctx, unsigned x, unsigned y, bool visible);
	void (*reply)(void *ctx, const char *s, size_t n);
	void *ctx;
	/* LF also returns the carriage (for output that has no ONLCR). */
	bool lf_returns;

	/* Terminal state. */
	unsigned x, y;
	bool wrap_pending;    /* last column written: the next glyph wraps first */
	unsigned top, bottom; /* scroll region, inclusive rows */
	struct vt_pen pen;
	uint8_t attr, erase_attr; /* pen as VGA attributes (drawing, erasing) */
	struct vt_saved saved, alt_saved;
	bool autowrap, insert, origin, newline, cursor_visible, alt_active;
	uint8_t charset[2]; /* G0, G1: 'B' ASCII or '0' DEC line drawing */
	uint8_t gl;         /* which of them draws: SI picks G0, SO G1 */
	uint8_t tabs[VT_MAX_COLS / 8];
	unsigned dirty_top, dirty_bottom; /* rows changed; top > bottom: none */

	/* Parser state. */
	uint8_t state;
	uint8_t priv;  /* CSI private marker ('?', '>', '=', '<') or 0 */
	uint8_t inter; /* last intermediate byte (0x20..0x2f) or 0 */
	uint8_t nparams;
	bool param_started;
	unsigned params[VT_MAX_PARAMS];
	unsigned str_left; /* ESC ] P: palette digits still to skip */
	uint32_t utf_cp;   /* UTF-8 code point being assembled */
	uint8_t utf_left;  /* continuation bytes still expected */
};

/*
 * Set up vt on cells[rows * cols] (and an optional save area of the same
 * size for the alternate screen), reset it and clear the screen.  rows
 * and cols are clamped to 1..VT_MAX_COLS; callbacks start unset.
 */
void vt_init(struct vt *vt, uint16_t *cells, uint16_t *alt_save, unsigned rows, unsigned cols);

/* Reset to the power-on state and clear the screen (what ESC c does). */
void vt_reset(struct vt *vt);

/*
 * Interpret n output bytes; then report the cursor through vt->cursor.
 * Answers to queries go to vt->reply (dropped if it is NULL).
 */
void vt_write(struct vt *vt, const char *s, size_t n);

/* Interpret one output byte (no cursor callback). */
void vt_putc(struct vt *vt, unsigned char c);

/*
 * The rows whose cells changed since the last call (or vt_init): true
 * with [*top, *bottom] (inclusive; rows between may be unchanged), or
 * false when nothing changed.  Lets a driver that draws into a shadow
 * copy update the real screen once per vt_write.
 */
bool vt_take_dirty(struct vt *vt, unsigned *top, unsigned *bottom);

/*
 * What a cell looks like (lib/vtcell.c, pure): the pen reset to grey on
 * black; SGR parameters params[0..n) applied to a pen (n == 0 resets);
 * the VGA attribute to draw with a pen, and to erase with it (its
 * colours and reverse only); Unicode code point cp as a code page 437
 * glyph ('?' if it has none); c (0x20..0x7e) in the DEC line-drawing set.
 */
void vtcell_pen_reset(struct vt_pen *p);
void vtcell_sgr(struct vt_pen *p, const unsigned *params, unsigned n);
uint8_t vtcell_attr(const struct vt_pen *p);
uint8_t vtcell_erase_attr(const struct vt_pen *p);
uint8_t vtcell_unicode(uint32_t cp);
uint8_t vtcell_dec_graphics(unsigned char c);

#endif
