/*
 * keel/ksyms.h - the kernel's own symbol table, for symbolized backtraces.
 * Generated at link time by tools/gen_ksyms.py into the .ksyms section.
 */
#ifndef KEEL_KSYMS_H
#define KEEL_KSYMS_H

#include <keel/compiler.h>

/* Name of the function containing addr, and addr's offset in it; NULL if unknown. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);
/* Address of the function called name, or 0. */
uintptr_t ksym_address(const char *name);
/* Print "  [<addr>] name+0xoff" lines for the frame-pointer chain at fp. */
void backtrace_print(uintptr_t fp);
/* Print one symbolized address line. */
void backtrace_print_pc(uintptr_t pc);

#endif
