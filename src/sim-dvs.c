/*
 * sim-dvs.c: CIFAR10-DVS-like recordings, a CIFAR-10 image shown on a
 * monitor and moved in front of a simulated DVS128 (128 x 128), written
 * as AEDAT 2.0 in the published layout <class>/cifar10_<class>_<i>.aedat.
 *
 * Li et al. 2017 (CIFAR10-DVS, Front. Neurosci. 11:309) recorded each
 * image with a "repeated closed-loop smooth (RCLS) movement" of the image
 * on a monitor filmed by a fixed DVS128. The motion here is such a loop:
 * the image centre goes round a square of side 2 x radius, each side a
 * minimum-jerk move (at rest at the corners), period microseconds a loop,
 * loops times. The paper's exact path, speed and screen geometry were not
 * reachable while this was written, so these are our choice, stated in
 * the defaults and printed by datasets/simulate-cifar10-dvs.
 *
 * The scene: the image as monitor luminance (Rec. 601 luma, display gamma
 * 2.2, black to white), on a background of the given luminance, scaled by
 * scale sensor pixels per image pixel and centred; the sensor samples its
 * log luminance bilinearly at the moving position. Each pixel follows the
 * event model of sim.c (its sim_fire, with the same parameters and
 * defaults: first-order photoreceptor low-pass tau, ON and OFF thresholds
 * with a fixed per-pixel mismatch drawn from sensor_seed, one event per
 * threshold crossed at the interpolated time plus jitter, a refractory
 * period, Poisson background events); sim.c is fixed to the 34 x 34
 * N-MNIST field, so the loop is repeated here for 128 x 128.
 */
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define SIM_DVS_PIXELS	(SIM_DVS_SIDE * SIM_DVS_SIDE)
#define SIM_DVS_IMG	32		/* CIFAR-10 image side */
#define SIM_DVS_PADDED	(SIM_DVS_IMG + 2)	/* with a background ring */

/* Fills p with the defaults (see the top of the file). */
void
sim_dvs_defaults(struct sim_dvs_params *p)
{
	memset(p, 0, sizeof *p);
	sim_defaults(&p->sensor);
	p->scale = 3.5;			/* 32 px image to 112 sensor px */
	p->radius = 2;			/* sensor px: a 4 x 4 px square */
	p->period = 200000;		/* 200 ms a loop */
	p->loops = 6;			/* 1.2 s a recording */
	p->black = 10;			/* luminance of pixel value 0: a */
	p->white = 100;			/* filmed screen has about 10:1 */
	p->background = 30;		/* the screen around the image */
}

/* Checks p; the message names the bad parameter. */
int
sim_dvs_validate(const struct sim_dvs_params *p, char **cause)
{
	if (!(p->scale >= 0.5 && p->scale <= 4))
		return error_set(cause, "sim-dvs: scale %g outside 0.5..4",
		    p->scale);
	if (!(p->radius >= 0 && p->radius <= 8))
		return error_set(cause, "sim-dvs: radius %g outside 0..8",
		    p->radius);
	if (!(p->period >= 4 * p->sensor.dt) || p->loops < 1 ||
	    p->period * p->loops > 4e9)
		return error_set(cause, "sim-dvs: %d loops of %g us: want at "
		    "least one loop of 4 steps, at most 4e9 us", p->loops,
		    p->period);
	if (!(p->black > 0 && p->white > p->black && p->background > 0))
		return error_set(cause, "sim-dvs: luminances black %g, white "
		    "%g, background %g: want 0 < black < white, background "
		    "above 0", p->black, p->white, p->background);
	return sim_validate(&p->sensor, cause);
}

/*
 * The image offset at time t: round the square (r, r), (-r, r), (-r, -r),
 * (r, -r), one side a quarter of the period.
 */
