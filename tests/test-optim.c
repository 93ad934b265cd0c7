/*
 * test-optim.c: SGD, Adam and AdamW against values worked out by hand from
 * torch.optim's update rules, the same steps split over threads and
 * zeroing the gradients, their validation, the learning-rate schedules
 * against their closed forms, and clipping by the global gradient norm.
 *
 * Every optimizer test runs the same two parameter tensors through one
 * call per step: w = [1, -2, 0.5] and a bias b = [0.25], written below as
 * one vector p = [1, -2, 0.5, 0.25], with gradients
 *   g1 = [0.5, 0.1, -4, -0.5] on step 1 and g2 = [-1, 0.5, 2, 1] on step 2.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The parameters after each step, for a set of hyperparameters. */
struct expect {
	const char	*what;
	double		 step1[4];
	double		 step2[4];
};

/* Runs nstep steps of o over w (3) and b (1); out receives w then b. */
static void
run(struct optim *o, int nstep, float *out)
{
	float	 w[3] = { 1, -2, 0.5f }, b[1] = { 0.25f };
	float	 gw[2][3] = { { 0.5f, 0.1f, -4 }, { -1, 0.5f, 2 } };
	float	 gb[2][1] = { { -0.5f }, { 1 } };
	float	 mw[3] = { 0 }, vw[3] = { 0 }, mb[1] = { 0 }, vb[1] = { 0 };
	struct optim_param ps[2] = {
		{ w, NULL, mw, vw, 3 },
		{ b, NULL, mb, vb, 1 },
	};
	int	 s;

	for (s = 0; s < nstep; s++) {
		ps[0].g = gw[s];
		ps[1].g = gb[s];
		optim_step(o, ps, 2);
	}
	memcpy(out, w, sizeof w);
	out[3] = b[0];
}

/* Checks one and two steps of o (freshly set up) against e. */
static void
check(const struct optim *o, const struct expect *e)
{
	struct optim	one = *o, two = *o;
	float		got[4];
	char		*cause = NULL;

	ok(optim_validate(o, &cause) == 0, "%s: valid: %s", e->what,
	    cause ? cause : "");
	free(cause);
	run(&one, 1, got);
	is_close_array(got, e->step1, 4, 1e-6, 1e-6, "%s: step 1", e->what);
	run(&two, 2, got);
	is_close_array(got, e->step2, 4, 1e-6, 1e-6, "%s: step 2", e->what);
	ok(two.step == 2, "%s: two steps counted", e->what);
}

/* Makes an optimizer by name and sets hyperparameters from a list. */
static struct optim
make(const char *name, const char *p1, double v1, const char *p2,
    double v2, const char *p3, double v3)
{
	struct optim	 o;
	char		*cause = NULL;
	int		 bad;

	bad = optim_init(&o, name, &cause) != 0 ||
	    optim_set(&o, "lr", 0.1, &cause) != 0 ||
	    (p1 != NULL && optim_set(&o, p1, v1, &cause) != 0) ||
	    (p2 != NULL && optim_set(&o, p2, v2, &cause) != 0) ||
	    (p3 != NULL && optim_set(&o, p3, v3, &cause) != 0);
	if (bad)
		diag("setting up %s: %s", name, cause);
	free(cause);
	return o;
}

