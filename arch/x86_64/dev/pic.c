/*
 * pic.c - the 8259A interrupt controllers, remapped to vectors
 * IRQ_BASE..IRQ_BASE+15 with every line masked until a driver registers.
 * Delivered to the boot CPU through LAPIC LINT0 (ExtINT).
 * pic_lock protects the mask registers.
 */
#include <arch/pic.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <keel/spinlock.h>

static struct spinlock pic_lock = SPINLOCK_INIT("pic");
static uint16_t pic_masked = 0xffff;    /* [pic_lock] 1 = masked */

static void pic_write_mask(void)
{
	outb(PIC1_DATA, pic_masked & 0xff);
	outb(PIC2_DATA, pic_masked >> 8);
}

/* Remap both PICs to IRQ_BASE and mask every line. */
void pic_init(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	io_wait();
	outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	io_wait();
	outb(PIC1_DATA, IRQ_BASE);
	io_wait();
	outb(PIC2_DATA, IRQ_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ);
	io_wait();
	outb(PIC2_DATA, PIC_CASCADE_IRQ);
	io_wait();
	outb(PIC1_DATA, PIC_ICW4_8086);
	io_wait();
	outb(PIC2_DATA, PIC_ICW4_8086);
	io_wait();
	spin_lock(&pic_lock);
	pic_masked = 0xffff & ~(1u << PIC_CASCADE_IRQ);
	pic_write_mask();
	spin_unlock(&pic_lock);
}

void pic_unmask(unsigned irq)
{
	spin_lock(&pic_lock);
	pic_masked &= ~(1u << irq);
	pic_write_mask();
	spin_unlock(&pic_lock);
}

void pic_mask(unsigned irq)
{
	spin_lock(&pic_lock);
	pic_masked |= 1u << irq;
	pic_write_mask();
	spin_unlock(&pic_lock);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

/* An interrupt nobody registered: spurious IRQ 7/15 needs no (full) EOI. */
void pic_spurious(unsigned irq)
{
	if (irq == PIC_SPURIOUS_IRQ1) {
		outb(PIC1_CMD, PIC_READ_ISR);
		if (!(inb(PIC1_CMD) & (1u << PIC_SPURIOUS_IRQ1)))
			return;
	} else if (irq == PIC_SPURIOUS_IRQ2) {
		outb(PIC2_CMD, PIC_READ_ISR);
		if (!(inb(PIC2_CMD) & (1u << (PIC_SPURIOUS_IRQ2 - 8)))) {
			outb(PIC1_CMD, PIC_EOI);
			return;
		}
	}
	pic_eoi(irq);
}
