/*
 * thread.c - x86-64 thread support: initial kernel stacks, the context
 * switch (stack, kernel entry stack in the TSS and for syscall, FPU/SSE
 * state, the I/O permission bitmap), and FPU setup on each CPU.
 */
#include <arch/thread.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/msr.h>
#include <arch/gdt.h>
#include <keel/thread.h>
#include <keel/proc.h>
#include <keel/cpu.h>
#include <lib/string.h>

#define X86_CR0_MP         (1ul << 1)
#define X86_CR0_EM         (1ul << 2)
#define X86_CR0_TS         (1ul << 3)
#define X86_CR0_NE         (1ul << 5)
#define X86_CR4_OSFXSR     (1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)
#define SWITCH_FRAME_REGS  6          /* rbp rbx r12 r13 r14 r15 */

_Static_assert(__builtin_offsetof(struct thread, ksp) == 0, "switch.S uses ksp at 0");

void arch_switch_stacks(uintptr_t *prev_ksp, uintptr_t next_ksp);
extern char thread_trampoline[];

void fpu_cpu_init(void)
{
	write_cr0((read_cr0() & ~(X86_CR0_EM | X86_CR0_TS)) | X86_CR0_MP | X86_CR0_NE);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
}

void arch_thread_fpu_reset(struct thread *t)
{
	uint16_t cw = FPU_CW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	memset(t->arch.fpu, 0, sizeof(t->arch.fpu));
	memcpy(t->arch.fpu, &cw, sizeof(cw));
	memcpy(t->arch.fpu + FXSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	t->arch.fpu_valid = true;
}

void arch_thread_fpu_save(struct thread *t)
{
	if (t->arch.fpu_valid)
		__asm__ volatile("fxsave64 %0" : "=m"(t->arch.fpu));
}

void arch_thread_init(struct thread *t, uintptr_t frame_top)
{
	uintptr_t *sp = (uintptr_t *)ALIGN_DOWN(frame_top, 16);

	*--sp = (uintptr_t)thread_trampoline;     /* "return address" */
	for (int i = 0; i < SWITCH_FRAME_REGS; i++)
		*--sp = 0;
	t->ksp = (uintptr_t)sp;
}

void arch_context_switch(struct thread *prev, struct thread *next)
{
	struct cpu *c = this_cpu();

	if (prev->arch.fpu_valid)
		__asm__ volatile("fxsave64 %0" : "=m"(prev->arch.fpu));
	if (next->arch.fpu_valid)
		__asm__ volatile("fxrstor64 %0" : : "m"(next->arch.fpu));
	c->arch.tss.rsp[0] = next->kstack_top;
	gdt_io_load(c, next->proc ? &next->proc->io : NULL);
	c->entry_scratch[CPU_KSTACK_TOP / sizeof(uintptr_t) - 1] = next->kstack_top;
	if (next->proc)
		wrmsr(MSR_FS_BASE, next->fs_base);
	arch_switch_stacks(&prev->ksp, next->ksp);
}
