"""Debian's busybox applets on Keel, compared with the same busybox binary on
the build machine (Linux).

The same setup and then the same commands run in `busybox sh` on both, in
the same order, in a scratch directory; every command's output (stdout and
stderr, through a pipe so that no applet sees a terminal) must be identical.  Applets whose output depends on the machine (ps, top,
free, uptime, df, mount, dmesg, date, id, ...) are checked for sane
figures instead.
"""

import os
import re
import shutil
import subprocess

import pytest

import keelqemu
from keelshell import Shell

BUSYBOX = os.environ.get("KEEL_BUSYBOX", "/bin/busybox")

SETUP = [
    "mkdir -p /tmp/app/sub && cd /tmp/app",
    "printf 'banana\\napple\\ncherry\\napple\\n' > fruits",
    "printf 'a,b,c\\n1,2,3\\nx,y,z\\n' > csv",
    "printf 'hello world\\n' > sub/h.txt",
    "seq 1 100 > nums",
]

# Deterministic: the output must match Linux's byte for byte.
SAME = [
    "ls -1", "ls -1R", "ls -1a sub",
    "cp fruits f2 && cat f2", "mv f2 f3 && ls -1", "rm f3 && ls -1",
    "mkdir -p x/y/z && find x | sort", "rmdir x/y/z && find x | sort",
    "find . -name '*.txt'", "find . -type f | sort",
    "grep -n apple fruits", "grep -c a fruits", "grep -v an fruits", "grep -r hello .",
    "sed 's/a/A/g' fruits", "sed -n 2p csv", "sed '2d' fruits",
    "awk -F, '{print $2}' csv", "awk '{s += $1} END {print s}' nums",
    "sort fruits | uniq -c", "sort -u fruits", "sort -r fruits", "sort -n -r nums | head -3",
    "wc -l nums", "wc fruits", "wc -c csv",
    "head -n 3 nums", "tail -n 2 nums", "tail -c 4 nums", "head -c 5 fruits",
    "cut -d, -f1,3 csv", "cut -c2-3 fruits",
    "tr a-z A-Z < fruits", "tr -d a < fruits", "tr -s p < fruits",
    "seq 1 5 | xargs echo", "seq 1 6 | xargs -n 2 echo",
    "echo hi | tee t1 && cat t1",
    "printf '%05d|%s|%x\\n' 42 x 255",
    "test -f fruits && echo yes", "test -d fruits || echo notdir", "[ 3 -lt 4 ] && echo lt",
    "expr 6 \\* 7", "expr length hello", "seq 10 -3 1",
    "sha256sum fruits", "md5sum fruits", "sha1sum csv",
    "gzip -c fruits | gunzip -c", "gzip -c nums | wc -c > /dev/null && echo ok",
    "tar cf a.tar fruits csv && tar tf a.tar", "mkdir -p t && tar xf a.tar -C t && cat t/csv",
    "basename /a/b/c.txt .txt", "dirname /a/b/c",
    "env -i A=1 B=2 env | sort",
    "date -u -d @86400 +%F", "date -u -d @0 '+%Y %H:%M:%S'",
    "sleep 0.1 && echo slept",
    "rev fruits", "nl fruits", "od -c csv", "fold -w 3 fruits | head -4",
    "paste -d: fruits fruits", "diff fruits fruits && echo same",
    "cmp fruits csv; echo $?",
    "stat -c '%s %F' fruits", "stat -c '%F' sub",
    "ln -s fruits lnk && readlink lnk && cat lnk | head -1",
    "realpath lnk",
    "dd if=nums bs=10 count=1 2>/dev/null",
    "printf 'x y\\n' | awk '{print $2 $1}'",
    "echo 'a b c' | cut -d' ' -f2",
    "yes abc | head -n 3",
    "seq 3 | sort -r | tac",
    "factor 84", "echo $((2 ** 10))",
    "cat /etc/passwd | cut -d: -f1,7 | head -1",
    "echo hello > w && cat w >> w2 && cat w >> w2 && cat w2",
    "truncate -s 3 w && cat w; echo",
    "mkfifo ff 2>&1; ls -1 | grep -c ff",
    "ln fruits hard && cat hard | head -1",
    "chmod 600 fruits && stat -c %a fruits",
    "touch -d @1000 csv && stat -c %Y csv",
    "hexdump -C csv | head -2",
    "uniq -d fruits", "sort fruits | uniq -d",
    "rm -r x t && ls -1",
]

