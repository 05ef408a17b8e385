/*
 * main.c - vmalab's command line: batch mode, one-liners, verify, and the
 * interactive front ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "db.h"
#include "probe.h"
#include "record.h"
#include "repl.h"
#include "session.h"
#include "tui.h"
#include "verify.h"

/* The lesson library, made from scenarios/ at build time. */
extern const struct lesson_src builtin_lessons[];
extern const unsigned long builtin_lessons_count;

/* Run "a; b; c" as lines, splitting at ';' outside quotes. */
static int run_oneliner(struct session *s, const char *text)
{
	const char *p = text, *start = text;
	bool quoted = false;

	s->src = "-c";
	s->no_steps = !text_may_step(text, strlen(text));
	s->emit = session_emit;
	s->emit_arg = stdout;
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
	session_skipped(s);
	fflush(stdout);
	return s->errors ? 1 : 0;
}

static int run_batch(struct session *s, const char *path)
{
	FILE *in = stdin;
	int ret;

	if (strcmp(path, "-") != 0) {
		struct stat st;

		in = fopen(path, "r");
		if (!in) {
			fprintf(stderr, "vmalab: %s: %m\n", path);
			return 2;
		}
		if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
			fprintf(stderr, "vmalab: %s: %s\n", path,
				strerror(EISDIR));
			fclose(in);
			return 2;
		}
	}
	s->src = strcmp(path, "-") ? path : "<stdin>";
	ret = session_run_file(s, in, stdout);
	if (in != stdin)
		fclose(in);
	return ret;
}

struct options {
	const char *batch, *oneliner, *db, *file;
	bool batch_mode, trace, events, repl;
	struct machine_params params;
};

/* 0, 1 (help was printed: exit 0), or 2 (a usage error was printed). */
static int parse_options(int argc, char **argv, struct options *o)
{
	char err[256];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--trace")) {
			o->trace = true;
		} else if (!strcmp(a, "--events")) {
			o->events = true;
		} else if (!strcmp(a, "--machine") && i + 1 < argc) {
			if (parse_machine_params(&o->params, argv[++i], err,
						 sizeof(err))) {
				fprintf(stderr, "vmalab: --machine: %s\n", err);
				return 2;
			}
		} else if (!strcmp(a, "--batch")) {
			/* The file may come later: --batch --trace FILE. */
			o->batch_mode = true;
			if (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
				o->batch = argv[++i];
		} else if (!strcmp(a, "--db") && i + 1 < argc) {
			o->db = argv[++i];
		} else if (!strcmp(a, "-c") && i + 1 < argc) {
			o->oneliner = argv[++i];
		} else if (!strcmp(a, "-c") || !strcmp(a, "--db") ||
			   !strcmp(a, "--machine")) {
			fprintf(stderr,
				"vmalab: %s needs an argument (%s)\n"
				"Try 'vmalab --help'.\n",
				a,
				a[1] == 'c'   ? "the lines to run, ';' between"
				: a[2] == 'd' ? "the store's PATH"
					      : "P=V,...");
			return 2;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_usage(stdout);
			return 1;
		} else if (!strcmp(a, "--version")) {
			printf("vmalab %s\n", VMALAB_VERSION);
			return 1;
		} else if (!strcmp(a, "--man")) {
			cli_man(stdout, VMALAB_VERSION);
			return 1;
		} else if (!strcmp(a, "--bash-completion")) {
			cli_bash_completion(stdout);
			return 1;
		} else if (!strcmp(a, "--repl")) {
			/* The REPL: interactive on a terminal, else batch. */
			o->repl = true;
		} else if (o->batch_mode && !o->batch && a[0] != '-') {
			o->batch = a;
		} else if (!o->batch_mode && !o->file && a[0] != '-') {
			/* vmalab FILE: the UI to play it, or batch mode. */
			o->file = a;
		} else if (a[0] != '-') {
			fprintf(stderr,
				"vmalab: one script at a time (%s and %s); "
				"verify takes several\nTry 'vmalab "
				"--help'.\n",
				o->batch ? o->batch : o->file, a);
			return 2;
		} else {
			fprintf(stderr,
				"vmalab: unknown option %s\nTry 'vmalab "
				"--help'.\n",
				a);
			return 2;
		}
	}
	if (o->oneliner && (o->batch || o->file)) {
		fprintf(stderr,
			"vmalab: -c and a script (%s): one or the other\n",
			o->batch ? o->batch : o->file);
		return 2;
	}
	if (o->batch_mode && !o->batch) {
		fprintf(stderr, "vmalab: --batch needs a FILE (or - for "
				"stdin)\n");
		return 2;
	}
	return 0;
}

/*
 * The scenario store: opened by the first command that needs it, so a
 * script that never saves never touches it.  Without a home there is
 * none, and the scenario commands say so.
 */
static struct store *open_store(const char *path)
{
	char def[4096];
	struct store *st;

	if (!path) {
		if (db_default_path(def, sizeof(def)))
			return NULL;
		path = def;
	}
	st = db_store_new(path);
	st->lessons = builtin_lessons;
	st->nlessons = builtin_lessons_count;
	return st;
}

/*
 * The exit status, after making sure that all of stdout was written: a
 * full disk or a closed pipe is one message and status 2, not silence.
 */
static int close_stdout(int ret, int write_error)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (!write_error)
			write_error = errno ? errno : EIO;
	}
	if (write_error) {
		fprintf(stderr, "vmalab: write error on standard output: %s\n",
			strerror(write_error));
		return 2;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct session s;
	char err[160];
	int ret;

	if (argc > 1 && !strcmp(argv[1], "verify"))
		return close_stdout(verify_main(argc - 1, argv + 1), 0);
	if (argc > 1 && !strcmp(argv[1], "record"))
		return record_main(argc - 1, argv + 1);
	machine_params_default(&o.params);
	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret == 1 ? 0 : 2;
	if (mutation_from_env(&o.params, err, sizeof(err))) {
		fprintf(stderr, "vmalab: %s\n", err);
		return 2;
	}
	/* Batch output to a file or pipe goes out in large writes. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	session_init(&s, engine_backend_new(&o.params));
	/* undo, redo and reset rebuild the machine: s.be may change. */
	s.new_backend = engine_backend_new;
	s.params = o.params;
	session_set_trace(&s, o.trace);
	session_set_events(&s, o.events);
	s.store = open_store(o.db);
	if (o.oneliner)
		ret = run_oneliner(&s, o.oneliner);
	else if (o.batch)
		ret = run_batch(&s, o.batch);
	else if (!isatty(STDIN_FILENO) || (o.repl && o.file) ||
		 (!o.repl && !isatty(STDOUT_FILENO)))
		/* Not a terminal: batch mode, on FILE or stdin. */
		ret = run_batch(&s, o.file ? o.file : "-");
	else if (o.repl)
		ret = repl_run(&s);
	else
		ret = tui_run(&s, o.file);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	if (s.store)
		s.store->ops->close(s.store);
	return close_stdout(ret, s.write_error);
}
