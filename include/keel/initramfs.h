/*
 * keel/initramfs.h - the boot modules' newc cpio archives unpacked into
 * the root ramfs (kernel/fs/initramfs.c), at boot, single-threaded.
 */
#ifndef KEEL_INITRAMFS_H
#define KEEL_INITRAMFS_H

#include <stddef.h>

/*
 * Unpack a newc cpio archive into the root file system (after vfs_init):
 * 0, or -EINVAL at the first malformed entry (what came before it stays).
 * May sleep.
 */
int initramfs_unpack(const void *buf, size_t len);

#endif
