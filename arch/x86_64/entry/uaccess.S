/*
 * uaccess.S - raw copies between kernel and user memory (arch/uaccess.h).
 *
 * Every instruction that may fault on a user address is listed in the
 * exception-fixup table with EXTABLE: trap.c resumes a kernel-mode fault
 * at such an instruction at its fixup label, with the registers as the
 * fault left them.  "rep movsb"/"rep stosb" fault precisely, with %rcx
 * counting the bytes not yet done, which is what the copies return.  The
 * AC flag set by stac survives the fault (iret restores RFLAGS), so every
 * fixup path ends with clac too.
 */

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

/* size_t arch_copy_user(void *dst, const void *src, size_t n) */
	.globl arch_copy_user
	.type arch_copy_user, @function
arch_copy_user:
	movq %rdx, %rcx
	USER_ACCESS_BEGIN
1:	rep movsb
2:	USER_ACCESS_END
	movq %rcx, %rax
	ret
	EXTABLE 1b, 2b
	.size arch_copy_user, . - arch_copy_user

/* size_t arch_clear_user(void *dst, size_t n) */
	.globl arch_clear_user
	.type arch_clear_user, @function
arch_clear_user:
	movq %rsi, %rcx
	xorl %eax, %eax
	USER_ACCESS_BEGIN
1:	rep stosb
2:	USER_ACCESS_END
	movq %rcx, %rax
	ret
	EXTABLE 1b, 2b
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

