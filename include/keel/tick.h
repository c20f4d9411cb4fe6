/*
 * keel/tick.h - the periodic tick (TICK_HZ per second on every CPU): the
 * arch timer interrupt's one call into generic code.
 */
#ifndef KEEL_TICK_H
#define KEEL_TICK_H

#include <keel/compiler.h>

/* Called by the arch timer interrupt on every CPU, interrupts off, with the
 * interrupted pc and frame pointer and whether it was user mode: counts the
 * tick, runs expired timers, then the scheduler's tick. */
void tick_handle(uintptr_t pc, uintptr_t fp, bool from_user);

#endif
