/*
 * kcovtest.c - checks /dev/kcov, Keel's per-thread kernel coverage, on a
 * kernel built with `make KCOV=1` (tests/system/test_kcov.py runs it as
 * init).  It uses user/kcov.h, the helper a coverage-guided fuzzer uses.
 *
 * Checks: bad use fails with Linux's errors (ioctls before init, double
 * init, bad sizes, wrong mmap, enabling twice, disabling from another
 * thread); getpid() and write() to /dev/null record non-empty PC sets in
 * kernel text that differ; nothing another thread or a child process does
 * is recorded in this thread's buffer, while that thread's own buffer sees
 * its calls; disabling stops recording; a thread that exits with coverage
 * enabled and its file closed, and threads that use and misuse kcov files
 * at random and exit leaving them open, mapped and enabled, leave nothing
 * behind (the kernel's init-exit report counts the frames).
 *
 * Output for the test: "kcovtest: <phase> pcs=N unique=U min=0x.. max=0x.."
 * per phase, getpid()'s PCs ("kcovtest: getpid-pcs 0x.. ..." for
 * tools/kcov-symbolize.py), "kcovtest: FAIL <what>" per failed check, and last
 * "kcovtest: N checks, N failed".  Exit status 0 when all passed, 2 when
 * /dev/kcov does not exist (a kernel without KCOV=1).  `kcovtest --churn`
 * runs only the random use and misuse (for fault injection).
 */
#include "kcov.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define KERNEL_MIN    0xffff800000000000ull   /* kernel half of the address space */
#define SMALL_WORDS   4096ul
#define BAD_MODE      1ul                     /* Linux's KCOV_TRACE_CMP */
#define BUSY_CALLS    2000                    /* another thread's system calls */
#define STRAY_MAX     BUSY_CALLS              /* each of those records >= 10 PCs */
#define EXIT_ABSENT   2

static int checks, failures;

static void check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("kcovtest: FAIL %s\n", what);
	}
}

static int ioctl_err(int fd, unsigned long cmd, unsigned long arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : -errno;
}

/* The recorded PCs, sorted: all of them, and without duplicates. */
struct pcset {
	uint64_t *all, *pc;
	size_t total, n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void pcset_take(struct pcset *s, const struct kcov *k, const char *phase)
{
	size_t n = kcov_count(k), u = 0;

	s->total = n;
	s->all = malloc((n + 1) * sizeof(uint64_t));
	s->pc = malloc((n + 1) * sizeof(uint64_t));
	if (!s->all || !s->pc) {
		printf("kcovtest: out of memory\n");
		exit(1);
	}
	memcpy(s->all, kcov_pcs(k), n * sizeof(uint64_t));
	qsort(s->all, n, sizeof(uint64_t), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || s->pc[u - 1] != s->all[i])
			s->pc[u++] = s->all[i];
	s->n = u;
	printf("kcovtest: %s pcs=%zu unique=%zu min=0x%llx max=0x%llx\n", phase, n, u,
	       u ? (unsigned long long)s->pc[0] : 0ull,
	       u ? (unsigned long long)s->pc[u - 1] : 0ull);
}

static int pcset_has(const struct pcset *s, uint64_t pc)
{
	return bsearch(&pc, s->pc, s->n, sizeof(uint64_t), cmp_u64) != NULL;
}

/* PCs of a that are in neither b nor c (into out). */
static void pcset_minus(struct pcset *out, const struct pcset *a, const struct pcset *b,
			const struct pcset *c)
{
	out->all = NULL;
	out->pc = malloc((a->n + 1) * sizeof(uint64_t));
	out->n = out->total = 0;
	if (!out->pc)
		exit(1);
	for (size_t i = 0; i < a->n; i++)
		if (!pcset_has(b, a->pc[i]) && !pcset_has(c, a->pc[i]))
			out->pc[out->n++] = a->pc[i];
}

static size_t pcset_common(const struct pcset *a, const struct pcset *b)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += pcset_has(b, a->pc[i]);
	return n;
}

/*
 * Check that no PC of calls was recorded in x nearly as often as another
 * context made those calls: had they been recorded, each of them would be
 * there BUSY_CALLS times.
 */
static void check_not_recorded(const struct pcset *x, const struct pcset *calls,
			       const char *what)
{
	size_t worst = 0, run;
	uint64_t worst_pc = 0;

	for (size_t i = 0; i < x->total; i += run) {
		for (run = 1; i + run < x->total && x->all[i + run] == x->all[i]; run++)
			;
		if (run > worst && pcset_has(calls, x->all[i])) {
			worst = run;
			worst_pc = x->all[i];
		}
	}
	check(x->total < STRAY_MAX && worst < BUSY_CALLS / 2, what);
	if (worst >= BUSY_CALLS / 2)
		printf("kcovtest:   pc 0x%llx recorded %zu times\n",
		       (unsigned long long)worst_pc, worst);
}

static void write_null(int fd, int times)
{
	for (int i = 0; i < times; i++)
		if (write(fd, "x", 1) != 1)
			check(0, "write /dev/null");
}

/* ---------------------------------------------------------------- bad use */

