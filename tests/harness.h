/*
 * harness.h - a tiny test harness in the manner of tools/testing/vma/shared.h.
 *
 * A test is a function returning bool.  ASSERT_* print file:line and return
 * false from it.  run_tests() runs a table of them, prints one line per
 * failure and ends with the summary line "N passed, N failed" that the CI
 * driver adds up.
 */
#ifndef VMALAB_HARNESS_H
#define VMALAB_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ASSERT_TRUE(e)                                                   \
	do {                                                             \
		if (!(e)) {                                              \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", \
				__FILE__, __LINE__, #e);                 \
			return false;                                    \
		}                                                        \
	} while (0)
#define ASSERT_FALSE(e) ASSERT_TRUE(!(e))
#define ASSERT_EQ(a, b)                                                     \
	do {                                                                \
		unsigned long long _a = (unsigned long long)(a);            \
		unsigned long long _b = (unsigned long long)(b);            \
		if (_a != _b) {                                             \
			fprintf(stderr,                                     \
				"%s:%d: %s == %s failed: %#llx != %#llx\n", \
				__FILE__, __LINE__, #a, #b, _a, _b);        \
			return false;                                       \
		}                                                           \
	} while (0)
#define ASSERT_NE(a, b) ASSERT_TRUE((a) != (b))
#define ASSERT_STREQ(a, b)                                              \
	do {                                                            \
		const char *_a = (a), *_b = (b);                        \
		if (strcmp(_a, _b) != 0) {                              \
			fprintf(stderr,                                 \
				"%s:%d: strings differ:\n--- got\n%s\n" \
				"--- want\n%s\n",                       \
				__FILE__, __LINE__, _a, _b);            \
			return false;                                   \
		}                                                       \
	} while (0)

struct test_case {
	const char *name;
	bool (*fn)(void);
};

#define TEST(name) static bool test_##name(void)
#define TEST_ENTRY(name)           \
	{                          \
#name, test_##name \
	}

static inline int run_tests(const char *suite, const struct test_case *t,
			    size_t n)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i].fn()) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s: %s\n", suite, t[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define RUN_TESTS(suite, table) \
	run_tests(suite, table, sizeof(table) / sizeof((table)[0]))

#endif
