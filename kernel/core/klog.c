/*
 * klog.c - kprintf, leveled logging and the kernel log ring buffer (see
 * keel/klog.h).
 *
 * Every message goes into a ring of KLOG_BUF_SIZE bytes as Linux's syslog
 * shows it: each line starts with "<level>[seconds.micros] ".  kprintf
 * text is kept at LOG_INFO.  The consoles get kprintf always, and a klog()
 * message when its level is below the console log level (Linux's
 * console_loglevel: only warnings and worse by default; "loglevel=N",
 * "quiet" and "debug" on the command line, syslog(2) actions 6, 7, 8).
 * Console text is formatted into a stack buffer and written in one
 * console_write, so lines from different CPUs do not interleave.  During
 * a panic, output bypasses a console lock held elsewhere and the ring is
 * written only if its lock is free.
 *
 * The ring is a byte array written at klog_end (bytes ever written, so
 * klog_end - KLOG_BUF_SIZE is the oldest byte kept); syslog's READ
 * position and CLEAR position are offsets of the same kind, clamped to
 * the oldest byte.  Readers copy out under the lock into their own
 * buffer.  Nothing here wakes a reader: a message may be logged with any
 * lock held (the scheduler's too), so a blocked syslog READ polls.
 *
 * Lock key: [klog_lock] (a spinlock, a leaf: nothing is called under it)
 * guards the ring and its positions; [A] atomic.
 */
#include <keel/klog.h>
#include <keel/console.h>
#include <keel/panic.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/printf.h>
#include <lib/string.h>

#define KPRINTF_BUF      512
#define KLOG_PREFIX_MAX  32             /* "<7>[123456789.123456] " */
#define KLOG_KPRINTF_LEVEL LOG_INFO

static int klog_console_level = KLOG_CONSOLE_DEFAULT; /* [A] */
static bool klog_console_off;           /* [A] syslog(2) action 6 */

static struct spinlock klog_lock = SPINLOCK_INIT("klog");
static char klog_ring[KLOG_BUF_SIZE];   /* [klog_lock] */
static uint64_t klog_end;               /* [klog_lock] bytes ever written */
static uint64_t klog_read_pos;          /* [klog_lock] syslog READ's next byte */
static uint64_t klog_clear_pos;         /* [klog_lock] READ_ALL starts here */
static bool klog_mid_line;              /* [klog_lock] the last byte was not '\n' */

static const char *const klog_prefix[] = {
	[LOG_EMERG] = "", [1] = "", [2] = "",
	[LOG_ERR] = "error: ", [LOG_WARN] = "warning: ",
	[LOG_NOTICE] = "", [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
};

/* ---------------------------------------------------------------- the ring */

static uint64_t klog_oldest(void)
{
	spin_assert_held(&klog_lock);
	return klog_end > KLOG_BUF_SIZE ? klog_end - KLOG_BUF_SIZE : 0;
}

static void klog_ring_byte(char c)
{
	klog_ring[klog_end % KLOG_BUF_SIZE] = c;
	klog_end++;
}

/* Append s[0..n), starting each line with its level and time. */
static void klog_ring_put(int level, const char *s, size_t n)
{
	char pre[KLOG_PREFIX_MAX];
	uint64_t ns = time_ns();
	int plen;

	plen = snprintf(pre, sizeof(pre), "<%d>[%5lu.%06lu] ", level,
			(unsigned long)(ns / NSEC_PER_SEC),
			(unsigned long)(ns % NSEC_PER_SEC / NSEC_PER_USEC));
	plen = MIN(MAX(plen, 0), (int)sizeof(pre) - 1);
	if (panic_in_progress()) {
		if (!spin_trylock(&klog_lock))
			return;
	} else {
		spin_lock(&klog_lock);
	}
	for (size_t i = 0; i < n; i++) {
		if (!klog_mid_line)
			for (int j = 0; j < plen; j++)
				klog_ring_byte(pre[j]);
		klog_ring_byte(s[i]);
		klog_mid_line = s[i] != '\n';
	}
	spin_unlock(&klog_lock);
}

/* Copy ring bytes [from, to) into buf. [klog_lock] held. */
static void klog_copy(char *buf, uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p < to; p++)
		*buf++ = klog_ring[p % KLOG_BUF_SIZE];
}

