#!/usr/bin/env bash
# bench-kernel.sh KERNEL - run Keel's in-kernel microbenchmarks (bench=all)
# on 1, 2 and 4 CPUs under QEMU TCG and print their "bench:" lines, each
# tagged with the CPU count.  Used by `make bench`.
set -euo pipefail
kernel=${1:?usage: bench-kernel.sh KERNEL}
for smp in 1 2 4; do
	timeout 120 qemu-system-x86_64 -accel tcg -cpu max -m 256M -smp "$smp" \
		-display none -serial stdio -no-reboot -nodefaults \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$kernel" -append "bench=all" </dev/null 2>&1 |
		tr -d '\r' | sed -n "s/^bench: \(.*\)$/bench: smp$smp \1/p" || true
done
