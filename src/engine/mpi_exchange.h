/* Shipping records (of up to a fixed size, in whole 8-byte words) between ranks in batches, and deciding when no rank has
 * work left and no batch is in flight. */
#ifndef MN_MPI_EXCHANGE_H
#define MN_MPI_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "mpi_comm.h"

struct outbox {
	char *buf;
	size_t len; /* bytes */
};

struct inflight {
	MPI_Request req;
	char *buf;
};

struct exchange {
	struct mn_mpi *m;
	size_t maxrec, cap; /* bytes: the largest record, a batch buffer */
	struct outbox *out;  /* one per rank */
	struct inflight *fl;
	int nfl, maxfl;
	char **spare; /* batch buffers whose send completed, for reuse (fresh pages fault) */
	int nspare;
	char *in;
	size_t in_cap;
	/* Termination: batches sent and received by this rank, and the waves that sum them. */
	int64_t sent, received;
	int64_t snap[2], sum[2], prev[2];
	int wave_pending, have_prev;
	MPI_Request wave;
};

typedef void (*deliver_fn)(void *arg, int from, const void *rec, size_t bytes);

void xchg_init(struct exchange *x, struct mn_mpi *m, size_t maxrec);
/* Waits for the last sends (every batch has been received once the search is over). */
void xchg_free(struct exchange *x);
/* Queues a record for rank dest; a full batch leaves at once. While it waits for room,
 * incoming records are delivered, so two ranks sending to each other cannot block. */
void xchg_put(struct exchange *x, int dest, const void *rec, size_t bytes, deliver_fn fn,
	      void *arg);
/* Ships every partial batch. */
void xchg_flush(struct exchange *x, deliver_fn fn, void *arg);
/* Delivers every record that has arrived; returns how many batches. */
int xchg_poll(struct exchange *x, deliver_fn fn, void *arg);
/* Called only by a rank with no work and nothing queued: joins or advances a termination
 * wave. Returns 1, on every rank in the same wave, when the search is over. */
int xchg_idle(struct exchange *x);

#endif
