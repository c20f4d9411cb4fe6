/*
 * user/kcov.h - a header-only helper for kernel coverage through /dev/kcov
 * (Keel built with `make KCOV=1`; the same calls work on Linux's kcov).
 *
 *   struct kcov k;
 *   if (kcov_open(&k, KCOV_WORDS_DEFAULT) == 0 && kcov_enable(&k) == 0) {
 *           kcov_reset(&k);
 *           ...system calls...
 *           n = kcov_count(&k);         PCs in kcov_pcs(&k)[0 .. n-1]
 *           kcov_disable(&k);
 *   }
 *   kcov_close(&k);
 *
 * Coverage is per thread: only the thread that called kcov_enable() is
 * recorded, into this buffer, until kcov_disable() or its exit.  Word 0 of
 * the shared buffer is the count the kernel advances; the PCs follow.  The
 * buffer is touched once at open so that reading it later does not fault
 * (a page fault would itself be recorded).  Every function returns 0 or a
 * negative errno value and leaves errno alone.
 */
#ifndef KEEL_USER_KCOV_H
#define KEEL_USER_KCOV_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KCOV_PATH          "/dev/kcov"
#define KCOV_INIT_TRACE    0x80086301ul    /* _IOR('c', 1, unsigned long) */
#define KCOV_ENABLE        0x6364ul        /* _IO('c', 100) */
#define KCOV_DISABLE       0x6365ul        /* _IO('c', 101) */
#define KCOV_TRACE_PC      0ul
#define KCOV_WORDS_DEFAULT (64ul << 10)    /* 512 KiB: count + 65535 PCs */

struct kcov {
	int fd;                 /* -1 when closed */
	unsigned long words;    /* buffer size in 64-bit words, count included */
	uint64_t *area;         /* the shared buffer, or NULL */
};

static inline int kcov_errno_(void)
{
	return errno ? -errno : -EIO;
}

/* Open /dev/kcov, allocate a buffer of words words and map it: 0 or -errno. */
static inline int kcov_open(struct kcov *k, unsigned long words)
{
	int saved = errno, err = 0;
	void *p;

	k->fd = -1;
	k->words = words;
	k->area = NULL;
	k->fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		err = kcov_errno_();
		goto out;
	}
	if (ioctl(k->fd, KCOV_INIT_TRACE, words) != 0) {
		err = kcov_errno_();
		goto out_close;
	}
	p = mmap(NULL, words * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		 k->fd, 0);
	if (p == MAP_FAILED) {
		err = kcov_errno_();
		goto out_close;
	}
	k->area = p;
	for (unsigned long i = 0; i < words; i += 4096 / sizeof(uint64_t))
		(void)__atomic_load_n(&k->area[i], __ATOMIC_RELAXED);
	goto out;
out_close:
	close(k->fd);
	k->fd = -1;
out:
	errno = saved;
	return err;
}

/* Record this thread's kernel coverage from now on: 0 or -errno. */
static inline int kcov_enable(struct kcov *k)
{
	int saved = errno, err = 0;

	if (ioctl(k->fd, KCOV_ENABLE, KCOV_TRACE_PC) != 0)
		err = kcov_errno_();
	errno = saved;
	return err;
}

/* Stop recording (the enabling thread only): 0 or -errno. */
static inline int kcov_disable(struct kcov *k)
{
	int saved = errno, err = 0;

	if (ioctl(k->fd, KCOV_DISABLE, 0) != 0)
		err = kcov_errno_();
	errno = saved;
	return err;
}

/* Forget what was recorded so far. */
static inline void kcov_reset(struct kcov *k)
{
	__atomic_store_n(&k->area[0], 0, __ATOMIC_RELAXED);
}

/* PCs recorded since the last reset (at most words - 1). */
static inline unsigned long kcov_count(const struct kcov *k)
{
	uint64_t n = __atomic_load_n(&k->area[0], __ATOMIC_RELAXED);

	return n < k->words ? (unsigned long)n : k->words - 1;
}

/* The recorded PCs: kcov_pcs(k)[0 .. kcov_count(k) - 1]. */
static inline const uint64_t *kcov_pcs(const struct kcov *k)
{
	return k->area + 1;
}

/* Unmap and close (coverage still enabled stays so until the thread exits). */
static inline void kcov_close(struct kcov *k)
{
	int saved = errno;

	if (k->area)
		munmap(k->area, k->words * sizeof(uint64_t));
	if (k->fd >= 0)
		close(k->fd);
	k->area = NULL;
	k->fd = -1;
	errno = saved;
}

#endif
