/*
 * edu.c - /bin/edu: a user-space driver for QEMU's educational PCI device
 * (`-device edu`, vendor 0x1234 device 0x11e8), and the test of Keel's PCI
 * interface (docs/drivers.md, "PCI").
 *
 * It finds the device in /proc/bus/pci/devices (and prints that file's
 * lines, "edu: pci: ..."), opens its /dev/pci-BB:DD.F
 * file, reads its configuration space, maps BAR0 (1 MiB of registers) and
 * drives it: the identification register (0x00, low byte 0xed), the
 * liveness register (0x04 reads back the complement of what was written),
 * factorials through 0x08 while polling the status register (0x20, bit 0:
 * busy).  Around that it checks what the kernel promises: the mapping's
 * line in /proc/self/maps names the device file, a forked child sees the
 * same registers, a child that maps the BAR and execs leaves nothing behind, device pages are not resident memory, a shared futex on
 * them is refused, and the mmap requests Keel refuses (MAP_PRIVATE, a BAR
 * that is absent, a length past the BAR, PROT_EXEC).
 *
 *   edu            the checks above, then the interrupt part through
 *                  /dev/irqL (L: the interrupt line in configuration
 *                  space, docs/drivers.md): a completion interrupt after
 *                  a factorial (status bit 0x80), then interrupts raised
 *                  directly (0x60), each read from the line's file (one
 *                  more each time), its status (0x24) acknowledged (0x64)
 *                  and the line unmasked again (write 1); the device
 *                  object's count and time; a shared futex wait on it
 *   edu --no-irq   the checks above only
 *
 * Prints one line per check, "edu: PASS name" or "edu: FAIL name: why",
 * and at the end "edu: N passed, M failed"; exits 0 if none failed.  Runs
 * on Linux too with /dev/pci-* absent (it then fails to find the file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<keel/devobj.h>)
#include <keel/devobj.h>
#define EDU_HAVE_DEVOBJ 1
#else
#define EDU_HAVE_DEVOBJ 0
#endif

#define EDU_VENDOR    0x1234
#define EDU_DEVICE    0x11e8
#define EDU_BAR0_SIZE (1u << 20)
#define EDU_PAGE      4096u

/* Registers (QEMU docs/specs/edu.rst), byte offsets in BAR0. */
#define EDU_ID          0x00 /* 0xRRrr00ed: major, minor version */
#define EDU_ID_MAGIC    0xed
#define EDU_LIVENESS    0x04
#define EDU_FACTORIAL   0x08
#define EDU_STATUS      0x20
#define EDU_STATUS_BUSY 0x01 /* a factorial is being computed */
#define EDU_STATUS_IRQ  0x80 /* raise an interrupt when it is done */
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define EDU_IRQ_FACT    0x1   /* interrupt status bit of a finished factorial */
#define EDU_IRQ_MINE    0x100 /* the bit this driver raises directly */

/* Configuration space. */
#define CFG_SIZE     256
#define CFG_VENDOR   0x00
#define CFG_DEVICE   0x02
#define CFG_IRQ_LINE 0x3c
#define CFG_IRQ_PIN  0x3d

#define PCI_BARS      6
#define FUTEX_WAIT    0 /* Linux's futex(2) operation (no uapi header in musl) */
#define POLL_LIMIT    100000000ul
#define IRQ_RAISES    10
#define IRQ_TIMEOUT_S 5
#define FACT_MAX      12 /* 12! is the largest that fits 32 bits */
#define RSS_SLACK_KB  64 /* page tables for the mapping */

static int passed, failed;

static void check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("edu: PASS %s\n", name);
		passed++;
	} else {
		printf("edu: FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failed++;
	}
	fflush(stdout);
}

static uint32_t reg_read(volatile uint32_t *bar, unsigned off)
{
	return bar[off / sizeof(uint32_t)];
}

static void reg_write(volatile uint32_t *bar, unsigned off, uint32_t v)
{
	bar[off / sizeof(uint32_t)] = v;
}

static void pci_path(char *path, size_t n, unsigned busdevfn)
{
	snprintf(path, n, "/dev/pci-%02x:%02x.%u", busdevfn >> 8, (busdevfn >> 3) & 0x1f,
		 busdevfn & 7);
}

/* Every function's device file opens and its configuration space starts
 * with the vendor and device /proc/bus/pci/devices lists. */
