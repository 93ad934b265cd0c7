/*
 * ui-screen.c: the terminal through curses. It owns the layout (status
 * line, charts, log, prompt line from top to bottom), the styles, the help
 * overlay and the drawing turn: other files mark parts dirty and the event
 * loop calls ui_screen_draw once a turn, which redraws what is dirty, the
 * status line and charts at most ten times a second.
 */
#include <fcntl.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "ui.h"

/* The smallest terminal drawn; below it a message says so. */
#define UI_SCREEN_MIN_COLS	40
#define UI_SCREEN_MIN_ROWS	12

/* Milliseconds between two drawings of the status line and charts. */
#define UI_SCREEN_VIEW_MS	100

/* The colour of each series, readable on dark and light backgrounds. */
static const short ui_screen_palette[UI_NSERIES] = {
	COLOR_RED, COLOR_BLUE, COLOR_MAGENTA, COLOR_GREEN, COLOR_CYAN
};

/*
 * The help overlay, one line each, at most 46 columns wide so that its
 * box fits a 50-column terminal.
 */
static const char *const ui_screen_helptext[] = {
	"F1, ?        this help (? on an empty prompt)",
	"Tab          complete names, methods, paths",
	"Tab, empty   make the next chart the large one",
	"PgUp, PgDn   scroll the log",
	"Ctrl-L       redraw the screen",
	"Ctrl-C       clear the line; interrupt Lua;",
	"             empty: stop the job (asks first)",
	"Ctrl-D       quit (asks first if a job runs)",
	"Up, Ctrl-R   history; ~/.inputrc applies",
	"Enter        run the line; an incomplete",
	"             chunk goes on at the >> prompt",
	"help(f)      the manual's entry for f",
	"quit()       quit from Lua"
};

/* The screen's state. */
static struct {
	SCREEN	*sp;
	FILE	*out;		/* the terminal, for curses alone */
	int	 utf8;
	int	 colour;
	int	 dirty;
	long	 view_at;	/* when the view was last drawn, in ms */
	int	 help;
} ui_screen;

/* Returns a monotonic clock in milliseconds. */
static long
ui_screen_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Turns off what cbreak mode leaves on but readline wants as keys: flow
 * control (Ctrl-S, Ctrl-Q) and the extended characters (Ctrl-V, Ctrl-O).
 */
