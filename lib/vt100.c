/*
 * lib/vt100.c - the terminal emulator behind the VGA console: a state
 * machine over output bytes that draws into a screen of VGA cells (see
 * <lib/vt100.h> for what it understands and its invariants).
 *
 * The parser follows the usual VT500 shape: GROUND prints; ESC starts an
 * escape; ESC [ collects CSI parameters up to a final byte; ESC ] ESC P
 * ESC X ESC ^ ESC _ start strings that are swallowed until BEL or ESC \.
 * C0 controls act even inside a sequence (as on a VT100); CAN and SUB
 * abandon it.  Semantics follow the Linux console where terminals differ
 * (cursor movement ignores the scroll region unless origin mode is on;
 * erasing uses the current background; BS from a pending wrap steps back
 * from the last column).
 *
 * Every coordinate is clamped where it is computed, so a cursor outside
 * the screen, and any cell index outside rows * cols, cannot arise; the
 * host tests fuzz this.  No locks: the caller serializes (lib/vt100.h).
 */
#include <lib/vt100.h>
#include <lib/string.h>

enum vt_state {
	VT_GROUND,
	VT_ESC,
	VT_ESC_INTER, /* ESC, then intermediates: charset designators, ESC # n */
	VT_CSI,
	VT_CSI_IGNORE, /* malformed CSI: swallow up to its final byte */
	VT_STR,        /* OSC/DCS/SOS/PM/APC body, ends at BEL or ESC \ */
	VT_STR_ESC,    /* ESC seen inside a string */
	VT_OSC_START,  /* first byte after ESC ]: Linux's P (palette) and R */
	VT_OSC_PALETTE /* ESC ] P: skipping its colour digits */
};

#define VT_ESC_CHAR       0x1b
#define VT_DEL_CHAR       0x7f
#define VT_C1_FIRST       0x80
#define VT_BLANK_CHAR     ' '
#define VT_UNKNOWN        '?' /* glyph for characters code page 437 lacks */
#define VT_TAB_WIDTH      8
#define VT_PALETTE_DIGITS 7 /* ESC ] P n rr gg bb */
#define VT_DECALN_CHAR    'E'

/* VGA attribute byte: fg in bits 0-3 (bit 3 bright), bg 4-6, blink 7. */
#define VGA_FG_MASK      0x0f
#define VGA_BRIGHT       0x08
#define VGA_BG_SHIFT     4
#define VGA_COLOR_MASK   0x07
#define VGA_BLINK        0x80
#define VGA_SWAP_KEEP    0x88 /* reverse video keeps brightness and blink */
#define VGA_SWAP_COLORS  0x77
#define VGA_DEFAULT_FG   0x07
#define VGA_DEFAULT_BG   0x00
#define VGA_DIM_FG       0x08 /* half bright: dark grey, as Linux */
#define VGA_UNDERLINE_FG 0x03 /* underline: cyan, as Linux on colour VGA */

/* SGR numbers. */
enum {
	SGR_RESET = 0,
	SGR_BOLD = 1,
	SGR_DIM = 2,
	SGR_UNDERLINE = 4,
	SGR_BLINK = 5,
	SGR_REVERSE = 7,
	SGR_NORMAL_21 = 21,
	SGR_NORMAL = 22,
	SGR_NO_UNDERLINE = 24,
	SGR_NO_BLINK = 25,
	SGR_NO_REVERSE = 27,
	SGR_FG = 30,
	SGR_FG_EXT = 38,
	SGR_FG_DEFAULT = 39,
	SGR_BG = 40,
	SGR_BG_EXT = 48,
	SGR_BG_DEFAULT = 49,
	SGR_FG_BRIGHT = 90,
	SGR_BG_BRIGHT = 100,
	SGR_COLORS = 8,
	SGR_EXT_256 = 5,
	SGR_EXT_RGB = 2,
};

/* Modes set and reset by CSI h / CSI l and CSI ? h / CSI ? l. */
enum {
	MODE_INSERT = 4,
	MODE_NEWLINE = 20,
	DEC_ORIGIN = 6,
	DEC_AUTOWRAP = 7,
	DEC_CURSOR = 25,
	DEC_ALT_47 = 47,
	DEC_ALT_1047 = 1047,
	DEC_SAVE_1048 = 1048,
	DEC_ALT_1049 = 1049,
};

/* ANSI colour number (red = 1) to VGA colour number (blue = 1). */
static const uint8_t vt_ansi_to_vga[SGR_COLORS] = { 0, 4, 2, 6, 1, 5, 3, 7 };

