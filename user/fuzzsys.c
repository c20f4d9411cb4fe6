/*
 * fuzzsys.c - a system-call fuzzer (and soak load) that runs as init.
 *
 *   fuzzsys [--seed N] [--seconds S | --calls N] [--workers W] [--log]
 *           [--gen-ms MS] [--kill-timeout S] [--progress S] [--soak]
 *           [--cover | --no-guide | --no-cover] [--no-AREA ...]
 *
 * The process started with these options is the supervisor.  It never
 * fuzzes: it forks W worker processes, kills each one with SIGKILL after a
 * random lifetime around --gen-ms and starts the next generation in its
 * place, and checks that a killed worker is really gone within
 * --kill-timeout seconds ("fuzzsys: UNKILLABLE worker pid N" otherwise).  As
 * init it reaps its workers by pid and every orphan with wait4(-1).  Every
 * --progress seconds it prints "fuzzsys: calls=N procs=N ...", at the end
 * kills everything left (kill(-1, SIGKILL)), reaps it, prints
 * "fuzzsys: done seed=N calls=N procs=N ..." and exits 0 (1 when a process
 * could not be killed or a soak job failed).  It refuses to run unless it
 * is pid 1 (a worker that execs it by chance must not kill(-1)).
 *
 * A worker first leaves init's session (setsid), moves to /tmp/wI, sends
 * its standard fds to /dev/null and then loops over random operations, all
 * made with raw `syscall` instructions and no libc state (a fuzzed
 * arch_prctl or segment load may break TLS, so no errno, no stdio):
 *
 *   syscall   any number 0..FZ_NR_MAX (Linux's table, Keel has no range of
 *             its own) with hostile arguments: kernel and non-canonical
 *             pointers, NULL and low addresses, buffers that run into an
 *             unmapped page, valid buffers, huge sizes, negative numbers,
 *             valid and invalid fds, paths, random flag bits
 *   mm        mmap/munmap/mprotect/mremap/madvise/brk of random sizes
 *   clone     raw clone with random flags (threads, CLONE_VFORK,
 *             CLONE_VM|CLONE_THREAD|CLONE_VFORK, ...) on stacks of its own;
 *             the child makes a few calls and exits or execs
 *   fork      fork; the child fuzzes a bounded number of calls, then exits
 *   compat    far jump to the 32-bit user code segment, spin (timer
 *             signals arrive there), then `syscall`, int $0x80, sysenter,
 *             ud2 or hlt in compatibility mode, far jump back
 *   segment   load random selectors into ds/es/fs/gs/ss, make a call
 *   signal    handlers with random flags, sigaltstack, alarm/setitimer,
 *             raising signals
 *   exec      execve of random bytes, truncated ELF headers and #! lines
 *             written to /tmp
 *   hog       fill 64 MiB (towards out of memory); huge-mmap: MAP_SHARED
 *             anonymous mappings of up to 64 TiB
 *
 * Faults the worker causes on purpose (a bad selector, compat mode) are
 * recovered by its SIGSEGV/SIGILL/... handler, which resumes at the end of
 * the guarded operation.  Processes are bounded: a worker may create
 * FZ_FORK_BUDGET processes per generation, a child a quarter of its
 * parent's budget.  Workers never signal pid 1 or -1, and only signal
 * their process group after setsid.
 *
 * Reproducibility (unguided): every random choice of worker I in generation G comes
 * from one PRNG seeded from (seed, I, G).  --log prints every call before
 * it is made: "fz P wI gG #N nr=NR a0 a1 a2 a3 a4 a5" (raw write(2) to the
 * console, one line per call).
 *
 * Areas that kernels tend to get wrong can be left out: --no-compat,
 * --no-compat-syscall, --no-compat-signals, --no-vfork-exec,
 * --no-exit-signal, --no-huge-mmap, --no-oom, --no-segments, --no-signals,
 * --no-exec, --no-clone, --no-fork, --no-mm, --no-vfork (no CLONE_VFORK at
 * all).  All are on by default.
 *
 * --soak adds load jobs next to the workers, restarted as they finish:
 * fork/exec storms, pipe and signal ping-pong (fuzzsys --storm, --pingpong),
 * threadtests, spawnbg fed 20 lines (10 background children each), stress
 * badexec, forkexec.  A job that exits non-zero prints
 * "fuzzsys: JOB FAILED name status S".
 *
 * Coverage guidance (fuzz_cover.c): when /dev/kcov opens (a `make KCOV=1`
 * kernel), or with --cover, the supervisor maps a shared edge bitmap and a
 * ring of "interesting" calls before the first fork.  Every fuzzing thread
 * (worker, forked child, clone child) enables kcov for itself; each call's
 * kernel PCs are hashed as edges into the bitmap, and a system call that
 * set a new bit goes into the ring (number and arguments as generated, with
 * the kind each argument was drawn as).  Workers then replay a mutated ring
 * entry (one or a few arguments replaced by a hostile value of the same
 * kind, flag bits flipped, another fd) for about half of their system calls.
 * Progress and final lines add "cover=BITS corpus=ADDED replays=N
 * nokcov=THREADS"; --no-guide measures coverage but never replays (the
 * unguided baseline), --no-cover leaves /dev/kcov alone.  A thread whose
 * kcov setup fails (no device, EBUSY, no memory) fuzzes unguided.  Replays
 * depend on what other workers found and when, so with guidance a run is
 * reproduced from its --log output, not from the seed alone (replayed
 * calls are logged as "mutant" instead of "call").
 */