static void check_device_file(unsigned busdevfn, unsigned ids, unsigned *bad)
{
	char path[32];
	uint8_t cfg[4] = { 0 };
	int fd;

	pci_path(path, sizeof(path), busdevfn);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg) ||
	    (unsigned)(cfg[0] | cfg[1] << 8) != ids >> 16 ||
	    (unsigned)(cfg[2] | cfg[3] << 8) != (ids & 0xffff)) {
		printf("edu: %s does not match %08x (errno %d)\n", path, ids, errno);
		(*bad)++;
	}
	if (fd >= 0)
		close(fd);
}

/* The device file of the first edu function in /proc/bus/pci/devices. */
static bool find_edu(char *path, size_t n)
{
	FILE *f = fopen("/proc/bus/pci/devices", "r");
	char line[512];
	bool found = false;
	unsigned listed = 0, bad = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned busdevfn, ids;

		printf("edu: pci: %s", line);
		if (sscanf(line, "%x %x", &busdevfn, &ids) != 2)
			continue;
		listed++;
		check_device_file(busdevfn, ids, &bad);
		if (found || ids != ((unsigned)EDU_VENDOR << 16 | EDU_DEVICE))
			continue;
		pci_path(path, n, busdevfn);
		found = true;
	}
	fclose(f);
	check(listed > 0 && bad == 0, "device_files_match_list", "%u of %u functions' files wrong",
	      bad, listed);
	return found;
}

static void check_config(int fd, uint8_t *cfg)
{
	uint8_t one;
	ssize_t n = pread(fd, cfg, CFG_SIZE, 0);

	check(n == CFG_SIZE, "config_read", "pread returned %zd (errno %d)", n, errno);
	check(cfg[CFG_VENDOR] == (EDU_VENDOR & 0xff) && cfg[CFG_VENDOR + 1] == EDU_VENDOR >> 8 &&
		      cfg[CFG_DEVICE] == (EDU_DEVICE & 0xff) &&
		      cfg[CFG_DEVICE + 1] == EDU_DEVICE >> 8,
	      "config_ids", "vendor/device bytes %02x%02x %02x%02x", cfg[1], cfg[0], cfg[3],
	      cfg[2]);
	n = pread(fd, cfg + CFG_SIZE, 16, CFG_SIZE);
	check(n == 0, "config_read_past_end", "pread at 256 returned %zd", n);
	check(lseek(fd, CFG_IRQ_LINE, SEEK_SET) == CFG_IRQ_LINE && read(fd, &one, 1) == 1 &&
		      one == cfg[CFG_IRQ_LINE],
	      "config_lseek_read", "interrupt line byte %u vs %u", one, cfg[CFG_IRQ_LINE]);
}

/* mmap with the given arguments must fail with errno want. */
static void check_map_fails(int fd, size_t len, int prot, int flags, off_t off, int want,
			    const char *name)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);
	int err = errno;

	if (p != MAP_FAILED)
		munmap(p, len);
	check(p == MAP_FAILED && err == want, name, "got %s (errno %d), want errno %d",
	      p == MAP_FAILED ? "failure" : "a mapping", p == MAP_FAILED ? err : 0, want);
}

static void check_map_errors(int fd)
{
	check_map_fails(fd, EDU_PAGE, PROT_READ, MAP_PRIVATE, 0, EINVAL, "mmap_private");
	check_map_fails(fd, EDU_PAGE, PROT_READ, MAP_SHARED, 1 * EDU_PAGE, EINVAL,
			"mmap_absent_bar");
	check_map_fails(fd, EDU_PAGE, PROT_READ, MAP_SHARED, PCI_BARS * EDU_PAGE, EINVAL,
			"mmap_bad_offset");
	check_map_fails(fd, 2 * EDU_BAR0_SIZE, PROT_READ, MAP_SHARED, 0, EINVAL, "mmap_too_long");
	check_map_fails(fd, EDU_PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, 0, EPERM, "mmap_exec");
}

