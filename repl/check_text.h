/*
 * check_text.h - the engine checkers' violations (engine/check.h) in
 * words, for `check`, checking mode's error lines and verify.
 */
#ifndef VMALAB_CHECK_TEXT_H
#define VMALAB_CHECK_TEXT_H

#include "engine.h"
#include "strbuf.h"

/* One line (no newline): "operation 3: vma#2 (pid 1, ...) ...". */
void check_text(const struct check_violation *v, struct strbuf *out);

#endif
