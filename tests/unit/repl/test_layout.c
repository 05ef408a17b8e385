/*
 * test_layout.c - the address-space map's layout (ui/layout.h) against
 * golden text: bands top down, gaps collapsed, heights scaled within
 * limits, the last step's marks, and the one-line account of a step.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "session_fixture.h"
#include "layout.h"
#include "model.h"
#include "session.h"

/* The map of pid 1 after lines, the last line's difference marked. */
static char *map_after(const char *const *lines, int width, int height,
		       char *summary)
{
	struct session s;
	struct mm_snap a, b;
	struct mm_diff d = {0};
	struct map_layout L = {0};
	char *text;
	int i;

	fresh(&s);
	for (i = 0; lines[i + 1]; i++)
		run(&s, lines[i]);
	mm_snap_take(&a, session_machine(&s), 1);
	run(&s, lines[i]);
	mm_snap_take(&b, session_machine(&s), 1);
	mm_diff_snaps(&d, &a, &b);
	map_layout_build(&L, &b, &d, width, height);
	text = map_layout_text(&L, &b);
	if (summary)
		diff_summary(&d, summary, 96);
	map_layout_free(&L);
	mm_diff_free(&d);
	mm_snap_free(&a);
	mm_snap_free(&b);
	done(&s);
	return text;
}

#define MAP(...) ((const char *const[]){__VA_ARGS__, NULL})

static bool same(char *got, const char *want)
{
	bool ok = !strcmp(got, want);

	if (!ok)
		fprintf(stderr, "--- got\n%s--- want\n%s", got, want);
	free(got);
	return ok;
}

/*
 *  PPPP    NNNN    before
 *      <-->        mmap of the hole
 *  PPPPPPPPPPPP    after: vma_merge_new_range expands prev over next
 */
TEST(merge_prev_new_next)
{
	char sum[96];

	ASSERT_TRUE(same(
		map_after(MAP("map 0x200000000000 16k rw",
			      "map 0x200000008000 16k rw",
			      "map 0x200000004000 16k rw"),
			  60, 5, sum),
		"20000000c000 ~~~~~~~~~~~~~~~~ gap (95 TiB) ~~~~~~~~~~~~~~~~~\n"
		"            ~|a rw-p 48 KiB                           .... |\n"
		"200000000000~|  vma#1                                      |\n"
		"           0 ~~~~~~~~~~~~~~~~ gap (32 TiB) "
		"~~~~~~~~~~~~~~~~~\n"));
	ASSERT_STREQ(sum, "merged prev + new + next");
	return true;
}

/*
 *  VVVVVVVVVVVV    before
 *      <-->        mprotect of the middle
 *  VVVV****VVVV    after: three VMAs, vma#1 keeps the middle
 */
TEST(split_shows_three_bands)
{
	char sum[96];

	ASSERT_TRUE(same(
		map_after(MAP("map 0x200000000000 48k rw",
			      "protect 0x200000004000 16k r"),
			  60, 5, sum),
		"20000000c000 ~~~~~~~~~~~~~~~~ gap (95 TiB) ~~~~~~~~~~~~~~~~~\n"
		"200000008000+|a rw-p 16 KiB vma#3                     .... |\n"
		"200000004000~|a r--p 16 KiB vma#1                     .... |\n"
		"200000000000+|a rw-p 16 KiB vma#2                     .... |\n"
		"           0 ~~~~~~~~~~~~~~~~ gap (32 TiB) "
		"~~~~~~~~~~~~~~~~~\n"));
	ASSERT_STREQ(sum, "split 1 -> 3");
	return true;
}

/*
 *  PPPPVVVV        before
 *      <-->        mprotect of all of V to P's flags
 *  PPPPPPPP        after: vma_merge_existing_range, V removed
 */
