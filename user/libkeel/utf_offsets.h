/*
 * utf_offsets.h - where pgfault_entry.S finds the fields of struct
 * exo_utrapframe (<keel/exo.h>); pgfault.c checks them against the
 * structure at compile time.
 */
#ifndef LIBKEEL_UTF_OFFSETS_H
#define LIBKEEL_UTF_OFFSETS_H

#define UTF_REGS 16 /* utf_regs: r15 first, rax last */
#define UTF_RIP  136
#define UTF_RSP  152
#define UTF_SIZE 160

#endif
