/*
 * ut_mem.c - usertests: address spaces.
 *
 *   cow                after fork, parent and child each write the same
 *                      .data, stack and mmap pages and see only their own
 *                      writes; the child first sees the parent's old values
 *   demand_zero        a 16 MiB anonymous mapping and 1 MiB of .bss read as
 *                      zero, and keep what is written
 *   mmap_prot          writing PROT_READ memory and reading PROT_NONE memory
 *                      kill a child with SIGSEGV; mprotect upgrades and
 *                      downgrades take effect; MAP_FIXED replaces a page;
 *                      bad arguments give EINVAL
 *   munmap             an unmapped hole faults, its neighbours stay
 *   nx                 jumping into a non-executable page is SIGSEGV
 *   brk                brk grows (new memory is zero) and shrinks (the
 *                      released pages fault); an absurd brk changes nothing
 *   kernel_addr_fault  user reads, writes and jumps to kernel-half and
 *                      non-canonical addresses and to page 0 are SIGSEGV
 */
#include <signal.h>
#include <sys/mman.h>
#include "usertests.h"

#define UT_COW_SIZE (2 * UT_PAGE)
#define UT_ZERO_MAP (16u << 20)
#define UT_BSS_SIZE (1u << 20)
#define UT_BRK_GROW (64u * 1024)
#define X86_RET 0xc3

static char ut_cow_data[UT_COW_SIZE] = { 1 };	/* .data, not .bss */
static char ut_bss[UT_BSS_SIZE];

static uintptr_t ut_page_up(uintptr_t a)
{
	return (a + UT_PAGE - 1) & ~(uintptr_t)(UT_PAGE - 1);
}

static bool ut_all(const char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void *ut_map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		utest_fail("mmap(%zu, %d): %s", len, prot, strerror(errno));
	return p;
}

static void ut_touch_read(void *addr)
{
	(void)*(volatile char *)addr;
}

static void ut_touch_write(void *addr)
{
	*(volatile char *)addr = 1;
}

static void ut_touch_exec(void *addr)
{
	((void (*)(void))addr)();
}

/* ---------------------------------------------------------------- cow */

