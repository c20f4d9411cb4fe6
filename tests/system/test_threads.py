"""Threads, preemptive SMP scheduling, sleep/wakeup and safe thread exit.

- threadtests (user/threadtests.c, musl pthreads) as init: one pytest case
  per threadtests case from one boot on -smp 4, and whole-suite boots on
  -smp 1 and -smp 2; each boot must end with the clean init-exit report.
- spawnbg (user/spawnbg.c), the Twizzler freeze (`for i in {1..10}; do ls &
  done`, then a key press): every line typed on the PS/2 keyboard forks 10
  short-lived children that are not waited for.  20 rounds on -smp 1 and
  -smp 2, typing either while the children are still running and exiting
  ("busy") or right after the last of them printed its line ("idle": the
  keyboard interrupt lands on CPUs whose last thread just exited).  Every
  round must be echoed, "quit" must end with every child reaped and the
  clean report.

Every QEMU runs under a hard timeout (keelqemu), so a hang fails the test.
"""

import re
import subprocess
import time

import pytest

import keelqemu
from test_user import _check_report

THREADTESTS_SMP = 4
SUITE_TIMEOUT = 600          # whole threadtests suite under TCG, seconds
SPAWN_ROUNDS = 20
SPAWN_CHILDREN = 10          # per round: SPAWN_CHILDREN in user/spawnbg.c
ROUND_TIMEOUT = 60           # one round's echo / children, seconds


def _threadtests_names():
    binary = keelqemu.build_dir() / "user" / "threadtests"
    if not binary.exists():
        return ["threadtests-missing"]
    out = subprocess.run([str(binary), "--list"], capture_output=True, text=True,
                         timeout=30).stdout
    return out.split() or ["threadtests-list-empty"]


def _boot(keel, init, smp, mem="256M"):
    return keel(kernel=keelqemu.build_dir() / "keel.elf", smp=smp, mem=mem,
                append=f'init="{init}" initexit=poweroff panic=exit',
                hard_timeout=SUITE_TIMEOUT + 60)


def _results(output):
    results = {}
    for m in re.finditer(r"threadtests: (PASS|FAIL) (\w+)", output):
        if results.get(m.group(2)) != "FAIL":
            results[m.group(2)] = m.group(1)
    return results


@pytest.fixture(scope="session")
def threadtests_run():
    log = keelqemu.build_dir() / "test-logs" / f"threadtests-smp{THREADTESTS_SMP}.log"
    k = keelqemu.Keel(kernel=keelqemu.build_dir() / "keel.elf", smp=THREADTESTS_SMP,
                      mem="256M",
                      append='init="/bin/threadtests" initexit=poweroff panic=exit',
                      log=log, hard_timeout=SUITE_TIMEOUT + 60)
    k.start()
    status, error = None, None
    try:
        status = k.wait_exit(timeout=SUITE_TIMEOUT)
    except AssertionError as e:
        error = str(e)
    finally:
        k.kill()
    return k, status, error, _results(k.output)


@pytest.mark.parametrize("name", _threadtests_names())
def test_threadtests(threadtests_run, name):
    k, _, error, results = threadtests_run
    assert name in results, (f"threadtests case {name} did not report"
                             f"{' (' + error.splitlines()[0] + ')' if error else ''}:\n"
                             f"{k.output[-2000:]}")
    if results[name] != "PASS":
        line = re.search(rf"threadtests: FAIL {name}\b.*", k.output)
        pytest.fail(line.group(0) if line else f"{name} failed")


def test_threadtests_leave_no_trace(threadtests_run):
    k, status, error, _ = threadtests_run
    assert error is None, error
    assert re.search(r"threadtests: \d+ passed, 0 failed", k.output), k.output[-3000:]
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


@pytest.mark.parametrize("smp", [1, 2])
def test_threadtests_other_cpu_counts(keel, smp):
    k = _boot(keel, "/bin/threadtests", smp)
    status = k.wait_exit(timeout=SUITE_TIMEOUT)
    assert re.search(r"threadtests: \d+ passed, 0 failed", k.output), k.output[-3000:]
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


def _expect_count(k, pattern, n, timeout=ROUND_TIMEOUT):
    """Wait until pattern has appeared n times on the console (some may have
    been printed, and passed over, before an earlier expect matched)."""
    deadline = time.monotonic() + timeout
    while len(re.findall(pattern, k.output)) < n:
        k.expect(pattern, timeout=max(1, deadline - time.monotonic()))


def _keys(line):
    """QEMU sendkey names for typing line (lower-case letters and digits) + Enter."""
    assert re.fullmatch(r"[a-z0-9]+", line), line
    return list(line) + ["ret"]


@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("when", ["busy", "idle"])
def test_spawnbg_keypress(keel, smp, when):
    # The keyboard types into tty1; the console (output) is the serial line.
    k = _boot(keel, "/bin/spawnbg --input /dev/tty1", smp)
    k.expect(r"spawnbg: ready", timeout=60)
    for n in range(1, SPAWN_ROUNDS + 1):
        line = f"r{n}"
        k.sendkey(_keys(line), delay=0.02)
        k.expect(rf"spawnbg: got {line} \(round {n}\)", timeout=ROUND_TIMEOUT)
        if when == "idle":
            # Wait for this round's children to finish, then type at once.
            _expect_count(k, rf"spawnbg: ls round {n}:", SPAWN_CHILDREN)
    k.sendkey(_keys("quit"), delay=0.02)
    k.expect(r"spawnbg: done: (\d+) rounds, (\d+) children, (\d+) failed",
             timeout=ROUND_TIMEOUT)
    m = k.child.match
    assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == \
        (SPAWN_ROUNDS, SPAWN_ROUNDS * SPAWN_CHILDREN, 0), m.group(0)
    status = k.wait_exit(timeout=ROUND_TIMEOUT)
    out = k.output
    assert "PANIC" not in out and "fault loop" not in out, out[-3000:]
    for n in range(1, SPAWN_ROUNDS + 1):
        got = len(re.findall(rf"spawnbg: ls round {n}:", out))
        assert got == SPAWN_CHILDREN, f"round {n}: {got} children printed"
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS
