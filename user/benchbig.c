/*
 * benchbig.c - a static program of a little over 1 MiB that exits 0 at once
 * without touching its data: benchcmp's execve_1m_binary row, the cost of
 * executing a big file (reading or mapping it), not of running it.
 */
#include <unistd.h>

#define BIG_DATA (1024 * 1024)

/* Initialised, so the bytes are in the file (.data), not in .bss. */
static volatile unsigned char big[BIG_DATA] = { 1 };

int main(void)
{
	(void)big;
	_exit(0);
}
