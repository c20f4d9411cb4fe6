# kernel/fs/build.mk - the VFS, the file systems (ramfs, devfs), the console
# terminal (tty), pipes, open files and descriptor tables, the initramfs
# unpacker.
KSRCS += $(wildcard kernel/fs/*.c)
KCOV_SRCS += $(wildcard kernel/fs/*.c)
