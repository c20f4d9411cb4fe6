/*
 * gdt.c - per-CPU GDT and TSS.  Each CPU has its own GDT (the TSS
 * descriptor points at that CPU's TSS) and its own IST stacks for double
 * fault, NMI and machine check, so those can run even on a broken stack.
 *
 * The TSS also holds the I/O permission bitmap of the process running on
 * the CPU (keel/ioport.h: ioperm, iopl).  gdt_io_load(), called by the
 * context switch, points iomap_base at it for a process that has I/O
 * permissions, copying its map only when this CPU holds another
 * generation, and past the TSS limit (every port refused) for all
 * others: an ordinary switch costs one store.
 */
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/segment.h>
#include <arch/cpu.h>
#include <keel/cpu.h>
#include <keel/ioport.h>
#include <keel/spinlock.h>
#include <keel/thread.h>
#include <keel/proc.h>
#include <lib/string.h>

#define GDT_ACCESS_PRESENT  (1ull << 47)
#define GDT_ACCESS_DPL3     (3ull << 45)
#define GDT_ACCESS_CODEDATA (1ull << 44)
#define GDT_TYPE_CODE_RX    (0xaull << 40)
#define GDT_TYPE_DATA_RW    (0x2ull << 40)
#define GDT_TYPE_TSS_AVAIL  (0x9ull << 40)
#define GDT_FLAG_LONG       (1ull << 53)
#define GDT_FLAG_DB         (1ull << 54)
#define GDT_FLAG_GRAN       (1ull << 55)
#define GDT_LIMIT_MAX       (0xffffull | (0xfull << 48))

#define GDT_KCODE (GDT_ACCESS_PRESENT | GDT_ACCESS_CODEDATA | GDT_TYPE_CODE_RX | \
		   GDT_FLAG_LONG | GDT_FLAG_GRAN | GDT_LIMIT_MAX)
#define GDT_KDATA (GDT_ACCESS_PRESENT | GDT_ACCESS_CODEDATA | GDT_TYPE_DATA_RW | \
		   GDT_FLAG_DB | GDT_FLAG_GRAN | GDT_LIMIT_MAX)
#define GDT_UCODE32 (GDT_KCODE_BASE32 | GDT_ACCESS_DPL3)
#define GDT_KCODE_BASE32 (GDT_ACCESS_PRESENT | GDT_ACCESS_CODEDATA | \
			  GDT_TYPE_CODE_RX | GDT_FLAG_DB | GDT_FLAG_GRAN | GDT_LIMIT_MAX)
#define GDT_UDATA   (GDT_KDATA | GDT_ACCESS_DPL3)
#define GDT_UCODE64 (GDT_KCODE | GDT_ACCESS_DPL3)

#define TSS_IOMAP_ON  ((uint16_t)__builtin_offsetof(struct tss, io_bitmap))
#define TSS_IOMAP_OFF ((uint16_t)sizeof(struct tss)) /* past the limit: no port */
#define TSS_IOMAP_END 0xff

_Static_assert(TSS_IO_BITMAP_BYTES == IO_BITMAP_BYTES, "one TSS bit per port");
_Static_assert(sizeof(struct tss) <= 0xffff, "the TSS limit fits in its 16 low bits");

struct gdt_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(uint64_t *gdt, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	gdt[SEG_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   GDT_TYPE_TSS_AVAIL | GDT_ACCESS_PRESENT |
			   ((base >> 24) & 0xff) << 56;
	gdt[SEG_TSS / 8 + 1] = base >> 32;
}

/*
 * Build and load c's GDT and TSS; ist[i] is the top of IST stack i+1.
 * Runs on the CPU c itself.  Reloads every segment register but GS base.
 */
void gdt_init_cpu(struct cpu *c, const uintptr_t ist[IST_COUNT])
{
	uint64_t *gdt = c->arch.gdt;
	struct gdt_desc desc = { GDT_ENTRIES * 8 - 1, (uint64_t)gdt };

	memset(gdt, 0, sizeof(c->arch.gdt));
	gdt[SEG_KCODE / 8] = GDT_KCODE;
	gdt[SEG_KDATA / 8] = GDT_KDATA;
	gdt[SEG_UCODE32 / 8] = GDT_UCODE32;
	gdt[SEG_UDATA / 8] = GDT_UDATA;
	gdt[SEG_UCODE64 / 8] = GDT_UCODE64;
	memset(&c->arch.tss, 0, sizeof(c->arch.tss));
	for (int i = 0; i < IST_COUNT; i++)
		c->arch.tss.ist[i] = ist[i];
	c->arch.tss.iomap_base = TSS_IOMAP_OFF;
	c->arch.tss.io_bitmap_end = TSS_IOMAP_END;
	c->arch.io_gen = 0;
	gdt_set_tss(gdt, &c->arch.tss);

	lgdt(&desc);
	__asm__ volatile(
		"movl %0, %%ds\n\t"
		"movl %0, %%es\n\t"
		"movl %0, %%ss\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:"
		: : "r"((uint32_t)SEG_KDATA), "i"(SEG_KCODE) : "rax", "memory");
	ltr(SEG_TSS);
}

/* Update an IST pointer of this CPU's TSS (e.g. to a guarded stack). */
void gdt_set_ist(struct cpu *c, unsigned ist, uintptr_t top)
{
	c->arch.tss.ist[ist - 1] = top;
}

/*
 * Give c's TSS the I/O permissions io (NULL: a kernel thread or idle) of
 * the thread about to run.  Runs on c with interrupts off.
 */
void gdt_io_load(struct cpu *c, const struct ioport_proc *io)
{
	uint64_t gen = io ? ioport_gen(io) : 0;
	const uint8_t *map;

	if (gen == 0)
		goto out_off;
	if (gen != c->arch.io_gen) {
		map = ioport_map(io);
		if (!map)
			goto out_off;
		memcpy(c->arch.tss.io_bitmap, map, sizeof(c->arch.tss.io_bitmap));
		c->arch.io_gen = gen;
	}
	c->arch.tss.iomap_base = TSS_IOMAP_ON;
	return;
out_off:
	c->arch.tss.iomap_base = TSS_IOMAP_OFF;
}

void arch_io_reload(void)
{
	struct thread *t = thread_current();

	irq_push_off();
	gdt_io_load(this_cpu(), t && t->proc ? &t->proc->io : NULL);
	irq_pop_off();
}
