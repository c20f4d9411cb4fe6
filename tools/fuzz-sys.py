#!/usr/bin/env python3
"""fuzz-sys.py - boot Keel with the system-call fuzzer (user/fuzzsys.c) as init.

    tools/fuzz-sys.py --seeds 1,2,3 --seconds 60 --smp 1,2
    tools/fuzz-sys.py --total 600 --seconds 60 --smp 2        random seeds
    tools/fuzz-sys.py --soak --seconds 1800 --smp 4 [--starve]

One QEMU per (seed, SMP count), booted through tests/system/keelqemu.py's
Keel class with `init="/bin/fuzzsys --seed N ..." initexit=poweroff
panic=exit`.  A run fails on:

  - a kernel panic or exception report, a lockdep report, a kernel-heap
    (kmem check) report, a CPU spinning too long on a lock;
  - `fuzzsys: UNKILLABLE ...` or a failed soak job (`JOB FAILED`);
  - a hang: no progress line from the fuzzer for --hang seconds;
  - QEMU not exiting in time;
  - an init-exit report that is not clean: frames not returned, page-table
    problems, init exiting non-zero or killed by a signal.

Console logs are kept in build/fuzz-sys/ (--logdir).  The summary lists
per run: verdict, calls, processes, frames not returned at the end, the
longest SIGKILL-to-reaped time of a worker (killmax_ms), the kernel's
longest run-queue wait, kernel hogs, tick stalls and out-of-memory kills
(from the init-exit report), and on
a coverage kernel (`make KCOV=1`; fuzzsys uses /dev/kcov when it opens,
--cover asks for it) the edge bits covered and the corpus size.  Exit
status 0 when every run passed.  --starve pins QEMU to host CPU 0 next to
a busy-looping hog (vCPUs starved on purpose).
"""

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "system"))
import keelqemu  # noqa: E402
import pexpect  # noqa: E402

PROGRESS_RE = re.compile(r"fuzzsys: calls=(\d+) procs=(\d+)")
DONE_RE = re.compile(r"fuzzsys: done seed=(\d+) calls=(\d+) procs=(\d+) threads=(\d+) "
                     r"execs=(\d+) compat=(\d+) faults=(\d+) signals=(\d+) "
                     r"restarts=(\d+) jobs=(\d+) seconds=(\d+) unkillable=(\d+) "
                     r"jobfail=(\d+)")
REPORT_RE = re.compile(r"keel: (-?\d+) frames not returned since init started .*"
                       r"page-table check: (\d+) problems")
COVER_RE = re.compile(r"cover=(\d+) corpus=(\d+)")
KILLMAX_RE = re.compile(r"killmax_ms=(\d+)")
# The kernel's second init-exit line (kernel/init/main.c).
HEALTH_RE = re.compile(r"keel: out-of-memory kills (\d+), longest run-queue wait (\d+) ms, "
                       r"kernel hogs (\d+), tick stalls (\d+)")
STATUS_RE = re.compile(r"keel: init exited with status (\d+)")
KILLED_RE = re.compile(r"keel: init was killed by signal (\d+)")

# Lines that are failures wherever they appear on the console.
FAILURE_PATTERNS = [
    (re.compile(r"PANIC"), "kernel panic"),
    (re.compile(r"\(vector \d+\) error=0x[0-9a-f]+ in kernel mode"), "kernel exception"),
    (re.compile(r"^lockdep: ", re.M), "lockdep report"),
    (re.compile(r"kmem check: "), "kernel heap check"),
    (re.compile(r"spinning too long|spin.*stuck", re.I), "lock spinning"),
    (re.compile(r"fuzzsys: UNKILLABLE[^\r\n]*"), "unkillable process"),
    (re.compile(r"fuzzsys: JOB FAILED[^\r\n]*"), "soak job failed"),
]


