/*
 * pci.c - the PCI bus for user-space drivers (see keel/pci.h): enumeration
 * at boot, /proc/bus/pci/devices, and a device file per function.
 *
 * Enumeration (pci_init, an INITCALL_DEVICE hook): scan bus 0; a function
 * whose header is a PCI-PCI bridge leads to its secondary bus, scanned in
 * turn (each bus at most once, whatever the bridges say); device slots
 * whose function 0 has the multifunction bit get functions 1..7 scanned
 * too.  Each BAR is sized with the function's I/O and memory decoding
 * turned off (a BAR holding all ones must not claim addresses meanwhile),
 * then the register and the command word are restored; lib/pci_bar.c
 * decodes what was read.  One INFO line per function goes to the log.
 *
 * The device file /dev/pci-BB:DD.F (mode 0600, opening needs privilege:
 * cred_privileged):
 *   read, pread    configuration space, 256 bytes like Linux's
 *                  /proc/bus/pci/BB/DD.F (past 256: 0 bytes); lseek works
 *                  (SEEK_END counts from 0: the node has no size)
 *   mmap           memory BAR N at offset N * PAGE_SIZE (UIO's convention),
 *                  MAP_SHARED, up to the BAR's size rounded up to pages,
 *                  mapped uncached (a VMA_IO mapping, keel/vm.h).  Errors:
 *                  MAP_PRIVATE, an offset naming no BAR, an absent, I/O
 *                  or unassigned BAR, a BAR not page-aligned (a page would
 *                  expose a neighbour's registers), a length past the BAR:
 *                  -EINVAL; PROT_EXEC: -EPERM (device memory is never
 *                  code; Linux's answer to an exec mapping it refuses).
 *   write          not supported (configuration writes stay the kernel's)
 *
 * /proc/bus/pci/devices: procfs (kernel/fs) lies below this layer, so it
 * cannot call here; it names the file and this module registers its
 * generator at boot (procfs_register).  Lines follow Linux's format:
 * bus << 8 | devfn, vendor << 16 | device, irq, the 7 resources' start |
 * flags, their sizes, and the driver's name (none: no kernel driver).
 *
 * Lock key: pci_devs and pci_ndevs are written by pci_init alone on the
 * boot CPU before user space runs, [I] after.  Configuration reads from
 * the device files go through the arch's pci_cfg spinlock.
 */
#include <keel/pci.h>
#include <keel/cred.h>
#include <keel/fd.h>
#include <keel/initcall.h>
#include <keel/klog.h>
#include <keel/pmm.h>
#include <keel/procfs.h>
#include <keel/vfs.h>
#include <keel/vm.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <arch/arch.h>

#define PCI_DEVS_MAX    64 /* functions kept (QEMU's machines have ~10) */
#define PCI_BUSES       256
#define PCI_SLOTS       32
#define PCI_FUNCS       8
#define PCI_DEVFN(d, f) ((unsigned)(d) << 3 | (f))
#define PCI_DEV_MAJOR   241 /* "local use" range of Linux's device numbers */
#define PCI_FILE_MODE   0600
#define PCI_ALL_ONES    0xffffffffu
#define PCI_ROM_PROBE   (PCI_ROM_ADDR_MASK) /* all address bits, enable off */
#define PCI_DEV_PREFIX  "/dev/"
#define MAP_TYPE_BITS   (MAP_SHARED | MAP_PRIVATE)

static struct pci_dev pci_devs[PCI_DEVS_MAX]; /* [I] after pci_init */
static unsigned pci_ndevs;                    /* [I] after pci_init */

unsigned pci_count(void)
{
	return pci_ndevs;
}

const struct pci_dev *pci_get(unsigned i)
{
	return i < pci_ndevs ? &pci_devs[i] : NULL;
}

/* ---------------------------------------------------------------- configuration space */

static uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	return arch_pci_cfg_read(d->bus, d->dev, d->fn, off, sizeof(uint32_t));
}

