/*
 * test_commands.c - unit tests for the command table and what is generated
 * from it: every entry has a summary, a help text and examples that run
 * without error in a fresh session; help renders for each; lookup by name,
 * alias and prefix; Tab completion in each argument position; the word
 * syntax of the shorthand commands; the diff printed after each line.
 *
 * It links against the command core (librepl.a) and the engine alone: no
 * readline, no terminal.
 */
#include <stdlib.h>
#include <string.h>
#include "complete.h"
#include "handlers.h"
#include "model.h"
#include "parse.h"
#include "view.h"
#include "harness.h"
#include "session_fixture.h"

static bool fits_80(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		if (n > 80)
			return false;
		text += n + (text[n] == '\n');
	}
	return true;
}

TEST(every_entry_is_documented)
{
	for (size_t i = 0; i < commands_count; i++) {
		const struct command *c = &commands[i];

		ASSERT_TRUE(c->name && *c->name);
		ASSERT_TRUE(c->group && *c->group);
		ASSERT_TRUE(c->usage &&
			    !strncmp(c->usage, c->name, strlen(c->name)));
		ASSERT_TRUE(c->summary && *c->summary);
		/* One line that fits "  name, alias  summary" in 80. */
		ASSERT_TRUE(!strchr(c->summary, '\n'));
		ASSERT_TRUE(strlen(c->summary) <= 62);
		ASSERT_TRUE(c->help && strlen(c->help) > 20);
		ASSERT_TRUE(fits_80(c->help));
		ASSERT_TRUE(c->example && *c->example);
		ASSERT_TRUE(c->exec);
		ASSERT_TRUE(c->min_args <= c->max_args);
		ASSERT_TRUE(c->max_args <= MAX_ARGS);
		for (int a = 0; a < c->max_args; a++)
			ASSERT_TRUE(c->args[a] != ARG_NONE);
	}
	return true;
}

TEST(names_and_aliases_are_unique)
{
	for (size_t i = 0; i < commands_count; i++) {
		for (size_t j = 0; j < commands_count; j++) {
			const struct command *a = &commands[i],
					     *b = &commands[j];

			if (i != j)
				ASSERT_TRUE(strcmp(a->name, b->name));
			if (a->alias)
				ASSERT_TRUE(strcmp(a->alias, b->name));
			if (i != j && a->alias && b->alias)
				ASSERT_TRUE(strcmp(a->alias, b->alias));
		}
	}
	return true;
}

/* Each example line runs in a fresh session without a usage error. */
TEST(every_example_runs)
{
	for (size_t i = 0; i < commands_count; i++) {
		const char *ex = commands[i].example;
		struct session s;
		bool ran_self = false;

		/* These need a store: tests/unit/db runs them with one. */
		if (commands[i].flags & CMD_STORE)
			continue;
		fresh(&s);
		while (*ex) {
			size_t n = strcspn(ex, "\n");
			struct parsed p;
			char err[600];

			session_run_line(&s, ex, n);
			/* An example shows the call working, not failing
			 * (prctl's PR_SET_VMA is EINVAL on the reference
			 * kernel: that is what it shows). */
			if (strstr(sb_str(&s.out), " = -1 E") &&
			    strcmp(commands[i].name, "prctl")) {
				fprintf(stderr,
					"example of %s gets an error: "
					"%s",
					commands[i].name, sb_str(&s.out));
				done(&s);
				return false;
			}
			if (s.errors) {
				fprintf(stderr, "example of %s fails: %.*s\n",
					commands[i].name, (int)n, ex);
				done(&s);
				return false;
			}
			if (parse_line(ex, n, &p, err, sizeof(err)) ==
			    PARSE_OK) {
				ran_self |= p.cmd == &commands[i];
				parsed_free(&p);
			}
			ex += n + (ex[n] == '\n');
		}
		done(&s);
		/* The example shows the command itself, not only its setup. */
		ASSERT_TRUE(ran_self);
	}
	return true;
}

