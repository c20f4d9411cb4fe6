# Host unit tests: every tests/host/test_*.c is linked with every lib/*.c
# (built for the host with ASan/UBSan) into one binary, build/host/htest.
# Pure kernel/ files that are also unit-tested on the host (append here),
# and host stand-ins for kernel services they call (tests/host/fake_*.c).
HOST_KSRCS :=
HOST_KSRCS += kernel/boot/bootinfo.c
HOST_KSRCS += kernel/mm/kmalloc.c
HOST_KSRCS += kernel/mm/kmalloc_check.c
HOST_KSRCS += kernel/boot/acpi.c
HOST_KSRCS += kernel/fs/vfs.c kernel/fs/perm.c kernel/fs/flock.c kernel/fs/mount.c kernel/fs/ramfs.c kernel/fs/devfs.c kernel/fs/tty.c kernel/fs/fd.c
HOST_KSRCS += kernel/fs/pipe.c kernel/sys/sys_fs.c kernel/sys/sys_file.c kernel/sys/sys_path.c kernel/fs/initramfs.c
HOST_FAKES := $(wildcard tests/host/fake_*.c)
HOST_TESTS := $(wildcard tests/host/test_*.c)
HOST_OBJS  := $(patsubst %.c,$(BUILD)/host/%.o,$(LIBSRCS) $(HOST_KSRCS) $(HOST_FAKES) $(HOST_TESTS))

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/host/htest_main.o: tests/host/htest_main.c tests/host/htest.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(filter-out -include tests/host/host_rename.h,$(HOST_CFLAGS)) -c $< -o $@

$(BUILD)/host/htest: $(HOST_OBJS) $(BUILD)/host/htest_main.o
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $^ -o $@

host-test: $(BUILD)/host/htest
	$(Q)$(BUILD)/host/htest

# Host builds see the arch headers (layout constants such as PAGE_SIZE) and
# get the kernel's default debug checks (poisoning, red zones, ...).
HOST_CFLAGS += -Iarch/$(ARCH)/include -DKEEL_DEBUG=1
include user/build.mk
include tests/fuzz/build.mk