# Machine-dependent: a regular expression the output must match.
SANE = [
    ("ps", r"PID\s+USER\s+(TIME\s+)?COMMAND[\s\S]*\bsh\b"),
    ("top -bn1 | head -5", r"Mem:[\s\S]*CPU"),
    ("free", r"Mem:\s+\d+\s+\d+\s+\d+"),
    ("uptime", r"load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d"),
    ("df /", r"Filesystem[\s\S]*\d+%\s+/"),
    ("du -s /etc", r"^\d+\s+/etc$"),
    ("mount", r"proc on /proc type proc"),
    ("dmesg | head -3", r"Keel"),
    ("date +%Y", r"^20[2-9]\d$"),
    ("id", r"uid=0\(root\) gid=0\(root\)"),
    ("hostname", r"^keel$"),
    ("uname -a", r"^Linux keel .* x86_64"),
    ("pidof sh || pidof busybox", r"^\d+( \d+)*$"),
    ("nproc", r"^[1-9]\d*$"),
    ("kill -0 $$ && echo alive", r"^alive$"),
    ("sleep 5 & kill $! && wait $!; echo $?", r"^143$"),
]


def _host_outputs(tmp_path):
    """Run SETUP and SAME in busybox sh on this machine; returns a list of
    (output, status), one per SAME command."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    listed = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                            check=True).stdout.split()
    for applet in listed:
        os.symlink(BUSYBOX, bindir / applet)
    env = {"PATH": str(bindir), "HOME": "/root", "TZ": "UTC", "LC_ALL": "C"}
    work = tmp_path / "root"
    work.mkdir()
    script = tmp_path / "run.sh"
    marker = "::HOST-ST="
    lines = [s.replace("/tmp/app", str(work / "app")) for s in SETUP]
    for cmd in SAME:
        lines.append(f"{{ {cmd}\n}} 2>&1 | cat; printf '\\n{marker}%d::\\n' $?")
    script.write_text("\n".join(lines) + "\n")
    res = subprocess.run([BUSYBOX, "sh", str(script)], capture_output=True, text=True,
                         env=env, cwd=work, timeout=120)
    chunks = re.split(re.escape(marker) + r"(\d+)::\n", res.stdout)
    outs = []
    for i in range(0, len(chunks) - 1, 2):
        out = chunks[i]
        out = out[:-1] if out.endswith("\n") else out
        out = out[:-1] if out.endswith("\n") else out
        outs.append((out.replace(str(work), "/tmp"), int(chunks[i + 1])))
    assert len(outs) == len(SAME), res.stdout[-2000:] + res.stderr[-2000:]
    return outs


@pytest.fixture(scope="module")
def applets(tmp_path_factory):
    if not shutil.which(BUSYBOX) and not os.path.exists(BUSYBOX):
        pytest.fail(f"{BUSYBOX} missing: tools/deps.sh installs busybox-static")
    host = _host_outputs(tmp_path_factory.mktemp("applets"))
    sh = Shell.boot(smp=2, log=keelqemu.build_dir() / "test-logs" / "applets.log",
                    shell="/bin/busybox sh")
    try:
        for cmd in SETUP:
            sh.check(cmd)
        keel = []
        for cmd in SAME:
                        keel.append(sh.run(f"{{ {cmd}\n}} 2>&1 | cat", timeout=60))
        sane = [sh.run(f"{{ {cmd}\n}} 2>&1 | cat", timeout=60) for cmd, _ in SANE]
    finally:
        sh.kill()
    return host, keel, sane


@pytest.mark.parametrize("i", range(len(SAME)), ids=SAME)
def test_applet_same_as_linux(applets, i):
    host, keel, _ = applets
    assert keel[i][0] == host[i][0], f"`{SAME[i]}` differs from Linux"


@pytest.mark.parametrize("i", range(len(SANE)), ids=[c for c, _ in SANE])
def test_applet_sane(applets, i):
    _, _, sane = applets
    cmd, pattern = SANE[i]
    out = sane[i][0]
    assert re.search(pattern, out, re.M), f"`{cmd}` printed {out!r}"
