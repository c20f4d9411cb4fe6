/*
 * <keel/devobj.h> - device objects: what a user-space driver sees of an
 * interrupt line it attached to (docs/drivers.md).
 *
 * open("/dev/irqN", O_RDWR) attaches the caller to ISA line N (one driver
 * per line, privileged callers only); the kernel then writes the line's
 * device object, one page, on every interrupt, from interrupt context on
 * whatever CPU took it, through the kernel's own mapping of the page (never
 * through the address space that happens to be loaded).  The driver maps
 * it read-only: mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0).
 *
 * Waiting, as Linux's UIO: read(fd, &u32, 4) blocks until the count
 * differs from what this open file last returned and returns the count;
 * poll() reports POLLIN then; or FUTEX_WAIT (shared, not
 * FUTEX_PRIVATE_FLAG) on `count` in the mapping.  write(fd, &u32, 4): 1
 * unmasks the line, 0 masks it.  A level-triggered line is masked by the
 * kernel at each interrupt (masked = 1) until the driver, having serviced
 * its device, writes 1; an edge-triggered one is only counted.
 */
#ifndef KEEL_UAPI_DEVOBJ_H
#define KEEL_UAPI_DEVOBJ_H

#include <stdint.h>

#define KEEL_DEVOBJ_SIZE 4096

struct keel_devobj {
	uint32_t count;    /* interrupts since the attach (a futex word) */
	uint32_t masked;   /* 1 while the line waits for the driver's write of 1 */
	uint64_t last_ns;  /* CLOCK_MONOTONIC time of the last interrupt */
	uint32_t last_cpu; /* the CPU that took it */
	uint32_t irq;      /* the line */
	uint32_t level;    /* 1: level-triggered, 0: edge */
	uint32_t reserved;
};

#endif
