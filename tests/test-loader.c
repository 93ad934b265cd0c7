/*
 * test-loader.c: the batch loader. A fake data set whose values name their
 * sample checks orders, coverage, batch sizes, labels, subsets, failures
 * and stopping mid-epoch; a hand-made event set checks that the thread's
 * batches equal frames integrated directly; the shared N-MNIST subset runs
 * one real epoch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The fake data set: T steps of (1, 2, 3) values, labels i % 10. */
enum { FT = 3, FC = 1, FH = 2, FW = 3, FSTEP = FC * FH * FW, FMAX = 200 };

/* Value j of step k of fake sample i: 0 only for i = k = j = 0. */
#define FAKE_VALUE(i, k, j)	((float)((i) * 100 + (k) * 10 + (j)))

/* The fake's labels and the sample whose fill fails (or FMAX: none). */
struct fake {
	uint8_t		label[FMAX];
	size_t		fail_at;
};

/* Fills fake sample i; fails for fail_at with a message naming it. */
static int
fake_fill(const struct dataset *ds, size_t i, float *out, size_t t_stride,
    char **cause)
{
	const struct fake	*f = ds->src;
	size_t			 k, j;

	if (i == f->fail_at)
		return error_set(cause, "fake: sample %zu cannot be made", i);
	for (k = 0; k < FT; k++)
		for (j = 0; j < FSTEP; j++)
			out[k * t_stride + j] = FAKE_VALUE(i, k, j);
	return 0;
}

/* Makes a fake data set of n samples. */
static void
fake_init(struct dataset *ds, struct fake *f, size_t n)
{
	size_t	i;

	for (i = 0; i < FMAX; i++)
		f->label[i] = (uint8_t)(i % 10);
	f->fail_at = FMAX;
	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->label = f->label;
	ds->T = FT;
	ds->channels = FC;
	ds->height = FH;
	ds->width = FW;
	ds->fill = fake_fill;
	ds->src = f;
}

/* What one epoch over a fake data set gave. */
struct epoch {
	uint32_t	order[FMAX];	/* samples in the order served */
	size_t		n;
	size_t		batches;
	int		last_B;
	int		bad;		/* batches with a wrong value */
	size_t		nonzero;	/* sum of batch.nonzero */
	size_t		want_nonzero;	/* nonzero values served */
};

/*
 * Runs epoch e of l: every value, label and batch number is checked
 * against the sample indices the batch names; nonzero values are summed.
 */
static int
run_epoch(struct loader *l, const struct dataset *ds, int e, int batch,
    struct epoch *ep)
{
	struct batch	b;
	size_t		k, j, nz;
	char		*cause = NULL;
	int		s, rc, good;

	memset(ep, 0, sizeof *ep);
	if (data_loader_start_epoch(l, e, &cause) != 0) {
		diag("start_epoch: %s", cause);
		free(cause);
		return -1;
	}
	while ((rc = data_loader_next(l, &b, &cause)) == 1) {
		good = b.T == FT && b.index == ep->batches && b.B >= 1 &&
		    b.B <= batch && ep->n + (size_t)b.B <= FMAX;
		nz = 0;
		for (s = 0; good && s < b.B; s++) {
			good &= b.labels[s] == ds->label[b.sample[s]];
			for (k = 0; k < FT; k++)
				for (j = 0; j < FSTEP; j++) {
					good &= b.x[(k * (size_t)b.B +
					    (size_t)s) * FSTEP + j] ==
					    FAKE_VALUE(b.sample[s], k, j);
					nz += FAKE_VALUE(b.sample[s], k,
					    j) != 0;
				}
			ep->order[ep->n++] = b.sample[s];
		}
		ep->nonzero += b.nonzero;
		ep->want_nonzero += nz;
		ep->bad += !good;
		ep->batches++;
		ep->last_B = b.B;
	}
	if (rc != 0) {
		diag("next: %s", cause);
		free(cause);
	}
	return rc;
}

/* Returns 1 when order (n) holds each of want (n) exactly once. */
static int
same_set(const uint32_t *order, const uint32_t *want, size_t n)
{
	int	seen[FMAX] = { 0 };
	size_t	i;

	for (i = 0; i < n; i++)
		if (order[i] >= FMAX || seen[order[i]]++ != 0)
			return 0;
	for (i = 0; i < n; i++)
		if (want[i] >= FMAX || seen[want[i]] != 1)
			return 0;
	return 1;
}

