# kernel/mm/build.mk - physical frames, the kernel heap and stacks, user
# address spaces (VMAs, shared objects, commit limit), user copies, OOM.
KSRCS += $(wildcard kernel/mm/*.c)
KCOV_SRCS += $(wildcard kernel/mm/*.c)
