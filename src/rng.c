/*
 * rng.c: xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom
 * number generators", 2021), seeded with splitmix64. The state is explicit so
 * every run is reproducible from its seed.
 */
#include <math.h>

#include "core.h"

/* Rotates x left by k bits. */
static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Seeds the four state words from one 64-bit seed through splitmix64. */
void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t	z;
	int		i;

	for (i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		z = seed;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
}

/* Returns the next 64 random bits. */
uint64_t
rng_next(struct rng *r)
{
	uint64_t	*s = r->s;
	uint64_t	 result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t	 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Returns a double uniform in [0, 1) from the top 53 bits. */
double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Returns an integer uniform in [0, n) without modulo bias (Lemire). */
uint32_t
rng_below(struct rng *r, uint32_t n)
{
	uint64_t	m = (rng_next(r) >> 32) * (uint64_t)n;
	uint32_t	low = (uint32_t)m, threshold;

	if (low < n) {
		threshold = (uint32_t)(-n) % n;
		while (low < threshold) {
			m = (rng_next(r) >> 32) * (uint64_t)n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

/* Returns a standard normal sample (Box-Muller, one of the pair). */
double
rng_normal(struct rng *r)
{
	double	u1, u2;

	do
		u1 = rng_uniform(r);
	while (u1 <= 0.0);
	u2 = rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Shuffles v in place (Fisher-Yates). */
void
rng_shuffle(struct rng *r, uint32_t *v, size_t n)
{
	size_t		i, j;
	uint32_t	tmp;

	for (i = n; i > 1; i--) {
		j = rng_below(r, (uint32_t)i);
		tmp = v[i - 1];
		v[i - 1] = v[j];
		v[j] = tmp;
	}
}
