/*
 * lockdep.c - the lock-order validator and the other lock debug checks of
 * debug builds, for spinlocks and sleeping mutexes (see keel/lockdep.h for
 * what is checked, and docs/locking.md for how to read a report).
 *
 * Data:
 *  - classes: ld_classes[1..ld_nclasses), found through an open-addressing
 *    hash table (ld_hash) keyed by (name contents, subclass, kind: spinlock
 *    or mutex).  A class is written completely before its id is published
 *    in ld_hash, and never changes after, so lookups take no lock.  Class 0
 *    means "none".  The class of a lock's subclass 0 is cached in the lock
 *    (spinlock.lockdep_class, mutex.lockdep_class).
 *  - the graph: ld_adj[a] has bit b set for a recorded edge a -> b.  It
 *    is kept acyclic: an acquisition that would close a cycle is reported
 *    and not added.  ld_known[a] bit b means "a -> b needs no more work"
 *    (edge recorded, or the inversion was reported); it is the lock-free
 *    fast path of every acquisition.  ld_edges[] keeps the stack of the
 *    first time each edge was seen (immutable once counted).
 *  - per CPU: lockdep_cpus[id].held, the spinlocks this CPU holds or is
 *    waiting for, outermost first.
 *  - per thread: thread->lockdep.held, the mutexes the thread holds or is
 *    waiting for, outermost first.  Only the thread itself touches it, from
 *    the hooks here with interrupts off; interrupt handlers never look at
 *    it (a handler does not hold the mutexes of the thread it interrupted).
 *
 * Lock key (tags as in docs/locking.md): [ld_graph_lock] a raw
 * test-and-set flag taken with interrupts off, not itself tracked; no
 * printing while it is held.  [A] atomic, [I] immutable once published,
 * [C] only the owning CPU (or thread), with interrupts off.  Reports are printed after the graph lock is dropped;
 * they may take the console lock (tracked normally) unless this CPU holds
 * it or is about to take it, when they write to the console unlocked.
 *
 * Re-entry: ld->busy is set while this CPU runs lockdep code that changes
 * its held stack or holds the graph lock; an acquisition that arrives then
 * (only an NMI can) is ignored, so lockdep never deadlocks on itself.
 */
#include <keel/lockdep.h>
#include <keel/spinlock.h>
#include <keel/mutex.h>
#include <keel/thread.h>
#include <keel/cpu.h>
#include <keel/console.h>
#include <keel/ksyms.h>
#include <keel/panic.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <arch/arch.h>

#if KEEL_DEBUG

#define LOCKDEP_MAX_CLASSES  256   /* ids 1..255; 0 is "no class" */
#define LOCKDEP_HASH_SIZE    512   /* power of two > LOCKDEP_MAX_CLASSES */
#define LOCKDEP_NAME_MAX     32    /* bytes of a class name kept */
#define LOCKDEP_MAX_EDGES    512   /* edges with a saved stack */
#define LOCKDEP_EDGE_FRAMES  8     /* frames saved per edge */
#define LOCKDEP_PRINT_FRAMES 16    /* frames printed of a live stack */
#define LOCKDEP_MAX_HELD     16    /* per-CPU held-spinlock stack */
#define LOCKDEP_PATH_MAX     16    /* classes printed of a cycle */
#define LOCKDEP_LINE_MAX     192   /* one printed line */
#define LOCKDEP_WORD_BITS    64
#define LOCKDEP_WORDS        (LOCKDEP_MAX_CLASSES / LOCKDEP_WORD_BITS)
#define LOCKDEP_FNV_OFFSET   2166136261u
#define LOCKDEP_FNV_PRIME    16777619u
/*
 * Frames between lockdep_acquire (lockdep_mutex_acquire) and the caller of
 * spin_lock (mutex_lock): spin_lock (mutex_lock) itself.
 */
#define LOCKDEP_SKIP_FRAMES  1
#define LD_STR_(x)           #x
#define LD_STR(x)            LD_STR_(x)
/* Class name of the console output lock (kernel/core/console.c). */
#define LOCKDEP_CONSOLE_NAME "console"
#define LOCKDEP_UNNAMED      "(unnamed)"

_Static_assert((LOCKDEP_HASH_SIZE & (LOCKDEP_HASH_SIZE - 1)) == 0 &&
	       LOCKDEP_HASH_SIZE > LOCKDEP_MAX_CLASSES, "hash table size");
