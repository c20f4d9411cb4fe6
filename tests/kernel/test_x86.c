/*
 * test_x86.c - in-kernel tests of x86-64 specifics: page permissions of the
 * kernel image, CPU protection features, the keyboard translation.
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

/* Feed one scancode to st; returns the first byte it sends, or -1. */
static int kt_kbd(struct kbd_state *st, unsigned char sc)
{
	char out[KBD_SEQ_MAX];

	return kbd_map(st, sc, out) ? (unsigned char)out[0] : -1;
}

KTEST(x86_kbd_scancodes)
{
	struct kbd_state st;
	char out[KBD_SEQ_MAX];

	/* The kernel build of lib/kbdmap.c (tests/host/test_kbdmap.c has the rest). */
	kbd_state_init(&st);
	KT_CHECK_EQ(t, kt_kbd(&st, 0x23), 'h');
	KT_CHECK_EQ(t, kt_kbd(&st, 0x23 | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kt_kbd(&st, SC_LSHIFT), -1);
	KT_CHECK_EQ(t, kt_kbd(&st, 0x23), 'H');
	KT_CHECK_EQ(t, kt_kbd(&st, 0x02), '!');
	KT_CHECK_EQ(t, kt_kbd(&st, SC_LSHIFT | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kt_kbd(&st, SC_CTRL), -1);
	KT_CHECK_EQ(t, kt_kbd(&st, 0x2e), 'c' & 0x1f);
	KT_CHECK_EQ(t, kt_kbd(&st, SC_CTRL | SC_RELEASE), -1);
	KT_CHECK_EQ(t, kt_kbd(&st, SC_ENTER), '\r');
	KT_CHECK_EQ(t, kt_kbd(&st, SC_BACKSPACE), 0x7f);
	/* Up arrow: E0 48 sends ESC [ A. */
	KT_CHECK_EQ(t, kt_kbd(&st, SC_EXTENDED), -1);
	KT_CHECK_EQ(t, kbd_map(&st, 0x48, out), 3);
	KT_CHECK(t, out[0] == 0x1b && out[1] == '[' && out[2] == 'A');
	KT_CHECK_EQ(t, kt_kbd(&st, KBD_KICK_BYTE), -1);
}
