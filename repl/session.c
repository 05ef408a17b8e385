/*
 * session.c - running lines: parse, dispatch through the command table,
 * keep what each call returned, and route output, events and errors.
 * Batch mode, verify, the REPL and the UI all run lines here; they differ
 * only in their sinks.
 *
 * The session also keeps what the interactive front ends add on top of
 * batch mode: the steps that undo walks back through, and the settings of
 * `set`.  None of it changes what batch mode prints.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check_text.h"
#include "events_json.h"
#include "scn.h"
#include "replay.h"
#include "session.h"
#include "trace_text.h"

/* VMALAB_CHECK=1 (anything but empty or 0): the checkers from the start. */
static bool env_check(void)
{
	const char *e = getenv("VMALAB_CHECK");

	return e && *e && strcmp(e, "0");
}

void session_init(struct session *s, struct backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->sink = (struct diag_sink){diag_to_file, stderr};
	s->diff = true;
	s->colour = COLOUR_AUTO;
	s->numbers = NUM_HUMAN;
	s->term_cols = 80;
	machine_params_default(&s->params);
	session_set_check(s, env_check());
}

void session_fini(struct session *s)
{
	while (s->nobs)
		session_unobserve(s, &s->obs[s->nobs - 1]);
	sb_free(&s->out);
	sb_free(&s->tr);
	free(s->spans);
	s->spans = NULL;
	free(s->skipped);
	s->skipped = NULL;
	step_log_free(&s->log);
	for (size_t i = 0; i < s->unkept.n; i++)
		free(s->unkept.acts[i].path);
	free(s->unkept.acts);
	free(s->unkept.line);
	scn_state_free(s);
	replay_drop(s);
}

bool session_colour(const struct session *s)
{
	if (!s->interactive)
		return false;
	return s->colour == COLOUR_ON ||
	       (s->colour == COLOUR_AUTO && s->tty_colour);
}

struct machine *session_machine(const struct session *s)
{
	return s->be ? engine_backend_machine(s->be) : NULL;
}

void format_size(const struct session *s, struct strbuf *sb,
		 unsigned long bytes)
{
	static const char units[] = "kMG";

	if (s->numbers == NUM_HEX) {
		sb_addf(sb, "%#lx", bytes);
		return;
	}
	if (s->numbers == NUM_DEC || !bytes || bytes % 1024) {
		sb_addf(sb, "%lu", bytes);
		return;
	}
	/* Exact, never rounded: what is printed can be typed back in. */
	for (int i = 2; i >= 0; i--) {
		unsigned long unit = 1UL << (10 * (i + 1));

		if (bytes % unit == 0) {
			sb_addf(sb, "%lu%c", bytes / unit, units[i]);
			return;
		}
	}
}

/* ---- observers ---- */

int session_observe(struct session *s, const struct engine_observer *o)
{
	int err = 0;

	if (s->nobs == SESSION_MAX_OBSERVERS)
		return -ENOSPC;
	if (s->be && s->be->ops->observe)
		err = s->be->ops->observe(s->be, o, true);
	if (err)
		return err;
	s->obs[s->nobs++] = *o;
	return 0;
}

void session_unobserve(struct session *s, const struct engine_observer *o)
{
	for (int i = 0; i < s->nobs; i++) {
		if (s->obs[i].event != o->event || s->obs[i].arg != o->arg)
			continue;
		if (s->be && s->be->ops->observe)
			s->be->ops->observe(s->be, o, false);
		memmove(&s->obs[i], &s->obs[i + 1],
			(size_t)(s->nobs - i - 1) * sizeof(s->obs[0]));
		s->nobs--;
		return;
	}
}

static void observe_flag(struct session *s, bool *flag, bool on,
			 const struct engine_observer *o)
{
	if (*flag == on)
		return;
	if (on)
		session_observe(s, o);
	else
		session_unobserve(s, o);
	*flag = on;
}

void session_set_trace(struct session *s, bool on)
{
	struct engine_observer o = {trace_text_observer, &s->tr};

	observe_flag(s, &s->trace, on, &o);
}

