/*
 * uaccess.S - raw copies between kernel and user memory (arch/uaccess.h).
 *
 * Every instruction that may fault on a user address is listed in the
 * exception-fixup table with EXTABLE: trap.c resumes a kernel-mode fault
 * at such an instruction at its fixup label, with the registers as the
 * fault left them.  Rep string instructions fault precisely, with %rcx
 * counting the elements not yet done, from which the copies return the
 * bytes not yet done.  The
 * AC flag set by stac survives the fault (iret restores RFLAGS), so every
 * fixup path ends with clac too.
 */

#include <arch/layout.h>

/* Offsets within a page; a quadword at an offset above the last crosses. */
#define PAGE_MASK_LOW     (PAGE_SIZE - 1)
#define QUAD_LAST_IN_PAGE (PAGE_SIZE - 8)

/* A fault at insn resumes at fixup (struct extable_entry in arch/trap.h). */
.macro EXTABLE insn, fixup
	.pushsection .extable, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
.endm

/* Open/close the SMAP window; stac/clac are #UD on CPUs without SMAP. */
.macro USER_ACCESS_BEGIN
	cmpb $0, cpu_has_smap(%rip)
	je 8f
	stac
8:
.endm

.macro USER_ACCESS_END
	cmpb $0, cpu_has_smap(%rip)
	je 8f
	clac
8:
.endm

	.text

/*
 * size_t arch_copy_user(void *dst, const void *src, size_t n)
 *
 * Eight bytes at a time (rep movsq), then the remaining bytes (rep movsb):
 * an emulator such as QEMU's TCG runs a rep string instruction one element
 * per step, so quadwords move a pipe's 64 KiB several times faster than
 * bytes, and hardware is no slower.  A fault in the quadword part on a
 * quadword that crosses a page boundary resumes with rep movsb over
 * everything left, which stops exactly at the first byte that cannot be
 * accessed, so the count returned is exact.  A quadword inside one page
 * has no accessible byte (protection is per page): its count is exact
 * already, and it is not faulted on twice.
 */
	.globl arch_copy_user
	.type arch_copy_user, @function
arch_copy_user:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
	USER_ACCESS_BEGIN
1:	rep movsq
	movq %rdx, %rcx
2:	rep movsb
3:	USER_ACCESS_END
	movq %rcx, %rax
	ret
4:	leaq (%rdx,%rcx,8), %rcx        /* quadwords left -> bytes left */
	movl %esi, %eax
	andl $PAGE_MASK_LOW, %eax
	cmpl $QUAD_LAST_IN_PAGE, %eax
	ja 2b                           /* the source quadword crosses a page */
	movl %edi, %eax
	andl $PAGE_MASK_LOW, %eax
	cmpl $QUAD_LAST_IN_PAGE, %eax
	ja 2b                           /* the destination quadword does */
	jmp 3b
	EXTABLE 1b, 4b
	EXTABLE 2b, 3b
	.size arch_copy_user, . - arch_copy_user

/* size_t arch_clear_user(void *dst, size_t n): as arch_copy_user. */
	.globl arch_clear_user
	.type arch_clear_user, @function
arch_clear_user:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
	USER_ACCESS_BEGIN
1:	rep stosq
	movq %rsi, %rcx
2:	rep stosb
3:	USER_ACCESS_END
	movq %rcx, %rax
	ret
4:	leaq (%rsi,%rcx,8), %rcx
	movl %edi, %edx
	andl $PAGE_MASK_LOW, %edx
	cmpl $QUAD_LAST_IN_PAGE, %edx
	ja 2b
	jmp 3b
	EXTABLE 1b, 4b
	EXTABLE 2b, 3b
	.size arch_clear_user, . - arch_clear_user

/* long arch_strncpy_user(char *dst, const char *src, size_t n) */
	.globl arch_strncpy_user
	.type arch_strncpy_user, @function
arch_strncpy_user:
	xorl %eax, %eax                 /* bytes copied so far */
	USER_ACCESS_BEGIN
1:	cmpq %rdx, %rax
	jae 3f                          /* no NUL in n bytes: return n */
2:	movzbl (%rsi,%rax), %ecx        /* may fault */
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 3f                           /* NUL stored: return the length */
	incq %rax
	jmp 1b
3:	USER_ACCESS_END
	ret
4:	USER_ACCESS_END
	movq $-1, %rax
	ret
	EXTABLE 2b, 4b
	.size arch_strncpy_user, . - arch_strncpy_user

