/*
 * keel/epoll.h - epoll (kernel/fs/epoll.c): an open file that watches
 * other open files and keeps a list of the ones that may be ready, filled
 * by wake-up callbacks on the watched files' wait queues (the same queues
 * poll(2) sleeps on), so that a wait looks only at files that changed.
 *
 * The system calls (kernel/sys/sys_epoll.c) decode Linux's ABI and call
 * the functions below; file_put() calls epoll_file_release() when the
 * last reference to any file goes, which takes the file out of every epoll
 * watching it (registrations hold no reference).  The rules and the locks
 * are in epoll.c's header comment.
 */
#ifndef KEEL_EPOLL_H
#define KEEL_EPOLL_H

#include <keel/compiler.h>
#include <keel/uaccess.h>

/* Event bits beyond the POLL* ones of keel/vfs.h (Linux values). */
#define EPOLLMSG           0x400u
#define EPOLLRDHUP         0x2000u
#define EPOLLEXCLUSIVE     (1u << 28)
#define EPOLLWAKEUP        (1u << 29)
#define EPOLLONESHOT       (1u << 30)
#define EPOLLET            (1u << 31)
/* Flags of a registration rather than events. */
#define EPOLL_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* Epolls in one chain of nesting, at most (Linux: 4 levels of nesting). */
#define EPOLL_MAX_CHAIN 5

/* struct epoll_event: packed on x86-64, 12 bytes. */
struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __packed;
_Static_assert(sizeof(struct epoll_event_k) == 12, "x86-64 epoll_event");

struct file;

/* A new epoll instance as an open file (one reference): 0 or -ENOMEM. */
int epoll_create_file(struct file **out);
/* True if f is an epoll file. */
bool epoll_file_is(const struct file *f);
/*
 * False for files whose poll op only ever says "ready" (regular files,
 * directories, /dev/null): Linux refuses to watch them (-EPERM).
 */
bool epoll_file_pollable(const struct file *f);
/*
 * EPOLL_CTL_ADD/DEL/MOD on epf (an epoll file) for target tf, open as
 * descriptor fd (the caller holds references to both; ev is NULL for
 * DEL).  0, or -EEXIST, -ENOENT, -ELOOP, -EINVAL, -ENOMEM, -EINTR.  The
 * argument checks that need no lock (epf != tf, EPOLLEXCLUSIVE rules) are
 * the caller's.  May sleep.
 */
int epoll_ctl_file(struct file *epf, int op, int fd, struct file *tf,
		   const struct epoll_event_k *ev);
/*
 * Wait on epf until an event, the time_ns() deadline (0: do not wait,
 * POLL_FOREVER: none) or a signal: the number of events written to
 * uev[0..max), 0 on timeout, -EINTR or -EFAULT.  May sleep.
 */
long epoll_wait_file(struct file *epf, struct epoll_event_k __user *uev, int max,
		     uint64_t deadline);
/*
 * The last reference to f is gone (file_put): remove every epoll
 * registration of f.  May sleep.  Cheap when there is none.
 */
void epoll_file_release(struct file *f);

#endif
