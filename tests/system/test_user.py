"""User space: static musl programs from the initramfs run as init, the
user-space test suite (one pytest case per usertests case), and the
kernel's report when init exits: every frame returned, page tables clean."""

import re
import subprocess

import pytest

import keelqemu

USERTESTS_SMP = 4
REPORT = re.compile(r"keel: (-?\d+) frames not returned since init started .*"
                    r"page-table check: (\d+) problems")


def _usertests_names():
    binary = keelqemu.build_dir() / "user" / "usertests"
    if not binary.exists():
        return ["usertests-missing"]
    out = subprocess.run([str(binary), "--list"], capture_output=True, text=True,
                         timeout=30).stdout
    return out.split() or ["usertests-list-empty"]


def _check_report(k, status=0):
    m = REPORT.search(k.output)
    assert m, "no init exit report:\n" + k.output[-2000:]
    assert int(m.group(1)) == 0, f"{m.group(1)} frames leaked:\n{k.output[-2000:]}"
    assert int(m.group(2)) == 0, f"page-table check found problems:\n{k.output[-3000:]}"
    assert f"init exited with status {status}" in k.output


def _run_init(keel, init, smp=2, timeout=120):
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=smp, mem="256M",
             append=f'init="{init}" initexit=poweroff panic=exit')
    status = k.wait_exit(timeout=timeout)
    return k, status


def test_hello(keel):
    k, status = _run_init(keel, "/bin/hello")
    assert "hello, world" in k.output
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


def test_forkexec(keel):
    k, status = _run_init(keel, "/bin/forkexec")
    assert "arg: from-forkexec" in k.output and "HELLO=keel" in k.output
    assert re.search(r"forkexec: child \d+ exited with status 0", k.output)
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


def test_init_exit_leaves_orphans(keel):
    """init exits while its child and grandchild still sleep: the kernel
    kills and frees them, does not panic, reports and powers off."""
    k, status = _run_init(keel, "/bin/usertests --orphan-init")
    assert "usertests: orphan-init: exiting" in k.output, k.output[-2000:]
    assert "PANIC" not in k.output, k.output[-3000:]
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


def test_missing_init_falls_back_to_shell(keel):
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=1, mem="128M",
             append="init=/no/such/program panic=exit")
    k.expect(r"keel: cannot start init /no/such/program: error -2", timeout=60)
    k.expect(r"keel> ", timeout=30)


@pytest.fixture(scope="session")
def usertests_run(tmp_path_factory):
    log = keelqemu.build_dir() / "test-logs" / "usertests-smp4.log"
    k = keelqemu.Keel(kernel=keelqemu.build_dir() / "keel.elf", smp=USERTESTS_SMP,
                      mem="256M", append='init="/bin/usertests" initexit=poweroff panic=exit',
                      log=log, hard_timeout=400)
    k.start()
    try:
        status = k.wait_exit(timeout=360)
    finally:
        k.kill()
    results = {m.group(2): m.group(1)
               for m in re.finditer(r"usertests: (PASS|FAIL) (\w+)", k.output)}
    return k, status, results


@pytest.mark.parametrize("name", _usertests_names())
def test_usertests(usertests_run, name):
    k, _, results = usertests_run
    assert name in results, f"usertests case {name} did not report:\n{k.output[-2000:]}"
    if results[name] != "PASS":
        line = re.search(rf"usertests: FAIL {name}\b.*", k.output)
        pytest.fail(line.group(0) if line else f"{name} failed")


def test_usertests_leave_no_trace(usertests_run):
    k, status, _ = usertests_run
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS


@pytest.mark.parametrize("smp", [1, 2])
def test_usertests_other_cpu_counts(keel, smp):
    k, status = _run_init(keel, "/bin/usertests", smp=smp, timeout=360)
    assert re.search(r"usertests: \d+ passed, 0 failed", k.output), k.output[-3000:]
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS
