/*
 * commands.c - the command table and its handlers.
 *
 * System calls are given in strace syntax and print "CALL = RESULT" exactly
 * as ../shared/CONTRACT.md says; vmalab's own commands (touch, maps, smaps,
 * switch, echo) are words.  Handlers build a struct call from the parsed
 * arguments and hand it to the session's backend, so the same table drives
 * the engine and the real kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "command.h"

#define SYSCALLS "system calls"
#define PROCESS "processes and files"
#define INSPECT "inspecting"
#define SCRIPT "scripts"

void format_result(struct strbuf *sb, long ret, bool address)
{
	if (ret < 0 && ret >= -4095) {
		const char *name = strerrorname_np((int)-ret);

		sb_addf(sb, "-1 %s (%s)", name ? name : "E?",
			strerror((int)-ret));
	} else if (address) {
		sb_addf(sb, "%#lx", (unsigned long)ret);
	} else {
		sb_addf(sb, "%ld", ret);
	}
}

/* Run c on the backend and print "TEXT = RESULT". */
static int run_call(struct session *s, const struct parsed *p,
		    struct call *c, bool address)
{
	long ret = s->be->ops->call(s->be, c, NULL);

	sb_addf(&s->out, "%s = ", p->text);
	format_result(&s->out, ret, address);
	sb_puts(&s->out, "\n");
	return 0;
}

static void call_args(struct call *c, enum vcall nr, const struct parsed *p)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	for (int i = 0; i < p->argc && i < 6; i++)
		c->a[i] = p->argv[i].num;
}

static int cmd_mmap(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_MMAP, p);
	return run_call(s, p, &c, true);
}

static int cmd_munmap(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_MUNMAP, p);
	return run_call(s, p, &c, false);
}

static int cmd_mprotect(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_MPROTECT, p);
	return run_call(s, p, &c, false);
}

static int cmd_openat(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_OPENAT, p);
	c.path = p->argv[1].str;
	c.a[1] = 0;
	c.a[2] = p->argv[2].num;
	c.a[3] = p->argc > 3 ? p->argv[3].num : 0;
	return run_call(s, p, &c, false);
}

static int cmd_close(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_CLOSE, p);
	return run_call(s, p, &c, false);
}

static int cmd_ftruncate(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_FTRUNCATE, p);
	return run_call(s, p, &c, false);
}

static int cmd_fork(struct session *s, const struct parsed *p)
{
	struct call c;

	call_args(&c, VC_FORK, p);
	return run_call(s, p, &c, false);
}

static int cmd_touch(struct session *s, const struct parsed *p)
{
	unsigned long addr = p->argv[0].num, fault = 0;
	unsigned long len = p->argc > 1 ? p->argv[1].num : 1;
	struct call c;
	long sig;

	if (addr + len < addr) {
		session_error(s, "touch: range %#lx + %#lx wraps around the "
				 "address space",
			      addr, len);
		return -1;
	}
	call_args(&c, VC_TOUCH, p);
	c.a[1] = len;
	sig = s->be->ops->call(s->be, &c, &fault);
	sb_addf(&s->out, "%s = ", p->text);
	if (sig == 0)
		sb_puts(&s->out, "0\n");
	else
		sb_addf(&s->out, "%s (%#lx)\n",
			sig == 7 ? "SIGBUS" : "SIGSEGV", fault);
	return 0;
}

static int cmd_switch(struct session *s, const struct parsed *p)
{
	long pid = (long)p->argv[0].num;

	if (pid <= 0 || pid > 1000000 ||
	    s->be->ops->switch_to(s->be, (int)pid)) {
		session_error(s, "switch: no process with pid %ld", pid);
		return -1;
	}
	return 0;
}

static int cmd_maps(struct session *s, const struct parsed *p)
{
	(void)p;
	return s->be->ops->maps(s->be, false, &s->out);
}

static int cmd_smaps(struct session *s, const struct parsed *p)
{
	(void)p;
	return s->be->ops->maps(s->be, true, &s->out);
}

