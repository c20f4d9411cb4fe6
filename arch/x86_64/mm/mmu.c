/*
 * mmu.c - the kernel's page tables.
 *
 * mmu_init() replaces the boot page tables (identity 0..1 GiB) with:
 *   - a direct map of physical memory at DIRECT_MAP_BASE, NX, using 1 GiB
 *     pages where the CPU has them, else 2 MiB pages; 2 MiB chunks below
 *     4 GiB with no RAM in them (the PCI hole, APIC MMIO) are uncached;
 *   - the kernel image at KERNEL_VMA with 4 KiB pages: text RX, rodata
 *     R+NX, data/bss RW+NX, .ksyms R+NX, and no mapping for the guard page
 *     below the boot stack;
 *   - an allocated PDPT behind every upper-half PML4 slot (see arch/mmu.h).
 * Page-table pages come from pmm_early_alloc() at boot, and from the pmm
 * afterwards.  Before the switch physical memory is reached through the
 * boot identity map, afterwards through the direct map (phys_offset).
 * mmu_kernel_lock protects the kernel tables after boot.
 */
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/arch.h>
#include <keel/bootinfo.h>
#include <keel/pmm.h>
#include <keel/panic.h>
#include <keel/klog.h>
#include <keel/spinlock.h>
#include <keel/smp.h>
#include <lib/string.h>
#include <lib/errno.h>

#define CPUID_EXT_LEAF        0x80000001
#define CPUID_EXT_NX          (1u << 20)
#define CPUID_EXT_1GB         (1u << 26)
#define CPUID_STRUCT_LEAF     7
#define CPUID_STRUCT_SMEP     (1u << 7)
#define CPUID_STRUCT_SMAP     (1u << 20)
#define CPUID_STRUCT_UMIP     (1u << 2)
#define LOW_4G                (4ull << 30)

bool cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_umip, cpu_has_1g;  /* [I] */
/* Byte flag read by the trap entry stubs: clac only where it exists. */
uint8_t cpu_smap_enabled;                                                /* [I] */

static uint64_t phys_offset;        /* [I] 0 before the switch, then DIRECT_MAP_BASE */
static uint64_t kernel_pml4_pa;     /* [I] */
static uint64_t direct_map_top;     /* [I] end of the direct map (physical) */
static uint64_t pte_nx;             /* [I] PTE_NX if the CPU has NX, else 0 */
static bool mmu_booted;             /* [I] page tables now come from the pmm */
static struct spinlock mmu_kernel_lock = SPINLOCK_INIT("mmu_kernel");

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[], _ksyms_start[], _ksyms_end[];
extern char boot_stack_guard[];

void *arch_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + phys_offset);
}

uint64_t arch_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	assert(v >= DIRECT_MAP_BASE && v < DIRECT_MAP_BASE + DIRECT_MAP_SIZE);
	return v - DIRECT_MAP_BASE;
}

bool mmu_direct_mapped(uint64_t pa, uint64_t len)
{
	if (!phys_offset)
		return pa + len <= (1ull << 30) && pa + len >= pa;   /* boot identity map */
	return pa + len >= pa && pa + len <= direct_map_top;
}

uint64_t mmu_kernel_pml4(void)
{
	return kernel_pml4_pa;
}

/* Enable the protection features this CPU has (every CPU calls this). */
void mmu_cpu_features(void)
{
	uint32_t a, b, c, d;
	uint64_t cr4 = read_cr4();

	cpuid_count(CPUID_EXT_LEAF, 0, &a, &b, &c, &d);
	cpu_has_nx = d & CPUID_EXT_NX;
	cpu_has_1g = d & CPUID_EXT_1GB;
	cpuid_count(CPUID_STRUCT_LEAF, 0, &a, &b, &c, &d);
	cpu_has_smep = b & CPUID_STRUCT_SMEP;
	cpu_has_smap = b & CPUID_STRUCT_SMAP;
	cpu_has_umip = c & CPUID_STRUCT_UMIP;

	if (cpu_has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | MSR_EFER_NXE);
	if (cpu_has_smep)
		cr4 |= X86_CR4_SMEP;
	if (cpu_has_smap) {
		cr4 |= X86_CR4_SMAP;
		cpu_smap_enabled = 1;
	}
	if (cpu_has_umip)
		cr4 |= X86_CR4_UMIP;
	write_cr4(cr4);
	write_cr0(read_cr0() | X86_CR0_WP);
	pte_nx = cpu_has_nx ? PTE_NX : 0;
}

