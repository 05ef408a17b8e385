/*
 * history.c - persistent line history through GNU history.
 *
 * Each line is appended to the file as it is entered (append_history), so
 * that two REPLs at once both keep their lines; the file is trimmed to
 * HISTORY_MAX lines on the way out (history_truncate_file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/history.h>
#include "histfile.h"

/* mkdir -p for the directories of an absolute path, 0700 like ssh. */
static int make_dirs(const char *dir)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) && errno != EEXIST ? -1 : 0;
}

/* The XDG state directory (the spec says: ignore a relative one). */
static char *history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4000], file[4096];

	if (state && *state == '/')
		snprintf(dir, sizeof(dir), "%s/vmalab", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/vmalab", home);
	else
		return NULL;
	if (make_dirs(dir) == 0)
		snprintf(file, sizeof(file), "%s/history", dir);
	else if (home && *home)
		snprintf(file, sizeof(file), "%s/.vmalab_history", home);
	else
		return NULL;
	return strdup(file);
}

char *history_start(void)
{
	char *path = history_path();
	int fd;

	using_history();
	stifle_history(HISTORY_MAX);
	if (!path)
		return NULL;
	/* append_history() will not create the file: make it now. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	close(fd);
	read_history(path);
	return path;
}

void history_add_line(const char *path, const char *line)
{
	HIST_ENTRY *last;

	/* A line too long to run is not worth recalling either. */
	if (!*line || *line == ' ' || strlen(line) > HISTORY_LINE_MAX)
		return;
	last = history_length ? history_get(history_base + history_length - 1)
			      : NULL;
	if (last && !strcmp(last->line, line))
		return;
	add_history(line);
	if (path)
		append_history(1, path);
}

void history_finish(char *path)
{
	if (path)
		history_truncate_file(path, HISTORY_MAX);
	free(path);
}
