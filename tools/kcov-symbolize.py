#!/usr/bin/env python3
"""kcov-symbolize.py - name the kernel PCs that /dev/kcov recorded.

usage: tools/kcov-symbolize.py [--elf build-kcov/keel.elf] [--unique] [FILE...]

Reads PCs (hexadecimal, with or without 0x, any whitespace or one per line;
other words are ignored) from the files or standard input and prints one
line per PC: the PC, function+offset and source file:line, found with
addr2line on the kernel ELF the PCs came from (a KCOV=1 build).  A PC is the
return address of a __sanitizer_cov_trace_pc() call, so the line shown is
the basic block's start (or the line just after it).  --unique prints each
PC once, sorted, with how many times it was recorded.
"""

import argparse
import collections
import re
import shutil
import subprocess
import sys

HEX = re.compile(r"^(?:0x)?([0-9a-fA-F]{9,16})$")


def read_pcs(files):
    pcs = []
    for f in files or ["-"]:
        text = sys.stdin.read() if f == "-" else open(f).read()
        for word in text.split():
            m = HEX.match(word)
            if m:
                pcs.append(int(m.group(1), 16))
    return pcs


def symbolize(elf, pcs):
    tool = shutil.which("addr2line") or shutil.which("llvm-addr2line-14")
    if not tool:
        sys.exit("kcov-symbolize: addr2line not found (binutils)")
    out = subprocess.run([tool, "-f", "-p", "-C", "-e", elf] + [hex(pc) for pc in pcs],
                         check=True, capture_output=True, text=True).stdout
    return out.splitlines()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default="build-kcov/keel.elf")
    ap.add_argument("--unique", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    pcs = read_pcs(args.files)
    counts = collections.Counter(pcs)
    if args.unique:
        pcs = sorted(counts)
    for pc, line in zip(pcs, symbolize(args.elf, pcs) if pcs else []):
        extra = f" x{counts[pc]}" if args.unique else ""
        print(f"{pc:#018x} {line}{extra}")


if __name__ == "__main__":
    main()