TEST(help_renders_for_every_command)
{
	struct session s;
	char line[64];

	fresh(&s);
	run(&s, "help");
	for (size_t i = 0; i < commands_count; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s", commands[i].name);
		ASSERT_TRUE(strstr(sb_str(&s.out), want));
	}
	ASSERT_TRUE(fits_80(sb_str(&s.out)));
	for (size_t i = 0; i < commands_count; i++) {
		snprintf(line, sizeof(line), "help %s", commands[i].name);
		run(&s, line);
		ASSERT_EQ(s.errors, 0);
		ASSERT_TRUE(!strncmp(sb_str(&s.out), commands[i].usage,
				     strlen(commands[i].usage)));
		ASSERT_TRUE(strstr(sb_str(&s.out), "Example"));
		ASSERT_TRUE(fits_80(sb_str(&s.out)) ||
			    strstr(commands[i].example, "MAP_FIXED"));
	}
	run(&s, "help mmap");
	ASSERT_TRUE(strstr(sb_str(&s.out), "MAP_FIXED_NOREPLACE"));
	ASSERT_TRUE(strstr(sb_str(&s.out), "PROT_EXEC"));
	done(&s);
	return true;
}

TEST(lookup_by_name_alias_and_prefix)
{
	char err[300];

	ASSERT_STREQ(command_find("map", true, err, sizeof(err))->name, "map");
	ASSERT_STREQ(command_find("m", true, err, sizeof(err))->name, "map");
	ASSERT_STREQ(command_find("u", true, err, sizeof(err))->name, "unmap");
	ASSERT_STREQ(command_find("p", true, err, sizeof(err))->name,
		     "protect");
	ASSERT_STREQ(command_find("back", true, err, sizeof(err))->name,
		     "undo");
	ASSERT_STREQ(command_find("sm", true, err, sizeof(err))->name, "smaps");
	ASSERT_TRUE(!command_find("ma", true, err, sizeof(err)));
	ASSERT_STREQ(err, "ambiguous command ma: could be madvise, map, maps");
	ASSERT_TRUE(!command_find("mprotec", false, err, sizeof(err)));
	ASSERT_STREQ(err, "unknown command mprotec");
	ASSERT_STREQ(command_suggest("mprotec"), "mprotect");
	ASSERT_TRUE(command_suggest("ma") == NULL);
	return true;
}

/* The candidates Tab offers after line (the word is what follows the
 * last break character). */
static bool offers(struct session *s, const char *line, const char *want,
		   char append)
{
	const char *word = line;
	struct completion c;
	bool found = false;

	for (const char *p = line; *p; p++)
		if (strchr(" \t,(|", *p))
			word = p + 1;
	complete_line(s, line, (size_t)(word - line), word, &c);
	for (size_t i = 0; i < c.n; i++)
		found |= !strcmp(c.words[i], want);
	if (!found || c.append != append)
		fprintf(stderr,
			"completing \"%s\": %zu candidates, append "
			"%d; wanted %s\n",
			line, c.n, c.append, want);
	found &= c.append == append;
	completion_free(&c);
	return found;
}

static size_t candidates(struct session *s, const char *line)
{
	const char *word = line;
	struct completion c;
	size_t n;

	for (const char *p = line; *p; p++)
		if (strchr(" \t,(|", *p))
			word = p + 1;
	complete_line(s, line, (size_t)(word - line), word, &c);
	n = c.n;
	completion_free(&c);
	return n;
}

