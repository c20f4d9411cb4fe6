/*
 * sys_proc.c - process system calls: fork/vfork/clone, execve, exit,
 * exit_group, wait4, waitid, and the process/thread id calls.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/exec.h>
#include <keel/cred.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/signal.h>
#include <keel/sched.h>
#include <keel/klog.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>
#include <arch/user.h>

#define PATH_MAX_K      4096
#define EXEC_VEC_MAX    4096          /* argv/envp entries */
#define EXEC_STR_TOTAL  (128 << 10)   /* bytes of argv+envp strings */
#define EXEC_STR_MAX    EXEC_STR_TOTAL /* one string */
#define RUSAGE_SIZE     144           /* struct rusage (reported as all zero) */
#define WSTOPPED_K      WUNTRACED
#define P_ALL  0
#define P_PID  1
#define P_PGID 2

SYSCALL_DEFINE0(fork)
{
	return proc_clone(SIGCHLD, 0, NULL, NULL, 0);
}

SYSCALL_DEFINE0(vfork)
{
	/* The child borrows the address space; the parent waits until it execs or exits. */
	return proc_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
}

SYSCALL_DEFINE5(clone, unsigned long, flags, uintptr_t, stack, int __user *, ptid,
		int __user *, ctid, uint64_t, tls)
{
	if ((flags & CLONE_SIGNAL_MASK) > NSIG)
		return -EINVAL;
	return proc_clone(flags, stack, ptid, ctid, tls);
}

/*
 * Copy a NULL-terminated user vector of strings into kmalloc'd copies
 * (scratch holds EXEC_STR_MAX + 1 bytes); *budget limits the total.
 */
static int copy_strings(char *const __user *uvec, char ***out, size_t *budget, char *scratch)
{
	size_t n = 0, cap = 16;
	char **vec = kmalloc(cap * sizeof(char *), KM_ZERO);
	int err = 0;

	if (!vec)
		return -ENOMEM;
	for (; uvec; n++) {
		uint64_t uptr;
		if (copy_from_user(&uptr, &uvec[n], sizeof(uptr))) {
			err = -EFAULT;
			goto out_free;
		}
		if (!uptr)
			break;
		if (n + 2 > cap) {
			if (cap >= EXEC_VEC_MAX) {
				err = -E2BIG;
				goto out_free;
			}
			char **bigger = kmalloc(cap * 2 * sizeof(char *), KM_ZERO);
			if (!bigger) {
				err = -ENOMEM;
				goto out_free;
			}
			memcpy(bigger, vec, cap * sizeof(char *));
			kfree(vec);
			vec = bigger;
			cap *= 2;
		}
		long len = strncpy_from_user(scratch, (const char *)uptr,
					     MIN(*budget, (size_t)EXEC_STR_MAX) + 1);
		if (len < 0 || (size_t)len + 1 > *budget) {
			err = len < 0 && len != -ENAMETOOLONG ? (int)len : -E2BIG;
			goto out_free;
		}
		char *s = kmalloc((size_t)len + 1, 0);
		if (!s) {
			err = -ENOMEM;
			goto out_free;
		}
		memcpy(s, scratch, (size_t)len + 1);
		*budget -= (size_t)len + 1;
		vec[n] = s;
	}
	vec[n] = NULL;
	*out = vec;
	return 0;
out_free:
	for (size_t i = 0; i < n; i++)
		kfree(vec[i]);
	kfree(vec);
	return err;
}

static void free_strings(char **vec)
{
	for (size_t i = 0; vec && vec[i]; i++)
		kfree(vec[i]);
	kfree(vec);
}

/*
 * A descriptor table shared with another process (clone(CLONE_FILES)
 * without CLONE_THREAD) becomes the exec'ing process's own copy, as on
 * Linux: otherwise the other process would see, and could replace, what a
 * set-user-ID program opens.  The caller's other threads are gone, so no
 * one else reads p->fdt without the lock.  0 or -ENOMEM.
 */
static int exec_unshare_files(struct proc *p)
{
	struct fdtable *copy, *old;

	if (refcount_read(&p->fdt->refcount) == 1)
		return 0;
	copy = fdtable_clone(p->fdt);
	if (!copy)
		return -ENOMEM;
	spin_lock(&p->lock);
	old = proc_set_fdt_locked(p, copy);
	spin_unlock(&p->lock);
	fdtable_put(old);
	return 0;
}

