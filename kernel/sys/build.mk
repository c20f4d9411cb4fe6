# kernel/sys/build.mk - the system-call layer: the table (generated from
# syscall.tbl), dispatch, and the sys_*() handlers, grouped by subject.
KSRCS += $(wildcard kernel/sys/*.c)
KCOV_SRCS += $(wildcard kernel/sys/*.c)

# The system-call table is generated from kernel/sys/syscall.tbl.
$(BUILD)/gen/syscall_table.h: kernel/sys/syscall.tbl tools/gen_syscalls.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gen_syscalls.py $< > $@
$(BUILD)/kernel/sys/syscall.c.o: $(BUILD)/gen/syscall_table.h

# docs/syscalls.md's table has one row per line of syscall.tbl; this
# rewrites the rows (keeping their notes), and tests/system/test_tree.py
# fails while they differ.
.PHONY: syscalls-doc
syscalls-doc:
	$(Q)$(PYTHON) tools/gen_syscalls.py --doc kernel/sys/syscall.tbl docs/syscalls.md
