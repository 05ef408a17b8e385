/*
 * prog_heap.c - a small real program for the import tests: it grows the
 * heap with brk (sbrk, and malloc of small blocks), shrinks it, and lets
 * malloc make one large block with mmap.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char *small[64], *big;

	for (int i = 0; i < 64; i++) {
		small[i] = malloc(4000);
		if (!small[i])
			return 2;
		memset(small[i], i, 4000);
	}
	if (sbrk(3 * 4096) == (void *)-1) /* grow by hand */
		return 2;
	if (sbrk(-4096) == (void *)-1) /* and give a page back */
		return 2;
	big = malloc(1 << 20); /* over the mmap threshold */
	if (!big)
		return 2;
	big[0] = 1;
	free(big);
	return 0;
}
