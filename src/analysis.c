/*
 * analysis.c: the conversion errors of one converted layer after T steps
 * (Bu et al., ICLR 2022, Eqs. 9-13; DESIGN.md "Conversion error, per
 * layer"). For a neuron with input current I(t), spike count n and final
 * membrane v(T), threshold theta and v(0):
 *
 *	z = (1/T) sum_t I(t),  phi = theta n / T,
 *	Eq. 9: phi = z - (v(T) - v(0)) / T (exact up to rounding),
 *	n_even = clip(floor((T z + v(0)) / theta), 0, T),
 *	unevenness e = theta (n - n_even) / T,
 *	clipping = min(max(z, 0), theta) - max(z, 0),
 *	quantization = theta n_even / T - min(max(z, 0), theta).
 *
 * Sums run in double over every neuron of every image of the layer, so a
 * layer's numbers are the means over the whole data set. Against the ANN
 * run on the same images, the total error of a neuron is phi - a, with a
 * the output of the qcfs module the neuron replaced: the sum of the three
 * errors above and of what the layers below pass on.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* The larger of a and b (maxsd, where fmax would be a call). */
static double
analysis_max(double a, double b)
{
	return a > b ? a : b;
}

/* The smaller of a and b. */
static double
analysis_min(double a, double b)
{
	return a < b ? a : b;
}

/*
 * Returns the slot of value in a histogram of ANALYSIS_BINS bins from lo
 * with scale = ANALYSIS_BINS / (hi - lo): 0 below, 1 + bin, or
 * ANALYSIS_BINS + 1 above.
 */
static int
analysis_slot(double lo, double scale, double value)
{
	double	pos = analysis_min(analysis_max((value - lo) * scale, -1),
	    ANALYSIS_BINS);

	return (int)(pos + 1);
}

/*
 * Returns floor(q) clipped to [0, T], by truncation (floor is a call on
 * the baseline instruction set).
 */
static double
analysis_floor_clip(double q, double T)
{
	double	t;

	q = analysis_min(analysis_max(q, -1), T + 1);
	t = (double)(long)q;
	t -= t > q;
	return analysis_min(analysis_max(t, 0), T);
}

/* Adds the slot counts c (as analysis_slot numbers them) to h. */
static void
analysis_hist_add(struct analysis_hist *h, const size_t *c)
{
	int	b;

	h->below += (double)c[0];
	for (b = 0; b < ANALYSIS_BINS; b++)
		h->count[b] += (double)c[b + 1];
	h->above += (double)c[ANALYSIS_BINS + 1];
}

/*
 * Adds the neurons of converted layer m (B samples, after its steps so
 * far, with analysis on) to a. The sums run in locals (the compiler need
 * not store them each neuron) and divide only where a floor or a bin
 * depends on the exact quotient.
 */
