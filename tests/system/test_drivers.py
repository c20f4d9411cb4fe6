"""User-space drivers (issue 12, docs/drivers.md).

- /bin/drvtests (user/drvtests.c) as init, on -smp 1 and -smp 4: the
  /dev/irqN device-object contract, interrupts raised through the i8042,
  kbdd typing, the kernel's keyboard driver stepping aside and coming back,
  attach/detach races, a driver killed while its interrupt fires; one pytest
  case per drvtests case per CPU count, then the init-exit report (every
  frame back, page tables clean).
- kill -9 of kbdd while keys are typed on the PS/2 keyboard into bash on
  the VGA terminal: init restarts it, the keys typed after the restart all
  arrive, and the session ends with every frame returned.
"""

import re
import time

import pytest

import keelqemu
from keelshell import Shell

SMPS = (1, 4)
BOOT_TIMEOUT = 600
RESULT = re.compile(r"drvtests: (PASS|FAIL) (\w+)")

_runs = {}


def _drvtests_run(smp):
    if smp not in _runs:
        k, status = keelqemu.run_as_init(f"drvtests-smp{smp}.log", "/bin/drvtests", smp=smp,
                                         timeout=BOOT_TIMEOUT)
        results = {m.group(2): m.group(1) for m in RESULT.finditer(k.output)}
        _runs[smp] = (k, status, results)
    return _runs[smp]


@pytest.mark.parametrize("smp", SMPS)
@pytest.mark.parametrize("name", keelqemu.suite_names("drvtests"))
def test_drvtests(smp, name):
    k, _, results = _drvtests_run(smp)
    assert name in results, f"drvtests {name} never reported:\n" + k.tail(3000)
    if results[name] != "PASS":
        lines = [l for l in k.output.splitlines() if f"FAIL {name}" in l]
        pytest.fail("\n".join(lines) or k.tail(3000))


@pytest.mark.parametrize("smp", SMPS)
def test_drvtests_init_exit_report(smp):
    k, status, _ = _drvtests_run(smp)
    assert re.search(r"drvtests: \d+ passed, 0 failed", k.output), k.tail(3000)
    keelqemu.check_clean_exit(k, status)


def _kbdd_pid(sh):
    """kbdd's pid once it holds IRQ 1 (waits for init to start it)."""
    out = sh.check("for i in $(seq 100); do grep -q devobj:kbdd /proc/interrupts && "
                   "break; sleep 0.1; done; grep -q devobj:kbdd /proc/interrupts && "
                   "pidof kbdd", timeout=60)
    return int(out.split()[0])


def test_kbdd_killed_while_typing():
    log = keelqemu.build_dir() / "test-logs" / "kbdd-kill.log"
    sh = Shell.boot(smp=2, mem="256M", append='init="/init --once" initexit=poweroff',
                    log=log, hard_timeout=600)
    try:
        first = _kbdd_pid(sh)
        # Keys typed while kbdd dies: some may be lost in the gap.
        sh.k.sendkey([keelqemu.key_name(c) for c in "echo lost"], delay=0.01)
        sh.send(f"kill -9 {first}\r")
        sh.k.sendkey([keelqemu.key_name(c) for c in "abcdefgh"], delay=0.01)
        t0 = time.monotonic()
        second = _kbdd_pid(sh)
        restart = time.monotonic() - t0
        assert second != first, "kbdd was not restarted"
        # After the restart every key arrives: clear the line, type a
        # command whose output goes to the serial line.
        line = "echo kbdd-back-$((6*7)) >/dev/ttyS0"
        sh.k.sendkey(["ctrl-u"] + [keelqemu.key_name(c) for c in line] + ["ret"],
                     delay=0.01)
        sh.expect(r"kbdd-back-42", timeout=60)
        assert _kbdd_pid(sh) == second
        sh.send("unset HISTFILE; exit 0\r")
        status = sh.k.wait_exit(timeout=120)
        keelqemu.check_clean_exit(sh.k, status)
        print(f"kbdd back {restart:.2f} s after the kill (as seen over serial)")
    finally:
        sh.kill()
