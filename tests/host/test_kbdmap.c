/*
 * test_kbdmap.c - host unit tests for lib/kbdmap.c: set-1 scancodes to the
 * byte sequences of the Linux console (TERM=linux).
 *
 * press()/release() feed one key (with its E0 prefix when extended) and
 * collect what it sends; the checks compare with the sequences the Linux
 * console's default US keymap sends and its terminfo entry lists.
 */
#include <string.h>
#include <lib/kbdmap.h>
#include "htest.h"

#define E0 0x100 /* flag on a key code: send the SC_EXTENDED prefix */

/* Scancodes of a few keys (set 1). */
enum {
	K_1 = 0x02,
	K_2 = 0x03,
	K_3 = 0x04,
	K_6 = 0x07,
	K_8 = 0x09,
	K_MINUS = 0x0c,
	K_Q = 0x10,
	K_LBRACKET = 0x1a,
	K_RBRACKET = 0x1b,
	K_A = 0x1e,
	K_C = 0x2e,
	K_H = 0x23,
	K_BACKSLASH = 0x2b,
	K_SLASH = 0x35,
	K_GRAVE = 0x29,
	K_UP = 0x48,
	K_DOWN = 0x50,
	K_LEFT = 0x4b,
	K_RIGHT = 0x4d,
	K_HOME = 0x47,
	K_END = 0x4f,
	K_PGUP = 0x49,
	K_PGDN = 0x51,
	K_INS = 0x52,
	K_DEL = 0x53,
	K_KP5 = 0x4c,
	K_KPMINUS = 0x4a,
	K_KPPLUS = 0x4e,
};

static char got[64];

static void feed(struct kbd_state *st, unsigned key, bool down)
{
	char out[KBD_SEQ_MAX];
	size_t n, len = strlen(got);

	if (key & E0)
		HCHECK_EQ(kbd_map(st, SC_EXTENDED, out), 0);
	n = kbd_map(st, (uint8_t)((key & 0xff) | (down ? 0 : SC_RELEASE)), out);
	HCHECK(n <= KBD_SEQ_MAX);
	HCHECK(len + n < sizeof(got));
	memcpy(got + len, out, n);
	got[len + n] = '\0';
}

static void press(struct kbd_state *st, unsigned key)
{
	feed(st, key, true);
}

static void release(struct kbd_state *st, unsigned key)
{
	feed(st, key, false);
}

/* Press and release key; returns what it sent. */
static const char *tap(struct kbd_state *st, unsigned key)
{
	got[0] = '\0';
	press(st, key);
	release(st, key);
	return got;
}

/* tap() with a modifier held. */
static const char *with(struct kbd_state *st, unsigned mod, unsigned key)
{
	char out[KBD_SEQ_MAX];

	got[0] = '\0';
	press(st, mod);
	HCHECK_STREQ(got, "");
	press(st, key);
	release(st, key);
	release(st, mod);
	HCHECK_EQ(kbd_map(st, 0x00, out), 0); /* error byte: nothing */
	return got;
}

HTEST(kbd_plain_and_shift)
{
	struct kbd_state st;

	kbd_state_init(&st);
	HCHECK_STREQ(tap(&st, K_H), "h");
	HCHECK_STREQ(tap(&st, K_1), "1");
	HCHECK_STREQ(with(&st, SC_LSHIFT, K_H), "H");
	HCHECK_STREQ(with(&st, SC_RSHIFT, K_1), "!");
	HCHECK_STREQ(with(&st, SC_LSHIFT, K_BACKSLASH), "|");
	HCHECK_STREQ(tap(&st, K_GRAVE), "`");
	HCHECK_STREQ(tap(&st, SC_SPACE), " ");
	HCHECK_STREQ(tap(&st, SC_ENTER), "\r");
	HCHECK_STREQ(tap(&st, SC_TAB), "\t");
	HCHECK_STREQ(tap(&st, SC_ESC), "\033");
	HCHECK_STREQ(tap(&st, SC_BACKSPACE), "\x7f");
	HCHECK_STREQ(with(&st, SC_LSHIFT, SC_TAB), "\033\t");
	/* A release alone sends nothing. */
	got[0] = '\0';
	release(&st, K_H);
	HCHECK_STREQ(got, "");
	/* Typematic repeat: every make code sends again. */
	got[0] = '\0';
	press(&st, K_A);
	press(&st, K_A);
	release(&st, K_A);
	HCHECK_STREQ(got, "aa");
}