/* The first line start at or after pos. [klog_lock] held. */
static uint64_t klog_line_start(uint64_t pos)
{
	uint64_t oldest = klog_oldest();

	if (pos <= oldest)
		pos = oldest;
	if (pos == 0)
		return 0;
	while (pos < klog_end && klog_ring[(pos - 1) % KLOG_BUF_SIZE] != '\n')
		pos++;
	return pos;
}

size_t klog_read_all(char *buf, size_t n, bool clear)
{
	uint64_t from;
	size_t len;

	spin_lock(&klog_lock);
	from = MAX(klog_clear_pos, klog_end > n ? klog_end - n : 0);
	from = klog_line_start(from);
	len = (size_t)(klog_end - from);
	klog_copy(buf, from, klog_end);
	if (clear)
		klog_clear_pos = klog_end;
	spin_unlock(&klog_lock);
	return len;
}

size_t klog_read_unread(char *buf, size_t n)
{
	uint64_t from;
	size_t len;

	spin_lock(&klog_lock);
	from = MAX(klog_read_pos, klog_oldest());
	len = (size_t)MIN((uint64_t)n, klog_end - from);
	klog_copy(buf, from, from + len);
	klog_read_pos = from + len;
	spin_unlock(&klog_lock);
	return len;
}

size_t klog_unread(void)
{
	size_t len;

	spin_lock(&klog_lock);
	len = (size_t)(klog_end - MAX(klog_read_pos, klog_oldest()));
	spin_unlock(&klog_lock);
	return len;
}

void klog_clear(void)
{
	spin_lock(&klog_lock);
	klog_clear_pos = klog_end;
	spin_unlock(&klog_lock);
}

/* ---------------------------------------------------------------- consoles */

int vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);

	klog_ring_put(KLOG_KPRINTF_LEVEL, buf, len);
	if (panic_in_progress())
		console_write_unlocked(buf, len);
	else
		console_write(buf, len);
	return n;
}

/* printf to every console. Any context. */
int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

void klog_set_level(int level)
{
	__atomic_store_n(&klog_console_level, MAX(level, KLOG_CONSOLE_MIN),
			 __ATOMIC_RELAXED);
}

int klog_get_level(void)
{
	return __atomic_load_n(&klog_console_level, __ATOMIC_RELAXED);
}

void klog_console_enable(bool on)
{
	__atomic_store_n(&klog_console_off, !on, __ATOMIC_RELAXED);
}

/* Does a message of this level go to the consoles? */
static bool klog_to_console(int level)
{
	if (__atomic_load_n(&klog_console_off, __ATOMIC_RELAXED))
		return level <= LOG_EMERG;
	return level < klog_get_level();
}

/* Backend of klog(): into the ring, and onto the consoles if level is
 * below the console log level. */
void klog_emit(int level, const char *fmt, ...)
{
	char buf[KPRINTF_BUF];
	va_list ap;
	int off, n;
	size_t len;

	level = MIN(MAX(level, (int)LOG_EMERG), (int)LOG_DEBUG);
	off = snprintf(buf, sizeof(buf), "%s", klog_prefix[level]);
	va_start(ap, fmt);
	n = vsnprintf(buf + off, sizeof(buf) - off - 1, fmt, ap);
	va_end(ap);
	len = MIN((size_t)off + (size_t)MAX(n, 0), sizeof(buf) - 2);
	buf[len++] = '\n';
	buf[len] = '\0';
	/* The ring has the level in its own prefix: skip the console's. */
	klog_ring_put(level, buf + off, len - (size_t)off);
	if (!klog_to_console(level))
		return;
	if (panic_in_progress())
		console_write_unlocked(buf, len);
	else
		console_write(buf, len);
}
