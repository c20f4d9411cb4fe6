/*
 * keel/klog.h - kernel printing and leveled logging.
 *
 * kprintf() always prints.  klog(level, ...) prints when level <= the
 * current log level (command line "loglevel=N", default LOG_INFO).
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
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

int kprintf(const char *fmt, ...) __printf(1, 2);
int vkprintf(const char *fmt, va_list ap);
void klog_set_level(int level);
void klog_emit(int level, const char *fmt, ...) __printf(2, 3);

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
