/*
 * theme.c - the colour table.  Plain SGR codes that every terminal since
 * the VT100's successors understands; no terminfo is needed for these.
 */
#include "theme.h"

static const char *const theme[TH__COUNT] = {
	[TH_PROMPT] = "\033[1;34m", /* bold blue */
	[TH_OK] = "\033[32m",	    /* green */
	[TH_FAIL] = "\033[31m",	    /* red */
	[TH_ADD] = "\033[32m",	    /* green */
	[TH_DEL] = "\033[31m",	    /* red */
	[TH_CHANGE] = "\033[33m",   /* yellow */
	[TH_TRACE] = "\033[2m",	    /* dim */
	[TH_ERROR] = "\033[1;31m",  /* bold red */
	[TH_WARN] = "\033[1;33m",   /* bold yellow */
	[TH_NOTE] = "\033[2m",	    /* dim */
	[TH_HEAD] = "\033[1m",	    /* bold */
};

const char *th_on(bool colour, enum theme_role role)
{
	return colour ? theme[role] : "";
}

const char *th_off(bool colour)
{
	return colour ? "\033[0m" : "";
}
