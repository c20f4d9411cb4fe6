/*
 * arch/segment.h - GDT selectors.  The order of the user selectors is fixed
 * by sysret: STAR[63:48] = SEG_UCODE32, so sysret loads CS = SEG_UCODE64|3
 * and SS = SEG_UDATA|3.  Usable from assembly.
 */
#ifndef ARCH_SEGMENT_H
#define ARCH_SEGMENT_H

#define SEG_KCODE    0x08
#define SEG_KDATA    0x10
#define SEG_UCODE32  0x18
#define SEG_UDATA    0x20
#define SEG_UCODE64  0x28
#define SEG_TSS      0x30   /* 16-byte descriptor: occupies 0x30 and 0x38 */
#define GDT_ENTRIES  8
#define SEG_RPL_USER 3

#endif
