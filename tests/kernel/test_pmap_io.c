/*
 * test_pmap_io.c - in-kernel tests of device-memory mappings: PMAP_IO
 * pages in the page tables (uncached, no frame, not resident, kept across
 * a protection change, judged by the hygiene checker) and VMA_IO ranges in
 * an address space (the exokernel page calls refuse them).
 *
 * The physical page used is the local APIC's, which is never RAM; nothing
 * here loads the pmaps it builds, so the page is never touched.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/vm.h>
#include <uapi/keel/exo.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define IO_PA      0xfee00000ul /* the local APIC's page: device memory */
#define UVA_IO     0x00600000ul
#define UVA_OTHER  0x00601000ul
#define UVA_RAM    0x00602000ul
#define IO_TABLES  3 /* PDPT, PD and PT under a fresh PML4 */
#define IO_VMA_LEN (4 * PAGE_SIZE)
#define SCAN_MAX   4

static void count_release(paddr_t pa, void *ctx)
{
	(*(unsigned *)ctx)++;
}

KTEST(pmap_io_page)
{
	struct pmap *pm = pmap_create();
	unsigned prot = 0, released = 0;
	paddr_t pa = 0;

	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_IO, IO_PA, PMAP_READ | PMAP_WRITE | PMAP_IO, NULL), 0);
	KT_CHECK(t, pmap_lookup(pm, UVA_IO, &pa, &prot));
	KT_CHECK_EQ(t, pa, IO_PA);
	KT_CHECK_EQ(t, prot, PMAP_READ | PMAP_WRITE | PMAP_IO);
	/* Not resident memory: only the page tables count. */
	KT_CHECK_EQ(t, pmap_resident(pm), IO_TABLES);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
	/* A protection change keeps it device memory. */
	pmap_protect(pm, UVA_IO, UVA_IO + PAGE_SIZE, PMAP_READ);
	KT_CHECK(t, pmap_lookup(pm, UVA_IO, &pa, &prot));
	KT_CHECK_EQ(t, prot, PMAP_READ | PMAP_IO);
	pmap_protect(pm, UVA_IO, UVA_IO + PAGE_SIZE, 0);
	KT_CHECK(t, pmap_lookup(pm, UVA_IO, &pa, &prot));
	KT_CHECK_EQ(t, prot, PMAP_IO);
	/* Replacing it hands back no frame. */
	pa = 1;
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_IO, IO_PA, PMAP_READ | PMAP_IO, &pa), 0);
	KT_CHECK_EQ(t, pa, 0);
	/* Unmapping it calls no release. */
	pmap_remove_range(pm, UVA_IO, UVA_IO + PAGE_SIZE, count_release, &released);
	KT_CHECK_EQ(t, released, 0);
	KT_CHECK_EQ(t, pmap_resident(pm), 0);
	pmap_destroy(pm);
}

KTEST(pmap_io_check)
{
	struct pmap *pm = pmap_create();
	void *ram = pmm_alloc_page(PMM_ZERO);
	paddr_t ram_pa = ram ? arch_virt_to_phys(ram) : 0;

	KT_CHECK(t, pm && ram);
	if (!pm || !ram)
		goto out;
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_IO, IO_PA, PMAP_READ | PMAP_IO, NULL), 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
	/* The same device page mapped as if it were a frame: one problem. */
	kprintf("ktest: pmap_io_check: a device page mapped both ways expected:\n");
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_OTHER, IO_PA, PMAP_READ, NULL), 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 1);
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_OTHER), IO_PA); /* no reference to drop */
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
	/* A RAM frame mapped as device memory: one problem. */
	kprintf("ktest: pmap_io_check: a RAM frame mapped as device memory expected:\n");
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_RAM, ram_pa, PMAP_READ | PMAP_IO, NULL), 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 1);
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_RAM), 0); /* device memory: no frame */
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_IO), 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
out:
	if (ram)
		pmm_free_page(ram);
	if (pm)
		pmap_destroy(pm);
}

/* Each VMA_IO VMA's io_pa must be IO_PA plus its distance from base. */
struct io_walk {
	uintptr_t base;
	unsigned vmas, wrong;
};

static void io_walk_vma(void *ctx, const struct vma *v)
{
	struct io_walk *w = ctx;

	if (!(v->flags & VMA_IO))
		return;
	w->vmas++;
	if (v->io_pa != IO_PA + (v->start - w->base))
		w->wrong++;
}

KTEST(vm_io_refused_by_exo_calls)
{
	struct mm *mm = vm_create();
	void *frame = pmm_alloc_page(PMM_ZERO);
	struct exo_page_info info[SCAN_MAX];
	uintptr_t at;
	unsigned perm;
	paddr_t pa;
	long va;

	KT_CHECK(t, mm && frame);
	if (!mm || !frame)
		goto out;
	va = vm_map_io(mm, 0, IO_VMA_LEN, PROT_READ | PROT_WRITE, IO_PA, "/dev/ktest", false);
	KT_CHECK(t, va > 0);
	if (va <= 0)
		goto out;
	KT_CHECK(t, vm_is_shared(mm, (uintptr_t)va));
	KT_CHECK_EQ(t, vm_exo_place(mm, (uintptr_t)va, arch_virt_to_phys(frame), EXO_PERM_W),
		    -EINVAL);
	KT_CHECK_EQ(t, vm_exo_get(mm, (uintptr_t)va, false, &pa, &perm), -EINVAL);
	at = (uintptr_t)va;
	KT_CHECK_EQ(t, vm_exo_scan(mm, &at, (uintptr_t)va + IO_VMA_LEN, info, SCAN_MAX), 0);
	/* No remote access to device memory, no futex key. */
	KT_CHECK(t, !vm_translate(mm, (uintptr_t)va, &pa));
	KT_CHECK_EQ(t, vm_write_remote(mm, (uintptr_t)va, &perm, sizeof(perm), true), -EFAULT);
	KT_CHECK_EQ(t, vm_read_remote(mm, (uintptr_t)va, &perm, sizeof(perm)), 0);
	/* Never executable; a split keeps each half's place in the device. */
	KT_CHECK_EQ(t, vm_protect(mm, (uintptr_t)va, PAGE_SIZE, PROT_READ | PROT_EXEC), -EACCES);
	KT_CHECK_EQ(t, vm_protect(mm, (uintptr_t)va + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	struct io_walk w = { (uintptr_t)va, 0, 0 };
	vm_walk_vmas(mm, io_walk_vma, &w);
	KT_CHECK_EQ(t, w.vmas, 3);
	KT_CHECK_EQ(t, w.wrong, 0);
	KT_CHECK_EQ(t, vm_unmap(mm, (uintptr_t)va, IO_VMA_LEN), 0);
out:
	if (frame)
		pmm_free_page(frame);
	if (mm)
		vm_put(mm);
}
