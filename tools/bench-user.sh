#!/usr/bin/env bash
# bench-user.sh KERNEL [INITRAMFS] - run the user-space scheduler benchmarks
# (/bin/benchsched from the initramfs, as init) on Keel under QEMU TCG with
# -smp 4 and print its "bench:" lines, tagged "user smp4"; then the wakeup
# latency beside long system calls (/bin/benchlat, -smp 2), tagged "user
# smp2"; and the exokernel calls beside their kernel equivalents
# (/bin/benchexo, -smp 1 and -smp 2); and interrupt-to-driver latency
# (/bin/benchirq, -smp 2).  Used by `make bench` (with the release kernel and
# build/initramfs.cpio).
#
# The numbers compare Keel with itself: a TCG guest is not comparable with
# the host's Linux.  A Linux-in-QEMU reference comes with the benchmark issue.
set -euo pipefail
kernel=${1:?usage: bench-user.sh KERNEL [INITRAMFS]}
initrd=${2:-build/initramfs.cpio}

# run_bench PROGRAM SMP TIMEOUT DONE-PATTERN: boot PROGRAM as init, print its
# "bench:" lines tagged "user smpN", fail unless DONE-PATTERN was printed.
run_bench() {
	local prog=$1 smp=$2 limit=$3 done=$4 out
	out=$(timeout --signal=KILL "$limit" qemu-system-x86_64 -accel tcg -cpu max -m 256M \
		-smp "$smp" -display none -serial stdio -no-reboot -nodefaults \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$kernel" -initrd "$initrd" \
		-append "init=\"/bin/$prog\" initexit=poweroff" </dev/null 2>&1 | tr -d '\r') || true
	printf '%s\n' "$out" | sed -n "s/^bench: \(.*\)$/bench: user smp$smp \1/p"
	if ! printf '%s\n' "$out" | grep -q "$done"; then
		echo "bench-user: $prog did not finish cleanly; console tail:" >&2
		printf '%s\n' "$out" | tail -n 20 >&2
		exit 1
	fi
}

run_bench benchsched 4 180 '^benchsched: done, 0 failed'
# The exokernel paths beside the kernel's own (docs/exokernel.md).
run_bench benchexo 1 300 '^benchexo: done'
run_bench benchexo 2 300 '^benchexo: done'
run_bench benchirq 2 300 '^benchirq: done'
# Wakeup latency of a sleeper sharing a CPU with long system calls.
run_bench benchlat 2 300 '^benchlat: done'
