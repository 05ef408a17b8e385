/*
 * uibench.c - the UI's redraw time (make bench): a machine of N VMAs
 * (one mapping, every other page mprotected), then the whole screen of
 * the ncurses UI drawn F times into a terminal on /dev/null, each frame
 * a full redraw (redrawwin: every row of every pane sent again) with the
 * selection moved.  Prints "redraw N MEDIAN_MS MAX_MS" and "step N MS"
 * (the median of 20 steps typed: the line run, its difference applied to
 * the snapshot, the layout and the anon_vma list made, then a frame).
 *
 *   uibench N [FRAMES] [COLSxROWS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curses.h>
#include "session.h"
#include "tui.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int frames = argc > 2 ? atoi(argv[2]) : 200, cols = 160, rows = 50;
	struct session s;
	char line[128];
	double *t, t0, step, redraw, slowest;
	FILE *out, *in;
	SCREEN *scr;

	if (argc > 3 && sscanf(argv[3], "%dx%d", &cols, &rows) != 2)
		return 2;
	if (n < 2 || frames < 1)
		return 2;
	session_init(&s, engine_backend_new(NULL));
	s.new_backend = engine_backend_new;
	s.sink = diag_null;
	snprintf(line, sizeof(line), "map 0x200000000000 %ldk rw", n * 4);
	session_run_line(&s, line, strlen(line));
	for (long i = 1; i < n; i += 2) {
		snprintf(line, sizeof(line), "protect %#lx 4k r",
			 0x200000000000UL + (unsigned long)i * 4096);
		session_run_line(&s, line, strlen(line));
	}
	snprintf(line, sizeof(line), "%d", cols);
	setenv("COLUMNS", line, 1);
	snprintf(line, sizeof(line), "%d", rows);
	setenv("LINES", line, 1);
	use_env(TRUE);
	out = fopen(getenv("UIBENCH_OUT") ? getenv("UIBENCH_OUT") : "/dev/null",
		    "w");
	in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", out, in);
	if (!scr)
		return 1;
	t = calloc((size_t)frames, sizeof(*t));
	tui_bench_frame(&s, 0); /* the state, made once */
	for (int f = 0; f < frames; f++) {
		t0 = now_ms();
		redrawwin(stdscr);
		tui_bench_frame(&s, 0);
		t[f] = now_ms() - t0;
	}
	qsort(t, (size_t)frames, sizeof(*t), cmp_d);
	redraw = t[frames / 2];
	slowest = t[frames - 1];
	/* Steps: each one's difference applied, laid out, drawn. */
	for (int f = 0; f < 20 && f < frames; f++) {
		t0 = now_ms();
		tui_bench_frame(&s, f + 1);
		t[f] = now_ms() - t0;
	}
	qsort(t, (size_t)(frames < 20 ? frames : 20), sizeof(*t), cmp_d);
	step = t[(frames < 20 ? frames : 20) / 2];
	tui_bench_free();
	endwin();
	delscreen(scr);
	printf("redraw %ld %.3f %.3f\n", n, redraw, slowest);
	printf("step %ld %.3f\n", n, step);
	free(t);
	fclose(out);
	fclose(in);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return 0;
}
