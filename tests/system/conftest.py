"""conftest - fixtures shared by Keel's system tests (QEMU + pexpect).

Fixtures:
  keel       factory: keel(kernel=..., smp=, mem=, append=, extra=) -> a
             started keelqemu.Keel; every QEMU it started is killed at the
             end of the test, and its console is logged to
             <build>/test-logs/<test name>.log
  kernel     path of <build>/keel.elf (the test fails if it is missing)
  iso        path of <build>/keel.iso
  ktest_run  session-wide: one boot with test=all, parsed (see test_ktest.py)

The build directory is $KEEL_BUILD (make test sets it) or build/.
In-kernel test names come from the ELF: every in-kernel test is a symbol
ktest_case_<name>, listed with nm.
"""

import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import keelqemu  # noqa: E402

KTEST_SYMBOL = re.compile(r"^[0-9a-fA-F]+\s+\S\s+ktest_case_(\w+)$")


def _need(path):
    if not path.exists():
        pytest.fail(f"{path} does not exist: run `make` (or `make test`) first",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def kernel():
    return _need(keelqemu.build_dir() / "keel.elf")


@pytest.fixture(scope="session")
def iso():
    return _need(keelqemu.build_dir() / "keel.iso")


def _log_name(nodeid):
    return re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1])[:120] + ".log"


@pytest.fixture
def keel(request):
    started = []
    logdir = keelqemu.build_dir() / "test-logs"

    def start(**kw):
        n = len(started)
        name = _log_name(request.node.nodeid)
        if n:
            name = name[:-4] + f".{n}.log"
        kw.setdefault("log", logdir / name)
        k = keelqemu.Keel(**kw).start()
        started.append(k)
        return k

    yield start
    for k in started:
        k.kill()


def ktest_names():
    """In-kernel test names: ktest_case_<name> symbols of keel.elf."""
    elf = keelqemu.build_dir() / "keel.elf"
    if not elf.exists():
        return []
    nm = os.environ.get("NM", "nm")
    out = subprocess.run([nm, "--defined-only", str(elf)], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        m = KTEST_SYMBOL.match(line.strip())
        if m:
            names.add(m.group(1))
    return sorted(names)


def pytest_generate_tests(metafunc):
    if "ktest_name" in metafunc.fixturenames:
        names = ktest_names()
        if not keelqemu.build_dir().joinpath("keel.elf").exists():
            names = ["keel.elf-missing"]
        metafunc.parametrize("ktest_name", names)


class KtestRun:
    """Result of booting once with test=all: per-test verdicts, the closing
    summary (passed, failed) or None, QEMU's exit status, the console."""

    def __init__(self, results, summary, status, output, error):
        self.results = results
        self.summary = summary
        self.status = status
        self.output = output
        self.error = error


KTEST_TIMEOUT = int(os.environ.get("KEEL_KTEST_TIMEOUT", "300"))
# The issue asks for the in-kernel suite on -smp 4 (TCG, 2 host cores).
KTEST_SMP = int(os.environ.get("KEEL_KTEST_SMP", "4"))


@pytest.fixture(scope="session")
def ktest_run():
    elf = _need(keelqemu.build_dir() / "keel.elf")
    log = keelqemu.build_dir() / "test-logs" / "ktest-all.log"
    k = keelqemu.Keel(kernel=elf, smp=KTEST_SMP, mem="256M",
                      append="test=all panic=exit", log=log,
                      hard_timeout=KTEST_TIMEOUT + 30)
    k.start()
    error = None
    status = None
    try:
        status = k.wait_exit(timeout=KTEST_TIMEOUT)
    except AssertionError as e:
        error = str(e)
    finally:
        k.kill()
    out = k.output
    results = {}
    for m in re.finditer(r"ktest: (PASS|FAIL) (\w+)", out):
        # A test reported twice keeps its worst verdict.
        if results.get(m.group(2)) != "FAIL":
            results[m.group(2)] = m.group(1)
    s = re.search(r"ktest: (\d+) passed, (\d+) failed", out)
    summary = (int(s.group(1)), int(s.group(2))) if s else None
    return KtestRun(results, summary, status, out, error)
