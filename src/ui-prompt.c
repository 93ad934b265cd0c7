/*
 * ui-prompt.c: the prompt line through GNU Readline's callback interface;
 * no other file includes readline. The event loop reads the terminal into
 * a small buffer and feeds readline one key at a time; readline never
 * touches the terminal (no terminal preparation, no signal handlers, its
 * output to /dev/null): this file draws rl_line_buffer itself. Readline
 * reads ~/.inputrc as "snnwb"; the session's keys (Tab on an empty line,
 * ?, F1, PgUp, PgDn, Ctrl-L) are bound on top. History is kept, one entry
 * a chunk, in $XDG_STATE_HOME/snnwb/history; each entry follows a "#time"
 * line, which is how readline tells the lines of a multi-line chunk apart
 * from entries when it reads the file back.
 *
 * The plain line mode, without the screen, calls readline() itself, which
 * then draws its line and completions on the terminal as usual, or reads
 * input that is not a terminal line by line without readline.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <readline/readline.h>
#include <readline/history.h>

#include "ui.h"

/* History entries kept in memory and in the file. */
#define UI_PROMPT_HISTORY 1000

/* The most rows of completions listed in the log. */
#define UI_PROMPT_LIST 40

/* The prompt's state. */
static struct {
	lua_State	*L;
	unsigned char	 in[512];	/* bytes read, not yet fed */
	size_t		 inlen;
	size_t		 inpos;
	char		*ready;		/* a line readline finished */
	int		 has_ready;	/* (ready NULL: end of input) */
	char		*question;	/* asked instead of the line */
	char		*hint;		/* shown instead of the line */
	char		 history[PATH_MAX];	/* "" without a file */
	FILE		*null;		/* readline's output */
	char		**matches;	/* completions being handed out */
	size_t		 next;
	int		 plain;		/* 1 readline, 2 plain reads */
	int		 files;		/* completing file names */
} ui_prompt;

/* Gives readline the next byte read from the terminal. */
static int
ui_prompt_getc(FILE *f)
{
	unsigned char	c;

	if (ui_prompt.inpos < ui_prompt.inlen)
		return ui_prompt.in[ui_prompt.inpos++];
	return read(fileno(f), &c, 1) == 1 ? c : EOF;
}

/* Tells readline whether more bytes wait (for typeahead). */
static int
ui_prompt_available(void)
{
	return ui_prompt.inpos < ui_prompt.inlen;
}

/* Readline's redisplay: the prompt line is drawn at the end of the turn. */
static void
ui_prompt_redisplay(void)
{
	ui_screen_dirty(UI_DIRTY_PROMPT);
}

/* Readline's line handler: keeps the line (NULL at end of input). */
static void
ui_prompt_handler(char *line)
{
	ui_prompt.ready = line;
	ui_prompt.has_ready = 1;
}

/*
 * Tab: on an empty line the next chart grows, else completion; a second
 * Tab in a row lists the completions, as readline's own Tab does.
 */
static int
ui_prompt_tab(int count, int key)
{
	if (rl_end == 0) {
		ui_view_cycle();
		return 0;
	}
	if (rl_last_func == ui_prompt_tab)
		rl_last_func = rl_complete;
	return rl_complete(count, key);
}

/* ?: the help on an empty line, else the character itself. */
static int
ui_prompt_question(int count, int key)
{
	if (rl_end == 0) {
		ui_screen_help(1);
		return 0;
	}
	return rl_insert(count, key);
}

/* F1: the help. */
static int
ui_prompt_help(int count, int key)
{
	ui_screen_help(1);
	return 0;
}

/* PgUp: the log a page back. */
static int
ui_prompt_page_up(int count, int key)
{
	ui_log_scroll(-1);
	return 0;
}

/* PgDn: the log a page on. */
static int
ui_prompt_page_down(int count, int key)
{
	ui_log_scroll(1);
	return 0;
}

/* Ctrl-L: clears the terminal and draws everything again. */
static int
ui_prompt_redraw(int count, int key)
{
	ui_screen_dirty(UI_DIRTY_ALL);
	return 0;
}

/* Hands readline the completions of text, one a call (state 0: first). */
static char *
ui_prompt_generate(const char *text, int state)
{
	int	append;

	if (state == 0) {
		free(ui_prompt.matches);
		ui_prompt.matches = ui_lua_complete(ui_prompt.L, text,
		    &append);
		ui_prompt.next = 0;
		rl_completion_append_character = append;
	}
	if (ui_prompt.matches == NULL ||
	    ui_prompt.matches[ui_prompt.next] == NULL)
		return NULL;
	return ui_prompt.matches[ui_prompt.next++];
}

