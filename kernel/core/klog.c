/*
 * klog.c - kprintf and leveled logging (see keel/klog.h).
 * Each call formats into a stack buffer, then writes it to the console in
 * one console_write, so lines from different CPUs do not interleave.
 * During a panic, output bypasses a console lock held elsewhere.
 */
#include <keel/klog.h>
#include <keel/console.h>
#include <keel/panic.h>
#include <lib/printf.h>

#define KPRINTF_BUF 512

static int klog_cur_level = LOG_INFO;     /* [A] */

static const char *const klog_prefix[] = {
	[LOG_EMERG] = "", [1] = "", [2] = "",
	[LOG_ERR] = "error: ", [LOG_WARN] = "warning: ",
	[5] = "", [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
};

int vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);

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
	__atomic_store_n(&klog_cur_level, level, __ATOMIC_RELAXED);
}

static int klog_level(void)
{
	return __atomic_load_n(&klog_cur_level, __ATOMIC_RELAXED);
}

/* Backend of klog(): prints fmt with a level prefix if level is enabled. */
void klog_emit(int level, const char *fmt, ...)
{
	char buf[KPRINTF_BUF - 2];   /* room for the newline */
	va_list ap;
	int off;

	if (level > klog_level())
		return;
	off = snprintf(buf, sizeof(buf), "%s",
		       level >= 0 && level <= LOG_DEBUG ? klog_prefix[level] : "");
	va_start(ap, fmt);
	vsnprintf(buf + off, sizeof(buf) - off, fmt, ap);
	va_end(ap);
	kprintf("%s\n", buf);
}
