/*
 * keel/poll.h - waiting on many files at once (kernel/fs/poll.c): the one
 * mechanism under poll(2), ppoll(2), select(2) and pselect6(2).
 */
#ifndef KEEL_POLL_H
#define KEEL_POLL_H

#include <keel/compiler.h>

#define POLLPRI    0x0002 /* urgent data (none on Keel's files) */
#define POLLNVAL   0x0020 /* fd not open */
#define POLLRDBAND 0x0080
#define POLLWRBAND 0x0200

/* No deadline: wait until an event or a signal. */
#define POLL_FOREVER UINT64_MAX

/* struct pollfd, Linux's layout. */
struct pollfd_k {
	int fd;
	int16_t events;
	int16_t revents;
};

/*
 * Fill revents of fds[0..n) with what each file is ready for (POLLNVAL
 * for a descriptor that is not open; negative fds are skipped), sleeping
 * until at least one is ready, the time_ns() deadline passes (0 events),
 * or a signal arrives (-EINTR).  Returns the number of entries with
 * events, or -EINTR / -ENOMEM.  May sleep.
 */
long poll_files(struct pollfd_k *fds, unsigned n, uint64_t deadline);

#endif
