/* The state rules of the Linux 6.1 MMU-notifier core (mm/mmu_notifier.c), on plain data.
 *
 * Every function here is one atomic step of the model: in the kernel the corresponding
 * piece runs under subscriptions->lock (or under mm_take_all_locks for register), so the
 * model may treat it as indivisible. Callbacks into drivers are not made here; library code
 * asks whom to call and calls them as steps of their own.
 *
 * The hlist and the interval tree are not stored as links. A subscription's place on the
 * hlist is its `order`, an interval's place in the tree's in-order walk is its `pos`, and
 * its place on the deferred list is its `dpos`. Keeping these dense (0..k-1) rather than
 * using stamps means two states that the kernel could not tell apart are also equal bytes,
 * which the visited set relies on.
 */
#include "notifier/notifier.h"

#include <string.h>

const char *const mn_event_names[MN_NEVENTS] = {
	[MN_EV_UNMAP] = "UNMAP",
	[MN_EV_CLEAR] = "CLEAR",
	[MN_EV_PROTECTION_VMA] = "PROTECTION_VMA",
	[MN_EV_PROTECTION_PAGE] = "PROTECTION_PAGE",
	[MN_EV_SOFT_DIRTY] = "SOFT_DIRTY",
	[MN_EV_RELEASE] = "RELEASE",
	[MN_EV_MIGRATE] = "MIGRATE",
	[MN_EV_EXCLUSIVE] = "EXCLUSIVE",
};

/* mmu_notifier_subscriptions_init: the mm starts with no subscriptions at all. */
void mn_notifier_mm_init(struct mn_notifier_mm *n)
{
	memset(n, 0, sizeof(*n));
}

/* The kzalloc + init block of __mmu_notifier_register. The seq starts at 2 rather than 0 so
 * that an idle interval's seq (mm seq - 1) is odd and never equal to the idle mm seq. */
static void subscriptions_alloc(struct mn_notifier_mm *n)
{
	if (n->allocated)
		return;
	n->allocated = 1;
	n->invalidate_seq = 2;
}

/* mn_itree_is_invalidating: an odd seq means some running invalidation found an interval
 * (or an insert during an invalidation forced it odd), so the tree is frozen. */
static int itree_frozen(const struct mn_notifier_mm *n)
{
	return n->invalidate_seq & 1;
}

/* ---- the hlist, as dense `order` values ---- */

static int sub_ok(const struct mn_notifier_mm *n, int sub)
{
	return sub >= 0 && sub < MN_NSUB && n->sub[sub].used;
}

/* hlist_del_init_rcu: harmless on a node that is already off the list, which is what lets
 * unregister, put and release race to remove the same subscription. */
static void hlist_unhash(struct mn_notifier_mm *n, int sub)
{
	struct mn_subscription *s = &n->sub[sub];

	if (!s->hashed)
		return;
	for (int i = 0; i < MN_NSUB; i++)
		if (i != sub && n->sub[i].used && n->sub[i].hashed && n->sub[i].order > s->order)
			n->sub[i].order--;
	s->hashed = 0;
	s->order = 0;
}

static void sub_free(struct mn_notifier_mm *n, int sub)
{
	hlist_unhash(n, sub);
	memset(&n->sub[sub], 0, sizeof(n->sub[sub]));
}

/* ---- the interval tree, as dense in-order `pos` values ---- */

static int in_tree(const struct mn_interval *v)
{
	/* A removal deferred by a frozen tree leaves the node in the tree until inv_end. */
	return v->state == MN_ITV_LIVE || v->state == MN_ITV_REMOVE_PENDING;
}

static int pending(const struct mn_interval *v)
{
	return v->state == MN_ITV_INSERT_PENDING || v->state == MN_ITV_REMOVE_PENDING;
}

static int itv_ok(const struct mn_notifier_mm *n, int itv)
{
	return itv >= 0 && itv < MN_NINTERVAL && n->itv[itv].state != MN_ITV_FREE;
}

/* interval_tree_insert descends left only on a strictly smaller start, so a new node lands
 * after every node whose start is <= its own: equal starts walk in insertion order. */
static void tree_insert(struct mn_notifier_mm *n, int itv)
{
	struct mn_interval *v = &n->itv[itv];
	uint8_t pos = 0;

	for (int i = 0; i < MN_NINTERVAL; i++)
		if (i != itv && in_tree(&n->itv[i]) && n->itv[i].start <= v->start)
			pos++;
	for (int i = 0; i < MN_NINTERVAL; i++)
		if (i != itv && in_tree(&n->itv[i]) && n->itv[i].pos >= pos)
			n->itv[i].pos++;
	v->pos = pos;
	v->state = MN_ITV_LIVE;
}

