/*
 * usertests.h - the harness shared by the files of /bin/usertests.
 *
 * usertests (like xv6's) is a table of small test functions, each run in a
 * child process of its own: a test passes when its function returns, and
 * fails when it calls utest_fail() (which exits the child) or dies.  The
 * runner (utest_main() in utest.c) prints one "usertests: PASS name" or "usertests: FAIL name:
 * reason" line per test and a closing "usertests: N passed, N failed".
 *
 * Tests speak the Linux x86-64 ABI and must pass on Linux first.  They call
 * raw syscall() wherever a libc wrapper could hide what is being tested
 * (errno values, bad pointers, vDSO), print nothing themselves, never use
 * stdio (its buffers would be duplicated by fork) and wait for their
 * children by pid, never with -1 (usertests may be PID 1 and then inherit
 * orphans that are not its own).
 */
#ifndef USERTESTS_H
#define USERTESTS_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

/* Addresses no user pointer may name: low, non-canonical, kernel half. */
#define UT_BAD_LOW ((void *)1)
#define UT_BAD_NONCANON ((void *)0x0000800000000000ull)
#define UT_BAD_KERNEL ((void *)0xffff800000000000ull)
#define UT_PAGE 4096

/* Linux x86-64 signal-frame layout, for tests that forge or read frames:
 * word offsets into ucontext and its mcontext's gregs. */
#define UT_SA_RESTORER 0x04000000ul
#define UT_UC_MCONTEXT 5		/* words: uc_flags, uc_link, uc_stack */
#define UT_MC_RSP 15			/* words into mcontext's gregs */
#define UT_MC_RIP 16
#define UT_MC_EFLAGS 17
#define UT_MC_CSGSFS 18
#define UT_EFLAGS_IF 0x202ul

/* Directory of the helper programs (usertests, hello): $USERTESTS_BIN, else
 * the directory of argv[0], else /bin. */
const char *ut_bindir(void);

/* Fills buf with "<bindir>/<prog>". */
void ut_binpath(char *buf, size_t size, const char *prog);

/* A scratch path unique to this test process: "/tmp/ut.<pid>.<tag>". */
void ut_tmppath(char *buf, size_t size, const char *tag);

/* Runs fn(arg) in a child (stdout/stderr kept); returns its wait status. */
int ut_in_child(void (*fn)(void *), void *arg);

/*
 * Also from utest.h: utest_fail(), utest_fork(), utest_wait(),
 * utest_now_ns(), utest_write_all(), utest_read_all() and the UT_CHECK,
 * UT_CHECK_ERR, UT_OK, UT_CHECK_KILLED, UT_CHECK_EXIT macros.
 */