#include "fuzzsys.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct { const char *name; unsigned bit; } fz_areas[] = {
	{ "compat", AREA_COMPAT }, { "compat-syscall", AREA_COMPAT_SYSCALL },
	{ "compat-signals", AREA_COMPAT_SIGNALS }, { "vfork-exec", AREA_VFORK_EXEC },
	{ "exit-signal", AREA_EXIT_SIGNAL }, { "huge-mmap", AREA_HUGE_MMAP },
	{ "oom", AREA_OOM }, { "segments", AREA_SEGMENTS }, { "signals", AREA_SIGNALS },
	{ "exec", AREA_EXEC }, { "clone", AREA_CLONE }, { "fork", AREA_FORK },
	{ "mm", AREA_MM }, { "vfork", AREA_VFORK },
};

/* Options, fixed before the first fork. */
struct fz_opt opt = { .seed = 1, .gen_ms = 3000, .kill_timeout = 10, .progress = 5,
		      .workers = 4, .areas = ~0u };

struct fz_stats *stats;

/* ------------------------------------------------------------ output */
void out_str(struct fz_out *o, const char *s)
{
	while (*s && o->n < FZ_OUT_MAX - 1)
		o->b[o->n++] = *s++;
}

void out_u64(struct fz_out *o, uint64_t v, unsigned base)
{
	char t[24];
	int i = 0;

	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i > 0 && o->n < FZ_OUT_MAX - 1)
		o->b[o->n++] = t[--i];
}

/* " key=value" in decimal. */
void out_kv(struct fz_out *o, const char *key, uint64_t v)
{
	out_str(o, " ");
	out_str(o, key);
	out_str(o, "=");
	out_u64(o, v, 10);
}

void out_flush(struct fz_out *o, int fd)
{
	o->b[o->n++] = '\n';
	sc3(SYS_write, fd, o->b, o->n);
	o->n = 0;
}

void say(const char *msg)
{
	struct fz_out o = { .n = 0 };

	out_str(&o, "fuzzsys: ");
	out_str(&o, msg);
	out_flush(&o, STDOUT_FILENO);
}

long now_ms(void)
{
	struct timespec ts;

	sc2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC_MS + ts.tv_nsec / MSEC_NS;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / SEC_MS, (ms % SEC_MS) * MSEC_NS };

	sc2(SYS_nanosleep, &ts, NULL);
}

/* ------------------------------------------------------------ supervisor */
enum { W_IDLE, W_RUNNING, W_KILLED, W_DONE };

struct slot {
	int state, pid, gen;
	long deadline;          /* running: kill at; killed: when it was killed */
	const char *job;        /* soak job name, or NULL for a fuzz worker */
};

static struct slot slots[FZ_MAX_WORKERS * 2];
static void tree_walk(const char *dir, int depth, bool (*visit)(const char *, bool));
static bool snap_add(const char *path, bool isdir);
static bool clean_new(const char *path, bool isdir);
static int nslots;
static uint64_t sup_rng;
static long unkillable, jobs_failed, jobs_done;
static long kill_max_ms;       /* longest SIGKILL-to-reaped time of a worker */

static long sup_lifetime(void)
{
	sup_rng = splitmix(sup_rng);
	return opt.gen_ms / 2 + (long)(sup_rng % (uint64_t)(opt.gen_ms + 1));
}

