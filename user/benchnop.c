/*
 * benchnop.c - a static program that exits 0 at once: what benchcmp's
 * fork_exec_wait row executes (the cost of exec itself, not of the program).
 */
#include <unistd.h>

int main(void)
{
	_exit(0);
}
