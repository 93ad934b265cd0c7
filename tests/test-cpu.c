/*
 * test-cpu.c: the instruction-set level of cpu.c: SNNWB_ISA's values on
 * processors of each level (cpu_isa_choose), SNNWB_ISA=plain forcing the
 * plain kernels here from the first use on several threads at once, and
 * cpu_isa_limit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

#define NTHREADS 4

/* The names of the levels, by enum cpu_isa. */
static const char *const names[CPU_ISA_COUNT] = {
	"plain", "ssse3", "avx2", "avx512"
};

/* A thread that asks for the level first; arg receives it. */
static void *
first_use(void *arg)
{
	*(enum cpu_isa *)arg = cpu_isa();
	return NULL;
}

/*
 * Checks one value of SNNWB_ISA on a processor of level best: the level
 * chosen is want, and it fails with a message that holds text (NULL:
 * succeeds without one).
 */
static void
choose(const char *value, enum cpu_isa best, enum cpu_isa want,
    const char *text)
{
	enum cpu_isa	 isa = CPU_ISA_COUNT;
	char		*cause = NULL;
	int		 rc;

	rc = cpu_isa_choose(value, best, &isa, &cause);
	if (text == NULL)
		ok(rc == 0 && isa == want && cause == NULL,
		    "SNNWB_ISA=%s on %s gives %s (got %d, level %d)",
		    value != NULL ? value : "(unset)", names[best],
		    names[want], rc, (int)isa);
	else
		ok(rc == -1 && isa == want && cause != NULL &&
		    strstr(cause, text) != NULL,
		    "SNNWB_ISA=%s on %s gives %s and says \"%s\" (got %d, "
		    "level %d, \"%s\")", value, names[best], names[want], text,
		    rc, (int)isa, cause != NULL ? cause : "(none)");
	free(cause);
}

/* The values of SNNWB_ISA on processors of each level. */
static void
test_choose(void)
{
	enum cpu_isa	isa;
	int		best, i;

	for (best = 0; best < CPU_ISA_COUNT; best++) {
		choose(NULL, (enum cpu_isa)best, (enum cpu_isa)best, NULL);
		choose("", (enum cpu_isa)best, (enum cpu_isa)best, NULL);
		choose("plain", (enum cpu_isa)best, CPU_ISA_PLAIN, NULL);
	}
	for (i = 0; i < CPU_ISA_COUNT; i++) {
		ok(strcmp(cpu_isa_name((enum cpu_isa)i), names[i]) == 0,
		    "level %d is named %s (got %s)", i, names[i],
		    cpu_isa_name((enum cpu_isa)i));
		choose(names[i], CPU_ISA_AVX512, (enum cpu_isa)i, NULL);
	}
	choose("AVX2", CPU_ISA_AVX512, CPU_ISA_AVX2, NULL);
	choose("Plain", CPU_ISA_AVX2, CPU_ISA_PLAIN, NULL);
	choose("ssse3", CPU_ISA_AVX2, CPU_ISA_SSSE3, NULL);
	choose("avx512", CPU_ISA_AVX2, CPU_ISA_AVX2,
	    "SNNWB_ISA=avx512: this processor lacks AVX-512F; using avx2");
	choose("avx512", CPU_ISA_SSSE3, CPU_ISA_SSSE3, "using ssse3");
	choose("avx2", CPU_ISA_SSSE3, CPU_ISA_SSSE3,
	    "lacks AVX2 and FMA; using ssse3");
	choose("avx2", CPU_ISA_PLAIN, CPU_ISA_PLAIN, "using plain");
	choose("ssse3", CPU_ISA_PLAIN, CPU_ISA_PLAIN, "lacks SSSE3");
	choose("sse9", CPU_ISA_AVX2, CPU_ISA_AVX2,
	    "SNNWB_ISA=sse9 is not plain, ssse3, avx2 or avx512; using avx2");
	choose("avx", CPU_ISA_PLAIN, CPU_ISA_PLAIN, "using plain");
	choose(" avx2", CPU_ISA_AVX512, CPU_ISA_AVX512, "is not plain");
	choose("avx2 ", CPU_ISA_AVX512, CPU_ISA_AVX512, "is not plain");
	ok(cpu_isa_choose("bogus", CPU_ISA_SSSE3, &isa, NULL) == -1 &&
	    isa == CPU_ISA_SSSE3, "an unknown name without a message "
	    "pointer still gives the best level");
}

