/*
 * keel/klog.h - kernel printing, leveled logging and the kernel log.
 *
 * Everything printed goes into the kernel log, a ring buffer of
 * KLOG_BUF_SIZE bytes that syslog(2) reads (lines "<level>[time] text",
 * as Linux's).  kprintf() always prints on the consoles too.  klog(level,
 * ...) prints there only when level < the console log level (Linux's
 * console_loglevel: command line "loglevel=N", "quiet" = 4, "debug" = 10;
 * default KLOG_CONSOLE_DEFAULT: warnings and worse).
 * LOG_DEBUG messages are compiled out unless KEEL_DEBUG_LOG is defined.
 * Safe from any context, including interrupt handlers and panic; output
 * lines from different CPUs are not interleaved mid-line.
 */
#ifndef KEEL_KLOG_H
#define KEEL_KLOG_H

#include <stdarg.h>
#include <keel/compiler.h>

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

#define KLOG_BUF_SIZE        (64 * 1024)   /* the kernel log ring */
#define KLOG_CONSOLE_DEFAULT (LOG_WARN + 1) /* console_loglevel: warnings and worse */
#define KLOG_CONSOLE_MIN     1              /* the lowest console level (EMERG only) */
#define KLOG_CONSOLE_QUIET   4              /* "quiet": errors and worse */
#define KLOG_CONSOLE_DEBUG   10             /* "debug": everything */

int kprintf(const char *fmt, ...) __printf(1, 2);
int vkprintf(const char *fmt, va_list ap);
/* Set / read the console log level (messages below it reach the consoles). */
void klog_set_level(int level);
int klog_get_level(void);
/* syslog(2) CONSOLE_OFF / CONSOLE_ON: klog() messages stop / resume on the
 * consoles (kprintf and LOG_EMERG still print). */
void klog_console_enable(bool on);
void klog_emit(int level, const char *fmt, ...) __printf(2, 3);

/*
 * Reading the ring (syslog(2)); buffers are the caller's, never under a
 * lock of its own.  read_all: the newest whole lines since the last clear
 * that fit in n bytes (clear: then clear); read_unread: up to n bytes
 * from the read position on, which it advances; unread: bytes after the
 * read position; clear: READ_ALL starts after what is there now.
 */
size_t klog_read_all(char *buf, size_t n, bool clear);
size_t klog_read_unread(char *buf, size_t n);
size_t klog_unread(void);
void klog_clear(void);

#ifdef KEEL_DEBUG_LOG
#define KLOG_COMPILED_MAX LOG_DEBUG
#else
#define KLOG_COMPILED_MAX LOG_INFO
#endif

#define klog(level, ...)                                             \
	do {                                                         \
		if ((level) <= KLOG_COMPILED_MAX)                    \
			klog_emit((level), __VA_ARGS__);             \
	} while (0)

/* Log a message only the first time this call site is reached. */
#define klog_once(level, ...)                                        \
	do {                                                         \
		static bool klog_once_done_;                         \
		if (!__atomic_exchange_n(&klog_once_done_, true,     \
					 __ATOMIC_RELAXED))          \
			klog((level), __VA_ARGS__);                  \
	} while (0)

#endif
