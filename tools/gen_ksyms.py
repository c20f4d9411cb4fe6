#!/usr/bin/env python3
"""gen_ksyms.py - turn `nm -n` output of the kernel into the .ksyms section.

Usage: nm -n --defined-only keel.elf | gen_ksyms.py > ksyms.S
       gen_ksyms.py --empty > ksyms.S       (first link)

Only text symbols (t/T/W) are kept; the kernel looks names up by address
for backtraces (kernel/core/ksyms.c).  Output is assembly so no C compiler
quirks get in the way.
"""
import sys


def emit(syms):
    out = ['\t.section .ksyms, "a"', '\t.balign 8',
           '\t.globl ksyms_count, ksyms_addrs, ksyms_name_offs, ksyms_names',
           'ksyms_count:', '\t.quad %d' % len(syms), 'ksyms_addrs:']
    out += ['\t.quad 0x%x' % a for a, _ in syms]
    out += ['ksyms_name_offs:']
    off = 0
    for _, name in syms:
        out.append('\t.long %d' % off)
        off += len(name) + 1
    out += ['ksyms_names:']
    out += ['\t.asciz "%s"' % name for _, name in syms]
    out += ['\t.byte 0']
    return '\n'.join(out) + '\n'


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--empty':
        sys.stdout.write(emit([]))
        return
    syms = {}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in 'tTW':
            continue
        addr = int(parts[0], 16)
        name = parts[2]
        if name.startswith('.L') or '"' in name:
            continue
        syms.setdefault(addr, name)
    sys.stdout.write(emit(sorted(syms.items())))


if __name__ == '__main__':
    main()
