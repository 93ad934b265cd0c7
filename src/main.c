/*
 * main.c: the snnwb program. It reads the options, opens a Lua state with
 * the snn module and the prelude, and runs a script in batch mode (-e, or
 * standard input when that is not a terminal), under the live view with
 * --view, and the interactive session (ui-session.c) on a terminal or
 * with -i (the plain line mode without a terminal). Chunks run through
 * lsnn_call (lua-snn.c): a traceback handler and Ctrl-C raising
 * "interrupted", as lua.c does.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lualib.h>

#include "config.h"
#include "lua-snn.h"
#include "ui.h"

/* Exit statuses: a Lua error is 1, bad usage 2. */
#define MAIN_EXIT_LUA	1
#define MAIN_EXIT_USAGE	2

/* getopt_long values of the options that have no short form. */
enum main_longopt {
	MAIN_OPT_SEED = 256,
	MAIN_OPT_THREADS,
	MAIN_OPT_VIEW
};

/* The command line, parsed. */
struct main_options {
	int		  argc;
	char		**argv;
	const char	 *script;	/* -e FILE ("-": standard input) */
	int		  script_at;	/* argv index of FILE, or argc */
	int		  interactive;	/* -i, or a terminal without -e */
	int		  view;		/* --view */
	int		  quiet;	/* -q */
	int		  threads;	/* --threads, 0 when not given */
	lua_Integer	  seed;		/* --seed, -1 when not given */
	const char	**modules;	/* -l, in order */
	int		  nmodules;
};

/* Prints the usage line to f. */
static void
main_usage(FILE *f)
{
	fprintf(f, "usage: snnwb [-hiqv] [-l module] [--seed n] "
	    "[--threads n] [--view] [-e file [args ...]]\n");
}

/* Prints the usage line, every option on a line and where to read more. */
static void
main_help(void)
{
	main_usage(stdout);
	fputs("\n"
	    "  -e file [args ...]  run the Lua script file (- for standard "
	    "input)\n"
	    "  -h, --help          print this help and exit\n"
	    "  -i                  enter the interactive session (after "
	    "-e file)\n"
	    "  -l module           require a Lua module into a global of "
	    "its name\n"
	    "  -q                  quiet: no progress messages\n"
	    "  -v, --version       print the versions of snnwb and Lua, "
	    "and exit\n"
	    "  --seed n            the default seed (else 0)\n"
	    "  --threads n         the number of BLAS threads\n"
	    "  --view              run the -e script under the live view\n"
	    "\n"
	    "Without -e, snnwb runs standard input as a script, or opens "
	    "the session on a\nterminal. See man snnwb for the program and "
	    "man snnwb-lua for the snn module\n(from the source tree: "
	    "man -l man/snnwb.1, man -l man/snnwb-lua.7).\n", stdout);
}

/* Prints a usage error and the usage line, and exits with status 2. */
static void
main_usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "snnwb: ");
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	main_usage(stderr);
	exit(MAIN_EXIT_USAGE);
}

/*
 * Returns the option that getopt just rejected as the user wrote it: a long
 * one (optopt 0 or a long-only value) is the argument just passed.
 */
static const char *
main_optname(char **argv, char *buf)
{
	if (optopt == 0 || optopt >= MAIN_OPT_SEED)
		return argv[optind - 1];
	buf[0] = '-';
	buf[1] = (char)optopt;
	buf[2] = '\0';
	return buf;
}

/* Returns the decimal integer s in [min, max], or exits with a usage error. */
static long long
main_number(const char *opt, const char *s, long long min, long long max)
{
	char		*end;
	long long	 v;

	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "snnwb: %s needs an integer in [%lld, %lld], "
		    "not '%s'\n", opt, min, max, s);
		main_usage(stderr);
		exit(MAIN_EXIT_USAGE);
	}
	return v;
}

/*
 * Parses argv into o, printing and exiting for -h and -v, and stopping at
 * -e FILE since what follows belongs to the script, as with lua(1); but a
 * --view after the script's arguments, last, is snnwb's.
 */
