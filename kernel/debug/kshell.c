/*
 * kshell.c - the kernel's own console shell.  Reads a line with echo and
 * simple editing (backspace, ^U), then runs the named command from a
 * table.  Runs only on the boot CPU's main thread, so its state needs no lock.
 */
#include <keel/kshell.h>
#include <keel/console.h>
#include <keel/tty.h>
#include <keel/klog.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/time.h>
#include <keel/cpu.h>
#include <lib/string.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define ASCII_BS   0x08
#define ASCII_DEL  0x7f
#define ASCII_NAK  0x15   /* ^U: kill line */

struct kshell_cmd {
	const char *name;
	const char *help;
	void (*fn)(const char *args);
};

static void cmd_help(const char *args);

static void cmd_mem(const char *args)
{
	struct kmem_stats st;

	kmalloc_stats(&st);
	kprintf("frames: %lu free of %lu (%lu MiB free)\n", pmm_free_frames(),
		pmm_total_frames(), pmm_free_frames() * PAGE_SIZE / MiB);
	kprintf("heap: %lu bytes in use in %lu pages, %lu allocs, %lu frees\n",
		(unsigned long)st.bytes_in_use, (unsigned long)st.pages_in_use,
		(unsigned long)st.allocs, (unsigned long)st.frees);
}

static void cmd_ticks(const char *args)
{
	kprintf("ticks: %lu (%u Hz)\n", time_ticks(), TICK_HZ);
}

static void cmd_uptime(const char *args)
{
	uint64_t ns = time_ns();

	kprintf("uptime: %lu.%03lu s\n", ns / NSEC_PER_SEC,
		ns / NSEC_PER_MSEC % 1000);
}

static void cmd_echo(const char *args)
{
	kprintf("%s\n", args);
}

static void cmd_reboot(const char *args)
{
	kprintf("rebooting\n");
	arch_reboot();
}

static void cmd_poweroff(const char *args)
{
	kprintf("keel: power off\n");
	arch_emulator_exit(EMU_EXIT_SUCCESS);
	kprintf("keel: no way to power off; halting\n");
	arch_halt_forever();
}

static const struct kshell_cmd kshell_cmds[] = {
	{ "help", "list commands", cmd_help },
	{ "mem", "physical memory and heap usage", cmd_mem },
	{ "ticks", "timer ticks since boot", cmd_ticks },
	{ "uptime", "time since boot", cmd_uptime },
	{ "echo", "print the arguments", cmd_echo },
	{ "reboot", "reset the machine", cmd_reboot },
	{ "poweroff", "leave QEMU (isa-debug-exit)", cmd_poweroff },
};

static void cmd_help(const char *args)
{
	for (size_t i = 0; i < ARRAY_SIZE(kshell_cmds); i++)
		kprintf("  %-10s %s\n", kshell_cmds[i].name, kshell_cmds[i].help);
}

int kshell_exec(const char *line)
{
	char name[KSHELL_LINE_MAX];
	size_t n = 0;

	while (*line == ' ')
		line++;
	while (line[n] && line[n] != ' ' && n < sizeof(name) - 1) {
		name[n] = line[n];
		n++;
	}
	name[n] = '\0';
	if (n == 0)
		return 0;
	line += n;
	while (*line == ' ')
		line++;
	for (size_t i = 0; i < ARRAY_SIZE(kshell_cmds); i++) {
		if (strcmp(kshell_cmds[i].name, name) == 0) {
			kshell_cmds[i].fn(line);
			return 0;
		}
	}
	kprintf("%s: unknown command (try help)\n", name);
	return -ENOENT;
}

static void kshell_readline(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		int c = console_getc();
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			break;
		}
		if (c == ASCII_BS || c == ASCII_DEL) {
			if (len > 0) {
				len--;
				console_write("\b \b", 3);
			}
			continue;
		}
		if (c == ASCII_NAK) {
			for (; len > 0; len--)
				console_write("\b \b", 3);
			continue;
		}
		if (c < ' ' || len + 1 >= size)
			continue;
		buf[len++] = (char)c;
		console_write(&buf[len - 1], 1);
	}
	buf[len] = '\0';
}

void kshell_run(void)
{
	char line[KSHELL_LINE_MAX];

	tty_detach_input(); /* typed bytes come to console_getc from now on */
	kprintf("Type 'help' for commands.\n");
	for (;;) {
		kprintf(KSHELL_PROMPT);
		kshell_readline(line, sizeof(line));
		kshell_exec(line);
	}
}
