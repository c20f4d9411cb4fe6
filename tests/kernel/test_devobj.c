/*
 * test_devobj.c - device objects (kernel/dev/devobj.c): attaching to a
 * line, taking a yielding kernel driver's line over and giving it back,
 * interrupts delivered through the real arch entry (fixed IPIs on the
 * line's vector), and the Twizzler seed case forced, not hoped for: an
 * interrupt on a CPU whose last thread ran in a user address space, exited
 * and had that address space freed, so the CPU sits idle on the bootstrap
 * tables; the kernel must still count it in the device object.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/devobj.h>
#include <keel/irq.h>
#include <keel/cpu.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <keel/vmobj.h>
#include <keel/uaccess.h>
#include <arch/arch.h>
#include <arch/irq.h>
#include <arch/lapic.h>
#include <lib/errno.h>

/* ISA line 3 (COM2): no device behind it on the machines we boot. */
#define DV_IRQ        3
#define DV_SERIAL_IRQ 4 /* the kernel's serial driver: never yields */
#define DV_CASCADE    2
#define DV_WAIT_NS    (2000 * NSEC_PER_MSEC)

/* Send line irq's vector to cpu, as its interrupt controller would. */
static void dv_fire(unsigned irq, unsigned cpu)
{
	arch_irq_disable();
	lapic_send_ipi(cpus[cpu].arch.apic_id, LAPIC_ICR_FIXED | (IRQ_BASE + irq));
	arch_irq_enable();
}

static bool dv_wait_count(struct devobj *d, uint32_t want)
{
	uint64_t end = time_ns() + DV_WAIT_NS;

	while (__atomic_load_n(&devobj_shared(d)->count, __ATOMIC_ACQUIRE) < want &&
	       time_ns() < end)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	return devobj_shared(d)->count >= want;
}

KTEST(devobj_attach_count_detach)
{
	struct devobj *d = NULL, *other = NULL;
	uint64_t before = irq_count(DV_IRQ);

	KT_CHECK_EQ(t, devobj_attach(DV_CASCADE, "kt", &other), -ENODEV);
	KT_CHECK_EQ(t, devobj_attach(ARCH_IRQ_COUNT, "kt", &other), -ENODEV);
	KT_CHECK_EQ(t, devobj_attach(DV_SERIAL_IRQ, "kt", &other), -EBUSY);
	KT_CHECK_EQ(t, devobj_attach(DV_IRQ, "kt", &d), 0);
	if (!d)
		return;
	KT_CHECK_EQ(t, devobj_attach(DV_IRQ, "kt2", &other), -EBUSY);
	KT_CHECK_EQ(t, devobj_shared(d)->irq, (uint32_t)DV_IRQ);
	KT_CHECK_EQ(t, devobj_shared(d)->count, 0u);
	KT_CHECK(t, vmobj_readonly(devobj_vmobj(d)));

	dv_fire(DV_IRQ, this_cpu()->id);
	KT_CHECK(t, dv_wait_count(d, 1));
	KT_CHECK_EQ(t, devobj_shared(d)->last_cpu, this_cpu()->id);
	KT_CHECK(t, devobj_shared(d)->last_ns > 0);
	KT_CHECK_EQ(t, irq_count(DV_IRQ), before + 1);
	devobj_detach(d);
	KT_CHECK(t, irq_name(DV_IRQ) == NULL);

	/* The line is free again. */
	KT_CHECK_EQ(t, devobj_attach(DV_IRQ, "kt", &d), 0);
	if (d)
		devobj_detach(d);
}

/* A yielding kernel handler steps aside for the device object and comes
 * back (called once) when it detaches. */
struct dv_kdrv {
	unsigned calls; /* [A] */
};

static void dv_kdrv_irq(unsigned irq, void *arg)
{
	__atomic_fetch_add(&((struct dv_kdrv *)arg)->calls, 1, __ATOMIC_RELAXED);
}

