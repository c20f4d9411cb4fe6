# kernel/proc/build.mk - processes: creation (fork/clone), exec, exit and
# wait, signals.
KSRCS += $(wildcard kernel/proc/*.c)
KCOV_SRCS += $(wildcard kernel/proc/*.c)
