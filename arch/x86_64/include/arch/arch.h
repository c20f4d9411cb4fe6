/*
 * arch/arch.h - the interface every architecture gives generic code.
 * Generic code includes this and nothing else from arch/ (besides the
 * per-CPU and layout headers pulled in by keel/ headers).
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <arch/cpu.h>
#include <arch/layout.h>

static inline void arch_irq_disable(void) { cli(); }
static inline void arch_irq_enable(void) { sti(); }
static inline bool arch_irqs_enabled(void) { return read_rflags() & X86_RFLAGS_IF; }
static inline void arch_cpu_relax(void) { cpu_relax(); }
/* Enable interrupts and sleep until one arrives (atomically). */
static inline void arch_wait_for_interrupt(void) { sti_hlt(); }
static inline uintptr_t arch_frame_pointer(void) { return read_rbp(); }

struct bootinfo;
/* Boot hooks, in the order kmain (kernel/init/main.c) calls them. */
void arch_mm_init(const struct bootinfo *bi);   /* kernel page tables, direct map */
void arch_mm_late_init(void);                   /* after pmm_init */
void arch_devices_init(void);                   /* console, interrupt controllers, timer, input */

/* Stop this CPU for good (interrupts off). */
void arch_halt_forever(void) __attribute__((noreturn));
/* Exit the emulator with a status (QEMU isa-debug-exit), if present. */
void arch_emulator_exit(unsigned value);
void arch_reboot(void) __attribute__((noreturn));
/* Walk frame pointers from fp; store up to max return addresses. */
unsigned arch_backtrace(uintptr_t fp, uintptr_t *pcs, unsigned max);
/* Nanoseconds since boot from a constant-rate counter. */
uint64_t arch_clock_ns(void);
/* Seconds since the Unix epoch from the real-time clock (UTC), or -1. */
int64_t arch_rtc_read_epoch(void);
/* Physical <-> direct-map conversions. */
uint64_t arch_virt_to_phys(const void *va);
void *arch_phys_to_virt(uint64_t pa);
/* Map physical MMIO uncached; returns its virtual address or NULL. */
void *arch_ioremap(uint64_t pa, size_t len);

/*
 * PCI configuration space (arch/x86_64/dev/pci.c): read / write width
 * bytes (1, 2 or 4, naturally aligned) at offset off (< 256) of function
 * fn of device dev on bus bus.  A read of a function that is not there
 * returns all ones.  Any context (a spinlock, interrupts off, serializes
 * the shared address/data port pair); never sleeps.
 */
#define ARCH_PCI_CFG_SIZE 256
uint32_t arch_pci_cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width);
void arch_pci_cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width,
			uint32_t val);

/*
 * Map one kernel data page (RW, NX) at va in the stack/MMIO areas; unmap
 * n pages from va, flushed from every CPU's TLB (one shootdown) on return.
 */
int arch_map_kernel_page(uintptr_t va, uint64_t pa);
void arch_unmap_kernel_pages(uintptr_t va, size_t n);
static inline void arch_unmap_kernel_page(uintptr_t va) { arch_unmap_kernel_pages(va, 1); }
/* Allocate the page tables of a kernel range up front; 0 or -ENOMEM. */
int arch_prepare_kernel_range(uintptr_t va, size_t len);
/* Physical address behind kernel va; false if not mapped. */
bool arch_kernel_lookup(uintptr_t va, uint64_t *pa);
/* Base and size of the virtual area for kernel stacks. */
#define ARCH_KSTACK_AREA_BASE KSTACK_AREA_BASE
#define ARCH_KSTACK_AREA_SIZE KSTACK_AREA_SIZE

/* Inter-processor interrupts. */
enum arch_ipi {
	ARCH_IPI_CALL,          /* run queued smp_call functions */
	ARCH_IPI_RESCHED,       /* re-run the scheduler */
};
void arch_send_ipi(unsigned cpu, enum arch_ipi kind);
/* NMI every other CPU (panic): each stops after printing its backtrace. */
void arch_stop_other_cpus(void);
/* Flush [va, va+len) from this CPU's TLB (all of it for huge ranges). */
void arch_flush_tlb_range(uintptr_t va, size_t len);
/* Bring up every other CPU the firmware lists (boot CPU, once). */
void arch_smp_init(void);

/* The running thread's process changed its I/O port permissions
 * (keel/ioport.h): load them into this CPU now.  Any context. */
void arch_io_reload(void);

/* 64 bits from the CPU's entropy source (RDRAND, else TSC jitter). */
uint64_t arch_entropy(void);

/* What /proc/cpuinfo says about the CPU (CPUID; the same on every CPU). */
struct arch_cpu_desc {
	char vendor[13];                /* "GenuineIntel", "AuthenticAMD", ... */
	char model_name[49];            /* the brand string, or "" */
	unsigned family, model, stepping;
	uint64_t tsc_hz;                /* measured at boot (0 before) */
};
void arch_cpu_describe(struct arch_cpu_desc *d);

/* Values for arch_emulator_exit (QEMU exits with (value << 1) | 1). */
#define EMU_EXIT_SUCCESS 0x10
#define EMU_EXIT_FAILURE 0x11

#endif
