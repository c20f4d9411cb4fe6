# tools/build.mk - everything around the kernel: dependency check, the GRUB
# ISO, running under QEMU, gdb, the whole test suite and benchmarks.
#
#   make deps       install missing Debian packages (tools/deps.sh)
#   make iso        build/keel.iso: GRUB (BIOS + UEFI) booting keel.elf
#   make run        QEMU -kernel keel.elf        SMP= MEM= CMDLINE= QEMUFLAGS=
#   make run-iso    QEMU + SeaBIOS + GRUB ISO
#   make run-uefi   QEMU + OVMF + GRUB ISO
#   make gdb        QEMU halted with a gdb stub on :1234, gdb attached
#   make test       host tests + clang build + style + system tests
#                   (tools/test-all.sh)
#   make check-style  clang-format and cppcheck (tools/check-style.sh)
#   make test-seed  the seed scenario at 1,000 rounds per configuration (SEED_ROUNDS=)
#   make bench      boot time (tools/bench-boot.py, BENCH_N=) and in-kernel
#                   microbenchmarks on a DEBUG=0 build (tools/bench-kernel.sh),
#                   user-space scheduler benchmarks (tools/bench-user.sh), and
#                   Keel beside Debian's Linux in the same QEMU
#                   (tools/bench-linux.py, BENCH_ROUNDS=; docs/bench.md)
#   make bench-linux  only the side-by-side table (BENCH_SMP=1,2, BENCH_ONLY=metric)
#
# Dependency check first: every user-facing target depends on the phony
# `deps`, and every object file has `deps` as an order-only prerequisite, so
# tools/deps.sh runs once per make invocation and before any compiler runs,
# even under -j, without ever making an object out of date.

SMP       ?= 2
MEM       ?= 256M
CMDLINE   ?=
QEMUFLAGS ?=
QEMU      ?= qemu-system-x86_64
OVMF      ?= /usr/share/ovmf/OVMF.fd
BENCH_N   ?= 10
BENCH_ROUNDS ?= 3
BENCH_SMP ?= 1,2
SEED_ROUNDS ?= 1000
# An initramfs (built by a later rule, or by hand) is optional everywhere.
INITRAMFS ?= $(BUILD)/initramfs.cpio

# No X display (or no QEMU GUI module, where QEMU would fall back to VNC):
# serial only.  Otherwise a VGA window beside the serial console.
QEMU_GUI := $(wildcard /usr/lib/*/qemu/ui-gtk.so /usr/lib/*/qemu/ui-sdl.so)
QEMU_DISPLAY ?= $(if $(and $(DISPLAY),$(QEMU_GUI)),,-display none)
QEMU_COMMON := $(QEMU) -accel tcg -cpu max -smp $(SMP) -m $(MEM) \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot
# The serial console on this terminal, multiplexed with QEMU's monitor:
# Ctrl-C, Ctrl-Z and Ctrl-\ go to Keel; Ctrl-A X leaves QEMU, Ctrl-A C
# toggles the monitor, Ctrl-A H lists the keys.
QEMU_SERIAL ?= -serial mon:stdio
# Expanded in recipes, i.e. after prerequisites are made: sees a fresh initramfs.
QEMU_INITRD = $(if $(wildcard $(INITRAMFS)),-initrd $(INITRAMFS))

.PHONY: deps iso run run-iso run-uefi gdb bench bench-linux test test-seed check-style tools-force

deps:
	$(Q)tools/deps.sh

all: deps $(BUILD)/keel.iso
iso: deps $(BUILD)/keel.iso

# Order-only: deps before any compile, never a reason to recompile.
$(KOBJS) $(HOST_OBJS) $(BUILD)/host/htest_main.o $(LDSCRIPT) \
	$(BUILD)/ksyms-empty.o $(BUILD)/ksyms-final.o: | deps

# ---------------------------------------------------------------- ISO
# The command line baked into grub.cfg lives in a file that changes only when
# CMDLINE does, so `make iso CMDLINE=...` rebuilds exactly when needed.
$(BUILD)/iso.cmdline: tools-force
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(CMDLINE)' | cmp -s - $@ 2>/dev/null || \
		printf '%s\n' '$(CMDLINE)' >$@

$(BUILD)/keel.iso: $(BUILD)/keel.elf $(BUILD)/iso.cmdline tools/mkiso.sh \
		tools/grub.cfg.in $(wildcard $(INITRAMFS)) | deps
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $@ $(BUILD)/keel.elf '$(CMDLINE)' \
		$(wildcard $(INITRAMFS))

