/*
 * lib/cpio.c - initramfs (cpio newc) reader (see <lib/cpio.h>).
 *
 * The newc header is ASCII: "070701" followed by thirteen 8-digit hex
 * fields.  Every field is parsed strictly (exactly eight hex digits, no
 * sign, no blanks), every length is checked against what is left of the
 * buffer before it is used, and padding is computed on offsets that are
 * already known to be <= len, so no sum can overflow.
 *
 * Pure functions on caller-provided memory: no state, no locks.
 */
#include <lib/cpio.h>
#include <lib/errno.h>
#include <lib/string.h>

#define CPIO_MAGIC_LEN 6
#define CPIO_FIELD_LEN 8
#define CPIO_ALIGN 4

/* Header field indices, in file order after the magic. */
enum cpio_field {
	CPIO_INO,
	CPIO_MODE,
	CPIO_UID,
	CPIO_GID,
	CPIO_NLINK,
	CPIO_MTIME,
	CPIO_FILESIZE,
	CPIO_DEVMAJOR,
	CPIO_DEVMINOR,
	CPIO_RDEVMAJOR,
	CPIO_RDEVMINOR,
	CPIO_NAMESIZE,
	CPIO_CHECK,
	CPIO_NFIELDS,
};

_Static_assert(CPIO_MAGIC_LEN + CPIO_NFIELDS * CPIO_FIELD_LEN == CPIO_NEWC_HDR_SIZE,
	       "newc header layout");

/* Rounds off up to CPIO_ALIGN, clamped to len (archives may end unpadded). */
static size_t cpio_pad(size_t off, size_t len)
{
	size_t rem = off % CPIO_ALIGN;

	if (rem == 0)
		return off;
	return len - off < CPIO_ALIGN - rem ? len : off + (CPIO_ALIGN - rem);
}

static int cpio_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses the 13 fields after the magic into f[]; -EINVAL on a non-hex digit. */
static int cpio_parse_fields(const char *h, uint32_t f[CPIO_NFIELDS])
{
	for (int i = 0; i < CPIO_NFIELDS; i++) {
		uint32_t v = 0;

		for (int j = 0; j < CPIO_FIELD_LEN; j++) {
			int d = cpio_hex_digit(h[CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN + j]);

			if (d < 0)
				return -EINVAL;
			v = v << 4 | (uint32_t)d;
		}
		f[i] = v;
	}
	return 0;
}

/*
 * Skips zero padding at *off.  Returns 1 when a header may follow at *off,
 * 0 at the end of the buffer (*off == len), -EINVAL when the next non-zero
 * byte is not 4-byte aligned.
 */
static int cpio_skip_zeros(const unsigned char *p, size_t len, size_t *off)
{
	size_t o = *off;

	while (o < len && p[o] == 0)
		o++;
	*off = o;
	if (o == len)
		return 0;
	return o % CPIO_ALIGN ? -EINVAL : 1;
}

static uint32_t cpio_checksum(const unsigned char *data, size_t size)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < size; i++)
		sum += data[i];
	return sum;
}

int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e)
{
	const unsigned char *p = buf;
	uint32_t f[CPIO_NFIELDS];
	size_t o = *off, name_off, data_off;
	const char *h, *name;
	bool crc;
	int r;

	if (o > len)
		return -EINVAL;
	r = cpio_skip_zeros(p, len, &o);
	if (r <= 0) {
		if (r == 0)
			*off = o;
		return r;
	}
	if (len - o < CPIO_NEWC_HDR_SIZE)
		return -EINVAL;
	h = (const char *)p + o;
	crc = memcmp(h, CPIO_NEWC_CRC_MAGIC, CPIO_MAGIC_LEN) == 0;
	if (!crc && memcmp(h, CPIO_NEWC_MAGIC, CPIO_MAGIC_LEN) != 0)
		return -EINVAL;
	if (cpio_parse_fields(h, f))
		return -EINVAL;

	name_off = o + CPIO_NEWC_HDR_SIZE;
	if (f[CPIO_NAMESIZE] == 0 || f[CPIO_NAMESIZE] > len - name_off)
		return -EINVAL;
	name = (const char *)p + name_off;
	if (memchr(name, '\0', f[CPIO_NAMESIZE]) != name + f[CPIO_NAMESIZE] - 1)
		return -EINVAL;	/* not NUL-terminated, or a NUL inside */

	data_off = cpio_pad(name_off + f[CPIO_NAMESIZE], len);
	if (f[CPIO_FILESIZE] > len - data_off)
		return -EINVAL;
	if (crc && cpio_checksum(p + data_off, f[CPIO_FILESIZE]) != f[CPIO_CHECK])
		return -EINVAL;

	*off = cpio_pad(data_off + f[CPIO_FILESIZE], len);
	if (f[CPIO_NAMESIZE] == sizeof(CPIO_TRAILER) &&
	    memcmp(name, CPIO_TRAILER, sizeof(CPIO_TRAILER)) == 0)
		return 0;

	*e = (struct cpio_entry){
		.name = name,
		.namelen = f[CPIO_NAMESIZE] - 1,
		.mode = f[CPIO_MODE],
		.uid = f[CPIO_UID],
		.gid = f[CPIO_GID],
		.nlink = f[CPIO_NLINK],
		.mtime = f[CPIO_MTIME],
		.data = p + data_off,
		.size = f[CPIO_FILESIZE],
		.dev_major = f[CPIO_DEVMAJOR],
		.dev_minor = f[CPIO_DEVMINOR],
		.rdev_major = f[CPIO_RDEVMAJOR],
		.rdev_minor = f[CPIO_RDEVMINOR],
	};
	return 1;
}
