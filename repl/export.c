/*
 * export.c - a scenario in another form: `export NAME --format script|c|json
 * [-o FILE]`.
 *
 * - script: the lesson format (scenarios/README.md), which --batch,
 *   verify and import all take.
 * - json: the scenario, each step with its recorded output and its events
 *   (the objects of docs/events.md).
 * - c: a standalone C program that makes the same calls on the real
 *   kernel, checks each result and each maps/smaps line against what the
 *   engine printed (compared as verify compares: no dev or inode, only
 *   the test window), and reports each step as kselftest does, in TAP:
 *   "ok N ..." or "not ok N ...", then "# Totals", exiting 1 on a failure.
 *   fork() is a real fork; each simulated process is a real one, and the
 *   one a step belongs to runs it while the others wait for their turn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "handlers.h"
#include "procfs.h"
#include "scn.h"

/* ---- script ---- */

static void hash_lines(struct strbuf *out, const char *text, bool blank_hash)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		if (n)
			sb_addf(out, "# %.*s\n", (int)n, text);
		else
			sb_puts(out, blank_hash ? "#\n" : "\n");
		text += n + (text[n] == '\n');
	}
}

static void export_script(const struct scenario *scn, struct strbuf *out)
{
	sb_addf(out, "# title: %s\n", scn->title);
	if (*scn->summary)
		sb_addf(out, "# summary: %s\n", scn->summary);
	if (scn->ntags) {
		sb_puts(out, "# tags: ");
		for (size_t i = 0; i < scn->ntags; i++)
			sb_addf(out, "%s%s", i ? ", " : "", scn->tags[i]);
		sb_puts(out, "\n");
	}
	if (*scn->kernel)
		sb_addf(out, "# kernel: %s\n", scn->kernel);
	if (*scn->mcase)
		sb_addf(out, "# case: %s\n", scn->mcase);
	sb_addf(out, "# version: %d\n", scn->version);
	if (*scn->description) {
		sb_puts(out, "#\n");
		hash_lines(out, scn->description, true);
	}
	for (size_t i = 0; i < scn->n; i++) {
		const struct scn_step *st = &scn->steps[i];

		if (i == 0 || st->comment)
			sb_puts(out, "\n");
		hash_lines(out, st->comment, true);
		sb_addf(out, "%s\n", st->line);
	}
}

/* ---- json ---- */

static void json_string(struct strbuf *out, const char *s)
{
	if (!s) {
		sb_puts(out, "null");
		return;
	}
	sb_puts(out, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_addf(out, "\\%c", c);
		else if (c == '\n')
			sb_puts(out, "\\n");
		else if (c == '\t')
			sb_puts(out, "\\t");
		else if (c < 0x20)
			sb_addf(out, "\\u%04x", c);
		else
			sb_add(out, (const char *)&c, 1);
	}
	sb_puts(out, "\"");
}

/* The JSON lines of events as the elements of an array. */
static void json_events(struct strbuf *out, const char *events)
{
	bool first = true;

	sb_puts(out, "[");
	while (events && *events) {
		size_t n = strcspn(events, "\n");

		if (n) {
			sb_addf(out, "%s\n      %.*s", first ? "" : ",", (int)n,
				events);
			first = false;
		}
		events += n + (events[n] == '\n');
	}
	sb_puts(out, first ? "]" : "\n    ]");
}

