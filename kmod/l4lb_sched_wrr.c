// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: smooth weighted round-robin scheduling.
 *
 * The algorithm nginx uses (ngx_http_upstream_get_peer(), "smooth weighted
 * round-robin balancing", nginx 1.3.1): at each pick every usable backend's
 * current weight grows by its weight, the backend with the largest current
 * weight is chosen, and the chosen one's current weight drops by the sum of
 * the weights. Over sum(weights) picks each backend is chosen exactly weight
 * times, and the picks interleave: 5:1:1 gives a a b a c a a, not a a a a a
 * b c.
 *
 * Each pick updates every backend's current weight, so picks are serialised
 * by a spinlock in the per-service state; the work is O(backends).
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "l4lb_backend.h"
#include "l4lb_mem.h"
#include "l4lb_sched.h"

/**
 * struct l4lb_wrr_state - per-backend current weights, for one backend array
 * @rcu: deferred free
 * @n: entries in @cur
 * @cur: current weight of arr->be[i]
 */
struct l4lb_wrr_state {
	struct rcu_head rcu;
	unsigned int n;
	s64 cur[];
};

/**
 * struct l4lb_wrr - per-service state
 * @lock: serialises picks (softirq) and the swap of @state
 * @state: current weights matching the published backend array
 */
struct l4lb_wrr {
	spinlock_t lock;		/* picks and @state */
	struct l4lb_wrr_state __rcu *state;
};

static int l4lb_wrr_update(struct l4lb_sched_inst *inst,
			   const struct l4lb_backend_array *arr)
{
	struct l4lb_wrr *wrr = l4lb_sched_priv(inst);
	struct l4lb_wrr_state *st, *old;

	if (!rcu_access_pointer(wrr->state))
		spin_lock_init(&wrr->lock);
	st = kzalloc(struct_size(st, cur, arr->n), L4LB_GFP_CTL);
	if (!st)
		return -ENOMEM;
	st->n = arr->n;

	/* Start afresh: a weight change restarts the interleaving. */
	spin_lock_bh(&wrr->lock);
	old = rcu_dereference_protected(wrr->state,
					lockdep_is_held(&wrr->lock));
	rcu_assign_pointer(wrr->state, st);
	spin_unlock_bh(&wrr->lock);
	kfree_rcu(old, rcu);
	return 0;
}

static struct l4lb_backend *l4lb_wrr_schedule(struct l4lb_sched_inst *inst,
					      const struct l4lb_backend_array *arr,
					      const struct l4lb_tuple *t)
{
	struct l4lb_wrr *wrr = l4lb_sched_priv(inst);
	struct l4lb_backend *best = NULL;
	struct l4lb_wrr_state *st;
	unsigned int i, best_i = 0;
	s64 total = 0;

	spin_lock(&wrr->lock);
	st = rcu_dereference_protected(wrr->state, lockdep_is_held(&wrr->lock));
	/* The array and the state are published separately; until both match
	 * (a grace period at most), fall back to the first usable backend.
	 */
	for (i = 0; i < arr->n; i++) {
		struct l4lb_backend *be = arr->be[i];
		u32 w;

		if (!l4lb_backend_usable(be))
			continue;
		if (!st || st->n != arr->n) {
			best = be;
			break;
		}
		w = l4lb_backend_weight(be);
		st->cur[i] += w;
		total += w;
		if (!best || st->cur[i] > st->cur[best_i]) {
			best = be;
			best_i = i;
		}
	}
	if (best && st && st->n == arr->n)
		st->cur[best_i] -= total;
	spin_unlock(&wrr->lock);
	return best;
}

static void l4lb_wrr_done(struct l4lb_sched_inst *inst)
{
	struct l4lb_wrr *wrr = l4lb_sched_priv(inst);

	kfree(rcu_dereference_protected(wrr->state, 1));
}

const struct l4lb_scheduler l4lb_sched_wrr = {
	.name = "wrr",
	.priv_size = sizeof(struct l4lb_wrr),
	.update = l4lb_wrr_update,
	.schedule = l4lb_wrr_schedule,
	.done = l4lb_wrr_done,
};
