"""The scenario that froze Twizzler, in Debian's bash on Keel.

`for i in {1..10}; do ls & done` then Enter, typed again and again in one
boot, while the previous round's ten `ls` still run: the prompt must come
back every time.  Then the shell exits, and the kernel's init-exit report
(init="/init --once") must show no lost frames and clean page tables.

Two ways in, each on -smp 1, 2 and 4:
  serial  the line is typed on the serial console every round;
  ps2     the line is typed once on the PS/2 keyboard into the bash on the
          VGA terminal (tty1), then recalled and entered with Up, Enter
          through the keyboard every round.  The keyboard is driven by the
          user-space driver kbdd (init starts it; the test checks that it
          holds IRQ 1 from the first round to the last, the same process).
          That bash announces each new prompt on the serial line
          (PROMPT_COMMAND), and its prompt carries the round number, which
          the test reads back from VGA memory after every round (the rounds
          run in the empty /tmp, so `ls` prints nothing after it).

KEEL_SEED_ROUNDS sets the number of rounds: `make test` runs 100 on each of
the six configurations (about 3 minutes under TCG on 2 cores); `make
test-seed` runs the full 1,000 on each (about 35 minutes: one round costs
about 0.33 s, ten fork+exec of busybox under TCG).
"""

import os
import re

import pytest

import keelqemu
from keelshell import Shell

ROUNDS = int(os.environ.get("KEEL_SEED_ROUNDS", "100"))
SEED = "for i in {1..10}; do ls & done"
REPORT = re.compile(r"keel: (\d+) frames not returned since init started .*"
                    r"page-table check: (\d+) problems")


def _boot(smp, name):
    log = keelqemu.build_dir() / "test-logs" / f"seed-{name}-smp{smp}.log"
    return Shell.boot(smp=smp, mem="256M", append='init="/init --once" initexit=poweroff',
                      log=log, hard_timeout=1800)


def _finish(sh):
    """Wait for every job, leave the shell, check the init-exit report."""
    sh.check("wait", timeout=120)
    # No history file: what is left in the RAM file system would count as
    # frames not returned.
    sh.send("unset HISTFILE; exit 0\r")
    status = sh.k.wait_exit(timeout=120)
    out = sh.output
    m = REPORT.search(out)
    assert m, "no init-exit report:\n" + sh.k.tail(3000)
    assert int(m.group(1)) == 0, f"{m.group(1)} frames lost:\n" + sh.k.tail(3000)
    assert int(m.group(2)) == 0, "page-table problems:\n" + sh.k.tail(3000)
    assert "init exited with status 0" in out, sh.k.tail(3000)
    assert "PANIC" not in out
    assert status == keelqemu.EXIT_SUCCESS


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_seed_scenario_serial(smp):
    sh = _boot(smp, "serial")
    try:
        for i in range(ROUNDS):
            sh.send(SEED + "\r")
            sh.prompt(timeout=60)
        _finish(sh)
    finally:
        sh.kill()


# QEMU key names for the characters the keyboard path types.
_KEYS = {" ": "spc", "{": "shift-bracket_left", "}": "shift-bracket_right",
         ".": "dot", ";": "semicolon", "&": "shift-7", "'": "apostrophe",
         "=": "equal", "$": "shift-4", "(": "shift-9", ")": "shift-0",
         "+": "shift-equal", ">": "shift-dot", "/": "slash", "_": "shift-minus",
         "-": "minus", "#": "shift-3", "\n": "ret"}


def _keys(text):
    out = []
    for ch in text:
        if ch in _KEYS:
            out.append(_KEYS[ch])
        elif ch.isupper():
            out.append("shift-" + ch.lower())
        else:
            out.append(ch)
    return out


def _kbdd(sh):
    """The pid of kbdd once it holds IRQ 1 (init starts it at boot)."""
    out = sh.check("for i in $(seq 100); do grep -q devobj:kbdd /proc/interrupts && "
                   "break; sleep 0.1; done; grep -q devobj:kbdd /proc/interrupts && "
                   "pidof kbdd", timeout=60)
    return out.split()[0]


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_seed_scenario_ps2(smp):
    sh = _boot(smp, "ps2")
    try:
        kbdd = _kbdd(sh)
        # The VGA terminal's bash reports each prompt on the serial line,
        # and shows the count in its prompt.
        sh.k.sendkey(_keys("cd /tmp && PS1='R${n}# ' && "
                           "PROMPT_COMMAND='echo P$((n++)) >/dev/ttyS0'\n"), delay=0.01)
        sh.expect(r"P0\r", timeout=60)
        sh.k.sendkey(_keys(SEED + "\n"), delay=0.01)
        sh.expect(r"P1\r", timeout=60)
        for i in range(2, ROUNDS + 2):
            sh.k.sendkey(["up", "ret"], delay=0.005)
            sh.expect(rf"P{i}\r", timeout=60)
            sh.k.expect_vga(rf"^R{i + 1}#$", timeout=30)
        assert _kbdd(sh) == kbdd, "kbdd was restarted during the rounds"
        sh.k.sendkey(_keys("unset HISTFILE; wait; exit\n"), delay=0.01)
        _finish(sh)
    finally:
        sh.kill()
