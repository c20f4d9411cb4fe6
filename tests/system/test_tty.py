"""Terminals: the serial line's terminal driven by typing, with
/bin/ttytest (user/ttytest.c) as init: ^C, ^\\ and ^Z signal the
foreground group while nothing reads, ^S/^Q stop and restart output,
echo happens when a byte arrives (ESC as ^[), canonical editing (DEL,
^W, ^U, ^D), and non-canonical reads with VMIN/VTIME.  Also /dev/console following console=.

QEMU's serial chardev is opened with signal=off so that ^C reaches the
guest instead of stopping QEMU.
"""

import re
import time

import pytest

import keelqemu


@pytest.fixture
def serial_raw(monkeypatch):
    """Boot with the serial line on stdio, host signals off (^C is data)."""
    orig = keelqemu.Keel.argv

    def argv(self):
        a = orig(self)
        if any("signal=off" in x for x in a):
            return a        # keelqemu passes ^C on already
        i = a.index("-serial")
        a[i:i + 2] = ["-chardev", "stdio,id=ttyser0,signal=off",
                      "-serial", "chardev:ttyser0"]
        return a

    monkeypatch.setattr(keelqemu.Keel, "argv", argv)


def _ttytest(keel, kernel, smp=2, extra_append=""):
    k = keel(kernel=kernel, smp=smp, mem="128M",
             append="init=/bin/ttytest initexit=poweroff panic=exit "
                    + extra_append)
    k.expect_ready(timeout=30)
    k.expect(r"TTYTEST start ctty-ok", timeout=20)
    return k


def _not_yet(k, pattern, wait=0.5):
    """pattern must not appear within wait seconds."""
    try:
        k.child.expect(pattern, timeout=wait)
    except Exception:      # pexpect.TIMEOUT
        return
    raise AssertionError(f"{pattern!r} appeared too early:\n{k.tail()}")


def test_tty_signals_echo_editing_vmin_vtime(keel, kernel, serial_raw):
    k = _ttytest(keel, kernel)

    # Signal characters reach the foreground group while it only sleeps.
    for name, key, echo in (("SIGINT", "\x03", r"\^C"),
                            ("SIGQUIT", "\x1c", r"\^\\"),
                            ("SIGTSTP", "\x1a", r"\^Z")):
        k.expect(f"READY-{name}", timeout=10)
        k.send(key)
        k.expect(echo, timeout=10)
        k.expect(f"GOT-{name}", timeout=10)

    # ^S holds the program's output until ^Q (IXON).
    k.expect("READY-FLOW", timeout=10)
    k.send("\x13")
    _not_yet(k, "FLOWED", wait=3.0)
    k.send("\x11")
    k.expect("FLOWED", timeout=10)

    # Echo at arrival, while the program only polls; DEL edits the line.
    k.expect("READY-ECHO", timeout=10)
    k.send("ab\x1bc")
    k.expect(r"ab\^\[c", timeout=10)
    assert "READING" not in k.child.before
    _not_yet(k, "READING")
    k.send("\x7fd\r")
    k.expect("READING", timeout=10)
    k.expect(r"LINE=\[ab\^\[d\^J\] n=5", timeout=10)

    # Canonical editing: word erase, kill, end of file.
    k.expect("READY-CANON", timeout=10)
    k.send("foo bar\x17baz\r")
    k.expect(r"LINE=\[foo baz\^J\]", timeout=10)
    k.send("xx\x15yy\r")
    k.expect(r"LINE=\[yy\^J\]", timeout=10)
    k.send("\x04")
    k.expect(r"EOF", timeout=10)
    k.send("ab\x04")
    k.expect(r"LINE=\[ab\] n=2", timeout=10)

    # VMIN=3, VTIME=0: nothing returns before the third byte.
    k.expect("READY-RAW3", timeout=10)
    k.send("ab")
    _not_yet(k, r"RAW=")
    k.send("c")
    k.expect(r"RAW=\[abc\] n=3", timeout=10)
    # VMIN=0, VTIME=5: nothing typed, 0 after half a second.
    k.expect(r"TIME n=0 slept=yes", timeout=10)
    # VMIN=2, VTIME=5: one byte comes back after the inter-byte timer.
    k.expect("READY-INTER", timeout=10)
    time.sleep(0.2)
    k.send("x")
    k.expect(r"INTER=\[x\] n=1", timeout=10)
    k.expect("TTYTEST done", timeout=10)
    assert k.wait_exit(timeout=30) == keelqemu.EXIT_SUCCESS


def test_tty_echo_goes_to_its_line_only(keel, kernel, serial_raw):
    """Typed on the PS/2 keyboard: tty1 echoes on the VGA screen, and the
    serial line (ttyS0) sees none of it."""
    k = _ttytest(keel, kernel, smp=1)
    k.expect("READY-SIGINT", timeout=10)
    k.sendkey("z q z ret")
    time.sleep(0.5)
    screen = "\n".join(k.vga_text())
    assert "zqz" in screen, f"no echo on the VGA screen:\n{screen}"
    _not_yet(k, "zqz")
    k.send("\x03")
    k.expect("GOT-SIGINT", timeout=10)


@pytest.mark.parametrize("console,on_serial", [("ttyS0", True),
                                                ("tty1", False)])
def test_tty_dev_console_follows_console_option(keel, kernel, console,
                                                on_serial):
    """/dev/console (init's stdout) is ttyS0 by default or with
    console=ttyS0, tty1 with console=tty1; the kernel log goes to both."""
    k = keel(kernel=kernel, smp=1, mem="128M",
             append=f"console={console} init=/bin/hello panic=exit")
    k.expect(r"keel: init exited with status 0", timeout=30)
    k.expect(re.escape(keelqemu.PROMPT), timeout=30)
    screen = "\n".join(k.vga_text())
    assert ("hello, world" in k.output) == on_serial, k.tail()
    assert ("hello, world" in screen) != on_serial, screen
    assert "keel: init exited" in screen, screen
