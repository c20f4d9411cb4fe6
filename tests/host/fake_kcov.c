/*
 * fake_kcov.c - host stand-in for kernel/debug/kcov.c, which kernel/fs/devfs.c
 * names in its device table: host builds are built without KCOV, so
 * /dev/kcov is absent and its operations are never called.
 */
#include <keel/fd.h>
#include <keel/kcov.h>

const struct file_ops kcov_fops = { 0 };

bool kcov_built_in(void)
{
	return false;
}

void kcov_note_missing(void)
{
}
