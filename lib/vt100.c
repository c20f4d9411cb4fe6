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
 * What a cell looks like (SGR to VGA attributes, Unicode and the DEC
 * line-drawing set to code page 437) is lib/vtcell.c's.
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
#define VT_SO             0x0e /* shift out: draw with G1 */
#define VT_SI             0x0f /* shift in: draw with G0 */
#define VT_DEL_CHAR       0x7f
#define VT_C1_FIRST       0x80
#define VT_BLANK_CHAR     ' '
#define VT_TAB_WIDTH      8
#define VT_PALETTE_DIGITS 7 /* ESC ] P n rr gg bb */
#define VT_DECALN_CHAR    'E'
#define VT_UNKNOWN        '?' /* glyph for a broken UTF-8 sequence */
#define VT_CHARSET_ASCII  'B'
#define VT_CHARSET_DEC    '0'

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

static unsigned vt_min(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------------- pen */

static void vt_update_attr(struct vt *vt)
{
	vt->attr = vtcell_attr(&vt->pen);
	vt->erase_attr = vtcell_erase_attr(&vt->pen);
}

static void vt_pen_reset(struct vt *vt)
{
	vtcell_pen_reset(&vt->pen);
	vt_update_attr(vt);
}

/* ---------------------------------------------------------------- screen */

static uint16_t vt_blank(const struct vt *vt)
{
	return VT_CELL(VT_BLANK_CHAR, vt->erase_attr);
}

/* Record that rows [y0, y1] changed (vt_take_dirty). */
static void vt_touch(struct vt *vt, unsigned y0, unsigned y1)
{
	if (y0 < vt->dirty_top)
		vt->dirty_top = y0;
	if (y1 > vt->dirty_bottom)
		vt->dirty_bottom = y1;
}

/* Row y, to be written: marks it changed. */
static uint16_t *vt_row(struct vt *vt, unsigned y)
{
	vt_touch(vt, y, y);
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
	vt_touch(vt, top, bottom);
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
	vt_touch(vt, top, bottom);
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
	if (x != vt->x) /* at the last column a pending wrap stays, as on Linux */
		vt->wrap_pending = false;
	vt->x = x;
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
	*s = (struct vt_saved){ .x = vt->x,
				.y = vt->y,
				.pen = vt->pen,
				.origin = vt->origin,
				.charset = { vt->charset[0], vt->charset[1] },
				.gl = vt->gl };
}

static void vt_restore(struct vt *vt, const struct vt_saved *s)
{
	vt->pen = s->pen;
	vt->origin = s->origin;
	vt->charset[0] = s->charset[0];
	vt->charset[1] = s->charset[1];
	vt->gl = s->gl;
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
			vt_put_glyph(vt, vtcell_unicode(vt->utf_cp));
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
		if (vt->alt_save) {
			memcpy(vt->cells, vt->alt_save, cells * sizeof(uint16_t));
			vt_touch(vt, 0, vt->rows - 1);
		} else
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
		vtcell_sgr(&vt->pen, vt->params, vt->nparams);
		vt_update_attr(vt);
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
	/* ESC ( c and ESC ) c designate G0 and G1; other sets draw as ASCII. */
	if (vt->inter == '(' || vt->inter == ')')
		vt->charset[vt->inter == ')'] = c == VT_CHARSET_DEC ? VT_CHARSET_DEC :
								      VT_CHARSET_ASCII;
	/* ESC % G (UTF-8) and the rest: nothing to change */
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
	case VT_SO:
	case VT_SI:
		vt->gl = c == VT_SO;
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
		if (vt->charset[vt->gl] == VT_CHARSET_DEC)
			c = vtcell_dec_graphics(c);
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

bool vt_take_dirty(struct vt *vt, unsigned *top, unsigned *bottom)
{
	if (vt->dirty_top > vt->dirty_bottom)
		return false;
	*top = vt->dirty_top;
	*bottom = vt->dirty_bottom;
	vt->dirty_top = vt->rows;
	vt->dirty_bottom = 0;
	return true;
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
	vt->charset[0] = vt->charset[1] = VT_CHARSET_ASCII;
	vt->gl = 0;
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
