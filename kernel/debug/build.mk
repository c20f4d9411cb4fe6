# kernel/debug/build.mk - tools that look at the kernel from outside: the
# kernel shell, in-kernel tests and benchmarks, coverage (/dev/kcov).
KSRCS += $(wildcard kernel/debug/*.c)
# kcov: the hook itself.
KCOV_SRCS += $(filter-out kernel/debug/kcov.c,$(wildcard kernel/debug/*.c))
