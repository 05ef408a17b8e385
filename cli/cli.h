/*
 * cli.h - the command line's options, and what is made from them and the
 * command table: the usage, the manual page and the bash completion.
 */
#ifndef VMALAB_CLI_H
#define VMALAB_CLI_H

#include <stdio.h>

#define VMALAB_VERSION "0.9.0"

struct cli_option {
	const char *name, *arg;
	const char *complete; /* what its argument is, or NULL */
	const char *text;
};
/* Every mode and option, NULL-terminated. */
extern const struct cli_option cli_options[];

void cli_usage(FILE *f);
/* The manual page vmalab.1, in roff. */
void cli_man(FILE *f, const char *version);
/* A bash completion script for vmalab. */
void cli_bash_completion(FILE *f);

#endif
