"""Wall-clock time: Keel reads QEMU's CMOS RTC (UTC, the host's time by
default) at boot, so the wall clock is the host's UTC time."""

import re
import time

import keelqemu

EPOCH = re.compile(r"ktest:   rtc epoch (-?\d+), wall clock (\d+)")
SLACK_S = 120          # boot time under a loaded machine, rounding


def test_rtc_gives_host_time(keel):
    before = time.time()
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=1, mem="64M",
             append="test=rtc_wall_clock panic=exit")
    k.wait_exit(timeout=120)
    after = time.time()
    m = EPOCH.search(k.output)
    assert m, k.output[-2000:]
    rtc, wall = int(m.group(1)), int(m.group(2))
    assert before - SLACK_S <= rtc <= after + SLACK_S, (before, rtc, after)
    assert abs(wall - rtc) <= 2
    assert "ktest: 1 passed, 0 failed" in k.output, k.output[-2000:]
