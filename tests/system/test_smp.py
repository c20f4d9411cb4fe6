"""SMP: CPU discovery through ACPI on several topologies, call-function and
TLB shootdown on 8 CPUs, timer interrupts in kernel mode on an AP (the JOS
lab-4 seed bug) on -smp 2, and the panic IPI stopping every CPU."""

import re

import pytest

import keelqemu


@pytest.mark.parametrize("smp", ["4,sockets=4", "4,sockets=2,cores=2", "8,sockets=2,cores=2,threads=2"])
def test_boot_topologies(keel, kernel, smp):
    want = int(smp.split(",")[0])
    k = keel(kernel=kernel, smp=smp, mem="128M", append="panic=exit")
    cpus, _ = k.expect_ready(timeout=60)
    assert cpus == want, f"-smp {smp}: ready line says {cpus} cpus"


def _run_ktests(keel, kernel, smp, names, timeout=120):
    k = keel(kernel=kernel, smp=smp, mem="128M",
             append="test=" + ",".join(names) + " panic=exit")
    status = k.wait_exit(timeout=timeout)
    for n in names:
        assert re.search(rf"ktest: PASS {n}\b", k.output), \
            f"{n} did not pass on -smp {smp}:\n{k.output[-3000:]}"
    assert status == keelqemu.EXIT_SUCCESS, f"exit status {status}"


def test_smp8_every_cpu_answers(keel, kernel):
    _run_ktests(keel, kernel, 8, ["cpu_online", "smp_call_reaches_every_cpu",
                                  "smp_tlb_shootdown"])


def test_seed_ap_timer_in_kernel_mode_smp2(keel, kernel):
    _run_ktests(keel, kernel, 2, ["smp_ap_timer_in_kernel_mode"])


def test_panic_ipi_stops_every_cpu(keel, kernel):
    k = keel(kernel=kernel, smp=4, mem="128M", append="crash=panic panic=exit")
    k.expect_ready(timeout=60)
    status = k.wait_exit(timeout=60)
    out = k.output
    assert "PANIC on cpu 0: crash=panic" in out
    for cpu in (1, 2, 3):
        m = re.search(rf"cpu {cpu}: stopped by panic on cpu 0 at:\r*\n(.*\r*\n){{2}}", out)
        assert m, f"cpu {cpu} did not report being stopped:\n{out[-3000:]}"
    # Each stopped CPU's report includes a symbolized frame (it was idle).
    assert len(re.findall(r"sched_idle_loop\+0x", out)) >= 3, out[-3000:]
    assert "panic: 3 of 3 other cpus stopped" in out
    assert status == keelqemu.EXIT_FAILURE