TEST(merge_existing_prev_next)
{
	char sum[96];

	ASSERT_TRUE(same(
		map_after(MAP("map 0x200000000000 16k rw",
			      "map 0x200000004000 16k r",
			      "protect 0x200000004000 16k rw"),
			  60, 5, sum),
		"200000008000 ~~~~~~~~~~~~~~~~ gap (95 TiB) ~~~~~~~~~~~~~~~~~\n"
		"            ~|a rw-p 32 KiB                           .... |\n"
		"200000000000~|  vma#1                                      |\n"
		"           0 ~~~~~~~~~~~~~~~~ gap (32 TiB) "
		"~~~~~~~~~~~~~~~~~\n"));
	ASSERT_STREQ(sum, "merged prev + next");
	return true;
}

/*
 *  PPPPVVVV        before
 *      <>          mprotect of V's first page to P's flags
 *  PPPPPVVV        after: prev grows into V
 */
TEST(boundary_moves)
{
	char sum[96];

	ASSERT_TRUE(same(
		map_after(MAP("map 0x200000000000 16k rw",
			      "map 0x200000004000 16k r",
			      "protect 0x200000004000 4k rw"),
			  60, 5, sum),
		"200000008000 ~~~~~~~~~~~~~~~~ gap (95 TiB) ~~~~~~~~~~~~~~~~~\n"
		"200000005000~|a r--p 12 KiB vma#2                     .... |\n"
		"200000000000~|a rw-p 20 KiB vma#1                     .... |\n"
		"           0 ~~~~~~~~~~~~~~~~ gap (32 TiB) "
		"~~~~~~~~~~~~~~~~~\n"));
	ASSERT_STREQ(sum, "vma#1 grew into vma#2");
	return true;
}

/* A 2 MiB VMA is taller than a page; faults show as # marks. */
TEST(scaled_heights_and_faults)
{
	char sum[96];

	ASSERT_TRUE(same(map_after(MAP("map 0x200000000000 4k rw",
				       "map 0x200000100000 2M rw",
				       "touch 0x200000100000 1M"),
				   40, 8, sum),
			 "200000300000 ~~~~~~ gap (95 TiB) ~~~~~~~\n"
			 "            ~|a rw-p 2 MiB        ##.. |\n"
			 "            ~|  vma#2                  |\n"
			 "            ~|                         |\n"
			 "200000100000~|                         |\n"
			 "200000001000 ~~~~~ gap (1020 KiB) ~~~~~~\n"
			 "200000000000 |a rw-p 4 KiB vma#1  .... |\n"
			 "           0 ~~~~~~ gap (32 TiB) ~~~~~~~\n"));
	ASSERT_STREQ(sum, "vma#2: +256 pages faulted");
	/* Too tall for 6 rows: every band one row, and the map scrolls. */
	ASSERT_TRUE(same(map_after(MAP("map 0x200000000000 4k rw",
				       "map 0x200000100000 2M rw"),
				   40, 6, NULL),
			 "200000300000 ~~~~~~ gap (95 TiB) ~~~~~~~\n"
			 "200000100000+|a rw-p 2 MiB vma#2  .... |\n"
			 "200000001000 ~~~~~ gap (1020 KiB) ~~~~~~\n"
			 "200000000000 |a rw-p 4 KiB vma#1  .... |\n"
			 "           0 ~~~~~~ gap (32 TiB) ~~~~~~~\n"));
	return true;
}

/* Rows to spare: VMA bands three times as tall, gaps still one row. */
TEST(zoom_when_room)
{
	ASSERT_TRUE(same(
		map_after(MAP("map 0x200000000000 48k rw",
			      "protect 0x200000004000 16k r"),
			  60, 40, NULL),
		"20000000c000 ~~~~~~~~~~~~~~~~ gap (95 TiB) ~~~~~~~~~~~~~~~~~\n"
		"            +|a rw-p 16 KiB                           .... |\n"
		"            +|  vma#3                                      |\n"
		"200000008000+|                                             |\n"
		"            ~|a r--p 16 KiB                           .... |\n"
		"            ~|  vma#1                                      |\n"
		"200000004000~|                                             |\n"
		"            +|a rw-p 16 KiB                           .... |\n"
		"            +|  vma#2                                      |\n"
		"200000000000+|                                             |\n"
		"           0 ~~~~~~~~~~~~~~~~ gap (32 TiB) "
		"~~~~~~~~~~~~~~~~~\n"));
	return true;
}