static void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	arch_pci_cfg_write(d->bus, d->dev, d->fn, off, sizeof(uint32_t), v);
}

/* What a register reads after all ones (or probe) were written; restored. */
static uint32_t pci_probe_reg(const struct pci_dev *d, unsigned off, uint32_t probe, uint32_t *orig)
{
	uint32_t got;

	*orig = pci_read32(d, off);
	pci_write32(d, off, probe);
	got = pci_read32(d, off);
	pci_write32(d, off, *orig);
	return got;
}

/* Size BAR i (0..n-1); returns how many registers it took (1 or 2). */
static unsigned pci_size_bar(struct pci_dev *d, unsigned i, unsigned n)
{
	unsigned off = PCI_BAR0 + i * sizeof(uint32_t);
	uint32_t lo, hi = 0, lo_probe, hi_probe = 0;

	lo_probe = pci_probe_reg(d, off, PCI_ALL_ONES, &lo);
	if (pci_bar_is_mem64(lo) && i + 1 < n)
		hi_probe = pci_probe_reg(d, off + sizeof(uint32_t), PCI_ALL_ONES, &hi);
	pci_bar_decode(lo, lo_probe, hi, hi_probe, &d->bar[i]);
	return d->bar[i].mem64 ? 2 : 1;
}

/* Size the expansion ROM (kept disabled while probing). */
static void pci_size_rom(struct pci_dev *d)
{
	unsigned off = d->header == PCI_HEADER_BRIDGE ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
	uint32_t orig, got = pci_probe_reg(d, off, PCI_ROM_PROBE, &orig) & PCI_ROM_ADDR_MASK;
	struct pci_bar *b = &d->bar[PCI_ROM_BAR];

	b->size = got & (~got + 1);
	b->base = b->size ? (orig & PCI_ROM_ADDR_MASK) : 0;
	b->flags = b->size ? (uint8_t)(orig & PCI_ROM_ENABLE) : 0;
}

/* Every BAR of d, with I/O and memory decoding off meanwhile. */
static void pci_size_bars(struct pci_dev *d)
{
	unsigned n = d->header == PCI_HEADER_BRIDGE ? PCI_NUM_BARS_BRIDGE : PCI_NUM_BARS;
	uint16_t cmd = (uint16_t)arch_pci_cfg_read(d->bus, d->dev, d->fn, PCI_COMMAND, 2);

	if (d->header != PCI_HEADER_NORMAL && d->header != PCI_HEADER_BRIDGE)
		return; /* CardBus and unknown headers: no BARs we know */
	arch_pci_cfg_write(d->bus, d->dev, d->fn, PCI_COMMAND, 2,
			   cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < n;)
		i += pci_size_bar(d, i, n);
	pci_size_rom(d);
	arch_pci_cfg_write(d->bus, d->dev, d->fn, PCI_COMMAND, 2, cmd);
}

/* ---------------------------------------------------------------- enumeration */

static void pci_log(const struct pci_dev *d)
{
	char bars[PCI_NUM_RES * 40];
	size_t len = 0;

	bars[0] = '\0';
	for (unsigned i = 0; i < PCI_NUM_RES; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (!b->size || len >= sizeof(bars))
			continue;
		len += (size_t)snprintf(bars + len, sizeof(bars) - len, " %s%u %s %lx+%lx",
					i == PCI_ROM_BAR ? "rom" : "bar", i,
					b->io ? "io" : (b->mem64 ? "mem64" : "mem"),
					(unsigned long)b->base, (unsigned long)b->size);
	}
	klog(LOG_INFO, "pci: %02x:%02x.%u %04x:%04x class %06x rev %02x irq %u pin %u%s", d->bus,
	     d->dev, d->fn, d->vendor, d->device, d->class_code, d->revision, d->irq_line,
	     d->irq_pin, bars);
}