/* Unicode to code page 437, for the characters programs commonly draw. */
static const struct {
	uint16_t cp;
	uint8_t glyph;
} vt_cp437[] = {
	{ 0x00a0, 0xff }, { 0x00a1, 0xad }, { 0x00a3, 0x9c }, { 0x00a7, 0x15 }, { 0x00ab, 0xae },
	{ 0x00b0, 0xf8 }, { 0x00b1, 0xf1 }, { 0x00b2, 0xfd }, { 0x00b5, 0xe6 }, { 0x00b7, 0xfa },
	{ 0x00bb, 0xaf }, { 0x00bf, 0xa8 }, { 0x00c4, 0x8e }, { 0x00c5, 0x8f }, { 0x00c7, 0x80 },
	{ 0x00c9, 0x90 }, { 0x00d1, 0xa5 }, { 0x00d6, 0x99 }, { 0x00dc, 0x9a }, { 0x00df, 0xe1 },
	{ 0x00e0, 0x85 }, { 0x00e1, 0xa0 }, { 0x00e2, 0x83 }, { 0x00e4, 0x84 }, { 0x00e5, 0x86 },
	{ 0x00e7, 0x87 }, { 0x00e8, 0x8a }, { 0x00e9, 0x82 }, { 0x00ea, 0x88 }, { 0x00eb, 0x89 },
	{ 0x00ed, 0xa1 }, { 0x00ef, 0x8b }, { 0x00f1, 0xa4 }, { 0x00f3, 0xa2 }, { 0x00f4, 0x93 },
	{ 0x00f6, 0x94 }, { 0x00f7, 0xf6 }, { 0x00fa, 0xa3 }, { 0x00fb, 0x96 }, { 0x00fc, 0x81 },
	{ 0x03c0, 0xe3 }, { 0x2022, 0x07 }, { 0x2190, 0x1b }, { 0x2191, 0x18 }, { 0x2192, 0x1a },
	{ 0x2193, 0x19 }, { 0x2264, 0xf3 }, { 0x2265, 0xf2 }, { 0x2500, 0xc4 }, { 0x2502, 0xb3 },
	{ 0x250c, 0xda }, { 0x2510, 0xbf }, { 0x2514, 0xc0 }, { 0x2518, 0xd9 }, { 0x251c, 0xc3 },
	{ 0x2524, 0xb4 }, { 0x252c, 0xc2 }, { 0x2534, 0xc1 }, { 0x253c, 0xc5 }, { 0x2550, 0xcd },
	{ 0x2551, 0xba }, { 0x2580, 0xdf }, { 0x2584, 0xdc }, { 0x2588, 0xdb }, { 0x2591, 0xb0 },
	{ 0x2592, 0xb1 }, { 0x2593, 0xb2 }, { 0x25b2, 0x1e }, { 0x25bc, 0x1f }, { 0x25c6, 0x04 },
};