/* SGD, all variants, lr 0.1. */
static void
test_sgd(void)
{
	struct optim	o;
	/*
	 * Plain: p -= 0.1 g.
	 *   step 1: p - 0.1 g1 = [0.95, -2.01, 0.9, 0.3]
	 *   step 2: minus 0.1 g2 = [1.05, -2.06, 0.7, 0.2]
	 */
	static const struct expect plain = { "sgd",
	    { 0.95, -2.01, 0.9, 0.3 }, { 1.05, -2.06, 0.7, 0.2 } };
	/*
	 * Weight decay 0.1: d = g + 0.1 p.
	 *   step 1: d = [0.6, -0.1, -3.95, -0.475]
	 *           p = [0.94, -1.99, 0.895, 0.2975]
	 *   step 2: d = [-0.906, 0.301, 2.0895, 1.02975]
	 *           p = [1.0306, -2.0201, 0.68605, 0.194525]
	 */
	static const struct expect decay = { "sgd weight_decay",
	    { 0.94, -1.99, 0.895, 0.2975 },
	    { 1.0306, -2.0201, 0.68605, 0.194525 } };
	/*
	 * Momentum 0.9: the buffer starts as g1, then m = 0.9 m + g.
	 *   step 1: m = g1, p = [0.95, -2.01, 0.9, 0.3] as plain
	 *   step 2: m = 0.9 g1 + g2 = [-0.55, 0.59, -1.6, 0.55]
	 *           p = [1.005, -2.069, 1.06, 0.245]
	 */
	static const struct expect momentum = { "sgd momentum",
	    { 0.95, -2.01, 0.9, 0.3 }, { 1.005, -2.069, 1.06, 0.245 } };
	/*
	 * Momentum 0.9, dampening 0.5: the first step is undampened.
	 *   step 2: m = 0.9 g1 + 0.5 g2 = [-0.05, 0.34, -2.6, 0.05]
	 *           p = [0.955, -2.044, 1.16, 0.295]
	 */
	static const struct expect damp = { "sgd dampening",
	    { 0.95, -2.01, 0.9, 0.3 }, { 0.955, -2.044, 1.16, 0.295 } };
	/*
	 * Nesterov, momentum 0.9: d = g + 0.9 m.
	 *   step 1: m = g1, d = 1.9 g1 = [0.95, 0.19, -7.6, -0.95]
	 *           p = [0.905, -2.019, 1.26, 0.345]
	 *   step 2: m = [-0.55, 0.59, -1.6, 0.55],
	 *           d = g2 + 0.9 m = [-1.495, 1.031, 0.56, 1.495]
	 *           p = [1.0545, -2.1221, 1.204, 0.1955]
	 */
	static const struct expect nesterov = { "sgd nesterov",
	    { 0.905, -2.019, 1.26, 0.345 },
	    { 1.0545, -2.1221, 1.204, 0.1955 } };
	/*
	 * Momentum 0.9 and weight decay 0.1: decay enters the buffer.
	 *   step 1: m = d1 = [0.6, -0.1, -3.95, -0.475], p as weight decay
	 *   step 2: d2 = [-0.906, 0.301, 2.0895, 1.02975],
	 *           m = 0.9 d1 + d2 = [-0.366, 0.211, -1.4655, 0.60225]
	 *           p = [0.9766, -2.0111, 1.04155, 0.237275]
	 */
	static const struct expect both = { "sgd momentum weight_decay",
	    { 0.94, -1.99, 0.895, 0.2975 },
	    { 0.9766, -2.0111, 1.04155, 0.237275 } };

	o = make("sgd", NULL, 0, NULL, 0, NULL, 0);
	ok(optim_nstate(&o) == 0, "sgd without momentum keeps no state");
	check(&o, &plain);
	o = make("sgd", "weight_decay", 0.1, NULL, 0, NULL, 0);
	check(&o, &decay);
	o = make("sgd", "momentum", 0.9, NULL, 0, NULL, 0);
	ok(optim_nstate(&o) == 1, "sgd with momentum keeps one buffer");
	check(&o, &momentum);
	o = make("sgd", "momentum", 0.9, "dampening", 0.5, NULL, 0);
	check(&o, &damp);
	o = make("sgd", "momentum", 0.9, "nesterov", 1, NULL, 0);
	check(&o, &nesterov);
	o = make("sgd", "momentum", 0.9, "weight_decay", 0.1, NULL, 0);
	check(&o, &both);
}

