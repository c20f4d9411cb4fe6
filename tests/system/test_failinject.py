"""Fault injection (failalloc=, kernel/core/failinject.c): the user-space suites
run as init while a share of the kernel's allocations fail at random.
Test cases may FAIL (their fork, pipe or open got -ENOMEM), init may even
be killed (a page fault with no frame is SIGKILL): what must hold is the
kernel's side -- no panic, no kernel-mode exception, no lockdep or heap
report, no fault loop, no hang, init exits, every frame comes back, the
page tables are clean, and failures really were injected."""

import re

import pytest

import keelqemu
from test_user import REPORT

SUITE_TIMEOUT = 240          # one suite under injection, TCG, seconds
INJECTED = re.compile(r"failinject: frame (\d+) heap (\d+) kstack (\d+) "
                      r"failures injected")
INIT_EXIT = re.compile(r"keel: init (exited with status \d+|was killed by signal \d+)")
KERNEL_TROUBLE = re.compile(r"PANIC|in kernel mode|lockdep:|kmem check|fault loop:|"
                            r"BUG at|assertion")

# (init, failalloc=): usertests with three seeds, sparing init (noinit):
# its runner removes the files failed tests left in /tmp, which would
# otherwise count as frames not returned if an injected page-fault failure
# killed it first; and failures land inside the tests, not in the runner's
# fork.  threadtests (no files) with the runner not spared: with heap and
# kstack failures (a frame failure on a page fault kills a process
# outright), and once with everything.
CASES = [
    ("/bin/usertests", "all:1/100:1:noinit"),
    ("/bin/usertests", "all:1/30:2:noinit"),
    ("/bin/usertests", "heap,kstack:1/10:3:noinit"),
    ("/bin/threadtests", "heap,kstack:1/100:4"),
    ("/bin/threadtests", "all:1/300:5"),
]


@pytest.mark.parametrize("init,failalloc", CASES,
                         ids=[f"{i.split('/')[-1]}-{f.replace('/', '_')}" for i, f in CASES])
def test_failinject(keel, init, failalloc):
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=2, mem="256M",
             append=f'init="{init}" initexit=poweroff panic=exit failalloc={failalloc}',
             hard_timeout=SUITE_TIMEOUT + 60)
    k.wait_exit(timeout=SUITE_TIMEOUT)
    out = k.output
    bad = KERNEL_TROUBLE.search(out)
    assert not bad, f"kernel trouble ({bad.group(0)}):\n{out[-4000:]}"
    assert INIT_EXIT.search(out), "init did not exit:\n" + out[-3000:]
    m = REPORT.search(out)
    assert m, "no init exit report:\n" + out[-3000:]
    assert int(m.group(1)) == 0, f"{m.group(1)} frames not returned:\n{out[-4000:]}"
    assert int(m.group(2)) == 0, f"page-table check found problems:\n{out[-4000:]}"
    inj = INJECTED.search(out)
    assert inj, "no failinject count line:\n" + out[-3000:]
    assert sum(int(n) for n in inj.groups()) > 0, "no failure was injected: " + inj.group(0)