static unsigned vt_min(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------------- pen */

static void vt_update_attr(struct vt *vt)
{
	const struct vt_pen *p = &vt->pen;
	unsigned fg = p->fg == VT_COLOR_DEFAULT ? VGA_DEFAULT_FG : p->fg;
	unsigned bg = p->bg == VT_COLOR_DEFAULT ? VGA_DEFAULT_BG : p->bg;
	unsigned erase = (bg & VGA_COLOR_MASK) << VGA_BG_SHIFT | fg;
	unsigned a;

	if (p->underline)
		fg = VGA_UNDERLINE_FG;
	else if (p->dim)
		fg = VGA_DIM_FG;
	if (p->bold)
		fg |= VGA_BRIGHT;
	a = (bg & VGA_COLOR_MASK) << VGA_BG_SHIFT | (fg & VGA_FG_MASK);
	if (p->reverse) {
		a = (a & VGA_SWAP_KEEP) |
		    (((a >> VGA_BG_SHIFT) | (a << VGA_BG_SHIFT)) & VGA_SWAP_COLORS);
		erase = (erase & VGA_SWAP_KEEP) |
			(((erase >> VGA_BG_SHIFT) | (erase << VGA_BG_SHIFT)) & VGA_SWAP_COLORS);
	}
	if (p->blink)
		a |= VGA_BLINK;
	vt->attr = (uint8_t)a;
	vt->erase_attr = (uint8_t)erase;
}

static void vt_pen_reset(struct vt *vt)
{
	vt->pen = (struct vt_pen){ .fg = VT_COLOR_DEFAULT, .bg = VT_COLOR_DEFAULT };
	vt_update_attr(vt);
}

/* An xterm 256-colour index or an RGB triple, to the nearest of 16. */
static uint8_t vt_rgb_to_vga(unsigned r, unsigned g, unsigned b)
{
	const unsigned half = 128, bright = 192;
	unsigned ansi = (r >= half) | (g >= half) << 1 | (b >= half) << 2;
	unsigned max = r > g ? (r > b ? r : b) : (g > b ? g : b);

	return vt_ansi_to_vga[ansi] | (max >= bright && ansi ? VGA_BRIGHT : 0);
}

static uint8_t vt_index_to_vga(unsigned n)
{
	const unsigned cube = 16, cube_end = 232, grey_end = 256, steps = 6;
	const unsigned step = 255 / (steps - 1);

	if (n < SGR_COLORS)
		return vt_ansi_to_vga[n];
	if (n < cube)
		return vt_ansi_to_vga[n - SGR_COLORS] | VGA_BRIGHT;
	if (n < cube_end) {
		n -= cube;
		return vt_rgb_to_vga(n / (steps * steps) * step, n / steps % steps * step,
				     n % steps * step);
	}
	if (n < grey_end) {
		unsigned level = (n - cube_end) * 10 + 8;

		return vt_rgb_to_vga(level, level, level);
	}
	return VGA_DEFAULT_FG;
}

/* SGR 38/48: 5;n or 2;r;g;b.  Returns how many parameters it used. */
static unsigned vt_sgr_extended(struct vt *vt, unsigned i, uint8_t *color)
{
	const unsigned *p = vt->params;
	unsigned n = vt->nparams;

	if (i + 1 < n && p[i + 1] == SGR_EXT_256) {
		if (i + 2 < n)
			*color = vt_index_to_vga(p[i + 2]);
		return 2;
	}
	if (i + 1 < n && p[i + 1] == SGR_EXT_RGB) {
		if (i + 4 < n)
			*color = vt_rgb_to_vga(vt_min(p[i + 2], 255), vt_min(p[i + 3], 255),
					       vt_min(p[i + 4], 255));
		return 4;
	}
	return 0;
}

static void vt_sgr(struct vt *vt)
{
	struct vt_pen *p = &vt->pen;

	if (vt->nparams == 0)
		vt_pen_reset(vt);
	for (unsigned i = 0; i < vt->nparams; i++) {
		unsigned v = vt->params[i];

		if (v == SGR_RESET)
			*p = (struct vt_pen){ .fg = VT_COLOR_DEFAULT, .bg = VT_COLOR_DEFAULT };
		else if (v == SGR_BOLD)
			p->bold = true;
		else if (v == SGR_DIM)
			p->dim = true;
		else if (v == SGR_UNDERLINE)
			p->underline = true;
		else if (v == SGR_BLINK)
			p->blink = true;
		else if (v == SGR_REVERSE)
			p->reverse = true;
		else if (v == SGR_NORMAL || v == SGR_NORMAL_21)
			p->bold = p->dim = false;
		else if (v == SGR_NO_UNDERLINE)
			p->underline = false;
		else if (v == SGR_NO_BLINK)
			p->blink = false;
		else if (v == SGR_NO_REVERSE)
			p->reverse = false;
		else if (v >= SGR_FG && v < SGR_FG + SGR_COLORS)
			p->fg = vt_ansi_to_vga[v - SGR_FG];
		else if (v == SGR_FG_EXT)
			i += vt_sgr_extended(vt, i, &p->fg);
		else if (v == SGR_FG_DEFAULT)
			p->fg = VT_COLOR_DEFAULT;
		else if (v >= SGR_BG && v < SGR_BG + SGR_COLORS)
			p->bg = vt_ansi_to_vga[v - SGR_BG];
		else if (v == SGR_BG_EXT)
			i += vt_sgr_extended(vt, i, &p->bg);
		else if (v == SGR_BG_DEFAULT)
			p->bg = VT_COLOR_DEFAULT;
		else if (v >= SGR_FG_BRIGHT && v < SGR_FG_BRIGHT + SGR_COLORS)
			p->fg = vt_ansi_to_vga[v - SGR_FG_BRIGHT] | VGA_BRIGHT;
		else if (v >= SGR_BG_BRIGHT && v < SGR_BG_BRIGHT + SGR_COLORS)
			p->bg = vt_ansi_to_vga[v - SGR_BG_BRIGHT]; /* bit 7 is blink */
		/* Anything else (italic, fonts, ...) has no VGA form: ignored. */
	}
	vt_update_attr(vt);
}

/* ---------------------------------------------------------------- screen */

static uint16_t vt_blank(const struct vt *vt)
{
	return VT_CELL(VT_BLANK_CHAR, vt->erase_attr);
}

static uint16_t *vt_row(struct vt *vt, unsigned y)
{
	return vt->cells + (size_t)y * vt->cols;
}

/* Blank cells [x0, x1) of row y. */
static void vt_erase(struct vt *vt, unsigned y, unsigned x0, unsigned x1)
{
	uint16_t *row = vt_row(vt, y), blank = vt_blank(vt);

	for (unsigned x = x0; x < x1 && x < vt->cols; x++)
		row[x] = blank;
}

static void vt_erase_rows(struct vt *vt, unsigned y0, unsigned y1)
{
	for (unsigned y = y0; y < y1 && y < vt->rows; y++)
		vt_erase(vt, y, 0, vt->cols);
}

/* Move rows [top, bottom] up by n (new rows at the bottom are blank). */
static void vt_scroll_up(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	unsigned height = bottom - top + 1;

	n = vt_min(n, height);
	if (n < height)
		memmove(vt_row(vt, top), vt_row(vt, top + n),
			(size_t)(height - n) * vt->cols * sizeof(uint16_t));
	vt_erase_rows(vt, bottom + 1 - n, bottom + 1);
}

/* Move rows [top, bottom] down by n (new rows at the top are blank). */
static void vt_scroll_down(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	unsigned height = bottom - top + 1;

	n = vt_min(n, height);
	if (n < height)
		memmove(vt_row(vt, top + n), vt_row(vt, top),
			(size_t)(height - n) * vt->cols * sizeof(uint16_t));
	vt_erase_rows(vt, top, top + n);
}

/* ---------------------------------------------------------------- cursor */

/* Cursor to (x, y), clamped to the screen (to the region in origin mode). */
static void vt_goto(struct vt *vt, long x, long y)
{
	long min_y = vt->origin ? vt->top : 0;
	long max_y = vt->origin ? vt->bottom : vt->rows - 1;

	if (x < 0)
		x = 0;
	if (x >= (long)vt->cols)
		x = vt->cols - 1;
	if (y < min_y)
		y = min_y;
	if (y > max_y)
		y = max_y;
	vt->x = (unsigned)x;
	vt->y = (unsigned)y;
	vt->wrap_pending = false;
}

/* Cursor addressing: y counts from the region's top in origin mode. */
static void vt_goto_origin(struct vt *vt, long x, long y)
{
	vt_goto(vt, x, vt->origin ? y + vt->top : y);
}

static void vt_linefeed(struct vt *vt)
{
	if (vt->y == vt->bottom)
		vt_scroll_up(vt, vt->top, vt->bottom, 1);
	else if (vt->y + 1 < vt->rows)
		vt->y++;
	vt->wrap_pending = false;
}

static void vt_reverse_index(struct vt *vt)
{
	if (vt->y == vt->top)
		vt_scroll_down(vt, vt->top, vt->bottom, 1);
	else if (vt->y > 0)
		vt->y--;
	vt->wrap_pending = false;
}

static bool vt_tab_at(const struct vt *vt, unsigned x)
{
	return vt->tabs[x / 8] & (1u << (x % 8));
}

static void vt_tab_forward(struct vt *vt, unsigned n)
{
	unsigned x = vt->x;

	while (n-- > 0 && x + 1 < vt->cols) {
		x++;
		while (x + 1 < vt->cols && !vt_tab_at(vt, x))
			x++;
	}
	vt->x = x;
	vt->wrap_pending = false;
}

static void vt_tab_backward(struct vt *vt, unsigned n)
{
	unsigned x = vt->x;

	while (n-- > 0 && x > 0) {
		x--;
		while (x > 0 && !vt_tab_at(vt, x))
			x--;
	}
	vt->x = x;
	vt->wrap_pending = false;
}

static void vt_save(struct vt *vt, struct vt_saved *s)
{
	*s = (struct vt_saved){ .x = vt->x, .y = vt->y, .pen = vt->pen, .origin = vt->origin };
}

static void vt_restore(struct vt *vt, const struct vt_saved *s)
{
	vt->pen = s->pen;
	vt->origin = s->origin;
	vt_update_attr(vt);
	vt_goto(vt, s->x, s->y);
}

/* ---------------------------------------------------------------- glyphs */

static void vt_put_glyph(struct vt *vt, uint8_t glyph)
{
	uint16_t *row;

	if (vt->wrap_pending && vt->autowrap) {
		vt->x = 0;
		vt_linefeed(vt);
	}
	vt->wrap_pending = false;
	row = vt_row(vt, vt->y);
	if (vt->insert && vt->x + 1 < vt->cols)
		memmove(&row[vt->x + 1], &row[vt->x],
			(size_t)(vt->cols - vt->x - 1) * sizeof(uint16_t));
	row[vt->x] = VT_CELL(glyph, vt->attr);
	if (vt->x + 1 < vt->cols)
		vt->x++;
	else if (vt->autowrap)
		vt->wrap_pending = true;
}

static uint8_t vt_unicode_glyph(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(vt_cp437) / sizeof(vt_cp437[0]); i++)
		if (vt_cp437[i].cp == cp)
			return vt_cp437[i].glyph;
	return VT_UNKNOWN;
}

