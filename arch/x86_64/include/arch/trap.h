/*
 * arch/trap.h - the trap frame built by trap_entry.S, vector numbers, and
 * the exception-fixup table.
 *
 * TF_* offsets are used by assembly; trap.c checks them against struct
 * trapframe with _Static_assert, so the two can never disagree silently.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#define TRAP_DE   0
#define TRAP_DB   1
#define TRAP_NMI  2
#define TRAP_BP   3
#define TRAP_OF   4
#define TRAP_BR   5
#define TRAP_UD   6
#define TRAP_NM   7
#define TRAP_DF   8
#define TRAP_TS   10
#define TRAP_NP   11
#define TRAP_SS   12
#define TRAP_GP   13
#define TRAP_PF   14
#define TRAP_MF   16
#define TRAP_AC   17
#define TRAP_MC   18
#define TRAP_XM   19
#define TRAP_VE   20
#define TRAP_CP   21
#define TRAP_EXCEPTIONS 32

/* Interrupt vectors. */
#define IRQ_BASE          0x20    /* legacy ISA IRQ n arrives at IRQ_BASE + n */
#define IRQ_LEGACY_COUNT  16
#define VEC_LAPIC_TIMER   0xf0
#define VEC_IPI_CALL      0xf1
#define VEC_IPI_RESCHED   0xf2
#define VEC_SPURIOUS      0xff
#define NUM_VECTORS       256
#define VEC_SYSCALL       0x100   /* tf->vector of a frame built by syscall_entry */

/*
 * sysretq loads RFLAGS from %r11 as is: a frame whose flags hold one of
 * these (trap flag, resume flag, nested task, virtual-8086) or lack IF goes
 * back through iretq instead (syscall.S).
 */
#define SYSRET_RFLAGS_BAD ((1 << 8) | (1 << 14) | (1 << 16) | (1 << 17))
#define SYSRET_RFLAGS_IF  (1 << 9)

/* struct cpu offsets used by syscall_entry (checked in user.c). */
#define CPU_USER_RSP      8       /* entry_scratch[0] */
#define CPU_KSTACK_TOP    16      /* entry_scratch[1] */

/* Bitmask of exception vectors for which the CPU pushes an error code. */
#define TRAP_ERRCODE_MASK ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | \
			   (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21) | \
			   (1 << 29) | (1 << 30))

#define TF_R15    0
#define TF_R14    8
#define TF_R13    16
#define TF_R12    24
#define TF_R11    32
#define TF_R10    40
#define TF_R9     48
#define TF_R8     56
#define TF_RBP    64
#define TF_RDI    72
#define TF_RSI    80
#define TF_RDX    88
#define TF_RCX    96
#define TF_RBX    104
#define TF_RAX    112
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_CS     144
#define TF_RFLAGS 152
#define TF_RSP    160
#define TF_SS     168
#define TF_SIZE   176

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

/* Exception fixup: a fault at insn resumes at fixup (user copies). */
struct extable_entry {
	uintptr_t insn;
	uintptr_t fixup;
};

static inline bool trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) != 0;
}

/* Called by trap_entry.S: every vector but the paranoid ones. */
void trap_dispatch(struct trapframe *tf);
/* Called by trap_entry.S: double fault, NMI, machine check, any context. */
void trap_paranoid(struct trapframe *tf);
/* NMIs that were not a panic's stop request, since boot (all CPUs). */
unsigned trap_nmi_count(void);

typedef void (*vector_handler_t)(struct trapframe *tf);
/* Install a handler for a raw vector (LAPIC timer, IPIs; boot time). */
void vector_register(unsigned vector, vector_handler_t fn, const char *name);
#endif

#endif