/* Adam and AdamW, lr 0.1, betas 0.9 and 0.999, eps 1e-8. */
static void
test_adam(void)
{
	struct optim	o;
	/*
	 * Adam. Step 1: m = 0.1 g1, v = 0.001 g1^2, bias corrections 0.1
	 * and 0.001, so p -= 0.1 g1 / (|g1| + 1e-8), nearly 0.1 sign(g1):
	 *   p = [0.9, -2.1, 0.6, 0.35]
	 * Step 2 (corrections 1 - 0.81 = 0.19 and 1 - 0.998001 = 0.001999),
	 * worked for the first element (g1 = 0.5, g2 = -1):
	 *   m = 0.9 * 0.05 + 0.1 * -1 = -0.055
	 *   v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
	 *   sqrt(v / 0.001999) = 0.7906880...
	 *   p = 0.9 - (0.1 / 0.19) * -0.055 / 0.7906880 = 0.9366104
	 * and likewise for the others.
	 */
	static const struct expect adam = { "adam",
	    { 0.900000002, -2.09999999, 0.5999999998, 0.349999998 },
	    { 0.9366103542, -2.186104614, 0.6266337036, 0.3133896458 } };
	/*
	 * Adam with weight decay 0.1 (L2, added to the gradient): the
	 * second element's gradient 0.1 + 0.1 * -2 = -0.1 changes sign, so
	 * step 1 moves it up: p = [0.9, -1.9, 0.6, 0.35]. Step 2 uses
	 * d2 = g2 + 0.1 p1 in m and v as above.
	 */
	static const struct expect adam_wd = { "adam weight_decay",
	    { 0.9000000017, -1.90000001, 0.5999999997, 0.3499999979 },
	    { 0.9252635194, -1.950261833, 0.6249819985, 0.310299863 } };
	/*
	 * AdamW with weight decay 0.1: p *= 1 - 0.1 * 0.1 = 0.99 first,
	 * then the Adam step on the undecayed gradient:
	 *   step 1: p = 0.99 [1, -2, 0.5, 0.25] - 0.1 sign(g1)
	 *             = [0.89, -2.08, 0.595, 0.3475]
	 *   step 2: 0.99 p1 minus the Adam update of step 2 above, e.g.
	 *             0.99 * 0.89 + 0.0366104 = 0.9177104
	 */
	static const struct expect adamw = { "adamw",
	    { 0.890000002, -2.07999999, 0.5949999997, 0.347499998 },
	    { 0.9177103542, -2.145304614, 0.6156837036, 0.3074146458 } };

	o = make("adam", NULL, 0, NULL, 0, NULL, 0);
	ok(optim_nstate(&o) == 2 && o.weight_decay == 0 && o.beta1 == 0.9f &&
	    o.beta2 == 0.999f && o.eps == 1e-8f,
	    "adam: two buffers, PyTorch's defaults");
	check(&o, &adam);
	o = make("adam", "weight_decay", 0.1, NULL, 0, NULL, 0);
	check(&o, &adam_wd);
	o = make("adamw", "weight_decay", 0.1, NULL, 0, NULL, 0);
	check(&o, &adamw);
	o = make("adamw", NULL, 0, NULL, 0, NULL, 0);
	ok(o.weight_decay == 0.01f && o.lr == 0.1f,
	    "adamw: default weight decay 0.01");
}

/* Fills v (n) with normal values from r. */
static void
fill(float *v, size_t n, struct rng *r)
{
	size_t	i;

	for (i = 0; i < n; i++)
		v[i] = (float)rng_normal(r);
}

/*
 * Runs three steps of o over two tensors of n[0] and n[1] elements with
 * threads threads, zeroing the gradients in the step when zero is set
 * (and refilling them), and leaves the parameters and state in out (4,
 * n[0] + n[1]: p, m, v, then the last gradients). Returns 0 or -1.
 */