/*
 * Completes the word text at [start, end): inside an unfinished string
 * literal (readline finds its quote and starts the word after it, / and
 * all) file names as readline's own completer does, else Lua names.
 */
static char **
ui_prompt_complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	ui_prompt.files = rl_completion_quote_character != 0;
	if (ui_prompt.files) {
		rl_completion_append_character = '\0';
		return rl_completion_matches(text,
		    rl_filename_completion_function);
	}
	return rl_completion_matches(text, ui_prompt_generate);
}

/*
 * Returns the part of a completion that a list shows: a file's name after
 * its last /, else a Lua name's part after its last . or :.
 */
static const char *
ui_prompt_tail(const char *match)
{
	const char	*p, *tail = match;

	for (p = match; *p != '\0'; p++) {
		if (ui_prompt.files ? *p == '/' && p[1] != '\0' :
		    *p == '.' || *p == ':')
			tail = p + 1;
	}
	return tail;
}

/* Lists the completions in the log, in columns, by their last part. */
static void
ui_prompt_list(char **matches, int num, int max_length)
{
	char	*line;
	int	 cols, rows, r, c, i, at, width = 0;

	for (i = 1; i <= num; i++) {
		if ((int)strlen(ui_prompt_tail(matches[i])) > width)
			width = (int)strlen(ui_prompt_tail(matches[i]));
	}
	width += 2;
	cols = COLS / width > 0 ? COLS / width : 1;
	rows = (num + cols - 1) / cols;
	if ((line = malloc((size_t)cols * (size_t)width + 1)) == NULL)
		return;
	for (r = 0; r < rows && r < UI_PROMPT_LIST; r++) {
		at = 0;
		for (c = 0; c < cols && (i = 1 + c * rows + r) <= num; c++)
			at += sprintf(line + at, "%-*s", width,
			    ui_prompt_tail(matches[i]));
		ui_log_add(UI_LOG_NOTE, line, (size_t)at);
		ui_log_add(UI_LOG_NOTE, "\n", 1);
	}
	if (rows > UI_PROMPT_LIST)
		ui_log_printf(UI_LOG_NOTE, "(%d more rows)",
		    rows - UI_PROMPT_LIST);
	free(line);
	ui_log_bottom();
}

