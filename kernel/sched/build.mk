# kernel/sched/build.mk - threads, run queues and the context switch,
# idle, wait queues, sleeping mutexes and futexes.
KSRCS += $(wildcard kernel/sched/*.c)
# sched: the context switch changes the current thread under the hook.
KCOV_SRCS += $(filter-out kernel/sched/sched.c,$(wildcard kernel/sched/*.c))
