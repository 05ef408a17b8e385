/*
 * recorder.h - a recorder of engine events for tests: attach it, run an
 * operation, then ask what happened in typed terms (a lock on vma#N, a
 * merge of a given case, a veto with a given code).
 */
#ifndef VMALAB_TEST_RECORDER_H
#define VMALAB_TEST_RECORDER_H

#include <stdbool.h>
#include <string.h>
#include "engine.h"

#define REC_MAX 4096

struct recorder {
	struct vmalab_event ev[REC_MAX];
	int n;
	bool overflow;
};

static inline void rec_event(void *arg, const struct vmalab_event *ev)
{
	struct recorder *r = arg;

	if (r->n == REC_MAX) {
		r->overflow = true;
		return;
	}
	r->ev[r->n] = *ev;
	r->ev[r->n].v = r->ev[r->n].o = NULL; /* not valid after the call */
	r->n++;
}

static inline struct engine_observer rec_observer(struct recorder *r)
{
	return (struct engine_observer){rec_event, r};
}

static inline void rec_start(struct recorder *r, struct machine *m)
{
	struct engine_observer o = rec_observer(r);

	memset(r, 0, sizeof(*r));
	machine_add_observer(m, &o);
}

static inline void rec_stop(struct recorder *r, struct machine *m)
{
	struct engine_observer o = rec_observer(r);

	machine_remove_observer(m, &o);
}

/* How many events of kind (and code, unless code < 0) were seen. */
static inline int rec_count(const struct recorder *r, enum ev_kind kind,
			    int code)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		if (r->ev[i].kind == kind &&
		    (code < 0 || r->ev[i].code == code))
			n++;
	return n;
}

/* The first event of kind (and code), or NULL. */
static inline const struct vmalab_event *rec_find(const struct recorder *r,
						  enum ev_kind kind, int code)
{
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].kind == kind &&
		    (code < 0 || r->ev[i].code == code))
			return &r->ev[i];
	return NULL;
}

/* Was the VMA that started at start write-locked (vma_start_write)? */
static inline bool rec_locked(const struct recorder *r, unsigned long start)
{
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].kind == EV_LOCK && r->ev[i].start == start)
			return true;
	return false;
}

#endif
