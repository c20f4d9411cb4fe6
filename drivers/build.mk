# drivers/build.mk - device drivers that are not the CPU's own, one folder
# per kind, each with its own build.mk (see docs/layout.md): they use the
# arch's port I/O and the generic interrupt interface (irq_request), and
# start from INITCALL() hooks.
DRIVER_DIRS := char
include $(patsubst %,drivers/%/build.mk,$(DRIVER_DIRS))
