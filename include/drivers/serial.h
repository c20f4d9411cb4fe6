/* drivers/serial.h - 16550 UART registers (COM1) and the serial console. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#define COM1_PORT        0x3f8
#define COM1_IRQ         4
#define UART_RBR         0      /* receive buffer (DLAB=0, read) */
#define UART_THR         0      /* transmit holding (DLAB=0, write) */
#define UART_DLL         0      /* divisor low (DLAB=1) */
#define UART_IER         1      /* interrupt enable (DLAB=0) */
#define UART_DLM         1      /* divisor high (DLAB=1) */
#define UART_FCR         2      /* FIFO control */
#define UART_LCR         3      /* line control */
#define UART_MCR         4      /* modem control */
#define UART_LSR         5      /* line status */
#define UART_IER_RDA     0x01
#define UART_FCR_ENABLE  0x01
#define UART_FCR_CLEAR   0x06
#define UART_LCR_8N1     0x03
#define UART_LCR_DLAB    0x80
#define UART_MCR_DTR     0x01
#define UART_MCR_RTS     0x02
#define UART_MCR_OUT2    0x08   /* gates the IRQ line on PCs */
#define UART_LSR_DR      0x01
#define UART_LSR_THRE    0x20
#define UART_BAUD_BASE   115200
#define UART_BAUD        115200


#endif
