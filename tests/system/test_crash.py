"""crash=pagefault: the #PF report (trap name, error code, registers, CR2,
symbolized backtrace) and the panic exit."""

import re

import keelqemu


def test_crash_pagefault(keel, kernel):
    k = keel(kernel=kernel, smp=1, mem="128M",
             append="crash=pagefault panic=exit")
    k.expect_ready(timeout=30)
    status = k.wait_exit(timeout=30)
    out = k.output[k.output.index("keel: ready"):]
    assert "#PF" in out, "no #PF trap name"
    assert re.search(r"CR2=\s*(0x)?[0-9a-fA-F]+", out), "no CR2=<address>"
    assert re.search(r"(?i)err(or)?(\s*code)?\s*[=:]\s*(0x)?[0-9a-f]+", out), \
        "no error code"
    for reg in ("RIP", "RSP", "RAX", "RBX", "R15"):
        assert re.search(rf"(?i)\b{reg}\b", out), f"register {reg} not dumped"
    assert re.search(r"crash_pagefault\+0x[0-9a-fA-F]+", out), \
        "backtrace does not name crash_pagefault+0x..."
    assert status == keelqemu.EXIT_FAILURE, f"exit status {status}, want 35"