void session_set_events(struct session *s, bool on)
{
	struct engine_observer o = {events_json_observer, &s->tr};

	observe_flag(s, &s->events, on, &o);
}

/* ---- the engine's checkers ---- */

void session_apply_check(struct session *s)
{
	struct machine *m = session_machine(s);

	if (m)
		machine_set_checking(m, s->check);
}

void session_set_check(struct session *s, bool on)
{
	s->check = on;
	session_apply_check(s);
}

#define CHECK_SHOWN 8

/* What the checkers found in the line just run, as error lines. */
static void report_violations(struct session *s)
{
	struct machine *m = session_machine(s);
	struct check_violation v[CHECK_SHOWN];
	struct strbuf sb = STRBUF_INIT;
	int n;

	if (!s->check || !m)
		return;
	n = machine_check_take(m, v, CHECK_SHOWN);
	for (int i = 0; i < n && i < CHECK_SHOWN; i++) {
		sb_reset(&sb);
		check_text(&v[i], &sb);
		session_violation(s, "check: %s", sb_str(&sb));
	}
	if (n > CHECK_SHOWN)
		session_violation(s, "check: and %d more", n - CHECK_SHOWN);
	s->violations += (unsigned long)n;
	sb_free(&sb);
}

/* ---- calls and their results ---- */

static struct step_action *pending_action(struct session *s)
{
	struct step *st = &s->pending;
	struct step_action *a;

	st->acts = realloc(st->acts, (st->n + 1) * sizeof(*st->acts));
	if (!st->acts)
		abort();
	a = &st->acts[st->n++];
	memset(a, 0, sizeof(*a));
	return a;
}

static bool recording(const struct session *s)
{
	return s->keep_calls || (s->new_backend != NULL && !s->no_steps);
}

bool session_progress(struct session *s, const char *unit, unsigned long done,
		      unsigned long total)
{
	if (s->progress.fn)
		s->progress.fn(s->progress.arg, unit, done, total);
	return s->interrupted && *s->interrupted;
}

/* A long call's poll: the progress, and Ctrl-C stops it. */
static bool call_poll(void *arg, unsigned long done, unsigned long total)
{
	struct session *s = arg;

	if (!session_progress(s, "pages", done, total))
		return false;
	s->stopped_at = done;
	s->stopped_of = total;
	return true;
}

long session_call(struct session *s, const struct call *c, unsigned long *fault)
{
	struct machine *m = session_machine(s);
	int pid = m ? machine_current_pid(m) : 0;
	struct call_poll poll = {call_poll, s};
	struct call run = *c;
	size_t act = 0;
	long ret;

	s->killed = false;
	if (m && machine_proc_killed(m, pid)) {
		/* A zombie makes no calls: refused, and not a step. */
		session_error(
			s,
			"process %d was killed by the OOM killer and makes "
			"no calls (switch to another process, undo or "
			"reset)",
			pid);
		s->refused = true;
		return -ESRCH;
	}
	s->calls++;
	if (recording(s)) {
		struct step_action *a = pending_action(s);

		a->c = *c;
		a->c.poll = NULL;
		if (c->path) {
			a->path = strdup(c->path);
			if (!a->path)
				abort();
			a->c.path = a->path;
		}
		act = s->pending.n;
	}
	s->stopped_at = 0;
	run.poll = &poll;
	ret = s->be->ops->call(s->be, &run, fault);
	if (s->stopped_at) {
		if (act)
			s->pending.acts[act - 1].stop_at = s->stopped_at;
		session_error(s,
			      "interrupted (Ctrl-C) after %lu of %lu pages: "
			      "the pages done stay done (undo steps back)",
			      s->stopped_at, s->stopped_of);
	}
	s->killed = m && machine_proc_killed(m, pid);
	/* The engine's word for a call (or a form of one) it does not
	 * model; no call here returns it on Linux. */
	if (m && ret == -ENOSYS && !s->unsimulated)
		s->unsimulated = c->nr ? c->nr : -1;
	return ret;
}

int session_switch(struct session *s, int pid)
{
	int err = s->be->ops->switch_to(s->be, pid);

	if (!err && recording(s)) {
		struct step_action *a = pending_action(s);

		a->is_switch = true;
		a->pid = pid;
	}
	return err;
}