static int cmd_echo(struct session *s, const struct parsed *p)
{
	sb_addf(&s->out, "%s\n", p->argv[0].str);
	return 0;
}

const struct command commands[] = {
	{
		.name = "mmap", .group = SYSCALLS, .syntax = SYN_CALL,
		.min_args = 6, .max_args = 6,
		.args = { ARG_ADDR, ARG_LEN, ARG_PROT, ARG_MAPFLAGS, ARG_FD,
			  ARG_OFF },
		.usage = "mmap(ADDR|NULL, LEN, PROT, FLAGS, FD, OFF)",
		.summary = "map memory: anonymous, shared or from a file",
		.help = "Creates a mapping, merging it with a compatible "
			"neighbour when\nvma_merge_new_range() allows. PROT is "
			"PROT_* joined by |, FLAGS is\nMAP_* (MAP_PRIVATE or "
			"MAP_SHARED, plus MAP_ANONYMOUS, MAP_FIXED,\n"
			"MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, "
			"MAP_LOCKED,\nMAP_GROWSDOWN, ...). FD is -1 for "
			"anonymous memory. Prints the address,\nor the "
			"kernel's error.",
		.example = "mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, "
			   "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
		.exec = cmd_mmap,
	},
	{
		.name = "munmap", .group = SYSCALLS, .syntax = SYN_CALL,
		.min_args = 2, .max_args = 2, .args = { ARG_ADDR, ARG_LEN },
		.usage = "munmap(ADDR, LEN)",
		.summary = "unmap a range, splitting VMAs at its ends",
		.help = "Removes every mapping in [ADDR, ADDR+LEN), splitting "
			"the VMAs that\nstraddle either end (__split_vma). "
			"Holes are fine.",
		.example = "munmap(0x200000001000, 4096)",
		.exec = cmd_munmap,
	},
	{
		.name = "mprotect", .group = SYSCALLS, .syntax = SYN_CALL,
		.min_args = 3, .max_args = 3,
		.args = { ARG_ADDR, ARG_LEN, ARG_PROT },
		.usage = "mprotect(ADDR, LEN, PROT)",
		.summary = "change protection: merge with a neighbour or split",
		.help = "Changes the protection of [ADDR, ADDR+LEN) through "
			"vma_modify_flags():\nmerge with a neighbour that "
			"would then match, else split. A hole gives\nENOMEM "
			"after the VMAs before it were changed.",
		.example = "mprotect(0x200000001000, 4096, PROT_READ)",
		.exec = cmd_mprotect,
	},
	{
		.name = "openat", .group = PROCESS, .syntax = SYN_CALL,
		.min_args = 3, .max_args = 4,
		.args = { ARG_DIRFD, ARG_PATH, ARG_OFLAGS, ARG_MODE },
		.usage = "openat(AT_FDCWD, \"PATH\", FLAGS[, MODE])",
		.summary = "open (or create) a simulated file",
		.help = "Opens PATH and prints the new fd (the lowest free, "
			"from 3). O_CREAT\nmakes an empty file; ftruncate "
			"sizes it. Two opens of one file give\ntwo struct "
			"files, and their mappings never merge.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)",
		.exec = cmd_openat,
	},
	{
		.name = "close", .group = PROCESS, .syntax = SYN_CALL,
		.min_args = 1, .max_args = 1, .args = { ARG_FD },
		.usage = "close(FD)",
		.summary = "close an fd (mappings of it stay)",
		.help = "Closes FD. A mapping keeps its own reference to the "
			"file.",
		.example = "close(3)",
		.exec = cmd_close,
	},
	{
		.name = "ftruncate", .group = PROCESS, .syntax = SYN_CALL,
		.min_args = 2, .max_args = 2, .args = { ARG_FD, ARG_LEN },
		.usage = "ftruncate(FD, LEN)",
		.summary = "set a file's size",
		.help = "Sets the size of FD's file. Shrinking unmaps the pages "
			"past the new end\nfrom every mapping; touching them "
			"then gives SIGBUS.",
		.example = "ftruncate(3, 65536)",
		.exec = cmd_ftruncate,
	},
	{
		.name = "fork", .group = PROCESS, .syntax = SYN_CALL,
		.min_args = 0, .max_args = 0,
		.usage = "fork()",
		.summary = "fork the current process (it stays current)",
		.help = "Creates a child with the next free pid (dup_mmap: "
			"the VMAs are copied\none to one and faulted ones go "
			"through anon_vma_fork). Prints the\nchild's pid; the "
			"parent stays current (see switch).",
		.example = "fork()",
		.exec = cmd_fork,
	},
	{
		.name = "touch", .group = INSPECT, .syntax = SYN_WORDS,
		.min_args = 1, .max_args = 2, .args = { ARG_ADDR, ARG_LEN },
		.usage = "touch ADDR [LEN]",
		.summary = "write-fault every page of a range",
		.help = "Writes one byte to each page of [ADDR, ADDR+LEN) (LEN "
			"defaults to 1)\nas a user write fault. A private "
			"writable page gets an anon_vma\n(anon_vma_prepare). "
			"Stops at the first page that faults:\nSIGSEGV, or "
			"SIGBUS past the end of a file.",
		.example = "touch 0x200000000000 16384",
		.exec = cmd_touch,
	},
	{
		.name = "switch", .group = PROCESS, .syntax = SYN_WORDS,
		.min_args = 1, .max_args = 1, .args = { ARG_INT },
		.usage = "switch PID",
		.summary = "make another process current",
		.help = "Makes PID the current process. Prints nothing.",
		.example = "switch 1",
		.exec = cmd_switch,
	},
	{
		.name = "maps", .group = INSPECT, .syntax = SYN_WORDS,
		.min_args = 0, .max_args = 0,
		.usage = "maps",
		.summary = "print /proc/PID/maps of the current process",
		.help = "Prints the current process's VMAs as "
			"/proc/PID/maps does.",
		.example = "maps",
		.exec = cmd_maps,
	},
	{
		.name = "smaps", .group = INSPECT, .syntax = SYN_WORDS,
		.min_args = 0, .max_args = 0,
		.usage = "smaps",
		.summary = "print /proc/PID/smaps (Rss, Anonymous, VmFlags)",
		.help = "Prints each VMA's maps line, then Size, Rss, "
			"Anonymous and VmFlags as\n/proc/PID/smaps does.",
		.example = "smaps",
		.exec = cmd_smaps,
	},
	{
		.name = "echo", .group = SCRIPT, .syntax = SYN_WORDS,
		.min_args = 1, .max_args = 1, .args = { ARG_TEXT },
		.usage = "echo TEXT",
		.summary = "print TEXT",
		.help = "Prints TEXT. Scripts use `echo --` to separate steps.",
		.example = "echo --",
		.exec = cmd_echo,
	},
};

