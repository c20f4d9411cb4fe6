# drivers/char/build.mk - character devices of the PC: the 16550 serial port,
# the VGA text screen and the PS/2 keyboard, all registered with the console
# (kernel/core/console.c).
KSRCS += $(wildcard drivers/char/*.c)
KCOV_SRCS += $(wildcard drivers/char/*.c)
