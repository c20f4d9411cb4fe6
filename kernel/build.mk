# Generic kernel, lib and in-kernel test sources; kernel objects and link.
KSRCS += $(wildcard kernel/*.c) $(LIBSRCS) $(wildcard tests/kernel/*.c)
KOBJS := $(patsubst %,$(BUILD)/%.o,$(KSRCS))

# The system-call table is generated from kernel/syscall.tbl.
$(BUILD)/gen/syscall_table.h: kernel/syscall.tbl tools/gen_syscalls.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gen_syscalls.py $< > $@
$(BUILD)/kernel/syscall.c.o: $(BUILD)/gen/syscall_table.h

# KCOV=1: coverage instrumentation (kernel/kcov.c) for the generic kernel
# code, except the hook itself, the scheduler (the context switch changes
# the current thread under it), spinlocks, lockdep and idle (on every path:
# noise, not coverage).  lib/ and tests/kernel/ are never instrumented.
# $(BUILD)/gen/kcov.config records the setting: changing it rebuilds.
KCOV_EXCLUDE_KERNEL := kcov sched spinlock lockdep idle
KCOV_SRCS += $(filter-out $(patsubst %,kernel/%.c,$(KCOV_EXCLUDE_KERNEL)), \
	$(wildcard kernel/*.c))
ifeq ($(KCOV),1)
$(patsubst %,$(BUILD)/%.o,$(KCOV_SRCS)): KCFLAGS += $(KCOV_CFLAGS)
endif

.PHONY: kcov-config-force
$(BUILD)/gen/kcov.config: kcov-config-force
	@mkdir -p $(dir $@)
	@echo 'KCOV=$(KCOV)' | cmp -s - $@ 2>/dev/null || echo 'KCOV=$(KCOV)' > $@
$(KOBJS): $(BUILD)/gen/kcov.config

$(BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

$(LDSCRIPT): $(ARCH_DIR)/linker.ld.in
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KASFLAGS) -E -P -x c $< -o $@

$(BUILD)/ksyms-empty.S:
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gen_ksyms.py --empty > $@

$(BUILD)/ksyms%.o: $(BUILD)/ksyms%.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Pass 1: no symbols.  Pass 2: symbols of pass 1 (.ksyms is last in the
# image, so nothing before it moves).  The check makes sure of that.
$(BUILD)/keel.pass1.elf: $(KOBJS) $(BUILD)/ksyms-empty.o $(LDSCRIPT)
	$(Q)$(LD) $(KLDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/ksyms-final.S: $(BUILD)/keel.pass1.elf tools/gen_ksyms.py
	$(Q)$(NM) -n --defined-only $< | $(PYTHON) tools/gen_ksyms.py > $@

$(BUILD)/keel.elf: $(KOBJS) $(BUILD)/ksyms-final.o $(LDSCRIPT)
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/ksyms-final.o
	$(Q)$(NM) -n --defined-only $@ | $(PYTHON) tools/gen_ksyms.py | \
		cmp -s - $(BUILD)/ksyms-final.S || \
		{ echo "error: symbol addresses moved between link passes"; rm -f $@; exit 1; }

kernel: $(BUILD)/keel.elf
all: $(BUILD)/keel.elf