/* Batches in order: counts, sizes, coverage, values, with and without drop. */
static void
test_plain(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*l;
	struct epoch		ep;
	uint32_t		all[103];
	size_t			i;
	int			rc, inorder = 1;

	fake_init(&ds, &f, 103);
	for (i = 0; i < 103; i++)
		all[i] = (uint32_t)i;
	data_loader_defaults(&o);
	ok(o.batch == 64 && o.shuffle == 1 && o.drop_last == 0 &&
	    o.index == NULL, "defaults: batches of 64, shuffled, all samples");
	o.batch = 10;
	o.shuffle = 0;
	o.count_nonzero = 1;
	l = data_loader_new(&ds, &o, NULL);
	ok(l != NULL && data_loader_batches(l) == 11,
	    "103 samples, batch 10: 11 batches");
	rc = run_epoch(l, &ds, 0, 10, &ep);
	for (i = 0; i < ep.n; i++)
		inorder &= ep.order[i] == i;
	ok(rc == 0 && ep.batches == 11 && ep.last_B == 3 && ep.n == 103 &&
	    inorder, "unshuffled: samples 0..102 in order, last batch of 3");
	ok(rc == 0 && ep.bad == 0, "every value, label and batch number "
	    "matches its sample (%d bad batches)", ep.bad);
	ok(ep.nonzero == ep.want_nonzero && ep.nonzero == 103 * FT * FSTEP - 1,
	    "count_nonzero: %zu nonzero values, all but sample 0's first",
	    ep.nonzero);
	data_loader_free(l);

	o.drop_last = 1;
	o.shuffle = 1;
	o.count_nonzero = 0;
	l = data_loader_new(&ds, &o, NULL);
	rc = run_epoch(l, &ds, 0, 10, &ep);
	ok(l != NULL && data_loader_batches(l) == 10 && rc == 0 &&
	    ep.batches == 10 && ep.last_B == 10 && ep.n == 100 &&
	    same_set(ep.order, ep.order, 100) && ep.bad == 0,
	    "drop_last: 10 full batches of 100 distinct samples");
	ok(ep.nonzero == 0, "without count_nonzero, batch.nonzero is 0");
	data_loader_free(l);

	o.drop_last = 0;
	o.batch = 103;
	l = data_loader_new(&ds, &o, NULL);
	rc = run_epoch(l, &ds, 0, 103, &ep);
	ok(l != NULL && rc == 0 && ep.batches == 1 && ep.last_B == 103 &&
	    same_set(ep.order, all, 103) && ep.bad == 0,
	    "one batch of all 103 samples");
	data_loader_free(l);
	o.batch = 1;
	l = data_loader_new(&ds, &o, NULL);
	rc = run_epoch(l, &ds, 0, 1, &ep);
	ok(l != NULL && rc == 0 && ep.batches == 103 && ep.last_B == 1 &&
	    same_set(ep.order, all, 103) && ep.bad == 0,
	    "103 batches of one sample");
	data_loader_free(l);
}

/* Shuffling: permutations, deterministic per (seed, epoch), new each epoch. */
static void
test_shuffle(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*a, *b, *c;
	struct epoch		e0, e1, again, e1b, s8;
	uint32_t		all[FMAX];
	size_t			i;
	int			rc = 0, moved = 0;

	fake_init(&ds, &f, 150);
	for (i = 0; i < 150; i++)
		all[i] = (uint32_t)i;
	data_loader_defaults(&o);
	o.batch = 16;
	o.seed = 7;
	a = data_loader_new(&ds, &o, NULL);
	b = data_loader_new(&ds, &o, NULL);
	o.seed = 8;
	c = data_loader_new(&ds, &o, NULL);
	rc |= run_epoch(a, &ds, 0, 16, &e0);
	rc |= run_epoch(a, &ds, 1, 16, &e1);
	rc |= run_epoch(a, &ds, 0, 16, &again);
	rc |= run_epoch(b, &ds, 1, 16, &e1b);
	rc |= run_epoch(c, &ds, 0, 16, &s8);
	for (i = 0; i < 150; i++)
		moved += e0.order[i] != i;
	ok(rc == 0 && e0.n == 150 && same_set(e0.order, all, 150) &&
	    e1.n == 150 && same_set(e1.order, all, 150) && moved > 100,
	    "epochs 0 and 1 are permutations of all 150 (%d moved)", moved);
	ok(e0.bad + e1.bad + again.bad + e1b.bad + s8.bad == 0,
	    "shuffled batches: every value and label matches its sample");
	ok(memcmp(e0.order, e1.order, sizeof e0.order) != 0,
	    "epoch 1 is ordered differently from epoch 0");
	ok(memcmp(e0.order, again.order, sizeof e0.order) == 0,
	    "seed 7, epoch 0 again: the same order");
	ok(memcmp(e1.order, e1b.order, sizeof e1.order) == 0,
	    "seed 7, epoch 1 in another loader without epoch 0: the same "
	    "order");
	ok(memcmp(s8.order, e0.order, sizeof s8.order) != 0 &&
	    memcmp(s8.order, e1.order, sizeof s8.order) != 0,
	    "seed 8 orders differently, and not like seed 7's epoch 1");
	data_loader_free(a);
	data_loader_free(b);
	data_loader_free(c);
}