/* The test functions, one file per area. */
#define UT_TESTS(X)                    \
	X(fork_exit_wait)              \
	X(fork_chain)                  \
	X(fork_tree)                   \
	X(reparent)                    \
	X(kill_pgrp)                   \
	X(exec_args_env)               \
	X(exec_hello)                  \
	X(exec_fail)                   \
	X(exec_cloexec)                \
	X(cow)                         \
	X(demand_zero)                 \
	X(mmap_prot)                   \
	X(munmap)                      \
	X(nx)                          \
	X(brk)                         \
	X(kernel_addr_fault)           \
	X(pipe_data)                   \
	X(pipe_eof)                    \
	X(pipe_full_blocks)            \
	X(pipe_sigpipe)                \
	X(efault)                      \
	X(ebadf)                       \
	X(dup)                         \
	X(file_rw)                     \
	X(getdents)                    \
	X(dirs)                        \
	X(ftruncate)                   \
	X(sync_calls)                  \
	X(clock)                       \
	X(nanosleep)                   \
	X(uname)                       \
	X(nt_flag_syscall)             \
	X(argv_budget)                 \
	X(itimer_race)                 \
	X(lostwake_exit)               \
	X(fpu_fork_thread)             \
	X(brk_collision)               \
	X(kill_minus1_spares_caller)   \
	X(vfork_suspends_parent)       \
	X(mmap_fixed_bad_fd_keeps_mapping) \
	X(noncanonical_rip_kills_process) \
	X(clone_settls_noncanonical_eperm) \
	X(clone_settid_readonly)       \
	/* 32-bit entry points: compat-mode syscall, sysenter, signals (ut_compat.c) */ \
	X(compat_syscall_enosys)       \
	X(compat_sysenter_sigsegv)     \
	X(compat_signal_runs_64bit)    \
	X(compat_sigreturn_bad_cs_sigsegv) \
	X(compat_gs_base_kernel_eperm) \
	/* What an outside fuzzer found (ut_hostile.c) */ \
	X(vfork_thread_exec)           \
	X(vfork_wait_killable)         \
	X(mmap_shared_lazy)            \
	X(mmap_commit_limit)           \
	X(mmap_dev_zero)               \
	/* Waiting on many files (ut_poll.c) */ \
	X(poll_pipe_events)            \
	X(poll_wakes_and_times_out)    \
	X(poll_nval_and_negative)      \
	X(poll_fd_closed_by_thread)    \
	X(ppoll_sigmask)               \
	X(select_pipe)                 \
	X(pselect_sigmask)             \
	X(sigsuspend_mask)             \
	X(meta_chmod)                  \
	X(meta_chown)                  \
	X(meta_utimens)                \
	X(meta_truncate)               \
	X(meta_link)                   \
	X(meta_statfs)                 \
	X(groups_set)                  \
	X(hostname_set)                \
	X(realtime_clock)              \
	X(nanosleep_realtime_relative) \
	X(rusage_self)                 \
	X(rusage_children)             \
	X(rlimit_nofile)               \
	X(rlimit_as)                   \
	X(rlimit_stack)                \
	X(rlimit_fsize)                \
	X(rlimit_prlimit)              \
	X(syslog_read)                 \
	X(jobctl_stop_cont)            \
	X(jobctl_waitid)               \
	X(jobctl_sigchld_info)         \
	X(jobctl_nocldstop)            \
	X(jobctl_kill_stopped)         \
	X(jobctl_pending_cont)         \
	X(jobctl_stop_restarts)        \
	X(jobctl_orphan_hup)           \
	X(jobctl_orphan_tstp)          \
	X(jobctl_init_ignores)         \
	X(jobctl_setpgid_errors)       \
	X(sig_resethand)               \
	X(sig_nodefer)                 \
	X(sig_altstack)                \
	X(sig_queueinfo)               \
	X(sig_rt_queue)                \
	X(sig_timedwait)               \
	X(sig_pending)                 \
	X(sig_restart_read)            \
	X(sig_segv_info)               \
	X(sig_nocldwait)               \
	/* /proc and mount (ut_procfs.c) */ \
	X(procfs_self_stat)            \
	X(procfs_self_status)          \
	X(procfs_cmdline_child)        \
	X(procfs_maps)                 \
	X(procfs_fd_links)             \
	X(procfs_self_links)           \
	X(procfs_task_threads)         \
	X(procfs_system_files)         \
	X(mount_tmpfs)                 \
	X(mount_errors)                \
	X(mount_proc_remount)          \
	X(mount_readonly_noexec)       \
	/* Terminals (ut_tty.c) */ \
	X(tty_enotty_elsewhere)        \
	X(tty_termios_winsize)         \
	X(tty_vmin_vtime_no_input)     \
	X(tty_devtty_without_ctty)     \
	X(tty_ctty_open)               \
	X(tty_ctty_sctty)              \
	X(tty_leader_exit_hangup)      \
	X(tty_tcxonc_stops_writers)    \
	X(ioctl_generic_flags)         \
	/* epoll, eventfd, timerfd, FIFOs, sendfile (ut_epoll.c) */ \
	X(epoll_pipe_triggers)         \
	X(epoll_close_removes)         \
	X(epoll_ctl_errors)            \
	X(epoll_wait_timeouts)         \
	X(epoll_pwait_sigmask)         \
	X(epoll_nested)                \
	X(epoll_nested_chain)          \
	X(eventfd_counter)             \
	X(eventfd_epoll)               \
	X(timerfd_oneshot)             \
	X(timerfd_periodic)            \
	X(timerfd_epoll)               \
	X(fifo_open_and_data)          \
	X(mknod_types)                 \
	X(sendfile_copy)               \
	X(epoll_stress_ctl_close)        \
	X(image_refill_read_self)        \
	X(image_refill_contents)         \
	X(image_refill_read_other)      \
	X(image_data_pages)              \
	X(syscall_regs_kept)             \
	/* credentials (ut_cred.c) */   \
	X(cred_root_setuid)            \
	X(cred_saved_uid)              \
	X(cred_nonroot_refused)        \
	X(cred_gid_calls)              \
	X(cred_fork_exec)              \
	X(cred_proc_status)            \
	X(cred_getres_efault)          \
	X(cred_kill_permission)        \
	/* file permissions (ut_perm.c) */ \
	X(perm_open_modes)             \
	X(perm_dir_search)             \
	X(perm_create_delete)          \
	X(perm_sticky)                 \
	X(perm_chmod_chown)            \
	X(perm_access_real_ids)        \
	X(perm_times_truncate)         \
	X(perm_exec)                   \
	X(perm_proc_owner)             \
	X(perm_erofs_order)            \
	X(perm_exec_unshares_files)    \
	X(perm_setuid_exec)            \
	/* exact errors (ut_errno.c) */ \
	X(errno_getcwd)                \
	X(errno_mmap_order)            \
	X(errno_clock_nanosleep)       \
	/* /proc/sys, pipe sizes (ut_sysctl.c) */ \
	X(sysctl_files)                \
	X(sysctl_max_map_count)        \
	X(pipe_size)                   \
	/* memory calls (ut_memadv.c) */ \
	X(mem_mlock)                   \
	X(mem_mincore)                 \
	X(mem_msync)                   \
	X(mem_madvise_fork)            \
	X(mem_personality)             \
	X(mem_mremap)                  \
	/* System V shared memory (ut_shm.c) */ \
	X(shm_share_fork)              \
	X(shm_keys_perms)              \
	X(shm_attach_rules)            \
	/* System V semaphores (ut_sem.c) */ \
	X(sem_ops)                     \
	X(sem_waits)                   \
	X(sem_undo)                    \
	X(sem_keys_perms)              \
	/* advisory locks (ut_flock.c) */ \
	X(lock_posix_ranges)           \
	X(lock_posix_close)            \
	X(lock_posix_wait)             \
	X(lock_ofd)                    \
	X(lock_flock)                  \
	X(lock_errors)                 \
	/* prctl (ut_prctl.c) */       \
	X(prctl_pdeathsig)             \
	X(prctl_subreaper)             \
	X(prctl_dumpable)              \
	X(prctl_no_new_privs)          \
	X(clone_parent)                \
	X(pidfd_basics)                \
	/* ioperm, iopl (ut_ioport.c) */ \
	X(ioport_einval)               \
	X(ioport_allowed_port)         \
	X(ioport_unprivileged)         \
	X(ioport_fork_exec)            \
	X(ioport_iopl3)                \
	X(ioport_threads)              \
	X(ioport_switch_smp)

#define UT_DECLARE(name) void ut_##name(void);
UT_TESTS(UT_DECLARE)
#undef UT_DECLARE

/* Helper modes of the usertests binary, run through exec by the tests. */
int ut_helper_echo(int argc, char **argv, char **envp);
int ut_helper_fdcheck(int argc, char **argv);
int ut_helper_cred(int argc, char **argv); /* --cred: ut_cred.c */
int ut_helper_dumpable(void);              /* --dumpable: ut_prctl.c */
int ut_helper_nnp(void);                   /* --nnp: ut_prctl.c */
int ut_helper_open_probe(void);            /* --open-probe: ut_perm.c */
/* Remove SysV segments the tests left behind (ut_shm.c). */
void ut_clean_shm(void);
int ut_helper_inb(int argc, char **argv);  /* --inb: ut_ioport.c */

/* "usertests --orphan-init", for a system test that boots it as init. */
int ut_helper_orphan_init(void);

#endif /* USERTESTS_H */