/*
 * "-1 ENOMEM (Cannot allocate memory)" for each errno, made once from
 * glibc's name and strerror text and kept: a result line costs a copy.
 */
#define ERRNO_TEXTS 256
static void add_errno_text(struct strbuf *sb, int err)
{
	static char *texts[ERRNO_TEXTS];
	static size_t lens[ERRNO_TEXTS];
	size_t start = sb->len;
	const char *name;

	if (err > 0 && err < ERRNO_TEXTS && texts[err]) {
		sb_add(sb, texts[err], lens[err]);
		return;
	}
	name = strerrorname_np(err);
	sb_addf(sb, "-1 %s (%s)", name ? name : "E?", strerror(err));
	if (err > 0 && err < ERRNO_TEXTS) {
		/* Kept for the program's life. */
		texts[err] = strndup(sb->buf + start, sb->len - start);
		if (!texts[err])
			abort();
		lens[err] = sb->len - start;
	}
}

void format_result(struct strbuf *sb, long ret, bool address)
{
	if (ret < 0 && ret >= -4095)
		add_errno_text(sb, (int)-ret);
	else if (address)
		sb_addx(sb, (unsigned long)ret);
	else
		sb_addl(sb, ret);
}

static void add_span(struct session *s, const struct result_span *r)
{
	if (s->nspans == s->capspans) {
		s->capspans = s->capspans ? 2 * s->capspans : 8;
		s->spans = realloc(s->spans, s->capspans * sizeof(*s->spans));
		if (!s->spans)
			abort();
	}
	s->spans[s->nspans++] = *r;
}

void session_result(struct session *s, const char *text, int nr,
		    enum result_kind kind, long ret, unsigned long fault)
{
	struct result_span r = {nr, kind, ret, fault, 0, 0};

	if (s->refused) {
		s->refused = false;
		return;
	}
	if (s->killed && kind != RES_SIGNAL) {
		/* Killed in the call, which never returned: strace's way. */
		r.kind = RES_SIGNAL;
		r.ret = TOUCH_SIGKILL;
		sb_puts(&s->out, text);
		sb_puts(&s->out, " = ");
		r.off = s->out.len;
		sb_puts(&s->out, "? +++ killed by SIGKILL (out of memory) +++");
		r.len = s->out.len - r.off;
		sb_puts(&s->out, "\n");
		add_span(s, &r);
		return;
	}
	sb_puts(&s->out, text);
	sb_add(&s->out, " = ", 3);
	r.off = s->out.len;
	if (kind == RES_NONE && ret == 0) {
		sb_addc(&s->out, '?'); /* exit_group does not return */
	} else if (kind != RES_SIGNAL) {
		format_result(&s->out, ret, kind == RES_ADDR);
	} else if (ret == 0) {
		sb_addc(&s->out, '0');
	} else if (ret == TOUCH_SIGKILL) {
		sb_puts(&s->out, "SIGKILL (");
		sb_addx(&s->out, fault);
		sb_puts(&s->out, ": out of memory)");
	} else if (ret == TOUCH_SIGINT) {
		/* Ctrl-C (session_call()): no contract output */
		sb_puts(&s->out, "SIGINT (");
		sb_addx(&s->out, fault);
		sb_puts(&s->out, ": interrupted before this page)");
	} else {
		sb_puts(&s->out, ret == 7 ? "SIGBUS (" : "SIGSEGV (");
		sb_addx(&s->out, fault);
		sb_addc(&s->out, ')');
	}
	r.len = s->out.len - r.off;
	sb_addc(&s->out, '\n');
	add_span(s, &r);
}

/* ---- errors ---- */

static void report(struct session *s, enum diag_kind kind, const char *text,
		   const struct parsed *p, const char *fmt, va_list ap)
{
	char msg[1024];
	struct diag d = {
		.kind = kind,
		.src = s->src,
		.line = s->line,
		.text = text,
		.msg = msg,
	};

	if (p) {
		d.col = p->err_off;
		d.len = p->err_len;
		d.suggestion = p->suggestion;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (s->sink.report)
		s->sink.report(s->sink.arg, &d);
}

void session_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	s->errors++;
	va_start(ap, fmt);
	report(s, DIAG_ERROR, NULL, NULL, fmt, ap);
	va_end(ap);
}