/*
 * Returns whether the line of /proc/cpuinfo's flags holds the word flag;
 * line starts with a space after its colon and ends with a newline.
 */
static int
has_flag(const char *line, const char *flag)
{
	char	word[32];

	snprintf(word, sizeof word, " %s\n", flag);
	if (strstr(line, word) != NULL)
		return 1;
	snprintf(word, sizeof word, " %s ", flag);
	return strstr(line, word) != NULL;
}

/*
 * The best level against the flags Linux found on an x86 processor (in
 * /proc/cpuinfo); elsewhere it must be plain.
 */
static void
test_flags(enum cpu_isa best)
{
#ifdef CPU_X86
	FILE		*f;
	char		 line[8192];
	enum cpu_isa	 want = CPU_ISA_PLAIN;
	int		 found = 0;

	if ((f = fopen("/proc/cpuinfo", "r")) == NULL) {
		skip(1, "no /proc/cpuinfo to compare the best level with");
		return;
	}
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = strncmp(line, "flags", 5) == 0 &&
		    strchr(line, '\n') != NULL;
	fclose(f);
	if (!found) {
		skip(1, "no flags in /proc/cpuinfo");
		return;
	}
	if (has_flag(line, "ssse3")) {
		want = CPU_ISA_SSSE3;
		if (has_flag(line, "avx2") && has_flag(line, "fma")) {
			want = CPU_ISA_AVX2;
			if (has_flag(line, "avx512f"))
				want = CPU_ISA_AVX512;
		}
	}
	ok(best == want, "the best level is %s, as /proc/cpuinfo's flags "
	    "say (got %s)", cpu_isa_name(want), cpu_isa_name(best));
#else
	ok(best == CPU_ISA_PLAIN, "a processor other than x86 is plain "
	    "(got %s)", cpu_isa_name(best));
#endif
}

/*
 * SNNWB_ISA=plain, set before the first use, which several threads make
 * at once: they all get plain, with no warning; then cpu_isa_limit.
 */
static void
test_forced(void)
{
	pthread_t	t[NTHREADS];
	enum cpu_isa	got[NTHREADS], best, want;
	int		i, same = 1;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, first_use, &got[i]);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		same &= got[i] == CPU_ISA_PLAIN;
	}
	ok(same, "SNNWB_ISA=plain: %d threads at the first use get plain",
	    NTHREADS);
	ok(cpu_isa_warning() == NULL, "SNNWB_ISA=plain gives no warning "
	    "(got \"%s\")", cpu_isa_warning() != NULL ? cpu_isa_warning() :
	    "");
	best = cpu_isa_best();
	diag("this processor's best level is %s", cpu_isa_name(best));
	test_flags(best);
	ok(cpu_isa_limit(CPU_ISA_AVX512) == best && cpu_isa() == best,
	    "the limit avx512 gives the best level, %s", cpu_isa_name(best));
	want = best < CPU_ISA_AVX2 ? best : CPU_ISA_AVX2;
	ok(cpu_isa_limit(CPU_ISA_AVX2) == want && cpu_isa() == want,
	    "the limit avx2 gives %s (got %s)", cpu_isa_name(want),
	    cpu_isa_name(cpu_isa()));
	ok(cpu_isa_limit(CPU_ISA_PLAIN) == CPU_ISA_PLAIN &&
	    cpu_isa() == CPU_ISA_PLAIN, "the limit plain gives plain");
	ok(cpu_isa_best() == best, "the limits leave the best level as it is");
}

/* Runs every test; SNNWB_ISA is set here, before cpu.c reads it. */
int
main(void)
{
	if (setenv("SNNWB_ISA", "plain", 1) != 0)
		return 1;
	test_forced();
	test_choose();
	return done_testing();
}
