/*
 * lib/cmdline.h - read options from a kernel command line.
 *
 * The command line is a plain NUL-terminated string of words separated by
 * blanks (space, tab, newline, CR), e.g.
 *	loglevel=7 test=pmm,heap quiet init=/bin/sh msg="hello world"
 * Each word is either a bare "key" or "key=value".  Double quotes group
 * blanks into a word and are removed from the value; an unterminated quote
 * runs to the end of the line.  Keys are compared exactly (case matters)
 * and end at the first '='; a key never contains blanks.  When a key
 * appears more than once, the LAST occurrence wins, so a boot loader
 * default can be overridden by appending.
 *
 * All functions are pure: no allocation, no locks, no global state; safe
 * in any context.  A NULL command line behaves like an empty one.
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Find key and copy its value (quotes stripped) into val[valsz], truncated
 * and always NUL-terminated when valsz > 0.  A bare "key" gives "".
 * Returns true if key is present, false (val untouched) if absent.
 * val may be NULL when valsz is 0.
 */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsz);

/* True if key is present, bare or with a value. */
bool cmdline_has(const char *cmdline, const char *key);

/*
 * The value of key as a long: optional '-', then decimal digits or
 * "0x"/"0X" and hex digits, nothing else.  Returns dflt when key is
 * absent, bare, malformed or out of range for long.
 */
long cmdline_get_long(const char *cmdline, const char *key, long dflt);

/*
 * True if the comma-separated list (e.g. "pmm,heap") contains item
 * exactly, or contains the element "all".  Blanks around elements are
 * ignored; an empty item matches nothing.
 */
bool cmdline_list_contains(const char *list, const char *item);

#endif /* LIB_CMDLINE_H */
