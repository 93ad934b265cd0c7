/*
 * ui-log.c: the log pane. It keeps the last UI_LOG_LINES lines of what the
 * session writes (print, io.write, errors, notes, chunks as entered) and
 * of whatever else reaches file descriptors 1 and 2 (C code, io.stderr,
 * child processes): while the screen is up both point into pipes that the
 * event loop drains, so nothing writes over the screen. A line that does
 * not fit wraps; the pane scrolls by pages. Without the screen, text goes
 * straight to standard output or error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "ui.h"

/* Lines kept; older ones are dropped. */
#define UI_LOG_LINES 5000

/* The pipe size asked for, so bursts of output are not lost. */
#define UI_LOG_PIPE (1 << 20)

/* One line of the log, without its newline. */
struct ui_log_line {
	char			*s;
	size_t			 n;
	size_t			 cap;
	enum ui_log_kind	 kind;
};

/* The log's state; lines form a ring from head. */
static struct {
	struct ui_log_line	 lines[UI_LOG_LINES];
	size_t			 head;
	size_t			 count;
	int			 open;		/* the last line goes on */
	int			 active;	/* fds 1 and 2 captured */
	int			 pipe[2];	/* read ends for fds 1, 2 */
	int			 saved[2];	/* fds 1, 2 as they were */
	int			 scroll;	/* rows above the bottom */
	int			 width;		/* as last drawn */
	int			 height;	/* text rows as last drawn */
	size_t			*cuts;		/* wrap offsets, for drawing */
	size_t			 ncuts;
} ui_log;

/* Returns the i-th line from the oldest. */
static struct ui_log_line *
ui_log_at(size_t i)
{
	return &ui_log.lines[(ui_log.head + i) % UI_LOG_LINES];
}

/*
 * Points file descriptor fd (1 or 2) into a new pipe whose read end goes
 * to ui_log.pipe[i], keeping the old one in ui_log.saved[i].
 */
static int
ui_log_capture(int i, int fd, char **cause)
{
	int	p[2];

	if (pipe(p) != 0)
		return error_set(cause, "cannot create a pipe: %s",
		    strerror(errno));
#ifdef F_SETPIPE_SZ
	fcntl(p[1], F_SETPIPE_SZ, UI_LOG_PIPE);
#endif
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	if ((ui_log.saved[i] = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    dup2(p[1], fd) == -1) {
		if (ui_log.saved[i] != -1)
			close(ui_log.saved[i]);
		close(p[0]);
		close(p[1]);
		return error_set(cause, "cannot redirect file descriptor "
		    "%d: %s", fd, strerror(errno));
	}
	close(p[1]);
	ui_log.pipe[i] = p[0];
	return 0;
}

/*
 * Starts capturing standard output and error into the log, through pipes
 * whose write ends do not block (output beyond a full pipe is lost rather
 * than hanging its writer); returns 0 or -1 with *cause.
 */
int
ui_log_open(char **cause)
{
	memset(&ui_log, 0, sizeof ui_log);
	if (ui_log_capture(0, STDOUT_FILENO, cause) != 0)
		return -1;
	if (ui_log_capture(1, STDERR_FILENO, cause) != 0) {
		dup2(ui_log.saved[0], STDOUT_FILENO);
		close(ui_log.saved[0]);
		close(ui_log.pipe[0]);
		return -1;
	}
	ui_log.active = 1;
	return 0;
}

/*
 * Points file descriptors 1 and 2 back at what they were; only dup2, so a
 * fatal signal's handler may call it.
 */
void
ui_log_release(void)
{
	if (!ui_log.active)
		return;
	dup2(ui_log.saved[0], STDOUT_FILENO);
	dup2(ui_log.saved[1], STDERR_FILENO);
}

/* Writes every kept line of the kinds that came from the script. */
static void
ui_log_replay(void)
{
	struct ui_log_line	*l;
	FILE			*f;
	size_t			 i;

	for (i = 0; i < ui_log.count; i++) {
		l = ui_log_at(i);
		if (l->kind == UI_LOG_INPUT || l->kind == UI_LOG_NOTE)
			continue;
		f = l->kind == UI_LOG_OUT ? stdout : stderr;
		fwrite(l->s, 1, l->n, f);
		if (i + 1 < ui_log.count || !ui_log.open)
			fputc('\n', f);
	}
	fflush(stdout);
	fflush(stderr);
}

/*
 * Stops the capture and frees the lines, after writing them to standard
 * output and error when replay is true (the view of a script closes, and
 * what it printed should not go with it).
 */
void
ui_log_close(int replay)
{
	size_t	i;
	int	j;

	if (!ui_log.active)
		return;
	ui_log_drain();
	ui_log_release();
	ui_log.active = 0;
	for (j = 0; j < 2; j++) {
		close(ui_log.saved[j]);
		close(ui_log.pipe[j]);
	}
	if (replay)
		ui_log_replay();
	for (i = 0; i < ui_log.count; i++)
		free(ui_log_at(i)->s);
	free(ui_log.cuts);
	memset(&ui_log, 0, sizeof ui_log);
}

/* Stores the read ends of the capture pipes in fds; returns how many. */
int
ui_log_fds(int *fds)
{
	if (!ui_log.active)
		return 0;
	fds[0] = ui_log.pipe[0];
	fds[1] = ui_log.pipe[1];
	return 2;
}

/* Moves what waits in the capture pipes into the log. */
void
ui_log_drain(void)
{
	char	buf[4096];
	ssize_t	n;
	int	i;

	if (!ui_log.active)
		return;
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		while ((n = read(ui_log.pipe[i], buf, sizeof buf)) > 0)
			ui_log_add(i == 0 ? UI_LOG_OUT : UI_LOG_ERR, buf,
			    (size_t)n);
	}
}

