"""The PCI bus for user-space drivers (issue 12): Keel booted with QEMU's
educational device (-device edu) and /bin/edu (user/edu.c) as init, which
drives it entirely from user space through /dev/pci-BB:DD.F: configuration
space, BAR0 mapped uncached, identification, liveness and factorial
registers, fork sharing the mapping, the refused mmap requests, and the
completion interrupt and raised interrupts taken through /dev/irqL (the
device-object interface, docs/drivers.md).  Then
/proc/bus/pci/devices (as edu printed it), /proc/PID/maps naming the
device file, and the kernel's init-exit report: every frame returned, page
tables clean (a device page is not a frame: pmap_check must accept it).

One boot serves every case (cached)."""

import re

import keelqemu

BOOT_TIMEOUT = 300
RESULT = re.compile(r"edu: (PASS|FAIL) (\w+)(.*)")
PCI_LINE = re.compile(r"edu: pci: (.*)")
# Linux's /proc/bus/pci/devices: bus<<8|devfn, vendor<<16|device, irq,
# 7 resources (start | flags), 7 sizes, the driver's name.
PCI_FIELDS = 3 + 7 + 7 + 1

_run = {}


def _edu_run():
    if not _run:
        _run["k"], _run["status"] = keelqemu.run_as_init(
            "pci-edu.log", "/bin/edu", smp=2, extra=["-device", "edu"], timeout=BOOT_TIMEOUT)
    return _run["k"], _run["status"]


def test_edu_driver_checks_pass():
    """Every check of /bin/edu passed, and it said so."""
    k, _ = _edu_run()
    results = RESULT.findall(k.output)
    assert results, "edu printed no results:\n" + k.output[-3000:]
    failed = [f"{name}{why}" for res, name, why in results if res != "PASS"]
    assert not failed, "edu checks failed: " + "; ".join(failed)
    names = {name for _, name, _ in results}
    for need in ("id_register", "liveness", "factorial_5", "mmap_private", "mmap_too_long",
                 "mmap_bad_offset", "mmap_absent_bar", "mmap_exec", "fork_shares_bar",
                 "maps_names_device", "bar_not_resident", "config_read_past_end",
                 "irq_factorial_done", "irq_raised", "irq_devobj_count", "irq_futex_wait"):
        assert need in names, f"edu did not run {need}:\n" + k.output[-3000:]
    m = re.search(r"edu: (\d+) passed, (\d+) failed", k.output)
    assert m and int(m.group(2)) == 0 and int(m.group(1)) == len(results), k.output[-3000:]


def test_proc_bus_pci_devices():
    """/proc/bus/pci/devices lists the edu device and the i440FX host
    bridge, in Linux's format; edu's BAR0 is 1 MiB of memory."""
    k, _ = _edu_run()
    lines = [m.rstrip("\r") for m in PCI_LINE.findall(k.output)]
    assert lines, "no /proc/bus/pci/devices lines:\n" + k.output[-3000:]
    by_id = {}
    for line in lines:
        fields = line.split("\t")
        assert len(fields) == PCI_FIELDS, f"bad field count {len(fields)}: {line!r}"
        assert re.fullmatch(r"[0-9a-f]{4}", fields[0]), line
        assert re.fullmatch(r"[0-9a-f]{8}", fields[1]), line
        by_id[fields[1]] = fields
    assert "80861237" in by_id, f"no host bridge 8086:1237 in {sorted(by_id)}"
    assert "123411e8" in by_id, f"no edu 1234:11e8 in {sorted(by_id)}"
    edu = by_id["123411e8"]
    assert int(edu[2], 16) != 0, "edu has no interrupt line"
    bar0, size0 = int(edu[3], 16), int(edu[10], 16)
    assert bar0 & 1 == 0 and bar0 & ~0xf != 0, f"BAR0 {edu[3]!r} is not assigned memory"
    assert size0 == 1 << 20, f"BAR0 size {edu[10]!r}"


def test_maps_names_device_file():
    """The BAR mapping appears in /proc/self/maps as a shared mapping of
    the device file."""
    k, _ = _edu_run()
    m = re.search(r"edu: maps: ([0-9a-f]+)-([0-9a-f]+) rw-s .* (/dev/pci-[0-9a-f:.]+)",
                  k.output)
    assert m, "no maps line for the BAR:\n" + k.output[-3000:]
    assert int(m.group(2), 16) - int(m.group(1), 16) == 1 << 20


def test_edu_leaves_no_trace():
    """init (edu) exits 0; no frame leaked, no page-table problem, no panic."""
    k, status = _edu_run()
    keelqemu.check_clean_exit(k, status)


def test_pci_boot_log():
    """The kernel logs one line per PCI function at boot."""
    k, _ = _edu_run()
    assert re.search(r"pci: 00:00\.0 8086:1237 class 060000", k.output), k.output[:4000]
    assert re.search(r"pci: [0-9a-f]{2}:[0-9a-f]{2}\.\d 1234:11e8 class 00ff00 .*"
                     r"bar0 mem [0-9a-f]+\+100000", k.output), k.output[:4000]


def test_bridge_and_multifunction():
    """Enumeration follows a PCI-PCI bridge to its secondary bus and finds
    every function of a multifunction device: edu behind a bridge, and two
    edu functions in one slot.  Each gets a line in /proc/bus/pci/devices
    and a device file whose configuration space matches it (edu checks
    every listed function's file, then drives the first edu)."""
    extra = ["-device", "pci-bridge,id=br1,chassis_nr=1,addr=6",
             "-device", "edu,bus=br1,addr=2",
             "-device", "edu,addr=5.0,multifunction=on",
             "-device", "edu,addr=5.1"]
    k, _ = keelqemu.run_as_init("pci-bridge.log", "/bin/edu --no-irq", mem="128M",
                                extra=extra, timeout=BOOT_TIMEOUT)
    out = k.output
    # The bridge (class 0604) on bus 0, edu on its secondary bus (1).
    assert re.search(r"pci: 00:06\.0 [0-9a-f]{4}:[0-9a-f]{4} class 0604", out), out[-4000:]
    for fn in ("01:02.0", "00:05.0", "00:05.1"):
        assert re.search(rf"pci: {fn} 1234:11e8", out), f"no {fn} in the log:\n" + out[-4000:]
    for devfn in ("0110", "0028", "0029"):
        assert re.search(rf"edu: pci: {devfn}\t123411e8", out), \
            f"no {devfn} line:\n" + out[-4000:]
    assert "edu: PASS device_files_match_list" in out, out[-4000:]
    assert re.search(r"edu: \d+ passed, 0 failed", out), out[-4000:]
    assert "init exited with status 0" in out, out[-4000:]
