/*
 * probe.h - what the running kernel does where kernels and machines
 * differ (struct machine_params), found by trying it.
 */
#ifndef VMALAB_PROBE_H
#define VMALAB_PROBE_H

#include <stddef.h>
#include "params.h"

/*
 * Fill p from the live kernel: the zero page and fault-around by
 * experiment (in this process, away from the test window), read-ahead
 * from the bdi of the file system dir is on, max_map_count from /proc.
 * Returns 0, or -1 with why in err (p then holds the defaults).
 */
int probe_machine(struct machine_params *p, const char *dir, char *err,
		  size_t errlen);

/* "zero_page=on fault_around=16 read_ahead=2048 max_map_count=65530
 * mem_total=24683652 swap_total=0" */
void format_machine_params(const struct machine_params *p, char *buf,
			   size_t len);
/*
 * VMALAB_MUTATE=RULE-ID (make mutants): the engine breaks that rule of
 * tests/rules.txt on purpose.  0 (also when unset), or -1 with err set.
 */
int mutation_from_env(struct machine_params *p, char *err, size_t errlen);
/* The names parse_machine_params() takes, NULL-terminated. */
extern const char *const machine_param_names[];
/*
 * Parse "zero_page=off,fault_around=1,..." over p.  0, or -1 with err
 * naming the part that is wrong.
 */
int parse_machine_params(struct machine_params *p, const char *text, char *err,
			 size_t errlen);

#endif
