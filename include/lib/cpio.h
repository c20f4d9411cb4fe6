/*
 * lib/cpio.h - reader for the Linux initramfs format (cpio "newc").
 *
 * An initramfs is a cpio archive in the "new ASCII" format that
 * `cpio -o -H newc` writes (magic "070701"; "070702" adds a checksum of the
 * data).  Each entry is a 110-byte header of 8-digit hex fields, the name
 * (NUL included), padding to a multiple of 4, the data, padding to a
 * multiple of 4 (alignment is relative to buf).  The archive ends with an
 * entry named "TRAILER!!!"; zero bytes may pad it further.
 *
 * cpio_next() walks the archive one entry at a time without copying:
 * e->name and e->data point into buf.  It is pure (no state, no locks, never
 * sleeps), never reads outside buf[0, len) and trusts no field.
 *
 * Notes for unpackers: names are whatever the archiver wrote (Keel's build
 * writes relative names such as "bin/hello", parents before children, no
 * "." entry); a symlink's data is its target; hard links are not
 * represented (Keel's build never writes them).
 */
#ifndef LIB_CPIO_H
#define LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_NEWC_HDR_SIZE 110
#define CPIO_NEWC_MAGIC "070701"
#define CPIO_NEWC_CRC_MAGIC "070702"
#define CPIO_TRAILER "TRAILER!!!"

struct cpio_entry {
	const char *name;	/* NUL-terminated, inside buf */
	size_t namelen;		/* without NUL */
	uint32_t mode, uid, gid, nlink;	/* mode: S_IFMT type bits | permissions */
	uint64_t mtime;
	const void *data;	/* size bytes inside buf */
	size_t size;
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
};

/*
 * cpio_next - read the entry at *off (start with *off = 0).
 *
 * Returns 1 when an entry was returned in *e and *off advanced past it;
 * 0 at the end: after a "TRAILER!!!" entry (*off then points past it), at
 * the end of buf or when only zero bytes remain (*off == len then); or
 * -EINVAL for a malformed archive: bad magic, a non-hex digit, namesize 0,
 * a name that is not NUL-terminated (or holds a NUL before its end), name or
 * data past the end of buf, a 070702 checksum mismatch, a header not 4-byte
 * aligned after zero padding, *off > len.  On 0 or -EINVAL *e is untouched.
 *
 * Concatenated archives (as Linux accepts them): after a 0 with *off < len,
 * calling again continues with the next archive.
 */
int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e);

#endif /* LIB_CPIO_H */