SYSCALL_DEFINE3(execve, const char __user *, upath, char *const __user *, uargv,
		char *const __user *, uenvp)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	char **argv = NULL, **envp = NULL;
	size_t budget = EXEC_STR_TOTAL;
	struct exec_image img;
	struct mm *mm, *old;
	bool secure;
	char *path;
	long err;

	char *scratch;

	path = kmalloc(PATH_MAX_K, 0);
	scratch = kmalloc(EXEC_STR_MAX + 1, 0);
	if (!path || !scratch) {
		err = -ENOMEM;
		goto out_path;
	}
	err = strncpy_from_user(path, upath, PATH_MAX_K);
	if (err < 0)
		goto out_path;
	if ((err = copy_strings(uargv, &argv, &budget, scratch)) ||
	    (err = copy_strings(uenvp, &envp, &budget, scratch)))
		goto out_strings;
	mm = vm_create();
	if (!mm) {
		err = -ENOMEM;
		goto out_strings;
	}
	err = exec_load(mm, path, argv, envp, &img);
	if (err) {
		vm_put(mm);
		goto out_strings;
	}
	/* Point of no return: the other threads go, then the new image comes. */
	err = proc_kill_other_threads();
	if (!err)
		err = exec_unshare_files(p);
	if (err) {
		vm_put(mm);
		goto out_strings;
	}
	spin_lock(&proc_tree_lock);
	p->did_exec = true;             /* its parent's setpgid: EACCES */
	spin_unlock(&proc_tree_lock);
	arch_irq_disable();
	old = t->mm;
	spin_lock(&p->lock);
	p->mm = mm;
	strlcpy(p->name, img.name, sizeof(p->name));
	for (int s = 0; s < NSIG; s++)
		if (p->sigactions[s].handler > 1)      /* caught -> default */
			p->sigactions[s].handler = 0;
	exo_proc_exec_locked(p);                /* no page-fault upcall either */
	cred_exec_locked(p, img.set_uid, img.set_gid);  /* set-id files; saved := effective */
	/* Linux: dumpable again after exec, unless the program runs set-id. */
	secure = cred_exec_secure(&p->cred);
	p->dumpable = !secure;
	spin_unlock(&p->lock);
	t->mm = mm;
	vm_user_enter(mm);
	vm_switch(mm);
	arch_irq_enable();
	if (secure) {
		spin_lock(&proc_tree_lock);
		p->pdeath_sig = 0;      /* as Linux, for a set-id program (AT_SECURE) */
		spin_unlock(&proc_tree_lock);
	}
	vm_user_leave(old);
	vm_put(old);
	proc_vfork_release(t);
	strlcpy(t->name, img.name, sizeof(t->name));
	fdtable_close_on_exec(p->fdt);
	t->fs_base = 0;
	t->clear_child_tid = 0;
	t->sas_sp = 0;                  /* no alternate signal stack in the new image */
	t->sas_size = 0;
	t->sas_flags = 0;
	arch_thread_fpu_reset(t);
	__asm__ volatile("" ::: "memory");
	arch_user_frame_init(t->utf, img.entry, img.sp);
	arch_thread_set_fs_base(0);
	arch_thread_fpu_load(t);
	err = 0;
out_strings:
	free_strings(argv);
	free_strings(envp);
out_path:
	kfree(scratch);
	kfree(path);
	return err;
}

SYSCALL_DEFINE1(exit, int, code)
{
	proc_exit_thread(code);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	proc_exit_group(code, false);
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, ustatus, int, options, void __user *, rusage)
{
	struct k_rusage ru;
	int status = 0;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;          /* as Linux: -pid would overflow */
	if (rusage && !user_range_ok((uintptr_t)rusage, sizeof(ru)))
		return -EFAULT;
	if (ustatus && !user_range_ok((uintptr_t)ustatus, sizeof(int)))
		return -EFAULT;
	memset(&ru, 0, sizeof(ru));
	proc_wait_usage(rusage ? &ru : NULL);
	ret = proc_wait(pid, &status, (options & (WNOHANG | WUNTRACED | WCONTINUED)) | WEXITED);
	proc_wait_usage(NULL);
	if (ret > 0 && ustatus && copy_to_user(ustatus, &status, sizeof(status)))
		return -EFAULT;
	if (ret > 0 && rusage && copy_to_user(rusage, &ru, sizeof(ru)))
		return -EFAULT;
	return ret;
}

/* waitid's siginfo from a wait status (encoding as proc_wait's). */
static void waitid_info(struct ksiginfo *si, int pid, int status)
{
	si->si_signo = SIGCHLD;
	si->chld.pid = pid;
	if (status == WAIT_CONTINUED_STATUS) {
		si->si_code = CLD_CONTINUED;
		si->chld.status = SIGCONT;
	} else if ((status & 0xff) == WAIT_STOPPED_CODE) {
		si->si_code = CLD_STOPPED;
		si->chld.status = (status >> 8) & 0xff;
	} else if (status & WAIT_SIG_MASK) {
		si->si_code = (status & WAIT_CORE_FLAG) ? CLD_DUMPED : CLD_KILLED;
		si->chld.status = status & WAIT_SIG_MASK;
	} else {
		si->si_code = CLD_EXITED;
		si->chld.status = (status >> 8) & 0xff;
	}
}