static uint64_t mmu_alloc_table(void)
{
	if (!mmu_booted)
		return pmm_early_alloc(PAGE_SIZE);
	void *va = pmm_alloc_page(PMM_ZERO);
	return va ? arch_virt_to_phys(va) : 0;
}

static pte_t *mmu_table(uint64_t pa)
{
	return arch_phys_to_virt(pa);
}

/*
 * Return the entry for va at the level whose index shift is `shift`,
 * allocating intermediate tables (writable, kernel) on the way; NULL if a
 * table could not be allocated.  A large page on the way is a bug here.
 */
static pte_t *mmu_walk(uint64_t pml4, uintptr_t va, unsigned shift)
{
	pte_t *table = mmu_table(pml4);

	for (unsigned s = PML4_SHIFT; s > shift; s -= PT_LEVEL_SHIFT) {
		pte_t *e = &table[PT_INDEX(va, s)];
		if (!(*e & PTE_P)) {
			uint64_t t = mmu_alloc_table();
			if (!t)
				return NULL;
			*e = t | PTE_P | PTE_W;
		}
		assert(!(*e & PTE_PS));
		table = mmu_table(*e & PTE_ADDR_MASK);
	}
	return &table[PT_INDEX(va, shift)];
}

static bool range_has_memory(const struct bootinfo *bi, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		if (r->type == BOOT_MEM_RESERVED || r->type == BOOT_MEM_BAD)
			continue;
		if (r->base < end && r->base + r->len > start)
			return true;
	}
	return false;
}

static void mmu_map_direct(const struct bootinfo *bi)
{
	uint64_t top = MAX(bootinfo_max_usable_addr(bi), LOW_4G);
	uint64_t pa = 0;

	direct_map_top = top;
	if (top > DIRECT_MAP_SIZE)
		panic("mmu: %lu GiB of physical address space is more than the direct map holds",
		      top >> 30);
	while (pa < top) {
		uintptr_t va = DIRECT_MAP_BASE + pa;
		pte_t *e;
		if (cpu_has_1g && pa >= LOW_4G && IS_ALIGNED(pa, HUGE_PAGE_SIZE) &&
		    top - pa >= HUGE_PAGE_SIZE) {
			e = mmu_walk(kernel_pml4_pa, va, PDPT_SHIFT);
			assert(e);
			*e = pa | PTE_P | PTE_W | PTE_PS | pte_nx;
			pa += HUGE_PAGE_SIZE;
			continue;
		}
		uint64_t cache = 0;
		if (pa < LOW_4G && !range_has_memory(bi, pa, pa + LARGE_PAGE_SIZE))
			cache = PTE_PCD | PTE_PWT;
		e = mmu_walk(kernel_pml4_pa, va, PD_SHIFT);
		assert(e);
		*e = pa | PTE_P | PTE_W | PTE_PS | pte_nx | cache;
		pa += LARGE_PAGE_SIZE;
	}
}

static void mmu_map_image_range(char *start, char *end, uint64_t flags)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end; va += PAGE_SIZE) {
		if (va == (uintptr_t)boot_stack_guard)
			continue;     /* guard page: stays unmapped */
		pte_t *e = mmu_walk(kernel_pml4_pa, va, PT_SHIFT);
		assert(e);
		*e = (va - KERNEL_VMA) | PTE_P | flags;
	}
}

void mmu_init(const struct bootinfo *bi)
{
	pte_t *pml4;

	kernel_pml4_pa = pmm_early_alloc(PAGE_SIZE);
	pml4 = mmu_table(kernel_pml4_pa);
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		pml4[i] = pmm_early_alloc(PAGE_SIZE) | PTE_P | PTE_W;

	mmu_map_direct(bi);
	mmu_map_image_range(_text_start, _text_end, 0);
	mmu_map_image_range(_rodata_start, _rodata_end, pte_nx);
	mmu_map_image_range(_data_start, _data_end, PTE_W | pte_nx);
	mmu_map_image_range(_ksyms_start, _ksyms_end, pte_nx);

	write_cr3(kernel_pml4_pa);
	phys_offset = DIRECT_MAP_BASE;
	pmm_early_set_limit(UINT64_MAX);
}

/* From here on page tables come from the pmm (called after pmm_init). */
void mmu_late_init(void)
{
	mmu_booted = true;
}

