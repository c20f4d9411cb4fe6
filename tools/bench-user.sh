#!/usr/bin/env bash
# bench-user.sh KERNEL [INITRAMFS] - run the user-space scheduler benchmarks
# (/bin/benchsched from the initramfs, as init) on Keel under QEMU TCG with
# -smp 4 and print its "bench:" lines, tagged "user smp4"; then the wakeup
# latency beside long system calls (/bin/benchlat, -smp 2), tagged "user
# smp2".  Used by `make bench` (with the release kernel and
# build/initramfs.cpio).
#
# The numbers compare Keel with itself: a TCG guest is not comparable with
# the host's Linux.  A Linux-in-QEMU reference comes with the benchmark issue.
set -euo pipefail
kernel=${1:?usage: bench-user.sh KERNEL [INITRAMFS]}
initrd=${2:-build/initramfs.cpio}
smp=4
out=$(timeout --signal=KILL 180 qemu-system-x86_64 -accel tcg -cpu max -m 256M \
	-smp "$smp" -display none -serial stdio -no-reboot -nodefaults \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$initrd" \
	-append 'init="/bin/benchsched" initexit=poweroff' </dev/null 2>&1 | tr -d '\r') || true
printf '%s\n' "$out" | sed -n "s/^bench: \(.*\)$/bench: user smp$smp \1/p"
if ! printf '%s\n' "$out" | grep -q '^benchsched: done, 0 failed'; then
	echo "bench-user: benchsched did not finish cleanly; console tail:" >&2
	printf '%s\n' "$out" | tail -n 20 >&2
	exit 1
fi

# Wakeup latency of a sleeper sharing a CPU with long system calls.
out=$(timeout --signal=KILL 300 qemu-system-x86_64 -accel tcg -cpu max -m 256M \
	-smp 2 -display none -serial stdio -no-reboot -nodefaults \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$initrd" \
	-append 'init="/bin/benchlat" initexit=poweroff' </dev/null 2>&1 | tr -d '\r') || true
printf '%s\n' "$out" | sed -n "s/^bench: \(.*\)$/bench: user smp2 \1/p"
if ! printf '%s\n' "$out" | grep -q '^benchlat: done'; then
	echo "bench-user: benchlat did not finish cleanly; console tail:" >&2
	printf '%s\n' "$out" | tail -n 20 >&2
	exit 1
fi
