/*
 * idt.c - the interrupt descriptor table, shared by all CPUs.
 * Every vector points at its generated stub in trap_entry.S; double fault,
 * NMI and machine check run on their own IST stacks (their stubs enter
 * through paranoid_common, which does not trust the interrupted CS for the
 * GS decision).  Written once at boot by the boot CPU, immutable afterwards.
 */
#include <arch/idt.h>
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/percpu.h>
#include <arch/segment.h>
#include <arch/cpu.h>

#define IDT_TYPE_INTERRUPT 0xe
#define IDT_PRESENT        0x80

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");
/* The vectors given IST stacks below are exactly the paranoid ones. */
_Static_assert(TRAP_PARANOID_MASK == ((1 << TRAP_DF) | (1 << TRAP_NMI) | (1 << TRAP_MC)),
	       "IST vectors and paranoid entry stubs disagree");

struct idt_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uintptr_t trap_stub_table[NUM_VECTORS];
static struct idt_gate idt[NUM_VECTORS];   /* [I] after idt_init */

static void idt_set(unsigned vec, uintptr_t handler, unsigned ist, unsigned dpl)
{
	idt[vec] = (struct idt_gate){
		.off_lo = handler & 0xffff,
		.sel = SEG_KCODE,
		.ist = ist,
		.type_attr = IDT_PRESENT | (dpl << 5) | IDT_TYPE_INTERRUPT,
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = handler >> 32,
	};
}

/* Fill the IDT (boot CPU, once) and load it. */
void idt_init(void)
{
	for (unsigned v = 0; v < NUM_VECTORS; v++)
		idt_set(v, trap_stub_table[v], 0, 0);
	idt_set(TRAP_DF, trap_stub_table[TRAP_DF], IST_DOUBLE_FAULT, 0);
	idt_set(TRAP_NMI, trap_stub_table[TRAP_NMI], IST_NMI, 0);
	idt_set(TRAP_MC, trap_stub_table[TRAP_MC], IST_MACHINE_CHECK, 0);
	idt_load();
}

/* Load the shared IDT on this CPU. */
void idt_load(void)
{
	struct idt_desc desc = { sizeof(idt) - 1, (uint64_t)idt };
	lidt(&desc);
}
