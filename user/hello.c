/*
 * hello.c - /bin/hello: the smallest useful Keel program.
 *
 * Prints "hello, world"; then, when given any, one line per argument
 * ("arg: ...") and the value of $HELLO ("HELLO=..."), so that exec tests can
 * see that argv and envp arrived.  Exits 0.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *hello = getenv("HELLO");

	printf("hello, world\n");
	for (int i = 1; i < argc; i++)
		printf("arg: %s\n", argv[i]);
	if (hello)
		printf("HELLO=%s\n", hello);
	return fflush(stdout) == 0 ? 0 : 1;
}
