/*
 * test_noformat.c - the engine formats no text, observed or not.
 *
 * The test is linked with the printf family wrapped (test_noformat.ldflags:
 * -Wl,--wrap=...), so every call the engine's objects make to them is
 * counted.  A mixed workload runs with no observer and then with one: the
 * count must stay 0 in both, since events carry codes and the English is
 * made outside the engine.
 */
#include <stdarg.h>
#include <stdio.h>
#include "harness.h"
#include "internal.h"
#include "recorder.h"
#include "checked.h"

static unsigned long formats;

int __real_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __real_vsprintf(char *s, const char *fmt, va_list ap);

int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	formats++;
	return __real_vsnprintf(s, n, fmt, ap);
}

int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = __wrap_vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

int __wrap_vsprintf(char *s, const char *fmt, va_list ap)
{
	formats++;
	return __real_vsprintf(s, fmt, ap);
}

int __wrap_sprintf(char *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = __wrap_vsprintf(s, fmt, ap);
	va_end(ap);
	return r;
}

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

/* Every kind of step: merges, refusals, splits, faults, files, fork. */
static void workload(struct machine *m)
{
	unsigned long f;
	long fd;

	for (int i = 0; i < 64; i++)
		sys_mmap(m, PG(2 * i), LEN(1 + i % 2),
			 i % 3 ? PROT_READ | PROT_WRITE : PROT_READ, ANON, -1,
			 0);
	for (int i = 0; i < 64; i++) {
		sys_mprotect(m, PG(i), LEN(2), i % 2 ? PROT_READ : PROT_NONE);
		vm_touch(m, PG(i), LEN(1), &f);
	}
	sys_munmap(m, PG(10), LEN(20));
	fd = sys_openat(m, AT_FDCWD, "file", O_RDWR | O_CREAT, 0600);
	sys_ftruncate(m, fd, LEN(8));
	sys_mmap(m, PG(200), LEN(16), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	vm_touch(m, PG(200), LEN(10), &f);
	sys_ftruncate(m, fd, LEN(2));
	machine_switch(m, (int)sys_fork(m));
	vm_touch(m, PG(40), LEN(8), &f);
	sys_mmap(m, 0, LEN(4), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sys_mmap(m, PG(300), LEN(4), PROT_READ | PROT_WRITE,
		 ANON | MAP_POPULATE, -1, 0);
	sys_mprotect(m, PG(300), LEN(2), PROT_READ);
	sys_munmap(m, PG(0), LEN(1000));
}

TEST(unobserved_engine_formats_nothing)
{
	struct machine *m = machine_new();

	formats = 0;
	workload(m);
	machine_free(m);
	ASSERT_EQ(formats, 0);
	return true;
}

TEST(observed_engine_formats_nothing)
{
	static struct recorder rec;
	struct machine *m = machine_new();

	rec_start(&rec, m);
	formats = 0;
	workload(m);
	ASSERT_TRUE(rec.n > 100);
	rec_stop(&rec, m);
	machine_free(m);
	ASSERT_EQ(formats, 0);
	return true;
}

/* The wrapping itself works: a call from here is counted. */
TEST(the_count_counts)
{
	char buf[16];

	formats = 0;
	snprintf(buf, sizeof(buf), "%d", 42);
	ASSERT_EQ(formats, 1);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(unobserved_engine_formats_nothing),
	TEST_ENTRY(observed_engine_formats_nothing),
	TEST_ENTRY(the_count_counts),
};

int main(void)
{
	return RUN_TESTS("noformat", tests);
}
