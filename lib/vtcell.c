/*
 * lib/vtcell.c - what a cell of the VGA terminal looks like (see
 * <lib/vt100.h>): the SGR rendition as a VGA attribute byte, and
 * characters as code page 437 glyphs (a table of the Unicode characters
 * programs commonly draw, and the DEC line-drawing set).
 *
 * Colours follow the Linux console on colour VGA: bold is the bright
 * foreground, dim is dark grey, underline is cyan (VGA text cannot
 * underline), reverse swaps foreground and background but keeps
 * brightness and blink in place, blink is attribute bit 7 (so the bright
 * backgrounds 100..107 lose their brightness).  256-colour and RGB
 * requests take the nearest of the 16.  Erasing uses the pen's colours
 * (TERM=linux has bce) without bold, dim, underline or blink.
 *
 * Pure functions; no state, no locks.
 */
#include <lib/vt100.h>

#define VTCELL_UNKNOWN '?' /* glyph for characters code page 437 lacks */

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
	SGR_DOUBLE_UNDERLINE = 21, /* no VGA form: a single underline, as Linux */
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

/* ANSI colour number (red = 1) to VGA colour number (blue = 1). */
static const uint8_t vtcell_ansi_to_vga[SGR_COLORS] = { 0, 4, 2, 6, 1, 5, 3, 7 };

