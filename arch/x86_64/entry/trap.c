/*
 * trap.c - C side of every interrupt and exception.
 *
 * trap_dispatch() runs with interrupts off on the stack the CPU switched
 * to.  Device interrupts go to the handler registered for their vector and
 * are acknowledged at the interrupt controller.  Exceptions are decoded
 * into a generic struct fault and handed to fault_handle()
 * (kernel/proc/fault.c), which decides what a fault means: a page fault
 * resolved in the address space, a signal, an out-of-memory kill.  What it
 * leaves unresolved is a kernel fault: an exception-fixup entry (user-memory
 * copies return -EFAULT that way) is applied, or the trap is dumped - name, error code, all
 * registers, CR2 for page faults - and the kernel panics with a symbolized
 * backtrace that walks through the trap into the interrupted code.
 * Interrupts may arrive in kernel mode on any CPU (idle loop, spinning):
 * nothing here assumes they came from user mode.
 *
 * Double fault, NMI and machine check come through trap_paranoid() instead
 * (paranoid_common in trap_entry.S, on IST stacks, GS already made the
 * kernel's): they can interrupt any instruction, so they never schedule,
 * take locks or deliver signals.  An NMI during a panic is the panic IPI:
 * the CPU prints its backtrace and stops; any other NMI is counted and
 * ignored.  Double fault and machine check are fatal, whatever mode they
 * interrupted.
 */
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/irq.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/ksyms.h>
#include <keel/fault.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <keel/proc.h>
#include <keel/ioport.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <arch/user.h>
#include <arch/mmu.h>

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");
_Static_assert(__builtin_offsetof(struct trapframe, rbp) == TF_RBP, "TF_RBP");
_Static_assert(__builtin_offsetof(struct trapframe, rax) == TF_RAX, "TF_RAX");
_Static_assert(__builtin_offsetof(struct trapframe, vector) == TF_VECTOR, "TF_VECTOR");
_Static_assert(__builtin_offsetof(struct trapframe, rip) == TF_RIP, "TF_RIP");
_Static_assert(__builtin_offsetof(struct trapframe, cs) == TF_CS, "TF_CS");
_Static_assert(__builtin_offsetof(struct trapframe, ss) == TF_SS, "TF_SS");

#define PF_ERR_PRESENT  (1u << 0)
#define PF_ERR_WRITE    (1u << 1)
#define PF_ERR_USER     (1u << 2)
#define PF_ERR_RSVD     (1u << 3)
#define PF_ERR_FETCH    (1u << 4)

static const char *const trap_names[TRAP_EXCEPTIONS] = {
	[TRAP_DE] = "#DE divide error",
	[TRAP_DB] = "#DB debug",
	[TRAP_NMI] = "NMI",
	[TRAP_BP] = "#BP breakpoint",
	[TRAP_OF] = "#OF overflow",
	[TRAP_BR] = "#BR bound range",
	[TRAP_UD] = "#UD invalid opcode",
	[TRAP_NM] = "#NM device not available",
	[TRAP_DF] = "#DF double fault",
	[TRAP_TS] = "#TS invalid TSS",
	[TRAP_NP] = "#NP segment not present",
	[TRAP_SS] = "#SS stack fault",
	[TRAP_GP] = "#GP general protection",
	[TRAP_PF] = "#PF page fault",
	[TRAP_MF] = "#MF x87 error",
	[TRAP_AC] = "#AC alignment check",
	[TRAP_MC] = "#MC machine check",
	[TRAP_XM] = "#XM SIMD exception",
	[TRAP_VE] = "#VE virtualization",
	[TRAP_CP] = "#CP control protection",
};

struct vector_slot {
	vector_handler_t fn;     /* [I] once registered at boot */
	const char *name;
};
static struct vector_slot vectors[NUM_VECTORS];

extern const struct extable_entry _extable_start[], _extable_end[];

static const char *trap_name(uint64_t v)
{
	if (v < TRAP_EXCEPTIONS && trap_names[v])
		return trap_names[v];
	return "unknown trap";
}