static void
sim_dvs_position(const struct sim_dvs_params *p, double t, double *ox,
    double *oy)
{
	static const double	corner[5][2] = {
		{ 1, 1 }, { -1, 1 }, { -1, -1 }, { 1, -1 }, { 1, 1 }
	};
	double			q = fmod(t, p->period) / (p->period / 4), f;
	int			s = (int)q;

	s = s > 3 ? 3 : s;
	f = sim_profile(q - s);
	*ox = p->radius * (corner[s][0] + (corner[s + 1][0] -
	    corner[s][0]) * f);
	*oy = p->radius * (corner[s][1] + (corner[s + 1][1] -
	    corner[s][1]) * f);
}

/*
 * Builds the log luminance of the image padded with one ring of
 * background (SIM_DVS_PADDED^2) from a CIFAR-10 record's planar R, G, B.
 */
static void
sim_dvs_scene(const struct sim_dvs_params *p, const uint8_t *rgb,
    float *scene)
{
	double	v;
	int	x, y, i;

	for (i = 0; i < SIM_DVS_PADDED * SIM_DVS_PADDED; i++)
		scene[i] = (float)log(p->background);
	for (y = 0; y < SIM_DVS_IMG; y++)
		for (x = 0; x < SIM_DVS_IMG; x++) {
			i = y * SIM_DVS_IMG + x;
			v = (0.299 * rgb[i] + 0.587 * rgb[1024 + i] +
			    0.114 * rgb[2048 + i]) / 255;
			scene[(y + 1) * SIM_DVS_PADDED + x + 1] =
			    (float)log(p->black + (p->white - p->black) *
			    pow(v, 2.2));
		}
}

/*
 * Where sensor columns (or rows) read the padded scene with the image
 * offset by o sensor pixels: cell idx[x] and fraction frac[x] towards the
 * next, clamped to the background ring beyond the image.
 */
static void
sim_dvs_axis(const struct sim_dvs_params *p, double o, int *idx, float *frac)
{
	double	u, hi = SIM_DVS_PADDED - 1.001;
	int	x;

	for (x = 0; x < SIM_DVS_SIDE; x++) {
		u = (x + 0.5 - SIM_DVS_SIDE / 2.0 - o) / p->scale +
		    SIM_DVS_IMG / 2.0 + 0.5;
		u = u < 0 ? 0 : u > hi ? hi : u;
		idx[x] = (int)u;
		frac[x] = (float)(u - idx[x]);
	}
}

/* Samples the log luminance of every sensor pixel into out (bilinear). */
static void
sim_dvs_view(const struct sim_dvs_params *p, const float *scene, double ox,
    double oy, float *out)
{
	const float	*r0, *r1;
	float		 fx[SIM_DVS_SIDE], fy[SIM_DVS_SIDE], a, b;
	int		 ix[SIM_DVS_SIDE], iy[SIM_DVS_SIDE], x, y;

	sim_dvs_axis(p, ox, ix, fx);
	sim_dvs_axis(p, oy, iy, fy);
	for (y = 0; y < SIM_DVS_SIDE; y++) {
		r0 = scene + iy[y] * SIM_DVS_PADDED;
		r1 = r0 + SIM_DVS_PADDED;
		for (x = 0; x < SIM_DVS_SIDE; x++) {
			a = r0[ix[x]] + fx[x] * (r0[ix[x] + 1] - r0[ix[x]]);
			b = r1[ix[x]] + fx[x] * (r1[ix[x] + 1] - r1[ix[x]]);
			out[y * SIM_DVS_SIDE + x] = a + fy[y] * (b - a);
		}
	}
}

/* A growing array of events. */
struct sim_dvs_buf {
	struct event	*ev;
	size_t		 n;
	size_t		 cap;
};

