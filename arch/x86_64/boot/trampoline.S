/*
 * trampoline.S - where application processors start.  After the SIPI an AP
 * runs this code in 16-bit real mode at SMP_TRAMPOLINE_PA (it was copied
 * there by smp.c): load a small GDT, enter protected mode, enable PAE,
 * load the trampoline page table, enable long mode (and NX) and paging,
 * then jump to ap_entry(cpu) on the stack the boot CPU prepared.
 * The code is position-dependent on SMP_TRAMPOLINE_PA; T(x) turns a label
 * into its address in the copy.
 */
#include <arch/smp.h>

#define T(x) ((x) - smp_trampoline_start + SMP_TRAMPOLINE_PA)
#define CR0_PE   0x1
#define CR0_WP   0x10000
#define CR0_PG   0x80000000
#define CR4_PAE  0x20
#define EFER_MSR 0xc0000080
#define EFER_LME 0x100

	.section .rodata.trampoline, "a"
	.globl smp_trampoline_start, smp_trampoline_end, smp_trampoline_params
	.code16
smp_trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $TRAMP_SEG_CODE32, $T(tramp32)

	.code32
tramp32:
	movw $TRAMP_SEG_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl T(smp_trampoline_params), %eax        /* params.cr3 */
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	orl T(smp_trampoline_params) + 8, %eax     /* params.efer_set */
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG + CR0_WP), %eax
	movl %eax, %cr0
	ljmpl $TRAMP_SEG_CODE64, $T(tramp64)

	.code64
tramp64:
	movq T(smp_trampoline_params) + 16, %rsp   /* params.stack */
	movq T(smp_trampoline_params) + 24, %rdi   /* params.cpu */
	movq T(smp_trampoline_params) + 32, %rax   /* params.entry */
	xorl %ebp, %ebp
	pushq $0                                   /* end of backtraces */
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* TRAMP_SEG_CODE32 */
	.quad 0x00cf92000000ffff        /* TRAMP_SEG_DATA */
	.quad 0x00af9a000000ffff        /* TRAMP_SEG_CODE64 */
tramp_gdt_end:
tramp_gdt_desc:
	.short tramp_gdt_end - tramp_gdt - 1
	.long T(tramp_gdt)
	.balign 8
smp_trampoline_params:
	.skip 40                        /* struct smp_tramp_params */
smp_trampoline_end:
