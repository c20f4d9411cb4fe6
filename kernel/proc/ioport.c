/*
 * ioport.c - I/O port permissions of user processes: ioperm(2), iopl(2),
 * their inheritance by fork and their end at exit.  keel/ioport.h
 * describes the model (a per-process bitmap, iopl(3) emulated as "every
 * port", effect on the process's other threads) and how the arch's
 * context switch reads the state without a lock.
 *
 * Invariants: a process's bitmap, once allocated, stays until its last
 * thread exits; every change to bitmap or iopl is followed, under
 * proc->lock, by a fresh generation (ioport_publish_locked); the
 * generations are never reused, so a CPU that remembers one has exactly
 * that map loaded.
 *
 * Lock key: [proc->lock] struct ioport_proc's bitmap contents and iopl;
 * [A] its gen and ioport_seq.
 */
#include <keel/ioport.h>
#include <keel/cred.h>
#include <keel/proc.h>
#include <keel/kmalloc.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define IOPORT_REFUSE_ALL 0xff /* a byte of the bitmap refusing its 8 ports */

static uint64_t ioport_seq; /* [A] the last generation handed out */

/* iopl(3): every port (all bits clear). */
static const uint8_t ioport_every_port[IO_BITMAP_BYTES];

/* A new generation for io after a change.  [proc->lock] held. */
static void ioport_publish(struct ioport_proc *io)
{
	uint64_t gen = __atomic_add_fetch(&ioport_seq, 1, __ATOMIC_RELAXED);

	/* Release: the bits written before are visible to whoever reads gen. */
	__atomic_store_n(&io->gen, gen, __ATOMIC_RELEASE);
}

/* Allow (on) or refuse the ports [from, from + num) in map. */
static void ioport_set_range(uint8_t *map, unsigned from, unsigned num, bool on)
{
	for (unsigned port = from; port < from + num; port++) {
		uint8_t bit = (uint8_t)(1u << (port % 8));

		if (on)
			map[port / 8] &= (uint8_t)~bit;
		else
			map[port / 8] |= bit;
	}
}

long ioport_perm(unsigned long from, unsigned long num, int turn_on)
{
	struct proc *p = proc_current();
	uint8_t *fresh = NULL;
	bool have;

	if (from + num <= from || from + num > IO_PORTS)
		return -EINVAL; /* num == 0 included, as on Linux */
	if (turn_on && !cred_privileged())
		return -EPERM;
	spin_lock(&p->lock);
	have = p->io.bitmap != NULL;
	spin_unlock(&p->lock);
	if (!have) {
		if (!turn_on)
			return 0; /* nothing allowed, nothing to refuse */
		fresh = kmalloc(IO_BITMAP_BYTES, 0);
		if (!fresh)
			return -ENOMEM;
		memset(fresh, IOPORT_REFUSE_ALL, IO_BITMAP_BYTES);
	}
	spin_lock(&p->lock);
	if (!p->io.bitmap) { /* stays once set: fresh is non-NULL here */
		p->io.bitmap = fresh;
		fresh = NULL;
	}
	ioport_set_range(p->io.bitmap, (unsigned)from, (unsigned)num, turn_on);
	ioport_publish(&p->io);
	spin_unlock(&p->lock);
	kfree(fresh); /* another thread allocated first */
	arch_io_reload();
	return 0;
}

long ioport_iopl(unsigned level)
{
	struct proc *p = proc_current();
	bool priv = cred_privileged(); /* takes p->lock: before */
	long err = 0;

	if (level > IOPL_LEVEL_MAX)
		return -EINVAL;
	spin_lock(&p->lock);
	if (level == p->io.iopl)
		goto out_unlock;
	if (level > p->io.iopl && !priv) {
		err = -EPERM;
		goto out_unlock;
	}
	p->io.iopl = level;
	ioport_publish(&p->io);
out_unlock:
	spin_unlock(&p->lock);
	if (!err)
		arch_io_reload();
	return err;
}

int ioport_fork(struct proc *child, struct proc *parent)
{
	uint8_t *copy = NULL;

	/* Allocate outside the lock; retry if another thread of parent
	 * allocated its bitmap meanwhile. */
	for (;;) {
		spin_lock(&parent->lock);
		if (!parent->io.bitmap || copy)
			break;
		spin_unlock(&parent->lock);
		copy = kmalloc(IO_BITMAP_BYTES, 0);
		if (!copy)
			return -ENOMEM;
	}
	if (parent->io.bitmap) {
		memcpy(copy, parent->io.bitmap, IO_BITMAP_BYTES);
		child->io.bitmap = copy;
		copy = NULL;
	}
	child->io.iopl = parent->io.iopl;
	if (child->io.bitmap || child->io.iopl)
		ioport_publish(&child->io); /* child is not visible yet */
	spin_unlock(&parent->lock);
	kfree(copy);
	return 0;
}

void ioport_exit(struct proc *p)
{
	uint8_t *map;

	spin_lock(&p->lock);
	map = p->io.bitmap;
	p->io.bitmap = NULL;
	if (map || p->io.iopl) {
		p->io.iopl = 0;
		ioport_publish(&p->io);
	}
	spin_unlock(&p->lock);
	kfree(map); /* no thread of p can be switched in any more (keel/ioport.h) */
}

const uint8_t *ioport_map(const struct ioport_proc *io)
{
	if (READ_ONCE(io->iopl) == IOPL_LEVEL_MAX)
		return ioport_every_port;
	return READ_ONCE(io->bitmap);
}

bool ioport_iopl_emulated(const struct proc *p)
{
	return READ_ONCE(p->io.iopl) == IOPL_LEVEL_MAX;
}