/* A byte >= 0x80 in the ground state: part of a UTF-8 character. */
static void vt_utf8(struct vt *vt, unsigned char c)
{
	const unsigned char cont_mask = 0xc0, cont = 0x80;

	if ((c & cont_mask) == cont) {
		if (!vt->utf_left) {
			vt_put_glyph(vt, VT_UNKNOWN);
			return;
		}
		vt->utf_cp = vt->utf_cp << 6 | (c & 0x3f);
		if (--vt->utf_left == 0)
			vt_put_glyph(vt, vt_unicode_glyph(vt->utf_cp));
		return;
	}
	if (vt->utf_left)
		vt_put_glyph(vt, VT_UNKNOWN); /* cut short */
	if ((c & 0xe0) == 0xc0) {
		vt->utf_cp = c & 0x1f;
		vt->utf_left = 1;
	} else if ((c & 0xf0) == 0xe0) {
		vt->utf_cp = c & 0x0f;
		vt->utf_left = 2;
	} else if ((c & 0xf8) == 0xf0) {
		vt->utf_cp = c & 0x07;
		vt->utf_left = 3;
	} else {
		vt->utf_left = 0;
		vt_put_glyph(vt, VT_UNKNOWN);
	}
}

/* ---------------------------------------------------------------- replies */