static void export_json(const struct scenario *scn, struct strbuf *out)
{
	sb_puts(out, "{\n  \"name\": ");
	json_string(out, scn->name);
	sb_puts(out, ",\n  \"title\": ");
	json_string(out, scn->title);
	sb_puts(out, ",\n  \"summary\": ");
	json_string(out, scn->summary);
	sb_puts(out, ",\n  \"description\": ");
	json_string(out, scn->description);
	sb_puts(out, ",\n  \"origin\": ");
	json_string(out, scn_origin_name(scn->origin));
	sb_addf(out, ",\n  \"version\": %d,\n  \"tags\": [", scn->version);
	for (size_t i = 0; i < scn->ntags; i++) {
		sb_puts(out, i ? ", " : "");
		json_string(out, scn->tags[i]);
	}
	sb_puts(out, "],\n  \"parent\": ");
	json_string(out, scn->parent);
	sb_addf(out, ",\n  \"parent_step\": %zu,\n  \"steps\": [",
		scn->parent ? scn->parent_step : 0);
	for (size_t i = 0; i < scn->n; i++) {
		const struct scn_step *st = &scn->steps[i];

		sb_addf(out, "%s\n    {\"step\": %zu, \"line\": ", i ? "," : "",
			i + 1);
		json_string(out, st->line);
		sb_puts(out, ", \"comment\": ");
		json_string(out, st->comment);
		sb_puts(out, ",\n     \"output\": ");
		json_string(out, st->output);
		sb_puts(out, ", \"digest\": ");
		json_string(out, st->digest);
		sb_puts(out, ",\n     \"events\": ");
		json_events(out, st->events);
		sb_puts(out, "}");
	}
	sb_puts(out, "\n  ]\n}\n");
}

/* ---- c ---- */

static void c_string(struct strbuf *out, const char *s, size_t n)
{
	sb_puts(out, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c == '?')
			sb_addf(out, "\\%c", c);
		else if (c == '\n')
			sb_puts(out, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			sb_addf(out, "\\%03o", c);
		else
			sb_add(out, (const char *)&c, 1);
	}
	sb_puts(out, "\"");
}

