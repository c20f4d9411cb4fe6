/*
 * sys_reboot.c - reboot(2): power off, halt, restart, and the
 * Ctrl-Alt-Del switch, with Linux's magic numbers and commands.
 *
 * Keel has no disks to sync and no drivers to shut down: RAM file systems
 * lose their contents either way.  Power off leaves QEMU through its
 * isa-debug-exit device (status 33, which tools/run-qemu.sh reports as a
 * clean power off); without that device the CPUs halt and a message says
 * so, since ACPI S5 needs an AML interpreter Keel does not have.  Restart
 * resets through the keyboard controller (arch_reboot).
 *
 * Privileged callers only (CAP_SYS_BOOT: keel/cred.h), checked before the
 * magic numbers as on Linux.
 * Lock key: [A] reboot_cad_enabled is read and written atomically.
 */
#include <keel/syscall.h>
#include <keel/klog.h>
#include <keel/cred.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define REBOOT_MAGIC1         0xfee1deadu
#define REBOOT_MAGIC2         672274793u
#define REBOOT_MAGIC2A        85072278u
#define REBOOT_MAGIC2B        369367448u
#define REBOOT_MAGIC2C        537993216u
#define REBOOT_CMD_RESTART    0x01234567u
#define REBOOT_CMD_HALT       0xcdef0123u
#define REBOOT_CMD_CAD_ON     0x89abcdefu
#define REBOOT_CMD_CAD_OFF    0x00000000u
#define REBOOT_CMD_POWER_OFF  0x4321fedcu
#define REBOOT_CMD_RESTART2   0xa1b2c3d4u
#define REBOOT_CMD_SW_SUSPEND 0xd000fce2u
#define REBOOT_CMD_KEXEC      0x45584543u

static bool reboot_cad_enabled = true; /* [A] Ctrl-Alt-Del reboots at once */

static void reboot_announce(const char *what)
{
	klog(LOG_WARN, "reboot: %s", what); /* shown on the console, as Linux does */
}

static __noreturn void reboot_halt(void)
{
	arch_stop_other_cpus();
	arch_halt_forever();
}

SYSCALL_DEFINE4(reboot, unsigned, magic1, unsigned, magic2, unsigned, cmd, void __user *, arg)
{
	(void)arg;
	if (!cred_privileged())
		return -EPERM;
	if (magic1 != REBOOT_MAGIC1 || (magic2 != REBOOT_MAGIC2 && magic2 != REBOOT_MAGIC2A &&
					magic2 != REBOOT_MAGIC2B && magic2 != REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		__atomic_store_n(&reboot_cad_enabled, cmd == REBOOT_CMD_CAD_ON, __ATOMIC_RELAXED);
		return 0;
	case REBOOT_CMD_RESTART:
	case REBOOT_CMD_RESTART2:
		reboot_announce("Restarting system");
		arch_reboot();
	case REBOOT_CMD_HALT:
		reboot_announce("System halted");
		reboot_halt();
	case REBOOT_CMD_POWER_OFF:
		reboot_announce("Power down");
		arch_emulator_exit(EMU_EXIT_SUCCESS);
		klog(LOG_WARN, "reboot: no way to switch the power off here: halting instead");
		reboot_halt();
	case REBOOT_CMD_SW_SUSPEND:
	case REBOOT_CMD_KEXEC:
		klog_once(LOG_WARN, "reboot: suspend and kexec are not supported");
		return -ENOSYS;
	default:
		return -EINVAL;
	}
}
