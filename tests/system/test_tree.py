"""Checks of the source tree itself (no QEMU): docs/syscalls.md lists
exactly the calls of kernel/sys/syscall.tbl, and every SYSCALL_DEFINEn
handler is in the table."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TBL = ROOT / "kernel/sys/syscall.tbl"
DOC = ROOT / "docs/syscalls.md"
GEN = ROOT / "tools/gen_syscalls.py"
HANDLER = re.compile(r"^SYSCALL_DEFINE[0-6]\((\w+)", re.M)


def check_doc(tbl, doc):
    return subprocess.run([sys.executable, str(GEN), "--check-doc", str(tbl), str(doc)],
                          capture_output=True, text=True)


def table_names():
    names = []
    for line in TBL.read_text().splitlines():
        line = line.split("#", 1)[0].split()
        if line:
            names.append(line[1])
    return names


def test_syscalls_doc_matches_table():
    r = check_doc(TBL, DOC)
    assert r.returncode == 0, (
        "docs/syscalls.md does not match kernel/sys/syscall.tbl "
        "(`make syscalls-doc` rewrites its rows):\n" + r.stdout + r.stderr)


def test_syscalls_doc_check_names_stale_rows(tmp_path):
    """The check itself: a call added to the table and one dropped from it
    are both named."""
    lines = [line for line in TBL.read_text().splitlines() if line != "9 mmap"]
    lines.append("999 nonesuch")         # after every real number
    tbl = tmp_path / "syscall.tbl"
    tbl.write_text("\n".join(lines) + "\n")
    r = check_doc(tbl, DOC)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "missing row: | 999 | nonesuch |" in r.stdout, r.stdout
    assert "extra row: | 9 | mmap |" in r.stdout, r.stdout


def test_syscall_handlers_match_table():
    defined = {}
    for path in sorted((ROOT / "kernel").rglob("*.c")) + sorted((ROOT / "arch").rglob("*.c")):
        for name in HANDLER.findall(path.read_text()):
            defined.setdefault(name, []).append(str(path.relative_to(ROOT)))
    names = table_names()
    twice = {n: p for n, p in defined.items() if len(p) > 1}
    unlisted = sorted(set(defined) - set(names))
    undefined = sorted(set(names) - set(defined))
    assert not twice, f"handlers defined more than once: {twice}"
    assert not unlisted, ("SYSCALL_DEFINEn handlers missing from "
                          f"kernel/sys/syscall.tbl (dead code): {unlisted}")
    assert not undefined, f"syscall.tbl names with no SYSCALL_DEFINEn handler: {undefined}"
