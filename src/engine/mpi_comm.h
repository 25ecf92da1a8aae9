/* What the MPI files share: the communicator behind struct mn_mpi. */
#ifndef MN_MPI_COMM_H
#define MN_MPI_COMM_H

#include <mpi.h>

#include "mpi.h"

struct mn_mpi {
	MPI_Comm comm; /* a duplicate of MPI_COMM_WORLD: mnsim's messages stay apart */
	int rank, size;
};

#endif
