# kernel/init/build.mk - kmain: the order the kernel comes up in, init's
# start and its exit report.  The top layer: it may call every subsystem.
KSRCS += $(wildcard kernel/init/*.c)
KCOV_SRCS += $(wildcard kernel/init/*.c)
