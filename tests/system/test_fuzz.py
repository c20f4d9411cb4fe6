"""A bounded system-call fuzz (user/fuzzsys.c as init, every area on): a
fixed set of seeds, about a minute on -smp 1 and a minute on -smp 2.  Each
boot must end with no panic, exception, lockdep or heap report, no process
that SIGKILL cannot end, no hang, and a clean init-exit report (fuzzsys
exits 0, every frame back, page tables clean).  The checks are those of
tools/fuzz-sys.py (`make fuzz-sys` runs longer and random seeds)."""

import importlib.util
import re

import pytest

import keelqemu

_spec = importlib.util.spec_from_file_location(
    "fuzz_sys", keelqemu.REPO / "tools" / "fuzz-sys.py")
fuzz_sys = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_sys)

FUZZ_SECONDS = 25          # per boot; two seeds per SMP count
FUZZ_WORKERS = 4
FUZZ_HANG = 60
SEEDS = (1, 2)


@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz(keel, smp, seed):
    run = fuzz_sys.Run(seed, smp)
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=smp, mem="256M",
             append=fuzz_sys.fuzz_cmdline(seed, FUZZ_SECONDS, FUZZ_WORKERS, []),
             hard_timeout=FUZZ_SECONDS + 240)
    fuzz_sys.watch(k, run, FUZZ_SECONDS, FUZZ_HANG)
    assert run.ok, (f"seed {seed} smp {smp}: " + "; ".join(run.failures) +
                    f"\n--- console tail ---\n{k.tail()}")
    assert run.calls and run.calls > 0 and run.frames == 0


FAILALLOC = "all:1/200:3:noinit"   # every kind, 1 in 200, seed 3, init spared
INJECTED = re.compile(r"failinject: frame (\d+) heap (\d+) kstack (\d+) failures injected")


def test_fuzz_failalloc(keel):
    """The fuzzer while kernel allocations fail at random (failalloc=): each
    failure must become an error code or a killed process, never a panic,
    a hang or a leak."""
    seed, smp = 3, 2
    run = fuzz_sys.Run(seed, smp)
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=smp, mem="256M",
             append=fuzz_sys.fuzz_cmdline(seed, FUZZ_SECONDS, FUZZ_WORKERS, []) +
             f" failalloc={FAILALLOC}",
             hard_timeout=FUZZ_SECONDS + 240)
    fuzz_sys.watch(k, run, FUZZ_SECONDS, FUZZ_HANG)
    assert run.ok, (f"failalloc={FAILALLOC}: " + "; ".join(run.failures) +
                    f"\n--- console tail ---\n{k.tail()}")
    m = INJECTED.search(k.output)
    assert m and sum(int(x) for x in m.groups()) > 0, "no failure was injected"
