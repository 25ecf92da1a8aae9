/* Batches travel as MPI byte messages of whole records on one tag of mnsim's own
 * communicator. Termination: each rank counts the batches it sent and received; a rank
 * with no work joins a wave (a non-blocking all-reduce of the two counts) and keeps working
 * if work arrives meanwhile. Two consecutive waves with the same sums, sent == received,
 * prove termination: every rank was idle at its first snapshot and received nothing
 * between its two snapshots, so it stayed idle; at the moment the last rank joined the
 * first wave no rank had work and no batch was in flight. */
#include "mpi_exchange.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define TAG_STATES 1
#define BATCH_BYTES 65536
#define MAX_INFLIGHT 16

/* In a batch each record is preceded by its length, one 8-byte word. */
void xchg_init(struct exchange *x, struct mn_mpi *m, size_t maxrec)
{
	memset(x, 0, sizeof(*x));
	x->m = m;
	x->maxrec = maxrec;
	x->cap = BATCH_BYTES > maxrec + 8 ? BATCH_BYTES : maxrec + 8;
	x->out = xcalloc((size_t)m->size, sizeof(*x->out));
	for (int i = 0; i < m->size; i++)
		x->out[i].buf = xmalloc(x->cap);
	x->maxfl = MAX_INFLIGHT;
	x->fl = xcalloc((size_t)x->maxfl, sizeof(*x->fl));
	x->spare = xcalloc((size_t)x->maxfl, sizeof(*x->spare));
}

static void reap(struct exchange *x)
{
	for (int i = 0; i < x->nfl;) {
		int done;
		MPI_Test(&x->fl[i].req, &done, MPI_STATUS_IGNORE);
		if (!done) {
			i++;
			continue;
		}
		x->spare[x->nspare++] = x->fl[i].buf; /* at most maxfl are in flight or spare */
		x->fl[i] = x->fl[--x->nfl];
	}
}

void xchg_free(struct exchange *x)
{
	for (int i = 0; i < x->nfl; i++) {
		MPI_Wait(&x->fl[i].req, MPI_STATUS_IGNORE);
		free(x->fl[i].buf);
	}
	if (x->wave_pending)
		MPI_Wait(&x->wave, MPI_STATUS_IGNORE);
	for (int i = 0; i < x->m->size; i++)
		free(x->out[i].buf);
	for (int i = 0; i < x->nspare; i++)
		free(x->spare[i]);
	free(x->spare);
	free(x->out);
	free(x->fl);
	free(x->in);
	memset(x, 0, sizeof(*x));
}

static void ship(struct exchange *x, int dest, deliver_fn fn, void *arg)
{
	struct outbox *ob = &x->out[dest];
	if (!ob->len)
		return;
	reap(x);
	while (x->nfl == x->maxfl) {
		/* The receivers may be waiting to send to us: take their batches meanwhile. */
		xchg_poll(x, fn, arg);
		reap(x);
	}
	struct inflight *f = &x->fl[x->nfl++];
	f->buf = ob->buf;
	MPI_Isend(f->buf, (int)ob->len, MPI_BYTE, dest, TAG_STATES, x->m->comm, &f->req);
	x->sent++;
	ob->buf = x->nspare ? x->spare[--x->nspare] : xmalloc(x->cap);
	ob->len = 0;
}

void xchg_put(struct exchange *x, int dest, const void *rec, size_t bytes, deliver_fn fn,
	      void *arg)
{
	struct outbox *ob = &x->out[dest];
	if (ob->len + 8 + bytes > x->cap)
		ship(x, dest, fn, arg);
	uint64_t len = bytes;
	memcpy(ob->buf + ob->len, &len, 8);
	memcpy(ob->buf + ob->len + 8, rec, bytes);
	ob->len += 8 + ((bytes + 7) & ~(size_t)7);
}

void xchg_flush(struct exchange *x, deliver_fn fn, void *arg)
{
	for (int i = 0; i < x->m->size; i++)
		ship(x, i, fn, arg);
}

int xchg_poll(struct exchange *x, deliver_fn fn, void *arg)
{
	int batches = 0;
	for (;;) {
		int flag, bytes;
		MPI_Status st;
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_STATES, x->m->comm, &flag, &st);
		if (!flag)
			break;
		MPI_Get_count(&st, MPI_BYTE, &bytes);
		if ((size_t)bytes > x->in_cap) {
			x->in_cap = (size_t)bytes;
			x->in = xrealloc(x->in, x->in_cap);
		}
		MPI_Recv(x->in, bytes, MPI_BYTE, st.MPI_SOURCE, TAG_STATES, x->m->comm,
			 MPI_STATUS_IGNORE);
		x->received++;
		batches++;
		for (size_t off = 0; off + 8 <= (size_t)bytes;) {
			uint64_t len;
			memcpy(&len, x->in + off, 8);
			fn(arg, st.MPI_SOURCE, x->in + off + 8, (size_t)len);
			off += 8 + ((len + 7) & ~(uint64_t)7);
		}
	}
	return batches;
}

int xchg_idle(struct exchange *x)
{
	if (!x->wave_pending) {
		x->snap[0] = x->sent;
		x->snap[1] = x->received;
		MPI_Iallreduce(x->snap, x->sum, 2, MPI_INT64_T, MPI_SUM, x->m->comm, &x->wave);
		x->wave_pending = 1;
		return 0;
	}
	int done;
	MPI_Test(&x->wave, &done, MPI_STATUS_IGNORE);
	if (!done)
		return 0;
	x->wave_pending = 0;
	int over = x->have_prev && x->sum[0] == x->prev[0] && x->sum[1] == x->prev[1] &&
		   x->sum[0] == x->sum[1];
	x->prev[0] = x->sum[0];
	x->prev[1] = x->sum[1];
	x->have_prev = 1;
	return over;
}
