"""In-kernel tests: one pytest case per ktest_case_<name> symbol in keel.elf.

The kernel is booted once per session with `test=all panic=exit` (fixture
ktest_run in conftest.py); each case then checks its own
`ktest: PASS <name>` line.  test_ktest_summary checks the closing
`ktest: N passed, N failed` line and QEMU's exit status (33 iff none failed).
"""

import re

import keelqemu


def _context(out, name, lines=15):
    """The console lines leading up to name's verdict (its failure message)."""
    rows = out.splitlines()
    for i, row in enumerate(rows):
        if re.search(rf"ktest: (PASS|FAIL) {re.escape(name)}\b", row):
            return "\n".join(rows[max(0, i - lines):i + 1])
    return "\n".join(rows[-lines:])


def test_ktest(ktest_run, ktest_name):
    verdict = ktest_run.results.get(ktest_name)
    assert verdict is not None, (
        f"in-kernel test {ktest_name} never reported PASS/FAIL"
        + (f"\n{ktest_run.error}" if ktest_run.error else
           f"\n--- console tail ---\n{ktest_run.output[-2000:]}"))
    assert verdict == "PASS", (
        f"in-kernel test {ktest_name} failed:\n"
        f"{_context(ktest_run.output, ktest_name)}")


def test_ktest_summary(ktest_run):
    assert ktest_run.error is None, ktest_run.error
    assert ktest_run.summary is not None, (
        "no `ktest: N passed, N failed` line\n" + ktest_run.output[-2000:])
    passed, failed = ktest_run.summary
    n_pass = sum(v == "PASS" for v in ktest_run.results.values())
    n_fail = sum(v == "FAIL" for v in ktest_run.results.values())
    assert (passed, failed) == (n_pass, n_fail), \
        f"summary says {passed}/{failed}, lines say {n_pass}/{n_fail}"
    want = keelqemu.EXIT_SUCCESS if failed == 0 else keelqemu.EXIT_FAILURE
    assert ktest_run.status == want, \
        f"QEMU exit status {ktest_run.status}, want {want} ({failed} failed)"
