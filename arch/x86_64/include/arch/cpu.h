/*
 * arch/cpu.h - tiny wrappers for special x86-64 instructions.
 *
 * Every privileged or special instruction the kernel uses gets one static
 * inline wrapper here, so C code never contains raw inline assembly.
 * Generic code reaches the arch-neutral subset through <arch/arch.h>.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>

#define X86_RFLAGS_IF   (1ul << 9)
#define X86_RFLAGS_AC   (1ul << 18)

#define X86_CR0_PE      (1ul << 0)
#define X86_CR0_WP      (1ul << 16)
#define X86_CR0_PG      (1ul << 31)
#define X86_CR4_PAE     (1ul << 5)
#define X86_CR4_PGE     (1ul << 7)
#define X86_CR4_UMIP    (1ul << 11)
#define X86_CR4_FSGSBASE (1ul << 16)
#define X86_CR4_SMEP    (1ul << 20)
#define X86_CR4_SMAP    (1ul << 21)

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* A write to an unused port: ~1 us delay on real hardware. */
static inline void io_wait(void)
{
	outb(0x80, 0);
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

#define DEFINE_CR_ACCESSORS(n)                                          \
	static inline uint64_t read_cr##n(void)                         \
	{                                                               \
		uint64_t v;                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));       \
		return v;                                               \
	}                                                               \
	static inline void write_cr##n(uint64_t v)                      \
	{                                                               \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

/* Enable interrupts and halt atomically (no wakeup lost in between). */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline uintptr_t read_rbp(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void lgdt(const void *desc)
{
	__asm__ volatile("lgdt (%0)" : : "r"(desc) : "memory");
}

static inline void lidt(const void *desc)
{
	__asm__ volatile("lidt (%0)" : : "r"(desc) : "memory");
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}

static inline void stac(void)
{
	__asm__ volatile("stac" : : : "memory");
}

static inline void clac(void)
{
	__asm__ volatile("clac" : : : "memory");
}

#endif