/* Subsets: first n, random n, by classes, combined; and their errors. */
static void
test_subset(void)
{
	struct dataset		ds;
	struct fake		f;
	struct subset		s = { 0 };
	struct loader_opts	o;
	struct loader		*l;
	struct epoch		ep;
	uint32_t		*v, *w;
	size_t			n, m, i;
	char			*cause = NULL;
	int			good, rc;

	fake_init(&ds, &f, 120);
	s.n = 5;
	rc = data_loader_subset(&ds, &s, &v, &n, NULL);
	good = rc == 0 && n == 5;
	for (i = 0; good && i < n; i++)
		good &= v[i] == i;
	ok(good, "first 5: samples 0..4");
	if (rc == 0)
		mem_free(v);

	s.n = 0;
	s.classes = 1u << 3 | 1u << 7;
	rc = data_loader_subset(&ds, &s, &v, &n, NULL);
	good = rc == 0 && n == 24;
	for (i = 0; good && i < n; i++)
		good &= (f.label[v[i]] == 3 || f.label[v[i]] == 7) &&
		    (i == 0 || v[i] > v[i - 1]);
	ok(good, "classes 3 and 7: all 24 of them, in order");
	if (rc == 0)
		mem_free(v);

	s.n = 4;
	rc = data_loader_subset(&ds, &s, &v, &n, NULL);
	ok(rc == 0 && n == 4 && v[0] == 3 && v[1] == 7 && v[2] == 13 &&
	    v[3] == 17, "classes 3 and 7, first 4: 3 7 13 17");
	if (rc == 0)
		mem_free(v);

	s.classes = 0;
	s.n = 30;
	s.random = 1;
	s.seed = 1;
	rc = data_loader_subset(&ds, &s, &v, &n, NULL);
	s.seed = 2;
	rc |= data_loader_subset(&ds, &s, &w, &m, NULL);
	good = rc == 0 && n == 30 && m == 30 && v[29] < 120 && w[29] < 120;
	for (i = 1; good && i < n; i++)
		good &= v[i] > v[i - 1] && w[i] > w[i - 1];
	ok(good, "random 30: distinct, sorted, within range");
	ok(rc == 0 && v[29] > 29 && memcmp(v, w, 30 * sizeof *v) != 0,
	    "random 30: not the first 30, and seeds 1 and 2 differ");
	if (rc == 0) {
		mem_free(w);
		s.seed = 1;
		rc = data_loader_subset(&ds, &s, &w, &m, NULL);
		ok(rc == 0 && memcmp(v, w, 30 * sizeof *v) == 0,
		    "random 30, seed 1 again: the same samples");
		mem_free(w);

		data_loader_defaults(&o);
		o.index = v;
		o.nindex = 30;
		o.batch = 8;
		l = data_loader_new(&ds, &o, NULL);
		rc = run_epoch(l, &ds, 3, 8, &ep);
		ok(l != NULL && rc == 0 && data_loader_batches(l) == 4 &&
		    ep.batches == 4 && ep.last_B == 6 && ep.n == 30 &&
		    same_set(ep.order, v, 30) && ep.bad == 0,
		    "a loader of the subset serves exactly its 30 samples");
		data_loader_free(l);
		mem_free(v);
	}

	s.random = 0;
	s.n = 121;
	rc = data_loader_subset(&ds, &s, &v, &n, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "121 samples asked "
	    "for, only 120 available") != NULL, "too many refused: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	s.n = 0;
	s.classes = 1u << 12;
	rc = data_loader_subset(&ds, &s, &v, &n, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no samples of the "
	    "chosen classes (mask 0x1000)") != NULL,
	    "a class without samples refused: %s", cause ? cause : "");
	free(cause);
}