void session_error_suggest(struct session *s, const char *suggestion,
			   const char *fmt, ...)
{
	struct parsed p = {.suggestion = suggestion};
	va_list ap;

	s->errors++;
	va_start(ap, fmt);
	report(s, DIAG_ERROR, NULL, &p, fmt, ap);
	va_end(ap);
}

void session_violation(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(s, DIAG_ERROR, NULL, NULL, fmt, ap);
	va_end(ap);
}

void session_warn(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(s, DIAG_WARNING, NULL, NULL, fmt, ap);
	va_end(ap);
}

/* A parse error: the line and the bytes at fault go with it. */
static void parse_error(struct session *s, const char *line,
			const struct parsed *p, const char *msg, ...)
	__attribute__((format(printf, 4, 5)));
static void parse_error(struct session *s, const char *line,
			const struct parsed *p, const char *msg, ...)
{
	va_list ap;

	s->errors++;
	va_start(ap, msg);
	report(s, DIAG_ERROR, line, p, msg, ap);
	va_end(ap);
}

/* ---- lines ---- */

/*
 * A skipped line warns the first time its kind is seen; a script then
 * says how many there were at its end.  Typed lines warn each time.
 */
void session_skip(struct session *s, const char *kind, const char *warn)
{
	struct skipped_kind *k = NULL;

	for (size_t i = 0; i < s->nskipped && !k; i++)
		if (!strcmp(s->skipped[i].name, kind))
			k = &s->skipped[i];
	if (!k) {
		s->skipped = realloc(s->skipped,
				     (s->nskipped + 1) * sizeof(*s->skipped));
		if (!s->skipped)
			abort();
		k = &s->skipped[s->nskipped++];
		k->n = strlen(kind);
		if (k->n >= sizeof(k->name))
			k->n = sizeof(k->name) - 1;
		memcpy(k->name, kind, k->n);
		k->name[k->n] = '\0';
		k->n = 0;
	}
	if (!k->n++ || s->interactive)
		session_warn(s, "%s", warn);
}

void session_skipped(struct session *s)
{
	const char *src = s->src;

	/* The totals are of the whole script, not of a line. */
	s->src = NULL;
	for (size_t i = 0; i < s->nskipped; i++) {
		const struct skipped_kind *k = &s->skipped[i];
		bool call = strcmp(k->name, "---") && strcmp(k->name, "+++");

		if (k->n < 2 || s->interactive)
			continue;
		if (call)
			session_warn(s, "skipped %lu %s() lines in all", k->n,
				     k->name);
		else
			session_warn(s, "skipped %lu strace '%s' lines in all",
				     k->n, k->name);
	}
	s->src = src;
}

void session_run_line(struct session *s, const char *line, size_t len)
{
	struct step outer = s->pending;
	struct machine *m =
		s->new_backend && !s->no_steps ? session_machine(s) : NULL;
	uint64_t state = m ? machine_state(m) : 0;
	const struct command *cmd = NULL;
	bool view = false;
	struct parsed p;
	char err[600];
	int errors = s->errors;

	sb_reset(&s->out);
	sb_reset(&s->tr);
	s->nspans = 0;
	s->calls = 0;
	s->unsimulated = 0;
	memset(&s->pending, 0, sizeof(s->pending));
	if (replay_line(s, line, len))
		goto done;
	switch (parse_line(line, len, &p, err, sizeof(err))) {
	case PARSE_EMPTY:
		break;
	case PARSE_ERROR:
		parse_error(s, line, &p, "%s", err);
		break;
	case PARSE_SKIP:
		session_skip(s, p.text, err);
		break;
	case PARSE_OK:
		cmd = p.cmd;
		if ((p.cmd->flags & CMD_ENGINE) && !session_machine(s))
			session_error(s, "%s: only the simulation can do this",
				      p.cmd->name);
		else if ((p.cmd->flags & CMD_STORE) && !s->store)
			session_error(s, "%s: no scenario store", p.cmd->name);
		else
			p.cmd->exec(s, &p);
		view = !(p.cmd->flags & CMD_META) && s->errors == errors &&
		       !s->calls && !s->pending.n && !s->pending.reset;
		parsed_free(&p);
		break;
	}
done:
	report_violations(s);
	/* A step only if the machine changed (or is a new one: reset). */
	session_commit_step(s, line, len, false,
			    !m || session_machine(s) != m ||
				    machine_state(m) != state);
	if (view)
		session_keep_view(s, line, len);
	s->pending = outer;
	s->last_cmd = cmd;
}

