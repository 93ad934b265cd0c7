/*
 * core.h: the engine's foundations, used by every other part: memory,
 * messages, random numbers, tensors and arenas, BLAS and the CPU's
 * instruction set, the thread pool, histograms, files, jobs and figures.
 *
 * Engine files include the narrowest of core.h, data.h and nn.h that they
 * need, and only the C library, BLAS, zlib, Jansson and libzip besides:
 * never curses, readline or Lua (tests/test-includes.sh checks it).
 *
 * Dimension letters used in shape comments:
 *   T time steps, B batch, N neurons (features of a layer), M = B * N,
 *   R rows of a time-merged matrix (T * B), I inputs, O outputs, C classes.
 *
 * Fallible functions return 0 on success and -1 on failure; on failure they
 * store a message in *cause (when cause is not NULL) that the caller frees.
 */
#ifndef SNNWB_CORE_H
#define SNNWB_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define SNNWB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SNNWB_PRINTF(f, a)
#endif

/* mem.c: allocation that tests can make fail on the Nth call. */
void	*mem_alloc(size_t size);
void	*mem_calloc(size_t n, size_t size);
void	*mem_realloc(void *p, size_t size);
void	*mem_aligned(size_t size);
void	 mem_free(void *p);
char	*mem_strdup(const char *s);
void	 mem_fail_after(long n);

/* error.c: building the messages that fallible functions hand back. */
int	 error_set(char **cause, const char *fmt, ...) SNNWB_PRINTF(2, 3);
char	*error_printf(const char *fmt, ...) SNNWB_PRINTF(1, 2);

/* rng.c: xoshiro256** with an explicit state, seeded through splitmix64. */
struct rng {
	uint64_t	s[4];
};
void	 rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
double	 rng_uniform(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);
double	 rng_normal(struct rng *r);
void	 rng_shuffle(struct rng *r, uint32_t *v, size_t n);

/* tensor.c: shapes and views; a tensor never owns its data. */
#define TENSOR_MAXDIM 6
struct tensor {
	float	*data;
	int	 ndim;
	int	 shape[TENSOR_MAXDIM];
};
size_t	 tensor_numel(const struct tensor *t);
void	 tensor_view(struct tensor *t, float *data, int ndim,
	     const int *shape);
int	 tensor_same_shape(const struct tensor *a, const struct tensor *b);
char	*tensor_shape_string(const int *shape, int ndim, char *buf,
	     size_t len);

/* arena.c: one aligned allocation carved into float buffers. */
struct arena {
	float	*base;
	size_t	 cap;
	size_t	 used;
};
void	 arena_plan(struct arena *a);
int	 arena_commit(struct arena *a, char **cause);
float	*arena_take(struct arena *a, size_t n);
void	 arena_clear(struct arena *a);
void	 arena_free(struct arena *a);

/* blas.c: row-major single-precision GEMM and the BLAS thread count. */
#define BLAS_THREADS_PER_CORE	4
int	 blas_cores(void);
int	 blas_max_threads(void);
void	 blas_set_threads(int n);
int	 blas_threads(void);
int	 blas_claim(int id);
void	 blas_release(int id);
void	 blas_lend(int lend);
int	 blas_busy(void);
void	 blas_sgemm(int trans_a, int trans_b, int m, int n, int k,
	     float alpha, const float *a, int lda, const float *b, int ldb,
	     float beta, float *c, int ldc);

/* cpu.c: the instruction-set level of the kernels with SIMD variants. */
enum cpu_isa {
	CPU_ISA_PLAIN,		/* C alone */
	CPU_ISA_SSSE3,		/* SSSE3 */
	CPU_ISA_AVX2,		/* AVX2 and FMA */
	CPU_ISA_AVX512,		/* AVX-512F */
	CPU_ISA_COUNT
};
/*
 * Where the compiler can build kernels for other instruction sets than its
 * baseline, CPU_X86 is defined and each level above plain has the target
 * of the functions that may use it (with those of the levels before it).
 */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CPU_X86
