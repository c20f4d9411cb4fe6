"""The VGA text console as a terminal, and the PS/2 keyboard's sequences.

Keys are pressed with the QEMU monitor's `sendkey` and the screen is read
back from 0xb8000 with `pmemsave` (keelqemu's type_keys, vga_cells,
expect_vga).  The kernel shell (`keel>`) is the reader: it echoes what it
reads on every console and drops control bytes, so a key that sends
ESC [ A shows up as "[A".  The escape-sequence test has /bin/hello print
its argument, a string of sequences, through the console terminal.
"""

import re

from keelqemu import PROMPT

E = "\x1b"


def _shell(keel, kernel, **kw):
    k = keel(kernel=kernel, smp=kw.pop("smp", 1), mem="128M",
             append=kw.pop("append", "panic=exit"), **kw)
    k.expect_ready(timeout=30)
    k.expect(re.escape(PROMPT), timeout=10)
    return k


def _screen_fail(k, what):
    return what + ":\n" + k.vga_screen()


def test_vga_typed_text_shows_on_screen(keel, kernel):
    k = _shell(keel, kernel)
    text = "echo Hello, World! (1+2=3) ~_|{x}:<y>?"
    k.type_keys(text + "\n")
    k.expect(r"Hello, World! \(1\+2=3\) ~_\|\{x\}:<y>\?\r*\n", timeout=10)
    k.expect_vga("^" + re.escape(PROMPT + text) + "$", timeout=10)
    # The output starts at column 0 of the next row: "\n" returns the carriage.
    k.expect_vga("^" + re.escape(text[len("echo "):]) + "$", timeout=10)


def test_vga_backspace_and_kill_line(keel, kernel):
    k = _shell(keel, kernel)
    # Backspace sends DEL (0x7f), which the shell takes as erase; Ctrl-U kills.
    k.type_keys("echo abcx\x7fd\n")
    k.expect(r"\nabcd\r*\n", timeout=10)
    k.expect_vga(r"^" + re.escape(PROMPT) + "echo abcd$", timeout=10)
    k.type_keys("junk\x15echo ok\n")
    k.expect(r"\nok\r*\n", timeout=10)
    k.expect_vga(r"^ok$", timeout=10)


def test_ps2_special_keys_send_linux_sequences(keel, kernel):
    k = _shell(keel, kernel)
    # The shell drops ESC and keeps the rest of each sequence.
    keys = [("up", "[A"), ("down", "[B"), ("right", "[C"), ("left", "[D"),
            ("home", "[1~"), ("insert", "[2~"), ("delete", "[3~"),
            ("end", "[4~"), ("pgup", "[5~"), ("pgdn", "[6~"),
            ("f1", "[[A"), ("f5", "[[E"), ("f6", "[17~"), ("f10", "[21~"),
            ("f12", "[24~"), ("shift-f1", "[23~"), ("kp_5", "[G"),
            ("kp_8", "[A"), ("shift-tab", ""), ("alt-x", "x"),
            ("ctrl-alt-y", ""), ("kp_divide", "/"), ("kp_multiply", "*")]
    k.sendkey([name for name, _ in keys] + ["kp_enter"])
    want = "".join(seq for _, seq in keys)
    k.expect(re.escape(want) + r": unknown command", timeout=10)
    k.expect_vga(re.escape(want) + ": unknown command", timeout=10)
    # Num Lock turns the keypad into digits.
    k.sendkey(["num_lock", "kp_1", "kp_5", "kp_9", "kp_decimal", "num_lock",
               "kp_enter"])
    k.expect(r"159\.: unknown command", timeout=10)


def test_vga_escape_sequences(keel, kernel):
    seq = (E + "[2J"
           + E + "[12;5HCUP" + E + "[6n"
           + E + "[13;1Habcdef" + E + "[13;3H" + E + "[2P"
           + E + "[14;1Hxyz" + E + "[14;2H" + E + "[K"
           + E + "[15;1H" + E + "[1;31;44mRED" + E + "[0m"
           + E + "[16;1Hworld" + E + "[16;1H" + E + "[4hhello_" + E + "[4l"
           + E + "[17;71H0123456789AB"
           + E + "[19;1HKEEP" + E + "[?1049h" + E + "[19;1HGONE" + E + "[?1049l"
           + E + "]0;a-title\x07" + E + "P+q" + E + "\\"
           + E + "[20;1Hbox:\u2500\u2502" + E + "[99999999;99999999H@"
           + E + "[1;10r" + E + "[10;1H")
    k = keel(kernel=kernel, smp=1, mem="128M",
             append=f'panic=exit init="/bin/hello {seq}"')
    k.expect(re.escape(PROMPT), timeout=30)
    rows = k.vga_text()
    screen = "\n".join(r.rstrip() for r in rows)
    assert rows[11].rstrip() == "    CUP", screen
    assert rows[12].rstrip() == "abef", screen            # CSI P
    assert rows[13].rstrip() == "x", screen               # CSI K
    assert rows[14].rstrip() == "RED", screen
    assert rows[15].rstrip() == "hello_world", screen     # insert mode
    assert rows[16] == " " * 70 + "0123456789", screen    # wrap at the edge
    assert rows[17].rstrip() == "AB", screen
    assert rows[18].rstrip() == "KEEP", screen            # alternate screen
    assert rows[19].rstrip() == "box:", screen            # OSC/DCS draw nothing
    assert rows[24] == " " * 79 + "@", screen             # clamped CUP
    cells = k.vga_cells()
    assert cells[14 * 80] >> 8 == 0x1c, "SGR 1;31;44: bright red on blue"
    assert cells[12 * 80] >> 8 == 0x07, "SGR 0: grey on black"
    assert [c & 0xff for c in cells[19 * 80 + 4:19 * 80 + 6]] == [0xc4, 0xb3], \
        "UTF-8 box drawing as code page 437"
    # The scroll region (rows 1-10) kept the marks while the kernel printed.
    # ESC [ 6 n's answer, ESC [ 12;8 R, came back as VGA-line input: the
    # shell read it (dropping ESC).
    k.send("\r")
    k.expect(re.escape("[12;8R: unknown command"), timeout=10)