/* The runtime every exported program carries. */
static const char c_runtime[] =
	"#define _GNU_SOURCE\n"
	"#include <dirent.h>\n"
	"#include <errno.h>\n"
	"#include <fcntl.h>\n"
	"#include <setjmp.h>\n"
	"#include <signal.h>\n"
	"#include <stdarg.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"#include <sys/resource.h>\n"
	"#include <sys/syscall.h>\n"
	"#include <unistd.h>\n"
	"\n"
	"/* Not every scenario needs every helper. */\n"
	"#pragma GCC diagnostic ignored \"-Wunused-function\"\n"
	"\n"
	"#define WIN_START 0x200000000000UL\n"
	"#define WIN_END 0x201000000000UL\n"
	"#define OUT 900 /* the report, apart from the script's fds */\n"
	"#define PIPES 902 /* each process's turn pipe: 2 fds per pid */\n"
	"#ifndef SYS_close_range\n"
	"#define SYS_close_range 436 /* the same on every architecture */\n"
	"#endif\n"
	"\n"
	"struct turn {\n"
	"\tint step, pass, fail;\n"
	"};\n"
	"static int me = 1, pass, fail;\n"
	"static char dir[64] = \"/tmp/vmalab-export-XXXXXX\";\n"
	"\n"
	"static void say(const char *fmt, ...)\n"
	"{\n"
	"\tva_list ap;\n"
	"\n"
	"\tva_start(ap, fmt);\n"
	"\tvdprintf(OUT, fmt, ap);\n"
	"\tva_end(ap);\n"
	"}\n"
	"\n"
	"static void die(const char *what)\n"
	"{\n"
	"\tsay(\"Bail out! %s: %s\\n\", what, strerror(errno));\n"
	"\texit(2);\n"
	"}\n"
	"\n"
	"/* The kselftest result of test n. */\n"
	"static void result(int ok, int n, const char *text)\n"
	"{\n"
	"\tsay(\"%sok %d %s\\n\", ok ? \"\" : \"not \", n, text);\n"
	"\tif (ok)\n"
	"\t\tpass++;\n"
	"\telse\n"
	"\t\tfail++;\n"
	"}\n"
	"\n"
	"/* \"= 0x2000...\", \"= -1 ENOMEM (...)\": the contract's result. */\n"
	"static void show(char *buf, size_t len, long ret, int addr)\n"
	"{\n"
	"\tif (ret < 0 && ret >= -4095)\n"
	"\t\tsnprintf(buf, len, \"-1 %s (%s)\", strerrorname_np((int)-ret),\n"
	"\t\t\t strerror((int)-ret));\n"
	"\telse if (addr)\n"
	"\t\tsnprintf(buf, len, \"%#lx\", (unsigned long)ret);\n"
	"\telse\n"
	"\t\tsnprintf(buf, len, \"%ld\", ret);\n"
	"}\n"
	"\n"
	"/* A call's result against the engine's: an address the kernel\n"
	" * chose outside the window matches any other such address. */\n"
	"static int same_result(long got, long want, int addr)\n"
	"{\n"
	"\tint out = (unsigned long)want < WIN_START ||\n"
	"\t\t  (unsigned long)want >= WIN_END;\n"
	"\n"
	"\tif (addr && out && !(want < 0 && want >= -4095))\n"
	"\t\treturn !(got < 0 && got >= -4095) &&\n"
	"\t\t       ((unsigned long)got < WIN_START ||\n"
	"\t\t\t(unsigned long)got >= WIN_END);\n"
	"\treturn got == want;\n"
	"}\n"
	"\n"
	"static int check_call(long got, long want, int addr, const char "
	"*text,\n"
	"\t\t      int *ok)\n"
	"{\n"
	"\tchar g[128], w[128];\n"
	"\n"
	"\tshow(g, sizeof(g), got, addr);\n"
	"\tshow(w, sizeof(w), want, addr);\n"
	"\tif (same_result(got, want, addr))\n"
	"\t\treturn 0;\n"
	"\tsay(\"# %s: expected %s, got %s\\n\", text, w, g);\n"
	"\t*ok = 0;\n"
	"\treturn -1;\n"
	"}\n"
	"\n"
	"static long raw(long ret)\n"
	"{\n"
	"\treturn ret == -1 ? -errno : ret;\n"
	"}\n"
	"\n"
	"/* touch and read: each page of [addr, addr + len), stopping at a\n"
	" * fault, whose signal and page are the result. */\n"
	"static sigjmp_buf fault_env;\n"
	"static volatile unsigned long fault_addr;\n"
	"static volatile int fault_sig;\n"
	"\n"
	"static void on_fault(int sig, siginfo_t *si, void *uc)\n"
	"{\n"
	"\t(void)uc;\n"
	"\tfault_sig = sig;\n"
	"\tfault_addr = (unsigned long)si->si_addr;\n"
	"\tsiglongjmp(fault_env, 1);\n"
	"}\n"
	"\n"
	"static long touch(unsigned long addr, unsigned long len, int write,\n"
	"\t\t  unsigned long *fault)\n"
	"{\n"
	"\tunsigned long end = addr + len;\n"
	"\n"
	"\tif (sigsetjmp(fault_env, 1)) {\n"
	"\t\t*fault = fault_addr & ~4095UL;\n"
	"\t\treturn fault_sig;\n"
	"\t}\n"
	"\tfor (unsigned long p = addr; p < end; p = (p | 4095) + 1) {\n"
	"\t\tif (write)\n"
	"\t\t\t*(volatile char *)p = 1;\n"
	"\t\telse\n"
	"\t\t\t(void)*(volatile char *)p;\n"
	"\t\tif ((p | 4095) == ~0UL)\n"
	"\t\t\tbreak;\n"
	"\t}\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"static int check_touch(long sig, unsigned long fault, long want_sig,\n"
	"\t\t       unsigned long want_fault, const char *text, int *ok)\n"
	"{\n"
	"\tif (sig == want_sig && (!sig || fault == want_fault))\n"
	"\t\treturn 0;\n"
	"\tsay(\"# %s: expected %s (%#lx), got %s (%#lx)\\n\", text,\n"
	"\t    want_sig ? strsignal((int)want_sig) : \"0\", want_fault,\n"
	"\t    sig ? strsignal((int)sig) : \"0\", fault);\n"
	"\t*ok = 0;\n"
	"\treturn -1;\n"
	"}\n"
	"\n"
	"/* smaps fields the engine prints; the kernel's others are left out. "
	"*/\n"
	"static int wanted_field(const char *s)\n"
	"{\n"
	"\tstatic const char *const f[] = {\"Size:\", \"KernelPageSize:\",\n"
	"\t\t\t\t\t \"MMUPageSize:\", \"Rss:\", \"Anonymous:\",\n"
	"\t\t\t\t\t \"VmFlags:\", NULL};\n"
	"\n"
	"\tfor (int i = 0; f[i]; i++)\n"
	"\t\tif (!strncmp(s, f[i], strlen(f[i])))\n"
	"\t\t\treturn 1;\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/*\n"
	" * /proc/self/maps or smaps as verify compares them: the VMAs in the\n"
	" * window, each maps line as \"start-end perms offset name\" (no "
	"dev,\n"
	" * inode or padding; a file's name as the script gave it).\n"
	" */\n"
	"static char **read_maps(int smaps, int *n)\n"
	"{\n"
	"\tFILE *f = fopen(smaps ? \"/proc/self/smaps\" : "
	"\"/proc/self/maps\",\n"
	"\t\t\t\"r\");\n"
	"\tchar line[4096], **v = NULL;\n"
	"\tint keep = 0;\n"
	"\n"
	"\t*n = 0;\n"
	"\tif (!f)\n"
	"\t\tdie(\"/proc/self/maps\");\n"
	"\twhile (fgets(line, sizeof(line), f)) {\n"
	"\t\tunsigned long start, end, off;\n"
	"\t\tchar perms[8], buf[4200];\n"
	"\t\tint name = 0;\n"
	"\t\tchar *nm;\n"
	"\n"
	"\t\tline[strcspn(line, \"\\n\")] = '\\0';\n"
	"\t\tif (sscanf(line, \"%lx-%lx %7s %lx %*x:%*x %*u %n\", &start,\n"
	"\t\t\t   &end, perms, &off, &name) >= 4 && name) {\n"
	"\t\t\tkeep = start >= WIN_START && start < WIN_END;\n"
	"\t\t\tif (!keep)\n"
	"\t\t\t\tcontinue;\n"
	"\t\t\tnm = line + name;\n"
	"\t\t\tif (!strncmp(nm, dir, strlen(dir)) &&\n"
	"\t\t\t    nm[strlen(dir)] == '/')\n"
	"\t\t\t\tnm += strlen(dir) + 1;\n"
	"\t\t\tsnprintf(buf, sizeof(buf), \"%08lx-%08lx %s %08lx%s%s\",\n"
	"\t\t\t\t start, end, perms, off, *nm ? \" \" : \"\", nm);\n"
	"\t\t} else if (keep && smaps && wanted_field(line)) {\n"
	"\t\t\tsnprintf(buf, sizeof(buf), \"%s\", line);\n"
	"\t\t} else {\n"
	"\t\t\tcontinue;\n"
	"\t\t}\n"
	"\t\tv = realloc(v, (size_t)(*n + 1) * sizeof(*v));\n"
	"\t\tif (!v || !(v[*n] = strdup(buf)))\n"
	"\t\t\tdie(\"malloc\");\n"
	"\t\t(*n)++;\n"
	"\t}\n"
	"\tfclose(f);\n"
	"\treturn v;\n"
	"}\n"
	"\n"
	"static int check_maps(int smaps, const char *const *want, int nwant,\n"
	"\t\t      int *ok)\n"
	"{\n"
	"\tint n, i, bad = -1;\n"
	"\tchar **got = read_maps(smaps, &n);\n"
	"\n"
	"\tfor (i = 0; bad < 0 && (i < n || i < nwant); i++)\n"
	"\t\tif (i >= n || i >= nwant || strcmp(got[i], want[i]))\n"
	"\t\t\tbad = i;\n"
	"\tif (bad >= 0) {\n"
	"\t\tsay(\"# line %d: expected %s\\n\", bad + 1,\n"
	"\t\t    bad < nwant ? want[bad] : \"(nothing)\");\n"
	"\t\tsay(\"# line %d: got      %s\\n\", bad + 1,\n"
	"\t\t    bad < n ? got[bad] : \"(nothing)\");\n"
	"\t\t*ok = 0;\n"
	"\t}\n"
	"\tfor (i = 0; i < n; i++)\n"
	"\t\tfree(got[i]);\n"
	"\tfree(got);\n"
	"\treturn bad < 0 ? 0 : -1;\n"
	"}\n"
	"\n"
	"/* Give the turn to process pid (at step), and wait for ours. */\n"
	"static int wait_turn(int pid, int step)\n"
	"{\n"
	"\tstruct turn t = {step, pass, fail};\n"
	"\n"
	"\tif (pid != me &&\n"
	"\t    write(PIPES + 2 * pid + 1, &t, sizeof(t)) != sizeof(t))\n"
	"\t\tdie(\"write\");\n"
	"\t/* Telling another process to go needs no answer. */\n"
	"\tif ((pid == me && step >= 0) || (pid != me && step < 0))\n"
	"\t\treturn step;\n"
	"\tif (read(PIPES + 2 * me, &t, sizeof(t)) != sizeof(t) ||\n"
	"\t    t.step < 0)\n"
	"\t\t_exit(0);\n"
	"\tpass = t.pass;\n"
	"\tfail = t.fail;\n"
	"\treturn t.step;\n"
	"}\n"
	"\n"
	"static void cleanup(void)\n"
	"{\n"
	"\tDIR *d = opendir(dir);\n"
	"\tstruct dirent *e;\n"
	"\n"
	"\twhile (d && (e = readdir(d)))\n"
	"\t\tif (strcmp(e->d_name, \".\") && strcmp(e->d_name, \"..\"))\n"
	"\t\t\tunlinkat(dirfd(d), e->d_name, 0);\n"
	"\tif (d)\n"
	"\t\tclosedir(d);\n"
	"\trmdir(dir);\n"
	"}\n"
	"\n"
	"/* A private directory for the script's files, fds 0-2 on\n"
	" * /dev/null (a script may close them), the report on OUT, and no\n"
	" * other fd: the script's open() returns 3 first, as in vmalab (a\n"
	" * shell, make's jobserver or time -o may have left some open). */\n"
	"static void setup(int nprocs)\n"
	"{\n"
	"\tstruct sigaction sa = {.sa_sigaction = on_fault,\n"
	"\t\t\t      .sa_flags = SA_SIGINFO | SA_ONSTACK};\n"
	"\tstatic char altstack[65536];\n"
	"\tstack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};\n"
	"\tstruct rlimit rl;\n"
	"\tint fd;\n"
	"\n"
	"\tif (syscall(SYS_close_range, 3U, ~0U, 0U))\n"
	"\t\tfor (fd = 3; fd < 1024; fd++) /* before Linux 5.9 */\n"
	"\t\t\tclose(fd);\n"
	"\tif (dup2(STDOUT_FILENO, OUT) < 0)\n"
	"\t\tdie(\"dup2\");\n"
	"\tif (!getrlimit(RLIMIT_STACK, &rl)) {\n"
	"\t\trl.rlim_cur = 8UL << 20;\n"
	"\t\tsetrlimit(RLIMIT_STACK, &rl);\n"
	"\t}\n"
	"\tfor (int pid = 1; pid <= nprocs; pid++) {\n"
	"\t\tint p[2];\n"
	"\n"
	"\t\tif (pipe(p) || dup2(p[0], PIPES + 2 * pid) < 0 ||\n"
	"\t\t    dup2(p[1], PIPES + 2 * pid + 1) < 0)\n"
	"\t\t\tdie(\"pipe\");\n"
	"\t\tclose(p[0]);\n"
	"\t\tclose(p[1]);\n"
	"\t}\n"
	"\tif (!mkdtemp(dir) || chdir(dir))\n"
	"\t\tdie(\"mkdtemp\");\n"
	"\tfd = open(\"/dev/null\", O_RDWR);\n"
	"\tfor (int i = 0; fd >= 0 && i < 3; i++)\n"
	"\t\tif (fd != i)\n"
	"\t\t\tdup2(fd, i);\n"
	"\tif (fd > 2)\n"
	"\t\tclose(fd);\n"
	"\tsigemptyset(&sa.sa_mask);\n"
	"\tif (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL) ||\n"
	"\t    sigaction(SIGBUS, &sa, NULL))\n"
	"\t\tdie(\"sigaction\");\n"
	"}\n"
	"\n";

/* How one step is checked in the program. */
enum c_kind { CK_NOTE, CK_CALLS, CK_MAPS, CK_SMAPS, CK_SKIP };

static enum c_kind c_kind_of(const struct rec_step *r)
{
	const char *name = r->cmd ? r->cmd->name : "";

	if (!strcmp(name, "maps"))
		return CK_MAPS;
	if (!strcmp(name, "smaps"))
		return CK_SMAPS;
	if (!strcmp(name, "echo") || !strcmp(name, "switch") || !r->cmd)
		return CK_NOTE;
	for (size_t i = 0; i < r->ncalls; i++)
		if (!r->calls[i].is_switch)
			return CK_CALLS;
	return CK_SKIP;
}

/* The engine's maps/smaps output as the program compares it. */
static void c_expected_maps(const char *text, struct strbuf *out, int *n)
{
	bool keep = false;

	*n = 0;
	while (*text) {
		size_t len = strcspn(text, "\n");
		unsigned long start;

		if (maps_line_start(text, len, &start)) {
			size_t name = maps_name_offset(text, len);

			keep = start >= VERIFY_WINDOW_START &&
			       start < VERIFY_WINDOW_END;
			if (keep) {
				struct strbuf l = STRBUF_INIT;

				sb_add(&l, text, maps_field_end(text, len, 2));
				if (name < len) {
					sb_puts(&l, " ");
					sb_add(&l, text + name, len - name);
				}
				sb_puts(out, "\t\t\t");
				c_string(out, sb_str(&l), l.len);
				sb_puts(out, ",\n");
				sb_free(&l);
				(*n)++;
			}
		} else if (keep && len) {
			sb_puts(out, "\t\t\t");
			c_string(out, text, len);
			sb_puts(out, ",\n");
			(*n)++;
		}
		text += len + (text[len] == '\n');
	}
}

static void c_call(struct strbuf *out, const struct rec_call *c,
		   const char *text)
{
	char t[80];

	if (c->c.nr == NR_TOUCH || c->c.nr == NR_READ) {
		sb_addf(out,
			"\t\tret = touch(%#lxUL, %#lxUL, %d, &fault);\n"
			"\t\tcheck_touch(ret, fault, %ld, %#lxUL, %s, &ok);\n",
			c->c.a[0], c->c.a[1], c->c.nr == NR_TOUCH, c->ret,
			c->fault, text);
		return;
	}
	if (c->c.nr == NR_fork) {
		/* The child is the next simulated pid; it waits its turn. */
		sb_addf(out,
			"\t\tret = raw(fork());\n"
			"\t\tif (ret == 0) {\n"
			"\t\t\tme = %ld;\n"
			"\t\t\treturn wait_turn(me, -1);\n"
			"\t\t}\n"
			"\t\tif (ret < 0)\n"
			"\t\t\tcheck_call(ret, %ld, 0, %s, &ok);\n",
			c->ret, c->ret, text);
		return;
	}
	sb_addf(out, "\t\tret = raw(syscall(%d", c->c.nr);
	for (int i = 0; i < 6; i++) {
		if (c->c.path && c->c.path_arg == i) {
			sb_puts(out, ", ");
			c_string(out, c->c.path, strlen(c->c.path));
		} else {
			snprintf(t, sizeof(t), ", %#lxUL", c->c.a[i]);
			sb_puts(out, t);
		}
	}
	sb_addf(out, "));\n\t\tcheck_call(ret, %ldL, %d, %s, &ok);\n", c->ret,
		c->kind == RES_ADDR, text);
}

static int c_step(struct strbuf *out, const struct scn_step *st,
		  const struct rec_step *r, size_t i, int test)
{
	enum c_kind k = c_kind_of(r);
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	int n;

	c_string(&text, st->line, strlen(st->line));
	sb_addf(out, "\tcase %zu: {\n\t\tint ok = 1;\n", i);
	switch (k) {
	case CK_NOTE:
		/* echo prints its text; switch and the rest their line. */
		sb_puts(out, "\t\tsay(\"# %s\\n\", ");
		if (r->cmd && !strcmp(r->cmd->name, "echo"))
			c_string(out, r->output, strcspn(r->output, "\n"));
		else
			sb_add(out, sb_str(&text), text.len);
		sb_puts(out, ");\n\t\t(void)ok;\n");
		test = 0;
		break;
	case CK_SKIP:
		sb_addf(out,
			"\t\tsay(\"ok %d # SKIP %%s (the engine only)\\n\", ",
			test);
		sb_add(out, sb_str(&text), text.len);
		sb_puts(out, ");\n\t\tpass++;\n");
		break;
	case CK_MAPS:
	case CK_SMAPS:
		c_expected_maps(r->output, &want, &n);
		sb_addf(out,
			"\t\tstatic const char *const want[] = "
			"{\n%s\t\t\tNULL};\n"
			"\t\tcheck_maps(%d, want, %d, &ok);\n"
			"\t\tresult(ok, %d, %s);\n",
			sb_str(&want), k == CK_SMAPS, n, test, sb_str(&text));
		break;
	case CK_CALLS:
		sb_puts(out, "\t\tunsigned long fault = 0;\n\t\tlong ret;\n\n"
			     "\t\t(void)fault;\n");
		for (size_t j = 0; j < r->ncalls; j++)
			if (!r->calls[j].is_switch)
				c_call(out, &r->calls[j], sb_str(&text));
		sb_addf(out, "\t\tresult(ok, %d, ", test);
		c_string(out, r->output, strcspn(r->output, "\n"));
		sb_puts(out, ");\n");
		break;
	}
	sb_puts(out, "\t\tbreak;\n\t}\n");
	sb_free(&text);
	sb_free(&want);
	return test ? 1 : 0;
}

static int export_c(const struct scenario *scn, const struct machine_params *p,
		    struct strbuf *out, char *err, size_t errlen)
{
	struct recording rec;
	struct strbuf body = STRBUF_INIT, owners = STRBUF_INIT;
	int tests = 0, nprocs = 1, pid = 1;

	if (scenario_record(scn, p, REC_CALLS | REC_FACTS, &rec, err, errlen))
		return -1;
	for (size_t i = 0; i < rec.n; i++) {
		if (rec.steps[i].error) {
			snprintf(err, errlen, "step %zu (%s): %s", i + 1,
				 scn->steps[i].line, rec.steps[i].error);
			recording_free(&rec);
			return -1;
		}
	}
	for (size_t i = 0; i < rec.n; i++) {
		const struct rec_step *r = &rec.steps[i];

		/* The process a step runs in is the one current before it. */
		sb_addf(&owners, "%s%d", i ? ", " : "", pid);
		tests += c_step(&body, &scn->steps[i], r, i, tests + 1);
		for (size_t j = 0; j < r->ncalls; j++)
			if (r->calls[j].c.nr == NR_fork &&
			    r->calls[j].ret > 0 && r->calls[j].ret > nprocs)
				nprocs = (int)r->calls[j].ret;
		pid = r->pid;
	}
	sb_addf(out,
		"/*\n * %s: %s\n *\n"
		" * Made by `vmalab export %s --format c`: the scenario's "
		"steps "
		"as real\n * system calls, each result and each maps line "
		"checked against what\n * vmalab's engine printed, reported "
		"as kselftest does (TAP).\n *\n"
		" *   cc -Wall -Werror -o %s %s.c && ./%s\n */\n",
		scn->name, scn->title, scn->name, scn->name, scn->name,
		scn->name);
	sb_add(out, c_runtime, sizeof(c_runtime) - 1);
	sb_addf(out,
		"#define NSTEPS %zu\n#define NTESTS %d\n#define NPROCS %d\n"
		"/* The simulated pid each step runs in. */\n"
		"static const int owner[NSTEPS + 1] = {%s%s0};\n\n",
		rec.n, tests, nprocs, sb_str(&owners), rec.n ? ", " : "");
	sb_addf(out,
		"/* Step i; returns the next step to run. */\n"
		"static int run_step(int i)\n{\n\tswitch (i) {\n%s"
		"\t}\n\treturn i + 1;\n}\n\n",
		sb_str(&body));
	sb_puts(out, "int main(void)\n{\n"
		     "\tint i = 0;\n\n"
		     "\tsetup(NPROCS);\n"
		     "\tsay(\"TAP version 13\\n1..%d\\n\", NTESTS);\n"
		     "\twhile (i < NSTEPS) {\n"
		     "\t\tif (owner[i] != me)\n"
		     "\t\t\ti = wait_turn(owner[i], i);\n"
		     "\t\telse\n"
		     "\t\t\ti = run_step(i);\n"
		     "\t}\n"
		     "\t/* Done: pid 1 reports; the others are told to go. */\n"
		     "\tif (me != 1)\n"
		     "\t\twait_turn(1, NSTEPS);\n"
		     "\tfor (int pid = 2; pid <= NPROCS; pid++)\n"
		     "\t\twait_turn(pid, -1);\n"
		     "\tcleanup();\n"
		     "\tsay(\"# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 "
		     "error:0\\n\", pass, fail);\n"
		     "\treturn fail ? 1 : 0;\n}\n");
	sb_free(&body);
	sb_free(&owners);
	recording_free(&rec);
	return 0;
}

/* ---- the command ---- */

int cmd_export(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "export");
	const char *format = "script", *file = NULL;
	struct strbuf out = STRBUF_INIT;
	struct scenario scn;
	char err[STORE_ERR];
	int e = 0;

	if (!st)
		return -1;
	for (int i = 1; i < p->argc; i += 2) {
		const char *opt = p->argv[i].str;

		if (i + 1 < p->argc && !strcmp(opt, "--format"))
			format = p->argv[i + 1].str;
		else if (i + 1 < p->argc && !strcmp(opt, "-o"))
			file = p->argv[i + 1].str;
		else {
			session_error(s,
				      "export: expected --format F or -o FILE, "
				      "got %s",
				      opt);
			return -1;
		}
	}
	if (strcmp(format, "script") && strcmp(format, "c") &&
	    strcmp(format, "json")) {
		session_error(s,
			      "export: --format is script, c or json, not %s",
			      format);
		return -1;
	}
	if (st->ops->load(st, p->argv[0].str, &scn, err, sizeof(err))) {
		session_error(s, "export: %s", err);
		return -1;
	}
	if (!strcmp(format, "script"))
		export_script(&scn, &out);
	else if (!strcmp(format, "json"))
		export_json(&scn, &out);
	else if (export_c(&scn, &s->params, &out, err, sizeof(err))) {
		session_error(s, "export: %s", err);
		e = -1;
	}
	if (!e && file) {
		FILE *f = fopen(file, "w");

		if (!f || fwrite(sb_str(&out), 1, out.len, f) != out.len ||
		    fclose(f)) {
			session_error(s, "export: %s: %s", file,
				      strerror(errno));
			e = -1;
		} else {
			sb_addf(&s->out, "exported %s to %s (%s)\n", scn.name,
				file, format);
		}
	} else if (!e) {
		sb_add(&s->out, sb_str(&out), out.len);
	}
	sb_free(&out);
	scenario_free(&scn);
	return e;
}