_Static_assert(LOCKDEP_MAX_CLASSES % LOCKDEP_WORD_BITS == 0, "bitmap rows");
_Static_assert(LOCKDEP_MAX_CLASSES - 1 <= UINT16_MAX, "class ids are u16");

struct lockdep_class {
	uint32_t hash;                  /* [I] hash of the whole name */
	uint16_t len;                   /* [I] strlen of the whole name */
	uint16_t subclass;              /* [I] */
	bool sleeping;                  /* [I] a mutex class */
	char name[LOCKDEP_NAME_MAX];    /* [I] NUL-terminated, maybe cut */
};

struct lockdep_edge {
	uint16_t from, to;              /* [I] classes */
	unsigned nframes;               /* [I] valid entries of stack[] */
	uintptr_t from_pc;              /* [I] where `from` was taken */
	uintptr_t stack[LOCKDEP_EDGE_FRAMES]; /* [I] where `to` was taken */
};

struct lockdep_cpu {
	struct lockdep_held held[LOCKDEP_MAX_HELD]; /* [C] outermost first */
	unsigned depth;                 /* [C] valid entries of held[] */
	unsigned lost;                  /* [C] acquisitions held[] had no room for */
	bool busy;                      /* [C] inside lockdep; ignore re-entry */
};

/* What one acquisition found; printed once the graph lock is dropped. */
enum ld_report_kind {
	LD_REPORT_NONE,
	LD_REPORT_INVERSION,            /* B reaches A */
	LD_REPORT_RECURSION,            /* A and B are one class */
	LD_REPORT_SLEEP_UNDER_SPIN,     /* B is a mutex, A a spinlock */
};

struct ld_report {
	enum ld_report_kind kind;
	uint16_t held_class;            /* A: the class held */
	uint16_t new_class;             /* B: the class being taken */
	uintptr_t held_pc;              /* where A was taken */
	unsigned npath;                 /* path[0] = B ... path[npath-1] = A */
	bool path_cut;                  /* middle of a longer path left out */
	uint16_t path[LOCKDEP_PATH_MAX];
};

static struct lockdep_class ld_classes[LOCKDEP_MAX_CLASSES];   /* [I] */
static uint16_t ld_hash[LOCKDEP_HASH_SIZE];    /* [ld_graph_lock] writes, [A] reads */
static unsigned ld_nclasses = 1;               /* [ld_graph_lock] next free id */
static uint64_t ld_adj[LOCKDEP_MAX_CLASSES][LOCKDEP_WORDS];   /* [ld_graph_lock] */
static uint64_t ld_known[LOCKDEP_MAX_CLASSES][LOCKDEP_WORDS]; /* [ld_graph_lock] writes, [A] reads */
static struct lockdep_edge ld_edges[LOCKDEP_MAX_EDGES];       /* [I] below ld_nedges */
static unsigned ld_nedges;                     /* [ld_graph_lock] writes, [A] reads */
static bool ld_graph_locked;                   /* [A] the graph lock */
static bool ld_on = true;                      /* [A] validator running */
static const char *ld_off_reason;              /* [A] why it stopped */
static bool ld_off_told;                       /* [A] reason printed */
static unsigned ld_violation_count;            /* [A] */

/* Breadth-first search scratch. [ld_graph_lock] */
static uint16_t ld_bfs_queue[LOCKDEP_MAX_CLASSES];
static uint16_t ld_bfs_parent[LOCKDEP_MAX_CLASSES];
static uint64_t ld_bfs_seen[LOCKDEP_WORDS];

static struct lockdep_cpu lockdep_cpus[MAX_CPUS];

/* ------------------------------------------------------------ helpers */

static struct lockdep_cpu *ld_this_cpu(void)
{
	return &lockdep_cpus[this_cpu()->id];
}

/*
 * The mutex stack that acquisitions in this context are ordered after: the
 * running thread's, or NULL in an interrupt handler and with no thread.
 */
static struct lockdep_thread *ld_this_thread(void)
{
	struct cpu *c = this_cpu();

	return c->thread && !c->in_irq ? &c->thread->lockdep : NULL;
}

static const char *ld_name(const char *name)
{
	return name ? name : LOCKDEP_UNNAMED;
}

static bool ld_test(uint64_t (*m)[LOCKDEP_WORDS], unsigned a, unsigned b)
{
	return __atomic_load_n(&m[a][b / LOCKDEP_WORD_BITS], __ATOMIC_RELAXED) &
	       (1ull << (b % LOCKDEP_WORD_BITS));
}

