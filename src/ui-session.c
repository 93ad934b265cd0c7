/*
 * ui-session.c: the interactive session and the view of a script. It
 * opens and closes the other ui-* parts, owns the signals and runs the
 * event loop: one poll on the terminal, a self-pipe that the SIGWINCH and
 * SIGINT handlers write to, the log's capture pipes and the training jobs'
 * wake-up pipes; handlers only mark things dirty and the screen is drawn
 * once at the end of each turn. Nothing running, nothing to draw: the loop
 * sleeps in poll without a timeout.
 *
 * While Lua runs (a chunk, the init file, a script: the session is busy)
 * the loop does not; the observer and print call ui_session_tick, which
 * takes a turn at most ten times a second so the view and the keys stay
 * alive. Ctrl-C then interrupts the Lua code through lsnn_call's hook; a
 * second Ctrl-C ends the program, the terminal restored.
 *
 * Without a terminal, or on one that curses cannot draw on, the session
 * is the plain line mode instead: a loop of ui_prompt_plain and
 * ui_lua_line, no screen, no event loop, no signals of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui.h"

/* The gap between two turns taken while Lua runs, in milliseconds. */
#define UI_SESSION_TICK_MS 100

/* How often a live job's state is looked at (it pauses silently). */
#define UI_SESSION_POLL_MS 250

/* The most training jobs whose pipes are polled. */
#define UI_SESSION_JOBS 8

/* Signals that restore the terminal, then act as they did before. */
static const int ui_session_fatal[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT
};
#define UI_SESSION_NFATAL \
	(sizeof ui_session_fatal / sizeof ui_session_fatal[0])

/* A question waiting for y or n on the prompt line. */
enum ui_session_ask {
	UI_SESSION_ASK_NONE,
	UI_SESSION_ASK_STOP,	/* stop a job */
	UI_SESSION_ASK_QUIT	/* stop the jobs and quit */
};

/* Whether Lua code runs; read by the SIGINT handler. */
static volatile sig_atomic_t ui_session_busy;

/*
 * The SIGINTs that came while the session ran Lua on its own (a job's
 * records and hooks), counted by the handler; -1 when it runs none.
 */
static volatile sig_atomic_t ui_session_background = -1;

/* The session's state. */
static struct {
	lua_State		*L;
	int			 open;
	int			 plain;		/* the plain line mode */
	int			 interactive;
	int			 wake[2];	/* the self-pipe */
	int			 eof;		/* the terminal is gone */
	enum ui_session_ask	 ask;
	int			 ask_job;
	int			 quit;		/* 1 asked for, 2 leaving */
	long			 tick_at;
	struct sigaction	 old_fatal[UI_SESSION_NFATAL];
	struct sigaction	 old_int;
	struct sigaction	 old_winch;
} ui_session;

/* Returns a monotonic clock in milliseconds. */
static long
ui_session_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Gives the terminal and file descriptors 1 and 2 back at once. */
static void
ui_session_restore(void)
{
	ui_screen_restore();
	ui_log_release();
}

/*
 * SIGWINCH and SIGINT send a byte down the self-pipe, but a SIGINT while
 * Lua runs is the second (lsnn_call's handler took the first) and ends the
 * program, the terminal restored, as lua(1) would. While the session runs
 * Lua on its own, SIGINTs are counted: a single one goes to the prompt
 * afterwards (see ui_session_background_run), a second interrupts that Lua
 * code (an on_epoch hook that never returns) and a third, for one stuck
 * in C, ends the program.
 */
static void
ui_session_signal(int sig)
{
	int	saved = errno;
	char	c = sig == SIGINT ? 'i' : 'w';

	if (sig == SIGINT && ui_session_background >= 0)
		ui_session_background++;
	if (sig == SIGINT && (ui_session_busy || ui_session_background > 2)) {
		file_remove_temps();
		ui_session_restore();
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
		return;
	}
	if (sig == SIGINT && ui_session_background == 2)
		lsnn_interrupt_arm(ui_session.L);
	else if (sig != SIGINT || ui_session_background < 0)
		(void)!write(ui_session.wake[1], &c, 1);
	errno = saved;
}

/* A fatal signal: restores the terminal and raises it again as before. */
static void
ui_session_die(int sig)
{
	size_t	i;

	file_remove_temps();
	ui_session_restore();
	for (i = 0; i < UI_SESSION_NFATAL; i++) {
		if (ui_session_fatal[i] == sig)
			sigaction(sig, &ui_session.old_fatal[i], NULL);
	}
	raise(sig);
}

