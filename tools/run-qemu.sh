#!/usr/bin/env bash
# run-qemu.sh - run a QEMU command line for `make run*` and explain its exit.
#
# usage: tools/run-qemu.sh qemu-system-x86_64 ARGS...
#
# Keel leaves QEMU through the isa-debug-exit device at port 0xf4; QEMU then
# exits with (value << 1) | 1: 0x10 (poweroff, tests passed) -> 33 and 0x11
# (panic, tests failed) -> 35.  Map those to 0 and 1 so make does not report
# a clean poweroff as "Error 33"; pass every other status through.
set -uo pipefail

"$@"
st=$?
case $st in
33) echo "run-qemu: guest powered off (isa-debug-exit 0x10)" >&2; exit 0 ;;
35) echo "run-qemu: guest reported failure/panic (isa-debug-exit 0x11)" >&2; exit 1 ;;
*) exit "$st" ;;
esac
