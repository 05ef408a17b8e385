/*
 * session_fixture.h - a fresh session over a fresh engine, as main() makes
 * one (undo works), with errors kept quiet, for the command core's tests.
 */
#ifndef VMALAB_SESSION_FIXTURE_H
#define VMALAB_SESSION_FIXTURE_H

#include <string.h>
#include "session.h"

static inline void fresh(struct session *s)
{
	session_init(s, engine_backend_new(NULL));
	s->new_backend = engine_backend_new;
	s->sink = diag_null;
}

static inline void done(struct session *s)
{
	session_fini(s);
	s->be->ops->destroy(s->be);
}

static inline void run(struct session *s, const char *line)
{
	session_run_line(s, line, strlen(line));
}

#endif