static void vt_reply(struct vt *vt, const char *s, size_t n)
{
	if (vt->reply)
		vt->reply(vt->ctx, s, n);
}

/* Append decimal v to buf at *len (buf has room: v <= VT_MAX_COLS). */
static void vt_append_num(char *buf, size_t *len, unsigned v)
{
	char digits[12];
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[(*len)++] = digits[--n];
}

static void vt_report_cursor(struct vt *vt)
{
	char buf[VT_REPLY_MAX];
	size_t len = 0;
	unsigned y = vt->origin ? vt->y - vt->top : vt->y;

	buf[len++] = VT_ESC_CHAR;
	buf[len++] = '[';
	vt_append_num(buf, &len, y + 1);
	buf[len++] = ';';
	vt_append_num(buf, &len, vt->x + 1);
	buf[len++] = 'R';
	vt_reply(vt, buf, len);
}

static void vt_identify(struct vt *vt)
{
	static const char id[] = "\033[?6c"; /* a VT102, as Linux says */

	vt_reply(vt, id, sizeof(id) - 1);
}

/* ---------------------------------------------------------------- CSI */

/* Parameter i, or dflt when it is missing or 0 (counts: 0 means 1). */
static unsigned vt_arg(const struct vt *vt, unsigned i, unsigned dflt)
{
	return i < vt->nparams && vt->params[i] ? vt->params[i] : dflt;
}

/* Parameter i as given, 0 when missing (selectors such as J's 0/1/2). */
static unsigned vt_sel(const struct vt *vt, unsigned i)
{
	return i < vt->nparams ? vt->params[i] : 0;
}

static void vt_erase_display(struct vt *vt, unsigned how)
{
	switch (how) {
	case 0:
		vt_erase(vt, vt->y, vt->x, vt->cols);
		vt_erase_rows(vt, vt->y + 1, vt->rows);
		break;
	case 1:
		vt_erase_rows(vt, 0, vt->y);
		vt_erase(vt, vt->y, 0, vt->x + 1);
		break;
	case 2:
	case 3:
		vt_erase_rows(vt, 0, vt->rows);
		break;
	}
	vt->wrap_pending = false;
}

static void vt_erase_line(struct vt *vt, unsigned how)
{
	switch (how) {
	case 0:
		vt_erase(vt, vt->y, vt->x, vt->cols);
		break;
	case 1:
		vt_erase(vt, vt->y, 0, vt->x + 1);
		break;
	case 2:
		vt_erase(vt, vt->y, 0, vt->cols);
		break;
	}
	vt->wrap_pending = false;
}

/* CSI L / CSI M: only inside the scroll region. */
static void vt_insert_lines(struct vt *vt, unsigned n, bool insert)
{
	if (vt->y < vt->top || vt->y > vt->bottom)
		return;
	if (insert)
		vt_scroll_down(vt, vt->y, vt->bottom, n);
	else
		vt_scroll_up(vt, vt->y, vt->bottom, n);
	vt->wrap_pending = false;
}

/* CSI @ / CSI P: shift the rest of the line right or left by n. */
static void vt_insert_chars(struct vt *vt, unsigned n, bool insert)
{
	uint16_t *row = vt_row(vt, vt->y);
	unsigned rest = vt->cols - vt->x;

	n = vt_min(n, rest);
	if (insert) {
		memmove(&row[vt->x + n], &row[vt->x], (size_t)(rest - n) * sizeof(uint16_t));
		vt_erase(vt, vt->y, vt->x, vt->x + n);
	} else {
		memmove(&row[vt->x], &row[vt->x + n], (size_t)(rest - n) * sizeof(uint16_t));
		vt_erase(vt, vt->y, vt->cols - n, vt->cols);
	}
	vt->wrap_pending = false;
}