KTEST(devobj_takes_over_a_yielding_driver)
{
	struct dv_kdrv k = { 0 };
	struct devobj *d = NULL;

	KT_CHECK_EQ(t, irq_request_flags(DV_IRQ, dv_kdrv_irq, &k, "kt-kdrv", IRQ_F_YIELDS), 0);
	KT_CHECK_EQ(t, devobj_attach(DV_IRQ, "kt", &d), 0);
	if (d) {
		dv_fire(DV_IRQ, this_cpu()->id);
		KT_CHECK(t, dv_wait_count(d, 1));
		KT_CHECK_EQ(t, k.calls, 0u); /* the kernel driver stood aside */
		devobj_detach(d);
		KT_CHECK_EQ(t, k.calls, 1u); /* called once on its return */
	}
	dv_fire(DV_IRQ, this_cpu()->id);
	for (uint64_t end = time_ns() + DV_WAIT_NS;
	     __atomic_load_n(&k.calls, __ATOMIC_RELAXED) < 2 && time_ns() < end;)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	KT_CHECK_EQ(t, k.calls, 2u);
	irq_free(DV_IRQ, &k);
}

/* ---------------------------------------------------------------- seed case */

struct dv_user {
	struct mm *mm;
	uintptr_t va;  /* the device object in mm */
	uint32_t seen; /* what the thread read there */
	int err;
	bool done; /* [A] */
};

/* Runs on the target CPU as a driver would: in its own address space,
 * reading the device object through its user mapping; then it exits with
 * those tables loaded. */
static void dv_user_thread(void *arg)
{
	struct dv_user *u = arg;
	struct thread *me = thread_current();

	me->mm = u->mm;
	arch_irq_disable();
	vm_switch(u->mm);
	arch_irq_enable();
	u->err = copy_from_user(&u->seen, (const void *)u->va, sizeof(u->seen));
	me->mm = NULL; /* the tables stay loaded until the switch away */
	__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
}

KTEST(devobj_irq_on_idle_cpu_after_thread_exit)
{
	struct dv_user u = { 0 };
	struct thread *me = thread_current();
	struct devobj *d = NULL;
	unsigned target = 1, base;
	long va;

	KT_CHECK(t, cpu_online_count() >= 2);
	if (cpu_online_count() < 2)
		return;
	KT_CHECK_EQ(t, devobj_attach(DV_IRQ, "kt", &d), 0);
	if (!d)
		return;
	KT_CHECK_EQ(t, irq_set_cpu(DV_IRQ, target), 0);
	u.mm = vm_create();
	KT_CHECK(t, u.mm != NULL);
	if (!u.mm)
		goto out;
	va = vm_map_obj(u.mm, 0, KEEL_DEVOBJ_SIZE, PROT_READ, 0, devobj_vmobj(d), 0, false);
	KT_CHECK(t, va > 0);
	if (va <= 0)
		goto out;
	u.va = (uintptr_t)va;
	/*
	 * Fault the page and its page tables in from here: the thread on the
	 * target CPU then allocates nothing, and no frame stays cached on that
	 * CPU after the test (the pmm's per-CPU caches are not drained by
	 * allocations elsewhere: tests that count free frames would see them).
	 */
	me->mm = u.mm;
	arch_irq_disable();
	vm_switch(u.mm);
	arch_irq_enable();
	KT_CHECK_EQ(t, copy_from_user(&u.seen, (const void *)u.va, sizeof(u.seen)), 0);
	arch_irq_disable();
	vm_switch(NULL);
	me->mm = NULL;
	arch_irq_enable();

	base = thread_count();
	KT_CHECK(t, kthread_create("kt-devobj", dv_user_thread, &u, (int)target) != NULL);
	for (uint64_t end = time_ns() + DV_WAIT_NS;
	     (!__atomic_load_n(&u.done, __ATOMIC_ACQUIRE) || thread_count() > base ||
	      thread_dying_count() > 0) &&
	     time_ns() < end;)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	KT_CHECK(t, u.done);
	KT_CHECK_EQ(t, u.err, 0);
	KT_CHECK_EQ(t, u.seen, 0u);
	/* The thread is gone and its address space with it (tables freed). */
	vm_put(u.mm);
	u.mm = NULL;

	dv_fire(DV_IRQ, target);
	KT_CHECK(t, dv_wait_count(d, 1));
	KT_CHECK_EQ(t, devobj_shared(d)->last_cpu, target);
	KT_CHECK_EQ(t, devobj_bootstrap_hits(d), 1ul);
	/* And again while this CPU runs something else entirely. */
	dv_fire(DV_IRQ, target);
	KT_CHECK(t, dv_wait_count(d, 2));
out:
	if (u.mm)
		vm_put(u.mm);
	KT_CHECK_EQ(t, irq_set_cpu(DV_IRQ, 0), 0);
	devobj_detach(d);
}
