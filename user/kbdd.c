/*
 * kbdd.c - the PS/2 keyboard driver in user space (docs/drivers.md).
 *
 * Started by init.  It takes the i8042's ports (ioperm), attaches to
 * interrupt line 1 through /dev/irq1 (the kernel's own keyboard handler
 * steps aside while it runs, and takes over again when it exits), and on
 * each interrupt reads every waiting byte from the controller, turns
 * scancodes into the Linux console's characters and escape sequences
 * (lib/kbdmap.c, the same table the kernel's driver uses) and types them
 * into the VGA terminal with TIOCSTI on /dev/tty1.
 *
 *   kbdd            run until killed
 *   kbdd -v         also print each scancode (debugging)
 *
 * Exits 0 without a controller (nothing to drive), 1 on a setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <keel/devobj.h>
#include <lib/kbdmap.h>

#define KBDD_IRQ_DEV   "/dev/irq1"
#define KBDD_TTY       "/dev/tty1"
/* Bytes read from the controller in one go: it buffers one, so a handful
 * means a stuck status bit, not typing. */
#define KBDD_DRAIN_MAX 64

static struct kbd_state kbdd_state;
static int kbdd_verbose;

static void kbdd_type(int tty, uint8_t sc)
{
	char seq[KBD_SEQ_MAX];
	size_t n = kbd_map(&kbdd_state, sc, seq);

	if (kbdd_verbose)
		fprintf(stderr, "kbdd: scancode %#04x -> %zu bytes\n", sc, n);
	for (size_t i = 0; i < n; i++) {
		if (ioctl(tty, TIOCSTI, &seq[i]) < 0)
			fprintf(stderr, "kbdd: TIOCSTI: %s\n", strerror(errno));
	}
}

/* Take every byte the controller holds (keyboard bytes only). */
static void kbdd_drain(int tty)
{
	for (int i = 0; i < KBDD_DRAIN_MAX; i++) {
		uint8_t status = inb(I8042_STATUS);
		uint8_t sc;

		if (!(status & I8042_STATUS_OUTPUT))
			return;
		sc = inb(I8042_DATA);
		if ((status & I8042_STATUS_AUX) || sc == KBD_KICK_BYTE)
			continue; /* a mouse byte, or the VGA terminal's kick */
		kbdd_type(tty, sc);
	}
}

int main(int argc, char **argv)
{
	const struct keel_devobj *obj;
	int irq, tty;
	uint32_t count;

	kbdd_verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	kbd_state_init(&kbdd_state);
	if (ioperm(I8042_DATA, 1, 1) < 0 || ioperm(I8042_STATUS, 1, 1) < 0) {
		fprintf(stderr, "kbdd: ioperm: %s\n", strerror(errno));
		return 1;
	}
	if (inb(I8042_STATUS) == I8042_STATUS_ABSENT)
		return 0;
	tty = open(KBDD_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		fprintf(stderr, "kbdd: %s: %s\n", KBDD_TTY, strerror(errno));
		return 1;
	}
	irq = open(KBDD_IRQ_DEV, O_RDWR | O_CLOEXEC);
	if (irq < 0) {
		fprintf(stderr, "kbdd: %s: %s\n", KBDD_IRQ_DEV, strerror(errno));
		return 1;
	}
	obj = mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, irq, 0);
	if (obj == MAP_FAILED) {
		fprintf(stderr, "kbdd: mmap %s: %s\n", KBDD_IRQ_DEV, strerror(errno));
		return 1;
	}
	signal(SIGHUP, SIG_IGN);
	/* A byte that arrived before the attach raised its edge for the
	 * kernel's handler: take it now, or the controller waits for ever. */
	kbdd_drain(tty);
	for (;;) {
		ssize_t n = read(irq, &count, sizeof(count));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(count)) {
			fprintf(stderr, "kbdd: read %s: %s\n", KBDD_IRQ_DEV,
				n < 0 ? strerror(errno) : "short read");
			return 1;
		}
		kbdd_drain(tty);
		if (obj->level) {
			uint32_t on = 1;

			if (write(irq, &on, sizeof(on)) != sizeof(on))
				return 1;
		}
	}
}