static void vt_set_region(struct vt *vt)
{
	unsigned top = vt_arg(vt, 0, 1) - 1;
	unsigned bottom = vt_min(vt_arg(vt, 1, vt->rows), vt->rows) - 1;

	if (top >= bottom)
		return; /* a region of one line, or upside down: ignored */
	vt->top = top;
	vt->bottom = bottom;
	vt_goto_origin(vt, 0, 0);
}

static void vt_alt_screen(struct vt *vt, bool on, bool cursor)
{
	size_t cells = (size_t)vt->rows * vt->cols;

	if (on == vt->alt_active)
		return;
	if (on) {
		if (cursor)
			vt_save(vt, &vt->alt_saved);
		if (vt->alt_save)
			memcpy(vt->alt_save, vt->cells, cells * sizeof(uint16_t));
		vt_erase_rows(vt, 0, vt->rows);
	} else {
		if (vt->alt_save)
			memcpy(vt->cells, vt->alt_save, cells * sizeof(uint16_t));
		else
			vt_erase_rows(vt, 0, vt->rows);
		if (cursor)
			vt_restore(vt, &vt->alt_saved);
	}
	vt->alt_active = on;
}

static void vt_set_mode(struct vt *vt, unsigned mode, bool on)
{
	if (vt->priv == 0) {
		if (mode == MODE_INSERT)
			vt->insert = on;
		else if (mode == MODE_NEWLINE)
			vt->newline = on;
		return;
	}
	if (vt->priv != '?')
		return;
	switch (mode) {
	case DEC_ORIGIN:
		vt->origin = on;
		vt_goto_origin(vt, 0, 0);
		break;
	case DEC_AUTOWRAP:
		vt->autowrap = on;
		if (!on)
			vt->wrap_pending = false;
		break;
	case DEC_CURSOR:
		vt->cursor_visible = on;
		break;
	case DEC_ALT_47:
	case DEC_ALT_1047:
		vt_alt_screen(vt, on, false);
		break;
	case DEC_SAVE_1048:
		if (on)
			vt_save(vt, &vt->saved);
		else
			vt_restore(vt, &vt->saved);
		break;
	case DEC_ALT_1049:
		vt_alt_screen(vt, on, true);
		break;
	}
}

static void vt_csi_modes(struct vt *vt, bool on)
{
	for (unsigned i = 0; i < vt->nparams; i++)
		vt_set_mode(vt, vt->params[i], on);
}

static void vt_csi_report(struct vt *vt)
{
	static const char ok[] = "\033[0n";
	const unsigned status = 5, position = 6;

	if (vt->priv)
		return;
	if (vt_sel(vt, 0) == status)
		vt_reply(vt, ok, sizeof(ok) - 1);
	else if (vt_sel(vt, 0) == position)
		vt_report_cursor(vt);
}

static void vt_csi_tab_clear(struct vt *vt)
{
	const unsigned all = 3;

	if (vt_sel(vt, 0) == 0)
		vt->tabs[vt->x / 8] &= (uint8_t) ~(1u << (vt->x % 8));
	else if (vt_sel(vt, 0) == all)
		memset(vt->tabs, 0, sizeof(vt->tabs));
}

/* Cursor movement and addressing; false if final is not one of them. */
static bool vt_csi_move(struct vt *vt, unsigned char final)
{
	long x = vt->x, y = vt->y, n = vt_arg(vt, 0, 1);

	switch (final) {
	case 'A':
		vt_goto(vt, x, y - n);
		break;
	case 'B':
	case 'e':
		vt_goto(vt, x, y + n);
		break;
	case 'C':
	case 'a':
		vt_goto(vt, x + n, y);
		break;
	case 'D':
		vt_goto(vt, x - n, y);
		break;
	case 'E':
		vt_goto(vt, 0, y + n);
		break;
	case 'F':
		vt_goto(vt, 0, y - n);
		break;
	case 'G':
	case '`':
		vt_goto(vt, n - 1, y);
		break;
	case 'd':
		vt_goto_origin(vt, x, n - 1);
		break;
	case 'H':
	case 'f':
		vt_goto_origin(vt, (long)vt_arg(vt, 1, 1) - 1, n - 1);
		break;
	default:
		return false;
	}
	return true;
}