static int
run_big(const struct optim *o, const size_t *n, int threads, int zero,
    float *out)
{
	struct optim		 s = *o;
	struct optim_param	 ps[2];
	struct rng		 r;
	size_t			 all = n[0] + n[1];
	float			*p = out, *m = out + all, *v = out + 2 * all;
	float			*g = out + 3 * all;
	int			 k;

	rng_seed(&r, 21);
	fill(p, all, &r);
	memset(m, 0, 2 * all * sizeof *m);
	ps[0] = (struct optim_param){ p, g, m, v, n[0] };
	ps[1] = (struct optim_param){ p + n[0], g + n[0], m + n[0],
	    v + n[0], n[1] };
	blas_set_threads(threads);
	for (k = 0; k < 3; k++) {
		fill(g, all, &r);
		if (zero)
			optim_step_zero(&s, ps, 2);
		else
			optim_step(&s, ps, 2);
	}
	blas_set_threads(1);
	return s.step == 3 ? 0 : -1;
}

/*
 * Big tensors, whose steps are split over the thread pool: 3 threads
 * give the bits of 1, for each kind; optim_step_zero gives the same
 * parameters and state as optim_step and leaves the gradients at 0.
 */
static void
test_threads(void)
{
	static const size_t	 n[2] = { 100003, 517 };
	struct optim		 o[4];
	size_t			 all = n[0] + n[1], i;
	float			*one, *three, *zeroed;
	int			 k, good;

	o[0] = make("sgd", "weight_decay", 0.01, NULL, 0, NULL, 0);
	o[1] = make("sgd", "momentum", 0.9, "nesterov", 1, NULL, 0);
	o[2] = make("adam", "weight_decay", 0.01, NULL, 0, NULL, 0);
	o[3] = make("adamw", NULL, 0, NULL, 0, NULL, 0);
	one = malloc(4 * all * sizeof *one);
	three = malloc(4 * all * sizeof *three);
	zeroed = malloc(4 * all * sizeof *zeroed);
	for (k = 0; k < 4; k++) {
		good = run_big(&o[k], n, 1, 0, one) == 0 &&
		    run_big(&o[k], n, 3, 0, three) == 0;
		ok(good && memcmp(one, three, 4 * all * sizeof *one) == 0,
		    "%s: 3 threads give the bits of 1", optim_name(&o[k]));
		good = run_big(&o[k], n, 3, 1, zeroed) == 0;
		ok(good && memcmp(one, zeroed, 3 * all * sizeof *one) == 0,
		    "%s: optim_step_zero steps as optim_step",
		    optim_name(&o[k]));
		for (i = 0; i < all && zeroed[3 * all + i] == 0.0f; i++)
			;
		ok(i == all, "%s: optim_step_zero zeroes the gradients",
		    optim_name(&o[k]));
	}
	free(one);
	free(three);
	free(zeroed);
}

/* Expects f's failure with a message containing want. */
static void
refused(int rc, char *cause, const char *want, const char *what)
{
	ok(rc == -1 && cause != NULL && strstr(cause, want) != NULL,
	    "%s refused: %s", what, cause ? cause : "(no message)");
	free(cause);
}

