/*
 * fuzz-checkpoint.c: a libFuzzer target for loading a network from a
 * checkpoint (make fuzz): the safetensors file, the description in its
 * "snnwb.net" metadata built into a network, and the tensors copied in by
 * name. Any input must either be refused with a message or give a network
 * that declares no more values than the file holds, whose every parameter
 * and buffer is the file's tensor of that name, bit for bit; the same
 * file must then load into that network again (net:load, strict) and be
 * either restored with its optimizer state or refused with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/nn.h"
#include "fuzz.h"

/* Aborts unless every tensor of net holds the values of f's namesake. */
static void
check_values(const struct net *net, const struct st_file *f)
{
	const struct st_tensor	*t;
	const struct mparam	*p;
	size_t			 values = 0, j;
	float			 v;
	int			 i;

	for (i = 0; i < f->n; i++)
		values += safetensors_numel(&f->t[i]);
	if (net->nparams + net->nbuffers > values)
		abort();
	for (i = 0; i < net->ntensors; i++) {
		p = net->tensor[i].p;
		if ((t = safetensors_find(f, net->tensor[i].name)) == NULL ||
		    safetensors_numel(t) != p->n)
			abort();
		for (j = 0; j < p->n; j++) {
			v = t->dtype == ST_F32 ? t->data[j] :
			    (float)t->i64[j];
			if (memcmp(&v, &p->data[j], sizeof v) != 0)
				abort();
		}
	}
}

/* Aborts unless rc and cause agree: a message exactly on failure. */
static void
check_rc(int rc, char *cause)
{
	if ((rc == 0) != (cause == NULL))
		abort();
	free(cause);
}

/* Loads one input as a checkpoint and checks the network it gives. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*path = fuzz_file(data, size);
	struct checkpoint	 ck;
	struct st_file		 f;
	struct net		*net;
	char			*cause = NULL;

	if ((net = checkpoint_load(path, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (safetensors_read(path, &f, &cause) != 0)
		abort();
	check_values(net, &f);
	safetensors_free(&f);
	if (checkpoint_load_state(path, net, 1, &cause) != 0)
		abort();
	memset(&ck, 0, sizeof ck);
	ck.m = mem_calloc(net->nparams + 1, sizeof *ck.m);
	ck.v = mem_calloc(net->nparams + 1, sizeof *ck.v);
	if (ck.m != NULL && ck.v != NULL)
		check_rc(checkpoint_restore(path, net, &ck, &cause), cause);
	mem_free(ck.m);
	mem_free(ck.v);
	net_free(net);
	return 0;
}