static long worker_quota(void)
{
	return opt.calls ? (opt.calls + opt.workers - 1) / opt.workers : 0;
}

static void start_job(struct slot *s, int index);

static bool rm_all(const char *path, bool isdir);

static void slot_start(struct slot *s, int index)
{
	char dir[FZ_WORKER_DIR_LEN];

	if (index >= opt.workers) {
		start_job(s, index);
		return;
	}
	/* What the last generation left in its directory goes: over a long
	 * soak, those files would fill the RAM file system. */
	fz_worker_dir(index, dir);
	rm_all(dir, true);
	long pid = sc0(SYS_fork);
	if (pid == 0)
		worker_main(index, s->gen, worker_quota());
	if (pid < 0) {
		s->state = W_IDLE;
		s->deadline = now_ms() + 100;        /* try again soon */
		return;
	}
	stat_add(&stats->procs, 1);
	if (s->gen > 0)
		stat_add(&stats->restarts, 1);
	s->pid = (int)pid;
	s->state = W_RUNNING;
	s->deadline = now_ms() + sup_lifetime();
}

static void slot_kill(struct slot *s)
{
	sc2(SYS_kill, -s->pid, SIGKILL);
	sc2(SYS_kill, s->pid, SIGKILL);
	s->state = W_KILLED;
	s->deadline = now_ms();
}

static void slot_reaped(struct slot *s, int index, int status)
{
	if (s->state == W_KILLED && now_ms() - s->deadline > kill_max_ms)
		kill_max_ms = now_ms() - s->deadline;
	if (s->job) {
		jobs_done++;
		if (s->state != W_KILLED && status != 0) {
			struct fz_out o = { .n = 0 };
			out_str(&o, "fuzzsys: JOB FAILED ");
			out_str(&o, s->job);
			out_kv(&o, "status", (uint64_t)status);
			out_flush(&o, STDOUT_FILENO);
			jobs_failed++;
		}
	}
	s->gen++;
	s->state = W_IDLE;
	s->deadline = 0;
	(void)index;
}

static bool quota_done(int index)
{
	return index < opt.workers && opt.calls &&
	       (long)stats->worker_calls[index] >= worker_quota();
}

/* Reap by pid every worker, then every orphan with wait4(-1). */
static void sup_reap(void)
{
	int status;
	long pid;

	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		if (s->state != W_RUNNING && s->state != W_KILLED)
			continue;
		if (sc4(SYS_wait4, s->pid, &status, WNOHANG, NULL) == s->pid)
			slot_reaped(s, i, status);
	}
	while ((pid = sc4(SYS_wait4, -1, &status, WNOHANG, NULL)) > 0)
		for (int i = 0; i < nslots; i++)
			if ((slots[i].state == W_RUNNING || slots[i].state == W_KILLED) &&
			    slots[i].pid == pid)
				slot_reaped(&slots[i], i, status);
}

static void sup_check_killed(long t)
{
	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		if (s->state != W_KILLED || t - s->deadline < opt.kill_timeout * SEC_MS)
			continue;
		struct fz_out o = { .n = 0 };
		out_str(&o, "fuzzsys: UNKILLABLE worker pid ");
		out_u64(&o, (uint64_t)s->pid, 10);
		out_kv(&o, "slot", (uint64_t)i);
		out_kv(&o, "gen", (uint64_t)s->gen);
		out_flush(&o, STDOUT_FILENO);
		unkillable++;
		s->state = W_DONE;           /* never waited for again */
	}
}

static void sup_counts(struct fz_out *o, long t0)
{
	out_kv(o, "calls", stats->calls);
	out_kv(o, "procs", stats->procs);
	out_kv(o, "threads", stats->threads);
	out_kv(o, "execs", stats->execs);
	out_kv(o, "compat", stats->compat);
	out_kv(o, "faults", stats->faults);
	out_kv(o, "signals", stats->signals);
	out_kv(o, "restarts", stats->restarts);
	out_kv(o, "jobs", (uint64_t)jobs_done);
	out_kv(o, "seconds", (uint64_t)((now_ms() - t0) / SEC_MS));
}

