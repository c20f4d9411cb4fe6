"""The VGA text console as a terminal, and the PS/2 keyboard's sequences.

Keys are pressed with the QEMU monitor's `sendkey` and the screen is read
back from 0xb8000 with `pmemsave` (keelqemu's type_keys, vga_cells,
expect_vga).  The kernel shell (`keel>`) is the reader: it echoes what it
reads on every console and drops control bytes, so a key that sends
ESC [ A shows up as "[A".  The escape-sequence test has /bin/hello print
its argument, a string of sequences, through the console terminal.  The
busybox test types into busybox sh, vi and less on the VGA line (TERM=linux)
when the build machine has Debian's static busybox.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import keelqemu
from keelqemu import PROMPT

E = "\x1b"


def _shell(keel, kernel, **kw):
    k = keel(kernel=kernel, smp=kw.pop("smp", 1), mem="128M",
             append=kw.pop("append", "panic=exit init=none"), **kw)
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
             append=f'panic=exit console=tty1 init="/bin/hello {seq}"')
    k.expect(r"init exited with status 0", timeout=30)
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
    # ESC [ 6 n's answer (ESC [ 12;8 R) goes to tty1's input, which nobody
    # reads here once init is gone; the host tests of lib/vt100.c check the reply.


# ---------------------------------------------------------------- busybox

BUSYBOX = Path(os.environ.get("KEEL_BUSYBOX", "/bin/busybox"))
BASH = Path(os.environ.get("KEEL_BASH", "/bin/bash-static"))
# readline finds what TERM=linux can do in the terminfo database: without
# the entry bash edits in "dumb" horizontal-scroll mode.
TERMINFO_LINUX = Path("/lib/terminfo/l/linux")

# The shell of the VGA line: on /dev/tty1 once the VGA line is its own
# terminal, on /dev/console before.
VGA_SH = """\
[ -c /dev/tty1 ] && exec </dev/tty1 >/dev/tty1 2>&1
export TERM=linux PS1='bb$ ' HOME=/
exec /bin/busybox sh
"""
VGA_BASH = """\
[ -c /dev/tty1 ] && exec </dev/tty1 >/dev/tty1 2>&1
export TERM=linux PS1='keel$ ' HOME=/
exec /bin/bash --norc --noprofile -i
"""


def _static(path):
    if not path.exists():
        return None
    with open(path, "rb") as f:
        elf = f.read(1 << 16)
    # A static executable has no PT_INTERP, so no loader path in it.
    return None if b"ld-linux" in elf else path


@pytest.fixture
def busybox_initrd(tmp_path):
    """Keel's initramfs plus busybox, text files and the VGA shell scripts;
    and bash with the terminfo entry of TERM=linux when the machine has them."""
    bb = _static(BUSYBOX)
    if bb is None:
        pytest.skip(f"no static busybox at {BUSYBOX} (Debian busybox-static)")
    extra = tmp_path / "root"
    (extra / "bin").mkdir(parents=True)
    (extra / "etc").mkdir()
    shutil.copy(bb, extra / "bin" / "busybox")
    if _static(BASH) and TERMINFO_LINUX.exists():
        shutil.copy(BASH, extra / "bin" / "bash")
        (extra / "usr" / "share" / "terminfo" / "l").mkdir(parents=True)
        shutil.copy(TERMINFO_LINUX, extra / "usr" / "share" / "terminfo" / "l")
        (extra / "etc" / "vgabash.sh").write_text(VGA_BASH)
    (extra / "etc" / "f.txt").write_text("first line\nsecond line\n")
    (extra / "etc" / "long.txt").write_text(
        "".join(f"line {i}\n" for i in range(1, 101)))
    (extra / "etc" / "vga.sh").write_text(VGA_SH)
    out = tmp_path / "initramfs.cpio"
    subprocess.run([str(keelqemu.REPO / "user" / "mkinitramfs.sh"), str(out),
                    str(tmp_path / "stage"), str(keelqemu.build_dir() / "user"),
                    str(extra)], check=True, capture_output=True)
    return out


def test_vga_busybox_vi_less_and_line_editing(keel, kernel, busybox_initrd):
    k = keel(kernel=kernel, smp=2, mem="256M", initrd=busybox_initrd,
             append='panic=exit init="/bin/busybox sh /etc/vga.sh"')
    k.expect_ready(timeout=30)
    k.type_keys("echo ready\n")
    k.expect_vga(r"^ready$", timeout=20)

    # Line editing: Left, Home, End and typing in the middle of the line.
    k.type_keys("echo abc def")
    k.sendkey(["left"] * 4)
    k.type_keys("XY")
    k.sendkey(["home"])
    k.type_keys("#")
    k.sendkey(["end"])
    k.type_keys("Z\n")
    k.expect_vga(r"^bb\$ #echo abcXY defZ$", timeout=10)

    # vi: the alternate screen, absolute addressing, erase, the status line.
    # Each ESC is followed by a wait for command mode ("- " on the status
    # line), or vi would take ESC and the next key as one escape sequence.
    k.type_keys("busybox vi /etc/f.txt\n")
    k.expect_vga(r"^- /etc/f.txt 1/2 50%$", timeout=20)
    k.type_keys("jA more\x1b")
    k.expect_vga(r"^- /etc/f.txt \[Modified\]", timeout=10)
    k.type_keys("Oinserted\x1b")
    k.expect_vga(r"^- /etc/f.txt \[Modified\] 2/3", timeout=10)
    k.type_keys("x")
    k.expect_vga(r"\Afirst line\ninserte\nsecond line more\n~\n", timeout=10)
    k.type_keys(":q!\n")
    # Leaving vi brings back the screen it was started from.
    k.expect_vga(r"^bb\$ busybox vi /etc/f.txt\n", timeout=10)
    assert "inserte" not in k.vga_screen()

    # less: the last page (busybox shows an empty line after the file's
    # last newline, as on Linux) and its (END) prompt.
    k.type_keys("busybox less /etc/long.txt\n")
    k.expect_vga(r"^line 24$", timeout=20)
    k.type_keys("G")
    k.expect_vga(r"^line 100\n\n?(~\n)*\(END\)$", timeout=10)
    k.type_keys("q")
    k.type_keys("echo done\n")
    k.expect_vga(r"^done$", timeout=10)


def test_vga_bash_readline(keel, kernel, busybox_initrd, tmp_path):
    if not (tmp_path / "root" / "bin" / "bash").exists():
        pytest.skip(f"no static bash at {BASH} (Debian bash-static) or no "
                    f"{TERMINFO_LINUX}")
    k = keel(kernel=kernel, smp=2, mem="256M", initrd=busybox_initrd,
             append='panic=exit init="/bin/busybox sh /etc/vgabash.sh"')
    k.expect_ready(timeout=30)
    k.expect_vga(r"^keel\$$", timeout=30)
    # A line longer than the screen is wide, edited across the wrap:
    # Ctrl-A and Right, End and Left, Backspace, Home and Delete.
    line = "echo " + "abcdefghij" * 10
    k.type_keys(line)
    k.sendkey(["ctrl-a"] + ["right"] * 5)
    k.type_keys("Q")
    k.sendkey(["end", "left", "left", "left", "backspace", "home", "delete",
               "delete", "ret"])
    edited = "ho Q" + "abcdefghij" * 9 + "abcdefhij"
    first = ("keel$ " + edited)[:80]
    rest = ("keel$ " + edited)[80:]
    k.expect_vga("^" + re.escape(first) + "\n" + re.escape(rest) +
                 "\nbash: ho: command not found\nkeel\\$$", timeout=20)
    # Up brings the line back from the history, drawn over two rows again.
    k.sendkey(["up"])
    k.expect_vga("command not found\n" + re.escape(first) + "\n" +
                 re.escape(rest) + "$", timeout=20)
