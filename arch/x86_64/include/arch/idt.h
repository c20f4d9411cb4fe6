/*
 * arch/idt.h - the interrupt descriptor table (entry/idt.c), shared by
 * every CPU: written once by the boot CPU, immutable afterwards.
 */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

/* Fill the IDT with the generated entry stubs and load it (boot CPU, once). */
void idt_init(void);
/* Load the shared IDT on this CPU (AP start). */
void idt_load(void);

#endif