#define CPU_TARGET_SSSE3	"ssse3"
#define CPU_TARGET_AVX2		"avx2,fma"
#define CPU_TARGET_AVX512	"avx512f,avx2,fma"
#endif
enum cpu_isa cpu_isa(void);
enum cpu_isa cpu_isa_best(void);
enum cpu_isa cpu_isa_limit(enum cpu_isa most);
int	 cpu_isa_choose(const char *value, enum cpu_isa best,
	     enum cpu_isa *isa, char **cause);
const char *cpu_isa_name(enum cpu_isa isa);
const char *cpu_isa_warning(void);

/* clock.c: the monotonic clock, in seconds. */
double	 clock_now(void);

/* orphan.c: a sweep's child process ends when the sweep's process ends. */
void	 orphan_watch(void);

/* pool.c: persistent worker threads; tasks fn(arg, 0 .. n - 1). */
void	 pool_run(void (*fn)(void *arg, int i), void *arg, int n);

/* hist.c: histograms of float arrays. */
#define HIST_MAXBINS 256
struct hist {
	int		bins;			/* 1..HIST_MAXBINS */
	double		lo;			/* range [lo, hi) */
	double		hi;
	uint64_t	counts[HIST_MAXBINS];
	uint64_t	below;
	uint64_t	above;
	uint64_t	nan;
};
void	 hist_count(struct hist *h, const float *x, size_t n, float shift);

/*
 * plot.c: figures (axes, series of points or bars, legend) that plot-svg.c
 * draws. A figure borrows every pointer it holds and nothing allocates.
 */
enum plot_kind {
	PLOT_LINES,
	PLOT_BARS
};
enum plot_scale {
	PLOT_SCALE_LINEAR,
	PLOT_SCALE_LOG
};
/* Okabe and Ito's colour-blind-safe palette, then black and grey. */
enum plot_color {
	PLOT_COLOR_BLUE,
	PLOT_COLOR_VERMILLION,
	PLOT_COLOR_GREEN,
	PLOT_COLOR_PURPLE,
	PLOT_COLOR_ORANGE,
	PLOT_COLOR_SKYBLUE,
	PLOT_COLOR_YELLOW,
	PLOT_COLOR_BLACK,
	PLOT_COLOR_GREY,
	PLOT_COLOR_COUNT
};
#define PLOT_COLOR_CYCLE	7	/* series take blue .. yellow in turn */
enum plot_dash {
	PLOT_DASH_SOLID,
	PLOT_DASH_DASHED,
	PLOT_DASH_DOTTED,
	PLOT_DASH_DASHDOT,
	PLOT_DASH_COUNT
};
enum plot_marker {
	PLOT_MARKER_NONE,
	PLOT_MARKER_CIRCLE,
	PLOT_MARKER_SQUARE,
	PLOT_MARKER_TRIANGLE,
	PLOT_MARKER_DIAMOND,
	PLOT_MARKER_COUNT
};
#define PLOT_MARKER_MAXPOINTS	40	/* default markers up to this many */
#define PLOT_WIDTH		800	/* default size in pixels */
#define PLOT_HEIGHT		500
#define PLOT_MINSIZE		200	/* width and height limits */
#define PLOT_MAXSIZE		10000
/*
 * Where the legend goes: beside the plot, below it, nowhere, or (auto)
 * beside it unless that leaves the plot less than half the figure's width.
 */
enum plot_legend {
	PLOT_LEGEND_AUTO,
	PLOT_LEGEND_RIGHT,
	PLOT_LEGEND_BOTTOM,
	PLOT_LEGEND_NONE,
	PLOT_LEGEND_COUNT
};
/* An axis: its scale, label and limits (from the data unless fixed). */
struct plot_axis {
	enum plot_scale	 scale;
	const char	*label;		/* or NULL */
	int		 fixed;
	double		 min;		/* fixed limits */
	double		 max;
	int		 integer;	/* ticks at whole numbers only */
};
/*
 * A series: points (x[i], y[i]) joined by a line, or one bar a group with
 * height y[i]; err[i] is the half-length of an error bar. A point that is
 * NaN or infinite, or not positive on a log axis, is left out (a gap in
 * the line). A series without label stays out of the legend; one with a
 * label and no points is in the legend only.
 */