/* Hyperparameter validation and its messages. */
static void
test_validation(void)
{
	struct optim	 o;
	char		*cause = NULL;
	int		 rc;

	rc = optim_init(&o, "rmsprop", &cause);
	refused(rc, cause, "unknown optimizer \"rmsprop\"", "rmsprop");
	optim_init(&o, "sgd", NULL);
	cause = NULL;
	rc = optim_set(&o, "lr", 0, &cause);
	refused(rc, cause, "lr must be > 0, not 0", "lr 0");
	cause = NULL;
	rc = optim_set(&o, "lr", NAN, &cause);
	refused(rc, cause, "lr must be > 0", "lr NaN");
	cause = NULL;
	rc = optim_set(&o, "momentum", -0.5, &cause);
	refused(rc, cause, "momentum must be >= 0", "momentum -0.5");
	cause = NULL;
	rc = optim_set(&o, "dampening", 1.5, &cause);
	refused(rc, cause, "dampening must be in [0, 1]", "dampening 1.5");
	cause = NULL;
	rc = optim_set(&o, "nesterov", 0.5, &cause);
	refused(rc, cause, "nesterov must be 0 or 1", "nesterov 0.5");
	cause = NULL;
	rc = optim_set(&o, "weight_decay", -1, &cause);
	refused(rc, cause, "weight_decay must be >= 0", "weight_decay -1");
	cause = NULL;
	rc = optim_set(&o, "beta1", 0.5, &cause);
	refused(rc, cause, "sgd has no parameter beta1", "beta1 for sgd");
	cause = NULL;
	rc = optim_set(&o, "alpha", 1, &cause);
	refused(rc, cause, "unknown parameter \"alpha\"", "alpha");

	optim_set(&o, "nesterov", 1, NULL);
	cause = NULL;
	rc = optim_validate(&o, &cause);
	refused(rc, cause, "nesterov requires momentum > 0",
	    "nesterov without momentum");
	optim_set(&o, "momentum", 0.9, NULL);
	optim_set(&o, "dampening", 0.1, NULL);
	cause = NULL;
	rc = optim_validate(&o, &cause);
	refused(rc, cause, "dampening 0", "nesterov with dampening");
	optim_set(&o, "dampening", 0, NULL);
	ok(optim_validate(&o, NULL) == 0, "nesterov with momentum is valid");
	o.lr = -1;
	cause = NULL;
	rc = optim_validate(&o, &cause);
	refused(rc, cause, "sgd: lr must be > 0, not -1",
	    "a struct filled with a bad lr");

	optim_init(&o, "adam", NULL);
	cause = NULL;
	rc = optim_set(&o, "beta2", 1, &cause);
	refused(rc, cause, "adam: beta2 must be in [0, 1), not 1", "beta2 1");
	cause = NULL;
	rc = optim_set(&o, "beta1", -0.1, &cause);
	refused(rc, cause, "beta1 must be in [0, 1)", "beta1 -0.1");
	cause = NULL;
	rc = optim_set(&o, "eps", 0, &cause);
	refused(rc, cause, "eps must be > 0", "eps 0");
	cause = NULL;
	rc = optim_set(&o, "momentum", 0.9, &cause);
	refused(rc, cause, "adam has no parameter momentum", "adam momentum");
	ok(optim_set(&o, "beta1", 0, NULL) == 0 &&
	    optim_set(&o, "eps", 1e-6, NULL) == 0 && o.beta1 == 0 &&
	    o.eps == 1e-6f && optim_validate(&o, NULL) == 0,
	    "adam: beta1 0 and eps 1e-6 accepted");
	ok(strcmp(optim_name(&o), "adam") == 0, "optim_name");
}

/* Checks schedule s at an epoch against want. */
static void
lr_at(const struct schedule *s, int epoch, double want)
{
	is_double(schedule_lr(s, 0.1f, epoch), want, 1e-7,
	    "%s: lr at epoch %d is %g", schedule_name(s), epoch, want);
}