# ---------------------------------------------------------------- run
run: deps $(BUILD)/keel.elf
	$(Q)tools/run-qemu.sh $(QEMU_COMMON) $(QEMU_SERIAL) $(QEMU_DISPLAY) \
		-kernel $(BUILD)/keel.elf -append '$(CMDLINE)' $(QEMU_INITRD) \
		$(QEMUFLAGS)

run-iso: deps $(BUILD)/keel.iso
	$(Q)tools/run-qemu.sh $(QEMU_COMMON) $(QEMU_SERIAL) $(QEMU_DISPLAY) \
		-cdrom $(BUILD)/keel.iso $(QEMUFLAGS)

run-uefi: deps $(BUILD)/keel.iso
	$(Q)tools/run-qemu.sh $(QEMU_COMMON) $(QEMU_SERIAL) $(QEMU_DISPLAY) \
		-bios $(OVMF) -cdrom $(BUILD)/keel.iso $(QEMUFLAGS)

# ---------------------------------------------------------------- gdb
# QEMU waits halted (-S) with its gdb stub on :1234 (-s); the console goes to
# a file because gdb owns the terminal.  See tools/gdbinit (hbreak vs break).
GDB ?= gdb
GDB_SERIAL ?= file:$(BUILD)/gdb-serial.log
gdb: deps $(BUILD)/keel.elf
	@echo "gdb: serial console in $(BUILD)/gdb-serial.log; try: hbreak kmain, continue"
	$(Q)$(QEMU_COMMON) -serial $(GDB_SERIAL) $(QEMU_DISPLAY) \
		-kernel $(BUILD)/keel.elf -append '$(CMDLINE)' $(QEMU_INITRD) \
		$(QEMUFLAGS) -s -S & qpid=$$!; \
	$(GDB) -q -x tools/gdbinit $(BUILD)/keel.elf; st=$$?; \
	kill $$qpid 2>/dev/null; wait $$qpid 2>/dev/null; exit $$st

# ---------------------------------------------------------------- test, bench
# test-all.sh builds each layer itself (a layer that fails to build counts as
# a failure, the others still run) and prints the one "N passed, N failed".
test: deps
	$(Q)MAKE='$(MAKE)' BUILD='$(BUILD)' PYTHON='$(PYTHON)' NM='$(NM)' \
		tools/test-all.sh

# The seed scenario (tests/system/test_seed.py) at full length: 1,000
# rounds on serial and PS/2, -smp 1, 2 and 4 (make test runs 100 of each).
test-seed: deps $(BUILD)/keel.elf $(BUILD)/initramfs.cpio
	$(Q)KEEL_BUILD='$(BUILD)' KEEL_SEED_ROUNDS=$(SEED_ROUNDS) $(PYTHON) -m pytest \
		tests/system/test_seed.py -v

# Formatting (.clang-format) and cppcheck; make test runs it as one layer.
check-style: deps
	$(Q)BUILD='$(BUILD)' tools/check-style.sh

# Boot time is measured on the normal (debug) kernel that users boot; the
# microbenchmarks on a release build (DEBUG=0: lockdep and poisoning off).
bench: deps $(BUILD)/keel.elf
	$(Q)tools/deps.sh bench
	$(Q)$(PYTHON) tools/bench-boot.py --kernel $(BUILD)/keel.elf -n $(BENCH_N) \
		$(if $(wildcard $(INITRAMFS)),--initrd $(INITRAMFS))
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BUILD=build-release build-release/keel.elf >/dev/null
	$(Q)tools/bench-kernel.sh build-release/keel.elf
	$(Q)tools/bench-user.sh build-release/keel.elf $(INITRAMFS)
	$(Q)$(PYTHON) tools/bench-linux.py --keel build-release/keel.elf --initrd $(INITRAMFS) \
		--rounds $(BENCH_ROUNDS) --smp $(BENCH_SMP) --scale --boot

# The side-by-side table alone (no scaling or boot rows unless BENCH_ONLY is
# empty and BENCH_FULL=1).
bench-linux: deps $(INITRAMFS)
	$(Q)tools/deps.sh bench
	$(Q)$(MAKE) --no-print-directory DEBUG=0 BUILD=build-release build-release/keel.elf >/dev/null
	$(Q)$(PYTHON) tools/bench-linux.py --keel build-release/keel.elf --initrd $(INITRAMFS) \
		--rounds $(BENCH_ROUNDS) --smp $(BENCH_SMP) $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) \
		$(if $(BENCH_FULL),--scale --boot)