/* Appends an event at time t (clamped to 0 .. duration - 1). */
static int
sim_dvs_push(struct sim_dvs_buf *b, double t, double duration, int i, int on)
{
	struct event	*grown, *e;
	size_t		 cap;

	if (b->n == b->cap) {
		cap = b->cap == 0 ? 65536 : 2 * b->cap;
		if ((grown = mem_realloc(b->ev, cap * sizeof *grown)) == NULL)
			return -1;
		b->ev = grown;
		b->cap = cap;
	}
	t = t < 0 ? 0 : t > duration - 1 ? duration - 1 : t;
	e = &b->ev[b->n++];
	e->t = (uint32_t)lrint(t);
	e->x = (uint8_t)(i % SIM_DVS_SIDE);
	e->y = (uint8_t)(i / SIM_DVS_SIDE);
	e->p = (uint8_t)on;
	e->pad = 0;
	return 0;
}

/*
 * Records one CIFAR-10 record's pixels (3072 bytes, planar R, G, B)
 * drawing from r; *ev (*n events, sorted by time) is the caller's
 * (mem_free). The mismatch pattern comes from p->sensor.sensor_seed.
 */
int
sim_dvs_recording(const struct sim_dvs_params *p, const uint8_t *rgb,
    struct rng *r, struct event **ev, size_t *n, char **cause)
{
	const struct sim_params	*s = &p->sensor;
	struct sim_dvs_buf	 b = { NULL, 0, 0 };
	struct rng		 mis;
	struct event		*tmp;
	float			 scene[SIM_DVS_PADDED * SIM_DVS_PADDED];
	float			*level, *ref, *on_thr, *off_thr, *view;
	float			 prev, cur, thr;
	double			*ready, duration = p->period * p->loops;
	double			 t0, t1, te, ox, oy, a, rate, t;
	int			 nsteps, k, i, on;

	*ev = NULL;
	*n = 0;
	if (sim_dvs_validate(p, cause) != 0)
		return -1;
	level = mem_alloc(5 * SIM_DVS_PIXELS * sizeof *level);
	ready = mem_alloc(SIM_DVS_PIXELS * sizeof *ready);
	if (level == NULL || ready == NULL) {
		mem_free(level);
		mem_free(ready);
		return error_set(cause, "sim-dvs: out of memory");
	}
	ref = level + SIM_DVS_PIXELS;
	on_thr = ref + SIM_DVS_PIXELS;
	off_thr = on_thr + SIM_DVS_PIXELS;
	view = off_thr + SIM_DVS_PIXELS;
	rng_seed(&mis, s->sensor_seed);
	for (i = 0; i < SIM_DVS_PIXELS; i++) {
		on_thr[i] = sim_threshold(s->c_on, s->sigma, &mis);
		off_thr[i] = sim_threshold(s->c_off, s->sigma, &mis);
	}
	sim_dvs_scene(p, rgb, scene);
	sim_dvs_position(p, 0, &ox, &oy);
	sim_dvs_view(p, scene, ox, oy, level);
	for (i = 0; i < SIM_DVS_PIXELS; i++) {
		ref[i] = level[i] + off_thr[i] - (float)rng_uniform(r) *
		    (on_thr[i] + off_thr[i]);
		ready[i] = -s->refractory;
	}
	nsteps = (int)ceil(duration / s->dt);
	for (k = 0; k < nsteps; k++) {
		t0 = k * s->dt;
		t1 = fmin((k + 1) * s->dt, duration);
		a = s->tau > 0 ? 1 - exp((t0 - t1) / s->tau) : 1;
		sim_dvs_position(p, t1, &ox, &oy);
		sim_dvs_view(p, scene, ox, oy, view);
		for (i = 0; i < SIM_DVS_PIXELS; i++) {
			prev = level[i];
			cur = prev + (float)a * (view[i] - prev);
			level[i] = cur;
			if (cur - ref[i] < on_thr[i] &&
			    ref[i] - cur < off_thr[i])
				continue;
			on = cur > ref[i];
			thr = on ? on_thr[i] : -off_thr[i];
			/* sim.c's sim_fire: one event per threshold crossed */
			while (on ? cur - ref[i] >= thr : cur - ref[i] <= thr) {
				ref[i] += thr;
				te = cur == prev ? t0 : t0 + (t1 - t0) *
				    (ref[i] - prev) / (cur - prev);
				if (te < ready[i])
					continue;
				ready[i] = te + s->refractory;
				if (s->jitter > 0)
					te += s->jitter * rng_normal(r);
				if (sim_dvs_push(&b, te, duration, i, on) != 0)
					goto nomem;
			}
		}
	}
	rate = s->noise_rate * SIM_DVS_PIXELS * 1e-6;
	for (t = 0; rate > 0;) {
		t -= log(1 - rng_uniform(r)) / rate;
		if (t >= duration)
			break;
		i = (int)rng_below(r, SIM_DVS_PIXELS);
		if (sim_dvs_push(&b, t, duration, i,
		    rng_uniform(r) < s->noise_on) != 0)
			goto nomem;
	}
	if ((tmp = mem_alloc((b.n + 1) * sizeof *tmp)) == NULL)
		goto nomem;
	data_nmnist_sort(b.ev, tmp, b.n);
	mem_free(tmp);
	mem_free(level);
	mem_free(ready);
	*ev = b.ev;
	*n = b.n;
	return 0;
nomem:
	mem_free(b.ev);
	mem_free(level);
	mem_free(ready);
	return error_set(cause, "sim-dvs: out of memory after %zu events",
	    b.n);
}