/* interval_tree_remove: rotations keep the in-order sequence, so the others keep theirs. */
static void tree_remove(struct mn_notifier_mm *n, int itv)
{
	struct mn_interval *v = &n->itv[itv];

	for (int i = 0; i < MN_NINTERVAL; i++)
		if (i != itv && in_tree(&n->itv[i]) && n->itv[i].pos > v->pos)
			n->itv[i].pos--;
	v->pos = 0;
}

/* hlist_add_head on deferred_list: the list is replayed head first, i.e. newest first. */
static void deferred_push(struct mn_notifier_mm *n, int itv)
{
	for (int i = 0; i < MN_NINTERVAL; i++)
		if (i != itv && pending(&n->itv[i]))
			n->itv[i].dpos++;
	n->itv[itv].dpos = 0;
}

static void deferred_del(struct mn_notifier_mm *n, int itv)
{
	uint8_t d = n->itv[itv].dpos;

	for (int i = 0; i < MN_NINTERVAL; i++)
		if (i != itv && pending(&n->itv[i]) && n->itv[i].dpos > d)
			n->itv[i].dpos--;
	n->itv[itv].dpos = 0;
}

/* ---- subscriptions ---- */

/* __mmu_notifier_register. The kernel only asserts the mmap_lock (lockdep/DEBUG_VM) and
 * BUG()s on a dead mm; the model refuses instead so the caller can report the breach. */
int mn_register(struct mn_notifier_mm *n, uint16_t ops, int dev, int mmap_write_locked,
		int mm_users, enum mn_protocol *prot)
{
	int slot = -1;

	if (prot)
		*prot = MN_PROT_OK;
	if (!mmap_write_locked) {
		if (prot)
			*prot = MN_PROT_REGISTER_WITHOUT_MMAP_LOCK;
		return -1;
	}
	if (mm_users <= 0) {
		if (prot)
			*prot = MN_PROT_REGISTER_DEAD_MM;
		return -1;
	}
	if (dev < 0 || dev > UINT8_MAX)
		return -1;
	for (int i = 0; i < MN_NSUB && slot < 0; i++)
		if (!n->sub[i].used)
			slot = i;
	if (slot < 0)
		return -1; /* a model capacity, not a kernel failure */

	subscriptions_alloc(n);
	/* hlist_add_head_rcu: the newcomer is called first from now on. */
	for (int i = 0; i < MN_NSUB; i++)
		if (n->sub[i].used && n->sub[i].hashed)
			n->sub[i].order++;
	n->sub[slot] = (struct mn_subscription){
		.used = 1,
		.hashed = 1,
		.dev = (uint8_t)dev,
		.users = 1,
		.ops = ops,
		.order = 0,
	};
	return slot;
}

/* mmu_notifier_get_locked + find_get_mmu_notifier. Only subscriptions still on the list can
 * be found: once released by exit_mmap a driver must not get a new reference to one. */
int mn_get(struct mn_notifier_mm *n, uint16_t ops, int dev, int mmap_write_locked,
	   int mm_users, enum mn_protocol *prot)
{
	if (prot)
		*prot = MN_PROT_OK;
	if (!mmap_write_locked) {
		if (prot)
			*prot = MN_PROT_REGISTER_WITHOUT_MMAP_LOCK;
		return -1;
	}
	if (n->allocated) {
		int found = -1;

		for (int i = 0; i < MN_NSUB; i++) {
			const struct mn_subscription *s = &n->sub[i];
			if (s->used && s->hashed && s->ops == ops && s->dev == dev &&
			    (found < 0 || s->order < n->sub[found].order))
				found = i;
		}
		if (found >= 0) {
			if (n->sub[found].users == UINT8_MAX)
				return -1; /* -EOVERFLOW */
			n->sub[found].users++;
			return found;
		}
	}
	/* alloc_notifier, then the ordinary register path with its own checks. */
	return mn_register(n, ops, dev, mmap_write_locked, mm_users, prot);
}

/* mmu_notifier_put. An unbalanced put only WARNs in the kernel and changes nothing. */
int mn_put(struct mn_notifier_mm *n, int sub)
{
	if (!sub_ok(n, sub) || n->sub[sub].users == 0)
		return 0;
	if (--n->sub[sub].users)
		return 0;
	sub_free(n, sub);
	return 1;
}

/* mmu_notifier_unregister. `hashed` is the kernel's !hlist_unhashed test: if exit_mmap's
 * release got there first, it has already called ->release and the caller must not. */
int mn_unregister(struct mn_notifier_mm *n, int sub)
{
	int was_hashed;

	if (!sub_ok(n, sub))
		return 0;
	was_hashed = n->sub[sub].hashed;
	sub_free(n, sub);
	return was_hashed;
}

