/* arch/setup.h - boot/setup.c: the C entry of both boot paths (boot.S). */
#ifndef ARCH_SETUP_H
#define ARCH_SETUP_H

#include <stdint.h>

void arch_boot_main(uint32_t protocol, uint32_t info_pa);

#endif