static void test_bad_use(void)
{
	int fd = open(KCOV_PATH, O_RDWR);
	void *p;

	check(fd >= 0, "open /dev/kcov");
	check(ioctl_err(fd, KCOV_ENABLE, KCOV_TRACE_PC) == -EINVAL, "enable before init");
	check(ioctl_err(fd, KCOV_DISABLE, 0) == -EINVAL, "disable before init");
	p = mmap(NULL, SMALL_WORDS * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap before init");
	check(ioctl_err(fd, KCOV_INIT_TRACE, 1) == -EINVAL, "init with 1 word");
	check(ioctl_err(fd, KCOV_INIT_TRACE, 1ul << 40) == -EINVAL, "init with 2^40 words");
	check(ioctl_err(fd, 0x6399, 0) == -ENOTTY, "unknown ioctl");
	check(ioctl_err(fd, KCOV_INIT_TRACE, SMALL_WORDS) == 0, "init");
	check(ioctl_err(fd, KCOV_INIT_TRACE, SMALL_WORDS) == -EBUSY, "double init");
	p = mmap(NULL, SMALL_WORDS * 16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap of the wrong size");
	p = mmap(NULL, SMALL_WORDS * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "private mmap");
	p = mmap(NULL, SMALL_WORDS * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	check(p == MAP_FAILED && errno == EINVAL, "mmap at an offset");
	check(ioctl_err(fd, KCOV_ENABLE, BAD_MODE) == -EINVAL, "enable in comparison mode");
	check(ioctl_err(fd, KCOV_DISABLE, 0) == -EINVAL, "disable when not enabled");
	check(ioctl_err(fd, KCOV_ENABLE, KCOV_TRACE_PC) == 0, "enable without mmap");
	check(ioctl_err(fd, KCOV_ENABLE, KCOV_TRACE_PC) == -EBUSY, "enable twice");
	check(ioctl_err(fd, KCOV_DISABLE, 0) == 0, "disable");
	close(fd);
}

/* ---------------------------------------------------------------- churn */

#define CHURN_THREADS 3
#define CHURN_ROUNDS  150
#define CHURN_FDS     4

static uint64_t churn_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random use and misuse of a few kcov files; the kernel must stay whole
 * (the init-exit report checks that every frame came back). */
static void *churn_main(void *arg)
{
	uint64_t x = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	int fd[CHURN_FDS];
	void *map[CHURN_FDS];
	size_t len[CHURN_FDS];

	for (int i = 0; i < CHURN_FDS; i++) {
		fd[i] = -1;
		map[i] = MAP_FAILED;
	}
	for (int r = 0; r < CHURN_ROUNDS; r++) {
		int i = churn_next(&x) % CHURN_FDS;
		unsigned long words = 1 + churn_next(&x) % (2 * SMALL_WORDS);

		switch (churn_next(&x) % 7) {
		case 0:
			if (fd[i] < 0)
				fd[i] = open(KCOV_PATH, O_RDWR);
			break;
		case 1:
			ioctl(fd[i], KCOV_INIT_TRACE, words);
			break;
		case 2:
			if (map[i] != MAP_FAILED)
				break;
			len[i] = words * 8;
			map[i] = mmap(NULL, len[i], PROT_READ | PROT_WRITE, MAP_SHARED, fd[i], 0);
			if (map[i] != MAP_FAILED)
				((volatile uint64_t *)map[i])[0] = churn_next(&x);
			break;
		case 3:
			ioctl(fd[i], KCOV_ENABLE, churn_next(&x) % 2);
			getppid();
			break;
		case 4:
			ioctl(fd[i], KCOV_DISABLE, 0);
			break;
		case 5:
			if (map[i] != MAP_FAILED)
				munmap(map[i], len[i]);
			map[i] = MAP_FAILED;
			break;
		default:
			close(fd[i]);
			fd[i] = -1;
			break;
		}
	}
	return NULL;                    /* files, mappings and coverage left as they are */
}

static void test_churn(void)
{
	pthread_t th[CHURN_THREADS];
	int made[CHURN_THREADS], ok = 1;

	for (uintptr_t i = 0; i < CHURN_THREADS; i++) {
		made[i] = pthread_create(&th[i], NULL, churn_main, (void *)(i + 1)) == 0;
		ok &= made[i];
	}
	for (int i = 0; i < CHURN_THREADS; i++)
		if (made[i])
			ok &= pthread_join(th[i], NULL) == 0;
	check(ok, "churn threads");
}

/* ---------------------------------------------------------------- threads */

struct other {
	struct kcov *mine;      /* the main thread's buffer */
	int pipe_wr, null_fd;
	struct pcset own;       /* what this thread's own buffer saw */
	int enable_err, disable_err;
};

/* Another thread: busy in the kernel while the main thread sleeps. */
static void *other_main(void *arg)
{
	struct other *o = arg;
	struct kcov k;

	o->enable_err = ioctl_err(o->mine->fd, KCOV_ENABLE, KCOV_TRACE_PC);
	o->disable_err = ioctl_err(o->mine->fd, KCOV_DISABLE, 0);
	write_null(o->null_fd, BUSY_CALLS);
	if (kcov_open(&k, KCOV_WORDS_DEFAULT) == 0 && kcov_enable(&k) == 0) {
		kcov_reset(&k);
		write_null(o->null_fd, 1);
		pcset_take(&o->own, &k, "thread-own-write");
		kcov_disable(&k);
	}
	kcov_close(&k);
	if (write(o->pipe_wr, "!", 1) != 1)
		check(0, "pipe write");
	return NULL;
}

/* A thread that enables coverage, closes the file and exits without
 * disabling: the kernel ends its coverage and frees the buffer. */
static void *leaver_main(void *arg)
{
	struct kcov k;
	int *ok = arg;

	if (kcov_open(&k, SMALL_WORDS) != 0 || kcov_enable(&k) != 0)
		return NULL;
	close(k.fd);
	kcov_reset(&k);
	getppid();
	*ok = kcov_count(&k) > 0;
	munmap(k.area, k.words * sizeof(uint64_t));
	return NULL;
}

int main(int argc, char **argv)
{
	struct pcset g, w, p, x, f, d;
	struct other o;
	struct kcov k;
	pthread_t th;
	int pfd[2], null_fd, err, leaver_ok = 0;
	char c;

	if (argc > 1 && strcmp(argv[1], "--churn") == 0) {
		test_churn();           /* alone, e.g. under failalloc= */
		printf("kcovtest: churn done\n");
		return 0;
	}
	err = kcov_open(&k, KCOV_WORDS_DEFAULT);
	if (err == -ENOENT) {
		printf("kcovtest: /dev/kcov is absent (kernel built without KCOV=1)\n");
		return EXIT_ABSENT;
	}
	check(err == 0, "kcov_open");
	if (err) {
		printf("kcovtest: kcov_open: %s\n", strerror(-err));
		return 1;
	}
	test_bad_use();
	null_fd = open("/dev/null", O_WRONLY);
	check(null_fd >= 0 && pipe(pfd) == 0, "open /dev/null, pipe");
	check(kcov_enable(&k) == 0, "enable");
	check(kcov_enable(&k) == -EBUSY, "enable twice");

	kcov_reset(&k);
	getpid();
	pcset_take(&g, &k, "getpid");
	printf("kcovtest: getpid-pcs");
	for (size_t i = 0; i < g.n; i++)
		printf(" 0x%llx", (unsigned long long)g.pc[i]);
	printf("\n");
	kcov_reset(&k);
	write_null(null_fd, 1);
	pcset_take(&w, &k, "write");
	check(g.n > 0 && w.n > 0, "getpid and write record PCs");
	check(g.pc[0] >= KERNEL_MIN && w.pc[0] >= KERNEL_MIN, "PCs are kernel addresses");
	check(w.n > pcset_common(&w, &g), "write covers code getpid does not");
	kcov_reset(&k);
	check(write(pfd[1], "?", 1) == 1 && read(pfd[0], &c, 1) == 1, "pipe round trip");
	pcset_take(&p, &k, "pipe");
	pcset_minus(&d, &w, &g, &p);
	printf("kcovtest: write-only pcs=%zu\n", d.n);
	check(d.n > 0, "write has PCs of its own");

	/* Another thread's system calls are not ours. */
	memset(&o, 0, sizeof(o));
	o.mine = &k;
	o.pipe_wr = pfd[1];
	o.null_fd = null_fd;
	check(pthread_create(&th, NULL, other_main, &o) == 0, "pthread_create");
	kcov_reset(&k);
	check(read(pfd[0], &c, 1) == 1, "wait for the other thread");
	pcset_take(&x, &k, "while-other-thread");
	check(pthread_join(th, NULL) == 0, "pthread_join");
	check(o.enable_err == -EBUSY, "enable from another thread while enabled");
	check(o.disable_err == -EINVAL, "disable from another thread");
	check_not_recorded(&x, &w, "another thread's calls are not recorded");
	check(o.own.n > 0 && pcset_common(&d, &o.own) > 0, "the other thread records its own");

	/* Nor are a child's. */
	pid_t pid = fork();
	if (pid == 0) {
		write_null(null_fd, BUSY_CALLS);
		_exit(0);
	}
	kcov_reset(&k);
	check(pid > 0 && waitpid(pid, NULL, 0) == pid, "fork and wait");
	pcset_take(&f, &k, "wait-for-child");
	check_not_recorded(&f, &w, "a child's calls are not recorded");

	/* Disabled: nothing more. */
	check(kcov_disable(&k) == 0, "disable");
	kcov_reset(&k);
	write_null(null_fd, 1);
	check(kcov_count(&k) == 0, "nothing recorded after disable");
	check(kcov_disable(&k) == -EINVAL, "disable twice");

	check(pthread_create(&th, NULL, leaver_main, &leaver_ok) == 0 &&
	      pthread_join(th, NULL) == 0 && leaver_ok, "exit with coverage on");
	test_churn();
	kcov_close(&k);
	close(null_fd);
	close(pfd[0]);
	close(pfd[1]);
	printf("kcovtest: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