TEST(completion_follows_argument_types)
{
	struct session s;

	fresh(&s);
	run(&s, "map 0x200000000000 16k rw");
	run(&s, "map 0x200000008000 4k r");
	ASSERT_TRUE(offers(&s, "mpr", "mprotect", '('));
	ASSERT_TRUE(offers(&s, "  sm", "smaps", ' '));
	ASSERT_TRUE(offers(&s, "mmap(", "0x200000008000", '\0'));
	ASSERT_TRUE(offers(&s, "mmap(NULL, 4k, PROT_R", "PROT_READ", '\0'));
	ASSERT_TRUE(offers(&s, "mmap(NULL, 4k, PROT_READ|PROT_W", "PROT_WRITE",
			   '\0'));
	ASSERT_TRUE(offers(&s, "mmap(NULL, 4k, PROT_READ, MAP_P", "MAP_PRIVATE",
			   '\0'));
	ASSERT_TRUE(offers(&s, "mmap(NULL, 4k, PROT_READ, MAP_SHARED|MAP_F",
			   "MAP_FIXED_NOREPLACE", '\0'));
	ASSERT_TRUE(offers(&s, "mprotect(0x2, 4k, PROT_", "PROT_NONE", '\0'));
	ASSERT_TRUE(offers(&s, "mremap(0x2, 4k, 8k, MREMAP_M", "MREMAP_MAYMOVE",
			   '\0'));
	ASSERT_TRUE(offers(&s, "mremap(0x2, 4k, 4k, MREMAP_MAYMOVE|MREMAP_D",
			   "MREMAP_DONTUNMAP", '\0'));
	ASSERT_TRUE(offers(&s, "openat(AT_FDCWD, \"f\", O_", "O_CREAT", '\0'));
	ASSERT_TRUE(offers(&s, "openat(A", "AT_FDCWD", '\0'));
	ASSERT_TRUE(offers(&s, "touch 0x2", "0x200000000000", ' '));
	ASSERT_TRUE(offers(&s, "vma ", "0x200000008000", ' '));
	ASSERT_TRUE(offers(&s, "map 0x200000010000 4k ", "rwx", ' '));
	ASSERT_TRUE(offers(&s, "map 0x200000010000 4k rw sh", "shared", ' '));
	ASSERT_TRUE(offers(&s, "m 0x200000010000 4k rw shared pop", "populate",
			   ' '));
	ASSERT_TRUE(offers(&s, "protect 0x200000000000 4k ", "none", ' '));
	ASSERT_TRUE(offers(&s, "help mm", "mmap", ' '));
	ASSERT_TRUE(offers(&s, "set ", "numbers", ' '));
	ASSERT_TRUE(offers(&s, "set numbers ", "hex", ' '));
	ASSERT_TRUE(offers(&s, "switch ", "1", ' '));
	/* Nothing to offer: a length, after "file", a closed call. */
	ASSERT_EQ(candidates(&s, "mmap(NULL, "), 0);
	ASSERT_EQ(candidates(&s, "map 0x200000010000 4k rw file "), 0);
	ASSERT_EQ(candidates(&s, "munmap(0x2, 4k) "), 0);
	ASSERT_EQ(candidates(&s, "frobnicate "), 0);
	ASSERT_EQ(candidates(&s, "openat(AT_FDCWD, \"a,b\", "), 18);
	done(&s);
	return true;
}

static enum parse_result parse(struct parsed *p, const char *line,
			       char err[600])
{
	return parse_line(line, strlen(line), p, err, 600);
}

TEST(shorthand_word_syntax)
{
	struct parsed p;
	char err[600];

	ASSERT_EQ(parse(&p, "map 0x1000 2p r-x shared file 3 8k", err),
		  PARSE_OK);
	ASSERT_EQ(p.argv[1].num, 8192);
	ASSERT_EQ(p.argv[2].num, PROT_READ | PROT_EXEC);
	ASSERT_EQ(p.argv[3].num, MAP_SHARED);
	ASSERT_EQ(p.argv[3].fd, 3);
	ASSERT_EQ(p.argv[3].off, 8192);
	ASSERT_FALSE(p.argv[3].placed);
	parsed_free(&p);
	ASSERT_EQ(parse(&p, "map 0 4k none hint locked", err), PARSE_OK);
	ASSERT_EQ(p.argv[2].num, PROT_NONE);
	ASSERT_EQ(p.argv[3].num, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED);
	ASSERT_EQ(p.argv[3].fd, -1);
	ASSERT_TRUE(p.argv[3].placed);
	parsed_free(&p);
	/* The error points at the word at fault. */
	ASSERT_EQ(parse(&p, "map 0x1000 4k rw shared anno", err), PARSE_ERROR);
	ASSERT_STREQ(err, "map: argument 4: unknown option anno");
	ASSERT_STREQ(p.suggestion, "anon");
	ASSERT_EQ(p.err_off, 24);
	ASSERT_EQ(p.err_len, 4);
	ASSERT_EQ(parse(&p, "mmap(0, 4k, PROT_RAED, 0, -1, 0)", err),
		  PARSE_ERROR);
	ASSERT_EQ(p.err_off, 12);
	ASSERT_EQ(p.err_len, 9);
	ASSERT_EQ(parse(&p, "mprotect(0, 4k, PROT_READ|PROT_RAED)", err),
		  PARSE_ERROR);
	ASSERT_EQ(p.err_off, 26);
	ASSERT_EQ(p.err_len, 9);
	return true;
}