/* Record function bus:dev.fn (present: vendor read); NULL if the table is full. */
static struct pci_dev *pci_add(unsigned bus, unsigned dev, unsigned fn, uint16_t vendor)
{
	struct pci_dev *d;
	uint32_t class_rev;

	if (pci_ndevs == PCI_DEVS_MAX) {
		klog_once(LOG_WARN, "pci: more than %u functions: the rest are ignored",
			  PCI_DEVS_MAX);
		return NULL;
	}
	d = &pci_devs[pci_ndevs++];
	d->bus = (uint8_t)bus;
	d->dev = (uint8_t)dev;
	d->fn = (uint8_t)fn;
	d->vendor = vendor;
	d->device = (uint16_t)arch_pci_cfg_read(bus, dev, fn, PCI_DEVICE_ID, 2);
	class_rev = arch_pci_cfg_read(bus, dev, fn, PCI_REVISION_ID, 4);
	d->revision = (uint8_t)class_rev;
	d->class_code = class_rev >> 8;
	d->header = (uint8_t)arch_pci_cfg_read(bus, dev, fn, PCI_HEADER_TYPE, 1) & PCI_HEADER_MASK;
	d->irq_line = (uint8_t)arch_pci_cfg_read(bus, dev, fn, PCI_INTERRUPT_LINE, 1);
	d->irq_pin = (uint8_t)arch_pci_cfg_read(bus, dev, fn, PCI_INTERRUPT_PIN, 1);
	snprintf(d->path, sizeof(d->path), PCI_DEV_PREFIX "pci-%02x:%02x.%u", bus, dev, fn);
	pci_size_bars(d);
	pci_log(d);
	return d;
}

static void pci_scan_bus(unsigned bus, uint8_t *seen);

/* One function: record it, and follow it if it is a bridge. */
static void pci_scan_fn(unsigned bus, unsigned dev, unsigned fn, uint8_t *seen)
{
	uint16_t vendor = (uint16_t)arch_pci_cfg_read(bus, dev, fn, PCI_VENDOR_ID, 2);
	struct pci_dev *d;

	if (vendor == PCI_VENDOR_NONE)
		return;
	d = pci_add(bus, dev, fn, vendor);
	if (d && d->header == PCI_HEADER_BRIDGE)
		pci_scan_bus(arch_pci_cfg_read(bus, dev, fn, PCI_SECONDARY_BUS, 1), seen);
}

/* Every device slot of bus (once: seen marks the buses scanned). */
static void pci_scan_bus(unsigned bus, uint8_t *seen)
{
	if (bus >= PCI_BUSES || seen[bus])
		return;
	seen[bus] = 1;
	for (unsigned dev = 0; dev < PCI_SLOTS; dev++) {
		uint8_t hdr;

		if ((uint16_t)arch_pci_cfg_read(bus, dev, 0, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
			continue;
		pci_scan_fn(bus, dev, 0, seen);
		hdr = (uint8_t)arch_pci_cfg_read(bus, dev, 0, PCI_HEADER_TYPE, 1);
		if (!(hdr & PCI_HEADER_MULTI))
			continue;
		for (unsigned fn = 1; fn < PCI_FUNCS; fn++)
			pci_scan_fn(bus, dev, fn, seen);
	}
}

/* ---------------------------------------------------------------- /proc/bus/pci/devices */

static int pci_proc_devices(struct procfs_buf *b)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);

		procfs_printf(b, "%02x%02x\t%04x%04x\t%x", d->bus, PCI_DEVFN(d->dev, d->fn),
			      d->vendor, d->device, d->irq_pin ? d->irq_line : 0);
		for (unsigned r = 0; r < PCI_NUM_RES; r++)
			procfs_printf(b, "\t%16llx",
				      (unsigned long long)(d->bar[r].base | d->bar[r].flags));
		for (unsigned r = 0; r < PCI_NUM_RES; r++)
			procfs_printf(b, "\t%16llx", (unsigned long long)d->bar[r].size);
		procfs_printf(b, "\t\n");
	}
	return b->oom ? -ENOMEM : 0;
}

