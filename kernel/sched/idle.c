/*
 * idle.c - the idle loop: halt with interrupts enabled, so an idle CPU
 * costs nothing and still serves timer ticks, IPIs and device interrupts.
 */
#include <keel/idle.h>
#include <arch/arch.h>

void idle_loop(void)
{
	for (;;)
		arch_wait_for_interrupt();
}