/* Unicode to code page 437, for the characters programs commonly draw. */
static const struct {
	uint16_t cp;
	uint8_t glyph;
} vtcell_cp437[] = {
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

/* The DEC special graphics set (ESC ( 0) for 0x5f..0x7e, in code page 437. */
#define VTCELL_GRAPHICS_FIRST 0x5f
#define VTCELL_GRAPHICS_END   0x7f
static const uint8_t vtcell_dec_table[VTCELL_GRAPHICS_END - VTCELL_GRAPHICS_FIRST] = {
	' ',  0x04, 0xb1, '?',  '?',  '?',  '?',  0xf8, 0xf1, 0xb0, '?',
	0xd9, 0xbf, 0xda, 0xc0, 0xc5, 0xc4, 0xc4, 0xc4, 0xc4, 0xc4, 0xc3,
	0xb4, 0xc1, 0xc2, 0xb3, 0xf3, 0xf2, 0xe3, '?',  0x9c, 0xfa,
};

static unsigned vtcell_min(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

uint8_t vtcell_attr(const struct vt_pen *p)
{
	unsigned fg = p->fg == VT_COLOR_DEFAULT ? VGA_DEFAULT_FG : p->fg;
	unsigned bg = p->bg == VT_COLOR_DEFAULT ? VGA_DEFAULT_BG : p->bg;
	unsigned a;

	if (p->underline)
		fg = VGA_UNDERLINE_FG;
	else if (p->dim)
		fg = VGA_DIM_FG;
	if (p->bold)
		fg |= VGA_BRIGHT;
	a = (bg & VGA_COLOR_MASK) << VGA_BG_SHIFT | (fg & VGA_FG_MASK);
	if (p->reverse)
		a = (a & VGA_SWAP_KEEP) |
		    (((a >> VGA_BG_SHIFT) | (a << VGA_BG_SHIFT)) & VGA_SWAP_COLORS);
	if (p->blink)
		a |= VGA_BLINK;
	return (uint8_t)a;
}

uint8_t vtcell_erase_attr(const struct vt_pen *p)
{
	struct vt_pen erase = { .fg = p->fg, .bg = p->bg, .reverse = p->reverse };

	return vtcell_attr(&erase);
}

void vtcell_pen_reset(struct vt_pen *p)
{
	*p = (struct vt_pen){ .fg = VT_COLOR_DEFAULT, .bg = VT_COLOR_DEFAULT };
}

/* An xterm 256-colour index or an RGB triple, to the nearest of 16. */
static uint8_t vtcell_rgb(unsigned r, unsigned g, unsigned b)
{
	const unsigned half = 128, bright = 192;
	unsigned ansi = (r >= half) | (g >= half) << 1 | (b >= half) << 2;
	unsigned max = r > g ? (r > b ? r : b) : (g > b ? g : b);

	return vtcell_ansi_to_vga[ansi] | (max >= bright && ansi ? VGA_BRIGHT : 0);
}

static uint8_t vtcell_index(unsigned n)
{
	const unsigned cube = 16, cube_end = 232, grey_end = 256, steps = 6;
	const unsigned step = 255 / (steps - 1);

	if (n < SGR_COLORS)
		return vtcell_ansi_to_vga[n];
	if (n < cube)
		return vtcell_ansi_to_vga[n - SGR_COLORS] | VGA_BRIGHT;
	if (n < cube_end) {
		n -= cube;
		return vtcell_rgb(n / (steps * steps) * step, n / steps % steps * step,
				  n % steps * step);
	}
	if (n < grey_end) {
		unsigned level = (n - cube_end) * 10 + 8;

		return vtcell_rgb(level, level, level);
	}
	return VGA_DEFAULT_FG;
}

/* SGR 38/48: 5;n or 2;r;g;b.  Returns how many parameters it used. */
static unsigned vtcell_sgr_extended(const unsigned *p, unsigned n, unsigned i, uint8_t *color)
{
	if (i + 1 < n && p[i + 1] == SGR_EXT_256) {
		if (i + 2 < n)
			*color = vtcell_index(p[i + 2]);
		return 2;
	}
	if (i + 1 < n && p[i + 1] == SGR_EXT_RGB) {
		if (i + 4 < n)
			*color = vtcell_rgb(vtcell_min(p[i + 2], 255), vtcell_min(p[i + 3], 255),
					    vtcell_min(p[i + 4], 255));
		return 4;
	}
	return 0;
}

void vtcell_sgr(struct vt_pen *p, const unsigned *params, unsigned n)
{
	if (n == 0)
		vtcell_pen_reset(p);
	for (unsigned i = 0; i < n; i++) {
		unsigned v = params[i];

		if (v == SGR_RESET)
			*p = (struct vt_pen){ .fg = VT_COLOR_DEFAULT, .bg = VT_COLOR_DEFAULT };
		else if (v == SGR_BOLD)
			p->bold = true;
		else if (v == SGR_DIM)
			p->dim = true;
		else if (v == SGR_UNDERLINE || v == SGR_DOUBLE_UNDERLINE)
			p->underline = true;
		else if (v == SGR_BLINK)
			p->blink = true;
		else if (v == SGR_REVERSE)
			p->reverse = true;
		else if (v == SGR_NORMAL)
			p->bold = p->dim = false;
		else if (v == SGR_NO_UNDERLINE)
			p->underline = false;
		else if (v == SGR_NO_BLINK)
			p->blink = false;
		else if (v == SGR_NO_REVERSE)
			p->reverse = false;
		else if (v >= SGR_FG && v < SGR_FG + SGR_COLORS)
			p->fg = vtcell_ansi_to_vga[v - SGR_FG];
		else if (v == SGR_FG_EXT)
			i += vtcell_sgr_extended(params, n, i, &p->fg);
		else if (v == SGR_FG_DEFAULT)
			p->fg = VT_COLOR_DEFAULT;
		else if (v >= SGR_BG && v < SGR_BG + SGR_COLORS)
			p->bg = vtcell_ansi_to_vga[v - SGR_BG];
		else if (v == SGR_BG_EXT)
			i += vtcell_sgr_extended(params, n, i, &p->bg);
		else if (v == SGR_BG_DEFAULT)
			p->bg = VT_COLOR_DEFAULT;
		else if (v >= SGR_FG_BRIGHT && v < SGR_FG_BRIGHT + SGR_COLORS)
			p->fg = vtcell_ansi_to_vga[v - SGR_FG_BRIGHT] | VGA_BRIGHT;
		else if (v >= SGR_BG_BRIGHT && v < SGR_BG_BRIGHT + SGR_COLORS)
			p->bg = vtcell_ansi_to_vga[v - SGR_BG_BRIGHT]; /* bit 7 is blink */
		/* Anything else (italic, fonts, ...) has no VGA form: ignored. */
	}
}

uint8_t vtcell_unicode(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(vtcell_cp437) / sizeof(vtcell_cp437[0]); i++)
		if (vtcell_cp437[i].cp == cp)
			return vtcell_cp437[i].glyph;
	return VTCELL_UNKNOWN;
}

uint8_t vtcell_dec_graphics(unsigned char c)
{
	if (c < VTCELL_GRAPHICS_FIRST || c >= VTCELL_GRAPHICS_END)
		return c;
	return vtcell_dec_table[c - VTCELL_GRAPHICS_FIRST];
}