/* The hlist_for_each_entry_rcu walks of the callback dispatchers (__mmu_notifier_*,
 * mn_hlist_*): only what is still on the list, head first, and only those whose ops have
 * the callback in question. */
int mn_subscribers(const struct mn_notifier_mm *n, uint16_t ops, int *out)
{
	int k = 0;

	if (!n->allocated)
		return 0;
	for (int o = 0; o < MN_NSUB; o++)
		for (int i = 0; i < MN_NSUB; i++) {
			const struct mn_subscription *s = &n->sub[i];
			if (s->used && s->hashed && s->order == o && (s->ops & ops)) {
				out[k++] = i;
				break;
			}
		}
	return k;
}

/* mn_hlist_release, the part after the ->release calls: everything leaves the list, but
 * the subscriptions stay allocated; their owners still unregister or put them. */
void mn_release_all(struct mn_notifier_mm *n)
{
	for (int i = 0; i < MN_NSUB; i++)
		if (n->sub[i].used) {
			n->sub[i].hashed = 0;
			n->sub[i].order = 0;
		}
}

/* ---- interval notifiers ---- */

/* mmu_interval_notifier_insert + __mmu_interval_notifier_insert. */
int mn_interval_insert(struct mn_notifier_mm *n, uint32_t start, uint32_t length, int dev)
{
	int slot = -1;
	struct mn_interval *v;

	if (dev < 0 || dev > UINT8_MAX)
		return -1;
	/* mmu_notifier_register(NULL, mm) runs before the range is even looked at. */
	subscriptions_alloc(n);
	n->has_itree = 1;

	if (length == 0 || start > UINT32_MAX - (length - 1))
		return -1; /* -EOVERFLOW */
	for (int i = 0; i < MN_NINTERVAL && slot < 0; i++)
		if (n->itv[i].state == MN_ITV_FREE)
			slot = i;
	if (slot < 0)
		return -1;

	v = &n->itv[slot];
	memset(v, 0, sizeof(*v));
	v->start = start;
	v->last = start + (length - 1);
	v->dev = (uint8_t)dev;

	if (n->active_invalidate_ranges) {
		/* A running invalidation may cover the new range without having seen it, so the
		 * interval must look invalidated until the last one ends. */
		if (itree_frozen(n)) {
			v->state = MN_ITV_INSERT_PENDING;
			deferred_push(n, slot);
		} else {
			/* Tree not frozen: insert now, but make the last inv_end bump the seq. */
			n->invalidate_seq |= 1;
			tree_insert(n, slot);
		}
		v->invalidate_seq = n->invalidate_seq;
	} else {
		/* Odd, and not the (even) mm seq: read_begin does not wait. */
		v->invalidate_seq = n->invalidate_seq - 1;
		tree_insert(n, slot);
	}
	return slot;
}

/* mmu_interval_notifier_remove. The test is the frozen tree (odd seq), not the count of
 * active ranges: invalidations that found no interval do not stop the tree changing. */
uint32_t mn_interval_remove(struct mn_notifier_mm *n, int itv)
{
	struct mn_interval *v;

	if (!itv_ok(n, itv))
		return 0;
	v = &n->itv[itv];
	if (itree_frozen(n)) {
		if (v->state == MN_ITV_INSERT_PENDING) {
			/* Never reached the tree, so no callback can be running on it. */
			deferred_del(n, itv);
			memset(v, 0, sizeof(*v));
			return 0;
		}
		if (v->state == MN_ITV_LIVE) {
			v->state = MN_ITV_REMOVE_PENDING;
			deferred_push(n, itv);
		}
		/* Callbacks may run on it until the seq moves on: the remover waits for that. */
		return n->invalidate_seq;
	}
	if (in_tree(v))
		tree_remove(n, itv);
	else
		deferred_del(n, itv); /* not reachable: pending items imply an odd seq */
	memset(v, 0, sizeof(*v));
	return 0;
}

/* mmu_interval_read_begin. Equality with the mm seq means the interval's seq was stamped by
 * an invalidation (set_seq or an insert) that has not ended yet. */
uint32_t mn_interval_read_begin(const struct mn_notifier_mm *n, int itv, int *must_wait)
{
	uint32_t seq;

	if (!itv_ok(n, itv)) {
		if (must_wait)
			*must_wait = 0;
		return 0;
	}
	seq = n->itv[itv].invalidate_seq;
	if (must_wait)
		*must_wait = seq == n->invalidate_seq;
	return seq;
}

