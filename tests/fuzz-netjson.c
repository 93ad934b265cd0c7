/*
 * fuzz-netjson.c: a libFuzzer target for the network description (make
 * fuzz): JSON text built into a network (net_json_build), as a checkpoint
 * or a run's config holds it, with at most a million values allocated
 * (as a checkpoint's size bounds them). Any input must either be refused
 * with a message or give a network whose own description builds again
 * into a network with the same description and the same tensors; built
 * once more, that description gives the same initial values (drawn from
 * a fixed seed). The first network's values may differ: a description
 * without, say, a dropout's mask seed draws one before the weights.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/nn.h"
#include "fuzz.h"

/* The values a description may allocate here. */
#define FUZZ_BUDGET	(1u << 20)

/* Builds a network from the text s; aborts if a failure has no message. */
static struct net *
build(const char *s)
{
	struct net	*net;
	char		*cause = NULL;

	module_set_budget(FUZZ_BUDGET);
	net = net_json_build(s, &cause);
	module_set_budget(SIZE_MAX);
	if ((net == NULL) != (cause != NULL))
		abort();
	free(cause);
	return net;
}

/* Builds one input and checks that its description round-trips. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net	*a, *b, *c;
	char		*s, *da, *db;
	int		 i;

	if ((s = mem_alloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	a = build(s);
	mem_free(s);
	if (a == NULL)
		return 0;
	if ((da = net_json_describe(a)) == NULL || (b = build(da)) == NULL ||
	    (db = net_json_describe(b)) == NULL || strcmp(da, db) != 0 ||
	    a->ntensors != b->ntensors || a->nparams != b->nparams ||
	    a->nbuffers != b->nbuffers || (c = build(da)) == NULL ||
	    memcmp(b->params, c->params, b->nparams * sizeof *b->params) != 0 ||
	    memcmp(b->buffers, c->buffers, b->nbuffers *
	    sizeof *b->buffers) != 0)
		abort();
	for (i = 0; i < a->ntensors; i++)
		if (strcmp(a->tensor[i].name, b->tensor[i].name) != 0 ||
		    a->tensor[i].p->n != b->tensor[i].p->n)
			abort();
	free(da);
	free(db);
	net_free(a);
	net_free(b);
	net_free(c);
	return 0;
}
