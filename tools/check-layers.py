#!/usr/bin/env python3
"""check-layers.py - the folder layering of docs/layout.md, checked.

Generic kernel folders form one order, lowest first (LAYERS).  A C file may
include the headers of its own folder and of folders below it; an include
of a higher folder's header is an upward call and must be listed in
UPCALLS with the reason it exists (docs/layout.md explains each group).
Headers belong to the folder of the .c file with the same name
(include/keel/vm.h -> kernel/mm/vm.c); header-only headers (list.h,
compiler.h, refcount.h, ...) belong to no folder and anyone may include
them.  Generic code (kernel/, drivers/) includes only the arch headers in
ARCH_API; drivers/ include generic headers of kernel/core and below only.

Exit status 1 with one line per violation, and one per stale UPCALLS entry
(an exception nothing needs any more must be deleted, so the list only
shrinks).  Run by `make test` (tests/system/test_layout.py).
"""
import glob
import os
import re
import sys

LAYERS = ["core", "boot", "mm", "sched", "proc", "fs", "dev", "sys", "debug", "init"]

# The arch interface generic code may use (behind arch_*() and pmap_*()).
ARCH_API = {"arch.h", "layout.h", "percpu.h", "irq.h", "thread.h",
            "uaccess.h", "user.h", "signal.h"}
# Drivers may also use the CPU's port I/O.
DRIVER_ARCH_API = ARCH_API | {"cpu.h"}
DRIVER_MAX_LAYER = "sched"

# file -> headers of higher folders it may include, grouped by reason.
UPCALLS = {
    # The current thread and its process: every layer asks "who runs?"
    # (lockdep's per-thread held locks, fault injection's filter, console
    # readers sleeping, the OOM killer's victim, a page fault's address
    # space).  thread.h/proc.h are the process model's headers, but
    # thread_current()/proc_current() are the machine's notion of "now".
    "kernel/core/console.c": {"thread.h", "wait.h"},
    "kernel/core/failinject.c": {"thread.h", "proc.h", "kmalloc.h"},
    "kernel/core/lockdep.c": {"thread.h", "mutex.h"},
    # A user copy may fault and sleep: it checks might_sleep() (wait.h).
    "kernel/mm/uaccess.c": {"wait.h"},
    # Address spaces sleep on their mutex and yield in long loops; the OOM
    # killer picks and signals a process.
    "kernel/mm/vm.c": {"thread.h", "sched.h", "proc.h", "signal.h"},
    "kernel/mm/vmobj.c": {"sched.h"},
    "kernel/mm/oom.c": {"thread.h", "sched.h", "proc.h", "signal.h"},
    # Interruptible sleeps end on a pending signal; a thread belongs to a
    # process (exit, accounting); coverage state is per thread.
    "kernel/sched/wait.c": {"signal.h"},
    "kernel/sched/futex.c": {"signal.h"},
    "kernel/sched/sched.c": {"proc.h", "signal.h"},
    "kernel/sched/thread.c": {"proc.h", "kcov.h"},
    # A process owns its open files and working directory; exec reads a
    # file.  Init's exit ends the run: proc tells kmain (init_exited).  A
    # session leader's exit hangs up its controlling terminal.  A process
    # owns its POSIX record locks and its System V semaphore undo
    # adjustments: its exit drops the one and applies the other.
    "kernel/proc/proc.c": {"fd.h", "vfs.h"},
    "kernel/proc/exit.c": {"fd.h", "vfs.h", "main.h", "tty.h", "flock.h", "sys_sem.h"},
    "kernel/proc/exec.c": {"fd.h", "vfs.h"},
    # /dev/kcov is a device node of devfs.
    "kernel/fs/devfs.c": {"kcov.h"},
}


def owners():
    own = {}
    for c in glob.glob("kernel/*/*.c"):
        own[os.path.basename(c)[:-2] + ".h"] = c.split("/")[1]
    return own


def folder_of(path):
    parts = path.split("/")
    if parts[0] == "kernel":
        return parts[1]
    return parts[0]


def main():
    own = owners()
    errors = []
    used = {f: set() for f in UPCALLS}
    files = sorted(glob.glob("kernel/*/*.c") + glob.glob("drivers/*/*.c") +
                   glob.glob("drivers/*/*.h") + glob.glob("kernel/*/*.h"))
    for path in files:
        src = open(path, encoding="utf-8").read()
        folder = folder_of(path)
        for kind, hdr in re.findall(r"#include <(keel|arch|drivers)/(\w+\.h)>", src):
            if kind == "arch":
                api = DRIVER_ARCH_API if folder == "drivers" else ARCH_API
                if hdr not in api:
                    errors.append(f"{path}: includes <arch/{hdr}>, not part of "
                                  "the arch interface (tools/check-layers.py ARCH_API)")
                continue
            if kind == "drivers":
                if folder != "drivers":
                    errors.append(f"{path}: includes <drivers/{hdr}>: only "
                                  "drivers/ and tests use driver headers")
                continue
            to = own.get(hdr)
            if to is None or to == folder:
                continue
            if folder == "drivers":
                if LAYERS.index(to) > LAYERS.index(DRIVER_MAX_LAYER):
                    errors.append(f"{path}: includes <keel/{hdr}> ({to}): "
                                  f"drivers use {DRIVER_MAX_LAYER} and below")
                continue
            if LAYERS.index(to) <= LAYERS.index(folder):
                continue
            if hdr in UPCALLS.get(path, set()):
                used[path].add(hdr)
                continue
            errors.append(f"{path}: includes <keel/{hdr}> of kernel/{to}, "
                          f"above kernel/{folder} (docs/layout.md)")
    for path, hdrs in UPCALLS.items():
        for hdr in sorted(hdrs - used[path]):
            errors.append(f"tools/check-layers.py: stale exception "
                          f"{path} -> {hdr} (no longer needed: delete it)")
    for e in errors:
        print(e)
    if errors:
        print(f"check-layers: {len(errors)} problem(s)")
        return 1
    print(f"check-layers: {len(files)} files follow the layering "
          f"({sum(len(v) for v in UPCALLS.values())} documented upcalls)")
    return 0


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    sys.exit(main())