/* The removed VMA's range is a gap, marked. */
TEST(removed_gap_marked)
{
	char sum[96];

	ASSERT_TRUE(same(map_after(MAP("map 0x200000000000 4k rw",
				       "unmap 0x200000000000 4k"),
				   40, 8, sum),
			 "           0-~~~~~~ gap (127 TiB) ~~~~~~\n"));
	ASSERT_STREQ(sum, "removed vma#1");
	return true;
}

/*
 *  VVVVRRRR        before
 *      <-->        munmap of the read-only top page
 *  VVVV            after: a gap up to the top, in the call's range
 */
TEST(range_marks)
{
	struct session s;
	struct mm_snap a, b;
	struct mm_diff d = {0};
	struct map_layout L = {0};
	char sum[96], *t;

	fresh(&s);
	run(&s, "map 0x200000000000 8k rw");
	run(&s, "protect 0x200000001000 4k r");
	mm_snap_take(&a, session_machine(&s), 1);
	run(&s, "unmap 0x200000001000 4k");
	mm_snap_take(&b, session_machine(&s), 1);
	mm_diff_snaps(&d, &a, &b);
	diff_summary(&d, sum, sizeof(sum));
	ASSERT_STREQ(sum, "removed vma#1");
	map_layout_build(&L, &b, &d, 40, 4);
	map_layout_mark_range(&L, 0x200000001000UL, 0x200000002000UL);
	t = map_layout_text(&L, &b);
	/* The unmapped page joins the gap above: one gap, in the range. */
	ASSERT_TRUE(same(t, "200000001000-[~~~~~ gap (95 TiB) ~~~~~~]\n"
			    "             |a rw-p 4 KiB        .... |\n"
			    "200000000000 |  vma#2                  |\n"
			    "           0 ~~~~~~ gap (32 TiB) ~~~~~~~\n"));
	/* The range marks only the bands it touches. */
	ASSERT_FALSE(L.b[1].in_range);
	map_layout_mark_range(&L, 0x200000000000UL, 0x200000000001UL);
	ASSERT_TRUE(L.b[1].in_range);
	ASSERT_FALSE(L.b[2].in_range);
	map_layout_free(&L);
	mm_diff_free(&d);
	mm_snap_free(&a);
	mm_snap_free(&b);
	done(&s);
	return true;
}

/*
 *  VVVVVVVV        before
 *  <>              munmap of the first page
 *    VVVVVV        after: the kernel's split leaves a new VMA for the rest
 */
TEST(cut_summary)
{
	char sum[96];

	free(map_after(
		MAP("map 0x200000000000 16k rw", "unmap 0x200000000000 4k"), 40,
		8, sum));
	ASSERT_STREQ(sum, "vma#1 cut: vma#2 is what is left");
	return true;
}

/*
 * A snapshot kept up to date from the model's differences alone equals
 * a fresh one after every step of a few thousand random ones (maps,
 * unmaps, mprotects and faults in a 64-page window).
 */