/*
 * Reads CIFAR-10 binary records (1 label byte, 3072 pixel bytes) from
 * path, plain or gzip, into *rec (mem_free), *n records.
 */
int
sim_dvs_read_cifar(const char *path, uint8_t **rec, size_t *n,
    char **cause)
{
	uint8_t	*buf;
	size_t	 len;

	*rec = NULL;
	*n = 0;
	if (data_idx_read_bytes(path, &buf, &len, cause) != 0)
		return -1;
	if (len == 0 || len % 3073 != 0) {
		mem_free(buf);
		return error_set(cause, "%s: %zu bytes is not a whole number "
		    "of 3073-byte CIFAR-10 records", path, len);
	}
	*rec = buf;
	*n = len / 3073;
	return 0;
}

/*
 * Simulates records 0 .. n - 1 of rec (CIFAR-10 records) into
 * dir/<class>/cifar10_<class>_<i>.aedat, i counting each class's images
 * from 0 in record order; recording j draws from sim_seed(seed, j).
 * *events gets the total; progress (may be NULL) is called after each.
 */
int
sim_dvs_write_set(const struct sim_dvs_params *p, const uint8_t *rec,
    size_t n, const char *dir, uint64_t seed, uint64_t *events,
    void (*progress)(size_t, size_t, void *), void *arg, char **cause)
{
	struct event	*ev;
	struct rng	 r;
	size_t		 j, m, count[DATA_AEDAT_NCLASSES] = { 0 };
	char		 path[4096];
	int		 c;

	*events = 0;
	if (file_mkdirs(dir, 0777, cause) != 0)
		return -1;
	for (j = 0; j < n; j++) {
		c = rec[j * 3073];
		if (c >= DATA_AEDAT_NCLASSES)
			return error_set(cause, "record %zu: label %d is not "
			    "a CIFAR-10 class", j, c);
		snprintf(path, sizeof path, "%s/%s", dir,
		    data_aedat_classes[c]);
		if (file_mkdirs(path, 0777, cause) != 0)
			return -1;
		snprintf(path, sizeof path, "%s/%s/cifar10_%s_%zu.aedat", dir,
		    data_aedat_classes[c], data_aedat_classes[c], count[c]++);
		rng_seed(&r, sim_seed(seed, j));
		if (sim_dvs_recording(p, rec + j * 3073 + 1, &r, &ev, &m,
		    cause) != 0)
			return -1;
		if (data_aedat_write_file(path, ev, m, cause) != 0) {
			mem_free(ev);
			return -1;
		}
		mem_free(ev);
		*events += m;
		if (progress != NULL)
			progress(j + 1, n, arg);
	}
	return 0;
}
