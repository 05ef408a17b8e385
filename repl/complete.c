/*
 * complete.c - Tab completion, generated from the command table.
 *
 * The text before the cursor says which command this is and which of its
 * arguments the cursor is in: after "name(" count the commas at the top
 * level, after "name " count the words.  That argument's declared type then
 * gives the candidates.  Nothing here is specific to one command.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "complete.h"
#include "engine.h"
#include "store.h"
#include "tree.h"

static void add_word(struct completion *c, const char *prefix, const char *w)
{
	if (strncmp(w, prefix, strlen(prefix)) != 0)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->words[i], w))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->words = realloc(c->words, c->cap * sizeof(char *));
		if (!c->words)
			abort();
	}
	c->words[c->n] = strdup(w);
	if (!c->words[c->n])
		abort();
	c->n++;
}

void completion_free(struct completion *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->words[i]);
	free(c->words);
	memset(c, 0, sizeof(*c));
}

static void add_commands(struct completion *c, const char *word)
{
	const struct command *only = NULL;

	for (size_t i = 0; i < commands_count; i++) {
		size_t before = c->n;

		add_word(c, word, commands[i].name);
		if (commands[i].alias && strlen(word) > 0)
			add_word(c, word, commands[i].alias);
		if (c->n > before)
			only = &commands[i];
	}
	/* "mpr" Tab gives "mprotect(", ready for the first argument. */
	c->append = c->n == 1 && only->syntax == SYN_CALL ? '(' : ' ';
}

static void add_constants(struct completion *c, enum arg_type t,
			  const char *word)
{
	const struct arg_type_info *ti = &arg_types[t];

	for (size_t i = 0; i < ti->nconsts; i++)
		add_word(c, word, ti->consts[i].name);
}

/* The start of each VMA of the current process: where addresses go. */
static void add_addresses(struct completion *c, const struct session *s,
			  const char *word)
{
	struct machine *m = session_machine(s);
	const struct mm *mm;
	const struct vma *v;
	char buf[32];

	if (!m)
		return;
	mm = machine_mm(m, machine_current_pid(m));
	vt_for_each(&mm->tree, v)
	{
		snprintf(buf, sizeof(buf), "%#lx", v->vm_start);
		add_word(c, word, buf);
	}
}

static void add_pids(struct completion *c, const struct session *s,
		     const char *word)
{
	struct machine *m = session_machine(s);
	int pids[64], n;
	char buf[16];

	if (!m)
		return;
	n = machine_pids(m, pids, 64);
	for (int i = 0; i < n && i < 64; i++) {
		snprintf(buf, sizeof(buf), "%d", pids[i]);
		add_word(c, word, buf);
	}
}

static void add_list(struct completion *c, const char *const *list,
		     const char *word)
{
	for (size_t i = 0; list[i]; i++)
		add_word(c, word, list[i]);
}

static void add_setting_values(struct completion *c, const char *name,
			       const char *word)
{
	for (size_t i = 0; i < settings_count; i++)
		if (!strcmp(settings[i].name, name))
			add_list(c, settings[i].values, word);
}

/* The lessons the binary carries, and (once the store is open) the
 * scenarios in it: Tab does not open the store. */
static void add_scenarios(struct completion *c, const struct session *s,
			  const char *word)
{
	struct store *st = s->store;
	struct scenario *v;
	char err[STORE_ERR];
	size_t n;

	if (!st)
		return;
	for (size_t i = 0; i < st->nlessons; i++)
		add_word(c, word, st->lessons[i].name);
	if (!st->opened || st->ops->list(st, NULL, &v, &n, err, sizeof(err)))
		return;
	for (size_t i = 0; i < n; i++)
		add_word(c, word, v[i].name);
	scenarios_free(v, n);
}

/* What an argument of type t may be. */
static void add_for_type(struct completion *c, const struct session *s,
			 enum arg_type t, const char *prev_word,
			 const char *word)
{
	switch (arg_types[t].complete) {
	case AC_CONSTANTS:
		add_constants(c, t, word);
		break;
	case AC_PROT_WORDS:
		add_list(c, prot_words, word);
		if (*word == 'P')
			add_constants(c, ARG_PROT, word);
		break;
	case AC_MAP_OPTIONS:
		/* After "file" comes an fd: nothing to offer. */
		if (!prev_word || strcmp(prev_word, "file"))
			add_list(c, map_option_words, word);
		break;
	case AC_ADDRESSES:
		add_addresses(c, s, word);
		break;
	case AC_PIDS:
		add_pids(c, s, word);
		break;
	case AC_COMMANDS:
		add_commands(c, word);
		c->append = ' ';
		break;
	case AC_SETTINGS:
		for (size_t i = 0; i < settings_count; i++)
			add_word(c, word, settings[i].name);
		break;
	case AC_SETTING_VALUES:
		add_setting_values(c, prev_word ? prev_word : "", word);
		break;
	case AC_FILES:
		c->filenames = true;
		break;
	case AC_SCENARIOS:
		add_scenarios(c, s, word);
		break;
	case AC_NONE:
		break;
	}
}

/*
 * In "name(a, b, |": the argument the cursor is in, counting commas at
 * the top level; -1 if the call is already closed.
 */
static int call_arg_index(const char *p, const char *end)
{
	int depth = 0, idx = 0;
	bool quoted = false;

	for (; p < end; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (depth-- == 0)
				return -1;
		} else if (*p == ',' && depth == 0) {
			idx++;
		}
	}
	return idx;
}

/*
 * In "name w1 w2 |": how many words come before the cursor, and the last
 * of them (for "file FD" and "set NAME VALUE").
 */
static int word_index(const char *p, const char *end, char *last,
		      size_t lastlen)
{
	int n = 0;

	*last = '\0';
	while (p < end) {
		const char *w;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		w = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		snprintf(last, lastlen, "%.*s", (int)(p - w), w);
		n++;
	}
	return n;
}

void complete_line(const struct session *s, const char *line, size_t start,
		   const char *word, struct completion *out)
{
	const char *p = line, *end = line + start, *name;
	const struct command *cmd;
	char cname[64], last[64], why[200];
	int idx;

	memset(out, 0, sizeof(*out));
	out->append = ' ';
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end) {
		add_commands(out, word);
		return;
	}
	for (name = p; p < end && (isalnum((unsigned char)*p) || *p == '_');
	     p++)
		;
	if (p == name || p - name >= (long)sizeof(cname))
		return;
	snprintf(cname, sizeof(cname), "%.*s", (int)(p - name), name);
	cmd = command_find(cname, *p != '(', why, sizeof(why));
	if (!cmd)
		return;
	if (cmd->syntax == SYN_CALL) {
		if (*p != '(')
			return;
		idx = call_arg_index(p + 1, end);
		/* Inside a call, "PROT_READ" is followed by | or a comma. */
		out->append = '\0';
		last[0] = '\0';
	} else {
		idx = word_index(p, end, last, sizeof(last));
	}
	if (idx < 0)
		return;
	for (int i = 0; i <= idx && i < cmd->max_args; i++) {
		if (i == idx || arg_takes_rest(cmd->args[i])) {
			add_for_type(out, s, cmd->args[i], last, word);
			return;
		}
	}
}
