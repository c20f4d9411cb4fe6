"""Hostile user workloads must hurt only themselves: running out of memory
kills only the offending child (the biggest holder, never init, even
when init's own copy-on-write pages need frames), init survives every
signal and exit signal aimed at it, a fork bomb ends with fork failing cleanly,
malformed executables are refused.  Afterwards every frame has come back
and the page tables are clean (the kernel's init-exit report)."""

import pytest

import keelqemu
from test_user import _check_report


@pytest.mark.parametrize("workload,mem", [("oom", "64M"), ("oomkill", "64M"),
                                          ("oomkill", "256M"), ("initsig", "128M"),
                                          ("sparse", "64M"),
                                          ("forkbomb", "128M"), ("badexec", "128M")])
def test_stress(keel, workload, mem):
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=2, mem=mem,
             append=f'init="/bin/stress {workload}" initexit=poweroff panic=exit')
    status = k.wait_exit(timeout=300)
    assert f"stress: {workload}: ok" in k.output, k.output[-3000:]
    assert "PANIC" not in k.output
    _check_report(k)
    assert status == keelqemu.EXIT_SUCCESS