/* Set bit b of row a; needs [ld_graph_lock] (readers of ld_known are lock-free). */
static void ld_set(uint64_t (*m)[LOCKDEP_WORDS], unsigned a, unsigned b)
{
	__atomic_fetch_or(&m[a][b / LOCKDEP_WORD_BITS],
			  1ull << (b % LOCKDEP_WORD_BITS), __ATOMIC_RELAXED);
}

/*
 * Mark this CPU (ld) as inside lockdep: an NMI arriving now must not
 * touch the held stack or wait for the graph lock we may hold.  Only this
 * CPU reads the flag, so compiler barriers order it.
 */
static void ld_enter(struct lockdep_cpu *ld)
{
	WRITE_ONCE(ld->busy, true);
	barrier();
}

static void ld_leave(struct lockdep_cpu *ld)
{
	barrier();
	WRITE_ONCE(ld->busy, false);
}

/* Interrupts must be off (every caller runs inside spin_lock). */
static void ld_graph_lock(struct lockdep_cpu *ld)
{
	ld_enter(ld);
	while (__atomic_exchange_n(&ld_graph_locked, true, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

static void ld_graph_unlock(struct lockdep_cpu *ld)
{
	__atomic_store_n(&ld_graph_locked, false, __ATOMIC_RELEASE);
	ld_leave(ld);
}

/* Stop validating (tables full); the reason is printed by ld_tell_off(). */
static void ld_turn_off(const char *why)
{
	const char *none = NULL;

	__atomic_compare_exchange_n(&ld_off_reason, &none, why, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_store_n(&ld_on, false, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------ printing */

/* True if this CPU holds (or is acquiring) a spinlock called name. */
static bool ld_cpu_holds_name(const char *name)
{
	struct lockdep_cpu *ld = ld_this_cpu();

	for (unsigned i = 0; i < ld->depth; i++) {
		const char *n = ld->held[i].name;
		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/*
 * Whether lockdep output must bypass the console lock: during a panic,
 * when this CPU holds it, or when the spinlock called taking (about to be
 * taken; NULL if none) is the console lock.
 */
static bool ld_print_raw(const char *taking)
{
	return panic_in_progress() ||
	       (taking && strcmp(taking, LOCKDEP_CONSOLE_NAME) == 0) ||
	       ld_cpu_holds_name(LOCKDEP_CONSOLE_NAME);
}

static void __printf(2, 3) ld_printf(bool raw, const char *fmt, ...)
{
	char buf[LOCKDEP_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (raw)
		console_write_unlocked(buf, MIN((size_t)n, sizeof(buf) - 1));
	else
		console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

/* One symbolized address, in the format of backtrace_print_pc(). */
static void ld_print_pc(bool raw, uintptr_t pc)
{
	uintptr_t off;
	const char *name = ksym_lookup(pc, &off);

	if (name)
		ld_printf(raw, "  [<%016lx>] %s+0x%lx\n", pc, name, off);
	else
		ld_printf(raw, "  [<%016lx>] ?\n", pc);
}

static void ld_print_pcs(bool raw, const uintptr_t *pcs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ld_print_pc(raw, pcs[i]);
}

/* The live stack from frame pointer fp, leaving out skip frames. */
static void ld_print_stack(bool raw, uintptr_t fp, unsigned skip)
{
	uintptr_t pcs[LOCKDEP_PRINT_FRAMES];
	unsigned n = arch_backtrace(fp, pcs, LOCKDEP_PRINT_FRAMES);

	if (skip < n)
		ld_print_pcs(raw, pcs + skip, n - skip);
}

/* "name" or "name/subclass" of class id into buf; "mutex:" before a mutex's. */
static const char *ld_class_str(char *buf, size_t size, unsigned id)
{
	const struct lockdep_class *c = &ld_classes[id];
	const char *kind = c->sleeping ? "mutex:" : "";

	if (c->subclass)
		snprintf(buf, size, "%s%s/%u", kind, c->name, c->subclass);
	else
		snprintf(buf, size, "%s%s", kind, c->name);
	return buf;
}

static void ld_tell_off(void)
{
	const char *why = __atomic_load_n(&ld_off_reason, __ATOMIC_RELAXED);

	if (why && !__atomic_exchange_n(&ld_off_told, true, __ATOMIC_RELAXED))
		ld_printf(ld_print_raw(NULL), "lockdep: %s; lock checking is off\n",
			  why);
}

/* ------------------------------------------------------------ classes */

/* What names a class: a lock name, a subclass, spinlock or mutex. */
struct ld_key {
	const char *name;
	unsigned subclass;
	bool sleeping;
	uint32_t hash;                  /* of all three */
	size_t len;                     /* strlen(name) */
};

static void ld_key_init(struct ld_key *k, const char *name, unsigned subclass,
			bool sleeping)
{
	uint32_t h = LOCKDEP_FNV_OFFSET;
	size_t n = 0;

	for (; name[n]; n++)
		h = (h ^ (uint8_t)name[n]) * LOCKDEP_FNV_PRIME;
	h = (h ^ subclass) * LOCKDEP_FNV_PRIME;
	k->name = name;
	k->subclass = subclass;
	k->sleeping = sleeping;
	k->hash = (h ^ sleeping) * LOCKDEP_FNV_PRIME;
	k->len = n;
}

/* Slot of ld_hash holding the class of key, or the empty slot. */
static unsigned ld_class_slot(const struct ld_key *key, unsigned *id)
{
	uint32_t h = key->hash;
	unsigned i = h & (LOCKDEP_HASH_SIZE - 1);

	for (;; i = (i + 1) & (LOCKDEP_HASH_SIZE - 1)) {
		unsigned c = __atomic_load_n(&ld_hash[i], __ATOMIC_ACQUIRE);
		const struct lockdep_class *k = &ld_classes[c];

		*id = c;
		if (c == 0 ||
		    (k->hash == h && k->len == MIN(key->len, UINT16_MAX) &&
		     k->subclass == key->subclass && k->sleeping == key->sleeping &&
		     strncmp(k->name, key->name, LOCKDEP_NAME_MAX - 1) == 0))
			return i;
	}
}

/* Create the class; needs [ld_graph_lock].  0 (and lockdep off) when the table is full. */
static unsigned ld_class_add(const struct ld_key *key)
{
	unsigned id, slot = ld_class_slot(key, &id);
	struct lockdep_class *k;

	if (id)
		return id;             /* another CPU was first */
	if (ld_nclasses == LOCKDEP_MAX_CLASSES) {
		ld_turn_off("the lock class table (" LD_STR(LOCKDEP_MAX_CLASSES)
			    ") is full");
		return 0;
	}
	id = ld_nclasses++;
	k = &ld_classes[id];
	k->hash = key->hash;
	k->len = MIN(key->len, UINT16_MAX);
	k->subclass = (uint16_t)key->subclass;
	k->sleeping = key->sleeping;
	strlcpy(k->name, key->name, sizeof(k->name));
	__atomic_store_n(&ld_hash[slot], (uint16_t)id, __ATOMIC_RELEASE);
	return id;
}

/*
 * Look up (or create) the class of a lock called name, subclass and kind;
 * 0 if none.  cache is the lock's cached class of subclass 0.
 */
static __attribute__((noinline)) unsigned
ld_class_lookup(struct lockdep_cpu *ld, const char *name, unsigned subclass,
		bool sleeping, uint16_t *cache)
{
	struct ld_key key;
	unsigned id;

	ld_key_init(&key, name, subclass, sleeping);
	ld_class_slot(&key, &id);
	if (!id) {
		ld_graph_lock(ld);
		id = ld_class_add(&key);
		ld_graph_unlock(ld);
	}
	if (subclass == 0 && id)
		__atomic_store_n(cache, (uint16_t)id, __ATOMIC_RELAXED);
	return id;
}

/* Class of a lock taken with subclass: cached in the lock for subclass 0. */
static inline unsigned ld_class_of(struct lockdep_cpu *ld, const char *name,
				   unsigned subclass, bool sleeping,
				   uint16_t *cache)
{
	unsigned id = 0;

	if (subclass == 0)
		id = __atomic_load_n(cache, __ATOMIC_RELAXED);
	return likely(id) ? id : ld_class_lookup(ld, name, subclass, sleeping,
						 cache);
}

/* ------------------------------------------------------------ graph */

/*
 * Is there a path from -> ... -> to?  If so, fill r's path with it.
 * Needs [ld_graph_lock].  Breadth-first, so the path printed is a shortest one.
 */
static bool ld_reaches(unsigned from, unsigned to, struct ld_report *r)
{
	unsigned head = 0, tail = 0, rev[LOCKDEP_PATH_MAX], n = 0;

	memset(ld_bfs_seen, 0, sizeof(ld_bfs_seen));
	ld_bfs_queue[tail++] = (uint16_t)from;
	ld_set(&ld_bfs_seen, 0, from);
	while (head < tail) {
		unsigned x = ld_bfs_queue[head++];
		for (unsigned w = 0; w < LOCKDEP_WORDS; w++) {
			uint64_t bits = ld_adj[x][w] & ~ld_bfs_seen[w];
			while (bits) {
				unsigned y = w * LOCKDEP_WORD_BITS +
					     (unsigned)__builtin_ctzll(bits);
				bits &= bits - 1;
				ld_bfs_seen[w] |= 1ull << (y % LOCKDEP_WORD_BITS);
				ld_bfs_parent[y] = (uint16_t)x;
				ld_bfs_queue[tail++] = (uint16_t)y;
				if (y == to)
					goto found;
			}
		}
	}
	return false;
found:
	/* Walk back to `from`, keeping the last LOCKDEP_PATH_MAX - 1 hops. */
	r->path_cut = false;
	for (unsigned y = to;; y = ld_bfs_parent[y]) {
		if (n == LOCKDEP_PATH_MAX - 1 && y != from) {
			r->path_cut = true;
			y = from;
		}
		rev[n++] = y;
		if (y == from)
			break;
	}
	r->npath = n;
	for (unsigned i = 0; i < n; i++)
		r->path[i] = (uint16_t)rev[n - 1 - i];
	return true;
}

/* Record edge a -> b with the current stack (from fp).  Needs [ld_graph_lock]. */
static void ld_add_edge(unsigned a, unsigned b, uintptr_t a_pc, uintptr_t fp)
{
	uintptr_t pcs[LOCKDEP_EDGE_FRAMES + LOCKDEP_SKIP_FRAMES];
	unsigned n = ld_nedges, got;

	if (n < LOCKDEP_MAX_EDGES) {
		struct lockdep_edge *e = &ld_edges[n];
		got = arch_backtrace(fp, pcs, ARRAY_SIZE(pcs));
		e->from = (uint16_t)a;
		e->to = (uint16_t)b;
		e->from_pc = a_pc;
		e->nframes = got > LOCKDEP_SKIP_FRAMES ?
				     got - LOCKDEP_SKIP_FRAMES : 0;
		memcpy(e->stack, pcs + LOCKDEP_SKIP_FRAMES,
		       e->nframes * sizeof(uintptr_t));
		__atomic_store_n(&ld_nedges, n + 1, __ATOMIC_RELEASE);
	}
	ld_set(ld_adj, a, b);
	ld_set(ld_known, a, b);
}

static const struct lockdep_edge *ld_find_edge(unsigned a, unsigned b)
{
	unsigned n = __atomic_load_n(&ld_nedges, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (ld_edges[i].from == a && ld_edges[i].to == b)
			return &ld_edges[i];
	return NULL;
}

/*
 * Slow path for a held class a and a new class b whose pair is not known
 * yet: record the edge, or fill r (if still empty) with the violation.
 */
static void ld_check_pair(struct lockdep_cpu *ld, unsigned a, unsigned b,
			  uintptr_t a_pc, uintptr_t fp, struct ld_report *r)
{
	struct ld_report found = { .kind = LD_REPORT_NONE };

	ld_graph_lock(ld);
	if (ld_test(ld_known, a, b)) {
		/* another CPU got here first */
	} else if (a == b) {
		found.kind = LD_REPORT_RECURSION;
	} else if (ld_reaches(b, a, &found)) {
		found.kind = LD_REPORT_INVERSION;
	} else if (ld_classes[b].sleeping && !ld_classes[a].sleeping) {
		found.kind = LD_REPORT_SLEEP_UNDER_SPIN;   /* no edge: a bug */
	} else {
		ld_add_edge(a, b, a_pc, fp);
	}
	if (found.kind != LD_REPORT_NONE) {
		ld_set(ld_known, a, b);
		__atomic_fetch_add(&ld_violation_count, 1, __ATOMIC_RELAXED);
		if (r->kind == LD_REPORT_NONE) {
			found.held_class = (uint16_t)a;
			found.new_class = (uint16_t)b;
			found.held_pc = a_pc;
			*r = found;
		}
	}
	ld_graph_unlock(ld);
}

/* ------------------------------------------------------------ reports */

static void ld_print_edge(bool raw, unsigned a, unsigned b)
{
	const struct lockdep_edge *e = ld_find_edge(a, b);
	char an[LOCKDEP_NAME_MAX + 8], bn[LOCKDEP_NAME_MAX + 8];

	ld_class_str(an, sizeof(an), a);
	ld_class_str(bn, sizeof(bn), b);
	if (!e) {
		ld_printf(raw, "lockdep:   %s -> %s (stack not saved)\n", an, bn);
		return;
	}
	ld_printf(raw, "lockdep:   %s taken at:\n", an);
	ld_print_pc(raw, e->from_pc);
	ld_printf(raw, "lockdep:   then %s at:\n", bn);
	ld_print_pcs(raw, e->stack, e->nframes);
}

static void ld_print_path(bool raw, const struct ld_report *r)
{
	char line[LOCKDEP_LINE_MAX], cn[LOCKDEP_NAME_MAX + 8];
	size_t off = 0;

	for (unsigned i = 0; i < r->npath && off < sizeof(line); i++) {
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s%s",
					i ? " -> " : "",
					i == 1 && r->path_cut ? "... -> " : "",
					ld_class_str(cn, sizeof(cn), r->path[i]));
	}
	ld_printf(raw, "lockdep: previously %s at:\n", line);
	for (unsigned i = 0; i + 1 < r->npath; i++) {
		if (i == 0 && r->path_cut)
			ld_printf(raw, "lockdep:   ...\n");
		else
			ld_print_edge(raw, r->path[i], r->path[i + 1]);
	}
}

/* The first line of report r: what was found. */
static void ld_print_headline(bool raw, const struct ld_report *r,
			      const char *an, const char *bn)
{
	switch (r->kind) {
	case LD_REPORT_INVERSION:
		ld_printf(raw, "lockdep: lock order inversion: %s -> %s\n", an, bn);
		break;
	case LD_REPORT_RECURSION:
		ld_printf(raw, "lockdep: possible recursive locking: %s while "
			  "holding another %s\n", bn, an);
		break;
	default:
		ld_printf(raw, "lockdep: sleeping lock %s taken while holding "
			  "spinlock %s\n", bn, an);
		break;
	}
}

/*
 * Print r for this CPU taking the lock called taking (a spinlock, or
 * NULL for a mutex) at stack fp.
 */
static void ld_print_report(const struct ld_report *r, const char *taking,
			    uintptr_t fp)
{
	bool raw = ld_print_raw(taking);
	char an[LOCKDEP_NAME_MAX + 8], bn[LOCKDEP_NAME_MAX + 8];

	ld_class_str(an, sizeof(an), r->held_class);
	ld_class_str(bn, sizeof(bn), r->new_class);
	ld_print_headline(raw, r, an, bn);
	ld_printf(raw, "lockdep: cpu %u takes %s at:\n", this_cpu()->id, bn);
	ld_print_stack(raw, fp, LOCKDEP_SKIP_FRAMES);
	ld_printf(raw, "lockdep: while holding %s, taken at:\n", an);
	ld_print_pc(raw, r->held_pc);
	if (r->kind == LD_REPORT_INVERSION)
		ld_print_path(raw, r);
	else if (r->kind == LD_REPORT_RECURSION)
		ld_printf(raw, "lockdep: if this nesting is ordered, take the "
			  "inner lock with %s()\n",
			  ld_classes[r->new_class].sleeping ? "mutex_lock_nested" :
							      "spin_lock_nested");
	else
		ld_printf(raw, "lockdep: a mutex may sleep, and nothing may "
			  "sleep holding a spinlock: drop the spinlock first\n");
	lockdep_print_held();
}

/* ------------------------------------------------------------ hooks */

/* True if every class on a held stack already has a known edge to b. */
static inline bool ld_all_known(const struct lockdep_held *held, unsigned depth,
				unsigned b)
{
	for (unsigned i = 0; i < depth; i++) {
		unsigned a = held[i].class;
		if (a && !ld_test(ld_known, a, b))
			return false;
	}
	return true;
}

/* True if the acquisition of class b by this context needs the slow path. */
static inline bool ld_needs_check(const struct lockdep_cpu *ld,
				  const struct lockdep_thread *lt, unsigned b)
{
	return !ld_all_known(ld->held, ld->depth, b) ||
	       (lt && !ld_all_known(lt->held, lt->depth, b));
}

/* Check every class on one held stack whose edge to b is new. */
static void ld_check_stack(struct lockdep_cpu *ld, const struct lockdep_held *held,
			   unsigned depth, unsigned b, uintptr_t fp,
			   struct ld_report *r)
{
	for (unsigned i = 0; i < depth; i++) {
		unsigned a = held[i].class;
		if (a && !ld_test(ld_known, a, b))
			ld_check_pair(ld, a, b, held[i].pc, fp, r);
	}
}

/*
 * Slow path of an acquisition of class b (a lock called name; taking is
 * that name for a spinlock, NULL for a mutex) by this CPU (ld) and thread
 * (lt, NULL if none): check every held class whose edge to b is new, the
 * thread's mutexes (outermost) first, then print what was found.  fp is the
 * hook's frame.
 */
static __attribute__((noinline)) void
ld_acquire_slow(struct lockdep_cpu *ld, const struct lockdep_thread *lt,
		const char *taking, unsigned b, uintptr_t fp)
{
	struct ld_report r = { .kind = LD_REPORT_NONE };

	if (lt)
		ld_check_stack(ld, lt->held, lt->depth, b, fp, &r);
	ld_check_stack(ld, ld->held, ld->depth, b, fp, &r);
	if (r.kind != LD_REPORT_NONE)
		ld_print_report(&r, taking, fp);
}

/* Push a lock on a held stack of max entries; needs ld_enter(). */
static void ld_push(struct lockdep_held *held, unsigned *depth, unsigned *lost,
		    unsigned max, const void *lock, const char *name,
		    uintptr_t pc, unsigned class)
{
	struct lockdep_held *h;

	if (*depth == max) {
		(*lost)++;
		ld_turn_off(max == LOCKDEP_MAX_HELD ?
			    "a CPU holds more than " LD_STR(LOCKDEP_MAX_HELD) " spinlocks" :
			    "a thread holds more than " LD_STR(LOCKDEP_MAX_HELD_MUTEXES) " mutexes");
		return;
	}
	h = &held[*depth];
	h->lock = lock;
	h->name = name;
	h->pc = pc;
	h->class = (uint16_t)class;
	(*depth)++;
}

/* Remove lock from a held stack (any position); needs ld_enter(). */
static void ld_pop(struct lockdep_held *held, unsigned *depth, unsigned *lost,
		   const void *lock)
{
	unsigned i;

	for (i = *depth; i > 0 && held[i - 1].lock != lock; i--)
		;
	if (i > 0) {
		for (; i < *depth; i++)
			held[i - 1] = held[i];
		(*depth)--;
	} else if (*lost > 0) {
		(*lost)--;
	}
}

void lockdep_acquire(struct spinlock *l, unsigned subclass, uintptr_t pc,
		     bool trylock)
{
	struct lockdep_cpu *ld = ld_this_cpu();
	const char *name = ld_name(l->name);
	unsigned class = 0;

	if (unlikely(READ_ONCE(ld->busy)))
		return;                 /* an NMI inside lockdep */
	if (likely(__atomic_load_n(&ld_on, __ATOMIC_ACQUIRE))) {
		struct lockdep_thread *lt = ld_this_thread();
		class = ld_class_of(ld, name, subclass, false, &l->lockdep_class);
		if (class && !trylock && unlikely(ld_needs_check(ld, lt, class)))
			ld_acquire_slow(ld, lt, name, class, arch_frame_pointer());
	} else {
		ld_tell_off();
	}
	ld_enter(ld);
	ld_push(ld->held, &ld->depth, &ld->lost, LOCKDEP_MAX_HELD, l, name, pc,
		class);
	ld_leave(ld);
}

void lockdep_release(const struct spinlock *l)
{
	struct lockdep_cpu *ld = ld_this_cpu();

	if (unlikely(READ_ONCE(ld->busy)))
		return;                 /* an NMI inside lockdep */
	ld_enter(ld);
	ld_pop(ld->held, &ld->depth, &ld->lost, l);
	ld_leave(ld);
}

void lockdep_mutex_acquire(struct mutex *m, unsigned subclass, uintptr_t pc,
			   bool trylock)
{
	const char *name = ld_name(m->name);
	struct lockdep_thread *lt;
	struct lockdep_cpu *ld;
	unsigned class = 0;

	irq_push_off();                 /* the hooks' rule: stay on this CPU */
	ld = ld_this_cpu();
	lt = ld_this_thread();
	if (unlikely(READ_ONCE(ld->busy) || !lt))
		goto out;               /* no thread: mutex.c panics */
	if (likely(__atomic_load_n(&ld_on, __ATOMIC_ACQUIRE))) {
		class = ld_class_of(ld, name, subclass, true, &m->lockdep_class);
		if (class && !trylock && unlikely(ld_needs_check(ld, lt, class)))
			ld_acquire_slow(ld, lt, NULL, class, arch_frame_pointer());
	} else {
		ld_tell_off();
	}
	ld_enter(ld);
	ld_push(lt->held, &lt->depth, &lt->lost, LOCKDEP_MAX_HELD_MUTEXES, m,
		name, pc, class);
	ld_leave(ld);
out:
	irq_pop_off();
}

void lockdep_mutex_release(const struct mutex *m)
{
	struct lockdep_thread *lt;
	struct lockdep_cpu *ld;

	irq_push_off();
	ld = ld_this_cpu();
	lt = ld_this_thread();
	if (likely(!READ_ONCE(ld->busy) && lt)) {
		ld_enter(ld);
		ld_pop(lt->held, &lt->depth, &lt->lost, m);
		ld_leave(ld);
	}
	irq_pop_off();
}

void lockdep_spin_warn(const struct spinlock *l, uint64_t waited_ns)
{
	bool raw = ld_print_raw(ld_name(l->name));
	struct cpu *holder = READ_ONCE(l->holder);
	uintptr_t holder_pc = READ_ONCE(l->holder_pc);

	ld_printf(raw, "lockdep: cpu %u has waited %lu ms for lock %s\n",
		  this_cpu()->id, (unsigned long)(waited_ns / 1000000u),
		  ld_name(l->name));
	if (holder) {
		ld_printf(raw, "lockdep: held by cpu %u, taken at:\n",
			  READ_ONCE(holder->id));
		ld_print_pc(raw, holder_pc);
	} else {
		ld_printf(raw, "lockdep: holder not recorded yet\n");
	}
	ld_printf(raw, "lockdep: cpu %u waiting at:\n", this_cpu()->id);
	ld_print_stack(raw, arch_frame_pointer(), 0);
}

/* ------------------------------------------------------------ queries */

bool lockdep_enabled(void)
{
	return __atomic_load_n(&ld_on, __ATOMIC_ACQUIRE);
}

unsigned lockdep_violations(void)
{
	return __atomic_load_n(&ld_violation_count, __ATOMIC_RELAXED);
}

bool lockdep_is_held(const struct spinlock *l)
{
	struct lockdep_cpu *ld = ld_this_cpu();

	for (unsigned i = 0; i < ld->depth; i++)
		if (ld->held[i].lock == l)
			return true;
	return false;
}

bool lockdep_mutex_is_held(const struct mutex *m)
{
	struct thread *t = thread_current();

	if (!t)
		return false;
	for (unsigned i = 0; i < t->lockdep.depth; i++)
		if (t->lockdep.held[i].lock == m)
			return true;
	return false;
}

unsigned lockdep_spin_depth(void)
{
	struct lockdep_cpu *ld = ld_this_cpu();

	return READ_ONCE(ld->depth) + READ_ONCE(ld->lost);
}

/* Print one held stack: depth entries, then lost ones not recorded. */
static void ld_print_stack_of(bool raw, const struct lockdep_held *held,
			      unsigned depth, unsigned lost, const char *kind)
{
	for (unsigned i = 0; i < depth; i++) {
		const struct lockdep_held *h = &held[i];
		uintptr_t off;
		const char *fn = ksym_lookup(h->pc, &off);

		ld_printf(raw, "  %s%s (%p) taken at [<%016lx>] %s+0x%lx\n",
			  kind, ld_name(h->name), h->lock, h->pc,
			  fn ? fn : "?", fn ? off : 0);
	}
	if (lost)
		ld_printf(raw, "  ... and %u more not recorded\n", lost);
}

void lockdep_print_held(void)
{
	struct lockdep_cpu *ld = ld_this_cpu();
	struct lockdep_thread *lt = ld_this_thread();
	bool raw = ld_print_raw(NULL);
	unsigned depth = READ_ONCE(ld->depth);

	ld_printf(raw, "lockdep: cpu %u holds %u lock(s)%s\n", this_cpu()->id,
		  depth + ld->lost, depth ? ", outermost first:" : "");
	ld_print_stack_of(raw, ld->held, depth, ld->lost, "");
	if (!lt)
		return;
	depth = READ_ONCE(lt->depth);
	ld_printf(raw, "lockdep: thread %s (tid %d) holds %u mutex(es)%s\n",
		  this_cpu()->thread->name, this_cpu()->thread->tid,
		  depth + lt->lost, depth ? ", outermost first:" : "");
	ld_print_stack_of(raw, lt->held, depth, lt->lost, "mutex:");
}

#endif /* KEEL_DEBUG */
