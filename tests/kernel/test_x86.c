/*
 * test_x86.c - in-kernel tests of x86-64 specifics: page permissions of the
 * kernel image, CPU protection features, the keyboard translation table.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <arch/msr.h>
#include <drivers/kbd.h>

extern char _text_start[], _rodata_start[], _data_start[], boot_stack_guard[];

KTEST(x86_kernel_image_permissions)
{
	pte_t pte;

	KT_CHECK(t, mmu_kernel_pte((uintptr_t)_text_start, &pte));
	KT_CHECK(t, !(pte & PTE_W) && !(pte & PTE_NX));
	KT_CHECK(t, mmu_kernel_pte((uintptr_t)_rodata_start, &pte));
	KT_CHECK(t, !(pte & PTE_W) && (pte & PTE_NX));
	KT_CHECK(t, mmu_kernel_pte((uintptr_t)_data_start, &pte));
	KT_CHECK(t, (pte & PTE_W) && (pte & PTE_NX));
	KT_CHECK(t, !mmu_kernel_pte((uintptr_t)boot_stack_guard, &pte));
	KT_CHECK(t, mmu_kernel_pte(DIRECT_MAP_BASE + (1ull << 20), &pte));
	KT_CHECK(t, (pte & PTE_NX) && !(pte & PTE_U));
	/* Nothing of the kernel is visible to user mode at address 0. */
	KT_CHECK(t, !mmu_kernel_pte(0, &pte));
}

KTEST(x86_protection_features)
{
	KT_CHECK(t, cpu_has_nx && (rdmsr(MSR_EFER) & MSR_EFER_NXE));
	KT_CHECK(t, read_cr0() & X86_CR0_WP);
	if (cpu_has_smep)
		KT_CHECK(t, read_cr4() & X86_CR4_SMEP);
	if (cpu_has_smap)
		KT_CHECK(t, read_cr4() & X86_CR4_SMAP);
	if (cpu_has_umip)
		KT_CHECK(t, read_cr4() & X86_CR4_UMIP);
	kprintf("ktest:   nx=%d smep=%d smap=%d umip=%d 1g=%d\n", cpu_has_nx,
		cpu_has_smep, cpu_has_smap, cpu_has_umip, cpu_has_1g);
}

KTEST(x86_kbd_scancodes)
{
	/* 0x23 = h, 0x2a = left shift, 0x3a = caps lock, 0x1d = ctrl. */
	KT_CHECK_EQ(t, kbd_translate(0x23), 'h');
	KT_CHECK_EQ(t, kbd_translate(0x23 | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kbd_translate(SC_LSHIFT), -1);
	KT_CHECK_EQ(t, kbd_translate(0x23), 'H');
	KT_CHECK_EQ(t, kbd_translate(0x02), '!');
	KT_CHECK_EQ(t, kbd_translate(SC_LSHIFT | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kbd_translate(0x02), '1');
	KT_CHECK_EQ(t, kbd_translate(SC_CAPSLOCK), -1);
	KT_CHECK_EQ(t, kbd_translate(0x23), 'H');
	KT_CHECK_EQ(t, kbd_translate(0x02), '1');
	KT_CHECK_EQ(t, kbd_translate(SC_CAPSLOCK), -1);
	KT_CHECK_EQ(t, kbd_translate(SC_CTRL), -1);
	KT_CHECK_EQ(t, kbd_translate(0x2e), 'c' & ASCII_CTRL_MASK);
	KT_CHECK_EQ(t, kbd_translate(SC_CTRL | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kbd_translate(0x1c), '\r');
	/* Extended keys (arrows) produce nothing yet. */
	KT_CHECK_EQ(t, kbd_translate(SC_EXTENDED), -1);
	KT_CHECK_EQ(t, kbd_translate(0x48), -1);
}
