#!/usr/bin/python3
"""bench-boot.py - how long Keel takes to boot under QEMU (TCG), for `make bench`.

Boots `qemu-system-x86_64 -accel tcg -cpu max -m 256M -display none
-serial stdio -kernel build/keel.elf` N times and measures wall time from
starting the QEMU process to:
  boot_to_first_output_ms   the first byte on the serial console
  boot_to_ready_ms          the `keel: ready` line
  boot_to_shell_prompt_ms   the login bash's prompt on the serial line
                            (`root@keel:~# `; with --initrd, the default
                            system: /init, then bash -l reading /etc/profile)
then kills QEMU.  QEMU's own start-up (~0.1 s) is inside both numbers;
boot_to_first_output_ms is the reference for "QEMU + firmware", so the
kernel's own share is roughly their difference.

Output, one line per metric:
  bench: boot_to_ready_ms median=... min=... max=... n=10
"""

import argparse
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time

READY = b"keel: ready"
PROMPT = b"root@keel:~# "


def boot_once(argv, timeout, want_prompt):
    """Returns (first_output_s, ready_s, prompt_s or None) for one boot."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    buf = b""
    first = ready = None
    try:
        while True:
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no `keel: ready` (or prompt) within {timeout} s")
            if not sel.select(left):
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            now = time.monotonic()
            if not chunk:
                raise RuntimeError(
                    f"QEMU exited before `keel: ready`; output: {buf[-500:]!r}")
            if first is None:
                first = now - t0
            buf += chunk
            if ready is None and READY in buf:
                ready = now - t0
            if ready is not None and (not want_prompt or PROMPT in buf):
                return first, ready, (now - t0) if want_prompt else None
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        p.stdout.close()


def report(name, samples):
    ms = [s * 1000 for s in samples]
    print(f"bench: {name} median={statistics.median(ms):.1f} "
          f"min={min(ms):.1f} max={max(ms):.1f} n={len(ms)}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default="build/keel.elf")
    ap.add_argument("-n", type=int, default=10, help="boots (default 10)")
    ap.add_argument("--smp", default="1")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--initrd", help="boot the default system and time its bash prompt")
    args = ap.parse_args()
    if not os.path.exists(args.kernel):
        sys.exit(f"bench: {args.kernel} missing; run make first")

    argv = [args.qemu, "-accel", "tcg", "-cpu", "max", "-smp", args.smp,
            "-m", "256M", "-display", "none", "-serial", "stdio",
            "-no-reboot", "-kernel", args.kernel]
    if args.initrd:
        argv += ["-initrd", args.initrd]
    want_prompt = bool(args.initrd)
    boot_once(argv, args.timeout, want_prompt)  # warm the page cache
    firsts, readys, prompts = [], [], []
    for _ in range(args.n):
        first, ready, prompt = boot_once(argv, args.timeout, want_prompt)
        firsts.append(first)
        readys.append(ready)
        prompts.append(prompt)
    report("boot_to_first_output_ms", firsts)
    report("boot_to_ready_ms", readys)
    if want_prompt:
        report("boot_to_shell_prompt_ms", prompts)


if __name__ == "__main__":
    main()
