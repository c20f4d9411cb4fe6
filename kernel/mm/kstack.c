/*
 * kstack.c - kernel stacks in their own virtual area.  The area is cut
 * into slots of (1 guard page + KSTACK_PAGES) pages; a slot's stack pages
 * are mapped on allocation and unmapped on free, its guard never is.
 * kstack_lock protects the slot bitmap.
 */
#include <keel/kstack.h>
#include <keel/pmm.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <keel/failinject.h>
#include <arch/arch.h>

#define KSTACK_SLOT_PAGES  (KSTACK_PAGES + 1)
#define KSTACK_SLOT_SIZE   (KSTACK_SLOT_PAGES * PAGE_SIZE)
#define KSTACK_MAX         4096          /* stacks at once (bitmap size) */
#define BITS_PER_WORD      64

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t kstack_used[KSTACK_MAX / BITS_PER_WORD];   /* [kstack_lock] */

_Static_assert((uint64_t)KSTACK_MAX * KSTACK_SLOT_SIZE <= ARCH_KSTACK_AREA_SIZE,
	       "kernel stack area too small");

/*
 * Boot: allocate the page tables of the whole stack area now (about
 * 164 KiB), so creating a thread never needs one and the memory held by
 * threads is exactly their stacks.
 */
void kstack_init(void)
{
	if (arch_prepare_kernel_range(ARCH_KSTACK_AREA_BASE,
				      (size_t)KSTACK_MAX * KSTACK_SLOT_SIZE) < 0)
		panic("kstack: no memory for the kernel stack page tables");
}

static uintptr_t kstack_slot_base(unsigned slot)
{
	return ARCH_KSTACK_AREA_BASE + (uintptr_t)slot * KSTACK_SLOT_SIZE;
}

static int kstack_take_slot(void)
{
	int slot = -1;

	spin_lock(&kstack_lock);
	for (unsigned w = 0; w < KSTACK_MAX / BITS_PER_WORD; w++) {
		if (kstack_used[w] == UINT64_MAX)
			continue;
		unsigned bit = __builtin_ctzll(~kstack_used[w]);
		kstack_used[w] |= 1ull << bit;
		slot = (int)(w * BITS_PER_WORD + bit);
		break;
	}
	spin_unlock(&kstack_lock);
	return slot;
}

static void kstack_put_slot(unsigned slot)
{
	spin_lock(&kstack_lock);
	assert(kstack_used[slot / BITS_PER_WORD] & (1ull << (slot % BITS_PER_WORD)));
	kstack_used[slot / BITS_PER_WORD] &= ~(1ull << (slot % BITS_PER_WORD));
	spin_unlock(&kstack_lock);
}

static void kstack_unmap(uintptr_t stack, unsigned pages)
{
	uint64_t pa[KSTACK_PAGES];

	assert(pages <= KSTACK_PAGES);
	if (pages == 0)
		return;
	for (unsigned i = 0; i < pages; i++)
		if (!arch_kernel_lookup(stack + i * PAGE_SIZE, &pa[i]))
			pa[i] = 0;
	/* One shootdown for the stack; its frames are free only after it. */
	arch_unmap_kernel_pages(stack, pages);
	for (unsigned i = 0; i < pages; i++)
		if (pa[i])
			pmm_free_page(arch_phys_to_virt(pa[i]));
}

uintptr_t kstack_alloc(void)
{
	uintptr_t stack;
	unsigned i;
	int slot;

	if (fail_should(FAIL_KSTACK))
		return 0;
	slot = kstack_take_slot();
	if (slot < 0)
		return 0;
	stack = kstack_slot_base(slot) + PAGE_SIZE;   /* above the guard */
	for (i = 0; i < KSTACK_PAGES; i++) {
		void *page = pmm_alloc_page(0);
		if (!page || arch_map_kernel_page(stack + i * PAGE_SIZE,
						  arch_virt_to_phys(page)) < 0) {
			if (page)
				pmm_free_page(page);
			goto out_unwind;
		}
	}
	return stack + KSTACK_PAGES * PAGE_SIZE;

out_unwind:
	kstack_unmap(stack, i);
	kstack_put_slot(slot);
	return 0;
}

void kstack_free(uintptr_t top)
{
	uintptr_t stack = top - KSTACK_PAGES * PAGE_SIZE;
	uintptr_t off = stack - PAGE_SIZE - ARCH_KSTACK_AREA_BASE;

	assert(off % KSTACK_SLOT_SIZE == 0 && off / KSTACK_SLOT_SIZE < KSTACK_MAX);
	kstack_unmap(stack, KSTACK_PAGES);
	kstack_put_slot(off / KSTACK_SLOT_SIZE);
}

bool kstack_is_guard(uintptr_t addr)
{
	if (addr < ARCH_KSTACK_AREA_BASE ||
	    addr >= ARCH_KSTACK_AREA_BASE + (uint64_t)KSTACK_MAX * KSTACK_SLOT_SIZE)
		return false;
	return (addr - ARCH_KSTACK_AREA_BASE) % KSTACK_SLOT_SIZE < PAGE_SIZE;
}