/* Print everything known about tf (any context, used by panics). */
static void trap_dump(const struct trapframe *tf)
{
	kprintf("%s (vector %lu) error=0x%lx in %s mode on cpu %u\n",
		trap_name(tf->vector), tf->vector, tf->error,
		trap_from_user(tf) ? "user" : "kernel", this_cpu()->id);
	if (tf->vector == TRAP_PF)
		kprintf("CR2=%016lx (%s %s%s%s)\n", read_cr2(),
			tf->error & PF_ERR_PRESENT ? "protection" : "not-present",
			tf->error & PF_ERR_FETCH ? "fetch" :
			tf->error & PF_ERR_WRITE ? "write" : "read",
			tf->error & PF_ERR_USER ? " user" : "",
			tf->error & PF_ERR_RSVD ? " reserved-bit" : "");
	kprintf("RIP=%016lx CS=%04lx RFLAGS=%016lx\n", tf->rip, tf->cs, tf->rflags);
	kprintf("RSP=%016lx SS=%04lx\n", tf->rsp, tf->ss);
	kprintf("RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n",
		tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("RSI=%016lx RDI=%016lx RBP=%016lx R8 =%016lx\n",
		tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("R9 =%016lx R10=%016lx R11=%016lx R12=%016lx\n",
		tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("R13=%016lx R14=%016lx R15=%016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("CR0=%016lx CR3=%016lx CR4=%016lx\n", read_cr0(), read_cr3(),
		read_cr4());
	kprintf("at:");
	backtrace_print_pc(tf->rip);
}

static bool trap_has_fixup(const struct trapframe *tf)
{
	for (const struct extable_entry *e = _extable_start; e < _extable_end; e++)
		if (e->insn == tf->rip)
			return true;
	return false;
}

static bool trap_fixup(struct trapframe *tf)
{
	for (const struct extable_entry *e = _extable_start; e < _extable_end; e++) {
		if (e->insn == tf->rip) {
			tf->rip = e->fixup;
			return true;
		}
	}
	return false;
}

/* The generic kind of an exception vector (keel/fault.h). */
static enum fault_kind trap_fault_kind(uint64_t vector)
{
	switch (vector) {
	case TRAP_PF:
		return FAULT_PAGE;
	case TRAP_DE:
	case TRAP_MF:
	case TRAP_XM:
		return FAULT_ARITHMETIC;
	case TRAP_UD:
		return FAULT_ILLEGAL;
	case TRAP_DB:
	case TRAP_BP:
		return FAULT_BREAKPOINT;
	case TRAP_AC:
		return FAULT_ALIGNMENT;
	case TRAP_GP:
	case TRAP_NP:
	case TRAP_SS:
	case TRAP_TS:
		return FAULT_PROTECTION;
	default:
		return FAULT_OTHER;
	}
}

/* Decode the hardware state of an exception into a generic fault. */
static void trap_decode(const struct trapframe *tf, struct fault *f)
{
	*f = (struct fault){
		.kind = trap_fault_kind(tf->vector),
		.name = trap_name(tf->vector),
		.pc = tf->rip,
		.code = tf->error,
		.user = trap_from_user(tf),
		.uaccess = trap_has_fixup(tf),
		.can_sleep = thread_current() && this_cpu()->irq_off_depth == 0 &&
			     this_cpu()->in_irq == 0 && (tf->rflags & X86_RFLAGS_IF),
		.loaded_root = read_cr3() & PTE_ADDR_MASK,
	};
	if (f->kind != FAULT_PAGE)
		return;
	f->addr = read_cr2();
	f->malformed = tf->error & PF_ERR_RSVD;
	if (tf->error & PF_ERR_WRITE)
		f->access |= VM_FAULT_WRITE;
	if (tf->error & PF_ERR_FETCH)
		f->access |= VM_FAULT_EXEC;
	if (tf->error & PF_ERR_USER)
		f->access |= VM_FAULT_USER;
	if (tf->error & PF_ERR_PRESENT)
		f->access |= VM_FAULT_PRESENT;
}

extern char trap_iretq[];

#define X86_OP_CLI 0xfa
#define X86_OP_STI 0xfb

/*
 * A user #GP on cli or sti in a process with iopl(3): iopl is emulated
 * (keel/ioport.h) and the CPU's IOPL stays 0, so these fault; Linux then
 * skips the instruction (a no-op, with a warning) and so does Keel.
 * True when skipped.  Interrupts off on entry and exit.
 */
static bool trap_skip_cli_sti(struct trapframe *tf)
{
	struct thread *t = thread_current();
	uint8_t op;
	int err;

	if (tf->vector != TRAP_GP || !trap_from_user(tf) || tf->error != 0 || !t || !t->proc ||
	    !ioport_iopl_emulated(t->proc))
		return false;
	arch_irq_enable(); /* from user mode: no lock held, interrupts were on */
	err = copy_from_user(&op, (const void __user *)tf->rip, sizeof(op));
	arch_irq_disable();
	if (err || (op != X86_OP_CLI && op != X86_OP_STI))
		return false;
	klog_once(LOG_WARN, "%s[%d]: cli/sti under iopl(3) is a no-op (as on Linux)", t->name,
		  t->tid);
	tf->rip += sizeof(op);
	return true;
}

static void trap_exception(struct trapframe *tf)
{
	struct fault f;

	/* The user state we were returning to is invalid (bad RIP, flags). */
	if (tf->rip == (uintptr_t)trap_iretq && thread_current() &&
	    thread_current()->proc)
		fault_bad_return(trap_name(tf->vector));
	if (trap_skip_cli_sti(tf))
		return;
	trap_decode(tf, &f);
	if (fault_handle(&f))
		return;
	if (trap_fixup(tf))
		return;
	kprintf("\n");
	trap_dump(tf);
	panic("unhandled %s", trap_name(tf->vector));
}

static unsigned nmi_unexpected;   /* [A] NMIs that were not a panic's */

unsigned trap_nmi_count(void)
{
	return __atomic_load_n(&nmi_unexpected, __ATOMIC_RELAXED);
}

/* Double fault, NMI, machine check (TRAP_PARANOID_MASK), any context. */
void trap_paranoid(struct trapframe *tf)
{
	if (tf->vector == TRAP_NMI) {
		if (panic_in_progress())
			panic_stop_this_cpu(tf->rbp, tf->rip);   /* no return */
		/* No log: the NMI may have interrupted the console's lock holder. */
		__atomic_fetch_add(&nmi_unexpected, 1, __ATOMIC_RELAXED);
		return;
	}
	kprintf("\n");
	trap_dump(tf);
	panic("unhandled %s", trap_name(tf->vector));
}

/* Register fn for a raw vector (boot time). */
void vector_register(unsigned vector, vector_handler_t fn, const char *name)
{
	assert(vector >= TRAP_EXCEPTIONS && vector < NUM_VECTORS);
	assert(!vectors[vector].fn);
	vectors[vector].fn = fn;
	vectors[vector].name = name;
}

void trap_dispatch(struct trapframe *tf)
{
	struct cpu *c = this_cpu();

	if (tf->vector < TRAP_EXCEPTIONS) {
		trap_exception(tf);
		if (trap_from_user(tf))
			arch_return_to_user(tf);
		return;
	}
	c->in_irq++;
	if (vectors[tf->vector].fn) {
		vectors[tf->vector].fn(tf);
	} else if (tf->vector >= IRQ_BASE &&
		   tf->vector < IRQ_BASE + IRQ_LEGACY_COUNT) {
		irq_unclaimed(tf->vector - IRQ_BASE);
	} else if (tf->vector != VEC_SPURIOUS) {
		klog_once(LOG_WARN, "trap: unexpected vector %lu", tf->vector);
		lapic_eoi();
	}
	c->in_irq--;
	if (trap_from_user(tf))
		arch_return_to_user(tf);
}
