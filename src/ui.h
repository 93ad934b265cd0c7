/*
 * ui.h: the interactive workbench's internal interface, prototypes grouped
 * by file. Only src/ui-*.c include curses and readline; this header
 * includes neither, so main.c sees the session through ui_session_* and
 * nothing else knows readline exists (ui-prompt.c alone includes it).
 *
 * Everything is drawn on curses' standard screen; a region of it is a
 * struct ui_rect. Each file keeps its own state: there is one terminal,
 * one readline and one session per process.
 */
#ifndef UI_H
#define UI_H

#include <stddef.h>
#include <wchar.h>

#include "lua-snn.h"

/* A region of the screen. */
struct ui_rect {
	int	y;
	int	x;
	int	h;
	int	w;
};

/* ui-session.c: the screen's life, signals and the event loop. */
int	 ui_session_open(lua_State *L, int interactive, char **cause);
void	 ui_session_run(lua_State *L);
void	 ui_session_close(void);
void	 ui_session_tick(void);
void	 ui_session_quit(void);

/* ui-screen.c: curses, styles, layout, drawing turns and the help. */
enum ui_style {
	UI_STYLE_NORMAL,
	UI_STYLE_BAR,		/* the status line */
	UI_STYLE_TITLE,		/* chart titles, the help's heading */
	UI_STYLE_AXIS,		/* axis labels, rules, hints */
	UI_STYLE_INPUT,		/* chunks echoed in the log */
	UI_STYLE_ERROR,		/* errors and tracebacks */
	UI_STYLE_NOTE,		/* the session's own messages */
	UI_STYLE_FAINT,		/* raw loss */
	UI_STYLE_SERIES		/* + i for the i-th line of a chart */
};
#define UI_NSERIES 5
#define UI_DIRTY_VIEW	0x1	/* status line and charts (throttled) */
#define UI_DIRTY_LOG	0x2
#define UI_DIRTY_PROMPT	0x4
#define UI_DIRTY_ALL	0x8	/* clear the terminal and draw it all */
int	 ui_screen_open(int tty, char **cause);
void	 ui_screen_close(void);
void	 ui_screen_restore(void);
void	 ui_screen_resize(void);
void	 ui_screen_dirty(int what);
int	 ui_screen_wait(void);
void	 ui_screen_draw(void);
int	 ui_screen_utf8(void);
void	 ui_screen_style(enum ui_style style);
void	 ui_screen_cell(int y, int x, wchar_t wc, enum ui_style style);
void	 ui_screen_blank(struct ui_rect r);
void	 ui_screen_help(int show);
int	 ui_screen_helping(void);

/* ui-text.c: UTF-8 text measured in terminal cells, and drawn. */
int	 ui_text_width(const char *s, size_t n);
size_t	 ui_text_fit(const char *s, size_t n, int cols);
void	 ui_text_put(const char *s, size_t n, int *skip, int *room);
void	 ui_text_at(int y, int x, int room, const char *s);

/* ui-log.c: the log pane and the capture of standard output and error. */
enum ui_log_kind {
	UI_LOG_OUT,		/* print, io.write, standard output */
	UI_LOG_ERR,		/* standard error */
	UI_LOG_ERROR,		/* Lua errors */
	UI_LOG_INPUT,		/* chunks as entered */
	UI_LOG_NOTE		/* the session's messages */
};
int	 ui_log_open(char **cause);
void	 ui_log_close(int replay);
void	 ui_log_release(void);
int	 ui_log_fds(int *fds);
void	 ui_log_drain(void);
void	 ui_log_add(enum ui_log_kind kind, const char *s, size_t n);
void	 ui_log_printf(enum ui_log_kind kind, const char *fmt, ...)
	     SNNWB_PRINTF(2, 3);
void	 ui_log_scroll(int pages);
void	 ui_log_bottom(void);
void	 ui_log_draw(struct ui_rect r);

/* ui-prompt.c: readline's callback interface behind a few functions. */
void	 ui_prompt_open(lua_State *L);
void	 ui_prompt_open_plain(lua_State *L);
char	*ui_prompt_plain(const char *prompt);
void	 ui_prompt_close(void);
int	 ui_prompt_read(int fd);
int	 ui_prompt_pending(void);
int	 ui_prompt_take(void);
void	 ui_prompt_discard(void);
int	 ui_prompt_feed(void);
int	 ui_prompt_line(char **line);
int	 ui_prompt_empty(void);
void	 ui_prompt_clear(void);
void	 ui_prompt_set(const char *prompt);
const char *ui_prompt_shown(void);
void	 ui_prompt_ask(const char *question);
void	 ui_prompt_hint(const char *hint);
void	 ui_prompt_remember(const char *chunk);
int	 ui_prompt_draw(struct ui_rect r);

/* ui-lua.c: the Lua side of the session: the REPL and its functions. */
void	 ui_lua_open(lua_State *L, int interactive);
void	 ui_lua_init(lua_State *L);
int	 ui_lua_line(lua_State *L, const char *line);
int	 ui_lua_pending(void);
void	 ui_lua_reset(void);
void	 ui_lua_protect(lua_State *L, lua_CFunction fn);
char	**ui_lua_complete(lua_State *L, const char *text, int *append);

/* ui-view.c: training records kept as series, the charts and status. */
void	 ui_view_open(void);
void	 ui_view_close(void);
void	 ui_view_cycle(void);
void	 ui_view_stopping(int job);
void	 ui_view_poll(void);
void	 ui_view_draw_status(struct ui_rect r);
void	 ui_view_draw_charts(struct ui_rect r);

/* ui-chart.c: one chart of lines in Braille dots or ASCII. */
struct ui_chart_line {
	const double	*v;		/* (n) values; NaN leaves a gap */
	size_t		 n;
	const char	*label;
	enum ui_style	 style;
};
struct ui_chart {
	const char			*title;
	const char			*xunit;		/* "batches" */
	size_t				 xcount;	/* x runs 1..xcount */
	const char			*xfrom;		/* or these ends */
	const char			*xto;
	int				 log;		/* log-scale y */
	const struct ui_chart_line	*lines;
	int				 nlines;
	const char			*empty;		/* shown without data */
};
void	 ui_chart_draw(const struct ui_chart *c, struct ui_rect r);
/*
 * Horizontal bars: a row a label, with one bar and its value for each
 * series, scaled to the series' largest value. When the rows do not fit,
 * those with the largest values of the last series are kept, in order,
 * and the row naming the series says how many more there are.
 */
#define UI_BARS_SERIES 2
struct ui_bars {
	const char	*title;
	const char	*const *label;	/* (n) */
	int		 n;
	const double	*v[UI_BARS_SERIES];	/* (n) each */
	const char	*name[UI_BARS_SERIES];	/* legend */
	int		 nseries;
	const char	*empty;		/* shown without rows */
};
void	 ui_chart_bars(const struct ui_bars *b, struct ui_rect r);

#endif
