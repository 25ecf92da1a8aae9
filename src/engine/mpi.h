/* The search partitioned across MPI ranks (`mpirun -np N mnsim --mpi`): each rank owns the
 * states whose fingerprint falls in its share and ships the successors it finds for other
 * ranks to their owners. Rank 0 ends with the whole run's counts, finals and witnesses. */
#ifndef MN_MPI_H
#define MN_MPI_H

#include <stddef.h>

#include "observe.h"

struct mn_mpi;

/* Starts MPI. NULL, with the reason in err, when mnsim was built without MPI. */
struct mn_mpi *mn_mpi_start(int *argc, char ***argv, char *err, size_t errlen);
void mn_mpi_stop(struct mn_mpi *m);
int mn_mpi_rank(const struct mn_mpi *m);
int mn_mpi_size(const struct mn_mpi *m);
/* Rank 0's v, on every rank. */
int mn_mpi_agree(struct mn_mpi *m, int v);

/* Why these options cannot be partitioned (their explored set depends on the order of
 * search, or the mode is not a stateful search), or NULL. */
const char *mn_mpi_unsupported(const struct mn_explore_opts *o);

/* Collective: every rank calls it with the same program and options. */
void mn_search_mpi(const struct mn_prog *p, const struct mn_explore_opts *o, struct finals *fin,
		   struct mn_result *r);

#endif