TEST(snap_apply_follows_steps)
{
	static const char *const prot[] = {"r", "rw", "none", "rwx"};
	struct session s;
	struct model mo;
	struct engine_observer ob;
	struct mm_snap kept, fresh_snap;
	struct mm_diff d = {0};
	unsigned seed = 12345;
	int changed = 0;
	char line[96];

	fresh(&s);
	model_init(&mo);
	ob = model_observer(&mo);
	session_observe(&s, &ob);
	model_step(&mo, session_machine(&s), 0, NULL);
	mm_snap_take(&kept, session_machine(&s), 1);
	for (int step = 0; step < 3000; step++) {
		unsigned long at, len;

		seed = seed * 1103515245 + 12345;
		at = 0x200000000000UL + ((seed >> 8) % 64) * 4096;
		len = (((seed >> 16) % 8) + 1) * 4096;
		switch ((seed >> 24) % 4) {
		case 0:
			snprintf(line, sizeof(line), "map %#lx %lu %s", at, len,
				 prot[(seed >> 4) % 4]);
			break;
		case 1:
			snprintf(line, sizeof(line), "unmap %#lx %lu", at, len);
			break;
		case 2:
			snprintf(line, sizeof(line), "protect %#lx %lu %s", at,
				 len, prot[(seed >> 4) % 4]);
			break;
		default:
			snprintf(line, sizeof(line), "touch %#lx 4k", at);
		}
		run(&s, line);
		model_step(&mo, session_machine(&s), 1, &d);
		changed += d.n > 0;
		ASSERT_EQ(mm_snap_apply(&kept, &d), 0);
		mm_snap_take(&fresh_snap, session_machine(&s), 1);
		ASSERT_EQ(kept.n, fresh_snap.n);
		ASSERT_TRUE(!memcmp(kept.v, fresh_snap.v,
				    kept.n * sizeof(*kept.v)));
		mm_snap_free(&fresh_snap);
	}
	/* The window ends up cut into many VMAs: the steps did work. */
	ASSERT_TRUE(kept.n > 3);
	ASSERT_TRUE(changed > 1000);
	/* A difference of another process does not fit. */
	d.pid = 2;
	ASSERT_EQ(mm_snap_apply(&kept, &d), -1);
	mm_diff_free(&d);
	mm_snap_free(&kept);
	session_unobserve(&s, &ob);
	model_free(&mo);
	done(&s);
	return true;
}

/* mremap: a move, and a VMA grown in place (vma_expand). */
TEST(mremap_summaries)
{
	struct session s;
	struct mm_snap a, b;
	struct mm_diff d = {0};
	char sum[96];

	free(map_after(MAP("map 0x200000000000 16k rw",
			   "mremap(0x200000000000, 16384, 16384, "
			   "MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000100000)"),
		       40, 8, sum));
	ASSERT_STREQ(sum, "moved 0x200000000000 -> 0x200000100000");
	fresh(&s);
	run(&s, "map 0x200000000000 16k rw");
	mm_snap_take(&a, session_machine(&s), 1);
	run(&s, "mremap(0x200000000000, 16384, 32768, 0)");
	mm_snap_take(&b, session_machine(&s), 1);
	mm_diff_snaps(&d, &a, &b);
	diff_summary_call(&d, 25, sum, sizeof(sum));
	ASSERT_STREQ(sum, "vma#1 grew in place: 16 KiB -> 32 KiB");
	/* Without the call it reads as an mmap next to it would. */
	diff_summary(&d, sum, sizeof(sum));
	ASSERT_STREQ(sum, "merged prev + new");
	mm_diff_free(&d);
	mm_snap_free(&a);
	mm_snap_free(&b);
	done(&s);
	return true;
}

/* Files, shared mappings and locked ones each have their look. */
TEST(looks)
{
	struct vma_snap v = {.start = 0, .end = 4096};

	ASSERT_EQ(vma_look_of(&v), LOOK_ANON);
	v.file = 3;
	ASSERT_EQ(vma_look_of(&v), LOOK_FILE);
	v.flags = VM_SHARED | VM_MAYSHARE;
	ASSERT_EQ(vma_look_of(&v), LOOK_SHARED);
	v.flags |= VM_LOCKED;
	ASSERT_EQ(vma_look_of(&v), LOOK_LOCKED);
	v.flags = 0;
	v.file = 0;
	strcpy(v.name, "[vdso]");
	ASSERT_EQ(vma_look_of(&v), LOOK_SPECIAL);
	strcpy(v.name, "[heap]");
	ASSERT_EQ(vma_look_of(&v), LOOK_ANON);
	return true;
}

