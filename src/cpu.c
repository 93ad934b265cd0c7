/*
 * cpu.c: the processor's instruction sets and the level the kernels use.
 *
 * Kernels with SIMD variants (the sparse Linear path, the N-MNIST decoder)
 * ask cpu_isa() which to run. The levels are ordered, each with all those
 * before it: plain (C alone, the compiler's baseline), ssse3, avx2 (AVX2
 * and FMA) and avx512 (AVX-512F). The processor is examined once, on first
 * use from any thread; the level is then the best it has, or the one that
 * SNNWB_ISA names. A level the processor lacks gives the best it has below
 * that one, and a name that is not a level is ignored; either way a
 * warning is kept for the program to print (the engine prints nothing).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

/* Each level's name (as SNNWB_ISA spells it) and what it needs. */
static const struct cpu_level {
	const char	*name;
	const char	*needs;
} cpu_levels[CPU_ISA_COUNT] = {
	{ "plain", "nothing" },
	{ "ssse3", "SSSE3" },
	{ "avx2", "AVX2 and FMA" },
	{ "avx512", "AVX-512F" }
};

static pthread_once_t	 cpu_once = PTHREAD_ONCE_INIT;

/* The best level of this processor, set once by cpu_init. */
static enum cpu_isa	 cpu_best = CPU_ISA_PLAIN;

/* The level the kernels use; cpu_isa_limit may change it at any time. */
static atomic_int	 cpu_level = CPU_ISA_PLAIN;

/* What went wrong with SNNWB_ISA, or empty; set once by cpu_init. */
static char		 cpu_warning[160];

/* Returns the best level this processor has. */
static enum cpu_isa
cpu_detect(void)
{
#ifdef CPU_X86
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("ssse3"))
		return CPU_ISA_PLAIN;
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return CPU_ISA_SSSE3;
	if (!__builtin_cpu_supports("avx512f"))
		return CPU_ISA_AVX2;
	return CPU_ISA_AVX512;
#else
	return CPU_ISA_PLAIN;
#endif
}

/*
 * Examines the processor and SNNWB_ISA, once: sets the best level, the
 * level in use and the warning.
 */
static void
cpu_init(void)
{
	enum cpu_isa	 isa;
	char		*cause = NULL;

	cpu_best = cpu_detect();
	if (cpu_isa_choose(getenv("SNNWB_ISA"), cpu_best, &isa, &cause) != 0)
		snprintf(cpu_warning, sizeof cpu_warning, "%s", cause != NULL ?
		    cause : "SNNWB_ISA is not followed");
	free(cause);
	atomic_store(&cpu_level, (int)isa);
}

/*
 * Picks the level for the value of SNNWB_ISA (NULL or empty: unset) on a
 * processor whose best level is best: the level named, when best reaches
 * it; else -1 and a message with, in *isa, the best level below the one
 * named, or best itself for a name that is not a level (in any case).
 */
int
cpu_isa_choose(const char *value, enum cpu_isa best, enum cpu_isa *isa,
    char **cause)
{
	int	i;

	*isa = best;
	if (value == NULL || *value == '\0')
		return 0;
	for (i = 0; i < CPU_ISA_COUNT; i++)
		if (strcasecmp(value, cpu_levels[i].name) == 0)
			break;
	if (i == CPU_ISA_COUNT)
		return error_set(cause, "SNNWB_ISA=%s is not plain, ssse3, "
		    "avx2 or avx512; using %s", value, cpu_levels[best].name);
	if (i > (int)best)
		return error_set(cause, "SNNWB_ISA=%s: this processor lacks "
		    "%s; using %s", value, cpu_levels[i].needs,
		    cpu_levels[best].name);
	*isa = (enum cpu_isa)i;
	return 0;
}

/* Returns the level the kernels use now. */
enum cpu_isa
cpu_isa(void)
{
	pthread_once(&cpu_once, cpu_init);
	return (enum cpu_isa)atomic_load(&cpu_level);
}

/* Returns the best level this processor has, whatever SNNWB_ISA says. */
enum cpu_isa
cpu_isa_best(void)
{
	pthread_once(&cpu_once, cpu_init);
	return cpu_best;
}

/*
 * Makes the kernels use the level most, or the best this processor has
 * below it, in place of SNNWB_ISA's choice (for tests and benchmarks), and
 * returns that level. A kernel call that has started keeps its level.
 */
enum cpu_isa
cpu_isa_limit(enum cpu_isa most)
{
	enum cpu_isa	isa = most < cpu_isa_best() ? most : cpu_best;

	atomic_store(&cpu_level, (int)isa);
	return isa;
}

/* Returns the name of level isa, as SNNWB_ISA spells it. */
const char *
cpu_isa_name(enum cpu_isa isa)
{
	return cpu_levels[isa].name;
}

/*
 * Returns why SNNWB_ISA was not followed, for the program to print, or
 * NULL when it was (or is unset); the string is cpu.c's.
 */
const char *
cpu_isa_warning(void)
{
	pthread_once(&cpu_once, cpu_init);
	return cpu_warning[0] != '\0' ? cpu_warning : NULL;
}