HTEST(kbd_caps_lock)
{
	struct kbd_state st;

	kbd_state_init(&st);
	tap(&st, SC_CAPSLOCK);
	HCHECK_STREQ(tap(&st, K_Q), "Q");
	HCHECK_STREQ(tap(&st, K_1), "1");
	HCHECK_STREQ(with(&st, SC_LSHIFT, K_Q), "q");
	HCHECK_STREQ(with(&st, SC_LSHIFT, K_1), "!");
	/* Holding Caps Lock (repeated make codes) toggles once. */
	got[0] = '\0';
	press(&st, SC_CAPSLOCK);
	press(&st, SC_CAPSLOCK);
	press(&st, SC_CAPSLOCK);
	release(&st, SC_CAPSLOCK);
	HCHECK_STREQ(tap(&st, K_Q), "q");
}

HTEST(kbd_ctrl)
{
	struct kbd_state st;

	kbd_state_init(&st);
	HCHECK_STREQ(with(&st, SC_CTRL, K_C), "\x03");
	HCHECK_STREQ(with(&st, SC_CTRL | E0, K_C), "\x03"); /* right Ctrl */
	HCHECK_STREQ(with(&st, SC_CTRL, K_A), "\x01");
	HCHECK_STREQ(with(&st, SC_CTRL, K_LBRACKET), "\033");
	HCHECK_STREQ(with(&st, SC_CTRL, K_BACKSLASH), "\x1c");
	HCHECK_STREQ(with(&st, SC_CTRL, K_RBRACKET), "\x1d");
	HCHECK_STREQ(with(&st, SC_CTRL, K_6), "\x1e");
	HCHECK_STREQ(with(&st, SC_CTRL, K_MINUS), "\x1f");
	HCHECK_STREQ(with(&st, SC_CTRL, K_SLASH), "\x1f");
	HCHECK_STREQ(with(&st, SC_CTRL, K_8), "\x7f");
	HCHECK_STREQ(with(&st, SC_CTRL, K_3), "\033");
	HCHECK_STREQ(with(&st, SC_CTRL, SC_BACKSPACE), "\b");
	/* Ctrl+Space and Ctrl+2 (Ctrl+@) send NUL: one byte of 0. */
	got[0] = 'x';
	got[1] = '\0';
	press(&st, SC_CTRL);
	press(&st, SC_SPACE);
	HCHECK_EQ(got[1], 0);
	HCHECK_EQ(strlen(got), 1);
	press(&st, K_2);
	release(&st, K_2);
	release(&st, SC_SPACE);
	release(&st, SC_CTRL);
	HCHECK_STREQ(tap(&st, K_C), "c"); /* Ctrl is up again */
	/* Shift+Ctrl+6 (Ctrl+^) and Ctrl+Shift+- (Ctrl+_). */
	got[0] = '\0';
	press(&st, SC_CTRL);
	press(&st, SC_LSHIFT);
	press(&st, K_6);
	press(&st, K_MINUS);
	press(&st, K_2);
	release(&st, SC_LSHIFT);
	release(&st, SC_CTRL);
	HCHECK_EQ(got[0], 0x1e);
	HCHECK_EQ(got[1], 0x1f);
	HCHECK_EQ(strlen(got), 2); /* then Ctrl+@: NUL */
}

HTEST(kbd_alt_prefix)
{
	struct kbd_state st;

	kbd_state_init(&st);
	HCHECK_STREQ(with(&st, SC_ALT, K_H), "\033h");
	HCHECK_STREQ(with(&st, SC_ALT | E0, K_H), "\033h"); /* right Alt */
	got[0] = '\0';
	press(&st, SC_ALT);
	press(&st, SC_CTRL);
	press(&st, K_C);
	release(&st, SC_CTRL);
	release(&st, SC_ALT);
	HCHECK_STREQ(got, "\033\x03");
	/* Alt does not change the cursor keys. */
	HCHECK_STREQ(with(&st, SC_ALT, K_UP | E0), "\033[A");
}

