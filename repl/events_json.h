/*
 * events_json.h - the engine's events as JSON Lines (`--events`): one
 * object per event, for tools and tests that want the steps without
 * parsing English.  The schema is in docs/events.md.
 */
#ifndef VMALAB_EVENTS_JSON_H
#define VMALAB_EVENTS_JSON_H

#include "engine.h"
#include "strbuf.h"

/* Append ev as one JSON object and a newline. */
void event_json(const struct vmalab_event *ev, struct strbuf *out);
/* An observer that appends JSON lines to the strbuf in arg. */
void events_json_observer(void *arg, const struct vmalab_event *ev);

/* The names the JSON uses for kinds and codes ("veto", "pgoff", ...). */
const char *ev_kind_name(enum ev_kind k);
const char *ev_code_name(enum ev_kind k, int code);

#endif
