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
 */
#include "usertests.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

static char img_page[4096] __attribute__((aligned(4096))) = { 'k', 'e', 'e', 'l' };

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