/* One line of a script: run it, then hand its output to emit.  False
 * once the script must stop (quit, or an interrupt). */
static bool run_script_line(struct session *s, char *line, size_t n,
			    void (*emit)(struct session *s, void *arg),
			    void *arg)
{
	if (s->quit)
		return false;
	if (session_progress(s, "lines", s->line, 0)) {
		session_error(s, "interrupted (Ctrl-C): the lines before this "
				 "one ran");
		return false;
	}
	s->line++;
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	session_run_line(s, line, n);
	emit(s, arg);
	return true;
}

/* A log this script began ends with it: its summary comes last. */
static void end_log(struct session *s,
		    void (*emit)(struct session *s, void *arg), void *arg)
{
	if (!replay_here(s))
		return;
	sb_reset(&s->out);
	sb_reset(&s->tr);
	s->nspans = 0;
	replay_end(s);
	emit(s, arg);
}

static bool interrupted(const struct session *s)
{
	return s->interrupted && *s->interrupted;
}

int session_run_lines(struct session *s, FILE *in,
		      void (*emit)(struct session *s, void *arg), void *arg)
{
	void (*outer)(struct session *, void *) = s->emit;
	void *outer_arg = s->emit_arg;
	/* One byte past the limit: the parser says the line is too long. */
	char *line = malloc(MAX_LINE + 2);
	bool stopped = false;
	long n;

	if (!line)
		abort();
	s->emit = emit;
	s->emit_arg = arg;
	while (!stopped && (n = read_line_bounded(in, line, MAX_LINE + 1,
						  s->interrupted)) >= 0)
		stopped = !run_script_line(s, line, (size_t)n, emit, arg);
	if (stopped) {
		/* quit, or an interrupt that run_script_line() reported */
	} else if (interrupted(s)) {
		/* in the middle of a line (a long one, or /dev/zero) */
		session_error(s, "interrupted (Ctrl-C) while reading line %ld",
			      s->line + 1);
	} else if (ferror(in)) {
		/* Not a line's fault: the file's name, and how far it got. */
		int err = errno ? errno : EIO;
		const char *src = s->src;

		s->src = NULL;
		session_error(s, "%s: read error after line %ld: %s",
			      src ? src : "input", s->line, strerror(err));
		s->src = src;
	}
	free(line);
	s->emit = outer;
	s->emit_arg = outer_arg;
	end_log(s, emit, arg);
	return s->errors || s->violations ? 1 : 0;
}

int session_run_text(struct session *s, char *text, size_t len,
		     void (*emit)(struct session *s, void *arg), void *arg)
{
	void (*outer)(struct session *, void *) = s->emit;
	void *outer_arg = s->emit_arg;
	char *p = text, *end = text + len;

	s->emit = emit;
	s->emit_arg = arg;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;

		*e = '\0';
		if (!run_script_line(s, p, (size_t)(e - p), emit, arg))
			break;
		p = e + 1;
	}
	s->emit = outer;
	s->emit_arg = outer_arg;
	end_log(s, emit, arg);
	return s->errors ? 1 : 0;
}

/*
 * Output is buffered (stdio writes a terminal line by line by itself, and
 * the diag sink flushes stdout before it writes to stderr, so the order
 * of the two streams is kept); an interactive session flushes each line.
 */
void session_emit(struct session *s, void *out)
{
	if (s->out.len)
		fwrite(s->out.buf, 1, s->out.len, out);
	if (s->tr.len)
		fwrite(s->tr.buf, 1, s->tr.len, out);
	if (s->interactive)
		fflush(out);
	/* A failed write ends the run: its output would be lost. */
	if (ferror(out)) {
		if (!s->write_error)
			s->write_error = errno ? errno : EIO;
		s->quit = true;
	}
}

