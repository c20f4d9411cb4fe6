"""Kernel coverage (/dev/kcov): the KCOV=1 kernel runs user/kcovtest as init,
and one short coverage-guided fuzz run (user/fuzzsys --cover).

The coverage kernel is built here, into its own directory ($KEEL_KCOV_BUILD,
default <build>-kcov, e.g. build-kcov), with `make KCOV=1`: only the kernel
(about 20 s on two cores); the programs come from the normal build's
initramfs, which has /bin/kcovtest.  KEEL_KCOV_NO_BUILD=1 uses what is
there and skips when no coverage kernel was built (`make kcov-test` builds
it first).  The normal kernel must not have /dev/kcov at all.
"""

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

import keelqemu

REPORT = re.compile(r"keel: (-?\d+) frames not returned since init started .*"
                    r"page-table check: (\d+) problems")
PHASE = re.compile(r"kcovtest: ([\w-]+) pcs=(\d+) unique=(\d+) min=0x([0-9a-f]+) "
                   r"max=0x([0-9a-f]+)")
BUILD_TIMEOUT = 600
COVER_FUZZ_SECONDS = 20
COVER_FUZZ_SEED = 7

_spec = importlib.util.spec_from_file_location(
    "fuzz_sys", keelqemu.REPO / "tools" / "fuzz-sys.py")
fuzz_sys = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_sys)


def kcov_build_dir():
    b = os.environ.get("KEEL_KCOV_BUILD")
    if b:
        return Path(b) if Path(b).is_absolute() else keelqemu.REPO / b
    return keelqemu.build_dir().with_name(keelqemu.build_dir().name + "-kcov")


@pytest.fixture(scope="module")
def kcov_kernel():
    bdir = kcov_build_dir()
    elf = bdir / "keel.elf"
    if not os.environ.get("KEEL_KCOV_NO_BUILD"):
        rel = os.path.relpath(bdir, keelqemu.REPO)
        # Not a sub-make of `make test`'s jobserver: a build of its own.
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        r = subprocess.run(["make", "-j2", "KCOV=1", f"BUILD={rel}", f"{rel}/keel.elf"],
                           cwd=keelqemu.REPO, capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT, env=env)
        if r.returncode:
            pytest.fail("make KCOV=1 failed:\n" + (r.stdout + r.stderr)[-3000:],
                        pytrace=False)
    if not elf.exists():
        pytest.skip(f"no coverage kernel {elf} (make kcov-test builds it)")
    return elf


def _need_kcovtest():
    prog = keelqemu.build_dir() / "user" / "kcovtest"
    if not prog.exists():
        pytest.fail(f"{prog} does not exist: run `make` first", pytrace=False)


