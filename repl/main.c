/*
 * main.c - vmalab's command line: batch mode, one-liners, verify, and the
 * interactive front ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "command.h"
#include "probe.h"
#include "repl.h"
#include "verify.h"

static void usage(FILE *f)
{
	fputs("usage: vmalab [--trace] [--machine P=V,...] [--batch FILE|-] "
	      "[-c 'LINE; LINE...']\n"
	      "       vmalab verify [--kernel-only] FILE|-\n"
	      "       vmalab [--repl]\n"
	      "\n"
	      "Simulates Linux VMA operations (mmap, munmap, mprotect, "
	      "faults, fork)\nand prints what /proc/PID/maps and smaps "
	      "would show.\n"
	      "\n"
	      "  --batch FILE  run a script (- for stdin), plain output\n"
	      "  -c LINES      run lines separated by ';'\n"
	      "  --trace       after each call, the engine's internal steps\n"
	      "  --machine P=V,...\n"
	      "                what differs between kernels: "
	      "zero_page=on|off,\n"
	      "                fault_around=PAGES, read_ahead=PAGES,\n"
	      "                max_map_count=N (verify probes the kernel for "
	      "them)\n"
	      "  --repl        the REPL (the default): on a terminal with "
	      "readline,\n                completion, history and undo; "
	      "else batch mode on stdin\n"
	      "  verify FILE   run FILE on the engine and on this kernel and "
	      "compare\n"
	      "  --help        this text\n",
	      f);
}

/* Run "a; b; c" as lines, splitting at ';' outside quotes. */
static int run_oneliner(struct session *s, const char *text)
{
	const char *p = text, *start = text;
	bool quoted = false;

	s->src = "-c";
	for (;; p++) {
		if (quoted && *p == '\\' && p[1])
			p++; /* an escaped character, maybe a quote */
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '\0' || (*p == ';' && !quoted)) {
			s->line++;
			session_run_line(s, start, (size_t)(p - start));
			session_emit(s, stdout);
			if (!*p || s->quit)
				break;
			start = p + 1;
		}
	}
	fflush(stdout);
	return s->errors ? 1 : 0;
}

static int run_batch(struct session *s, const char *path)
{
	FILE *in = stdin;
	int ret;

	if (strcmp(path, "-") != 0) {
		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "vmalab: %s: %m\n", path);
			return 2;
		}
	}
	s->src = strcmp(path, "-") ? path : "<stdin>";
	ret = session_run_stream(s, in, stdout);
	if (in != stdin)
		fclose(in);
	return ret;
}

int main(int argc, char **argv)
{
	const char *batch = NULL, *oneliner = NULL;
	struct machine_params params;
	struct session s;
	bool trace = false;
	char err[256];
	int ret;

	machine_params_default(&params);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace")) {
			trace = true;
		} else if (!strcmp(argv[i], "--machine") && i + 1 < argc) {
			if (parse_machine_params(&params, argv[++i], err,
						 sizeof(err))) {
				fprintf(stderr, "vmalab: --machine: %s\n", err);
				return 2;
			}
		} else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
			batch = argv[++i];
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			oneliner = argv[++i];
		} else if (!strcmp(argv[i], "verify")) {
			return verify_main(argc - i, argv + i);
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--repl")) {
			/* The REPL: interactive on a terminal, else batch. */
		} else {
			fprintf(stderr, "vmalab: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	session_init(&s, engine_backend_new(&params));
	/* undo, redo and reset rebuild the machine: s.be may change. */
	s.new_backend = engine_backend_new;
	s.params = params;
	s.trace = trace;
	if (oneliner)
		ret = run_oneliner(&s, oneliner);
	else if (batch || !isatty(STDIN_FILENO))
		ret = run_batch(&s, batch ? batch : "-");
	else
		ret = repl_run(&s);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return ret;
}
