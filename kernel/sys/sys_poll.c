/*
 * sys_poll.c - poll(2), ppoll(2), select(2), pselect6(2): argument
 * decoding (Linux's ABI) on top of poll_files() (kernel/fs/poll.c).
 *
 * Timeouts become a time_ns() deadline (0: do not wait, POLL_FOREVER: no
 * timeout); ppoll, select and pselect6 write the time left back, as Linux
 * does.  ppoll and pselect6 block their signal mask only while they wait
 * (signal_mask_temporarily).  A signal ends the wait with -EINTR, never
 * restarted, as on Linux when a handler runs.  select's descriptor sets
 * map to poll events the way Linux maps them (POLL*_SET below).
 */
#include <keel/syscall.h>
#include <keel/poll.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/signal.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/kmalloc.h>
#include <lib/errno.h>
#include <lib/string.h>

#define POLLIN_SET     (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET    (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET     POLLPRI
#define USEC_PER_SEC   1000000l
#define NSEC_PER_SEC_L 1000000000l
#define FDSET_BITS     64 /* bits per fd_set word */

/* A relative wait of ns nanoseconds as a deadline (saturating). */
static uint64_t poll_deadline(uint64_t ns)
{
	uint64_t now = time_ns();

	if (ns == 0)
		return 0;
	return ns >= POLL_FOREVER - now ? POLL_FOREVER - 1 : now + ns;
}

static uint64_t poll_left_ns(uint64_t deadline)
{
	uint64_t now = time_ns();

	return deadline > now ? deadline - now : 0;
}

/* A user timespec as a deadline: 0 or -EFAULT/-EINVAL. */
static int poll_ts_deadline(const struct k_timespec __user *uts, uint64_t *deadline)
{
	struct k_timespec ts;

	*deadline = POLL_FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC_L)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec >= POLL_FOREVER / NSEC_PER_SEC)
		return 0;
	*deadline = poll_deadline((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
	return 0;
}

/* Write the time left back to a user timespec (errors ignored, as Linux). */
static void poll_ts_left(struct k_timespec __user *uts, uint64_t deadline)
{
	uint64_t left = poll_left_ns(deadline);
	struct k_timespec ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };

	if (uts && deadline != POLL_FOREVER)
		(void)copy_to_user(uts, &ts, sizeof(ts));
}

/* poll with the fds copied in and revents copied out on success. */
static long poll_user(struct pollfd_k __user *ufds, unsigned nfds, uint64_t deadline)
{
	struct pollfd_k *fds = NULL;
	long ret;

	if (nfds > FDTABLE_MAX)
		return -EINVAL;
	if (nfds) {
		fds = kmalloc(nfds * sizeof(*fds), 0);
		if (!fds)
			return -ENOMEM;
		if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
			ret = -EFAULT;
			goto out_free;
		}
	}
	ret = poll_files(fds, nfds, deadline);
	if (ret >= 0 && nfds && copy_to_user(ufds, fds, nfds * sizeof(*fds)))
		ret = -EFAULT;
out_free:
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE3(poll, struct pollfd_k __user *, ufds, unsigned int, nfds, int, timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? POLL_FOREVER :
					     poll_deadline((uint64_t)timeout_ms * NSEC_PER_MSEC);

	return poll_user(ufds, nfds, deadline);
}

SYSCALL_DEFINE5(ppoll, struct pollfd_k __user *, ufds, unsigned int, nfds,
		struct k_timespec __user *, tsp, const uint64_t __user *, sigmask, size_t,
		sigsetsize)
{
	uint64_t deadline;
	long ret = poll_ts_deadline(tsp, &deadline);

	if (ret)
		return ret;
	ret = signal_mask_temporarily_user(sigmask, sigsetsize);
	if (ret)
		return ret;
	ret = poll_user(ufds, nfds, deadline);
	poll_ts_left(tsp, deadline);
	return ret;
}

/* ---------------------------------------------------------------- select */

struct select_sets {
	uint64_t *in, *out, *ex; /* NULL: the caller passed none */
	size_t words;
};

static bool fdset_has(const uint64_t *set, int fd)
{
	return set && (set[fd / FDSET_BITS] >> (fd % FDSET_BITS)) & 1;
}

static void fdset_add(uint64_t *set, int fd)
{
	set[fd / FDSET_BITS] |= 1ull << (fd % FDSET_BITS);
}

static int select_copy_in(uint64_t **set, const void __user *uset, size_t words)
{
	*set = NULL;
	if (!uset)
		return 0;
	*set = kmalloc(words * sizeof(uint64_t), 0);
	if (!*set)
		return -ENOMEM;
	return copy_from_user(*set, uset, words * sizeof(uint64_t)) ? -EFAULT : 0;
}

