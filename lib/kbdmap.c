/*
 * lib/kbdmap.c - set-1 scancodes to the Linux console's byte sequences
 * (see <lib/kbdmap.h>): a US layout.
 *
 * A byte is first checked for the prefixes (E0: the next key is an
 * "extended" one; E1: Pause, whose five following bytes are dropped),
 * then for modifiers and locks (tracked on press and release), then
 * translated on press only: character keys through the plain/shifted
 * tables and the Ctrl rules, keypad keys by Num Lock, the rest through
 * the sequence tables.  Alt puts ESC in front of a character.
 *
 * No locks: the caller serializes calls on one struct kbd_state.
 */
#include <lib/kbdmap.h>
#include <lib/string.h>

#define KBD_TABLE_SIZE  (SC_F12 + 1)
#define KBD_ESC         0x1b
#define KBD_DEL         0x7f
#define KBD_BS          0x08
#define KBD_CTRL_MASK   0x1f
#define KBD_PAUSE_SKIP  2 /* E1 1D 45 on press, E1 9D C5 on release */
#define KBD_FKEYS       12
#define KBD_SHIFT_FKEYS 10

static const char kbd_plain[KBD_TABLE_SIZE] = {
	[0x01] = KBD_ESC,
	'1',
	'2',
	'3',
	'4',
	'5',
	'6',
	'7',
	'8',
	'9',
	'0',
	'-',
	'=',
	KBD_DEL,
	'\t',
	'q',
	'w',
	'e',
	'r',
	't',
	'y',
	'u',
	'i',
	'o',
	'p',
	'[',
	']',
	'\r',
	[0x1e] = 'a',
	's',
	'd',
	'f',
	'g',
	'h',
	'j',
	'k',
	'l',
	';',
	'\'',
	'`',
	[0x2b] = '\\',
	'z',
	'x',
	'c',
	'v',
	'b',
	'n',
	'm',
	',',
	'.',
	'/',
	[SC_KP_STAR] = '*',
	[SC_SPACE] = ' ',
	[SC_102ND] = '<',
};

static const char kbd_shifted[KBD_TABLE_SIZE] = {
	[0x01] = KBD_ESC,
	'!',
	'@',
	'#',
	'$',
	'%',
	'^',
	'&',
	'*',
	'(',
	')',
	'_',
	'+',
	KBD_DEL,
	'\t',
	'Q',
	'W',
	'E',
	'R',
	'T',
	'Y',
	'U',
	'I',
	'O',
	'P',
	'{',
	'}',
	'\r',
	[0x1e] = 'A',
	'S',
	'D',
	'F',
	'G',
	'H',
	'J',
	'K',
	'L',
	':',
	'"',
	'~',
	[0x2b] = '|',
	'Z',
	'X',
	'C',
	'V',
	'B',
	'N',
	'M',
	'<',
	'>',
	'?',
	[SC_KP_STAR] = '*',
	[SC_SPACE] = ' ',
	[SC_102ND] = '>',
};

/* The editing and cursor keys, wherever they sit. */
enum kbd_nav {
	NAV_NONE,
	NAV_UP,
	NAV_DOWN,
	NAV_RIGHT,
	NAV_LEFT,
	NAV_HOME,
	NAV_INSERT,
	NAV_DELETE,
	NAV_END,
	NAV_PGUP,
	NAV_PGDN,
	NAV_CENTER, /* keypad 5 without Num Lock */
	NAV_COUNT
};

static const char *const kbd_nav_seq[NAV_COUNT] = {
	[NAV_UP] = "\033[A",      [NAV_DOWN] = "\033[B",   [NAV_RIGHT] = "\033[C",
	[NAV_LEFT] = "\033[D",    [NAV_HOME] = "\033[1~",  [NAV_INSERT] = "\033[2~",
	[NAV_DELETE] = "\033[3~", [NAV_END] = "\033[4~",   [NAV_PGUP] = "\033[5~",
	[NAV_PGDN] = "\033[6~",   [NAV_CENTER] = "\033[G",
};

/* Keypad 0x47..0x53 without Num Lock, and with it. */
static const uint8_t kbd_pad_nav[SC_KP_LAST - SC_KP_FIRST + 1] = {
	NAV_HOME, NAV_UP,  NAV_PGUP, NAV_NONE, NAV_LEFT,   NAV_CENTER, NAV_RIGHT,
	NAV_NONE, NAV_END, NAV_DOWN, NAV_PGDN, NAV_INSERT, NAV_DELETE,
};
static const char kbd_pad_char[] = "789-456+1230.";

static const char *const kbd_fkey_seq[KBD_FKEYS] = {
	"\033[[A",  "\033[[B",  "\033[[C",  "\033[[D",  "\033[[E",  "\033[17~",
	"\033[18~", "\033[19~", "\033[20~", "\033[21~", "\033[23~", "\033[24~",
};

/* Shift+F1..F10 are F11..F20 on the Linux console. */
static const char *const kbd_shift_fkey_seq[KBD_SHIFT_FKEYS] = {
	"\033[23~", "\033[24~", "\033[25~", "\033[26~", "\033[28~",
	"\033[29~", "\033[31~", "\033[32~", "\033[33~", "\033[34~",
};