int mmu_kprepare_range(uintptr_t va, size_t len)
{
	int ret = 0;

	spin_lock(&mmu_kernel_lock);
	for (uintptr_t a = ALIGN_DOWN(va, LARGE_PAGE_SIZE); a < va + len; a += LARGE_PAGE_SIZE) {
		if (!mmu_walk(kernel_pml4_pa, a, PT_SHIFT)) {
			ret = -ENOMEM;
			break;
		}
	}
	spin_unlock(&mmu_kernel_lock);
	return ret;
}

int mmu_kmap_page(uintptr_t va, uint64_t pa, uint64_t flags)
{
	int ret = 0;

	assert(va >= DIRECT_MAP_BASE && IS_ALIGNED(va, PAGE_SIZE));
	spin_lock(&mmu_kernel_lock);
	pte_t *e = mmu_walk(kernel_pml4_pa, va, PT_SHIFT);
	if (!e) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	assert(!(*e & PTE_P));
	*e = pa | PTE_P | (flags & ~PTE_U);
	invlpg(va);
out_unlock:
	spin_unlock(&mmu_kernel_lock);
	return ret;
}

/*
 * Unmap n kernel pages and flush them from every CPU's TLB.  The shootdown
 * happens after mmu_kernel_lock is dropped: a CPU spinning on that lock
 * has interrupts off and could not answer the IPI.  Interrupts must be on
 * or the caller must not hold locks other CPUs spin on (see keel/smp.h).
 */
void mmu_kunmap_pages(uintptr_t va, size_t n)
{
	spin_lock(&mmu_kernel_lock);
	for (size_t i = 0; i < n; i++) {
		pte_t *e = mmu_walk(kernel_pml4_pa, va + i * PAGE_SIZE, PT_SHIFT);
		if (e)
			*e = 0;
	}
	spin_unlock(&mmu_kernel_lock);
	tlb_shootdown_kernel(va, n * PAGE_SIZE);
}

bool mmu_kernel_lookup(uintptr_t va, uint64_t *pa)
{
	return mmu_lookup(kernel_pml4_pa ? kernel_pml4_pa : read_cr3() & PTE_ADDR_MASK,
			  va, pa);
}

/* The leaf entry and its level shift for va under pml4; false if unmapped. */
static bool mmu_leaf(uint64_t pml4, uintptr_t va, pte_t *leaf, unsigned *shift)
{
	pte_t *table = mmu_table(pml4);

	for (unsigned s = PML4_SHIFT;; s -= PT_LEVEL_SHIFT) {
		pte_t e = table[PT_INDEX(va, s)];
		if (!(e & PTE_P))
			return false;
		if (s == PT_SHIFT || (e & PTE_PS)) {
			*leaf = e;
			*shift = s;
			return true;
		}
		table = mmu_table(e & PTE_ADDR_MASK);
	}
}

/* Translate va through the page tables rooted at pml4; false if unmapped. */
bool mmu_lookup(uint64_t pml4, uintptr_t va, uint64_t *pa)
{
	pte_t e;
	unsigned s;

	if (!mmu_leaf(pml4, va, &e, &s))
		return false;
	uint64_t mask = (1ull << s) - 1;
	*pa = (e & PTE_ADDR_MASK & ~mask) | (va & mask);
	return true;
}

bool mmu_kernel_pte(uintptr_t va, pte_t *pte)
{
	unsigned s;

	return mmu_leaf(kernel_pml4_pa, va, pte, &s);
}

static uintptr_t mmio_next = MMIO_AREA_BASE;    /* [mmu_kernel_lock] */

void *arch_ioremap(uint64_t pa, size_t len)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t pages = DIV_ROUND_UP(pa + len - base, PAGE_SIZE);
	uintptr_t va;

	spin_lock(&mmu_kernel_lock);
	va = mmio_next;
	if (va + pages * PAGE_SIZE > MMIO_AREA_BASE + MMIO_AREA_SIZE) {
		spin_unlock(&mmu_kernel_lock);
		return NULL;
	}
	mmio_next += (pages + 1) * PAGE_SIZE;   /* + an unmapped gap */
	spin_unlock(&mmu_kernel_lock);
	for (size_t i = 0; i < pages; i++)
		if (mmu_kmap_page(va + i * PAGE_SIZE, base + i * PAGE_SIZE,
				  PTE_W | PTE_PCD | PTE_PWT | pte_nx) < 0)
			return NULL;
	return (void *)(va + (pa - base));
}
