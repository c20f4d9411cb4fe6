/* keel/idle.h - what a CPU does when it has nothing to run. */
#ifndef KEEL_IDLE_H
#define KEEL_IDLE_H

#include <keel/compiler.h>

/* Halt until an interrupt, forever (interrupts on). */
void idle_loop(void) __noreturn;

#endif