static void vt_csi_dispatch(struct vt *vt, unsigned char final)
{
	unsigned n = vt_arg(vt, 0, 1);

	if (vt->inter)
		return; /* CSI ! p, CSI " q, ...: nothing the console does */
	if (final == 'h' || final == 'l') {
		vt_csi_modes(vt, final == 'h');
		return;
	}
	if (final == 'n') {
		vt_csi_report(vt);
		return;
	}
	if (final == 'c') {
		if (!vt->priv && vt_sel(vt, 0) == 0)
			vt_identify(vt);
		return; /* CSI ? n c sets Linux's cursor shape: ignored */
	}
	if (vt->priv)
		return;
	if (vt_csi_move(vt, final))
		return;
	switch (final) {
	case 'J':
		vt_erase_display(vt, vt_sel(vt, 0));
		break;
	case 'K':
		vt_erase_line(vt, vt_sel(vt, 0));
		break;
	case 'L':
		vt_insert_lines(vt, n, true);
		break;
	case 'M':
		vt_insert_lines(vt, n, false);
		break;
	case '@':
		vt_insert_chars(vt, n, true);
		break;
	case 'P':
		vt_insert_chars(vt, n, false);
		break;
	case 'X':
		vt_erase(vt, vt->y, vt->x, vt->x + vt_min(n, vt->cols - vt->x));
		vt->wrap_pending = false;
		break;
	case 'S':
		vt_scroll_up(vt, vt->top, vt->bottom, n);
		break;
	case 'T':
		if (vt->nparams <= 1) /* more: xterm mouse tracking */
			vt_scroll_down(vt, vt->top, vt->bottom, n);
		break;
	case 'I':
		vt_tab_forward(vt, n);
		break;
	case 'Z':
		vt_tab_backward(vt, n);
		break;
	case 'g':
		vt_csi_tab_clear(vt);
		break;
	case 'm':
		vt_sgr(vt);
		break;
	case 'r':
		vt_set_region(vt);
		break;
	case 's':
		vt_save(vt, &vt->saved);
		break;
	case 'u':
		vt_restore(vt, &vt->saved);
		break;
	}
}

/* ---------------------------------------------------------------- parser */

static void vt_csi_begin(struct vt *vt)
{
	vt->state = VT_CSI;
	vt->priv = 0;
	vt->inter = 0;
	vt->nparams = 0;
	vt->param_started = false;
	memset(vt->params, 0, sizeof(vt->params));
}

static void vt_csi_byte(struct vt *vt, unsigned char c)
{
	if (c >= '0' && c <= '9') {
		unsigned *p;

		if (vt->inter)
			goto malformed;
		if (!vt->param_started) {
			vt->param_started = true;
			if (vt->nparams < VT_MAX_PARAMS)
				vt->nparams++;
		}
		p = &vt->params[vt->nparams - 1];
		*p = vt_min(*p * 10 + (c - '0'), VT_PARAM_MAX);
		return;
	}
	if (c == ';' || c == ':') {
		if (vt->inter)
			goto malformed;
		if (!vt->param_started && vt->nparams < VT_MAX_PARAMS)
			vt->nparams++; /* an empty parameter: its default */
		vt->param_started = false;
		return;
	}
	if (c >= '<' && c <= '?') {
		if (vt->nparams || vt->param_started || vt->priv || vt->inter)
			goto malformed;
		vt->priv = c;
		return;
	}
	if (c >= 0x20 && c <= 0x2f) {
		vt->inter = c;
		return;
	}
	if (c >= 0x40 && c <= 0x7e) {
		vt->state = VT_GROUND;
		vt_csi_dispatch(vt, c);
		return;
	}
	return; /* DEL and bytes >= 0x80: ignored inside a sequence */
malformed:
	vt->state = VT_CSI_IGNORE;
}

static void vt_esc_dispatch(struct vt *vt, unsigned char c)
{
	vt->state = VT_GROUND;
	switch (c) {
	case '[':
		vt_csi_begin(vt);
		break;
	case ']':
		vt->state = VT_OSC_START;
		break;
	case 'P': /* DCS */
	case 'X': /* SOS */
	case '^': /* PM */
	case '_': /* APC */
		vt->state = VT_STR;
		break;
	case '7':
		vt_save(vt, &vt->saved);
		break;
	case '8':
		vt_restore(vt, &vt->saved);
		break;
	case 'D':
		vt_linefeed(vt);
		break;
	case 'E':
		vt->x = 0;
		vt_linefeed(vt);
		break;
	case 'M':
		vt_reverse_index(vt);
		break;
	case 'H':
		vt->tabs[vt->x / 8] |= (uint8_t)(1u << (vt->x % 8));
		break;
	case 'c':
		vt_reset(vt);
		break;
	case 'Z':
		vt_identify(vt);
		break;
	default:
		if (c >= 0x20 && c <= 0x2f) {
			vt->inter = c;
			vt->state = VT_ESC_INTER;
		}
		/* ESC = / ESC > (keypad modes) and unknown finals: ignored */
		break;
	}
}

static void vt_esc_inter_byte(struct vt *vt, unsigned char c)
{
	if (c >= 0x20 && c <= 0x2f)
		return; /* more intermediates */
	vt->state = VT_GROUND;
	if (vt->inter == '#' && c == '8') { /* DECALN: fill with E */
		for (unsigned y = 0; y < vt->rows; y++)
			for (unsigned x = 0; x < vt->cols; x++)
				vt_row(vt, y)[x] = VT_CELL(VT_DECALN_CHAR, vt->attr);
	}
	/* ESC ( B, ESC ) 0, ESC % G, ...: one character set only */
}