/* Installs the session's signal handlers, keeping the old ones. */
static void
ui_session_signals(void)
{
	struct sigaction	sa;
	size_t			i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = ui_session_signal;
	sigaction(SIGINT, &sa, &ui_session.old_int);
	sigaction(SIGWINCH, &sa, &ui_session.old_winch);
	sa.sa_handler = ui_session_die;
	for (i = 0; i < UI_SESSION_NFATAL; i++)
		sigaction(ui_session_fatal[i], &sa, &ui_session.old_fatal[i]);
}

/* Puts the signal handlers back as they were. */
static void
ui_session_unsignals(void)
{
	size_t	i;

	sigaction(SIGINT, &ui_session.old_int, NULL);
	sigaction(SIGWINCH, &ui_session.old_winch, NULL);
	for (i = 0; i < UI_SESSION_NFATAL; i++)
		sigaction(ui_session_fatal[i], &ui_session.old_fatal[i], NULL);
}

/*
 * Opens the plain line mode over Lua state L: a prompt read line by line,
 * print and errors straight to standard output and error, training that
 * blocks and then returns its job, quit() and the init file.
 */
static void
ui_session_plain(lua_State *L)
{
	ui_session.open = 1;
	ui_session.plain = 1;
	ui_lua_open(L, 1);
	ui_prompt_open_plain(L);
	ui_lua_init(L);
}

/*
 * Opens the screen over Lua state L, the live view with the log pane and,
 * when interactive, the prompt, quit() and the init file (run before this
 * returns), else the view of a script, whose output is written out again
 * when it closes; returns 0 or -1 with *cause. Without a terminal on
 * standard input and output, or on one that curses cannot draw on (the
 * reason goes to standard error), the session is the plain line mode and
 * a script runs without the view.
 */
int
ui_session_open(lua_State *L, int interactive, char **cause)
{
	static int	registered;
	char		*why = NULL;
	int		i;

	memset(&ui_session, 0, sizeof ui_session);
	ui_session.L = L;
	ui_session.interactive = interactive;
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		if (interactive)
			ui_session_plain(L);
		return 0;
	}
	if (pipe(ui_session.wake) != 0)
		return error_set(cause, "cannot create a pipe: %s",
		    strerror(errno));
	for (i = 0; i < 2; i++) {
		fcntl(ui_session.wake[i], F_SETFD, FD_CLOEXEC);
		fcntl(ui_session.wake[i], F_SETFL,
		    fcntl(ui_session.wake[i], F_GETFL) | O_NONBLOCK);
	}
	ui_session_signals();
	if (ui_screen_open(STDOUT_FILENO, &why) != 0) {
		ui_session_unsignals();
		close(ui_session.wake[0]);
		close(ui_session.wake[1]);
		fprintf(stderr, "snnwb: %s; %s\n", why, interactive ?
		    "plain line mode" : "no live view");
		free(why);
		if (interactive)
			ui_session_plain(L);
		return 0;
	}
	if (ui_log_open(cause) != 0) {
		ui_screen_close();
		goto fail;
	}
	if (!registered)
		registered = atexit(ui_session_close) == 0;
	ui_session.open = 1;
	ui_session_busy = 1;
	lsnn_set_progress(0);
	ui_view_open();
	ui_prompt_open(L);
	ui_lua_open(L, interactive);
	if (!interactive)
		ui_prompt_hint("a script runs: Ctrl-C interrupts it, "
		    "F1 shows the keys");
	ui_screen_draw();
	if (interactive)
		ui_lua_init(L);
	return 0;
fail:
	ui_session_unsignals();
	close(ui_session.wake[0]);
	close(ui_session.wake[1]);
	return -1;
}

/*
 * Closes what ui_session_open opened and gives the terminal back (the view
 * of a script writes its output out); safe to call twice and touching no
 * Lua state, it runs at exit too (os.exit).
 */
void
ui_session_close(void)
{
	if (!ui_session.open)
		return;
	ui_session.open = 0;
	if (ui_session.plain) {
		ui_prompt_close();
		return;
	}
	lsnn_set_progress(1);
	ui_view_close();
	ui_prompt_close();
	ui_screen_close();
	ui_log_close(!ui_session.interactive);
	ui_session_unsignals();
	close(ui_session.wake[0]);
	close(ui_session.wake[1]);
	ui_session_busy = 0;
}