/* select on the first n descriptors; sets are updated in place. */
static long select_files(int n, struct select_sets *s, uint64_t deadline)
{
	struct pollfd_k *fds;
	unsigned nfds = 0;
	long ret, count = 0;

	fds = kmalloc((size_t)n * sizeof(*fds) + 1, 0);
	if (!fds)
		return -ENOMEM;
	for (int fd = 0; fd < n; fd++) {
		short ev = 0;

		if (fdset_has(s->in, fd))
			ev |= POLLIN_SET;
		if (fdset_has(s->out, fd))
			ev |= POLLOUT_SET;
		if (fdset_has(s->ex, fd))
			ev |= POLLEX_SET;
		if (ev)
			fds[nfds++] = (struct pollfd_k){ fd, ev, 0 };
	}
	ret = poll_files(fds, nfds, deadline);
	if (ret < 0)
		goto out_free;
	for (unsigned i = 0; i < nfds; i++) {
		if (fds[i].revents & POLLNVAL) {
			ret = -EBADF;
			goto out_free;
		}
	}
	for (uint64_t **set = &s->in; set <= &s->ex; set++)
		if (*set)
			memset(*set, 0, s->words * sizeof(uint64_t));
	for (unsigned i = 0; i < nfds; i++) {
		int fd = fds[i].fd;
		unsigned r = (uint16_t)fds[i].revents;

		if ((fds[i].events & POLLIN) && (r & POLLIN_SET)) {
			fdset_add(s->in, fd);
			count++;
		}
		if ((fds[i].events & POLLOUT) && (r & POLLOUT_SET)) {
			fdset_add(s->out, fd);
			count++;
		}
		if ((fds[i].events & POLLPRI) && (r & POLLEX_SET)) {
			fdset_add(s->ex, fd);
			count++;
		}
	}
	ret = count;
out_free:
	kfree(fds);
	return ret;
}

static long select_user(int n, void __user *inp, void __user *outp, void __user *exp,
			uint64_t deadline)
{
	struct select_sets s = { NULL, NULL, NULL, 0 };
	long ret;

	if (n < 0)
		return -EINVAL;
	if (n > FDTABLE_MAX)
		n = FDTABLE_MAX;
	s.words = DIV_ROUND_UP((size_t)n, FDSET_BITS);
	if ((ret = select_copy_in(&s.in, inp, s.words)) ||
	    (ret = select_copy_in(&s.out, outp, s.words)) ||
	    (ret = select_copy_in(&s.ex, exp, s.words)))
		goto out_free;
	ret = select_files(n, &s, deadline);
	if (ret < 0)
		goto out_free;
	if ((s.in && copy_to_user(inp, s.in, s.words * sizeof(uint64_t))) ||
	    (s.out && copy_to_user(outp, s.out, s.words * sizeof(uint64_t))) ||
	    (s.ex && copy_to_user(exp, s.ex, s.words * sizeof(uint64_t))))
		ret = -EFAULT;
out_free:
	kfree(s.in);
	kfree(s.out);
	kfree(s.ex);
	return ret;
}

SYSCALL_DEFINE5(select, int, n, void __user *, inp, void __user *, outp, void __user *, exp,
		struct k_timeval __user *, tvp)
{
	uint64_t deadline = POLL_FOREVER;
	struct k_timeval tv;
	long ret;

	if (tvp) {
		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		/* Linux folds whole seconds of tv_usec into tv_sec. */
		tv.tv_sec += tv.tv_usec / USEC_PER_SEC;
		tv.tv_usec %= USEC_PER_SEC;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		if ((uint64_t)tv.tv_sec < POLL_FOREVER / NSEC_PER_SEC)
			deadline = poll_deadline((uint64_t)tv.tv_sec * NSEC_PER_SEC +
						 (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	}
	ret = select_user(n, inp, outp, exp, deadline);
	if (tvp && deadline != POLL_FOREVER) {
		uint64_t left = poll_left_ns(deadline);

		tv = (struct k_timeval){ (int64_t)(left / NSEC_PER_SEC),
					 (int64_t)(left % NSEC_PER_SEC / NSEC_PER_USEC) };
		(void)copy_to_user(tvp, &tv, sizeof(tv));
	}
	return ret;
}

/* pselect6's sixth argument: { const sigset_t *ss; size_t ss_len; }. */
struct pselect_sig {
	const uint64_t __user *ss;
	size_t ss_len;
};

SYSCALL_DEFINE6(pselect6, int, n, void __user *, inp, void __user *, outp, void __user *, exp,
		struct k_timespec __user *, tsp, const struct pselect_sig __user *, usig)
{
	struct pselect_sig sig = { NULL, 0 };
	uint64_t deadline;
	long ret = poll_ts_deadline(tsp, &deadline);

	if (ret)
		return ret;
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	ret = signal_mask_temporarily_user(sig.ss, sig.ss_len);
	if (ret)
		return ret;
	ret = select_user(n, inp, outp, exp, deadline);
	poll_ts_left(tsp, deadline);
	return ret;
}