/* Returns the screen rows line l takes at the last drawn width. */
static int
ui_log_rows(const struct ui_log_line *l)
{
	size_t	at = 0;
	int	rows = 0;

	if (ui_log.width <= 0)
		return 1;
	do {
		at += ui_text_fit(l->s + at, l->n - at, ui_log.width);
		rows++;
	} while (at < l->n);
	return rows;
}

/* Ends the open line; a scrolled pane keeps showing the same text. */
static void
ui_log_end(void)
{
	ui_log.open = 0;
	if (ui_log.scroll > 0)
		ui_log.scroll += ui_log_rows(ui_log_at(ui_log.count - 1));
}

/* Starts a new line of kind, dropping the oldest when the log is full. */
static struct ui_log_line *
ui_log_new(enum ui_log_kind kind)
{
	struct ui_log_line	*l;

	if (ui_log.count == UI_LOG_LINES) {
		free(ui_log_at(0)->s);
		ui_log.head = (ui_log.head + 1) % UI_LOG_LINES;
		ui_log.count--;
	}
	l = ui_log_at(ui_log.count++);
	memset(l, 0, sizeof *l);
	l->kind = kind;
	ui_log.open = 1;
	return l;
}

/* Appends n bytes of s to line l; on failure the bytes are dropped. */
static void
ui_log_append(struct ui_log_line *l, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (l->n + n > l->cap) {
		cap = l->cap == 0 ? 80 : l->cap;
		while (cap < l->n + n)
			cap *= 2;
		if ((p = realloc(l->s, cap)) == NULL)
			return;
		l->s = p;
		l->cap = cap;
	}
	memcpy(l->s + l->n, s, n);
	l->n += n;
}

/*
 * Adds n bytes of text of kind to the log: newlines end lines, a carriage
 * return not before a newline starts the line again (progress lines), a
 * bell beeps, and text of another kind than the open line starts a new one.
 */
void
ui_log_add(enum ui_log_kind kind, const char *s, size_t n)
{
	struct ui_log_line	*l;
	size_t			 i, run;

	if (!ui_log.active) {
		fwrite(s, 1, n, kind == UI_LOG_OUT ? stdout : stderr);
		return;
	}
	if (ui_log.open && ui_log_at(ui_log.count - 1)->kind != kind)
		ui_log_end();
	for (i = 0; i < n; i += run) {
		l = ui_log.open ? ui_log_at(ui_log.count - 1) :
		    ui_log_new(kind);
		for (run = 0; i + run < n && s[i + run] != '\n' &&
		    s[i + run] != '\r' && s[i + run] != '\a'; run++)
			;
		ui_log_append(l, s + i, run);
		if (i + run == n)
			break;
		if (s[i + run] == '\n')
			ui_log_end();
		else if (s[i + run] == '\a')
			beep();
		else if (i + run + 1 == n || s[i + run + 1] != '\n')
			l->n = 0;
		run++;
	}
	ui_screen_dirty(UI_DIRTY_LOG);
}

