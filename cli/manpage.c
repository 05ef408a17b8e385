/*
 * manpage.c - the command line's options as one table, and what is made
 * from it and from the command table (repl/commands.c): --help, the
 * manual page (vmalab --man > vmalab.1) and the bash completion
 * (vmalab --bash-completion).  The Makefile makes the installed page and
 * completion by running the binary, so that neither can drift from the
 * `help` the REPL prints: a command is documented by being in the table.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "command.h"
#include "probe.h"
#include "session.h"

const struct cli_option cli_options[] = {
	{"--batch", "FILE|-", "file",
	 "Run a script (- for standard input) and print its output plainly: "
	 "the calls' results and what the inspecting commands show."},
	{"FILE", NULL, "file",
	 "On a terminal: the ncurses UI with FILE loaded to play; else batch "
	 "mode on FILE (as --batch FILE)."},
	{"-c", "'LINE; LINE...'", "line",
	 "Run the lines given, separated by ';' outside double quotes."},
	{"--trace", NULL, NULL,
	 "After each call, the engine's internal steps as # lines "
	 "(vma_merge_new_range, __split_vma, ...)."},
	{"--events", NULL, NULL,
	 "After each call, the engine's typed events as JSON lines."},
	{"--machine", "P=V,...", "machine",
	 "What differs between kernels and machines: zero_page=on|off, "
	 "exec_only_pkey=on|off, "
	 "fault_around=PAGES, read_ahead=PAGES, folio_order=N, max_map_count=N, "
	 "mem_total=KB, swap_total=KB, overcommit_memory=0|1|2, "
	 "overcommit_ratio=PCT, overcommit_kbytes=KB, admin_reserve=KB, "
	 "user_reserve=KB, cap_sys_admin=on|off, threads_max=N, pid_max=N, "
	 "mmap_min_addr=ADDR. verify probes the live "
	 "kernel for each."},
	{"--db", "PATH", "file",
	 "The scenario store (save, load, list, quiz...): default "
	 "$VMALAB_DB, else $XDG_DATA_HOME/vmalab/vmalab.db, else "
	 "~/.local/share/vmalab/vmalab.db."},
	{"--repl", NULL, NULL,
	 "The plain REPL: readline, completion, history and undo (batch mode "
	 "when not a terminal). Without a mode, a terminal gets the ncurses "
	 "UI and anything else batch mode on standard input."},
	{"verify", "[--quiet] [--kernel-only] FILE...", "file",
	 "Run each script on the engine and on this kernel (a child "
	 "process making the raw system calls) and compare maps and smaps "
	 "after every step; the machine parameters are probed first. "
	 "Addresses the kernel chooses (mmap without MAP_FIXED, mremap "
	 "moves) are compared exactly: the child's own mappings fill every "
	 "gap between the window and its mmap_base, so they land at the "
	 "window's top."},
	{"record", "[-o NAME] [--aslr] [-v] [--] CMD [ARGS...]", "command",
	 "Run a program under ptrace, replay its memory calls on the "
	 "engine and compare its maps (an strace log replays too: --batch "
	 "LOG)."},
	{"--version", NULL, NULL, "Print the version and exit."},
	{"--help", NULL, NULL, "Print the usage and every mode, and exit."},
	{"--man", NULL, NULL,
	 "Print the manual page (roff), made from the command table."},
	{"--bash-completion", NULL, NULL,
	 "Print the bash completion script, made from the command table."},
	{NULL, NULL, NULL, NULL},
};

static const char *const synopsis[] = {
	"[--trace] [--events] [--machine P=V,...] [--db PATH] --batch FILE|-",
	"[--trace] [--events] [--machine P=V,...] [--db PATH] FILE",
	"[--trace] [--events] [--machine P=V,...] [--db PATH] -c 'LINE; "
	"LINE...'",
	"verify [--quiet] [--kernel-only] FILE...",
	"record [-o NAME] [--aslr] [-v] [--] CMD [ARGS...]",
	"[--repl] [--db PATH]",
	"--version | --help | --man | --bash-completion",
	NULL,
};

/* text wrapped at 78 columns, each line indented by ind. */
static void wrap(FILE *f, const char *text, int ind)
{
	int col = 0;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (col && col + 1 + (int)n > 78) {
			fputc('\n', f);
			col = 0;
		}
		if (!col)
			col = fprintf(f, "%*s", ind, "");
		else
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", (int)n, text);
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void cli_usage(FILE *f)
{
	for (int i = 0; synopsis[i]; i++)
		fprintf(f, "%s vmalab %s\n",
			i ? "      " : "usage:", synopsis[i]);
	fputs("\nSimulates Linux VMA operations (mmap, munmap, mprotect, "
	      "mremap, faults,\nfork) and prints what /proc/PID/maps and "
	      "smaps would show.\n\n",
	      f);
	for (const struct cli_option *o = cli_options; o->name; o++) {
		char head[80];

		snprintf(head, sizeof(head), "  %s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "%s\n", head);
		wrap(f, o->text, 8);
	}
	fputs("\nIn the REPL, `help` lists every command and `help CMD` "
	      "shows one;\n`man vmalab` has them all.\n",
	      f);
}

/* ---------------------------------------------------------------------- */
/* The manual page.                                                        */
/* ---------------------------------------------------------------------- */

/* One line of text for roff: backslashes, dashes and a leading dot or
 * quote escaped.  nl: end the line. */
static void roff(FILE *f, const char *s, size_t n, bool nl)
{
	if (n && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
	if (nl)
		fputc('\n', f);
}

static void roff_lines(FILE *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\n");

		roff(f, s, n, true);
		s += n + (s[n] == '\n');
	}
}

static void man_commands(FILE *f)
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
	for (size_t g = 0; g < ngroups; g++) {
		fputs(".SS ", f);
		roff(f, groups[g], strlen(groups[g]), true);
		for (size_t i = 0; i < commands_count; i++) {
			const struct command *c = &commands[i];

			if (strcmp(c->group, groups[g]))
				continue;
			fputs(".TP\n.B ", f);
			roff(f, c->usage, strlen(c->usage), true);
			roff(f, c->summary, strlen(c->summary), false);
			fputs(".\n", f);
			if (c->alias) {
				fputs("Alias: \\fB", f);
				roff(f, c->alias, strlen(c->alias), false);
				fputs("\\fP.\n", f);
			}
			fputs(".IP\n", f);
			roff_lines(f, c->help);
			fputs(".IP\nExample:\n.RS\n.nf\n", f);
			roff_lines(f, c->example);
			fputs(".fi\n.RE\n", f);
		}
	}
}

void cli_man(FILE *f, const char *version)
{
	fprintf(f,
		".\\\" vmalab.1 - made by `vmalab --man` from the command "
		"table; do not edit.\n"
		".TH VMALAB 1 \"\" \"vmalab %s\" \"User Commands\"\n"
		".SH NAME\nvmalab \\- simulate the Linux kernel's VMA "
		"operations and compare them with the kernel\n"
		".SH SYNOPSIS\n.nf\n",
		version);
	for (int i = 0; synopsis[i]; i++) {
		fputs("\\fBvmalab\\fP ", f);
		roff(f, synopsis[i], strlen(synopsis[i]), true);
	}
	fputs(".fi\n.SH DESCRIPTION\n"
	      "vmalab models the VMA code of Linux 6.18 exactly: merging and "
	      "splitting,\npage offsets, vm_flags, anon_vma, faults, fork and "
	      "the OOM killer.\nIt runs system calls written as strace prints "
	      "them (or as shorter\nword commands) and prints their results "
	      "and what /proc/PID/maps and\n/proc/PID/smaps would show, byte "
	      "for byte as the kernel does.\n.B vmalab verify\nruns the same "
	      "script on this kernel and compares.\n.PP\n"
	      "A script is one command a line; # starts a comment.\n"
	      ".SH OPTIONS AND MODES\n",
	      f);
	for (const struct cli_option *o = cli_options; o->name; o++) {
		fputs(".TP\n\\fB", f);
		roff(f, o->name, strlen(o->name), false);
		fputs("\\fP", f);
		if (o->arg) {
			fputs(" \\fI", f);
			roff(f, o->arg, strlen(o->arg), false);
			fputs("\\fP", f);
		}
		fputs("\n", f);
		roff(f, o->text, strlen(o->text), true);
	}
	fputs(".SH COMMANDS\n"
	      "The commands of scripts, of -c and of the REPL, from the "
	      "command table;\nin the REPL, `help CMD` also lists the "
	      "constants each argument takes.\nWord commands may be "
	      "shortened to a unique prefix.\n",
	      f);
	man_commands(f);
	fputs(".SH SETTINGS\nChanged with `set NAME VALUE`:\n", f);
	for (size_t i = 0; i < settings_count; i++) {
		fputs(".TP\n.B ", f);
		roff(f, settings[i].name, strlen(settings[i].name), false);
		fputs("\n", f);
		for (int v = 0; settings[i].values[v]; v++)
			fprintf(f, "%s%s", v ? "|" : "", settings[i].values[v]);
		fputs("\n.br\n", f);
		roff(f, settings[i].summary, strlen(settings[i].summary), true);
	}
	fputs(".SH INTERRUPTING\n"
	      "In the REPL and the UI, Ctrl\\-C at the prompt clears the "
	      "line.  While a line\nruns it stops it where the state is "
	      "whole, and an error says where: a\ntouch or a populate "
	      "(MAP_POPULATE, mlock, MADV_POPULATE_READ...) at a page,\n"
	      "with the pages before it done (touch prints = SIGINT, mlock "
	      "EINTR);\nsource, load and replay between two lines; undo, "
	      "redo and a jump between\ntwo steps.  What was done is a "
	      "step: undo takes it back, redo does it\nagain exactly.  "
	      "A line that runs longer than half a second shows its\n"
	      "progress (on standard error when that is a terminal; in the "
	      "UI, on the\nstatus line).\n",
	      f);
	fputs(".SH EXIT STATUS\n"
	      "0 when every line ran (a kernel error such as ENOMEM is a "
	      "result, not a\nfailure); 1 when a line was malformed or, for "
	      "verify, engine and kernel\ndiffer; 2 for a usage error, a "
	      "file that cannot be read, or a failed\nwrite to standard "
	      "output.\n"
	      ".SH ENVIRONMENT\n.TP\n.B VMALAB_DB\nThe scenario store, "
	      "unless \\-\\-db is given.\n.TP\n.B XDG_DATA_HOME\nWhere the "
	      "default store lives (vmalab/vmalab.db).\n.TP\n"
	      ".B VMALAB_CHECK\n1: run the engine's invariant and write-lock "
	      "checkers after every\noperation (as `set check on`).\n"
	      ".SH FILES\n.TP\n.I ~/.local/share/vmalab/vmalab.db\nThe "
	      "default scenario store; the lessons are built into the binary "
	      "and\nloaded into it on first use.\n.TP\n"
	      ".I PREFIX/share/vmalab/lessons/\nThe lessons as scripts, to "
	      "read or to run with \\-\\-batch or verify.\n"
	      ".SH EXAMPLES\n.nf\n"
	      "vmalab \\-c 'map 0x200000000000 16k rw; map 0x200000004000 4k "
	      "rw; maps'\n"
	      "vmalab verify lesson.vml\n"
	      "strace \\-f \\-e trace=memory \\-o log ./prog; vmalab "
	      "\\-\\-batch log\n"
	      ".fi\n.SH SEE ALSO\n"
	      ".BR mmap (2),\n.BR munmap (2),\n.BR mprotect (2),\n"
	      ".BR mremap (2),\n.BR madvise (2),\n.BR fork (2),\n"
	      ".BR proc (5),\n.BR strace (1)\n",
	      f);
}

/* ---------------------------------------------------------------------- */
/* The bash completion.                                                    */
/* ---------------------------------------------------------------------- */

void cli_bash_completion(FILE *f)
{
	fputs("# bash completion for vmalab - made by `vmalab "
	      "--bash-completion`\n# from the command table; do not edit.\n"
	      "_vmalab_commands='",
	      f);
	for (size_t i = 0; i < commands_count; i++) {
		fprintf(f, "%s%s", i ? " " : "", commands[i].name);
		if (commands[i].alias)
			fprintf(f, " %s", commands[i].alias);
	}
	fputs("'\n_vmalab_options='", f);
	for (const struct cli_option *o = cli_options; o->name; o++)
		if (o->name[0] == '-')
			fprintf(f, "%s%s", o == cli_options ? "" : " ",
				o->name);
	fputs(" -h'\n_vmalab_machine='", f);
	for (int i = 0; machine_param_names[i]; i++)
		fprintf(f, "%s%s=", i ? " " : "", machine_param_names[i]);
	fputs("'\n"
	      "_vmalab()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tlocal prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal mode=${COMP_WORDS[1]}\n"
	      "\tCOMPREPLY=()\n"
	      "\tif [ \"$mode\" = record ] && [ \"$COMP_CWORD\" -gt 1 ]; "
	      "then\n"
	      "\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W '-o --aslr -v --' -- \"$cur\"))\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
	      "\t\tfi\n\t\treturn\n\tfi\n"
	      "\tif [ \"$mode\" = verify ] && [ \"$COMP_CWORD\" -gt 1 ]; "
	      "then\n"
	      "\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W '--quiet --kernel-only --help' "
	      "-- \"$cur\"))\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\t\tfi\n\t\treturn\n\tfi\n"
	      "\tcase $prev in\n"
	      "\t--batch|--db)\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\t\treturn ;;\n"
	      "\t--machine)\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_vmalab_machine\" -- "
	      "\"${cur##*,}\"))\n"
	      "\t\tif [[ $cur == *,* ]]; then\n"
	      "\t\t\tCOMPREPLY=(\"${COMPREPLY[@]/#/${cur%,*},}\")\n"
	      "\t\tfi\n"
	      "\t\tcompopt -o nospace 2>/dev/null\n\t\treturn ;;\n"
	      "\t-c)\n"
	      "\t\t# the first command of the line, from the command table\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_vmalab_commands\" -- "
	      "\"${cur#[\\\"\\']}\"))\n"
	      "\t\treturn ;;\n"
	      "\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_vmalab_options\" -- "
	      "\"$cur\"))\n"
	      "\telif [ \"$COMP_CWORD\" = 1 ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W 'verify record' -- \"$cur\") "
	      "$(compgen -f -- \"$cur\"))\n"
	      "\telse\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\tfi\n}\n"
	      "complete -o filenames -F _vmalab vmalab\n",
	      f);
}
