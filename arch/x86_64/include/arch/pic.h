/* arch/pic.h - the legacy 8259A pair, remapped to IRQ_BASE.. and masked. */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#define PIC1_CMD     0x20
#define PIC1_DATA    0x21
#define PIC2_CMD     0xa0
#define PIC2_DATA    0xa1
#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086      0x01
#define PIC_CASCADE_IRQ    2
#define PIC_EOI            0x20
#define PIC_READ_ISR       0x0b
#define PIC_SPURIOUS_IRQ1  7
#define PIC_SPURIOUS_IRQ2  15

void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
void pic_spurious(unsigned irq);

#endif
