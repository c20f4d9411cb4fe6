/*
 * test_proc_files.c - in-kernel test of the rule for a process's open-file
 * table and working directory (proc->fdt, proc->cwd; keel/proc.h): another
 * process reads them through proc_get_fdt/proc_get_cwd, which take a
 * reference under the owner's lock; the pointers change only under that
 * lock (proc_set_fdt_locked/proc_set_cwd_locked assert it); and the
 * reference a reader took outlives the owner's exit.
 *
 * No process runs during in-kernel tests: the "other process" is a
 * hand-made struct proc, read from the test thread (a kernel thread).
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/proc.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/kmalloc.h>
#include <keel/refcount.h>
#include <keel/spinlock.h>

/*
 * The test thread (a kernel thread) reads the files and working directory
 * of another process, a hand-made one (no process runs during in-kernel
 * tests): each getter returns the object with a new reference; after the
 * owner's last thread cleared both (as proc_thread_exiting does, under
 * p->lock) the getters return NULL, and the references taken before
 * still keep the table and the vnode alive.
 */
KTEST(proc_fdt_cwd_from_another_process)
{
	struct proc *p = kzalloc(sizeof(*p));
	struct fdtable *fdt, *got_t, *old_t;
	struct vnode *root = vfs_root(), *got_v, *old_v;
	uint32_t root_refs;

	KT_CHECK(t, p != NULL);
	if (!p)
		return;
	spin_init(&p->lock, "proc");
	fdt = fdtable_create();
	KT_CHECK(t, fdt != NULL);
	if (!fdt)
		goto out_proc;
	/* Being built: nothing else sees p yet, no lock needed. */
	p->fdt = fdt;
	p->cwd = vnode_get(root);
	root_refs = refcount_read(&root->refcount);

	got_t = proc_get_fdt(p);
	got_v = proc_get_cwd(p);
	KT_CHECK(t, got_t == fdt);
	KT_CHECK_EQ(t, refcount_read(&fdt->refcount), 2);
	KT_CHECK(t, got_v == root);
	KT_CHECK_EQ(t, refcount_read(&root->refcount), root_refs + 1);

	/* The owner exits: both pointers cleared under its lock. */
	spin_lock(&p->lock);
	old_t = proc_set_fdt_locked(p, NULL);
	old_v = proc_set_cwd_locked(p, NULL);
	spin_unlock(&p->lock);
	KT_CHECK(t, old_t == fdt && old_v == root);
	fdtable_put(old_t);
	vnode_put(old_v);
	KT_CHECK(t, proc_get_fdt(p) == NULL);
	KT_CHECK(t, proc_get_cwd(p) == NULL);

	/* Our references are still good. */
	KT_CHECK_EQ(t, refcount_read(&fdt->refcount), 1);
	KT_CHECK(t, fdtable_lookup(got_t, 0) == NULL);
	KT_CHECK_EQ(t, refcount_read(&root->refcount), root_refs);
	fdtable_put(got_t);
	vnode_put(got_v);
	KT_CHECK_EQ(t, refcount_read(&root->refcount), root_refs - 1);
out_proc:
	kfree(p);
}
