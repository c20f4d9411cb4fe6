"""/proc as busybox sees it: Debian's static busybox (/bin/busybox on the
build machine, package busybox-static) is packed into an initramfs of its
own with a shell script as init, and its ps, free, uptime, mount, pidof
and top must print figures that agree with what the script knows (the
pids it started, /proc/meminfo, the mounts the kernel made at boot)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import keelqemu

BUSYBOX = Path("/bin/busybox")

SCRIPT = r"""
bb=/bin/busybox
sleep 30 &
s1=$!
sleep 31 &
echo "started $s1 $!"
echo "== ps"; $bb ps
echo "== pidof"; $bb pidof sleep
echo "== free"; $bb free
echo "== meminfo"; $bb grep MemTotal /proc/meminfo
echo "== uptime"; $bb uptime
echo "== mount"; $bb mount
echo "== top"; $bb top -bn1
$bb mkdir /mnt
$bb mount -t tmpfs -o size=1m none /mnt && echo "== tmpfs mounted"
$bb mount | $bb grep /mnt
$bb umount /mnt && echo "== tmpfs unmounted"
$bb rmdir /mnt
$bb kill $s1 $!
wait
echo "== done"
"""


@pytest.fixture
def busybox_initrd(tmp_path):
    if not BUSYBOX.exists():
        pytest.skip("no /bin/busybox (Debian package busybox-static)")
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    shutil.copy(BUSYBOX, root / "bin" / "busybox")
    (root / "bin" / "sleep").symlink_to("busybox")     # an applet by its name
    (root / "t.sh").write_text(SCRIPT)
    out = tmp_path / "initramfs.cpio"
    subprocess.run([str(keelqemu.REPO / "user" / "mkinitramfs.sh"), str(out),
                    str(tmp_path / "stage"), str(keelqemu.build_dir() / "user"),
                    str(root)], check=True, capture_output=True, timeout=120)
    return out


def _section(out, name):
    m = re.search(r"== " + name + r"\r*\n(.*?)(?=\r*\n== |\Z)", out, re.S)
    assert m, f"no section {name}:\n{out[-3000:]}"
    return m.group(1)


def test_busybox_procfs_applets(keel, kernel, busybox_initrd):
    k = keel(kernel=kernel, smp=2, mem="256M", initrd=busybox_initrd,
             append='init="/bin/busybox sh /t.sh" initexit=poweroff panic=exit')
    status = k.wait_exit(timeout=120)
    out = k.output
    assert "== done" in out, out[-3000:]
    assert status == keelqemu.EXIT_SUCCESS
    assert "keel: 0 frames not returned" in out, out[-2000:]
    s1, s2 = re.search(r"started (\d+) (\d+)", out).groups()

    # ps: both sleeps with their arguments, init's command line as pid 1.
    ps = _section(out, "ps")
    assert re.search(r"^\s*1 \S+\s+/bin/busybox sh /t.sh", ps, re.M), ps
    # (busybox sh may run an applet through /proc/self/exe: then the comm
    # is "exe", which ps shows in braces before the arguments, as on Linux)
    assert re.search(r"^\s*" + s1 + r" \S+\s+(\{\w+\} )?sleep 30", ps, re.M), ps
    assert re.search(r"^\s*" + s2 + r" \S+\s+(\{\w+\} )?sleep 31", ps, re.M), ps

    # pidof: exactly the two sleeps (found by their comm and argv[0]).
    assert sorted(_section(out, "pidof").split()) == sorted([s1, s2])

    # free: total is /proc/meminfo's MemTotal; used + free <= total.
    total = int(re.search(r"MemTotal:\s+(\d+) kB", _section(out, "meminfo")).group(1))
    mem = re.search(r"Mem:\s+(\d+)\s+(\d+)\s+(\d+)", _section(out, "free"))
    assert mem, _section(out, "free")
    t, used, free = map(int, mem.groups())
    assert t == total and 0 < used < t and 0 < free < t and used + free <= t

    # uptime: a load average of three figures.
    assert re.search(r"up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d",
                     _section(out, "uptime"))

    # mount: what the kernel mounted at boot, with Linux's option syntax.
    mounts = _section(out, "mount")
    assert "proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)" in mounts, mounts
    assert re.search(r"tmpfs on /tmp type tmpfs \(rw,nosuid,nodev,relatime\)", mounts)
    assert "ramfs on / type ramfs" in mounts and "on /dev type devfs" in mounts

    # top: the header lines and the sleeps.
    top = _section(out, "top")
    assert re.search(r"Mem: \d+K used, \d+K free", top), top
    assert re.search(r"Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+", top), top
    assert re.search(r"^\s*" + s1 + r"\s+1 \S+\s+S\s+\d+ .* sleep 30", top, re.M), top

    # mount(2) and umount2(2) through busybox.
    assert "== tmpfs mounted" in out and "none on /mnt type tmpfs (rw,size=1m)" in out
    assert "== tmpfs unmounted" in out