/* ---------------------------------------------------------------- the device files */

/* Only a privileged process may drive hardware (CAP_SYS_RAWIO on Linux). */
static int pci_open(struct file *f, int flags)
{
	return cred_privileged() ? 0 : -EPERM;
}

static ssize_t pci_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	const struct pci_dev *d = f->vnode->priv;
	uint8_t cfg[ARCH_PCI_CFG_SIZE];
	size_t from;

	if (*off >= ARCH_PCI_CFG_SIZE || !n)
		return 0;
	from = (size_t)*off;
	n = MIN(n, ARCH_PCI_CFG_SIZE - from);
	for (size_t at = ALIGN_DOWN(from, sizeof(uint32_t)); at < from + n;
	     at += sizeof(uint32_t)) {
		uint32_t v = pci_read32(d, (unsigned)at);

		memcpy(cfg + at, &v, sizeof(v));
	}
	if (iobuf_copy_to(b, 0, cfg + from, n))
		return -EFAULT;
	*off += n;
	return (ssize_t)n;
}

/* True if no page of [pa, pa+len) is an allocatable RAM frame. */
static bool pci_range_not_ram(uint64_t pa, size_t len)
{
	for (uint64_t p = pa; p < pa + len; p += PAGE_SIZE) {
		struct page *pg = pmm_pfn_to_page(p / PAGE_SIZE);

		if (pg && !(pg->flags & PG_RESERVED))
			return false;
	}
	return true;
}

static int pci_mmap_io(struct file *f, uint64_t off, size_t len, unsigned prot, unsigned flags,
		       uint64_t *pa, const char **name)
{
	const struct pci_dev *d = f->vnode->priv;
	uint64_t n = off / PAGE_SIZE;
	const struct pci_bar *b;

	if ((flags & MAP_TYPE_BITS) != MAP_SHARED)
		return -EINVAL;
	if (prot & PROT_EXEC)
		return -EPERM;
	if (n >= PCI_NUM_BARS)
		return -EINVAL;
	b = &d->bar[n];
	if (!b->size || b->io || !b->base || !IS_ALIGNED(b->base, PAGE_SIZE))
		return -EINVAL;
	if (len > ALIGN_UP(b->size, PAGE_SIZE))
		return -EINVAL;
	if (!pci_range_not_ram(b->base, len)) {
		klog_once(LOG_WARN, "pci: %s BAR%u at %lx lies in RAM: not mapped", d->path,
			  (unsigned)n, (unsigned long)b->base);
		return -EINVAL;
	}
	*pa = b->base;
	*name = d->path;
	return 0;
}

static const struct file_ops pci_fops = {
	.open = pci_open,
	.read = pci_read,
	.mmap_io = pci_mmap_io,
	.seekable = true,
};

/* ---------------------------------------------------------------- boot */

static void pci_init(void)
{
	uint8_t seen[PCI_BUSES] = { 0 };
	int err;

	pci_scan_bus(0, seen);
	for (unsigned i = 0; i < pci_ndevs; i++) {
		struct pci_dev *d = &pci_devs[i];

		err = devfs_add(d->path + strlen(PCI_DEV_PREFIX), &pci_fops,
				(PCI_DEV_MAJOR << 8) | (i & 0xff), PCI_FILE_MODE, d);
		if (err)
			klog(LOG_WARN, "pci: no device file for %s: %d", d->path, err);
	}
	err = procfs_register("bus/pci/devices", pci_proc_devices);
	if (err)
		klog(LOG_WARN, "pci: cannot register /proc/bus/pci/devices: %d", err);
	klog(LOG_INFO, "pci: %u functions", pci_ndevs);
}
INITCALL(INITCALL_DEVICE, pci_init);