static void
main_parse(struct main_options *o, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ "seed", required_argument, NULL, MAIN_OPT_SEED },
		{ "threads", required_argument, NULL, MAIN_OPT_THREADS },
		{ "view", no_argument, NULL, MAIN_OPT_VIEW },
		{ NULL, 0, NULL, 0 }
	};
	char				 buf[3];
	int				 c;

	memset(o, 0, sizeof *o);
	o->argc = argc;
	o->argv = argv;
	o->script_at = argc;
	o->seed = -1;
	if ((o->modules = calloc((size_t)argc, sizeof *o->modules)) == NULL) {
		fprintf(stderr, "snnwb: out of memory\n");
		exit(MAIN_EXIT_LUA);
	}
	opterr = 0;
	while (o->script == NULL &&
	    (c = getopt_long(argc, argv, "+:e:hil:qv", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o->script = optarg;
			o->script_at = optind - 1;
			break;
		case 'h':
			main_help();
			exit(0);
		case 'i':
			o->interactive = 1;
			break;
		case 'l':
			o->modules[o->nmodules++] = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			printf("snnwb %s (%s, %s kernels)\n", PACKAGE_VERSION,
			    LUA_RELEASE, cpu_isa_name(cpu_isa()));
			exit(0);
		case MAIN_OPT_SEED:
			o->seed = main_number("--seed", optarg, 0, LLONG_MAX);
			break;
		case MAIN_OPT_THREADS:
			o->threads = (int)main_number("--threads", optarg, 1,
			    blas_max_threads());
			break;
		case MAIN_OPT_VIEW:
			o->view = 1;
			break;
		case ':':
			main_usage_error("option %s needs an argument",
			    main_optname(argv, buf));
			break;
		default:
			main_usage_error("unknown option %s",
			    main_optname(argv, buf));
		}
	}
	if (o->script == NULL && optind < argc)
		main_usage_error("unexpected argument '%s' (a script is run "
		    "with -e FILE)", argv[optind]);
	if (o->script != NULL && argc - 1 > o->script_at &&
	    strcmp(argv[argc - 1], "--view") == 0) {
		o->view = 1;
		o->argc--;
	}
}

/* Prints the error message on top of the stack to stderr and pops it. */
static void
main_report(lua_State *L)
{
	const char	*msg = lua_tostring(L, -1);

	fprintf(stderr, "snnwb: %s\n", msg != NULL ? msg :
	    "(error object is not a string)");
	fflush(stderr);
	lua_pop(L, 1);
}

/*
 * Returns the directory of the Lua modules shipped with snnwb: the source
 * tree's lua/ for a binary in the build tree, else the installed one.
 */
static const char *
main_luadir(void)
{
	char	 exe[PATH_MAX], *build, *slash;
	ssize_t	 n;
	int	 here;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		return SNNWB_LUADIR;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return SNNWB_LUADIR;
	*slash = '\0';
	if ((build = realpath(SNNWB_BUILDDIR, NULL)) == NULL)
		return SNNWB_LUADIR;
	here = strcmp(build, exe) == 0;
	free(build);
	return here ? SNNWB_SRCDIR "/lua" : SNNWB_LUADIR;
}

/*
 * Puts snnwb's own module directory in front of package.path, which Lua
 * has set from LUA_PATH_5_4, LUA_PATH or its default.
 */
static void
main_path(lua_State *L)
{
	const char	*dir = main_luadir();

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir,
	    lua_tostring(L, -1));
	lua_setfield(L, -3, "path");
	lua_pop(L, 2);
}

/* Calls require(name) and stores the result in the global name. */
static int
main_require(lua_State *L, const char *name)
{
	int	status;

	lua_getglobal(L, "require");
	lua_pushstring(L, name);
	if ((status = lsnn_call(L, 1, 1)) == LUA_OK)
		lua_setglobal(L, name);
	return status;
}