struct plot_series {
	const char		*label;		/* or NULL */
	size_t			 n;
	const double		*x;		/* (n) lines only */
	const double		*y;		/* (n) */
	const double		*err;		/* (n) or NULL */
	enum plot_color		 color;
	enum plot_dash		 dash;		/* lines only */
	enum plot_marker	 marker;	/* lines only */
	int			 dots;		/* lines: dots, no line */
};
struct plot {
	enum plot_kind		 kind;
	const char		*title;		/* or NULL */
	const char		*subtitle;	/* a line under it, or NULL */
	struct plot_axis	 x;		/* bars: only its label is used */
	struct plot_axis	 y;
	int			 width;		/* pixels */
	int			 height;
	int			 nseries;
	const struct plot_series *series;
	int			 ngroups;	/* bars: each series has ngroups */
	const char *const	*groups;	/* (ngroups) names, or NULL */
	enum plot_legend	 legend;
};
#define PLOT_MAXTICKS		32
#define PLOT_LABELMAX		32	/* room for a tick label */
/* An axis's limits and ticks; step is the linear tick spacing. */
struct plot_ticks {
	double		 min;
	double		 max;
	double		 step;
	int		 n;
	double		 v[PLOT_MAXTICKS];
};
void	 plot_init(struct plot *p, enum plot_kind kind);
void	 plot_series_defaults(struct plot_series *s, int index);
const char *plot_color_name(int color);
const char *plot_color_hex(int color);
const char *plot_dash_name(int dash);
const char *plot_marker_name(int marker);
const char *plot_legend_name(int legend);
int	 plot_value_ok(enum plot_scale scale, double v);
int	 plot_point_ok(const struct plot *p, const struct plot_series *s,
	     size_t i);
int	 plot_data_range(const struct plot *p, int yaxis, double *lo,
	     double *hi);
int	 plot_data_integral(const struct plot *p);
int	 plot_series_same(const struct plot *p, int j, int k);
void	 plot_axis_ticks(const struct plot_axis *a, double lo, double hi,
	     int maxn, struct plot_ticks *t);
char	*plot_tick_label(const struct plot_ticks *t, enum plot_scale scale,
	     double v, char *buf, size_t len);
int	 plot_validate(const struct plot *p, char **cause);

/* Small multiples: figures drawn side by side in one document. */
struct plot_panels {
	const char		*title;		/* or NULL */
	const char		*subtitle;	/* or NULL */
	int			 columns;
	int			 n;
	const struct plot	*panels;	/* (n) */
};

/* plot-svg.c: figures as SVG 1.1 files, written atomically. */
int	 plot_svg_write(const char *path, const struct plot *p, char **cause);
int	 plot_svg_write_panels(const char *path, const struct plot_panels *pp,
	     char **cause);

/* job.c: a job on a worker thread, talking through a queue of records. */
enum job_state {
	JOB_RUNNING,
	JOB_PAUSED,
	JOB_STOPPING,
	JOB_DONE,
	JOB_STOPPED,
	JOB_FAILED
};
struct job *job_start(int (*run)(struct job *, void *, char **), void *arg,
	     size_t rec_size, void (*rec_free)(void *), char **cause);
int	 job_id(const struct job *job);
int	 job_fd(const struct job *job);
enum job_state job_state(struct job *job);
const char *job_state_name(enum job_state s);
void	 job_post(struct job *job, const void *rec);
int	 job_take(struct job *job, void *rec);
void	 job_set_hold(struct job *job, int hold);
int	 job_handover(struct job *job);
void	 job_continue(struct job *job);
int	 job_between_batches(struct job *job);
void	 job_lend(struct job *job);
void	 job_pause(struct job *job);
void	 job_resume(struct job *job);
void	 job_stop(struct job *job);
int	 job_wait(struct job *job);
const char *job_error(const struct job *job);
void	 job_free(struct job *job);

/* file.c: regular files opened for reading; files replaced atomically. */
int	 file_open_regular(const char *path, size_t *size, char **cause);
int	 file_exists(const char *path);
char	*file_dir(const char *path);
int	 file_write_atomic(const char *path, int (*fn)(FILE *, void *),
	     void *arg, char **cause);
int	 file_write_text(const char *path, const char *text, char **cause);
void	 file_clean_stale(const char *dir);
void	 file_remove_temps(void);
int	 file_mkdirs(const char *dir, int mode, char **cause);

#endif
