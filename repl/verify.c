/* placeholder until the kernel backend lands; replaced by verify.c proper */
#include <stdio.h>
#include "verify.h"
int verify_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vmalab: verify: not built yet\n");
	return 2;
}