/*
 * Builds the global arg as lua(1) does (arg[0] the script, "-" for standard
 * input, arg[1..] its arguments, negative indices the program and options
 * before it), then pushes the script's arguments and returns how many.
 */
static int
main_args(lua_State *L, const struct main_options *o)
{
	int	i, at = o->script_at, nargs;

	nargs = at < o->argc ? o->argc - at - 1 : 0;
	luaL_checkstack(L, nargs + 3, "too many arguments to the script");
	lua_createtable(L, nargs, at + 1);
	for (i = 0; i < o->argc; i++) {
		lua_pushstring(L, o->argv[i]);
		lua_rawseti(L, -2, i - at);
	}
	lua_pushstring(L, o->script != NULL ? o->script : "-");
	lua_rawseti(L, -2, 0);
	lua_setglobal(L, "arg");
	for (i = at + 1; i < o->argc; i++)
		lua_pushstring(L, o->argv[i]);
	return nargs;
}

/*
 * The protected main, which opens the libraries, the snn module, the
 * prelude and the -l modules, the screen for the view or the session, runs
 * the script and the session, and returns true if all ran.
 */
static int
main_pmain(lua_State *L)
{
	const struct main_options	*o = lua_touserdata(L, 1);
	const char			*file;
	char				*cause = NULL;
	int				 i, nargs, status;

	luaL_checkversion(L);
	luaL_openlibs(L);
	main_path(L);
	lsnn_help_open(L);
	luaL_requiref(L, "snn", lsnn_open, 1);
	lua_pushboolean(L, o->quiet);
	lua_setfield(L, -2, "quiet");
	lua_pop(L, 1);
	if (o->seed >= 0)
		lsnn_seed(L, o->seed);
	if (o->threads > 0)
		blas_set_threads(o->threads);
	lua_getglobal(L, "require");
	lua_pushliteral(L, "snnwb.prelude");
	status = lsnn_call(L, 1, 0);
	for (i = 0; i < o->nmodules && status == LUA_OK; i++)
		status = main_require(L, o->modules[i]);
	if (status == LUA_OK && (o->interactive || o->view) &&
	    ui_session_open(L, o->interactive, &cause) != 0) {
		lua_pushstring(L, cause);
		free(cause);
		status = LUA_ERRRUN;
	}
	if (status == LUA_OK && (o->script != NULL || !o->interactive)) {
		file = o->script == NULL || strcmp(o->script, "-") == 0 ?
		    NULL : o->script;
		status = luaL_loadfile(L, file);
		if (status == LUA_OK) {
			nargs = main_args(L, o);
			status = lsnn_call(L, nargs, 0);
		}
	}
	if (status == LUA_OK && o->interactive)
		ui_session_run(L);
	ui_session_close();
	if (status != LUA_OK)
		main_report(L);
	lua_pushboolean(L, status == LUA_OK);
	return 1;
}

/* Runs snnwb: see snnwb(1). */
int
main(int argc, char **argv)
{
	struct main_options	 o;
	lua_State		*L;
	const char		*warning;
	int			 status, ok;

	orphan_watch();
	if ((warning = cpu_isa_warning()) != NULL)
		fprintf(stderr, "snnwb: warning: %s\n", warning);
	main_parse(&o, argc, argv);
	if (o.script == NULL && isatty(STDIN_FILENO))
		o.interactive = 1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		o.view = 0;
	if ((L = luaL_newstate()) == NULL) {
		fprintf(stderr, "snnwb: cannot create a Lua state: out of "
		    "memory\n");
		free(o.modules);
		return MAIN_EXIT_LUA;
	}
	lua_warning(L, "@on", 0);
	lua_pushcfunction(L, main_pmain);
	lua_pushlightuserdata(L, &o);
	status = lua_pcall(L, 1, 1, 0);
	ok = status == LUA_OK && lua_toboolean(L, -1);
	if (status != LUA_OK) {
		ui_session_close();
		main_report(L);
	}
	lua_close(L);
	free(o.modules);
	return ok ? 0 : MAIN_EXIT_LUA;
}