/* Asks question on the prompt line; the answer goes to ask. */
static void
ui_session_ask(enum ui_session_ask ask, int job, const char *question)
{
	ui_session.ask = ask;
	ui_session.ask_job = job;
	ui_prompt_ask(question);
}

/* Acts on the answer c (y or anything else) to the question asked. */
static void
ui_session_answer(int c)
{
	enum ui_session_ask	 ask = ui_session.ask;
	struct job		*job;

	ui_session.ask = UI_SESSION_ASK_NONE;
	ui_prompt_ask(NULL);
	if (c != 'y' && c != 'Y') {
		if (ask == UI_SESSION_ASK_QUIT)
			ui_session.quit = 0;
		return;
	}
	if (ask == UI_SESSION_ASK_QUIT) {
		ui_session.quit = 2;
		return;
	}
	job = lsnn_train_current();
	if (job != NULL && job_id(job) == ui_session.ask_job) {
		job_stop(job);
		ui_view_stopping(ui_session.ask_job);
	}
}

/*
 * Ctrl-C at the prompt: answers no, closes the help, clears the line (and
 * a chunk waiting for more), or offers to stop the running job.
 */
static void
ui_session_interrupt(void)
{
	struct job	*job = lsnn_train_current();
	char		 q[64];

	if (ui_session.ask != UI_SESSION_ASK_NONE)
		ui_session_answer('n');
	else if (ui_screen_helping())
		ui_screen_help(0);
	else if (!ui_prompt_empty() || ui_lua_pending()) {
		ui_prompt_clear();
		ui_lua_reset();
		ui_prompt_set("snnwb> ");
	} else if (job != NULL && job_state(job) == JOB_STOPPING)
		ui_log_printf(UI_LOG_NOTE, "job %d is stopping", job_id(job));
	else if (job != NULL && job_state(job) < JOB_DONE) {
		snprintf(q, sizeof q, "stop job %d? (y/n) ", job_id(job));
		ui_session_ask(UI_SESSION_ASK_STOP, job_id(job), q);
	} else
		ui_log_printf(UI_LOG_NOTE, "Ctrl-D or quit() leaves snnwb");
}

/* Quitting was asked for: asks first if a job runs, else leaves. */
static void
ui_session_leave(void)
{
	struct job	*job = lsnn_train_current();
	char		 q[80];

	if (!lsnn_train_running()) {
		ui_session.quit = 2;
		return;
	}
	snprintf(q, sizeof q, "job %d is running: stop it and quit? (y/n) ",
	    job != NULL ? job_id(job) : 0);
	ui_session_ask(UI_SESSION_ASK_QUIT, 0, q);
}

/* Takes the keys read: answers, closes the help, or feeds readline. */
static void
ui_session_keys(void)
{
	while (ui_prompt_pending()) {
		if (ui_session.ask != UI_SESSION_ASK_NONE) {
			ui_session_answer(ui_prompt_take());
			ui_prompt_discard();
		} else if (ui_screen_helping()) {
			ui_prompt_discard();
			ui_screen_help(0);
		} else if (!ui_prompt_feed())
			break;
	}
}

/*
 * Runs fn, Lua work the session does on its own; a single Ctrl-C
 * meanwhile goes to the prompt once fn is done (more are the handler's,
 * see ui_session_signal).
 */
static void
ui_session_background_run(lua_CFunction fn)
{
	sigset_t	int_only, old;
	int		n;

	ui_session_background = 0;
	ui_lua_protect(ui_session.L, fn);
	sigemptyset(&int_only);
	sigaddset(&int_only, SIGINT);
	sigprocmask(SIG_BLOCK, &int_only, &old);
	n = ui_session_background;
	ui_session_background = -1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n == 1)
		ui_session_interrupt();
}

/* Hands the records waiting in the jobs' queues to Lua and the view. */
static int
ui_session_pump(lua_State *L)
{
	lsnn_train_pump(L);
	return 0;
}

/* Stops every job and waits for them (checkpoints are written). */
static int
ui_session_stop_all(lua_State *L)
{
	lsnn_train_stop_all(L);
	return 0;
}

/*
 * Takes one turn of the event loop: waits (if block, and as long as the
 * screen allows) for the terminal, a signal, output or a job, handles what
 * came (jobs are pumped only when Lua is not running), and draws.
 */
