/*
 * initcall.c - runs the INITCALL() hooks of one level (keel/initcall.h).
 * The hooks sit in the .initcall section, between the linker symbols
 * _initcall_start and _initcall_end, in link order.
 */
#include <keel/initcall.h>
#include <keel/klog.h>

extern const struct initcall _initcall_start[], _initcall_end[];

void initcall_run(enum initcall_level level)
{
	for (const struct initcall *c = _initcall_start; c < _initcall_end; c++) {
		if (c->level != level)
			continue;
		klog(LOG_DEBUG, "initcall: %s", c->name);
		c->fn();
	}
}