/* Learning-rate schedules: closed forms and validation. */
static void
test_schedule(void)
{
	struct schedule	 s;
	char		*cause = NULL;
	int		 rc;

	ok(schedule_init(&s, "constant", NULL) == 0 &&
	    schedule_validate(&s, NULL) == 0, "constant schedule");
	lr_at(&s, 0, 0.1);
	lr_at(&s, 100, 0.1);

	/* StepLR(step_size 3, gamma 0.5): 0.1 * 0.5^floor(epoch / 3). */
	schedule_init(&s, "step", NULL);
	cause = NULL;
	rc = schedule_validate(&s, &cause);
	refused(rc, cause, "step_size is not set", "step without step_size");
	ok(schedule_set(&s, "step_size", 3, NULL) == 0 &&
	    schedule_set(&s, "gamma", 0.5, NULL) == 0 &&
	    schedule_validate(&s, NULL) == 0, "step schedule 3, 0.5");
	lr_at(&s, 0, 0.1);
	lr_at(&s, 2, 0.1);
	lr_at(&s, 3, 0.05);
	lr_at(&s, 7, 0.025);
	cause = NULL;
	rc = schedule_set(&s, "step_size", 2.5, &cause);
	refused(rc, cause, "step_size must be a whole number", "step_size 2.5");
	cause = NULL;
	rc = schedule_set(&s, "gamma", 0, &cause);
	refused(rc, cause, "gamma must be > 0", "gamma 0");
	cause = NULL;
	rc = schedule_set(&s, "t_max", 10, &cause);
	refused(rc, cause, "step schedule has no parameter t_max",
	    "t_max for step");

	/*
	 * CosineAnnealingLR(t_max 10, eta_min 0.001), base 0.1:
	 * 0.001 + 0.099 (1 + cos(pi e / 10)) / 2, so 0.1 at 0, the mean
	 * 0.0505 at 5, 0.001 at 10; at 2, cos(pi / 5) = 0.80901699 gives
	 * 0.001 + 0.099 * 0.904508497 = 0.0905463; past t_max it rises
	 * again as PyTorch's closed form does: 0.0505 at 15.
	 */
	schedule_init(&s, "cosine", NULL);
	ok(schedule_validate(&s, NULL) == 0, "cosine without t_max is valid");
	schedule_fit(&s, 10);
	ok(s.t_max == 10, "cosine without t_max: fitted to 10 epochs (got %d)",
	    s.t_max);
	lr_at(&s, 5, 0.05);
	lr_at(&s, 10, 0);
	schedule_fit(&s, 20);
	ok(s.t_max == 10, "schedule_fit keeps a t_max that is set");
	ok(schedule_set(&s, "t_max", 10, NULL) == 0 &&
	    schedule_set(&s, "eta_min", 0.001, NULL) == 0 &&
	    schedule_validate(&s, NULL) == 0, "cosine schedule 10, 0.001");
	lr_at(&s, 0, 0.1);
	lr_at(&s, 2, 0.0905463412);
	lr_at(&s, 5, 0.0505);
	lr_at(&s, 10, 0.001);
	lr_at(&s, 15, 0.0505);
	cause = NULL;
	rc = schedule_set(&s, "eta_min", -1, &cause);
	refused(rc, cause, "eta_min must be >= 0", "eta_min -1");
	cause = NULL;
	rc = schedule_set(&s, "t_max", 0, &cause);
	refused(rc, cause, "t_max must be a whole number of epochs >= 1",
	    "t_max 0");
	cause = NULL;
	rc = schedule_init(&s, "linear", &cause);
	refused(rc, cause, "unknown schedule \"linear\"", "linear");
}

/*
 * MultiStepLR(milestones 60, 120, 160; gamma 0.2), base 0.1, the WRN
 * recipe: 0.1 for epochs 0..59, then 0.02, 0.004 and 0.0008 from epochs
 * 60, 120 and 160 (gamma^k, k the milestones <= epoch), and validation.
 */