/* The line of /proc/self/maps that starts at addr, into line. */
static bool maps_line(void *addr, char *line, size_t n)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start;
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, (int)n, f))
		found = sscanf(line, "%lx-", &start) == 1 && start == (unsigned long)addr;
	fclose(f);
	if (found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

/* VmRSS of this process in KiB, or -1. */
static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static uint32_t fact32(uint32_t n)
{
	uint32_t r = 1;

	for (uint32_t i = 2; i <= n; i++)
		r *= i;
	return r;
}

/* Wait until the device is not computing; false on a timeout. */
static bool wait_idle(volatile uint32_t *bar)
{
	for (unsigned long i = 0; i < POLL_LIMIT; i++)
		if (!(reg_read(bar, EDU_STATUS) & EDU_STATUS_BUSY))
			return true;
	return false;
}

static void check_registers(volatile uint32_t *bar)
{
	uint32_t id = reg_read(bar, EDU_ID);
	static const uint32_t probes[] = { 0, 0x12345678u, 0xffffffffu, 0xdeadbeefu };
	bool live = true;

	check((id & 0xff) == EDU_ID_MAGIC, "id_register", "id %#x", id);
	printf("edu: version %u.%u\n", id >> 24, (id >> 16) & 0xff);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		reg_write(bar, EDU_LIVENESS, probes[i]);
		if (reg_read(bar, EDU_LIVENESS) != ~probes[i])
			live = false;
	}
	check(live, "liveness", "a value did not read back inverted");
	for (uint32_t n = 0; n <= FACT_MAX + 1; n++) {
		uint32_t got;
		bool idle = wait_idle(bar);

		reg_write(bar, EDU_FACTORIAL, n);
		idle = idle && wait_idle(bar);
		got = reg_read(bar, EDU_FACTORIAL);
		char name[32];

		snprintf(name, sizeof(name), "factorial_%u", n);
		check(idle && got == fact32(n), name, "%s got %u, want %u",
		      idle ? "" : "(busy forever)", got, fact32(n));
	}
}

/* A forked child sees the same device registers through the inherited mapping. */
static void check_fork(volatile uint32_t *bar)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		reg_write(bar, EDU_LIVENESS, 0x5a5a5a5au);
		_exit(reg_read(bar, EDU_LIVENESS) == ~0x5a5a5a5au &&
				      (reg_read(bar, EDU_ID) & 0xff) == EDU_ID_MAGIC ?
			      0 :
			      1);
	}
	check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "fork_shares_bar", "child status %#x", status);
	check(reg_read(bar, EDU_LIVENESS) == ~0x5a5a5a5au, "fork_child_write_seen", "liveness %#x",
	      reg_read(bar, EDU_LIVENESS));
}

/* A child maps BAR0 itself, touches it and execs: the exec drops the
 * device mapping (the kernel panics if a page table still held it). */
static void check_exec_drops_mapping(int fd)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		volatile uint32_t *p =
			mmap(NULL, EDU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED || (reg_read(p, EDU_ID) & 0xff) != EDU_ID_MAGIC)
			_exit(2);
		execl("/bin/true", "true", (char *)NULL);
		_exit(3);
	}
	check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "exec_drops_bar_mapping", "child status %#x", status);
}

static void check_mapping(volatile uint32_t *bar, const char *path)
{
	char line[256];
	long before = rss_kb(), after;
	volatile uint32_t sink = 0;
	long r;

	check(maps_line((void *)bar, line, sizeof(line)) && strstr(line, path) &&
		      strstr(line, "rw-s"),
	      "maps_names_device", "line \"%s\"", line);
	printf("edu: maps: %s\n", line);
	for (size_t off = 0; off < EDU_BAR0_SIZE; off += EDU_PAGE)
		sink += reg_read(bar, (unsigned)off);
	(void)sink;
	after = rss_kb();
	check(before >= 0 && after >= 0 && after - before < RSS_SLACK_KB, "bar_not_resident",
	      "VmRSS %ld kB -> %ld kB after touching 1 MiB of the BAR", before, after);
	r = syscall(SYS_futex, (uint32_t *)bar, FUTEX_WAIT, 0x12345u, NULL, NULL, 0);
	check(r == -1 && errno == EFAULT, "futex_on_bar_refused", "futex returned %ld errno %d", r,
	      errno);
}

/* ---------------------------------------------------------------- interrupts */

/* Wait for the next interrupt on the line's file: its count, or 0 on a timeout. */
static uint32_t irq_wait(int irqfd)
{
	uint32_t count = 0;
	fd_set rd;
	struct timeval tv = { IRQ_TIMEOUT_S, 0 };

	FD_ZERO(&rd);
	FD_SET(irqfd, &rd);
	if (select(irqfd + 1, &rd, NULL, NULL, &tv) != 1)
		return 0;
	if (read(irqfd, &count, sizeof(count)) != sizeof(count))
		return 0;
	return count;
}

/* Acknowledge what the device raised and unmask the line. */
static uint32_t irq_ack(volatile uint32_t *bar, int irqfd)
{
	uint32_t st = reg_read(bar, EDU_IRQ_STATUS);
	uint32_t one = 1;

	reg_write(bar, EDU_IRQ_ACK, st);
	if (write(irqfd, &one, sizeof(one)) != sizeof(one))
		return 0;
	return st;
}

