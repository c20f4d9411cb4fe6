"""Boot the GRUB ISO (Multiboot2) under SeaBIOS and under UEFI (OVMF)."""

import os

import pytest

import keelqemu


def test_iso_bios(keel, iso):
    k = keel(iso=iso, smp=2, mem="256M")
    cpus, free = k.expect_ready(timeout=60)
    assert cpus == 2
    assert 0 < free < 256


def test_iso_uefi(keel, iso):
    if not os.path.exists(keelqemu.OVMF):
        pytest.fail(f"{keelqemu.OVMF} missing (package ovmf)")
    k = keel(iso=iso, uefi=True, smp=2, mem="256M")
    cpus, free = k.expect_ready(timeout=120)
    assert cpus == 2
    assert 0 < free < 256
