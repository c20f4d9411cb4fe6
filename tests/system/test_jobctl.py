"""Job control in Debian's bash on Keel's serial terminal: ^C, ^Z, ^\\,
jobs/bg/fg, SIGTTIN for a background reader, kill %N, traps; and the same
shell on the VGA terminal through the PS/2 keyboard."""

import re
import time

import pytest

import keelqemu
from keelshell import Shell, clean

CTRL_C, CTRL_Z, CTRL_BACKSLASH, CTRL_D = "\x03", "\x1a", "\x1c", "\x04"


@pytest.fixture(scope="module")
def bash():
    sh = Shell.boot(smp=2, log=keelqemu.build_dir() / "test-logs" / "jobctl.log")
    yield sh
    sh.kill()


def _start(sh, cmd):
    """Start a foreground command and give it time to be running."""
    sh.send(cmd + "\r")
    time.sleep(1.0)


def test_ctrl_c_kills_foreground_job(bash):
    _start(bash, "sleep 100")
    bash.send(CTRL_C)
    bash.prompt(timeout=20)
    assert bash.check("echo $?") == "130"


def test_ctrl_c_stops_a_shell_loop(bash):
    """A foreground loop inside the shell itself stops on ^C."""
    _start(bash, "while true; do :; done")
    bash.send(CTRL_C)
    bash.prompt(timeout=20)
    assert bash.check("echo alive") == "alive"


def test_ctrl_backslash_quits(bash):
    _start(bash, "sleep 100")
    bash.send(CTRL_BACKSLASH)
    before = bash.prompt(timeout=20)
    assert "Quit" in before


def test_ctrl_z_bg_fg(bash):
    _start(bash, "sleep 100")
    bash.send(CTRL_Z)
    before = bash.prompt(timeout=20)
    assert re.search(r"\[\d+\]\+\s+Stopped\s+sleep 100", before), before
    assert re.search(r"Stopped\s+sleep 100", bash.check("jobs"))
    out = bash.check("bg")
    assert "sleep 100 &" in out
    assert re.search(r"Running\s+sleep 100 &", bash.check("jobs"))
    bash.send("fg\r")
    bash.expect(r"sleep 100", timeout=20)
    time.sleep(0.5)
    bash.send(CTRL_C)
    bash.prompt(timeout=20)
    assert bash.check("jobs") == ""


def test_background_reader_gets_sigttin(bash):
    bash.check("cat &")
    time.sleep(1.0)
    # bash says "Stopped" (and in POSIX mode which signal), as on Linux.
    assert re.search(r"\+\s+Stopped\s+cat", bash.check("jobs"))
    out = bash.check("set -o posix; jobs; set +o posix")
    assert re.search(r"Stopped\(SIGTTIN\)\s+cat", out), out
    bash.check("kill -9 %1; wait")
    bash.check("true")      # bash reports "[1]+ Killed cat" around here
    assert bash.check("jobs") == ""


def test_kill_percent(bash):
    bash.check("sleep 100 &")
    bash.check("kill %1")
    out = bash.check("wait %1; echo $?")
    assert out.splitlines()[-1] == "143"


def test_trapped_sigint_survives_ctrl_c(bash):
    _start(bash, "sh -c 'trap \"echo caught\" INT; sleep 2; echo after'")
    bash.send(CTRL_C)
    # The terminal echoes the ^C ("^C", ECHOCTL) before the trap's output,
    # as Linux's does.
    lines = [l.replace("^C", "") for l in bash.prompt(timeout=30).splitlines()]
    assert "caught" in lines and "after" in lines, lines


def test_ctrl_d_on_empty_line_is_eof(bash):
    bash.send("cat > /tmp/eoftest\r")
    time.sleep(0.5)
    bash.send("line\r")
    bash.send(CTRL_D)
    bash.prompt(timeout=20)
    assert bash.check("cat /tmp/eoftest") == "line"


def test_stty_and_raw_read(bash):
    """A one-byte raw read (stty -icanon min 1) returns the byte typed."""
    bash.send("stty -icanon -echo min 1; v=$(dd bs=1 count=1 2>/dev/null); stty sane; "
              "echo got=$v\r")
    time.sleep(1.0)
    bash.send("Q")
    lines = bash.prompt(timeout=20).splitlines()
    assert "got=Q" in lines, lines


# QEMU key names for the characters typed on the PS/2 keyboard.
_KEYS = {" ": "spc", "$": "shift-4", "(": "shift-9", ")": "shift-0", "*": "shift-8",
         "-": "minus", "=": "equal", "\n": "ret", ">": "shift-dot", "/": "slash"}


def _keys(text):
    return [_KEYS.get(c, "shift-" + c.lower() if c.isupper() else c) for c in text]


def _screen(sh):
    return "\n".join(sh.k.vga_text())


def test_vga_terminal_runs_bash():
    """The bash on tty1 reads the PS/2 keyboard and draws on the VGA screen."""
    with Shell.boot(smp=2, log=keelqemu.build_dir() / "test-logs" / "vga-bash.log") as sh:
        sh.k.sendkey(_keys("echo vga-$((6*7)) > /dev/ttyS0\n"), delay=0.02)
        sh.expect(r"vga-42", timeout=30)
        deadline = time.monotonic() + 20
        while "vga-42" not in _screen(sh) and time.monotonic() < deadline:
            time.sleep(0.5)
        screen = _screen(sh)
        assert "vga-42" not in screen or "root@keel" in screen
        sh.k.sendkey(_keys("echo on-screen-$((2*21))\n"), delay=0.02)
        deadline = time.monotonic() + 20
        while "on-screen-42" not in _screen(sh) and time.monotonic() < deadline:
            time.sleep(0.5)
        screen = _screen(sh)
        assert "on-screen-42" in screen, screen
        assert re.search(r"root@keel:~# ", screen), screen
        assert clean(sh.check("tty")) == "/dev/ttyS0"


def test_proc_shows_terminal_and_stopped_state(bash):
    """/proc/PID/stat: tty_nr of the controlling terminal (ttyS0 is 4,64),
    and state T for a stopped process."""
    assert bash.check("cut -d' ' -f7 /proc/$$/stat") == str(4 << 8 | 64)
    out = bash.check("(sleep 100 & p=$!; kill -STOP $p; sleep 0.5; "
                     "cut -d' ' -f3 /proc/$p/stat; grep State /proc/$p/status; kill -9 $p)")
    assert out.splitlines()[-2:] == ["T", "State:\tT (stopped)"], out
