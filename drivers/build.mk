# drivers/build.mk - device drivers that are not the CPU's own: char/ has
# the 16550 serial port, the VGA text screen and the PS/2 keyboard.  They
# use the arch's port I/O and the generic interrupt interface (irq_request)
# and register with the console (kernel/core/console.c).
DRIVER_DIRS := char
KSRCS += $(foreach d,$(DRIVER_DIRS),$(wildcard drivers/$(d)/*.c))
KCOV_SRCS += $(foreach d,$(DRIVER_DIRS),$(wildcard drivers/$(d)/*.c))
