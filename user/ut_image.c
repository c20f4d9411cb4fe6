/*
 * ut_image.c - usertests: an executable's image pages come back as exec filled them.
 *
 *   image_refill_read_self    a .data page dropped with MADV_DONTNEED and
 *                             then filled by read(2) from the program's own
 *                             executable: the read returns (Linux: 4096
 *                             bytes); the refill must not re-enter the
 *                             executable's vnode lock from the copy's fault
 *   image_refill_contents     after MADV_DONTNEED a .data page reads back
 *                             its file contents (Linux)
 *   image_refill_read_other   the same as read_self, from another file
 *                             (two files' locks would nest)
 *   image_data_pages          every page of a 3-page initialised array and
 *                             of a zero-initialised one reads as the program
 *                             file says when first touched (exec fills image
 *                             pages lazily; a page holding the end of .data
 *                             and the start of .bss must have zeroes there)
 *   syscall_regs_kept         a system call keeps every register but rax,
 *                             rcx and r11; rcx holds the return address and
 *                             r11 the flags (the sysret fast path)
 */
#include "usertests.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

static char img_page[4096] __attribute__((aligned(4096))) = { 'k', 'e', 'e', 'l' };

#define IMG_BIG  (3 * 4096 + 100)
#define IMG_FILL 0x5a
static volatile unsigned char img_big[IMG_BIG] = { [0 ... IMG_BIG - 1] = IMG_FILL };
static volatile unsigned char img_zero[IMG_BIG];

static int img_open_self(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0)
		fd = open("/bin/usertests", O_RDONLY);
	return fd;
}

void ut_image_refill_read_self(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		utest_fail("fork: %d", errno);
	if (pid == 0) {
		int fd = img_open_self();

		if (fd < 0)
			_exit(2);
		if (madvise(img_page, sizeof(img_page), MADV_DONTNEED) != 0)
			_exit(3);
		ssize_t n = read(fd, img_page, sizeof(img_page));
		_exit(n == (ssize_t)sizeof(img_page) ? 0 : 4);
	}
	for (int i = 0; i < 300; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				utest_fail("child status %#x", status);
			return;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	utest_fail("read(own executable) into a discarded .data page hung for 3 s");
}

void ut_image_refill_contents(void)
{
	if (madvise(img_page, sizeof(img_page), MADV_DONTNEED) != 0)
		utest_fail("madvise: %d", errno);
	if (memcmp(img_page, "keel", 4) != 0)
		utest_fail("page reads %02x %02x after MADV_DONTNEED", img_page[0], img_page[1]);
}

/* The same with another file: reading /bin/hello into the discarded page
 * nests two vnode locks (the file's, then the executable's). */
void ut_image_refill_read_other(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	char path[64];

	if (fd < 0)
		utest_fail("open exe: %d", errno);
	close(fd);
	ut_binpath(path, sizeof(path), "hello");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fd = open("/etc/passwd", O_RDONLY);
	if (fd < 0)
		utest_fail("open: %d", errno);
	if (madvise(img_page, sizeof(img_page), MADV_DONTNEED) != 0)
		utest_fail("madvise: %d", errno);
	if (read(fd, img_page, 64) <= 0)
		utest_fail("read: %d", errno);
	close(fd);
}

void ut_image_data_pages(void)
{
	for (size_t i = 0; i < IMG_BIG; i++) {
		if (img_big[i] != IMG_FILL)
			utest_fail("img_big[%zu] = %#x, not %#x", i, img_big[i], IMG_FILL);
		if (img_zero[i] != 0)
			utest_fail("img_zero[%zu] = %#x, not 0", i, img_zero[i]);
	}
}

void ut_syscall_regs_kept(void)
{
	/* Values no system call would leave by accident. */
	/* [0, 8): loaded before the call; [8, 16): stored after it; then rcx,
	 * r11, the return address and the flags after the call. */
	uint64_t v[20] = { 0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
			   0x4444444444444444ull, 0x5555555555555555ull, 0x6666666666666666ull,
			   0x7777777777777777ull, 0x8888888888888888ull };

	__asm__ volatile("movq 0(%[v]), %%rdi\n\t"
			 "movq 8(%[v]), %%rsi\n\t"
			 "movq 16(%[v]), %%rdx\n\t"
			 "movq 24(%[v]), %%r10\n\t"
			 "movq 32(%[v]), %%r8\n\t"
			 "movq 40(%[v]), %%r9\n\t"
			 "movq 48(%[v]), %%r12\n\t"
			 "movq 56(%[v]), %%r15\n\t"
			 "movl $39, %%eax\n\t" /* getpid: ignores its arguments */
			 "syscall\n"
			 "1:\n\t"
			 "movq %%rcx, 128(%[v])\n\t"
			 "movq %%r11, 136(%[v])\n\t"
			 "leaq 1b(%%rip), %%rcx\n\t"
			 "movq %%rcx, 144(%[v])\n\t"
			 "pushfq\n\t"
			 "popq 152(%[v])\n\t"
			 "movq %%rdi, 64(%[v])\n\t"
			 "movq %%rsi, 72(%[v])\n\t"
			 "movq %%rdx, 80(%[v])\n\t"
			 "movq %%r10, 88(%[v])\n\t"
			 "movq %%r8, 96(%[v])\n\t"
			 "movq %%r9, 104(%[v])\n\t"
			 "movq %%r12, 112(%[v])\n\t"
			 "movq %%r15, 120(%[v])\n\t"
			 :
			 : [v] "b"(v)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
			   "r15", "memory", "cc");
	for (int i = 0; i < 8; i++)
		if (v[8 + i] != v[i])
			utest_fail("register %d: %#llx after the call, %#llx before", i,
				   (unsigned long long)v[8 + i], (unsigned long long)v[i]);
	uint64_t rcx = v[16], r11 = v[17], rip = v[18], flags = v[19];

	if (rcx != rip)
		utest_fail("rcx %#llx, not the return address %#llx", (unsigned long long)rcx,
			   (unsigned long long)rip);
	/* r11 holds RFLAGS as they were at the syscall (the reserved bit 1 and
	 * IF set, no trap flag); the arithmetic flags may differ. */
	if ((r11 & 0x302) != 0x202 || (flags & 0x200) == 0)
		utest_fail("r11 %#llx does not hold user flags (now %#llx)",
			   (unsigned long long)r11, (unsigned long long)flags);
}
