/*
 * loss.c: losses on the mean firing rate over T of output spikes s (T, B, C),
 * as in SpikingJelly's tutorials: the rate r (B, C) = mean over t of s.
 *
 * Labels are not checked here: callers guarantee 0 <= labels[b] < C, T, B
 * and C positive, and a positive temperature.
 */
#include <math.h>

#include "core.h"

/* Returns the mean over T of s (T, B, C) at batch row b, class c. */
static double
loss_rate(const float *s, int T, int B, int C, int b, int c)
{
	size_t	stride = (size_t)B * C, i = (size_t)b * C + c;
	double	sum = 0;
	int	t;

	for (t = 0; t < T; t++)
		sum += s[(size_t)t * stride + i];
	return sum / T;
}

/* Writes g into ds (T, B, C) at batch row b, class c, for every step. */
static void
loss_spread(float *ds, float g, int T, int B, int C, int b, int c)
{
	size_t	stride = (size_t)B * C, i = (size_t)b * C + c;
	int	t;

	for (t = 0; t < T; t++)
		ds[(size_t)t * stride + i] = g;
}

/*
 * Mean squared error between the rate and the one-hot label, averaged over
 * B * C (PyTorch's F.mse_loss); ds (T, B, C) = dL/ds when not NULL.
 */
double
loss_mse_rate(float *ds, const float *s, const int *labels, int T, int B,
    int C)
{
	double	d, sum = 0, scale = 2.0 / ((double)B * C * T);
	int	b, c;

	for (b = 0; b < B; b++) {
		for (c = 0; c < C; c++) {
			d = loss_rate(s, T, B, C, b, c) -
			    (c == labels[b] ? 1.0 : 0.0);
			sum += d * d;
			if (ds != NULL)
				loss_spread(ds, (float)(scale * d), T, B, C, b,
				    c);
		}
	}
	return sum / ((double)B * C);
}

/*
 * Cross-entropy of logits rate / temperature (the mean over T of s) against
 * the labels, averaged over B, through a stable log-softmax; with smoothing
 * eps the target is 1 - eps + eps / C for the label and eps / C elsewhere,
 * as F.cross_entropy's label_smoothing. ds (T, B, C) = dL/ds when not NULL.
 */
double
loss_ce_rate(float *ds, const float *s, const int *labels, int T, int B,
    int C, float temperature, float smoothing)
{
	double	z, zmax, sum, lse, total = 0, target;
	double	scale = 1.0 / ((double)B * T * temperature);
	double	eps = smoothing, off = eps / C;
	int	b, c;

	for (b = 0; b < B; b++) {
		zmax = -INFINITY;
		for (c = 0; c < C; c++) {
			z = loss_rate(s, T, B, C, b, c) / temperature;
			if (z > zmax)
				zmax = z;
		}
		sum = 0;
		for (c = 0; c < C; c++)
			sum += exp(loss_rate(s, T, B, C, b, c) / temperature -
			    zmax);
		lse = zmax + log(sum);
		for (c = 0; c < C; c++) {
			z = loss_rate(s, T, B, C, b, c) / temperature;
			target = off + (c == labels[b] ? 1.0 - eps : 0.0);
			if (target != 0)
				total += target * (lse - z);
			if (ds != NULL)
				loss_spread(ds, (float)(scale * (exp(z - lse) -
				    target)), T, B, C, b, c);
		}
	}
	return total / B;
}
