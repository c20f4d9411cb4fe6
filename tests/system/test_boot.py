"""Boot Keel with QEMU -kernel (PVH) and check the ready line, CPUs and memory."""

import pytest

import keelqemu


@pytest.mark.parametrize("smp", [1, 2, 4, 8])
def test_boot_kernel_smp(keel, kernel, smp):
    k = keel(kernel=kernel, smp=smp, mem="128M", append="panic=exit")
    cpus, free = k.expect_ready(timeout=30)
    assert cpus == smp, f"ready line says {cpus} cpus, QEMU has -smp {smp}"
    assert 0 < free < 128


def test_boot_mem_32m(keel, kernel):
    k = keel(kernel=kernel, smp=1, mem="32M", append="panic=exit")
    cpus, free = k.expect_ready(timeout=30)
    assert 0 < free < 32


def test_boot_mem_16g(keel, kernel):
    k = keel(kernel=kernel, smp=2, mem="16G", append="panic=exit")
    cpus, free = k.expect_ready(timeout=60)
    assert free > 15000, f"only {free} MiB free with -m 16G"
    assert free < 16384


def test_boot_mem_16m_refused(keel, kernel):
    k = keel(kernel=kernel, smp=1, mem="16M", append="panic=exit")
    k.expect(r"keel: not enough memory", timeout=30)
    status = k.wait_exit(timeout=15)
    assert status == keelqemu.EXIT_FAILURE, f"exit status {status}, want 35"
    assert "keel: ready" not in k.output
