"""The kernel log and the console log level: by default (no loglevel= on the
command line, as `make run` boots) routine messages such as the ACPI summary
and a user process's fatal fault stay off the console; the tests' level
(loglevel=7) shows them; both ways they are in the log ring that syslog(2)
reads (usertests syslog_read)."""

import keelqemu

INIT = "/bin/usertests kernel_addr_fault syslog_read"
APPEND = f'init="{INIT}" initexit=poweroff panic=exit'


def _boot(keel, loglevel):
    k = keel(kernel=keelqemu.build_dir() / "keel.elf", smp=2, mem="128M",
             append=APPEND, loglevel=loglevel)
    k.wait_exit(timeout=120)
    out = k.output
    assert "usertests: 2 passed, 0 failed" in out, out[-2000:]
    assert "init exited with status 0" in out, out[-2000:]
    return out


def test_console_default_hides_routine_messages(keel):
    out = _boot(keel, None)
    assert "keel: ready" in out
    assert "acpi:" not in out, out[-2000:]
    assert "killed by signal" not in out, out[-2000:]


def test_console_loglevel_shows_routine_messages(keel):
    out = _boot(keel, keelqemu.TEST_LOGLEVEL)
    assert "acpi:" in out, out[-2000:]
    assert "killed by signal" in out, out[-2000:]
