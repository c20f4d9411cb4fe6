# kernel/build.mk - the generic kernel: one folder per subsystem, each with
# its own build.mk (see docs/layout.md for what each may call), and the
# kernel link shared by all of them.
KERNEL_DIRS := core boot mm sched proc fs dev sys debug init
include $(patsubst %,kernel/%/build.mk,$(KERNEL_DIRS))
KSRCS += $(LIBSRCS) $(wildcard tests/kernel/*.c)
KOBJS := $(patsubst %,$(BUILD)/%.o,$(KSRCS))

# KCOV=1: instrument the files in KCOV_SRCS (each folder's build.mk adds
# its own, minus the ones on every path: noise, not coverage).  lib/ and
# tests/kernel/ are never instrumented.  $(BUILD)/gen/kcov.config records
# the setting: changing it rebuilds.
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

$(LDSCRIPT): $(ARCH_DIR)/boot/linker.ld.in
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
