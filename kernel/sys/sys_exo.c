/*
 * sys_exo.c - Keel's exokernel system calls (numbers from 1000,
 * <uapi/keel/exo.h>; docs/exokernel.md): exo_fork, exo_set_status,
 * exo_page_alloc/map/unmap/perm/scan, exo_set_pgfault_upcall,
 * exo_ipc_try_send, exo_ipc_recv, and Keel's blocking exo_ipc_send.
 *
 * Every argument is checked before anything changes: addresses
 * (page-aligned, EXO_USER_MIN <= va < EXO_USER_TOP: -EINVAL), perm bits
 * (-EINVAL), the target (pid 0 is the caller; no such live process:
 * -ESRCH; neither the caller nor its child: -EPERM; IPC may go to anyone).
 * The work itself is in kernel/mm/vm_exo.c (pages), kernel/proc/exo.c
 * (upcall, IPC), proc.c (exo_fork) and signal.c (held processes).
 */
#include <keel/syscall.h>
#include <keel/exo.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <keel/vm.h>
#include <keel/cred.h>
#include <keel/pmm.h>
#include <keel/uaccess.h>
#include <uapi/keel/exo.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define EXO_SCAN_CHUNK 32 /* entries per copy-out of exo_page_scan */

static bool exo_va_ok(uintptr_t va)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va >= EXO_USER_MIN && va < EXO_USER_TOP;
}

static bool exo_perm_ok(unsigned perm)
{
	return !(perm & ~(unsigned)EXO_PERM_ALL);
}

/*
 * The live process pid (0: the caller), which must be the caller or its
 * child that the caller may also ptrace (same ids, still dumpable: a
 * child that exec'd a set-user-ID program is out of reach, as Linux's
 * ptrace_may_access wants).  proc_tree_lock held; *p set on success.
 */
static int exo_target_locked(int pid, struct proc **p)
{
	struct proc *me = proc_current();
	struct cred c;
	bool ok;

	spin_assert_held(&proc_tree_lock);
	*p = pid == 0 ? me : pid > 0 ? proc_find(pid) : NULL;
	if (!*p || (*p)->state != PROC_ALIVE)
		return -ESRCH;
	if (*p == me)
		return 0;
	if ((*p)->parent != me)
		return -EPERM;
	cred_get(me, &c);
	spin_lock(&(*p)->lock);
	ok = cred_may_access_locked(&c, *p, false);
	spin_unlock(&(*p)->lock);
	return ok ? 0 : -EPERM;
}