/* Option checks and calls out of order, with their messages. */
static void
test_errors(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*l;
	struct batch		b;
	uint32_t		idx[2] = { 3, 50 };
	char			*cause = NULL;
	int			rc;

	fake_init(&ds, &f, 50);
#define REFUSED(setup, text) do {					\
	data_loader_defaults(&o);					\
	setup;								\
	l = data_loader_new(&ds, &o, &cause);				\
	ok(l == NULL && cause != NULL && strstr(cause, text) != NULL,	\
	    "refused: %s", cause ? cause : #setup);			\
	free(cause);							\
	cause = NULL;							\
	data_loader_free(l);						\
} while (0)
	REFUSED(o.batch = 0, "batch must be at least 1 (got 0)");
	REFUSED((o.index = idx, o.nindex = 2), "index 1 is 50, past the 50");
	REFUSED((o.index = idx, o.nindex = 0), "no samples to load");
	REFUSED((o.drop_last = 1, o.batch = 51),
	    "drop_last with batches of 51 leaves none of the 50 samples");
	ds.fill = NULL;
	REFUSED((void)0, "no fill function");
	fake_init(&ds, &f, 50);
	ds.width = 0;
	REFUSED((void)0, "shape T 3 x 1 x 2 x 0");
#undef REFUSED

	fake_init(&ds, &f, 50);
	data_loader_defaults(&o);
	l = data_loader_new(&ds, &o, NULL);
	rc = data_loader_next(l, &b, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no epoch started"),
	    "next before start_epoch: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	data_loader_start_epoch(l, 0, NULL);
	while ((rc = data_loader_next(l, &b, NULL)) == 1)
		continue;
	ok(rc == 0 && data_loader_next(l, &b, NULL) == 0,
	    "after the last batch, next keeps returning 0");
	data_loader_free(l);
}

/* A sample that cannot be made: -1 with its message, then a clean end. */
static void
test_fill_failure(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*l;
	struct batch		b;
	char			*cause = NULL;
	int			rc, got = 0, i;

	fake_init(&ds, &f, 100);
	f.fail_at = 57;
	data_loader_defaults(&o);
	o.batch = 10;
	o.shuffle = 0;
	l = data_loader_new(&ds, &o, NULL);
	for (i = 0; i < 2; i++) {
		data_loader_start_epoch(l, i, NULL);
		got = 0;
		while ((rc = data_loader_next(l, &b, &cause)) == 1)
			got++;
		ok(rc == -1 && got == 5 && cause != NULL && strstr(cause,
		    "fake: sample 57 cannot be made") != NULL,
		    "epoch %d: 5 batches, then the failure: %s", i,
		    cause ? cause : "");
		free(cause);
		cause = NULL;
		ok(data_loader_next(l, &b, NULL) == 0,
		    "epoch %d: next after the failure ends the epoch", i);
	}
	data_loader_free(l);
}

/* Stopping mid-epoch: freeing, restarting, freeing before any batch. */
static void
test_stop(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*l;
	struct batch		b;
	struct epoch		ep;
	uint32_t		all[FMAX];
	int			rc, i;

	fake_init(&ds, &f, 200);
	for (i = 0; i < 200; i++)
		all[i] = (uint32_t)i;
	data_loader_defaults(&o);
	o.batch = 4;
	l = data_loader_new(&ds, &o, NULL);
	rc = data_loader_start_epoch(l, 0, NULL);
	data_loader_free(l);
	ok(l != NULL && rc == 0, "freed right after start_epoch, before any "
	    "batch (ASan checks for leaks)");

	l = data_loader_new(&ds, &o, NULL);
	data_loader_start_epoch(l, 0, NULL);
	rc = data_loader_next(l, &b, NULL);
	rc += data_loader_next(l, &b, NULL);
	ok(rc == 2 && b.index == 1, "two batches of epoch 0");
	rc = run_epoch(l, &ds, 1, 4, &ep);
	ok(rc == 0 && ep.n == 200 && ep.batches == 50 &&
	    same_set(ep.order, all, 200) && ep.bad == 0,
	    "epoch 1 started mid-epoch 0 covers all 200 samples");
	data_loader_start_epoch(l, 2, NULL);
	rc = data_loader_next(l, &b, NULL);
	data_loader_free(l);
	ok(rc == 1, "freed mid-epoch 2 holding a batch");
}

/* Allocation failure at every step of data_loader_new. */
static void
test_alloc_failure(void)
{
	struct dataset		ds;
	struct fake		f;
	struct loader_opts	o;
	struct loader		*l;
	char			*cause;
	long			k;
	int			fails = 0, messages = 0;

	fake_init(&ds, &f, 20);
	data_loader_defaults(&o);
	for (k = 0; k < 50; k++) {
		cause = NULL;
		mem_fail_after(k);
		l = data_loader_new(&ds, &o, &cause);
		mem_fail_after(-1);
		if (l != NULL) {
			data_loader_free(l);
			break;
		}
		fails++;
		messages += cause != NULL && strstr(cause, "out of memory");
		free(cause);
	}
	ok(fails > 3 && messages == fails && k < 50,
	    "data_loader_new: %d allocation failures each reported", fails);
}

/* Appends random events of recording r to es, some hitting one pixel. */
static void
add_recording(struct eventset *es, struct rng *rng, size_t r, size_t n)
{
	uint64_t	e = es->off[r];
	uint32_t	now = rng_below(rng, 100);
	size_t		i;

	for (i = 0; i < n; i++, e++) {
		now += rng_below(rng, 50);
		es->t[e] = now;
		es->xyp[e] = i % 3 == 0 ? EVENTSET_PACK(2, 3, 1) :
		    EVENTSET_PACK(rng_below(rng, 8), rng_below(rng, 6),
		    rng_below(rng, 2));
	}
	es->off[r + 1] = e;
	es->label[r] = (uint8_t)(r % 10);
	es->id[r] = (uint32_t)(r + 1);
}

/*
 * Event sets: the thread's batches equal frames integrated directly, by
 * number and by time with a transform; a bad event names its recording.
 */
static void
test_eventset(void)
{
	enum { NR = 27, MAXEV = 90, BATCH = 4, STEP = 2 * 6 * 8 };
	struct eventset		es;
	struct rng		rng;
	struct dataset		ds;
	struct frames_opts	fo;
	struct loader_opts	o;
	struct loader		*l;
	struct batch		b;
	uint64_t		offs[NR + 1];
	uint32_t		t[NR * MAXEV], id[NR];
	uint16_t		xyp[NR * MAXEV];
	uint8_t			label[NR];
	float			*want;
	size_t			r, k, nz, values, bad, served;
	char			*cause = NULL;
	int			s, rc, split;

	memset(&es, 0, sizeof es);
	es.n = NR;
	es.off = offs;
	es.t = t;
	es.xyp = xyp;
	es.label = label;
	es.id = id;
	es.width = 8;
	es.height = 6;
	offs[0] = 0;
	rng_seed(&rng, 11);
	for (r = 0; r < NR; r++)
		add_recording(&es, &rng, r, r == 5 ? 0 : rng_below(&rng,
		    MAXEV));
	want = malloc(12 * BATCH * STEP * sizeof *want);

	for (split = 0; split < 2; split++) {
		data_frames_defaults(&fo);
		fo.split = (enum frames_split)split;
		fo.T = 12;
		fo.divide = split ? 3 : 1;
		rc = data_loader_eventset(&ds, &es, &fo, NULL);
		ok(rc == 0 && ds.n == NR && ds.T == 12 && ds.channels == 2 &&
		    ds.height == 6 && ds.width == 8 &&
		    data_loader_step_size(&ds) == STEP,
		    "event set as a data set: %d x 2 x 6 x 8", fo.T);
		data_loader_defaults(&o);
		o.batch = BATCH;
		o.seed = 5;
		o.count_nonzero = 1;
		l = data_loader_new(&ds, &o, NULL);
		data_loader_start_epoch(l, 0, NULL);
		bad = served = 0;
		while ((rc = data_loader_next(l, &b, NULL)) == 1) {
			values = (size_t)fo.T * (size_t)b.B * STEP;
			for (s = 0; s < b.B; s++) {
				r = b.sample[s];
				data_frames_integrate(want + (size_t)s * STEP,
				    (size_t)b.B * STEP, t + offs[r],
				    xyp + offs[r], offs[r + 1] - offs[r], 6, 8,
				    &fo, NULL);
				bad += b.labels[s] != label[r];
			}
			for (k = nz = 0; k < values; k++)
				nz += want[k] != 0;
			bad += memcmp(b.x, want, values * sizeof *want) != 0;
			bad += b.nonzero != nz;
			served += (size_t)b.B;
		}
		ok(rc == 0 && served == NR && bad == 0, "by %s: every batch "
		    "equals direct integration, labels and nonzero counts too",
		    data_frames_split_name(fo.split));
		data_loader_free(l);
	}

	fo.T = 0;
	rc = data_loader_eventset(&ds, &es, &fo, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "T must be") != NULL,
	    "frames options checked: %s", cause ? cause : "");
	free(cause);
	cause = NULL;

	fo.T = 2;
	xyp[offs[9] + 1] = EVENTSET_PACK(8, 0, 0);
	data_loader_eventset(&ds, &es, &fo, NULL);
	data_loader_defaults(&o);
	o.shuffle = 0;
	o.batch = 5;
	l = data_loader_new(&ds, &o, NULL);
	data_loader_start_epoch(l, 0, NULL);
	while ((rc = data_loader_next(l, &b, &cause)) == 1)
		continue;
	ok(rc == -1 && cause != NULL && strstr(cause, "recording 9 (id 10, "
	    "class 9): frames: event 1 at x 8") != NULL,
	    "a bad event names its recording: %s", cause ? cause : "");
	free(cause);
	data_loader_free(l);
	free(want);
}

