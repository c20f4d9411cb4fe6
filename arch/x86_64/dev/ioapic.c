/*
 * ioapic.c - I/O APICs: route global system interrupts (GSIs) to a CPU's
 * local APIC.  Legacy ISA IRQs reach them through the ACPI interrupt
 * source overrides (e.g. the PIT's IRQ 0 is GSI 2 on QEMU).
 * ioapic_lock protects the register-select/window pair of every IOAPIC.
 */
#include <arch/ioapic.h>
#include <arch/arch.h>
#include <keel/acpi.h>
#include <keel/klog.h>
#include <keel/spinlock.h>
#include <lib/errno.h>

struct ioapic {
	volatile uint32_t *mmio;   /* [I] */
	uint32_t gsi_base;         /* [I] */
	unsigned nredir;           /* [I] number of inputs */
};

static struct ioapic ioapics[IOAPIC_MAX];   /* [I] after ioapic_init */
static unsigned nioapics;                   /* [I] */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static uint32_t ioapic_read(struct ioapic *io, unsigned reg)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	return io->mmio[IOAPIC_WINDOW / 4];
}

static void ioapic_write(struct ioapic *io, unsigned reg, uint32_t v)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	io->mmio[IOAPIC_WINDOW / 4] = v;
}

static struct ioapic *ioapic_for(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->nredir) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

bool ioapic_init(const struct acpi_info *acpi)
{
	for (unsigned i = 0; i < acpi->nioapics && nioapics < IOAPIC_MAX; i++) {
		struct ioapic *io = &ioapics[nioapics];
		io->mmio = arch_ioremap(acpi->ioapics[i].addr, IOAPIC_MMIO_SIZE);
		if (!io->mmio)
			continue;
		io->gsi_base = acpi->ioapics[i].gsi_base;
		io->nredir = ((ioapic_read(io, IOAPIC_REG_VER) >> IOAPIC_VER_MAXREDIR_SHIFT) &
			      IOAPIC_VER_MAXREDIR_MASK) + 1;
		for (unsigned pin = 0; pin < io->nredir; pin++)
			ioapic_write(io, IOAPIC_REG_REDTBL(pin), IOAPIC_RED_MASKED);
		klog(LOG_INFO, "ioapic: id %u at %#lx, gsi %u-%u", acpi->ioapics[i].id,
		     acpi->ioapics[i].addr, io->gsi_base, io->gsi_base + io->nredir - 1);
		nioapics++;
	}
	return nioapics > 0;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool active_low, bool level)
{
	unsigned pin;
	struct ioapic *io = ioapic_for(gsi, &pin);
	uint32_t lo = vector;

	if (!io)
		return -ENOENT;
	if (active_low)
		lo |= IOAPIC_RED_ACTIVE_LOW;
	if (level)
		lo |= IOAPIC_RED_LEVEL;
	spin_lock(&ioapic_lock);
	ioapic_write(io, IOAPIC_REG_REDTBL(pin) + 1, apic_id << IOAPIC_RED_DEST_SHIFT);
	ioapic_write(io, IOAPIC_REG_REDTBL(pin), lo);
	spin_unlock(&ioapic_lock);
	return 0;
}

void ioapic_mask(uint32_t gsi)
{
	unsigned pin;
	struct ioapic *io = ioapic_for(gsi, &pin);

	if (!io)
		return;
	/*
	 * Set only the mask bit: the entry keeps its trigger mode.  Writing
	 * the mask alone made a masked level-triggered line edge-triggered, and
	 * an edge-mode pin ignores its line going low, so the request latched
	 * while it was high stayed pending and was delivered again at the
	 * unmask, although the device had been acknowledged (seen with
	 * QEMU's edu device: one spurious interrupt per mask/unmask cycle).
	 */
	spin_lock(&ioapic_lock);
	ioapic_write(io, IOAPIC_REG_REDTBL(pin),
		     ioapic_read(io, IOAPIC_REG_REDTBL(pin)) | IOAPIC_RED_MASKED);
	spin_unlock(&ioapic_lock);
}
