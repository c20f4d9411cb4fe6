/*
 * boot.S - the first instructions of Keel on x86-64.
 *
 * Two ways in, both in 32-bit protected mode with paging off:
 *   - Multiboot2 (GRUB): EAX = MB2_BOOTLOADER_MAGIC, EBX = info address.
 *     The header below carries an entry-address tag pointing at mb2_entry.
 *   - PVH (qemu -kernel): the Xen PHYS32_ENTRY note points at pvh_entry,
 *     EBX = struct hvm_start_info address.  EAX is undefined.
 * Both paths save (protocol, info address), build boot page tables that
 * identity-map the first 1 GiB and map the kernel at KERNEL_VMA, enter long
 * mode, jump to the higher half and call arch_boot_main(protocol, info_pa).
 * The boot page tables live only until kernel/mmu builds the real ones.
 *
 * Everything in .boot.* runs at its physical address (linked VMA == LMA).
 */
#include <arch/layout.h>
#include <arch/segment.h>
#include <arch/bootproto.h>

#define MB2_HEADER_MAGIC      0xe85250d6
#define MB2_ARCH_I386         0
#define MB2_TAG_END           0
#define MB2_TAG_ENTRY_ADDRESS 3
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_P   0x1
#define PTE_W   0x2
#define PTE_PS  0x80
#define CR0_PE  0x1
#define CR0_WP  0x10000
#define CR0_PG  0x80000000
#define CR4_PAE 0x20
#define EFER_MSR 0xc0000080
#define EFER_LME 0x100
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_LM_BIT   29
#define COM1 0x3f8

#define PHYS(x) ((x) - KERNEL_VMA)

/* ------------------------------------------------------------ headers */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short MB2_TAG_ENTRY_ADDRESS
	.short 0
	.long 12
	.long mb2_entry
	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .note.Xen, "a", @note
	.balign 4
	.long 4                 /* name size */
	.long 4                 /* desc size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_entry
	.balign 4

/* ------------------------------------------------------------ 32-bit */
	.section .boot.text, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	movl $BOOT_PROTO_PVH, %edi
	jmp boot32_common

	.globl mb2_entry
mb2_entry:
	cli
	movl $BOOT_PROTO_MULTIBOOT2, %edi
	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	je boot32_common
	movl $msg_bad_magic, %esi
	jmp boot32_fail

boot32_common:
	movl $PHYS(boot_stack_top), %esp
	movl %edi, boot_protocol
	movl %ebx, boot_info_pa

	/* Long mode available? */
	movl $CPUID_EXT_FEATURES, %eax
	cpuid
	btl $CPUID_EXT_LM_BIT, %edx
	jc 1f
	movl $msg_no_lm, %esi
	jmp boot32_fail
1:
	/* Zero the boot page tables (4 pages, contiguous). */
	movl $boot_pml4, %edi
	xorl %eax, %eax
	movl $(4 * PAGE_SIZE / 4), %ecx
	rep stosl

	/* PML4[0] -> low PDPT, PML4[511] -> high PDPT. */
	movl $(boot_pdpt_low + PTE_P + PTE_W), boot_pml4
	movl $(boot_pdpt_high + PTE_P + PTE_W), boot_pml4 + 511 * 8
	/* Low PDPT[0] and high PDPT[510] share one PD mapping 0..1 GiB. */
	movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_low
	movl $(boot_pd + PTE_P + PTE_W), boot_pdpt_high + 510 * 8
	movl $boot_pd, %edi
	movl $(PTE_P + PTE_W + PTE_PS), %eax
	movl $512, %ecx
2:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG + CR0_PE + CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $SEG_KCODE, $boot64

/* Print the NUL-terminated string at %esi on COM1 and halt. */
boot32_fail:
	movw $COM1, %dx
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp 3b
4:	cli
	hlt
	jmp 4b

	.code64
boot64:
	movl $SEG_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* SEG_KCODE: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff        /* SEG_KDATA */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
boot_protocol:
	.long 0
boot_info_pa:
	.long 0
msg_bad_magic:
	.asciz "keel: bad multiboot2 magic, halting\r\n"
msg_no_lm:
	.asciz "keel: this CPU has no long mode (x86-64), halting\r\n"

	.section .boot.bss, "aw", @nobits
	.balign PAGE_SIZE
boot_pml4:
	.skip PAGE_SIZE
boot_pdpt_low:
	.skip PAGE_SIZE
boot_pdpt_high:
	.skip PAGE_SIZE
boot_pd:
	.skip PAGE_SIZE

/* ------------------------------------------------------------ 64-bit */
	.section .text
	.code64
higher_half:
	.cfi_startproc
	.cfi_undefined rip
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_protocol, %edi
	movl boot_info_pa, %esi
	call arch_boot_main
5:	cli
	hlt
	jmp 5b
	.cfi_endproc

	.section .bss.boot_stack, "aw", @nobits
	.balign PAGE_SIZE
	.globl boot_stack_guard
boot_stack_guard:
	.skip PAGE_SIZE
	.skip BOOT_STACK_SIZE
boot_stack_top:
