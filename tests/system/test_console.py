"""The kernel shell: serial input, PS/2 keyboard input, echo, commands."""

import re
import time

import keelqemu
from keelqemu import PROMPT


def _shell(keel, kernel, **kw):
    k = keel(kernel=kernel, smp=kw.pop("smp", 1), mem="128M",
             append="panic=exit init=none", **kw)
    k.expect_ready(timeout=30)
    k.expect(re.escape(PROMPT), timeout=10)
    return k


def _run(k, cmd, timeout=10):
    """Type cmd + Enter on serial; returns the output up to the next prompt."""
    k.send(cmd + "\r")
    k.expect(re.escape(cmd) + r"\r*\n", timeout=timeout)     # the echo
    k.expect(re.escape(PROMPT), timeout=timeout)
    return k.child.before


def test_serial_mem(keel, kernel):
    k = _shell(keel, kernel)
    out = _run(k, "mem")
    assert re.search(r"\d", out), f"`mem` printed no numbers: {out!r}"


def test_serial_help(keel, kernel):
    k = _shell(keel, kernel)
    out = _run(k, "help")
    for cmd in ("help", "mem", "ticks", "reboot", "poweroff"):
        assert cmd in out, f"`help` does not mention {cmd}: {out!r}"


def test_serial_ticks_advance(keel, kernel):
    k = _shell(keel, kernel)
    first = re.findall(r"\d+", _run(k, "ticks"))
    time.sleep(0.5)
    second = re.findall(r"\d+", _run(k, "ticks"))
    assert first and second, "`ticks` printed no number"
    assert int(second[0]) > int(first[0]), f"ticks {first[0]} -> {second[0]}"


def test_ps2_keyboard_help(keel, kernel):
    k = _shell(keel, kernel)
    k.sendkey("h e l p ret")
    k.expect(r"help\r*\n", timeout=10)                       # echo on serial
    k.expect(re.escape(PROMPT), timeout=10)
    out = k.child.before
    assert "poweroff" in out, f"`help` output missing after PS/2 input: {out!r}"
    screen = k.vga_text()
    # The prompt and the echoed keys on one VGA row: "keel> help".
    assert any(row.rstrip().endswith(PROMPT + "help") for row in screen), \
        "typed `help` is not echoed on the VGA text screen:\n" + "\n".join(screen)


def test_poweroff_exit_status(keel, kernel):
    k = _shell(keel, kernel)
    k.send("poweroff\r")
    status = k.wait_exit(timeout=15)
    assert status == keelqemu.EXIT_SUCCESS, f"exit status {status}, want 33"


def test_reboot_exits_qemu(keel, kernel):
    # -no-reboot turns the guest's reset into a clean QEMU exit (status 0).
    k = _shell(keel, kernel)
    k.send("reboot\r")
    status = k.wait_exit(timeout=15)
    assert status == 0, f"exit status {status}, want 0 (reset under -no-reboot)"