void
analysis_add(struct analysis *a, const struct module *m, int B)
{
	const float	*v, *count;
	const double	*sum_in;
	struct analysis	 s;
	double		 theta = m->param[0].data[0], z, zc, zt, n, even, d;
	double		 v0, T, invT, step, q, c, r, dsum = 0, dabs = 0;
	double		 vscale, escale;
	size_t		 i, N = (size_t)B * m->in_size, below = 0, above = 0;
	size_t		 uneven = 0;
	size_t		 vslot[ANALYSIS_BINS + 2] = { 0 };
	size_t		 eslot[ANALYSIS_BINS + 2] = { 0 };
	int		 steps;
	float		 v0f;

	layer_qcfs_if_state(m, &v, &count, &sum_in, &v0f, &steps);
	if (count == NULL || steps == 0)
		return;
	if (a->neurons == 0) {
		a->v_hist.lo = -1;
		a->v_hist.hi = 2;
		a->e_hist.lo = -ANALYSIS_BINS / 2 - 0.5;
		a->e_hist.hi = ANALYSIS_BINS / 2 - 0.5;
	}
	a->T = steps;
	s = *a;
	T = steps;
	invT = 1 / T;
	step = theta / T;
	v0 = v0f;
	vscale = ANALYSIS_BINS / (s.v_hist.hi - s.v_hist.lo);
	escale = ANALYSIS_BINS / (s.e_hist.hi - s.e_hist.lo);
	for (i = 0; i < N; i++) {
		z = sum_in[i] * invT;
		n = count[i];
		even = analysis_floor_clip((sum_in[i] + v0) / theta, T);
		d = n - even;
		zc = analysis_max(z, 0);
		zt = analysis_min(zc, theta);
		c = zt - zc;
		q = step * even - zt;
		r = fabs(step * n - z + (v[i] - v0) * invT);
		s.spikes += n;
		below += v[i] < 0;
		above += v[i] >= theta;
		uneven += d != 0;
		dsum += d;
		dabs += fabs(d);
		s.eq9_max_abs = analysis_max(r, s.eq9_max_abs);
		s.sum_clip += c;
		s.sum_abs_clip -= c;
		s.sum_quant += q;
		s.sum_abs_quant += fabs(q);
		vslot[analysis_slot(s.v_hist.lo, vscale, v[i] / theta)]++;
		eslot[analysis_slot(s.e_hist.lo, escale, d)]++;
	}
	analysis_hist_add(&s.v_hist, vslot);
	analysis_hist_add(&s.e_hist, eslot);
	s.below += (double)below;
	s.above += (double)above;
	s.uneven += (double)uneven;
	s.sum_e += step * dsum;
	s.sum_abs_e += step * dabs;
	s.neurons += (double)N;
	*a = s;
}

/*
 * Adds the total error phi - a of the neurons of converted layer m (B
 * samples, with analysis on) to a, with ann the (B * N) outputs of the
 * matching qcfs module of the ANN; also per channel (the first dimension
 * of a sample). -1 with a message when out of memory.
 */
int
analysis_add_total(struct analysis *a, const struct module *m,
    const float *ann, int B, char **cause)
{
	const float	*v, *count;
	const double	*sum_in;
	double		 theta = m->param[0].data[0], e, sum, sabs, step;
	size_t		 i, j, b, N = m->in_size, plane;
	int		 steps, c, C = m->in_ndim > 0 ? m->in_shape[0] : 1;
	float		 v0;

	layer_qcfs_if_state(m, &v, &count, &sum_in, &v0, &steps);
	if (count == NULL || steps == 0)
		return 0;
	if (a->chan_total == NULL) {
		if ((a->chan_total = calloc((size_t)C,
		    sizeof *a->chan_total)) == NULL)
			return error_set(cause, "out of memory");
		a->nchan = C;
	}
	plane = N / (size_t)C;
	step = theta / steps;
	sum = sabs = 0;
	for (b = 0; b < (size_t)B; b++)
		for (c = 0; c < C; c++) {
			i = b * N + (size_t)c * plane;
			for (j = i; j < i + plane; j++) {
				e = step * count[j] - ann[j];
				a->chan_total[c] += e;
				sum += e;
				sabs += fabs(e);
			}
		}
	a->has_total = 1;
	a->sum_total += sum;
	a->sum_abs_total += sabs;
	a->chan_neurons += (double)B * (double)plane;
	return 0;
}

/* Turns the sums of a into the means and fractions it reports. */
void
analysis_finish(struct analysis *a)
{
	double	N = a->neurons > 0 ? a->neurons : 1;
	int	c;

	a->rate = a->spikes / N / (a->T > 0 ? a->T : 1);
	a->frac_below = a->below / N;
	a->frac_above = a->above / N;
	a->frac_uneven = a->uneven / N;
	a->mean_e = a->sum_e / N;
	a->mean_abs_e = a->sum_abs_e / N;
	a->mean_clip_err = a->sum_clip / N;
	a->mean_abs_clip_err = a->sum_abs_clip / N;
	a->mean_quant_err = a->sum_quant / N;
	a->mean_abs_quant_err = a->sum_abs_quant / N;
	a->total_err = a->sum_total / N;
	a->mean_abs_total_err = a->sum_abs_total / N;
	for (c = 0; c < a->nchan; c++)
		a->chan_total[c] /= a->chan_neurons > 0 ? a->chan_neurons : 1;
}