/*
 * The diff from one line, as the REPL makes it: the model follows the
 * engine's events and reports what the VMAs the line touched became.
 */
static struct model model;

static const char *diff_of(struct session *s, const char *line,
			   struct strbuf *out)
{
	struct mm_diff d = {0};
	struct machine *m;

	sb_reset(out);
	run(s, line);
	m = session_machine(s);
	model_step(&model, m, machine_current_pid(m), &d);
	mm_diff_text(s, &d, out);
	mm_diff_free(&d);
	return sb_str(out);
}

TEST(diff_shows_the_kernels_view)
{
	struct session s;
	struct strbuf out = STRBUF_INIT;
	struct engine_observer mo = model_observer(&model);

	fresh(&s);
	model_init(&model);
	session_observe(&s, &mo);
	model_step(&model, session_machine(&s), 1, NULL);
	ASSERT_STREQ(diff_of(&s, "map 0x200000000000 16k rw", &out),
		     "+ 200000000000-200000004000 rw-p    16k vma#1\n");
	ASSERT_STREQ(diff_of(&s, "touch 0x200000000000 4k", &out),
		     "~ 200000000000-200000004000 rw-p    16k vma#1: "
		     "anon_vma av1, rss 0 -> 4k, anon 0 -> 4k\n");
	/* vma_modify() splits off the rest: vma#1 keeps the changed part. */
	ASSERT_STREQ(diff_of(&s, "protect 0x200000000000 4k r", &out),
		     "~ 200000000000-200000001000 r--p     4k vma#1: end was "
		     "200000004000, was rw-p\n"
		     "+ 200000001000-200000004000 rw-p    12k vma#2\n");
	/* Across undo the machine is a new one, and ids still match. */
	ASSERT_STREQ(diff_of(&s, "undo", &out),
		     "~ 200000000000-200000004000 rw-p    16k vma#1: end was "
		     "200000001000, was r--p\n"
		     "- 200000001000-200000004000 rw-p    12k vma#2\n");
	ASSERT_STREQ(diff_of(&s, "maps", &out), "");
	sb_free(&out);
	done(&s);
	model_free(&model);
	return true;
}

TEST(sizes_follow_set_numbers)
{
	struct session s;
	struct strbuf sb = STRBUF_INIT;

	fresh(&s);
	format_size(&s, &sb, 16384);
	format_size(&s, &sb, 3UL << 20);
	format_size(&s, &sb, 1UL << 30);
	format_size(&s, &sb, 1025);
	ASSERT_STREQ(sb_str(&sb), "16k3M1G1025");
	run(&s, "set numbers hex");
	sb_reset(&sb);
	format_size(&s, &sb, 16384);
	ASSERT_STREQ(sb_str(&sb), "0x4000");
	run(&s, "set numbers dec");
	sb_reset(&sb);
	format_size(&s, &sb, 16384);
	ASSERT_STREQ(sb_str(&sb), "16384");
	sb_free(&sb);
	done(&s);
	return true;
}

/* Without a terminal nothing is coloured, whatever the setting. */
TEST(no_colour_outside_the_repl)
{
	struct session s;

	fresh(&s);
	run(&s, "set colour on");
	ASSERT_FALSE(session_colour(&s));
	s.interactive = true;
	ASSERT_TRUE(session_colour(&s));
	run(&s, "set colour auto");
	ASSERT_FALSE(session_colour(&s));
	s.tty_colour = true;
	ASSERT_TRUE(session_colour(&s));
	done(&s);
	return true;
}

/*
 * Calls in strace syntax, through the quick path (plain numbers and
 * constant names, read as scanned, with a memo of recent constant lists)
 * and the slow one (suffixes, numbers among constants, 16 hex digits):
 * the same values either way, and the slow path's errors.
 */
