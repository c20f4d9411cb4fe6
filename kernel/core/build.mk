# kernel/core/build.mk - what every subsystem may use: locks and lockdep,
# logging, panic and backtraces, CPUs and cross-CPU calls, time and timers,
# the console, randomness, fault injection, and kmain.
KSRCS += $(wildcard kernel/core/*.c)
# spinlock, lockdep: on every path (noise, not coverage).
KCOV_SRCS += $(filter-out kernel/core/spinlock.c kernel/core/lockdep.c,$(wildcard kernel/core/*.c))