TEST(sizes)
{
	char b[32];

	map_size_str(4096, b, sizeof(b));
	ASSERT_STREQ(b, "4 KiB");
	map_size_str(3UL << 29, b, sizeof(b));
	ASSERT_STREQ(b, "1.5 GiB");
	map_size_str(128UL << 40, b, sizeof(b));
	ASSERT_STREQ(b, "128 TiB");
	map_size_str(1000, b, sizeof(b));
	ASSERT_STREQ(b, "1000 B");
	return true;
}

/*
 * Many VMAs: every band one row, rows in order, and the band at each row
 * found by the binary search is the one that holds it.
 */
TEST(rows_and_bands_agree)
{
	struct mm_snap snap = {.pid = 1, .n = 500};
	struct map_layout L = {0};
	char row[64];

	snap.v = calloc(snap.n, sizeof(*snap.v));
	for (size_t i = 0; i < snap.n; i++) {
		/* every third VMA touches the one before it */
		unsigned long at = 0x200000000000UL + i * 0x3000UL;

		snap.v[i] = (struct vma_snap){.id = (unsigned)i + 1,
					      .pid = 1,
					      .start = at,
					      .end = at + 0x2000UL +
						     (i % 3 == 2 ? 0x1000 : 0),
					      .flags = VM_READ};
	}
	map_layout_build(&L, &snap, NULL, 10, 24);
	ASSERT_EQ(L.width, MAP_MIN_WIDTH);
	ASSERT_EQ((size_t)L.rows, L.n);
	for (size_t k = 0; k < L.n; k++) {
		ASSERT_EQ(L.b[k].height, 1);
		ASSERT_EQ(map_layout_band_at_row(&L, L.b[k].row), k);
		if (k)
			ASSERT_TRUE(L.b[k].end <= L.b[k - 1].start);
	}
	for (size_t i = 0; i < snap.n; i++)
		ASSERT_EQ(L.b[L.band_of[i]].vma, i);
	map_layout_row(&L, &snap, L.rows - 1, row);
	ASSERT_STREQ(row, "           0 ~ gap (32 TiB) ~~");
	map_layout_row(&L, &snap, L.rows, row);
	ASSERT_EQ(strspn(row, " "), (size_t)MAP_MIN_WIDTH);
	map_layout_free(&L);
	free(snap.v);
	return true;
}

TEST(empty_space)
{
	struct mm_snap snap = {.pid = 1};
	struct map_layout L = {0};
	char *t;

	map_layout_build(&L, &snap, NULL, 40, 10);
	t = map_layout_text(&L, &snap);
	ASSERT_TRUE(same(t, "           0 ~~~~~~ gap (127 TiB) ~~~~~~\n"));
	map_layout_free(&L);
	return true;
}

int main(void)
{
	static const struct test_case tests[] = {
		TEST_ENTRY(merge_prev_new_next),
		TEST_ENTRY(split_shows_three_bands),
		TEST_ENTRY(merge_existing_prev_next),
		TEST_ENTRY(boundary_moves),
		TEST_ENTRY(scaled_heights_and_faults),
		TEST_ENTRY(zoom_when_room),
		TEST_ENTRY(removed_gap_marked),
		TEST_ENTRY(range_marks),
		TEST_ENTRY(cut_summary),
		TEST_ENTRY(mremap_summaries),
		TEST_ENTRY(snap_apply_follows_steps),
		TEST_ENTRY(looks),
		TEST_ENTRY(sizes),
		TEST_ENTRY(rows_and_bands_agree),
		TEST_ENTRY(empty_space),
	};

	return run_tests("layout", tests, sizeof(tests) / sizeof(tests[0]));
}