const size_t commands_count = sizeof(commands) / sizeof(commands[0]);

const struct command *command_find(const char *name, bool prefix, char *err,
				   size_t errlen)
{
	const struct command *found = NULL;
	const char *names[64];
	size_t n = 0, len = strlen(name), matches = 0;
	char list[256] = "";

	for (size_t i = 0; i < commands_count; i++) {
		if (!strcmp(commands[i].name, name) ||
		    (commands[i].alias && !strcmp(commands[i].alias, name)))
			return &commands[i];
	}
	for (size_t i = 0; i < commands_count; i++) {
		names[n++] = commands[i].name;
		if (strncmp(commands[i].name, name, len) == 0) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%s",
				 matches ? ", " : "", commands[i].name);
			found = &commands[i];
			matches++;
		}
	}
	if (!prefix)
		matches = 0;
	if (matches == 1)
		return found;
	if (matches > 1) {
		snprintf(err, errlen, "ambiguous command %s: could be %s",
			 name, list);
		return NULL;
	}
	found = NULL;
	{
		const char *near = closest_name(name, names, n);

		if (near)
			snprintf(err, errlen,
				 "unknown command %s (did you mean %s?)", name,
				 near);
		else
			snprintf(err, errlen, "unknown command %s", name);
	}
	return NULL;
}