def fuzz_cmdline(seed, seconds, workers, extra):
    args = ["/bin/fuzzsys", "--seed", str(seed), "--seconds", str(seconds),
            "--workers", str(workers)] + list(extra)
    return f'init="{" ".join(args)}" initexit=poweroff panic=exit loglevel=4'


class Run:
    """One boot: its settings, verdict and figures."""

    def __init__(self, seed, smp):
        self.seed, self.smp = seed, smp
        self.failures = []
        self.calls = self.procs = self.frames = None
        self.cover = self.corpus = None
        self.killmax = self.maxwait = self.hogs = self.stalls = self.oom = None
        self.log = None
        self.wall = 0.0

    @property
    def ok(self):
        return not self.failures


def check_output(run, out, status):
    """Fill run.failures and figures from the console text and QEMU status."""
    for pat, what in FAILURE_PATTERNS:
        m = pat.search(out)
        if m:
            run.failures.append(f"{what}: {m.group(0).strip()[:160]}")
    d = DONE_RE.search(out)
    if d:
        run.calls, run.procs = int(d.group(2)), int(d.group(3))
    else:
        p = PROGRESS_RE.findall(out)
        if p:
            run.calls, run.procs = int(p[-1][0]), int(p[-1][1])
        run.failures.append("no final `fuzzsys: done` line")
    c = COVER_RE.findall(out)      # the last progress or final line
    if c:
        run.cover, run.corpus = int(c[-1][0]), int(c[-1][1])
    k = KILLMAX_RE.search(out)
    if k:
        run.killmax = int(k.group(1))
    h = HEALTH_RE.search(out)
    if h:
        run.oom, run.maxwait, run.hogs, run.stalls = (int(x) for x in h.groups())
    r = REPORT_RE.search(out)
    if not r:
        run.failures.append("no init-exit report")
    else:
        run.frames = int(r.group(1))
        if run.frames != 0:
            run.failures.append(f"{run.frames} frames not returned")
        if int(r.group(2)) != 0:
            run.failures.append(f"page-table check: {r.group(2)} problems")
    k = KILLED_RE.search(out)
    if k:
        run.failures.append(f"init was killed by signal {k.group(1)}")
    s = STATUS_RE.search(out)
    if s and int(s.group(1)) != 0:
        run.failures.append(f"init exited with status {s.group(1)}")
    if status != keelqemu.EXIT_SUCCESS and not run.failures:
        run.failures.append(f"QEMU exit status {status}")


def watch(k, run, seconds, hang):
    """Follow a started Keel (fuzzsys as init) to its end and judge it: fills
    run.failures and figures.  Never raises; kills QEMU at the end."""
    slack = 120 + seconds // 2
    t0 = time.monotonic()
    status = None
    last = t0
    deadline = t0 + seconds + slack
    hung = []
    try:
        while True:
            i = k.child.expect([PROGRESS_RE.pattern, r"fuzzsys: done ", pexpect.EOF,
                                pexpect.TIMEOUT], timeout=5)
            now = time.monotonic()
            if i in (0, 1):
                last = now
            elif i == 2:
                status = k._reap()
                break
            if now - last > hang and i != 1:
                hung.append(f"hang: no progress line for {hang} s")
                break
            if now > deadline:
                hung.append(f"QEMU still running after {seconds + slack} s")
                break
    finally:
        k.kill()
    run.wall = time.monotonic() - t0
    check_output(run, k.output, status)
    if hung:      # the missing end lines follow from the hang: say it once
        run.failures = hung + [f for f in run.failures
                               if not f.startswith(("no final", "no init-exit"))]
    return run