/* Creates directory path and its parents (like mkdir -p); 0 or -1. */
static int
ui_prompt_mkdir(char *path)
{
	char	*p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * Finds the history file ($XDG_STATE_HOME/snnwb/history, by default
 * ~/.local/state/snnwb/history), creating its directory and the file,
 * and reads it; without a place for it the history is not kept.
 */
static void
ui_prompt_history(void)
{
	const char	*xdg = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	char		*path = ui_prompt.history;
	int		 n;
	FILE		*f;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(path, PATH_MAX, "%s/snnwb", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(path, PATH_MAX, "%s/.local/state/snnwb", home);
	else
		n = -1;
	if (n < 0 || n + sizeof "/history" > PATH_MAX ||
	    ui_prompt_mkdir(path) != 0) {
		path[0] = '\0';
		return;
	}
	strcat(path, "/history");
	if ((f = fopen(path, "a")) == NULL) {
		path[0] = '\0';
		return;
	}
	fclose(f);
	history_truncate_file(path, UI_PROMPT_HISTORY);
	read_history(path);
}

/* Binds func to the terminal's key cap and to the usual sequences. */
static void
ui_prompt_bind(const char *cap, const char *seq1, const char *seq2,
    rl_command_func_t *func)
{
	char	*s = tigetstr(cap);

	if (s != NULL && s != (char *)-1)
		rl_bind_keyseq(s, func);
	rl_bind_keyseq(seq1, func);
	rl_bind_keyseq(seq2, func);
}

/*
 * Sets up what the session and the plain line mode share: the prompt's
 * state over Lua state L, completion and the history (read from its file
 * when history is true).
 */
static void
ui_prompt_setup(lua_State *L, int history)
{
	memset(&ui_prompt, 0, sizeof ui_prompt);
	ui_prompt.L = L;
	rl_readline_name = "snnwb";
	rl_instream = stdin;
	rl_change_environment = 0;
	rl_attempted_completion_function = ui_prompt_complete;
	rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{}()[]+-*/%^~#,";
	rl_completer_quote_characters = "\"'";
	using_history();
	stifle_history(UI_PROMPT_HISTORY);
	history_comment_char = '#';
	history_write_timestamps = 1;
	if (history)
		ui_prompt_history();
}

/*
 * Sets readline up for the session on Lua state L (for completion) once
 * curses runs (the keys come from its terminal description): the callback
 * handler with the first prompt, the key bindings, the history.
 */
void
ui_prompt_open(lua_State *L)
{
	ui_prompt_setup(L, 1);
	ui_prompt.null = fopen("/dev/null", "w");
	rl_outstream = ui_prompt.null;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_getc_function = ui_prompt_getc;
	rl_input_available_hook = ui_prompt_available;
	rl_redisplay_function = ui_prompt_redisplay;
	rl_completion_display_matches_hook = ui_prompt_list;
	rl_initialize();
	rl_bind_key('\t', ui_prompt_tab);
	rl_bind_key('?', ui_prompt_question);
	rl_bind_key('\f', ui_prompt_redraw);
	ui_prompt_bind("kf1", "\033OP", "\033[11~", ui_prompt_help);
	ui_prompt_bind("kpp", "\033[5~", "\033[5;2~", ui_prompt_page_up);
	ui_prompt_bind("knp", "\033[6~", "\033[6;2~", ui_prompt_page_down);
	rl_callback_handler_install("snnwb> ", ui_prompt_handler);
}

/*
 * Sets readline up for the plain line mode on Lua state L: readline
 * draws its own line and completions; on a terminal the history is kept
 * as in the session, and input that is not a terminal is read as it is.
 */
void
ui_prompt_open_plain(lua_State *L)
{
	int	tty = isatty(STDIN_FILENO);

	ui_prompt_setup(L, tty);
	ui_prompt.plain = tty ? 1 : 2;
	rl_outstream = stdout;
}

/* Set by SIGINT while the plain line mode reads a line on a terminal. */
static volatile sig_atomic_t ui_prompt_sigint;

/* SIGINT at the plain prompt: readline passes it on here after its own. */
static void
ui_prompt_plain_signal(int sig)
{
	ui_prompt_sigint = 1;
}

/*
 * Readline's hook after a read was interrupted: after Ctrl-C, drops the
 * line and a chunk waiting for more, and shows a fresh prompt, as shells
 * do.
 */
static int
ui_prompt_plain_event(void)
{
	if (!ui_prompt_sigint)
		return 0;
	ui_prompt_sigint = 0;
	ui_lua_reset();
	rl_set_prompt("snnwb> ");
	rl_crlf();
	rl_replace_line("", 0);
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

/*
 * Reads a line in the plain line mode, at prompt on a terminal (where
 * Ctrl-C clears the line, and the end of input ends the prompt's line, as
 * shells do); returns it (the caller frees it) or NULL at the end of
 * input.
 */
char *
ui_prompt_plain(const char *prompt)
{
	struct sigaction	 sa, old;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;

	if (ui_prompt.plain == 1) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = ui_prompt_plain_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old);
		rl_signal_event_hook = ui_prompt_plain_event;
		line = readline(prompt);
		rl_signal_event_hook = NULL;
		sigaction(SIGINT, &old, NULL);
		if (line == NULL)
			putchar('\n');
		return line;
	}
	if ((n = getline(&line, &cap, stdin)) < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/* Takes readline's handler away and frees the prompt's state. */
void
ui_prompt_close(void)
{
	if (!ui_prompt.plain)
		rl_callback_handler_remove();
	free(ui_prompt.ready);
	free(ui_prompt.question);
	free(ui_prompt.hint);
	free(ui_prompt.matches);
	if (ui_prompt.null != NULL)
		fclose(ui_prompt.null);
	memset(&ui_prompt, 0, sizeof ui_prompt);
}

/*
 * Reads what the terminal fd has into the buffer once it is used up;
 * returns -1 at the end of input (the terminal went away), else 0.
 */
int
ui_prompt_read(int fd)
{
	ssize_t	n;

	if (ui_prompt.inpos < ui_prompt.inlen)
		return 0;
	n = read(fd, ui_prompt.in, sizeof ui_prompt.in);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	ui_prompt.inlen = (size_t)n;
	ui_prompt.inpos = 0;
	return 0;
}

/* Returns whether bytes read wait to be fed. */
int
ui_prompt_pending(void)
{
	return ui_prompt.inpos < ui_prompt.inlen;
}

/* Takes the next waiting byte past readline (an answer to a question). */
int
ui_prompt_take(void)
{
	return ui_prompt.in[ui_prompt.inpos++];
}

/* Drops the bytes waiting (the rest of a key that answered or closed). */
void
ui_prompt_discard(void)
{
	ui_prompt.inpos = ui_prompt.inlen;
}

/*
 * Feeds readline one key, unless a finished line waits to be taken;
 * returns whether it did.
 */
int
ui_prompt_feed(void)
{
	if (ui_prompt.has_ready || ui_prompt.inpos == ui_prompt.inlen)
		return 0;
	rl_callback_read_char();
	return 1;
}

/*
 * Hands over the line readline finished, if any: returns 1 and sets
 * *line (the caller frees it; NULL for end of input), else 0.
 */
int
ui_prompt_line(char **line)
{
	if (!ui_prompt.has_ready)
		return 0;
	*line = ui_prompt.ready;
	ui_prompt.ready = NULL;
	ui_prompt.has_ready = 0;
	return 1;
}

/* Returns whether the line being edited is empty. */
int
ui_prompt_empty(void)
{
	return rl_end == 0;
}

/* Throws away the line being edited and any search or argument. */
void
ui_prompt_clear(void)
{
	rl_callback_sigcleanup();
	rl_free_line_state();
	rl_replace_line("", 1);
	rl_point = rl_mark = 0;
	using_history();
	ui_screen_dirty(UI_DIRTY_PROMPT);
}

/* Sets the prompt of the next lines ("snnwb> " or ">> "). */
void
ui_prompt_set(const char *prompt)
{
	rl_set_prompt(prompt);
	ui_screen_dirty(UI_DIRTY_PROMPT);
}

/* Returns the prompt the line was entered at. */
const char *
ui_prompt_shown(void)
{
	return rl_prompt != NULL ? rl_prompt : "";
}

/* Replaces a string of the prompt's state by a copy of s (or NULL). */
static void
ui_prompt_replace(char **slot, const char *s)
{
	free(*slot);
	*slot = s != NULL ? strdup(s) : NULL;
	ui_screen_dirty(UI_DIRTY_PROMPT);
}

/* Shows question instead of the line until called with NULL. */
void
ui_prompt_ask(const char *question)
{
	ui_prompt_replace(&ui_prompt.question, question);
}

/* Shows hint instead of the line (a script runs) until called with NULL. */
void
ui_prompt_hint(const char *hint)
{
	ui_prompt_replace(&ui_prompt.hint, hint);
}

/* Adds a chunk to the history and appends it to the history file. */
void
ui_prompt_remember(const char *chunk)
{
	add_history(chunk);
	if (ui_prompt.history[0] != '\0')
		append_history(1, ui_prompt.history);
}

/*
 * Draws the prompt line in r (a question, a hint, or the prompt and the
 * line scrolled sideways so the cursor shows) and returns the cursor
 * column.
 */
int
ui_prompt_draw(struct ui_rect r)
{
	const char	*p = rl_display_prompt != NULL ? rl_display_prompt :
			    "";
	const char	*text = ui_prompt.question != NULL ?
			    ui_prompt.question : ui_prompt.hint;
	int		 cursor, skip, room = r.w;

	ui_screen_blank(r);
	move(r.y, r.x);
	if (text != NULL) {
		skip = 0;
		ui_screen_style(ui_prompt.question != NULL ? UI_STYLE_INPUT :
		    UI_STYLE_AXIS);
		ui_text_put(text, strlen(text), &skip, &room);
		ui_screen_style(UI_STYLE_NORMAL);
		return ui_prompt.question != NULL ? r.x + r.w - room : r.x;
	}
	cursor = ui_text_width(p, strlen(p)) +
	    ui_text_width(rl_line_buffer, (size_t)rl_point);
	skip = cursor >= r.w ? cursor - r.w + 1 : 0;
	cursor -= skip;
	ui_screen_style(UI_STYLE_INPUT);
	ui_text_put(p, strlen(p), &skip, &room);
	ui_screen_style(UI_STYLE_NORMAL);
	ui_text_put(rl_line_buffer, (size_t)rl_end, &skip, &room);
	return r.x + cursor;
}