static void
ui_session_turn(int block)
{
	struct pollfd	 pfd[4 + UI_SESSION_JOBS];
	int		 fds[UI_SESSION_JOBS];
	int		 i, k, n = 0, njobs = 0, timeout, pumped = 0;
	char		 c;

	pfd[n++] = (struct pollfd){ ui_session.wake[0], POLLIN, 0 };
	pfd[n++] = (struct pollfd){ ui_session.eof ? -1 : STDIN_FILENO,
	    POLLIN, 0 };
	k = ui_log_fds(fds);
	for (i = 0; i < k; i++)
		pfd[n++] = (struct pollfd){ fds[i], POLLIN, 0 };
	if (!ui_session_busy)
		njobs = lsnn_train_fds(fds, UI_SESSION_JOBS);
	for (i = 0; i < njobs; i++)
		pfd[n++] = (struct pollfd){ fds[i], POLLIN, 0 };
	ui_view_poll();
	timeout = block && !ui_prompt_pending() ? ui_screen_wait() : 0;
	if (njobs > 0 && (timeout < 0 || timeout > UI_SESSION_POLL_MS))
		timeout = UI_SESSION_POLL_MS;
	if (poll(pfd, (nfds_t)n, timeout) < 0) {
		for (i = 0; i < n; i++)
			pfd[i].revents = 0;
	}
	while (read(ui_session.wake[0], &c, 1) == 1) {
		if (c == 'w')
			ui_screen_resize();
		else
			ui_session_interrupt();
	}
	if (pfd[1].revents != 0 && ui_prompt_read(STDIN_FILENO) < 0)
		ui_session.eof = 1;
	ui_log_drain();
	ui_session_keys();
	for (i = n - njobs; i < n; i++)
		pumped |= pfd[i].revents != 0;
	if (pumped)
		ui_session_background_run(ui_session_pump);
	ui_screen_draw();
}

/*
 * While Lua runs: takes a turn if the last was long enough ago, so keys,
 * resizes and the view go on.
 */
void
ui_session_tick(void)
{
	long	now;

	if (!ui_session.open || !ui_session_busy)
		return;
	now = ui_session_now();
	if (now - ui_session.tick_at < UI_SESSION_TICK_MS)
		return;
	ui_session.tick_at = now;
	ui_session_turn(0);
}

/* quit() from Lua: the session ends once the chunk is done. */
void
ui_session_quit(void)
{
	if (ui_session.quit == 0)
		ui_session.quit = 1;
}

/* Runs a line (NULL: end of input) typed at the prompt. */
static void
ui_session_line(char *line)
{
	int	more;

	if (line == NULL) {
		ui_session_quit();
		return;
	}
	ui_log_printf(UI_LOG_INPUT, "%s%s", ui_prompt_shown(), line);
	ui_log_bottom();
	ui_screen_draw();
	ui_session_busy = 1;
	more = ui_lua_line(ui_session.L, line);
	ui_session_busy = 0;
	ui_prompt_set(more ? ">> " : "snnwb> ");
	free(line);
}

/*
 * The interactive session's loop: training runs as background jobs, lines
 * run as they come, until quit() or Ctrl-D (or the terminal goes away);
 * jobs still running are then stopped. The plain line mode reads and runs
 * lines until quit() or the end of input.
 */
void
ui_session_run(lua_State *L)
{
	char	*line;
	int	 more = 0;

	if (ui_session.plain) {
		lsnn_train_set_async(L, LSNN_ASYNC_WAIT);
		while (ui_session.quit == 0 && (line = ui_prompt_plain(more ?
		    ">> " : "snnwb> ")) != NULL) {
			more = ui_lua_line(L, line);
			free(line);
		}
		lsnn_train_set_async(L, LSNN_ASYNC_NONE);
		return;
	}
	lsnn_train_set_async(L, LSNN_ASYNC_JOB);
	ui_session_busy = 0;
	while (ui_session.quit != 2 && !ui_session.eof) {
		ui_session_turn(1);
		if (ui_session.ask == UI_SESSION_ASK_NONE &&
		    ui_prompt_line(&line))
			ui_session_line(line);
		if (ui_session.quit == 1 &&
		    ui_session.ask == UI_SESSION_ASK_NONE)
			ui_session_leave();
	}
	if (lsnn_train_running()) {
		ui_log_printf(UI_LOG_NOTE, "stopping the jobs and writing "
		    "their checkpoints");
		ui_screen_draw();
		ui_session_background_run(ui_session_stop_all);
	}
	lsnn_train_set_async(L, LSNN_ASYNC_NONE);
	ui_session_busy = 1;
}
