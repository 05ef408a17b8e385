/*
 * kreplay.c - the kernel replayer: a vmalab script run as real system
 * calls in this one process (direct.c), printing what batch mode prints.
 *
 *   kreplay FILE|-
 *
 * make bench times `vmalab --batch FILE` against `kreplay FILE`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "direct.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct session s;
	FILE *in = stdin;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: kreplay FILE|-\n");
		return 2;
	}
	no_aslr(argv);
	if (strcmp(argv[1], "-") && !(in = fopen(argv[1], "r"))) {
		fprintf(stderr, "kreplay: %s: %m\n", argv[1]);
		return 2;
	}
	/* Output as batch mode writes it (cli/main.c). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	session_init(&s, kernel_direct_new());
	s.src = in == stdin ? "<stdin>" : argv[1];
	ret = session_run_file(&s, in, stdout);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return ret;
}
