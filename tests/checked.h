/*
 * checked.h - engine unit tests with both of the engine's checkers on.
 *
 * Included after the engine's headers, it turns every machine_new() of
 * the test into a machine in checking mode (check.h): after every
 * operation the write-lock checker and the invariant checker run.  Every
 * machine_free() then fails the test (returns false from the function it
 * is in) if they found anything, after printing what.
 */
#ifndef VMALAB_TEST_CHECKED_H
#define VMALAB_TEST_CHECKED_H

#include <stdio.h>
#include "engine.h"

static inline const char *check_code_name(enum check_code c)
{
	static const char *const names[] = {
		[CHECK_TREE] = "tree",
		[CHECK_TREE_COUNT] = "tree_count",
		[CHECK_MAP_COUNT] = "map_count",
		[CHECK_EMPTY] = "empty",
		[CHECK_UNALIGNED] = "unaligned",
		[CHECK_OVERLAP] = "overlap",
		[CHECK_WRONG_MM] = "wrong_mm",
		[CHECK_MERGEABLE] = "mergeable",
		[CHECK_CHAIN_ANON] = "chain_anon",
		[CHECK_CHAIN_LINK] = "chain_link",
		[CHECK_CHAIN_FREED] = "chain_freed",
		[CHECK_CHAIN_TREE] = "chain_tree",
		[CHECK_CHAIN_ROOT] = "chain_root",
		[CHECK_CHAIN_PARENT] = "chain_parent",
		[CHECK_AV_TREE] = "av_tree",
		[CHECK_AV_ACTIVE] = "av_active",
		[CHECK_AV_CHILDREN] = "av_children",
		[CHECK_AV_REFCOUNT] = "av_refcount",
		[CHECK_AV_ROOT] = "av_root",
		[CHECK_AV_LEAK] = "av_leak",
		[CHECK_PAGE_OUTSIDE] = "page_outside",
		[CHECK_ANON_NO_AV] = "anon_no_av",
		[CHECK_PAGE_AV_FREED] = "page_av_freed",
		[CHECK_PAGE_NO_CHAIN] = "page_no_chain",
		[CHECK_PAGE_INDEX] = "page_index",
		[CHECK_PAGE_MAPCOUNT] = "page_mapcount",
		[CHECK_LOCK_CHANGED] = "lock_changed",
		[CHECK_LOCK_REMOVED] = "lock_removed",
		[CHECK_LOCK_NEW] = "lock_new",
	};

	return c > 0 && c < sizeof(names) / sizeof(names[0]) && names[c]
		       ? names[c]
		       : "?";
}

static inline void check_print(const struct check_violation *v)
{
	fprintf(stderr,
		"check: op %lu: %s: pid %d vma#%u other vma#%u av%u "
		"%lx-%lx value %ld expect %ld what %#x\n",
		v->op, check_code_name(v->code), v->pid, v->vma, v->other,
		v->av, v->start, v->end, v->value, v->expect, v->what);
}

/* What checking mode found since the last call, printed. */
static inline int checked_take(struct machine *m)
{
	struct check_violation v[16];
	int n = machine_check_take(m, v, 16);

	for (int i = 0; i < n && i < 16; i++)
		check_print(&v[i]);
	return n;
}

static inline struct machine *checked_on(struct machine *m)
{
	machine_set_checking(m, true);
	return m;
}

#define machine_new() checked_on((machine_new)())
#define machine_new_params(p) checked_on((machine_new_params)(p))
#define machine_free(m)                                                      \
	({                                                                   \
		struct machine *_cm = (m);                                   \
		int _cn = checked_take(_cm);                                 \
		(machine_free)(_cm);                                         \
		if (_cn) {                                                   \
			fprintf(stderr, "%s:%d: %d violation%s\n", __FILE__, \
				__LINE__, _cn, _cn == 1 ? "" : "s");         \
			return false;                                        \
		}                                                            \
	})

#endif