/* End of the run: kill everything, wait (bounded) until it is gone. */
static void sup_finish(void)
{
	for (int i = 0; i < nslots; i++)
		if (slots[i].state == W_RUNNING)
			slot_kill(&slots[i]);
	sc2(SYS_kill, -1, SIGKILL);
	long end = now_ms() + opt.kill_timeout * SEC_MS;
	for (;;) {
		sup_reap();
		bool left = false;
		for (int i = 0; i < nslots; i++)
			left |= slots[i].state == W_KILLED;
		if (!left)
			break;
		if (now_ms() > end) {
			sup_check_killed(now_ms() + opt.kill_timeout * SEC_MS);
			break;
		}
		sleep_ms(10);
	}
	/* Orphans: everything but init got SIGKILL; each must go away. */
	int status;
	long pid;
	while (now_ms() < end) {
		pid = sc4(SYS_wait4, -1, &status, WNOHANG, NULL);
		if (pid < 0)
			return;                  /* -ECHILD: nobody left */
		if (pid == 0) {
			sc2(SYS_kill, -1, SIGKILL);
			sleep_ms(10);
		}
	}
	say("UNKILLABLE orphans remain after kill(-1, SIGKILL)");
	unkillable++;
}

static int supervisor(void)
{
	struct fz_out o = { .n = 0 };
	long t0 = now_ms(), next_progress = t0 + opt.progress * SEC_MS;
	long end = opt.seconds ? t0 + opt.seconds * SEC_MS : 0;
	bool cover = fz_cover_setup();

	out_str(&o, "fuzzsys: seed=");
	out_u64(&o, opt.seed, 10);
	out_kv(&o, "workers", (uint64_t)opt.workers);
	out_kv(&o, "seconds", (uint64_t)opt.seconds);
	out_kv(&o, "calls", (uint64_t)opt.calls);
	out_str(&o, opt.soak ? " soak" : "");
	out_str(&o, !cover ? " cover:off" : opt.no_guide ? " cover:measure" : " cover:guided");
	out_str(&o, " areas:");
	for (size_t i = 0; i < sizeof(fz_areas) / sizeof(fz_areas[0]); i++)
		if (!area(fz_areas[i].bit)) {
			out_str(&o, " no-");
			out_str(&o, fz_areas[i].name);
		}
	out_flush(&o, STDOUT_FILENO);
	sup_rng = splitmix(opt.seed);
	tree_walk("/", 0, snap_add);
	for (int i = 0; i < nslots; i++)
		slot_start(&slots[i], i);
	for (;;) {
		long t = now_ms();
		if (end && t >= end)
			break;
		sup_reap();
		sup_check_killed(t);
		bool all_done = opt.calls != 0;
		for (int i = 0; i < nslots; i++) {
			struct slot *s = &slots[i];
			if (quota_done(i)) {
				if (s->state == W_IDLE)
					s->state = W_DONE;
			} else if (i < opt.workers) {
				all_done = false;
			}
			if (s->state == W_IDLE && t >= s->deadline)
				slot_start(s, i);
			else if (s->state == W_RUNNING && !s->job && t >= s->deadline)
				slot_kill(s);
			else if (s->state == W_RUNNING && s->job && t >= s->deadline) {
				say("JOB FAILED: a soak job timed out");
				jobs_failed++;
				slot_kill(s);
			}
		}
		if (all_done && opt.calls)
			break;
		if (t >= next_progress) {
			o.n = 0;
			out_str(&o, "fuzzsys:");
			sup_counts(&o, t0);
			fz_cover_counts(&o, false);
			out_flush(&o, STDOUT_FILENO);
			next_progress += opt.progress * SEC_MS;
		}
		sleep_ms(10);
	}
	sup_finish();
	tree_walk("/", 0, clean_new);
	o.n = 0;
	out_str(&o, "fuzzsys: done seed=");
	out_u64(&o, opt.seed, 10);
	sup_counts(&o, t0);
	out_kv(&o, "unkillable", (uint64_t)unkillable);
	out_kv(&o, "jobfail", (uint64_t)jobs_failed);
	out_kv(&o, "killmax_ms", (uint64_t)kill_max_ms);
	fz_cover_counts(&o, true);
	out_flush(&o, STDOUT_FILENO);
	return unkillable || jobs_failed ? 1 : 0;
}

/* ------------------------------------------------------------ file cleanup */
/*
 * Workers create, rename and fill files wherever their paths lead.  The
 * supervisor lists the tree before the first worker starts and at the end
 * removes everything that was not there, so that the kernel's init-exit
 * report counts no file data as leaked frames.  /proc is left alone.
 */