def _text_range(elf):
    out = subprocess.run([os.environ.get("NM", "nm"), "--defined-only", str(elf)],
                         check=True, capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3:
            syms[f[2]] = int(f[0], 16)
    return syms["_text_start"], syms["_text_end"]


def _check_report(k, status):
    m = REPORT.search(k.output)
    assert m, "no init exit report:\n" + k.output[-2000:]
    assert int(m.group(1)) == 0, f"{m.group(1)} frames leaked:\n{k.output[-2000:]}"
    assert int(m.group(2)) == 0, f"page-table check found problems:\n{k.output[-3000:]}"
    assert f"init exited with status {status}" in k.output, k.output[-2000:]


def test_kcov_coverage(keel, kcov_kernel):
    _need_kcovtest()
    k = keel(kernel=kcov_kernel, smp=2, mem="256M",
             append='init="/bin/kcovtest" initexit=poweroff panic=exit')
    status = k.wait_exit(timeout=120)
    out = k.output
    assert "PANIC" not in out and "lockdep:" not in out, out[-3000:]
    m = re.search(r"kcovtest: (\d+) checks, (\d+) failed", out)
    assert m, "kcovtest did not finish:\n" + out[-3000:]
    assert m.group(2) == "0", "kcovtest checks failed:\n" + out[-3000:]
    _check_report(k, 0)
    assert status == keelqemu.EXIT_SUCCESS

    lo, hi = _text_range(kcov_kernel)
    phases = {p[0]: p for p in PHASE.findall(out)}
    for want in ("getpid", "write", "while-other-thread", "wait-for-child"):
        assert want in phases, f"no {want} phase:\n{out[-3000:]}"
    for name, pcs, unique, pmin, pmax in phases.values():
        if int(unique):
            assert lo <= int(pmin, 16) and int(pmax, 16) < hi, \
                f"{name}: PCs outside kernel text [{lo:#x}, {hi:#x})"
    assert int(phases["getpid"][1]) > 0 and int(phases["write"][1]) > 0

    # The symbolizer names getpid's own code among its PCs.
    pcs = re.search(r"kcovtest: getpid-pcs((?: 0x[0-9a-f]+)+)", out)
    assert pcs, out[-3000:]
    sym = subprocess.run([str(keelqemu.REPO / "tools" / "kcov-symbolize.py"),
                          "--elf", str(kcov_kernel)], input=pcs.group(1),
                         capture_output=True, text=True, check=True).stdout
    assert "getpid" in sym, sym


@pytest.mark.parametrize("seed", [5, 11])
def test_kcov_churn_failalloc(keel, kcov_kernel, seed):
    """Random use and misuse of /dev/kcov from three threads while kernel
    heap allocations fail at random: no panic, every frame comes back."""
    _need_kcovtest()
    k = keel(kernel=kcov_kernel, smp=2, mem="256M",
             append=f'init="/bin/kcovtest --churn" initexit=poweroff panic=exit '
                    f'failalloc=heap:200:{seed}')
    k.wait_exit(timeout=120)
    out = k.output
    assert "PANIC" not in out and "lockdep:" not in out, out[-3000:]
    m = REPORT.search(out)
    assert m, "no init exit report:\n" + out[-2000:]
    assert int(m.group(1)) == 0 and int(m.group(2)) == 0, out[-3000:]


def test_kcov_guided_fuzz(keel, kcov_kernel):
    """fuzzsys --cover on the coverage kernel: a clean run (the checks of
    tools/fuzz-sys.py and test_fuzz.py) whose workers recorded coverage and
    kept calls that reached new kernel code."""
    run = fuzz_sys.Run(COVER_FUZZ_SEED, 2)
    k = keel(kernel=kcov_kernel, smp=2, mem="256M",
             append=fuzz_sys.fuzz_cmdline(COVER_FUZZ_SEED, COVER_FUZZ_SECONDS, 4,
                                          ["--cover"]),
             hard_timeout=COVER_FUZZ_SECONDS + 240)
    fuzz_sys.watch(k, run, COVER_FUZZ_SECONDS, 60)
    assert run.ok, "; ".join(run.failures) + f"\n--- console tail ---\n{k.tail()}"
    assert run.calls and run.frames == 0
    assert "cover:guided" in k.output, k.output[-2000:]
    assert run.cover and run.cover > 0 and run.corpus and run.corpus > 0, \
        f"no coverage recorded (cover={run.cover} corpus={run.corpus}):\n{k.tail()}"


def test_kcov_absent_without_kcov(keel):
    """A kernel built without KCOV=1 has no /dev/kcov and says how to get it."""
    _need_kcovtest()
    elf = keelqemu.build_dir() / "keel.elf"
    if not elf.exists():
        pytest.skip(f"{elf} not built")
    config = keelqemu.build_dir() / "gen" / "kcov.config"
    if config.exists() and "KCOV=1" in config.read_text():
        pytest.skip(f"{elf} is a KCOV=1 kernel")
    k = keel(kernel=elf, smp=1, mem="128M",
             append='init="/bin/kcovtest" initexit=poweroff panic=exit')
    k.wait_exit(timeout=60)
    assert "kcovtest: /dev/kcov is absent" in k.output, k.output[-2000:]
    assert "kcov: /dev/kcov needs a kernel built with make KCOV=1" in k.output
    assert "PANIC" not in k.output
    _check_report(k, 2)