/* mmu_interval_read_retry (and mmu_interval_check_retry, which is the same test). */
int mn_interval_read_retry(const struct mn_notifier_mm *n, int itv, uint32_t seq)
{
	if (itv < 0 || itv >= MN_NINTERVAL)
		return 1;
	return n->itv[itv].invalidate_seq != seq;
}

/* mmu_interval_set_seq. */
void mn_interval_set_seq(struct mn_notifier_mm *n, int itv, uint32_t cur_seq)
{
	if (itv_ok(n, itv))
		n->itv[itv].invalidate_seq = cur_seq;
}

/* ---- invalidation bookkeeping ---- */

/* mn_itree_inv_start_range + interval_tree_iter_first/next, behind the has_itree test of
 * __mmu_notifier_invalidate_range_start and mm_has_notifiers of its wrapper. */
int mn_itree_overlaps(const struct mn_notifier_mm *n, uint32_t start, uint32_t end, int *out)
{
	const uint32_t last = end - 1u;
	int k = 0;
	if (!n->allocated || !n->has_itree)
		return 0;
	for (int p = 0; p < MN_NINTERVAL; p++)
		for (int i = 0; i < MN_NINTERVAL; i++) {
			const struct mn_interval *v = &n->itv[i];
			if (in_tree(v) && v->pos == p) {
				if (v->start <= last && start <= v->last) {
					if (out)
						out[k] = i;
					k++;
				}
				break;
			}
		}
	return k;
}

int mn_itree_inv_start(struct mn_notifier_mm *n, uint32_t start, uint32_t end, int *out,
		       int *nout, uint32_t *cur_seq)
{
	/* The kernel asks the tree for [start, end - 1] and does not guard end == 0. */
	const uint32_t last = end - 1u;
	int k = 0;

	if (nout)
		*nout = 0;
	if (cur_seq)
		*cur_seq = n->invalidate_seq;
	if (!n->allocated || !n->has_itree)
		return 0;

	(void)last;
	/* Counted even when nothing overlaps: inserts must know an invalidation is running. */
	n->active_invalidate_ranges++;
	k = mn_itree_overlaps(n, start, end, out);
	if (k)
		n->invalidate_seq |= 1;
	if (nout)
		*nout = k;
	if (cur_seq)
		*cur_seq = n->invalidate_seq;
	return k > 0;
}

/* mn_itree_inv_end, behind the has_itree test of __mmu_notifier_invalidate_range_end. Only
 * the last invalidation out may unfreeze the tree; it then replays the deferred list. */
enum mn_protocol mn_itree_inv_end(struct mn_notifier_mm *n)
{
	if (!n->allocated || !n->has_itree)
		return MN_PROT_OK;
	if (!n->active_invalidate_ranges)
		return MN_PROT_END_WITHOUT_START;
	if (--n->active_invalidate_ranges || !itree_frozen(n))
		return MN_PROT_OK;

	n->invalidate_seq++;
	/* Head first: deferred inserts land in the tree newest first. */
	for (uint8_t d = 0; d < MN_NINTERVAL; d++) {
		int hit = -1;

		for (int i = 0; i < MN_NINTERVAL && hit < 0; i++)
			if (pending(&n->itv[i]) && n->itv[i].dpos == d)
				hit = i;
		if (hit < 0)
			break;
		/* dpos values are dense, so clearing as we go keeps the later ones findable. */
		n->itv[hit].dpos = 0;
		if (n->itv[hit].state == MN_ITV_INSERT_PENDING) {
			tree_insert(n, hit);
		} else {
			tree_remove(n, hit);
			memset(&n->itv[hit], 0, sizeof(n->itv[hit]));
		}
	}
	return MN_PROT_OK;
}

/* mn_itree_invalidate's handling of an ->invalidate that returned false. */
enum mn_protocol mn_itree_invalidate_failed(struct mn_notifier_mm *n, int blockable)
{
	if (blockable)
		return MN_PROT_BLOCKABLE_FAILED;
	/* out_would_block: the non-blocking caller will not call end, so end it here. */
	return mn_itree_inv_end(n);
}

/* The two WARN_ONs of mn_hlist_invalidate_range_start. A subscriber that both fails and has
 * an end callback will get end without having started, since end is sent to everyone. */
enum mn_protocol mn_start_failed(const struct mn_notifier_mm *n, int sub, int rc, int blockable)
{
	if (rc == 0)
		return MN_PROT_OK;
	if (blockable || rc != -MN_EAGAIN)
		return MN_PROT_BLOCKABLE_FAILED;
	if (sub_ok(n, sub) && (n->sub[sub].ops & MN_OP_INVALIDATE_RANGE_END))
		return MN_PROT_FAILING_NOTIFIER_HAS_END;
	return MN_PROT_OK;
}