/* Strings: end at BEL or ESC \; an ESC followed by anything else starts
 * that escape sequence. */
static void vt_string_byte(struct vt *vt, unsigned char c)
{
	const unsigned char bel = 0x07;

	if (vt->state == VT_OSC_START) {
		if (c == 'R') { /* reset palette: no terminator on Linux */
			vt->state = VT_GROUND;
			return;
		}
		if (c == 'P') {
			vt->state = VT_OSC_PALETTE;
			vt->str_left = VT_PALETTE_DIGITS;
			return;
		}
		vt->state = VT_STR;
	}
	if (vt->state == VT_OSC_PALETTE) {
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F');

		if (hex && --vt->str_left > 0)
			return;
		vt->state = VT_GROUND;
		if (hex)
			return;
		/* not a digit: the sequence was short; handle c normally */
		vt_putc(vt, c);
		return;
	}
	if (vt->state == VT_STR_ESC) {
		vt->state = VT_GROUND;
		if (c != '\\')
			vt_esc_dispatch(vt, c);
		return;
	}
	if (c == bel)
		vt->state = VT_GROUND;
	else if (c == VT_ESC_CHAR)
		vt->state = VT_STR_ESC;
	/* CAN and SUB abandon the string (in vt_putc) */
}

/* C0 controls; true if c was one (they act in any non-string state). */
static bool vt_control(struct vt *vt, unsigned char c)
{
	switch (c) {
	case '\a':
		return true;
	case '\b':
		vt->wrap_pending = false;
		if (vt->x > 0)
			vt->x--;
		return true;
	case '\t':
		vt_tab_forward(vt, 1);
		return true;
	case '\n':
	case '\v':
	case '\f':
		if (vt->newline || vt->lf_returns)
			vt->x = 0;
		vt_linefeed(vt);
		return true;
	case '\r':
		vt->x = 0;
		vt->wrap_pending = false;
		return true;
	case VT_ESC_CHAR:
		vt->state = VT_ESC;
		vt->inter = 0;
		return true;
	}
	return c < 0x20; /* SO, SI, NUL and the rest: nothing to draw */
}

void vt_putc(struct vt *vt, unsigned char c)
{
	const unsigned char can = 0x18, sub = 0x1a;

	if (c == can || c == sub) {
		vt->state = VT_GROUND;
		vt->utf_left = 0;
		return;
	}
	if (vt->state >= VT_STR) {
		vt_string_byte(vt, c);
		return;
	}
	if (c < 0x20 && vt_control(vt, c))
		return;
	switch (vt->state) {
	case VT_GROUND:
		if (c == VT_DEL_CHAR)
			return;
		if (c >= VT_C1_FIRST) {
			vt_utf8(vt, c);
			return;
		}
		if (vt->utf_left) {
			vt->utf_left = 0;
			vt_put_glyph(vt, VT_UNKNOWN);
		}
		vt_put_glyph(vt, c);
		return;
	case VT_ESC:
		vt_esc_dispatch(vt, c);
		return;
	case VT_ESC_INTER:
		vt_esc_inter_byte(vt, c);
		return;
	case VT_CSI:
		vt_csi_byte(vt, c);
		return;
	case VT_CSI_IGNORE:
		if (c >= 0x40 && c <= 0x7e)
			vt->state = VT_GROUND;
		return;
	}
}

void vt_write(struct vt *vt, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_putc(vt, (unsigned char)s[i]);
	if (vt->cursor)
		vt->cursor(vt->ctx, vt->x, vt->y, vt->cursor_visible);
}

void vt_reset(struct vt *vt)
{
	vt->state = VT_GROUND;
	vt->utf_left = 0;
	vt->x = vt->y = 0;
	vt->wrap_pending = false;
	vt->top = 0;
	vt->bottom = vt->rows - 1;
	vt->autowrap = true;
	vt->insert = vt->origin = vt->newline = vt->alt_active = false;
	vt->cursor_visible = true;
	memset(vt->tabs, 0, sizeof(vt->tabs));
	for (unsigned x = VT_TAB_WIDTH; x < vt->cols; x += VT_TAB_WIDTH)
		vt->tabs[x / 8] |= (uint8_t)(1u << (x % 8));
	vt_pen_reset(vt);
	vt_save(vt, &vt->saved);
	vt->alt_saved = vt->saved;
	vt_erase_rows(vt, 0, vt->rows);
}

void vt_init(struct vt *vt, uint16_t *cells, uint16_t *alt_save, unsigned rows, unsigned cols)
{
	memset(vt, 0, sizeof(*vt));
	vt->cells = cells;
	vt->alt_save = alt_save;
	vt->rows = rows ? rows : 1;
	vt->cols = cols ? vt_min(cols, VT_MAX_COLS) : 1;
	vt_reset(vt);
}