#define SNAP_BYTES   (64 * 1024)
#define SNAP_DEPTH   16
#define SNAP_NAMES   4096
#define SNAP_PATH    512

static char snap[SNAP_BYTES];           /* "path\0path\0..." */
static size_t snap_len;

static bool snap_has(const char *path)
{
	for (size_t off = 0; off < snap_len; off += strlen(snap + off) + 1)
		if (strcmp(snap + off, path) == 0)
			return true;
	return false;
}

/*
 * Visit every entry below dir (symlinks not followed); visit() returns true
 * to descend into a directory.  Names are collected before any is visited,
 * so that visit() may remove entries.
 */
static void tree_walk(const char *dir, int depth, bool (*visit)(const char *, bool))
{
	char names[SNAP_NAMES], path[SNAP_PATH];
	struct dirent *e;
	size_t n = 0;

	if (depth > SNAP_DEPTH || strcmp(dir, "/proc") == 0)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    n + l + 1 > sizeof(names))
			continue;
		memcpy(names + n, e->d_name, l + 1);
		n += l + 1;
	}
	closedir(d);
	for (size_t off = 0; off < n; off += strlen(names + off) + 1) {
		struct stat st;
		int len = snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "",
				   names + off);
		if (len <= 0 || (size_t)len >= sizeof(path) ||
		    fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		bool isdir = S_ISDIR(st.st_mode);
		if (visit(path, isdir) && isdir)
			tree_walk(path, depth + 1, visit);
	}
}

static bool snap_add(const char *path, bool isdir)
{
	size_t l = strlen(path);

	if (snap_len + l + 1 <= sizeof(snap)) {
		memcpy(snap + snap_len, path, l + 1);
		snap_len += l + 1;
	}
	return isdir;
}

static bool rm_all(const char *path, bool isdir)
{
	if (isdir) {
		tree_walk(path, 0, rm_all);
		rmdir(path);
	} else {
		unlink(path);
	}
	return false;
}

static bool clean_new(const char *path, bool isdir)
{
	if (snap_has(path))
		return isdir;
	rm_all(path, isdir);
	return false;
}

/* ------------------------------------------------------------ soak jobs */
#define SOAK_JOBS        4
#define SOAK_JOB_MS      (180 * SEC_MS)
#define SOAK_SPAWN_LINES 20
#define STORM_CHILDREN   40
#define PINGPONG_ROUNDS  2000

static const struct {
	const char *name;
	const char *argv[16];
	bool spawn_input;       /* stdin: SOAK_SPAWN_LINES lines, then "quit" */
	bool console;           /* output to the console (else /dev/null) */
} soak_jobs[] = {
	{ "storm", { "/bin/fuzzsys", "--storm", NULL }, false, false },
	{ "pingpong", { "/bin/fuzzsys", "--pingpong", NULL }, false, false },
	{ "spawnbg", { "/bin/spawnbg", NULL }, true, false },
	{ "threadtests", { "/bin/threadtests", "create_join", "mutex_counter", "cond_pingpong",
			   "cond_prodcons", "exit_group_kills", "join_exited", "tls", "gettid",
			   "pthread_exit", "main_thread_exit", "futex_eagain", "futex_wake",
			   "yield_storm", NULL }, false, true },
	{ "badexec", { "/bin/stress", "badexec", NULL }, false, true },
	{ "forkexec", { "/bin/forkexec", NULL }, false, false },
};
#define SOAK_KINDS (sizeof(soak_jobs) / sizeof(soak_jobs[0]))

static void start_job(struct slot *s, int index)
{
	unsigned kind = (unsigned)(index - opt.workers + s->gen) % SOAK_KINDS;
	int in[2] = { -1, -1 };

	if (soak_jobs[kind].spawn_input && pipe(in) == 0) {
		for (int i = 0; i < SOAK_SPAWN_LINES; i++)
			(void)!write(in[1], "key\n", 4);
		(void)!write(in[1], "quit\n", 5);
	}
	long pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		setsid();
		dup2(in[0] >= 0 ? in[0] : null, STDIN_FILENO);
		if (!soak_jobs[kind].console) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(soak_jobs[kind].argv[0], (char **)soak_jobs[kind].argv);
		_exit(127);
	}
	if (in[0] >= 0) {
		close(in[0]);
		close(in[1]);
	}
	if (pid < 0) {
		s->state = W_IDLE;
		s->deadline = now_ms() + 100;
		return;
	}
	stat_add(&stats->procs, 1);
	s->job = soak_jobs[kind].name;
	s->pid = (int)pid;
	s->state = W_RUNNING;
	s->deadline = now_ms() + SOAK_JOB_MS;
}

