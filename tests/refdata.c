/*
 * refdata.c: reads the reference files of ../shared/reference: "# key=value"
 * note lines, then lines "name n v1 ... vn" (see that folder's README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* Adds one "# key=value" note (trailing newline already removed). */
static void
refdata_add_note(struct refdata *rd, const char *line)
{
	const char	*eq;

	while (*line == '#' || *line == ' ')
		line++;
	if ((eq = strchr(line, '=')) == NULL)
		return;
	rd->keys = realloc(rd->keys, (size_t)(rd->nnotes + 1) * sizeof *rd->keys);
	rd->values = realloc(rd->values,
	    (size_t)(rd->nnotes + 1) * sizeof *rd->values);
	rd->keys[rd->nnotes] = strndup(line, (size_t)(eq - line));
	rd->values[rd->nnotes] = strdup(eq + 1);
	rd->nnotes++;
}

/* Loads a reference file; on failure sets *cause (free it) and returns -1. */
int
refdata_load(const char *path, struct refdata *rd, char **cause)
{
	FILE		*f;
	char		 note[1024], name[64];
	struct refarray	*a;
	size_t		 i, n;
	int		 c;

	memset(rd, 0, sizeof *rd);
	if ((f = fopen(path, "r")) == NULL) {
		*cause = strdup(path);
		return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (c == '\n' || c == ' ')
			continue;
		ungetc(c, f);
		if (c == '#') {
			if (fgets(note, sizeof note, f) != NULL) {
				note[strcspn(note, "\n")] = '\0';
				refdata_add_note(rd, note);
			}
			continue;
		}
		if (fscanf(f, "%63s %zu", name, &n) != 2)
			goto bad;
		rd->arrays = realloc(rd->arrays,
		    (size_t)(rd->narrays + 1) * sizeof *rd->arrays);
		a = &rd->arrays[rd->narrays++];
		snprintf(a->name, sizeof a->name, "%s", name);
		a->n = n;
		a->v = malloc((n == 0 ? 1 : n) * sizeof *a->v);
		for (i = 0; i < n; i++)
			if (fscanf(f, "%lf", &a->v[i]) != 1)
				goto bad;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	*cause = strdup("malformed reference file");
	refdata_free(rd);
	return -1;
}

/* Returns the array called name, or NULL. */
const struct refarray *
refdata_array(const struct refdata *rd, const char *name)
{
	int	i;

	for (i = 0; i < rd->narrays; i++)
		if (strcmp(rd->arrays[i].name, name) == 0)
			return &rd->arrays[i];
	return NULL;
}

/* Returns the value of the note key, or NULL. */
const char *
refdata_note(const struct refdata *rd, const char *key)
{
	int	i;

	for (i = 0; i < rd->nnotes; i++)
		if (strcmp(rd->keys[i], key) == 0)
			return rd->values[i];
	return NULL;
}

/* Returns a malloc'd float copy of an array; the caller frees it. */
float *
refdata_floats(const struct refarray *a)
{
	float	*f = malloc((a->n == 0 ? 1 : a->n) * sizeof *f);
	size_t	 i;

	for (i = 0; i < a->n; i++)
		f[i] = (float)a->v[i];
	return f;
}

/* Frees everything refdata_load allocated. */
void
refdata_free(struct refdata *rd)
{
	int	i;

	for (i = 0; i < rd->narrays; i++)
		free(rd->arrays[i].v);
	for (i = 0; i < rd->nnotes; i++) {
		free(rd->keys[i]);
		free(rd->values[i]);
	}
	free(rd->arrays);
	free(rd->keys);
	free(rd->values);
	memset(rd, 0, sizeof *rd);
}