SYSCALL_DEFINE5(waitid, int, idtype, int, id, void __user *, infop, int, options,
		void __user *, rusage)
{
	struct ksiginfo si;
	int status = 0, pid;
	long ret;

	if (!(options & (WEXITED | WSTOPPED_K | WCONTINUED)) ||
	    (options & ~(WNOHANG | WEXITED | WNOWAIT | WSTOPPED_K | WCONTINUED | __WALL | __WCLONE)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		pid = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		pid = id ? -id : 0;
		break;
	default:
		return -EINVAL;
	}
	if (infop && !user_range_ok((uintptr_t)infop, sizeof(si)))
		return -EFAULT;
	ret = proc_wait(pid, &status,
			options & (WNOHANG | WNOWAIT | WEXITED | WSTOPPED_K | WCONTINUED));
	if (ret < 0)
		return ret;
	memset(&si, 0, sizeof(si));
	if (ret > 0)
		waitid_info(&si, (int)ret, status);
	if (infop && copy_to_user(infop, &si, sizeof(si)))
		return -EFAULT;
	if (rusage && clear_user(rusage, RUSAGE_SIZE))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(getpid)
{
	return proc_current()->pid;
}

SYSCALL_DEFINE0(gettid)
{
	return thread_current()->tid;
}

SYSCALL_DEFINE0(getppid)
{
	struct proc *p = proc_current();
	int ppid;

	spin_lock(&proc_tree_lock);
	ppid = p->parent ? p->parent->pid : 0;
	spin_unlock(&proc_tree_lock);
	return ppid;
}

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	struct thread *t = thread_current();

	t->clear_child_tid = (uintptr_t)tidptr;
	return t->tid;
}

/* Has group pgid a member in session sid?  [proc_tree_lock] held. */
static bool setpgid_group_in_session(int pgid, int sid)
{
	struct pid *grp = pid_lookup(pgid);
	struct list *pos;

	spin_assert_held(&proc_tree_lock);
	if (!grp)
		return false;
	list_for_each(pos, &grp->pgrp)
		if (list_entry(pos, struct proc, pgrp_node)->sid == sid)
			return true;
	return false;
}

/*
 * May me move p (NULL: not found) to group pgid?  Linux's rules: p is me
 * or a child of mine (ESRCH), a child in my session (EPERM) that has not
 * exec'd (EACCES); no session leader (EPERM); a group other than p's own
 * number must exist in my session (EPERM).  [proc_tree_lock] held.
 */
static long setpgid_check(struct proc *me, struct proc *p, int pgid)
{
	spin_assert_held(&proc_tree_lock);
	if (!p || (p != me && p->parent != me))
		return -ESRCH;
	if (p != me && p->sid != me->sid)
		return -EPERM;
	if (p != me && p->did_exec)
		return -EACCES;
	if (p->sid == p->pid)
		return -EPERM;
	if (pgid != p->pid && !setpgid_group_in_session(pgid, me->sid))
		return -EPERM;
	return 0;
}

/*
 * setpgid: the caller or one of its children joins process group pgid (0:
 * its own pid).  A group number that nothing
 * uses needs a new pid-table entry: allocated with the lock dropped, then
 * everything is looked up again.
 */
SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	struct proc *me = proc_current(), *p;
	struct list dead = LIST_INIT(dead);
	struct pid *spare = NULL;
	bool need_spare;
	long ret;

	if (pgid < 0)
		return -EINVAL;
	for (;;) {
		need_spare = false;
		ret = 0;
		spin_lock(&proc_tree_lock);
		p = pid ? proc_find(pid) : me;
		ret = setpgid_check(me, p, pgid ? pgid : (p ? p->pid : 0));
		if (!ret)
			need_spare = !pid_set_pgrp(p, pgid ? pgid : p->pid, &spare, &dead);
		spin_unlock(&proc_tree_lock);
		if (!need_spare)
			break;
		spare = pid_entry_alloc();      /* with a spare, the next round succeeds */
		if (!spare) {
			ret = -ENOMEM;
			break;
		}
	}
	pid_free_dead(&dead);
	pid_entry_free(spare);
	return ret;
}

/* The process group (or session, if sid) of pid (0: the caller). */
static long pid_group(int pid, bool sid)
{
	struct proc *p;
	long ret;

	spin_lock(&proc_tree_lock);
	p = pid ? proc_find(pid) : proc_current();
	ret = !p ? -ESRCH : sid ? p->sid : p->pgid;
	spin_unlock(&proc_tree_lock);
	return ret;
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	return pid_group(pid, false);
}

SYSCALL_DEFINE0(getpgrp)
{
	return proc_current()->pgid;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	return pid_group(pid, true);
}

SYSCALL_DEFINE0(setsid)
{
	struct proc *p = proc_current();
	struct list dead = LIST_INIT(dead);
	long ret;

	spin_lock(&proc_tree_lock);
	if (p->pgid == p->pid) {
		ret = -EPERM;
	} else {
		pid_set_session(p, &dead);
		p->ctty = NULL; /* a new session has no controlling terminal */
		ret = p->sid;
	}
	spin_unlock(&proc_tree_lock);
	pid_free_dead(&dead);
	return ret;
}