HTEST(kbd_cursor_and_editing_keys)
{
	struct kbd_state st;

	kbd_state_init(&st);
	HCHECK_STREQ(tap(&st, K_UP | E0), "\033[A");
	HCHECK_STREQ(tap(&st, K_DOWN | E0), "\033[B");
	HCHECK_STREQ(tap(&st, K_RIGHT | E0), "\033[C");
	HCHECK_STREQ(tap(&st, K_LEFT | E0), "\033[D");
	HCHECK_STREQ(tap(&st, K_HOME | E0), "\033[1~");
	HCHECK_STREQ(tap(&st, K_INS | E0), "\033[2~");
	HCHECK_STREQ(tap(&st, K_DEL | E0), "\033[3~");
	HCHECK_STREQ(tap(&st, K_END | E0), "\033[4~");
	HCHECK_STREQ(tap(&st, K_PGUP | E0), "\033[5~");
	HCHECK_STREQ(tap(&st, K_PGDN | E0), "\033[6~");
	HCHECK_STREQ(with(&st, SC_LSHIFT, K_PGUP | E0), "\033[5~");
	HCHECK_STREQ(tap(&st, SC_ENTER | E0), "\r");
	HCHECK_STREQ(tap(&st, SC_E0_KP_SLASH | E0), "/");
	/* Fake shifts around extended keys (E0 2A ... E0 AA) change nothing. */
	got[0] = '\0';
	press(&st, SC_LSHIFT | E0);
	press(&st, K_HOME | E0);
	release(&st, K_HOME | E0);
	release(&st, SC_LSHIFT | E0);
	HCHECK_STREQ(got, "\033[1~");
	HCHECK_STREQ(tap(&st, K_H), "h");
	/* Windows keys, Menu, Print Screen send nothing. */
	HCHECK_STREQ(tap(&st, 0x5b | E0), "");
	HCHECK_STREQ(tap(&st, 0x5d | E0), "");
	HCHECK_STREQ(tap(&st, SC_KP_STAR | E0), "");
}

HTEST(kbd_keypad_num_lock)
{
	struct kbd_state st;

	kbd_state_init(&st);
	HCHECK_STREQ(tap(&st, K_HOME), "\033[1~");
	HCHECK_STREQ(tap(&st, K_UP), "\033[A");
	HCHECK_STREQ(tap(&st, K_KP5), "\033[G");
	HCHECK_STREQ(tap(&st, K_END), "\033[4~");
	HCHECK_STREQ(tap(&st, K_INS), "\033[2~");
	HCHECK_STREQ(tap(&st, K_DEL), "\033[3~");
	HCHECK_STREQ(tap(&st, K_KPMINUS), "-");
	HCHECK_STREQ(tap(&st, K_KPPLUS), "+");
	HCHECK_STREQ(tap(&st, SC_KP_STAR), "*");
	tap(&st, SC_NUMLOCK);
	HCHECK_STREQ(tap(&st, K_HOME), "7");
	HCHECK_STREQ(tap(&st, K_UP), "8");
	HCHECK_STREQ(tap(&st, K_KP5), "5");
	HCHECK_STREQ(tap(&st, K_INS), "0");
	HCHECK_STREQ(tap(&st, K_DEL), ".");
	/* The grey cursor keys ignore Num Lock. */
	HCHECK_STREQ(tap(&st, K_UP | E0), "\033[A");
	tap(&st, SC_NUMLOCK);
	HCHECK_STREQ(tap(&st, K_UP), "\033[A");
}

HTEST(kbd_function_keys)
{
	static const char *const want[12] = {
		"\033[[A",  "\033[[B",  "\033[[C",  "\033[[D",  "\033[[E",  "\033[17~",
		"\033[18~", "\033[19~", "\033[20~", "\033[21~", "\033[23~", "\033[24~",
	};
	static const char *const shifted[10] = {
		"\033[23~", "\033[24~", "\033[25~", "\033[26~", "\033[28~",
		"\033[29~", "\033[31~", "\033[32~", "\033[33~", "\033[34~",
	};
	struct kbd_state st;

	kbd_state_init(&st);
	for (unsigned i = 0; i < 10; i++) {
		HCHECK_STREQ(tap(&st, SC_F1 + i), want[i]);
		HCHECK_STREQ(with(&st, SC_LSHIFT, SC_F1 + i), shifted[i]);
	}
	HCHECK_STREQ(tap(&st, SC_F11), want[10]);
	HCHECK_STREQ(tap(&st, SC_F12), want[11]);
}

HTEST(kbd_pause_and_junk)
{
	static const uint8_t pause[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
	char out[KBD_SEQ_MAX];
	struct kbd_state st;

	kbd_state_init(&st);
	for (size_t i = 0; i < sizeof(pause); i++)
		HCHECK_EQ(kbd_map(&st, pause[i], out), 0);
	HCHECK_STREQ(tap(&st, K_H), "h"); /* Ctrl (1D in Pause) was not pressed */
	/* Every byte, in every modifier state, stays within KBD_SEQ_MAX. */
	for (unsigned mods = 0; mods < 64; mods++) {
		kbd_state_init(&st);
		st.lshift = mods & 1;
		st.lctrl = mods & 2;
		st.ralt = mods & 4;
		st.caps = mods & 8;
		st.num = mods & 16;
		for (unsigned b = 0; b < 256; b++) {
			st.e0 = mods & 32;
			st.skip = 0;
			HCHECK(kbd_map(&st, (uint8_t)b, out) <= KBD_SEQ_MAX);
		}
	}
}
