/* arch/bootproto.h - how boot.S says which loader started the kernel. */
#ifndef ARCH_BOOTPROTO_H
#define ARCH_BOOTPROTO_H

#define BOOT_PROTO_MULTIBOOT2   1
#define BOOT_PROTO_PVH          2
#define MB2_BOOTLOADER_MAGIC    0x36d76289

#endif