void kbd_state_init(struct kbd_state *st)
{
	memset(st, 0, sizeof(*st));
}

static size_t kbd_emit(char out[KBD_SEQ_MAX], const char *seq)
{
	size_t n = strnlen(seq, KBD_SEQ_MAX);

	memcpy(out, seq, n);
	return n;
}

/* Ctrl+character, as the Linux console's US map has it. */
static char kbd_ctrl(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return (char)(c & KBD_CTRL_MASK);
	switch (c) {
	case '@':
	case '2':
	case ' ':
	case '`':
		return 0;
	case '[':
	case '{':
	case '3':
		return KBD_ESC;
	case '\\':
	case '|':
	case '4':
		return 0x1c;
	case ']':
	case '}':
	case '5':
		return 0x1d;
	case '^':
	case '6':
		return 0x1e;
	case '_':
	case '-':
	case '7':
	case '/':
		return 0x1f;
	case '8':
	case '?':
		return KBD_DEL;
	case KBD_DEL:
		return KBD_BS; /* Ctrl+Backspace */
	}
	return c;
}

/* A modifier or lock key (press or release); false if sc is none. */
static bool kbd_modifier(struct kbd_state *st, unsigned code, bool e0, bool down)
{
	switch (code) {
	case SC_LSHIFT:
	case SC_RSHIFT:
		if (!e0) /* E0 2A / E0 36: fake shifts around extended keys */
			*(code == SC_LSHIFT ? &st->lshift : &st->rshift) = down;
		return true;
	case SC_CTRL:
		*(e0 ? &st->rctrl : &st->lctrl) = down;
		return true;
	case SC_ALT:
		*(e0 ? &st->ralt : &st->lalt) = down;
		return true;
	case SC_CAPSLOCK:
		if (down && !st->caps_down)
			st->caps = !st->caps;
		st->caps_down = down;
		return true;
	case SC_NUMLOCK:
		if (e0)
			return false;
		if (down && !st->num_down)
			st->num = !st->num;
		st->num_down = down;
		return true;
	}
	return false;
}

/* The E0 keys: keypad Enter and /, the cursor and editing block. */
static size_t kbd_extended(unsigned code, char out[KBD_SEQ_MAX])
{
	switch (code) {
	case SC_ENTER:
		out[0] = '\r';
		return 1;
	case SC_E0_KP_SLASH:
		out[0] = '/';
		return 1;
	}
	if (code >= SC_KP_FIRST && code <= SC_KP_LAST) {
		unsigned nav = kbd_pad_nav[code - SC_KP_FIRST];

		if (nav != NAV_NONE && nav != NAV_CENTER)
			return kbd_emit(out, kbd_nav_seq[nav]);
	}
	return 0; /* Windows keys, Menu, Print Screen, ... */
}

static size_t kbd_char(struct kbd_state *st, unsigned code, char out[KBD_SEQ_MAX])
{
	bool shift = st->lshift || st->rshift;
	bool ctrl = st->lctrl || st->rctrl;
	bool alt = st->lalt || st->ralt;
	char c = kbd_plain[code];
	size_t n = 0;

	if (code == SC_TAB && shift)
		return kbd_emit(out, "\033\t"); /* kcbt of TERM=linux */
	if (c >= 'a' && c <= 'z' && st->caps)
		shift = !shift;
	if (shift)
		c = kbd_shifted[code];
	if (ctrl)
		c = kbd_ctrl(c);
	if (alt)
		out[n++] = KBD_ESC;
	out[n++] = c;
	return n;
}

size_t kbd_map(struct kbd_state *st, uint8_t sc, char out[KBD_SEQ_MAX])
{
	bool e0 = st->e0, down = !(sc & SC_RELEASE);
	unsigned code = sc & ~SC_RELEASE;

	if (st->skip) {
		st->skip--;
		return 0;
	}
	if (sc == SC_EXTENDED) {
		st->e0 = true;
		return 0;
	}
	st->e0 = false;
	if (sc == SC_PAUSE) {
		st->skip = KBD_PAUSE_SKIP;
		return 0;
	}
	if (kbd_modifier(st, code, e0, down) || !down)
		return 0;
	if (e0)
		return kbd_extended(code, out);
	if (code >= SC_KP_FIRST && code <= SC_KP_LAST) {
		unsigned i = code - SC_KP_FIRST, nav = kbd_pad_nav[i];

		if (st->num || nav == NAV_NONE) {
			out[0] = kbd_pad_char[i];
			return 1;
		}
		return kbd_emit(out, kbd_nav_seq[nav]);
	}
	if (code >= SC_F1 && code < SC_F1 + KBD_SHIFT_FKEYS) {
		if (st->lshift || st->rshift)
			return kbd_emit(out, kbd_shift_fkey_seq[code - SC_F1]);
		return kbd_emit(out, kbd_fkey_seq[code - SC_F1]);
	}
	if (code == SC_F11 || code == SC_F12)
		return kbd_emit(out, kbd_fkey_seq[code == SC_F11 ? 10 : 11]);
	if (code < KBD_TABLE_SIZE && kbd_plain[code])
		return kbd_char(st, code, out);
	return 0;
}