static bool parses_to(const char *line, const unsigned long *want, int n)
{
	struct parsed p;
	char err[600];
	bool ok = parse_line(line, strlen(line), &p, err, sizeof(err)) ==
		  PARSE_OK;

	if (!ok)
		fprintf(stderr, "%s: %s\n", line, err);
	ok = ok && p.argc == n;
	for (int i = 0; ok && i < n; i++)
		ok = p.argv[i].num == want[i];
	if (ok)
		parsed_free(&p);
	return ok;
}

static bool fails_with(const char *line, const char *msg)
{
	struct parsed p;
	char err[600];

	if (parse_line(line, strlen(line), &p, err, sizeof(err)) !=
	    PARSE_ERROR)
		return false;
	if (!strstr(err, msg))
		fprintf(stderr, "%s: %s, not %s\n", line, err, msg);
	return strstr(err, msg) != NULL;
}

TEST(call_syntax_quick_and_slow_agree)
{
	const unsigned long mm[] = {0, 4096, 3, 0x22, -1UL, 0};
	const unsigned long fixed[] = {0x200000000000, 16384, 3, 0x32, -1UL, 0};
	const unsigned long rw[] = {0x1000, 4096, 3}, r[] = {0x1000, 4096, 1};
	const unsigned long big[] = {~0UL, ~0UL}, neg[] = {0x1000, -4096UL, 4};

	ASSERT_TRUE(parses_to("mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
			      "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f00",
			      mm, 6));
	/* again: the constant lists come from the memo */
	ASSERT_TRUE(parses_to("mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
			      "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
			      mm, 6));
	ASSERT_TRUE(parses_to("mmap( 0x200000000000 ,16k, PROT_READ|0x2, "
			      "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1,0 )",
			      fixed, 6));
	ASSERT_TRUE(parses_to("mprotect(0x1000, 4096, PROT_READ|PROT_WRITE)",
			      rw, 3));
	/* a memo entry is a whole list: not a prefix of a longer one */
	ASSERT_TRUE(fails_with("mprotect(0x1000, 4096, PROT_READ|PROT_WRITEX)",
			       "mprotect: argument 3: unknown constant "
			       "PROT_WRITEX"));
	ASSERT_TRUE(parses_to("mprotect(0x1000, 4096, PROT_READ)", r, 1 + 2));
	ASSERT_TRUE(fails_with("mprotect(0x1000, 4096, PROT_READ|)",
			       "trailing |"));
	ASSERT_TRUE(parses_to("munmap(0xffffffffffffffff, "
			      "18446744073709551615)",
			      big, 2));
	ASSERT_TRUE(fails_with("munmap(0x10000000000000000, 1)",
			       "out of range"));
	ASSERT_TRUE(parses_to("madvise(0x1000, -4096, MADV_DONTNEED)", neg,
			      3));
	ASSERT_TRUE(fails_with("munmap(0x1000)", "expected 2 arguments"));
	ASSERT_TRUE(fails_with("munmap(0x1000, 4096, 5)", "expected 2"));
	ASSERT_TRUE(fails_with("munmap(0x1000, 4096) junk",
			       "unexpected text after ')'"));
	ASSERT_TRUE(fails_with("munmap(0x1000, 4096", "missing ')'"));
	ASSERT_TRUE(fails_with("munmap(0x1g00, 4096)", "not a number"));
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(every_entry_is_documented),
	TEST_ENTRY(names_and_aliases_are_unique),
	TEST_ENTRY(every_example_runs),
	TEST_ENTRY(help_renders_for_every_command),
	TEST_ENTRY(lookup_by_name_alias_and_prefix),
	TEST_ENTRY(completion_follows_argument_types),
	TEST_ENTRY(shorthand_word_syntax),
	TEST_ENTRY(diff_shows_the_kernels_view),
	TEST_ENTRY(sizes_follow_set_numbers),
	TEST_ENTRY(no_colour_outside_the_repl),
	TEST_ENTRY(call_syntax_quick_and_slow_agree),
};

int main(void)
{
	return RUN_TESTS("commands", tests);
}