static void
test_multistep(void)
{
	struct schedule	 s;
	const double	 wrn[] = { 60, 120, 160 }, flat[] = { 5, 5 };
	const double	 zero[] = { 0, 3 }, half[] = { 2.5 };
	char		*cause = NULL;
	int		 rc;

	ok(schedule_init(&s, "multistep", NULL) == 0, "multistep schedule");
	rc = schedule_validate(&s, &cause);
	refused(rc, cause, "milestones are not set",
	    "multistep without milestones");
	ok(schedule_set_milestones(&s, wrn, 3, NULL) == 0 &&
	    schedule_set(&s, "gamma", 0.2, NULL) == 0 &&
	    schedule_validate(&s, NULL) == 0, "multistep 60, 120, 160; 0.2");
	lr_at(&s, 0, 0.1);
	lr_at(&s, 59, 0.1);
	lr_at(&s, 60, 0.02);
	lr_at(&s, 119, 0.02);
	lr_at(&s, 120, 0.004);
	lr_at(&s, 160, 0.0008);
	lr_at(&s, 199, 0.0008);
	cause = NULL;
	rc = schedule_set_milestones(&s, flat, 2, &cause);
	refused(rc, cause, "milestones must increase, but 5 follows 5",
	    "milestones 5, 5");
	cause = NULL;
	rc = schedule_set_milestones(&s, zero, 2, &cause);
	refused(rc, cause, "each milestone must be a whole number of epochs "
	    ">= 1, not 0", "milestone 0");
	cause = NULL;
	rc = schedule_set_milestones(&s, half, 1, &cause);
	refused(rc, cause, "not 2.5", "milestone 2.5");
	cause = NULL;
	rc = schedule_set_milestones(&s, wrn, 0, &cause);
	refused(rc, cause, "milestones must list 1 to 32 epochs, not 0",
	    "no milestones");
	ok(s.nmilestones == 3 && s.milestones[2] == 160,
	    "refused milestones leave the schedule as it was");
	cause = NULL;
	rc = schedule_set(&s, "gamma", -1, &cause);
	refused(rc, cause, "multistep schedule: gamma must be > 0", "gamma -1");
	cause = NULL;
	rc = schedule_set(&s, "step_size", 3, &cause);
	refused(rc, cause, "multistep schedule has no parameter step_size",
	    "step_size for multistep");
	schedule_init(&s, "step", NULL);
	cause = NULL;
	rc = schedule_set_milestones(&s, wrn, 3, &cause);
	refused(rc, cause, "step schedule has no parameter milestones",
	    "milestones for step");
	/* PyTorch's default gamma, 0.1: 0.1, then 0.01 from epoch 60. */
	schedule_init(&s, "multistep", NULL);
	schedule_set_milestones(&s, wrn, 1, NULL);
	lr_at(&s, 60, 0.01);
	lr_at(&s, 200, 0.01);
}

/*
 * Clipping by the global norm: gradients [3, 4] and [12] have the norm
 * sqrt(9 + 16 + 144) = 13; with max_norm 6.5 each is scaled by
 * 6.5 / (13 + 1e-6) = 0.49999996 to [1.4999999, 1.9999999] and
 * [5.9999995]; max_norm 13 or more leaves them alone.
 */
static void
test_clip(void)
{
	float			 a[2] = { 3, 4 }, b[1] = { 12 }, got[3];
	const double		 half[3] = { 1.4999999, 1.9999999, 5.9999995 };
	const double		 same[3] = { 3, 4, 12 };
	struct optim_param	 ps[2];

	memset(ps, 0, sizeof ps);
	ps[0].g = a;
	ps[0].n = 2;
	ps[1].g = b;
	ps[1].n = 1;
	is_double(optim_clip_grad_norm(ps, 2, 13), 13, 1e-12,
	    "clip: the norm of [3, 4] and [12] is 13");
	got[0] = a[0], got[1] = a[1], got[2] = b[0];
	is_close_array(got, same, 3, 0, 0, "clip: max_norm 13 changes nothing");
	is_double(optim_clip_grad_norm(ps, 2, 6.5f), 13, 1e-12,
	    "clip: returns the norm before clipping");
	got[0] = a[0], got[1] = a[1], got[2] = b[0];
	is_close_array(got, half, 3, 0, 1e-7, "clip: max_norm 6.5 scales by "
	    "6.5 / (13 + 1e-6)");
	is_double(optim_clip_grad_norm(ps, 2, 100), 6.5 * 13 / (13 + 1e-6),
	    1e-6, "clip: the clipped norm is max_norm (less 1e-6 relative)");
}

int
main(void)
{
	test_sgd();
	test_adam();
	test_threads();
	test_validation();
	test_schedule();
	test_multistep();
	test_clip();
	return done_testing();
}
