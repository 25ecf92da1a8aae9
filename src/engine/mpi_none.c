/* Built without MPI: --mpi says so and nothing else changes. */
#include "mpi.h"

#include <stdio.h>

struct mn_mpi *mn_mpi_start(int *argc, char ***argv, char *err, size_t errlen)
{
	(void)argc;
	(void)argv;
	snprintf(err, errlen, "this mnsim was built without MPI (install libopenmpi-dev, "
			      "then reconfigure: make clean check)");
	return NULL;
}

void mn_mpi_stop(struct mn_mpi *m)
{
	(void)m;
}

int mn_mpi_rank(const struct mn_mpi *m)
{
	(void)m;
	return 0;
}

int mn_mpi_size(const struct mn_mpi *m)
{
	(void)m;
	return 1;
}

int mn_mpi_agree(struct mn_mpi *m, int v)
{
	(void)m;
	return v;
}

const char *mn_mpi_unsupported(const struct mn_explore_opts *o)
{
	(void)o;
	return NULL; /* mn_mpi_start says what is missing */
}

void mn_search_mpi(const struct mn_prog *p, const struct mn_explore_opts *o, struct finals *fin,
		   struct mn_result *r)
{
	(void)p;
	(void)o;
	(void)fin;
	(void)r;
}
