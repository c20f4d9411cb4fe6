/* cpu.c - the per-CPU array and CPU bookkeeping (see keel/cpu.h). */
#include <keel/cpu.h>

struct cpu cpus[MAX_CPUS];

unsigned cpu_online_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			n++;
	return n;
}
