/* Starting and stopping MPI, and which runs can be partitioned. */
#include "mpi_comm.h"

#include <stdio.h>
#include <stdlib.h>

#include "../util/xalloc.h"

struct mn_mpi *mn_mpi_start(int *argc, char ***argv, char *err, size_t errlen)
{
	int provided;
	/* One thread per rank calls MPI; the ranks are the parallelism. */
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
		snprintf(err, errlen, "MPI_Init failed");
		return NULL;
	}
	struct mn_mpi *m = xcalloc(1, sizeof(*m));
	MPI_Comm_dup(MPI_COMM_WORLD, &m->comm);
	MPI_Comm_rank(m->comm, &m->rank);
	MPI_Comm_size(m->comm, &m->size);
	return m;
}

void mn_mpi_stop(struct mn_mpi *m)
{
	if (!m)
		return;
	MPI_Comm_free(&m->comm);
	free(m);
	MPI_Finalize();
}

int mn_mpi_rank(const struct mn_mpi *m)
{
	return m->rank;
}

int mn_mpi_size(const struct mn_mpi *m)
{
	return m->size;
}

int mn_mpi_agree(struct mn_mpi *m, int v)
{
	MPI_Bcast(&v, 1, MPI_INT, 0, m->comm);
	return v;
}

const char *mn_mpi_unsupported(const struct mn_explore_opts *o)
{
	/* Partitioning is sound when the reduced graph is a function of the states alone:
	 * persistent sets, or no reduction, and no bound that depends on the path. */
	if (o->no_reduction)
		return "--no-reduction is a stateless enumeration on one core";
	if (o->random_walks)
		return "--random walks are not a partitioned search";
	if (o->reduction == MN_RED_SLEEP || o->reduction == MN_RED_BOTH)
		return "sleep sets depend on the order of search";
	if (o->max_depth || o->max_preemptions >= 0)
		return "--max-depth and --max-preemptions depend on the order of search";
	return NULL;
}