/* One epoch over the real recordings of the shared N-MNIST subset. */
static void
test_real(void)
{
	struct data_nmnist_options	no = { 0 };
	struct eventset			es;
	struct dataset			ds;
	struct frames_opts		fo;
	struct loader_opts		o;
	struct loader			*l;
	struct batch			b;
	const char			*root;
	float				*want;
	size_t				served = 0, bad = 0, r, step;
	char				*cause = NULL;
	int				rc, s, k;

	if ((root = tap_fixture("datasets/nmnist-subset", 1)) == NULL)
		return;
	no.no_cache = 1;
	if (data_nmnist_load(root, "train", &no, &es, NULL, &cause) != 0) {
		ok(0, "loading %s: %s", root, cause);
		free(cause);
		return;
	}
	data_frames_defaults(&fo);
	data_loader_eventset(&ds, &es, &fo, NULL);
	step = data_loader_step_size(&ds);
	data_loader_defaults(&o);
	l = data_loader_new(&ds, &o, NULL);
	want = malloc((size_t)fo.T * step * sizeof *want);
	data_loader_start_epoch(l, 0, NULL);
	while ((rc = data_loader_next(l, &b, &cause)) == 1) {
		for (s = 0; s < b.B; s++) {
			r = b.sample[s];
			data_frames_integrate(want, step, es.t + es.off[r],
			    es.xyp + es.off[r], es.off[r + 1] - es.off[r], 34,
			    34, &fo, NULL);
			bad += b.labels[s] != es.label[r];
			for (k = 0; k < fo.T; k++)
				bad += memcmp(b.x + ((size_t)k *
				    (size_t)b.B + (size_t)s) * step,
				    want + (size_t)k * step,
				    step * sizeof *want) != 0;
		}
		served += (size_t)b.B;
	}
	ok(rc == 0 && es.n == 1000 && served == 1000 && bad == 0 &&
	    data_loader_batches(l) == 16, "real subset: 1000 recordings in "
	    "16 batches of 64 equal direct integration, labels too");
	free(want);
	data_loader_free(l);
	data_nmnist_free(&es);
}

/* Runs every group of tests. */
int
main(void)
{
	test_plain();
	test_shuffle();
	test_subset();
	test_errors();
	test_fill_failure();
	test_stop();
	test_alloc_failure();
	test_eventset();
	test_real();
	return done_testing();
}
