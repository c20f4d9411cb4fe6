/*
 * keel/kshell.h - a tiny kernel shell on the console (help, mem, ticks,
 * uptime, reboot, poweroff), used until user space exists.
 */
#ifndef KEEL_KSHELL_H
#define KEEL_KSHELL_H

#include <keel/compiler.h>

#define KSHELL_LINE_MAX 128
#define KSHELL_PROMPT   "keel> "

/* Read and run commands forever on the boot CPU. */
void kshell_run(void) __noreturn;
/* Run one command line (also used by tests); returns 0 or -ENOENT. */
int kshell_exec(const char *line);

#endif