void ut_cow(void)
{
	char stack[UT_COW_SIZE];
	char *map = ut_map(UT_COW_SIZE, PROT_READ | PROT_WRITE);
	char *areas[] = { ut_cow_data, stack, map };
	int to_child[2], to_parent[2];
	pid_t pid;
	char c;

	for (int i = 0; i < 3; i++)
		memset(areas[i], 'P', UT_COW_SIZE);
	UT_OK(pipe(to_child));
	UT_OK(pipe(to_parent));
	pid = UT_OK(fork());
	if (pid == 0) {
		int bad = 0;

		for (int i = 0; i < 3; i++) {
			bad |= !ut_all(areas[i], UT_COW_SIZE, 'P') << i;
			memset(areas[i], 'C', UT_COW_SIZE);
		}
		if (write(to_parent[1], "w", 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(100);
		for (int i = 0; i < 3; i++)
			bad |= !ut_all(areas[i], UT_COW_SIZE, 'C') << (i + 3);
		_exit(bad);
	}
	utest_read_all(to_parent[0], &c, 1);	/* the child has written */
	for (int i = 0; i < 3; i++) {
		if (!ut_all(areas[i], UT_COW_SIZE, 'P'))
			utest_fail("parent sees the child's write in area %d", i);
		memset(areas[i], 'Q', UT_COW_SIZE);
	}
	utest_write_all(to_child[1], "r", 1);
	UT_CHECK_EXIT(utest_wait(pid), 0);	/* bits 0-2: before, 3-5: after */
	for (int i = 0; i < 3; i++)
		if (!ut_all(areas[i], UT_COW_SIZE, 'Q'))
			utest_fail("parent lost its own write in area %d", i);
	munmap(map, UT_COW_SIZE);
}

/* ---------------------------------------------------------------- demand zero */

void ut_demand_zero(void)
{
	char *p = ut_map(UT_ZERO_MAP, PROT_READ | PROT_WRITE);

	for (size_t off = 0; off < UT_ZERO_MAP; off += UT_PAGE)
		if (p[off] != 0 || p[off + UT_PAGE - 1] != 0)
			utest_fail("fresh anonymous page at +%zu is not zero", off);
	UT_CHECK(ut_all(p, UT_PAGE, 0) && ut_all(p + UT_ZERO_MAP - UT_PAGE, UT_PAGE, 0));
	for (size_t off = 0; off < UT_ZERO_MAP; off += 64 * UT_PAGE)
		p[off] = (char)(off >> 18);
	for (size_t off = 0; off < UT_ZERO_MAP; off += 64 * UT_PAGE)
		UT_CHECK(p[off] == (char)(off >> 18));
	UT_OK(munmap(p, UT_ZERO_MAP));
	if (!ut_all(ut_bss, UT_BSS_SIZE, 0))
		utest_fail(".bss is not zero");
	ut_bss[UT_BSS_SIZE - 1] = 1;
}

/* ---------------------------------------------------------------- mmap */

void ut_mmap_prot(void)
{
	char *p = ut_map(2 * UT_PAGE, PROT_READ);

	UT_CHECK(ut_all(p, 2 * UT_PAGE, 0));
	UT_CHECK_KILLED(ut_in_child(ut_touch_write, p), SIGSEGV);
	UT_OK(mprotect(p, UT_PAGE, PROT_READ | PROT_WRITE));	/* upgrade page 0 */
	memset(p, 'a', UT_PAGE);
	UT_CHECK_KILLED(ut_in_child(ut_touch_write, p + UT_PAGE), SIGSEGV);
	UT_OK(mprotect(p, UT_PAGE, PROT_READ));			/* downgrade */
	UT_CHECK_KILLED(ut_in_child(ut_touch_write, p), SIGSEGV);
	UT_CHECK(p[0] == 'a' && p[UT_PAGE - 1] == 'a');
	UT_OK(mprotect(p, 2 * UT_PAGE, PROT_NONE));
	UT_CHECK_KILLED(ut_in_child(ut_touch_read, p), SIGSEGV);
	UT_OK(mprotect(p, 2 * UT_PAGE, PROT_READ | PROT_WRITE));
	UT_CHECK(p[0] == 'a');					/* data survived */

	/* MAP_FIXED over the second page replaces it with a zero page. */
	memset(p + UT_PAGE, 'b', UT_PAGE);
	UT_CHECK(mmap(p + UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p + UT_PAGE);
	UT_CHECK(ut_all(p + UT_PAGE, UT_PAGE, 0) && p[0] == 'a');
	UT_OK(munmap(p, 2 * UT_PAGE));

	/* Raw syscalls: musl's mprotect() rounds the range to pages. */
	UT_CHECK_ERR(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		     EINVAL);
	UT_CHECK_ERR(syscall(SYS_mmap, NULL, UT_PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_mmap, 1, UT_PAGE, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_mprotect, p + 1, UT_PAGE, PROT_READ), EINVAL);
	UT_CHECK_ERR(syscall(SYS_munmap, p + 1, UT_PAGE), EINVAL);
	UT_CHECK_ERR(syscall(SYS_munmap, p, 0), EINVAL);
}

void ut_munmap(void)
{
	char *p = ut_map(3 * UT_PAGE, PROT_READ | PROT_WRITE);

	memset(p, 'm', 3 * UT_PAGE);
	UT_OK(munmap(p + UT_PAGE, UT_PAGE));
	UT_CHECK_KILLED(ut_in_child(ut_touch_read, p + UT_PAGE), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_touch_write, p + 2 * UT_PAGE - 1), SIGSEGV);
	UT_CHECK(ut_all(p, UT_PAGE, 'm') && ut_all(p + 2 * UT_PAGE, UT_PAGE, 'm'));
	UT_OK(munmap(p, 3 * UT_PAGE));	/* a range with a hole is fine */
	UT_CHECK_KILLED(ut_in_child(ut_touch_read, p), SIGSEGV);
	UT_OK(munmap(p, UT_PAGE));	/* unmapping nothing is fine too */
}

void ut_nx(void)
{
	unsigned char *p = ut_map(UT_PAGE, PROT_READ | PROT_WRITE);

	p[0] = X86_RET;
	UT_CHECK_KILLED(ut_in_child(ut_touch_exec, p), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_touch_exec, ut_bss), SIGSEGV);
	UT_OK(mprotect(p, UT_PAGE, PROT_READ | PROT_EXEC));
	UT_CHECK_EXIT(ut_in_child(ut_touch_exec, p), 0);	/* now it may run */
	UT_OK(munmap(p, UT_PAGE));
}

/* ---------------------------------------------------------------- brk */

static void *ut_sys_brk(void *addr)
{
	return (void *)syscall(SYS_brk, addr);
}

void ut_brk(void)
{
	char *cur = ut_sys_brk(NULL), *top = cur + UT_BRK_GROW;
	char *page = (char *)ut_page_up((uintptr_t)cur);

	UT_CHECK(cur != NULL && cur != (char *)-1);
	UT_CHECK(ut_sys_brk(top) == top);
	UT_CHECK(ut_sys_brk(NULL) == top);
	UT_CHECK(ut_all(page, (size_t)(top - page), 0));	/* new memory is zero */
	memset(cur, 'b', UT_BRK_GROW);
	UT_CHECK(ut_sys_brk(cur) == cur);				/* shrink */
	UT_CHECK_KILLED(ut_in_child(ut_touch_read, page), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_touch_write, top - 1), SIGSEGV);
	UT_CHECK(ut_sys_brk(top) == top);				/* grow again: zero */
	UT_CHECK(ut_all(page, (size_t)(top - page), 0));
	UT_CHECK(ut_sys_brk(cur) == cur);
	UT_CHECK(ut_sys_brk((void *)1) == cur);			/* below the start */
	UT_CHECK(ut_sys_brk(UT_BAD_KERNEL) == cur);			/* into the kernel */
	UT_CHECK(ut_sys_brk(NULL) == cur);
}

/* ---------------------------------------------------------------- kernel memory */

void ut_kernel_addr_fault(void)
{
	void *const addrs[] = { UT_BAD_KERNEL, UT_BAD_NONCANON, (void *)0xffffffff80000000ull,
				NULL };

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		UT_CHECK_KILLED(ut_in_child(ut_touch_read, addrs[i]), SIGSEGV);
		UT_CHECK_KILLED(ut_in_child(ut_touch_write, addrs[i]), SIGSEGV);
		UT_CHECK_KILLED(ut_in_child(ut_touch_exec, addrs[i]), SIGSEGV);
	}
}
