/*
 * fuzz_lines.c - libFuzzer target: whole lines through a session, as
 * batch mode runs them: the parser, the command table, every handler,
 * undo and redo, and the engine behind them, with the maps and smaps
 * printers run after each line.  Errors go to a sink that drops them.
 *
 * `source` reads host files; it is refused here (the input names them),
 * so that a run depends on its input alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "parse.h"
#include "procfs.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void show_all(struct session *s)
{
	struct machine *m = session_machine(s);
	int pids[64], n = machine_pids(m, pids, 64);
	struct strbuf sb = {0};

	for (int i = 0; i < n && i < 64; i++)
		show_maps(machine_mm(m, pids[i]), true, &sb);
	sb_free(&sb);
}

static bool is_source(const char *line, size_t len)
{
	struct parsed parsed;
	char err[600];
	bool source = false;

	if (parse_line(line, len, &parsed, err, sizeof(err)) == PARSE_OK) {
		source = !strcmp(parsed.cmd->name, "source");
		parsed_free(&parsed);
	}
	return source;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct session s;

	/* A 16 MiB machine: fault loops end in the OOM killer quickly. */
	session_init(&s, NULL);
	s.params.mem_total_kb = 16384;
	s.be = engine_backend_new(&s.params);
	s.new_backend = engine_backend_new;
	s.sink = diag_null;
	/* The engine's checkers after every call: a violation aborts. */
	session_set_check(&s, true);
	while (p < end && !s.quit) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(len + 1);

		if (!line)
			abort();
		memcpy(line, p, len);
		line[len] = '\0';
		if (!is_source(line, len)) {
			s.line++;
			session_run_line(&s, line, len);
			show_all(&s);
		}
		free(line);
		p += len + 1;
		if (s.violations)
			abort();
	}
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return 0;
}