/* The address space of exo_target_locked(pid), referenced. */
static int exo_target_mm(int pid, struct mm **mm)
{
	struct proc *p;
	int err;

	spin_lock(&proc_tree_lock);
	err = exo_target_locked(pid, &p);
	if (!err) {
		spin_lock(&p->lock);
		*mm = p->mm;
		if (*mm)
			vm_get(*mm);
		else
			err = -ESRCH;
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

SYSCALL_DEFINE0(exo_fork)
{
	return exo_fork();
}

SYSCALL_DEFINE2(exo_set_status, int, pid, int, status)
{
	struct proc *p;
	int err;

	if (status != EXO_RUNNABLE && status != EXO_NOT_RUNNABLE)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	err = exo_target_locked(pid, &p);
	if (!err) {
		spin_lock(&p->lock);
		if (status == EXO_RUNNABLE)
			p->exo.embryo = false;
		signal_hold_locked(p, status == EXO_NOT_RUNNABLE);
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

SYSCALL_DEFINE3(exo_page_alloc, int, pid, uintptr_t, va, unsigned, perm)
{
	struct mm *mm;
	void *page;
	int err;

	if (!exo_va_ok(va) || !exo_perm_ok(perm))
		return -EINVAL;
	err = exo_target_mm(pid, &mm);
	if (err)
		return err;
	page = pmm_alloc_page(PMM_ZERO | PMM_USER);
	if (!page) {
		err = -ENOMEM;
		goto out;
	}
	err = vm_exo_place(mm, va, arch_virt_to_phys(page), perm);
	if (err)
		pmm_free_page(page);
out:
	vm_put(mm);
	return err;
}

SYSCALL_DEFINE5(exo_page_map, int, srcpid, uintptr_t, srcva, int, dstpid, uintptr_t, dstva,
		unsigned, perm)
{
	struct mm *src, *dst;
	unsigned src_perm;
	paddr_t pa;
	int err;

	if (!exo_va_ok(srcva) || !exo_va_ok(dstva) || !exo_perm_ok(perm))
		return -EINVAL;
	err = exo_target_mm(srcpid, &src);
	if (err)
		return err;
	err = exo_target_mm(dstpid, &dst);
	if (err)
		goto out_src;
	err = vm_exo_get(src, srcva, perm & EXO_PERM_W, &pa, &src_perm);
	if (err)
		goto out_dst;
	err = vm_exo_place(dst, dstva, pa, perm);
	if (err)
		pmm_page_put(pa);
out_dst:
	vm_put(dst);
out_src:
	vm_put(src);
	return err;
}

SYSCALL_DEFINE2(exo_page_unmap, int, pid, uintptr_t, va)
{
	struct mm *mm;
	int err;

	if (!exo_va_ok(va))
		return -EINVAL;
	err = exo_target_mm(pid, &mm);
	if (err)
		return err;
	err = vm_unmap(mm, va, PAGE_SIZE);
	vm_put(mm);
	return err;
}

SYSCALL_DEFINE1(exo_page_perm, uintptr_t, va)
{
	if (va < EXO_USER_MIN || va >= EXO_USER_TOP)
		return -EINVAL;
	return vm_exo_perm(thread_current()->mm, ALIGN_DOWN(va, PAGE_SIZE));
}

SYSCALL_DEFINE4(exo_page_scan, uintptr_t, start, uintptr_t, end, struct exo_page_info __user *, out,
		unsigned long, max)
{
	struct exo_page_info buf[EXO_SCAN_CHUNK];
	struct mm *mm = thread_current()->mm;
	unsigned long done = 0;

	start = MAX(ALIGN_DOWN(start, PAGE_SIZE), EXO_USER_MIN);
	end = MIN(end, EXO_USER_TOP);
	while (done < max && start < end) {
		unsigned want = (unsigned)MIN(max - done, (unsigned long)EXO_SCAN_CHUNK);
		unsigned n = vm_exo_scan(mm, &start, end, buf, want);

		if (n && copy_to_user(out + done, buf, n * sizeof(buf[0])))
			return done ? (long)done : -EFAULT;
		done += n;
		if (n < want)
			break;
		if (signal_checkpoint())
			break; /* a partial answer; the caller asks again */
	}
	return (long)done;
}

SYSCALL_DEFINE3(exo_set_pgfault_upcall, int, pid, uintptr_t, entry, uintptr_t, xstack_top)
{
	struct proc *p;
	int err;

	if (entry && (xstack_top <= EXO_USER_MIN || xstack_top > EXO_USER_TOP ||
		      !IS_ALIGNED(xstack_top, PAGE_SIZE)))
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	err = exo_target_locked(pid, &p);
	if (!err) {
		spin_lock(&p->lock);
		p->exo.upcall = entry;
		p->exo.xstack_top = entry ? xstack_top : 0;
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

SYSCALL_DEFINE4(exo_ipc_try_send, int, to, uint64_t, value, uintptr_t, pg, unsigned, perm)
{
	if ((pg != (uintptr_t)EXO_NO_PAGE && !exo_va_ok(pg)) || !exo_perm_ok(perm))
		return -EINVAL;
	if (to < 0)
		return -ESRCH;
	return exo_ipc_send(to, value, pg, perm, false);
}

SYSCALL_DEFINE4(exo_ipc_send, int, to, uint64_t, value, uintptr_t, pg, unsigned, perm)
{
	if ((pg != (uintptr_t)EXO_NO_PAGE && !exo_va_ok(pg)) || !exo_perm_ok(perm))
		return -EINVAL;
	if (to < 0)
		return -ESRCH;
	return exo_ipc_send(to, value, pg, perm, true);
}

SYSCALL_DEFINE2(exo_ipc_recv, uintptr_t, pg, struct exo_ipc_msg __user *, umsg)
{
	struct exo_ipc_msg msg;
	unsigned perm;
	int err;

	if (pg != (uintptr_t)EXO_NO_PAGE && !exo_va_ok(pg))
		return -EINVAL;
	/* The page would replace the message buffer under our feet. */
	if (pg != (uintptr_t)EXO_NO_PAGE && (uintptr_t)umsg < pg + PAGE_SIZE &&
	    (uintptr_t)umsg + sizeof(msg) > pg)
		return -EINVAL;
	/* The message must be storable before one is taken. */
	memset(&msg, 0, sizeof(msg));
	if (copy_to_user(umsg, &msg, sizeof(msg)))
		return -EFAULT;
	err = exo_ipc_recv(pg, &msg.from, &perm, &msg.value);
	if (err)
		return err;
	msg.perm = (int32_t)perm;
	return copy_to_user(umsg, &msg, sizeof(msg)) ? -EFAULT : 0;
}
