/*
 * ksyms.c - symbol lookup over the table that tools/gen_ksyms.py generates
 * from the first link of the kernel (sorted addresses, offsets into one
 * string blob), and backtrace printing on top of arch_backtrace().
 * The table is immutable, so lookups take no lock and work in panic.
 */
#include <keel/ksyms.h>
#include <keel/klog.h>
#include <lib/string.h>
#include <arch/arch.h>

#define BACKTRACE_MAX 32

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offs[];
extern const char ksyms_names[];
extern const char _text_start[], _text_end[];

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)_text_start || addr >= (uintptr_t)_text_end ||
	    ksyms_count == 0 || addr < ksyms_addrs[0])
		return NULL;
	/* Find the last symbol with address <= addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksyms_addrs[lo];
	return &ksyms_names[ksyms_name_offs[lo]];
}

uintptr_t ksym_address(const char *name)
{
	for (uint64_t i = 0; i < ksyms_count; i++)
		if (strcmp(&ksyms_names[ksyms_name_offs[i]], name) == 0)
			return ksyms_addrs[i];
	return 0;
}

void backtrace_print_pc(uintptr_t pc)
{
	uintptr_t off;
	const char *name = ksym_lookup(pc, &off);

	if (name)
		kprintf("  [<%016lx>] %s+0x%lx\n", pc, name, off);
	else
		kprintf("  [<%016lx>] ?\n", pc);
}

void backtrace_print(uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX];
	unsigned n = arch_backtrace(fp, pcs, BACKTRACE_MAX);

	kprintf("backtrace:\n");
	for (unsigned i = 0; i < n; i++)
		backtrace_print_pc(pcs[i]);
}
