/*
 * schedule.c: learning-rate schedules evaluated per epoch in closed form:
 * constant (no scheduler), and PyTorch's StepLR, MultiStepLR and
 * CosineAnnealingLR.
 */
#include <math.h>
#include <string.h>

#include "nn.h"

/* The schedule names, indexed by enum schedule_kind. */
static const char *const schedule_names[] = { "constant", "step", "cosine",
    "multistep" };

/*
 * Sets s to the named schedule ("constant", "step", "cosine" or
 * "multistep") with PyTorch's defaults: gamma 0.1 and eta_min 0.
 * step_size, t_max and the milestones have no default and stay unset until
 * schedule_set or schedule_set_milestones gives them a value (or, for
 * t_max, schedule_fit).
 */
int
schedule_init(struct schedule *s, const char *name, char **cause)
{
	int	k;

	for (k = 0; k <= SCHEDULE_MULTISTEP; k++)
		if (strcmp(name, schedule_names[k]) == 0)
			break;
	if (k > SCHEDULE_MULTISTEP)
		return error_set(cause, "unknown schedule \"%s\" (constant, "
		    "step, multistep or cosine)", name);
	memset(s, 0, sizeof *s);
	s->kind = (enum schedule_kind)k;
	s->gamma = 0.1f;
	return 0;
}

/* Returns the schedule's name as schedule_init takes it. */
const char *
schedule_name(const struct schedule *s)
{
	return schedule_names[s->kind];
}

/* Checks that value is a whole number of epochs >= 1 for param. */
static int
schedule_epochs(const struct schedule *s, const char *param, double value,
    char **cause)
{
	if (!(value >= 1 && value <= 1e9) || value != floor(value))
		return error_set(cause, "%s schedule: %s must be a whole "
		    "number of epochs >= 1, not %g", schedule_name(s), param,
		    value);
	return 0;
}

/*
 * Sets one parameter by name: step_size and gamma (> 0) for step, gamma for
 * multistep, t_max and eta_min (>= 0) for cosine; constant has none.
 */
int
schedule_set(struct schedule *s, const char *param, double value,
    char **cause)
{
	if (s->kind == SCHEDULE_STEP && strcmp(param, "step_size") == 0) {
		if (schedule_epochs(s, param, value, cause) != 0)
			return -1;
		s->step_size = (int)value;
	} else if ((s->kind == SCHEDULE_STEP ||
	    s->kind == SCHEDULE_MULTISTEP) && strcmp(param, "gamma") == 0) {
		if (!(value > 0 && value < INFINITY))
			return error_set(cause, "%s schedule: gamma must be "
			    "> 0, not %g", schedule_name(s), value);
		s->gamma = (float)value;
	} else if (s->kind == SCHEDULE_COSINE && strcmp(param, "t_max") == 0) {
		if (schedule_epochs(s, param, value, cause) != 0)
			return -1;
		s->t_max = (int)value;
	} else if (s->kind == SCHEDULE_COSINE &&
	    strcmp(param, "eta_min") == 0) {
		if (!(value >= 0 && value < INFINITY))
			return error_set(cause, "cosine schedule: eta_min must "
			    "be >= 0, not %g", value);
		s->eta_min = (float)value;
	} else
		return error_set(cause, "%s schedule has no parameter %s",
		    schedule_name(s), param);
	return 0;
}

/*
 * Sets the milestones of a multistep schedule: n (1 to
 * SCHEDULE_MAXMILESTONES) whole epochs >= 1, strictly increasing.
 */
int
schedule_set_milestones(struct schedule *s, const double *epochs, int n,
    char **cause)
{
	int	i;

	if (s->kind != SCHEDULE_MULTISTEP)
		return error_set(cause, "%s schedule has no parameter "
		    "milestones", schedule_name(s));
	if (n < 1 || n > SCHEDULE_MAXMILESTONES)
		return error_set(cause, "multistep schedule: milestones must "
		    "list 1 to %d epochs, not %d", SCHEDULE_MAXMILESTONES, n);
	for (i = 0; i < n; i++) {
		if (schedule_epochs(s, "each milestone", epochs[i],
		    cause) != 0)
			return -1;
		if (i > 0 && epochs[i] <= epochs[i - 1])
			return error_set(cause, "multistep schedule: "
			    "milestones must increase, but %g follows %g",
			    epochs[i], epochs[i - 1]);
	}
	for (i = 0; i < n; i++)
		s->milestones[i] = (int)epochs[i];
	s->nmilestones = n;
	return 0;
}

/*
 * Checks that the parameters s needs are set and in range; t_max may be
 * unset until schedule_fit.
 */
int
schedule_validate(const struct schedule *s, char **cause)
{
	switch (s->kind) {
	case SCHEDULE_CONSTANT:
		return 0;
	case SCHEDULE_STEP:
		if (s->step_size < 1)
			return error_set(cause, "step schedule: step_size is "
			    "not set (give schedule = {name = \"step\", "
			    "step_size = epochs})");
		if (!(s->gamma > 0 && s->gamma < INFINITY))
			return error_set(cause, "step schedule: gamma must be "
			    "> 0, not %g", (double)s->gamma);
		return 0;
	case SCHEDULE_MULTISTEP:
		if (s->nmilestones < 1)
			return error_set(cause, "multistep schedule: "
			    "milestones are not set");
		if (!(s->gamma > 0 && s->gamma < INFINITY))
			return error_set(cause, "multistep schedule: gamma "
			    "must be > 0, not %g", (double)s->gamma);
		return 0;
	case SCHEDULE_COSINE:
		if (!(s->eta_min >= 0 && s->eta_min < INFINITY))
			return error_set(cause, "cosine schedule: eta_min must "
			    "be >= 0, not %g", (double)s->eta_min);
		return 0;
	}
	return error_set(cause, "bad schedule kind %d", (int)s->kind);
}

/*
 * Gives a cosine schedule without t_max the number of epochs of the
 * training, so that the rate falls to eta_min over the whole run.
 */
void
schedule_fit(struct schedule *s, int epochs)
{
	if (s->kind == SCHEDULE_COSINE && s->t_max < 1)
		s->t_max = epochs;
}

/*
 * Returns the learning rate for epoch (0 for the first) of a validated and
 * fitted s:
 * base_lr; base_lr gamma^floor(epoch / step_size); base_lr gamma^k with k
 * the number of milestones <= epoch (MultiStepLR); or PyTorch's closed form
 * eta_min + (base_lr - eta_min) (1 + cos(pi epoch / t_max)) / 2, which
 * rises again after t_max as PyTorch's does.
 */
float
schedule_lr(const struct schedule *s, float base_lr, int epoch)
{
	double	lr = base_lr;
	int	k;

	switch (s->kind) {
	case SCHEDULE_CONSTANT:
		break;
	case SCHEDULE_STEP:
		lr = base_lr * pow(s->gamma, epoch / s->step_size);
		break;
	case SCHEDULE_MULTISTEP:
		for (k = 0; k < s->nmilestones && s->milestones[k] <= epoch;
		    k++)
			continue;
		lr = base_lr * pow(s->gamma, k);
		break;
	case SCHEDULE_COSINE:
		lr = s->eta_min + (base_lr - s->eta_min) *
		    (1 + cos(M_PI * epoch / s->t_max)) / 2;
		break;
	}
	return (float)lr;
}