#if EDU_HAVE_DEVOBJ
/* Wait for an interrupt on the device object's count with a shared futex. */
static void check_irq_futex(volatile uint32_t *bar, int irqfd,
			    const volatile struct keel_devobj *obj)
{
	struct timespec ts = { IRQ_TIMEOUT_S, 0 };
	uint32_t before = obj->count, st, c;
	long r;

	reg_write(bar, EDU_IRQ_RAISE, EDU_IRQ_MINE);
	r = syscall(SYS_futex, &obj->count, FUTEX_WAIT, before, &ts, NULL, 0);
	c = obj->count;
	st = irq_ack(bar, irqfd);
	check((r == 0 || errno == EAGAIN) && c == before + 1 && (st & EDU_IRQ_MINE),
	      "irq_futex_wait", "futex %ld errno %d, count %u -> %u, status %#x", r, errno, before,
	      c, st);
	check(irq_wait(irqfd) == c, "irq_read_after_futex", "the file's count is not %u", c);
}
#endif

static void check_irq(volatile uint32_t *bar, const uint8_t *cfg)
{
	char path[32];
	uint32_t one = 1, count, st, got = 0;
	int irqfd;

	snprintf(path, sizeof(path), "/dev/irq%u", cfg[CFG_IRQ_LINE]);
	irqfd = open(path, O_RDWR);
	check(irqfd >= 0, "irq_open", "open %s: errno %d", path, errno);
	if (irqfd < 0)
		return;
	check(write(irqfd, &one, sizeof(one)) == sizeof(one), "irq_unmask", "errno %d", errno);
#if EDU_HAVE_DEVOBJ
	const volatile struct keel_devobj *obj =
		mmap(NULL, EDU_PAGE, PROT_READ, MAP_SHARED, irqfd, 0);
	check(obj != MAP_FAILED, "irq_devobj_map", "errno %d", errno);
	if (obj == MAP_FAILED)
		obj = NULL;
#endif
	/* A factorial that raises its completion interrupt. */
	wait_idle(bar);
	reg_write(bar, EDU_STATUS, EDU_STATUS_IRQ);
	reg_write(bar, EDU_FACTORIAL, 5);
	count = irq_wait(irqfd);
	st = irq_ack(bar, irqfd);
	check(count != 0 && (st & EDU_IRQ_FACT) && reg_read(bar, EDU_FACTORIAL) == fact32(5),
	      "irq_factorial_done", "count %u, status %#x, result %u", count, st,
	      reg_read(bar, EDU_FACTORIAL));
	reg_write(bar, EDU_STATUS, 0);
#if EDU_HAVE_DEVOBJ
	if (obj)
		check(obj->count == count && obj->last_ns != 0, "irq_devobj_count",
		      "device object count %u (read %u), last_ns %llu", obj->count, count,
		      (unsigned long long)obj->last_ns);
#endif
	/* Interrupts raised directly, one at a time. */
	for (int i = 0; i < IRQ_RAISES; i++) {
		uint32_t c;

		reg_write(bar, EDU_IRQ_RAISE, EDU_IRQ_MINE);
		c = irq_wait(irqfd);
		st = irq_ack(bar, irqfd);
		if (c == count + 1 && (st & EDU_IRQ_MINE))
			got++;
		count = c ? c : count;
	}
	check(got == IRQ_RAISES, "irq_raised", "%u of %u interrupts seen, one at a time", got,
	      IRQ_RAISES);
#if EDU_HAVE_DEVOBJ
	if (obj)
		check_irq_futex(bar, irqfd, obj);
#endif
	close(irqfd);
}

int main(int argc, char **argv)
{
	bool irq = !(argc > 1 && strcmp(argv[1], "--no-irq") == 0);
	uint8_t cfg[CFG_SIZE + 16];
	char path[64] = "";
	volatile uint32_t *bar;
	int fd;

	check(find_edu(path, sizeof(path)), "find_device", "no %04x:%04x in /proc/bus/pci/devices",
	      EDU_VENDOR, EDU_DEVICE);
	fd = path[0] ? open(path, O_RDWR) : -1;
	check(fd >= 0, "open_device_file", "open %s: errno %d", path, errno);
	if (fd < 0)
		goto out;
	printf("edu: device file %s\n", path);
	check_config(fd, cfg);
	check_map_errors(fd);
	bar = mmap(NULL, EDU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(bar != MAP_FAILED, "mmap_bar0", "errno %d", errno);
	if (bar == MAP_FAILED)
		goto out;
	check_registers(bar);
	check_fork(bar);
	check_exec_drops_mapping(fd);
	check_mapping(bar, path);
	if (irq)
		check_irq(bar, cfg);
	check(munmap((void *)bar, EDU_BAR0_SIZE) == 0, "munmap_bar0", "errno %d", errno);
	close(fd);
out:
	printf("edu: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
