/*
 * test_irq.c - the generic interrupt interface (keel/irq.h): attach, the
 * context pointer, busy and invalid lines, detach, and one interrupt
 * delivered through the real arch entry (a self-IPI on the line's vector).
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/irq.h>
#include <keel/cpu.h>
#include <keel/time.h>
#include <arch/arch.h>
#include <arch/irq.h>
#include <arch/lapic.h>
#include <lib/errno.h>

/* ISA line 3 (COM2): no device behind it on the machines we boot. */
#define TEST_IRQ 3

struct irq_test_ctx {
	unsigned calls;         /* [A] */
	unsigned last_irq;      /* [A] */
};

static void irq_test_handler(unsigned irq, void *arg)
{
	struct irq_test_ctx *ctx = arg;

	__atomic_store_n(&ctx->last_irq, irq, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ctx->calls, 1, __ATOMIC_RELAXED);
}

static bool irq_test_handle(unsigned irq)
{
	bool handled;

	arch_irq_disable();
	handled = irq_handle(irq);
	arch_irq_enable();
	return handled;
}

KTEST(irq_request_free_context)
{
	struct irq_test_ctx ctx = { 0, 0 }, other = { 0, 0 };
	uint64_t before = irq_count(TEST_IRQ);

	KT_CHECK_EQ(t, irq_request(ARCH_IRQ_COUNT, irq_test_handler, &ctx, "t"), -EINVAL);
	KT_CHECK_EQ(t, irq_request(TEST_IRQ, NULL, &ctx, "t"), -EINVAL);
	KT_CHECK_EQ(t, irq_request(TEST_IRQ, irq_test_handler, &ctx, "irq-test"), 0);
	KT_CHECK_EQ(t, irq_request(TEST_IRQ, irq_test_handler, &other, "t"), -EBUSY);
	KT_CHECK(t, irq_name(TEST_IRQ) != NULL);

	KT_CHECK(t, irq_test_handle(TEST_IRQ));
	KT_CHECK_EQ(t, ctx.calls, 1u);
	KT_CHECK_EQ(t, ctx.last_irq, (unsigned)TEST_IRQ);
	KT_CHECK_EQ(t, other.calls, 0u);

	/* Through the arch entry: the line's vector, delivered by the LAPIC. */
	arch_irq_disable();
	lapic_send_ipi(this_cpu()->arch.apic_id, LAPIC_ICR_FIXED | (IRQ_BASE + TEST_IRQ));
	arch_irq_enable();
	for (uint64_t end = time_ns() + 100 * NSEC_PER_MSEC;
	     __atomic_load_n(&ctx.calls, __ATOMIC_RELAXED) < 2 && time_ns() < end;)
		arch_cpu_relax();
	KT_CHECK_EQ(t, ctx.calls, 2u);

	irq_free(TEST_IRQ, &ctx);
	KT_CHECK(t, irq_name(TEST_IRQ) == NULL);
	KT_CHECK(t, !irq_test_handle(TEST_IRQ));
	KT_CHECK_EQ(t, ctx.calls, 2u);
	KT_CHECK_EQ(t, irq_count(TEST_IRQ), before + 3);

	/* Free again for someone else. */
	KT_CHECK_EQ(t, irq_request(TEST_IRQ, irq_test_handler, &other, "irq-test"), 0);
	KT_CHECK(t, irq_test_handle(TEST_IRQ));
	KT_CHECK_EQ(t, other.calls, 1u);
	irq_free(TEST_IRQ, &other);
}
