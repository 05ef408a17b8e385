/*
 * fuzz_strace.c - libFuzzer target: the strace importer.  The input is a
 * log (strace -f -tt -yy -e trace=memory,process, or anything else), fed
 * line by line as `import` feeds it: each line classified by
 * strace_parse_line() and stripped of its fd annotations
 * (strace_strip_fds()), then replayed into a session (replay_line(): pids
 * become processes, halves are joined, addresses placed where the log
 * says), with the summary (replay_end()) and the scenario the log makes,
 * which must parse back as a scenario (scenario_parse()).  The engine's
 * checkers run after every call: a violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "replay.h"
#include "session.h"
#include "store.h"
#include "strace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void classify(const char *line, size_t len)
{
	struct strace_line sl;
	struct strace_fd fds[8];
	char out[512];
	int nfds;

	strace_parse_line(line, len, &sl);
	if (sl.body && sl.body_end >= sl.body)
		strace_strip_fds(sl.body, sl.body_end, out, sizeof(out), fds, 8,
				 &nfds);
	if (sl.kind == ST_CALL && sl.name)
		(void)strace_errno(sl.name, sl.name_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct strbuf keep = {0};
	struct scenario scn;
	struct session s;
	char err[600];

	/* A 16 MiB machine: fault loops end in the OOM killer quickly. */
	session_init(&s, NULL);
	s.params.mem_total_kb = 16384;
	s.be = engine_backend_new(&s.params);
	s.new_backend = engine_backend_new;
	s.sink = diag_null;
	session_set_check(&s, true);
	s.src = "fuzz.log";
	s.depth++;
	replay_begin(&s, "fuzz.log", &keep);
	while (p < end && !s.quit) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(len + 1);

		if (!line)
			abort();
		memcpy(line, p, len);
		line[len] = '\0';
		classify(line, len);
		s.line++;
		session_run_line(&s, line, len);
		free(line);
		p += len + 1;
		if (s.violations)
			abort();
	}
	replay_end(&s);
	s.depth--;
	/* The scenario the log made is a script that parses back. */
	if (keep.len) {
		if (scenario_parse(keep.buf, keep.len, "fuzz", &scn, err,
				   sizeof(err)) == 0)
			scenario_free(&scn);
	}
	sb_free(&keep);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return 0;
}
