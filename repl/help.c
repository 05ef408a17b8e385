/*
 * help.c - `help` and `help CMD`, generated from the command table.
 *
 * Nothing here knows any command: the list comes from the table's groups
 * and summaries, and a command's page from its usage, help text, argument
 * types (the constants each position accepts) and example.  A new entry
 * in commands.c is documented by being there.
 */
#include <stdio.h>
#include <string.h>
#include "handlers.h"

#define WRAP 76

/* The i-th argument's name in a usage string: "PROT" in mmap(ADDR, ..). */
static void usage_arg_name(const struct command *c, int i, char *buf,
			   size_t len)
{
	const char *u = c->usage, *sep = c->syntax == SYN_CALL ? ",)" : " ";
	size_t n;

	u = c->syntax == SYN_CALL ? strchr(u, '(') : strchr(u, ' ');
	snprintf(buf, len, "argument %d", i + 1);
	for (int k = 0; u && *u && k <= i; k++) {
		u += strspn(u, "( ,[");
		n = strcspn(u, sep);
		if (k == i && n) {
			snprintf(buf, len, "%.*s", (int)n, u);
			buf[strcspn(buf, "[]|.")] = '\0';
			return;
		}
		u += n;
	}
}

static size_t count_words(const char *const *words)
{
	size_t n = 0;

	while (words[n])
		n++;
	return n;
}

/* "  A B C ...", wrapped at WRAP columns, each line indented. */
static void wrapped(struct strbuf *out, const char *const *words, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(words[i]);

		if (col && col + 1 + w > WRAP) {
			sb_puts(out, "\n");
			col = 0;
		}
		sb_addf(out, "%s%s", col ? " " : "    ", words[i]);
		col += (col ? 1 : 4) + w;
	}
	sb_puts(out, "\n");
}

static void constants_section(struct strbuf *out, const char *name,
			      enum arg_type t)
{
	size_t n = arg_types[t].nconsts;
	const struct constant *c = arg_types[t].consts;
	const char *words[64];

	for (size_t i = 0; i < n && i < 64; i++)
		words[i] = c[i].name;
	sb_addf(out, "%s, joined with |, or a number:\n", name);
	wrapped(out, words, n < 64 ? n : 64);
}

static void settings_section(struct session *s, struct strbuf *out)
{
	sb_addf(out, "    %-8s %-14s %-6s %s\n", "NAME", "VALUES", "NOW",
		"WHAT");
	for (size_t i = 0; i < settings_count; i++) {
		char values[64] = "";
		size_t used = 0;

		for (int v = 0; settings[i].values[v]; v++)
			used += (size_t)snprintf(
				values + used, sizeof(values) - used, "%s%s",
				v ? "|" : "", settings[i].values[v]);
		sb_addf(out, "    %-8s %-14s %-6s %s\n", settings[i].name,
			values, setting_get(s, &settings[i]),
			settings[i].summary);
	}
}

/* What each argument position accepts, once per kind. */
static void arguments_section(struct session *s, const struct command *c)
{
	bool sizes = false;
	char name[32];

	for (int i = 0; i < c->max_args; i++) {
		enum arg_type t = c->args[i];

		usage_arg_name(c, i, name, sizeof(name));
		switch (arg_types[t].help) {
		case AH_CONSTANTS:
			constants_section(&s->out, name, t);
			break;
		case AH_NUMBERS:
			if (!sizes)
				sb_puts(&s->out,
					"Numbers: decimal or 0x hex; sizes may "
					"end in k, M, G, or p (pages):\n"
					"    4k = 4096, 2M, 1G, 16p = 65536\n");
			sizes = true;
			break;
		case AH_PROTWORD:
			sb_addf(&s->out,
				"%s: r, w and x together, as maps prints "
				"them:\n    r rw rx rwx r-x none (or "
				"PROT_READ|PROT_WRITE)\n",
				name);
			break;
		case AH_MAPOPTS:
			sb_addf(&s->out, "%s, in any order:\n", name);
			wrapped(&s->out, map_option_words,
				count_words(map_option_words));
			sb_puts(&s->out,
				"    (file FD [OFFSET]; any MAP_ flag in lower "
				"case, e.g. populate)\n");
			break;
		case AH_SETTINGS:
			settings_section(s, &s->out);
			break;
		case AH_NONE:
			break;
		}
	}
}

static void help_command(struct session *s, const struct command *c)
{
	const char *ex = c->example;

	sb_addf(&s->out, "%s\n  %s\n", c->usage, c->summary);
	if (c->alias)
		sb_addf(&s->out, "  (alias: %s)\n", c->alias);
	sb_addf(&s->out, "\n%s\n\n", c->help);
	arguments_section(s, c);
	sb_addf(&s->out, "Example%s:\n", strchr(ex, '\n') ? "s" : "");
	while (*ex) {
		size_t n = strcspn(ex, "\n");

		sb_addf(&s->out, "    %.*s\n", (int)n, ex);
		ex += n + (ex[n] == '\n');
	}
}

static void help_list(struct session *s)
{
	const char *groups[32];
	size_t ngroups = 0;

	for (size_t i = 0; i < commands_count; i++) {
		size_t g = 0;

		while (g < ngroups && strcmp(groups[g], commands[i].group))
			g++;
		if (g == ngroups && ngroups < 32)
			groups[ngroups++] = commands[i].group;
	}
	sb_puts(&s->out, "vmalab simulates the kernel's VMA code: map memory, "
			 "change it, look at it.\n");
	for (size_t g = 0; g < ngroups; g++) {
		sb_addf(&s->out, "\n%s\n", groups[g]);
		for (size_t i = 0; i < commands_count; i++) {
			const struct command *c = &commands[i];
			char name[32];

			if (strcmp(c->group, groups[g]))
				continue;
			snprintf(name, sizeof(name), "%s%s%s", c->name,
				 c->alias ? ", " : "",
				 c->alias ? c->alias : "");
			sb_addf(&s->out, "  %-12s %s\n", name, c->summary);
		}
	}
	sb_puts(&s->out,
		"\n`help CMD` shows a command's syntax, the flags it takes "
		"and an example.\nWord commands may be shortened to a unique "
		"prefix (`sm` is smaps). Tab\ncompletes names, constants and "
		"addresses; undo steps back.\nCtrl-C clears the line; while "
		"a line runs (a touch or populate of many\npages, source, "
		"load, replay, undo over many steps) it stops it where the\n"
		"state is whole and says where.\n");
}

int cmd_help(struct session *s, const struct parsed *p)
{
	const struct command *c;
	char err[300];

	if (!p->argc) {
		help_list(s);
		return 0;
	}
	c = command_find(p->argv[0].str, true, err, sizeof(err));
	if (!c) {
		session_error_suggest(s, command_suggest(p->argv[0].str),
				      "help: %s", err);
		return -1;
	}
	help_command(s, c);
	return 0;
}