/*
 * A regular file of at most SCRIPT_WHOLE_MAX bytes (a million lines),
 * read whole; NULL for anything else (a pipe, a bigger file), which is
 * read line by line with a bound.
 */
#define SCRIPT_WHOLE_MAX (64UL << 20)
static char *read_whole(FILE *in, size_t *len)
{
	struct stat st;
	char *text;

	if (fstat(fileno(in), &st) || !S_ISREG(st.st_mode) ||
	    (unsigned long)st.st_size > SCRIPT_WHOLE_MAX)
		return NULL;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return NULL;
	*len = fread(text, 1, (size_t)st.st_size, in);
	/* getc() at the end also sees an error of a file whose size says 0
	 * (/proc): the stream reader then reports it. */
	if (getc(in) != EOF || ferror(in)) {
		/* It changed under us: read it as a stream instead. */
		free(text);
		rewind(in);
		return NULL;
	}
	text[*len] = '\0';
	return text;
}

int session_run_file(struct session *s, FILE *in, FILE *out)
{
	size_t len;
	char *text = read_whole(in, &len);
	int ret;

	if (!text)
		return session_run_stream(s, in, out);
	/* A script that never steps back needs no log. */
	if (s->new_backend)
		s->no_steps = !text_may_step(text, len);
	ret = session_run_text(s, text, len, session_emit, out);
	session_skipped(s);
	free(text);
	return ret;
}

int session_run_stream(struct session *s, FILE *in, FILE *out)
{
	int ret = session_run_lines(s, in, session_emit, out);

	session_skipped(s);
	return ret;
}

/* ---- settings ---- */

static const char *const on_off[] = {"on", "off", NULL};
static const char *const colour_values[] = {"auto", "on", "off", NULL};
static const char *const number_values[] = {"human", "hex", "dec", NULL};

enum { SET_TRACE, SET_DIFF, SET_COLOUR, SET_NUMBERS, SET_CHECK };

const struct setting settings[] = {
	[SET_TRACE] = {"trace", on_off, "the engine's steps after each call"},
	[SET_DIFF] = {"diff", on_off, "what each line changed, as + - ~"},
	[SET_COLOUR] = {"colour", colour_values,
			"colour on a terminal; auto honours NO_COLOR"},
	[SET_NUMBERS] = {"numbers", number_values,
			 "sizes as 16k, 0x4000 or 16384"},
	[SET_CHECK] = {"check", on_off,
		       "the engine's invariant checks after each call"},
};
const size_t settings_count = sizeof(settings) / sizeof(settings[0]);

const char *setting_get(const struct session *s, const struct setting *st)
{
	switch (st - settings) {
	case SET_TRACE:
		return s->trace ? "on" : "off";
	case SET_DIFF:
		return s->diff ? "on" : "off";
	case SET_COLOUR:
		return colour_values[s->colour];
	case SET_CHECK:
		return s->check ? "on" : "off";
	default:
		return number_values[s->numbers];
	}
}

int setting_set(struct session *s, const struct setting *st, const char *value,
		char *err, size_t errlen)
{
	int i;

	for (i = 0; st->values[i]; i++)
		if (!strcmp(st->values[i], value))
			break;
	if (!st->values[i]) {
		size_t used =
			(size_t)snprintf(err, errlen, "%s is one of", st->name);

		for (i = 0; st->values[i] && used < errlen; i++)
			used += (size_t)snprintf(err + used, errlen - used,
						 "%s %s", i ? "," : "",
						 st->values[i]);
		return -1;
	}
	/* The values are listed in the order of their enums. */
	switch (st - settings) {
	case SET_TRACE:
		session_set_trace(s, i == 0);
		break;
	case SET_DIFF:
		s->diff = i == 0;
		break;
	case SET_COLOUR:
		s->colour = (enum colour_mode)i;
		break;
	case SET_CHECK:
		session_set_check(s, i == 0);
		break;
	default:
		s->numbers = (enum num_format)i;
		break;
	}
	return 0;
}