def make_keel(run, kernel, seconds, workers, extra, mem, log, qemu_prefix=()):
    """A keelqemu.Keel (not started) that boots fuzzsys as init for run."""
    k = keelqemu.Keel(kernel=kernel, smp=run.smp, mem=mem,
                      append=fuzz_cmdline(run.seed, seconds, workers, extra),
                      log=log, hard_timeout=seconds + 240 + seconds // 2)
    if qemu_prefix:
        # keelqemu has no prefix hook: wrap its argv (timeout ... qemu ...).
        argv = k.argv
        k.argv = lambda: list(qemu_prefix) + argv()
    return k


def boot(run, kernel, seconds, workers, extra, mem, hang, logdir, qemu_prefix=()):
    """Boot once and watch the console; fills run (never raises)."""
    run.log = Path(logdir) / f"seed{run.seed}-smp{run.smp}.log"
    k = make_keel(run, kernel, seconds, workers, extra, mem, run.log, qemu_prefix)
    k.start()
    return watch(k, run, seconds, hang)


def start_hog():
    """A busy loop on host CPU 0, beside QEMU pinned there (--starve)."""
    return subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c",
                             "while True: pass"])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", help="comma-separated seeds (default: random)")
    ap.add_argument("--total", type=int, default=0,
                    help="with random seeds: keep booting for this many seconds")
    ap.add_argument("--seconds", type=int, default=60, help="fuzzing time per boot")
    ap.add_argument("--smp", default="2", help="comma-separated SMP counts")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--hang", type=int, default=60,
                    help="seconds without a progress line that count as a hang")
    ap.add_argument("--soak", action="store_true", help="fuzzsys --soak (mixed load)")
    ap.add_argument("--starve", action="store_true",
                    help="pin QEMU to host CPU 0 next to a CPU hog")
    ap.add_argument("--kernel", default=str(keelqemu.build_dir() / "keel.elf"))
    ap.add_argument("--logdir", default=str(keelqemu.build_dir() / "fuzz-sys"))
    ap.add_argument("fuzzargs", nargs="*",
                    help="more fuzzsys options after --, e.g. -- --no-compat --log")
    a = ap.parse_args()

    smps = [int(x) for x in a.smp.split(",") if x]
    extra = list(a.fuzzargs) + (["--soak"] if a.soak else [])
    if a.seeds:
        seeds = [int(x) for x in a.seeds.split(",") if x]
    else:
        seeds = None
    Path(a.logdir).mkdir(parents=True, exist_ok=True)
    prefix = ("taskset", "-c", "0") if a.starve else ()
    hog = start_hog() if a.starve else None
    runs = []
    t_start = time.monotonic()
    try:
        i = 0
        while True:
            if seeds is not None:
                if i >= len(seeds):
                    break
                seed = seeds[i]
            else:
                if i and time.monotonic() - t_start >= a.total:
                    break
                seed = random.randrange(1, 1 << 31)
            i += 1
            for smp in smps:
                r = boot(Run(seed, smp), a.kernel, a.seconds, a.workers, extra, a.mem,
                         a.hang, a.logdir, prefix)
                runs.append(r)
                print(f"fuzz-sys: seed {seed} smp {smp}: "
                      f"{'PASS' if r.ok else 'FAIL'} ({r.wall:.0f} s) {r.log}", flush=True)
                for f in r.failures:
                    print(f"    {f}", flush=True)
    finally:
        if hog:
            hog.kill()
            hog.wait()
    print("\nfuzz-sys summary:")
    cols = [("calls", "calls", 9), ("procs", "procs", 7), ("frames", "frames", 6),
            ("killmax_ms", "killmax", 10), ("maxwait_ms", "maxwait", 10), ("hogs", "hogs", 5),
            ("stalls", "stalls", 6), ("oom", "oom", 4), ("cover", "cover", 6),
            ("corpus", "corpus", 6)]
    print(f"{'seed':>11} {'smp':>3} {'verdict':7} " +
          " ".join(f"{title:>{w}}" for title, _, w in cols))
    for r in runs:
        vals = []
        for _, attr, w in cols:
            v = getattr(r, attr)
            vals.append(f"{v if v is not None else '-':>{w}}")
        print(f"{r.seed:>11} {r.smp:>3} {'PASS' if r.ok else 'FAIL':7} " + " ".join(vals))
    failed = sum(not r.ok for r in runs)
    print(f"{len(runs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
