/*
 * serial.c - the 16550 UART on COM1 as a console: polled output, interrupt
 * driven input (IRQ 4) fed into the generic console input queue.
 * Output is serialized by the console lock (kernel/core/console.c).
 */
#include <drivers/serial.h>
#include <arch/cpu.h>
#include <keel/irq.h>
#include <keel/initcall.h>
#include <keel/klog.h>
#include <keel/console.h>

static void serial_putc(char c)
{
	while (!(inb(COM1_PORT + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(COM1_PORT + UART_THR, (uint8_t)c);
}

static void serial_write(struct console *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]); /* bytes as they are: "\n" is a line feed */
}

static struct console serial_console = {
	.name = "serial",
	.line = CONSOLE_LINE_SERIAL,
	.write = serial_write,
};

/* Set up COM1 for 115200 8N1 and register it as a console. */
static void serial_init(void)
{
	unsigned divisor = UART_BAUD_BASE / UART_BAUD;

	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	outb(COM1_PORT + UART_DLL, divisor & 0xff);
	outb(COM1_PORT + UART_DLM, divisor >> 8);
	outb(COM1_PORT + UART_LCR, UART_LCR_8N1);
	outb(COM1_PORT + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
	outb(COM1_PORT + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	console_register(&serial_console);
}
INITCALL(INITCALL_CONSOLE, serial_init);

static void serial_irq(unsigned irq, void *arg)
{
	while (inb(COM1_PORT + UART_LSR) & UART_LSR_DR)
		console_input(CONSOLE_LINE_SERIAL, (char)inb(COM1_PORT + UART_RBR));
}

/* Route COM1's receive interrupt to the console input queue. */
static void serial_enable_irq(void)
{
	if (irq_request(COM1_IRQ, serial_irq, NULL, "com1")) {
		klog(LOG_WARN, "serial: no interrupt line: console input disabled");
		return;
	}
	outb(COM1_PORT + UART_IER, UART_IER_RDA);
	/* Drain anything typed before the IRQ was wired. */
	serial_irq(COM1_IRQ, NULL);
}
INITCALL(INITCALL_DEVICE, serial_enable_irq);