/* fuzzsys --storm: fork STORM_CHILDREN children that exec and exit 0. */
static int storm(void)
{
	int bad = 0;

	for (int i = 0; i < STORM_CHILDREN; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execv(fz_exec_argv[0], fz_exec_argv);
			_exit(127);
		}
		if (pid < 0)
			continue;               /* out of processes: fine */
		if (i % 4 == 3)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
	int status;
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return bad ? 1 : 0;
}

static volatile sig_atomic_t pp_got;

static void pp_handler(int sig)
{
	(void)sig;
	pp_got++;
}

/* fuzzsys --pingpong: bytes and signals between two processes. */
static int pingpong(void)
{
	int a[2], b[2];
	char c = 0;

	if (pipe(a) || pipe(b))
		return 1;
	signal(SIGUSR1, pp_handler);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < PINGPONG_ROUNDS; i++) {
			if (read(a[0], &c, 1) != 1)
				_exit(1);
			kill(getppid(), SIGUSR1);
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	if (pid < 0)
		return 1;
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		c = (char)i;
		if (write(a[1], &c, 1) != 1)
			return 1;
		while (read(b[0], &c, 1) != 1)
			;                       /* EINTR from SIGUSR1 */
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && pp_got > 0 ? 0 : 1;
}

/* ------------------------------------------------------------ main */
static bool parse_long(const char *s, long *v)
{
	char *end;

	if (!s)
		return false;
	*v = strtol(s, &end, 0);
	return *s && !*end && *v >= 0;
}

static bool parse_area(const char *name)
{
	for (size_t i = 0; i < sizeof(fz_areas) / sizeof(fz_areas[0]); i++)
		if (strcmp(name, fz_areas[i].name) == 0) {
			opt.areas &= ~fz_areas[i].bit;
			return true;
		}
	return false;
}

static int usage(void)
{
	say("usage: fuzzsys [--seed N] [--seconds S | --calls N] [--workers W] [--log] "
	    "[--gen-ms MS] [--kill-timeout S] [--progress S] [--soak] "
	    "[--cover | --no-guide | --no-cover] [--no-AREA]...");
	return 2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;

		if (strcmp(a, "--exec-target") == 0)
			return 0;
		if (strcmp(a, "--storm") == 0)
			return storm();
		if (strcmp(a, "--pingpong") == 0)
			return pingpong();
		if (strcmp(a, "--log") == 0) {
			opt.log = true;
		} else if (strcmp(a, "--soak") == 0) {
			opt.soak = true;
		} else if (strcmp(a, "--cover") == 0) {
			opt.cover = true;
		} else if (strcmp(a, "--no-guide") == 0) {
			opt.no_guide = true;
		} else if (strcmp(a, "--no-cover") == 0) {
			opt.no_cover = true;
		} else if (strncmp(a, "--no-", 5) == 0) {
			if (!parse_area(a + 5))
				return usage();
		} else if (parse_long(v, &n)) {
			i++;
			if (strcmp(a, "--seed") == 0)
				opt.seed = (uint64_t)n;
			else if (strcmp(a, "--seconds") == 0)
				opt.seconds = n;
			else if (strcmp(a, "--calls") == 0)
				opt.calls = n;
			else if (strcmp(a, "--workers") == 0 && n >= 1 && n <= FZ_MAX_WORKERS)
				opt.workers = (int)n;
			else if (strcmp(a, "--gen-ms") == 0 && n > 0)
				opt.gen_ms = n;
			else if (strcmp(a, "--kill-timeout") == 0 && n > 0)
				opt.kill_timeout = n;
			else if (strcmp(a, "--progress") == 0 && n > 0)
				opt.progress = n;
			else
				return usage();
		} else {
			return usage();
		}
	}
	if (!opt.seconds && !opt.calls)
		opt.seconds = 60;
	/* The supervisor ends with kill(-1, SIGKILL): only as init. */
	if (getpid() != 1) {
		say("the supervisor runs only as init (pid 1)");
		return 2;
	}
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (stats == MAP_FAILED) {
		say("cannot map the shared counters");
		return 1;
	}
	nslots = opt.workers + (opt.soak ? SOAK_JOBS : 0);
	return supervisor();
}

