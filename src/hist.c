/*
 * hist.c: histograms of float arrays, such as the membrane potential
 * relative to the threshold (the surrogate's argument), which shows how
 * much of a layer falls inside a compact-support surrogate's window.
 */
#include <string.h>

#include "core.h"

/*
 * Counts x[i] - shift for i < n into bins equal bins over [lo, hi):
 * counts (bins) is overwritten; values below lo, at or above hi, and NaN
 * go to h->below, h->above and h->nan.
 */
void
hist_count(struct hist *h, const float *x, size_t n, float shift)
{
	double	scale = h->bins / (h->hi - h->lo), v;
	size_t	i;
	long	k;

	memset(h->counts, 0, (size_t)h->bins * sizeof *h->counts);
	h->below = h->above = h->nan = 0;
	for (i = 0; i < n; i++) {
		v = (double)x[i] - shift;
		if (v != v) {
			h->nan++;
			continue;
		}
		if (v < h->lo) {
			h->below++;
			continue;
		}
		k = (long)((v - h->lo) * scale);
		if (k >= h->bins)
			h->above++;
		else
			h->counts[k]++;
	}
}
