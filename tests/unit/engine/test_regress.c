/*
 * test_regress.c - inputs that once broke the engine (found by fuzzing),
 * each run the way it was found.  Under ASan and UBSan a regression is a
 * report, not just a wrong answer.
 */
#include "harness.h"
#include "internal.h"

/*
 * trailing_slash() stripped every '/' of "///" and then read the byte
 * before the start of the name.  "///" is the root directory, as "/" and
 * "//" are: opened read-only it is a directory, written or created it is
 * EISDIR (may_open), as this kernel answers.
 */
TEST(openat_only_slashes)
{
	static const char *const roots[] = {"/", "//", "///"};
	struct machine *m = machine_new();
	int fd = 3;

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_RDONLY, 0), fd++);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_PATH, 0), fd++);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i],
				     O_RDONLY | O_DIRECTORY, 0),
			  fd++);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_RDONLY | O_CREAT,
				     0644),
			  -EISDIR);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_RDWR, 0),
			  -EISDIR);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_WRONLY, 0),
			  -EISDIR);
		ASSERT_EQ(sys_openat(m, AT_FDCWD, roots[i], O_TRUNC, 0),
			  -EISDIR);
	}
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(openat_only_slashes),
};

int main(void)
{
	return RUN_TESTS("regress", tests);
}