/* Adds a formatted line of kind to the log. */
void
ui_log_printf(enum ui_log_kind kind, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (s = malloc((size_t)len + 2)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	s[len] = '\n';
	ui_log_add(kind, s, (size_t)len + 1);
	free(s);
}

/* Scrolls the pane by pages, up when negative. */
void
ui_log_scroll(int pages)
{
	int	page = ui_log.height > 2 ? ui_log.height - 1 : 1;

	ui_log.scroll -= pages * page;
	if (ui_log.scroll < 0)
		ui_log.scroll = 0;
	ui_screen_dirty(UI_DIRTY_LOG);
}

/* Scrolls the pane back to the newest line. */
void
ui_log_bottom(void)
{
	if (ui_log.scroll != 0)
		ui_screen_dirty(UI_DIRTY_LOG);
	ui_log.scroll = 0;
}

/* Returns the style a line of kind is drawn in. */
static enum ui_style
ui_log_style(enum ui_log_kind kind)
{
	switch (kind) {
	case UI_LOG_ERROR:
		return UI_STYLE_ERROR;
	case UI_LOG_INPUT:
		return UI_STYLE_INPUT;
	case UI_LOG_NOTE:
		return UI_STYLE_NOTE;
	default:
		return UI_STYLE_NORMAL;
	}
}

/*
 * Cuts line l into rows of the pane's width, ui_log.cuts[k] being where row
 * k starts and the entry after the last row l->n; returns the rows, 0 if
 * short of memory.
 */
static size_t
ui_log_cut(const struct ui_log_line *l)
{
	size_t	 at = 0, k = 0, *p;

	for (;;) {
		if (k + 1 >= ui_log.ncuts) {
			p = realloc(ui_log.cuts, (ui_log.ncuts * 2 + 16) *
			    sizeof *p);
			if (p == NULL)
				return 0;
			ui_log.cuts = p;
			ui_log.ncuts = ui_log.ncuts * 2 + 16;
		}
		ui_log.cuts[k++] = at;
		at += ui_text_fit(l->s + at, l->n - at, ui_log.width);
		if (at >= l->n)
			break;
	}
	ui_log.cuts[k] = l->n;
	return k;
}

/* Draws the rule that heads the pane, saying when it is scrolled. */
static void
ui_log_rule(struct ui_rect r)
{
	char	buf[64];

	ui_screen_style(UI_STYLE_AXIS);
	mvhline(r.y, r.x, ACS_HLINE, r.w);
	ui_text_at(r.y, r.x + 2, r.w - 2, " log ");
	if (ui_log.scroll > 0) {
		snprintf(buf, sizeof buf, " %d rows up, PgDn for newer ",
		    ui_log.scroll);
		ui_text_at(r.y, r.x + 8, r.w - 8, buf);
	}
	ui_screen_style(UI_STYLE_NORMAL);
}

/*
 * Draws the log in region r: a rule, then the newest rows at the bottom,
 * lifted by the scroll offset (kept within what there is).
 */
void
ui_log_draw(struct ui_rect r)
{
	struct ui_log_line	*l;
	size_t			 i, k, nrows;
	int			 y, skip, total = 0, sk, room;

	ui_screen_blank(r);
	if (r.h < 1)
		return;
	ui_log.width = r.w;
	ui_log.height = r.h - 1;
	if (ui_log.scroll > 0) {
		for (i = 0; i < ui_log.count; i++)
			total += ui_log_rows(ui_log_at(i));
		if (ui_log.scroll > total - ui_log.height)
			ui_log.scroll = total > ui_log.height ?
			    total - ui_log.height : 0;
	}
	ui_log_rule(r);
	y = r.y + r.h - 1;
	skip = ui_log.scroll;
	for (i = ui_log.count; i-- > 0 && y > r.y;) {
		l = ui_log_at(i);
		nrows = ui_log_cut(l);
		ui_screen_style(ui_log_style(l->kind));
		for (k = nrows; k-- > 0 && y > r.y;) {
			if (skip > 0) {
				skip--;
				continue;
			}
			move(y--, r.x);
			sk = 0;
			room = r.w;
			ui_text_put(l->s + ui_log.cuts[k], ui_log.cuts[k + 1] -
			    ui_log.cuts[k], &sk, &room);
		}
	}
	ui_screen_style(UI_STYLE_NORMAL);
}