static void
ui_screen_keys(void)
{
	struct termios	t;

	if (tcgetattr(STDIN_FILENO, &t) != 0)
		return;
	t.c_iflag &= ~(tcflag_t)IXON;
	t.c_lflag &= ~(tcflag_t)IEXTEN;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* Sets up the colour pairs unless the terminal has none or NO_COLOR. */
static void
ui_screen_colours(void)
{
	const char	*nc = getenv("NO_COLOR");
	short		 i;

	if (!has_colors() || (nc != NULL && *nc != '\0'))
		return;
	start_color();
	use_default_colors();
	for (i = 0; i < UI_NSERIES; i++)
		init_pair(i + 1, ui_screen_palette[i], -1);
	ui_screen.colour = 1;
}

/*
 * Starts curses on the terminal at file descriptor tty (output) and
 * standard input in cbreak mode, so keys come as bytes for readline and
 * Ctrl-C, Ctrl-Z and Ctrl-\ stay signals; returns 0 or -1 with *cause,
 * also for a terminal that cannot place its cursor (TERM=dumb).
 */
int
ui_screen_open(int tty, char **cause)
{
	const char	*term = getenv("TERM");
	int		 fd;

	memset(&ui_screen, 0, sizeof ui_screen);
	ui_screen.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((fd = fcntl(tty, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    (ui_screen.out = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return error_set(cause, "cannot open the terminal");
	}
	if ((ui_screen.sp = newterm(NULL, ui_screen.out, stdin)) == NULL) {
		fclose(ui_screen.out);
		return error_set(cause, "cannot use the terminal '%s'",
		    term != NULL ? term : "(TERM not set)");
	}
	set_term(ui_screen.sp);
	if (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1) {
		endwin();
		delscreen(ui_screen.sp);
		fclose(ui_screen.out);
		ui_screen.sp = NULL;
		return error_set(cause, "terminal '%s' cannot move the cursor",
		    term != NULL ? term : "(TERM not set)");
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	ui_screen_keys();
	def_prog_mode();
	ui_screen_colours();
	ui_screen.dirty = UI_DIRTY_ALL;
	return 0;
}

/* Ends curses and gives the terminal back as it was; safe to repeat. */
void
ui_screen_close(void)
{
	if (ui_screen.sp == NULL)
		return;
	endwin();
	delscreen(ui_screen.sp);
	fclose(ui_screen.out);
	ui_screen.sp = NULL;
}

/*
 * Puts the terminal back in the state curses found it in, keeping curses'
 * data; for a fatal signal's handler, which has no time for more.
 */
void
ui_screen_restore(void)
{
	if (ui_screen.sp != NULL)
		endwin();
}

/* Takes the terminal's new size (after SIGWINCH) and redraws it all. */
void
ui_screen_resize(void)
{
	struct winsize	ws;

	if (ui_screen.sp == NULL ||
	    ioctl(fileno(ui_screen.out), TIOCGWINSZ, &ws) != 0)
		return;
	resizeterm(ws.ws_row, ws.ws_col);
	ui_screen.dirty |= UI_DIRTY_ALL;
}

/* Marks parts of the screen (UI_DIRTY_*) to draw at the end of the turn. */
void
ui_screen_dirty(int what)
{
	ui_screen.dirty |= what;
}

/*
 * Returns how many milliseconds the event loop may sleep before something
 * is to be drawn (a held back view), or -1 when nothing waits.
 */
int
ui_screen_wait(void)
{
	long	left;

	if (ui_screen.dirty & ~UI_DIRTY_VIEW)
		return 0;
	if (ui_screen.dirty == 0)
		return -1;
	left = UI_SCREEN_VIEW_MS - (ui_screen_now() - ui_screen.view_at);
	return left > 0 ? (int)left : 0;
}

/* Returns whether the terminal shows UTF-8 (and so Braille). */
int
ui_screen_utf8(void)
{
	return ui_screen.utf8;
}

/* Returns the attributes and colour pair of a style. */
static attr_t
ui_screen_attr(enum ui_style style, short *pair)
{
	static const attr_t	plain[UI_NSERIES] = {
		A_BOLD, A_NORMAL, A_DIM, A_BOLD, A_NORMAL
	};
	int			i = (int)style - UI_STYLE_SERIES;

	*pair = 0;
	switch (style) {
	case UI_STYLE_BAR:
		return A_REVERSE;
	case UI_STYLE_TITLE:
	case UI_STYLE_INPUT:
		return A_BOLD;
	case UI_STYLE_AXIS:
	case UI_STYLE_FAINT:
		return A_DIM;
	case UI_STYLE_ERROR:
		*pair = ui_screen.colour ? 1 : 0;
		return ui_screen.colour ? A_NORMAL : A_BOLD;
	case UI_STYLE_NOTE:
		*pair = ui_screen.colour ? UI_NSERIES : 0;
		return ui_screen.colour ? A_NORMAL : A_DIM;
	case UI_STYLE_NORMAL:
		return A_NORMAL;
	default:
		i %= UI_NSERIES;
		*pair = ui_screen.colour ? (short)(i + 1) : 0;
		return ui_screen.colour ? A_NORMAL : plain[i];
	}
}

/* Makes style the one that text drawn next is in. */
void
ui_screen_style(enum ui_style style)
{
	short	pair;
	attr_t	a = ui_screen_attr(style, &pair);

	attr_set(a, pair, NULL);
}

/* Draws the single character wc at (y, x) in style. */
void
ui_screen_cell(int y, int x, wchar_t wc, enum ui_style style)
{
	cchar_t	cc;
	wchar_t	s[2] = { wc, L'\0' };
	short	pair;
	attr_t	a = ui_screen_attr(style, &pair);

	setcchar(&cc, s, a, pair, NULL);
	mvadd_wch(y, x, &cc);
}

/* Clears region r to blanks in the normal style. */
void
ui_screen_blank(struct ui_rect r)
{
	int	i;

	ui_screen_style(UI_STYLE_NORMAL);
	for (i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
}

/* Shows (show true) or hides the help overlay. */
void
ui_screen_help(int show)
{
	ui_screen.help = show;
	ui_screen.dirty |= UI_DIRTY_ALL;
}

/* Returns whether the help overlay is shown. */
int
ui_screen_helping(void)
{
	return ui_screen.help;
}

/* Draws the help overlay in a box in the middle of the screen. */
static void
ui_screen_draw_help(void)
{
	const int	 n = sizeof ui_screen_helptext /
			     sizeof ui_screen_helptext[0];
	struct ui_rect	 r;
	int		 i, w = 0;

	for (i = 0; i < n; i++) {
		if ((int)strlen(ui_screen_helptext[i]) > w)
			w = (int)strlen(ui_screen_helptext[i]);
	}
	r.h = n + 3 < LINES ? n + 3 : LINES;
	r.w = w + 4 < COLS ? w + 4 : COLS;
	r.y = (LINES - r.h) / 2;
	r.x = (COLS - r.w) / 2;
	ui_screen_blank(r);
	mvhline(r.y, r.x, ACS_HLINE, r.w);
	mvhline(r.y + r.h - 1, r.x, ACS_HLINE, r.w);
	mvvline(r.y, r.x, ACS_VLINE, r.h);
	mvvline(r.y, r.x + r.w - 1, ACS_VLINE, r.h);
	mvaddch(r.y, r.x, ACS_ULCORNER);
	mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
	mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
	ui_screen_style(UI_STYLE_TITLE);
	ui_text_at(r.y + 1, r.x + 2, r.w - 4, "snnwb keys (see snnwb(1))");
	ui_screen_style(UI_STYLE_NORMAL);
	for (i = 0; i < n && i + 2 < r.h - 1; i++)
		ui_text_at(r.y + 2 + i, r.x + 2, r.w - 4,
		    ui_screen_helptext[i]);
}

/* Draws the message that replaces everything on a terminal too small. */
static void
ui_screen_draw_small(void)
{
	char	msg[64];
	int	len;

	erase();
	len = snprintf(msg, sizeof msg, "too small: need %dx%d",
	    UI_SCREEN_MIN_COLS, UI_SCREEN_MIN_ROWS);
	ui_screen_style(UI_STYLE_NORMAL);
	ui_text_at(LINES / 2, len < COLS ? (COLS - len) / 2 : 0, COLS, msg);
	curs_set(0);
	refresh();
}

/*
 * Draws the dirty parts of the screen, the view (status line and charts)
 * only if it was drawn UI_SCREEN_VIEW_MS ago or everything is to be drawn,
 * and puts the cursor on the prompt line.
 */
void
ui_screen_draw(void)
{
	struct ui_rect	full, charts, log, prompt;
	int		all, n, col;
	long		now = ui_screen_now();

	if (ui_screen.sp == NULL || ui_screen.dirty == 0)
		return;
	if (COLS < UI_SCREEN_MIN_COLS || LINES < UI_SCREEN_MIN_ROWS) {
		ui_screen_draw_small();
		ui_screen.dirty = 0;
		return;
	}
	all = ui_screen.dirty & UI_DIRTY_ALL;
	if (all) {
		clearok(curscr, TRUE);
		erase();
	}
	n = LINES - 2;
	full = (struct ui_rect){ 0, 0, 1, COLS };
	charts = (struct ui_rect){ 1, 0, n * 3 / 5, COLS };
	log = (struct ui_rect){ 1 + charts.h, 0, n - charts.h, COLS };
	prompt = (struct ui_rect){ LINES - 1, 0, 1, COLS };
	if (all || ((ui_screen.dirty & UI_DIRTY_VIEW) &&
	    now - ui_screen.view_at >= UI_SCREEN_VIEW_MS)) {
		ui_view_draw_status(full);
		ui_view_draw_charts(charts);
		ui_screen.view_at = now;
		ui_screen.dirty &= ~UI_DIRTY_VIEW;
	} else if (ui_screen.dirty == UI_DIRTY_VIEW)
		return;
	if (all || (ui_screen.dirty & UI_DIRTY_LOG))
		ui_log_draw(log);
	col = ui_prompt_draw(prompt);
	if (ui_screen.help)
		ui_screen_draw_help();
	ui_screen.dirty &= UI_DIRTY_VIEW;
	curs_set(ui_screen.help ? 0 : 1);
	move(prompt.y, col);
	refresh();
}
