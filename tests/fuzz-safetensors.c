/*
 * fuzz-safetensors.c: a libFuzzer target for the safetensors reader (make
 * fuzz). Any input must either be refused with a message or give exactly
 * the tensors and metadata of its header, read here again with Jansson:
 * each tensor's dtype and shape as declared, its values the little-endian
 * bytes at its data_offsets, and the metadata strings as written.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../src/nn.h"
#include "fuzz.h"

/* Reads a little-endian unsigned integer of n bytes at b. */
static uint64_t
le(const uint8_t *b, int n)
{
	uint64_t	v = 0;

	while (n-- > 0)
		v = v << 8 | b[n];
	return v;
}

/* Aborts unless tensor t is what entry e of the header says at body. */
static void
check_tensor(const struct st_tensor *t, json_t *e, const uint8_t *body)
{
	json_t		*shape = json_object_get(e, "shape");
	const char	*dtype = json_string_value(json_object_get(e, "dtype"));
	uint64_t	 begin, u;
	size_t		 n, i;
	int		 d;

	if (dtype == NULL || strcmp(dtype, t->dtype == ST_F32 ? "F32" :
	    "I64") != 0 || (int)json_array_size(shape) != t->ndim)
		abort();
	for (d = 0; d < t->ndim; d++)
		if (json_integer_value(json_array_get(shape, d)) !=
		    t->shape[d])
			abort();
	begin = (uint64_t)json_integer_value(json_array_get(
	    json_object_get(e, "data_offsets"), 0));
	n = safetensors_numel(t);
	for (i = 0; i < n; i++) {
		if (t->dtype == ST_F32) {
			u = le(body + begin + 4 * i, 4);
			if (memcmp(&t->data[i], &(uint32_t){ (uint32_t)u },
			    4) != 0)
				abort();
		} else if ((uint64_t)t->i64[i] != le(body + begin + 8 * i, 8))
			abort();
	}
}

/* Reads one input as a safetensors file and checks what comes back. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_file	 f;
	json_t		*root, *meta;
	const char	*v;
	char		*cause = NULL;
	size_t		 hlen;
	int		 i;

	if (safetensors_read(fuzz_file(data, size), &f, &cause) != 0) {
		if (cause == NULL || f.n != 0 || f.t != NULL || f.nmeta != 0)
			abort();
		free(cause);
		return 0;
	}
	if (size < 8)
		abort();
	hlen = (size_t)le(data, 8);
	if ((root = json_loadb((const char *)data + 8, hlen, 0, NULL)) ==
	    NULL)
		abort();
	meta = json_object_get(root, "__metadata__");
	if ((size_t)f.n + (meta != NULL) != json_object_size(root) ||
	    (size_t)f.nmeta != json_object_size(meta))
		abort();
	for (i = 0; i < f.n; i++)
		check_tensor(&f.t[i], json_object_get(root, f.t[i].name),
		    data + 8 + hlen);
	for (i = 0; i < f.nmeta; i++)
		if ((v = json_string_value(json_object_get(meta,
		    f.meta_key[i]))) == NULL || strcmp(v, f.meta_val[i]) != 0 ||
		    safetensors_meta(&f, f.meta_key[i]) != f.meta_val[i])
			abort();
	json_decref(root);
	safetensors_free(&f);
	return 0;
}
