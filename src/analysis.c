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

#include "snnwb.h"

/* Counts value in histogram h of ANALYSIS_BINS bins over [lo, hi). */
static void
analysis_bin(struct analysis_hist *h, double value)
{
	double	pos = (value - h->lo) / (h->hi - h->lo) * ANALYSIS_BINS;

	if (pos < 0)
		h->below++;
	else if (pos >= ANALYSIS_BINS)
		h->above++;
	else
		h->count[(int)pos]++;
}

/*
 * Adds the neurons of converted layer m (B samples, after its steps so
 * far, with analysis on) to a.
 */
void
analysis_add(struct analysis *a, const struct module *m, int B)
{
	const float	*v, *count;
	const double	*sum_in;
	double		 theta = m->param[0].data[0], z, zc, n, even, e;
	double		 v0, phi, T;
	size_t		 i, N = (size_t)B * m->in_size;
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
	T = steps;
	v0 = v0f;
	for (i = 0; i < N; i++) {
		z = sum_in[i] / T;
		n = count[i];
		even = floor((sum_in[i] + v0) / theta);
		even = even < 0 ? 0 : even > T ? T : even;
		e = theta * (n - even) / T;
		phi = theta * n / T;
		zc = z < 0 ? 0 : z;
		a->spikes += n;
		a->below += v[i] < 0;
		a->above += v[i] >= theta;
		a->uneven += n != even;
		a->sum_e += e;
		a->sum_abs_e += fabs(e);
		a->eq9_max_abs = fmax(a->eq9_max_abs, fabs(phi - (z -
		    (v[i] - v0) / T)));
		a->sum_clip += fmin(zc, theta) - zc;
		a->sum_abs_clip += fabs(fmin(zc, theta) - zc);
		a->sum_quant += theta * even / T - fmin(zc, theta);
		a->sum_abs_quant += fabs(theta * even / T - fmin(zc, theta));
		analysis_bin(&a->v_hist, v[i] / theta);
		analysis_bin(&a->e_hist, n - even);
	}
	a->neurons += (double)N;
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
	double		 theta = m->param[0].data[0], e, sum, sabs;
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
	sum = sabs = 0;
	for (b = 0; b < (size_t)B; b++)
		for (c = 0; c < C; c++) {
			i = b * N + (size_t)c * plane;
			for (j = i; j < i + plane; j++) {
				e = theta * count[j] / steps - ann[j];
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
