// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: least-connection scheduling, unweighted (lc) and weighted (wlc).
 *
 * A backend's load is IPVS's overhead (ip_vs_dest_conn_overhead()): 256 per
 * active (ESTABLISHED) row plus 1 per other row, so connections opening or
 * closing, and UDP flows, count too, though far less than live ones. lc
 * sends a new connection to the usable backend of least overhead; wlc
 * divides by the weight, as IPVS's ip_vs_wlc.c does: backend a beats b
 * when overhead(a) * weight(b) < overhead(b) * weight(a), in 64 bits.
 *
 * Ties are broken fairly: each scan starts just after the backend picked
 * last, as round robin does, so equally loaded backends take turns however
 * they sit in the array. Counts are read without locks; concurrent picks
 * may see the same minimum, which evens out as rows are created.
 */
#include <linux/atomic.h>

#include "l4lb_backend.h"
#include "l4lb_sched.h"

/**
 * struct l4lb_lc - per-service state
 * @next: where the next scan starts: just after the last pick
 */
struct l4lb_lc {
	atomic_t next;
};

/* 256 per active row, 1 per other row; a count caught in the middle of
 * a change is never read as negative.
 */
static u64 l4lb_lc_overhead(const struct l4lb_backend *be)
{
	return (u64)max(atomic_read(&be->active), 0) * 256 +
	       max(atomic_read(&be->inactive), 0);
}

static struct l4lb_backend *l4lb_lc_pick(struct l4lb_sched_inst *inst,
					 const struct l4lb_backend_array *arr,
					 bool weighted)
{
	struct l4lb_lc *lc = l4lb_sched_priv(inst);
	struct l4lb_backend *best = NULL;
	u64 best_conns = 0, best_w = 1;
	unsigned int i, start, idx, best_idx = 0;

	if (!arr->n)
		return NULL;
	start = (unsigned int)atomic_read(&lc->next);
	for (i = 0; i < arr->n; i++) {
		struct l4lb_backend *be;
		u64 conns, w;

		idx = (start + i) % arr->n;
		be = arr->be[idx];

		if (!l4lb_backend_usable(be))
			continue;
		conns = l4lb_lc_overhead(be);
		w = weighted ? l4lb_backend_weight(be) : 1;
		if (!best || conns * best_w < best_conns * w) {
			best = be;
			best_idx = idx;
			best_conns = conns;
			best_w = w;
		}
	}
	if (best)
		atomic_set(&lc->next, (best_idx + 1) % arr->n);
	return best;
}

static struct l4lb_backend *l4lb_lc_schedule(struct l4lb_sched_inst *inst,
					     const struct l4lb_backend_array *arr,
					     const struct l4lb_tuple *t)
{
	return l4lb_lc_pick(inst, arr, false);
}

static struct l4lb_backend *l4lb_wlc_schedule(struct l4lb_sched_inst *inst,
					      const struct l4lb_backend_array *arr,
					      const struct l4lb_tuple *t)
{
	return l4lb_lc_pick(inst, arr, true);
}

const struct l4lb_scheduler l4lb_sched_lc = {
	.name = "lc",
	.priv_size = sizeof(struct l4lb_lc),
	.schedule = l4lb_lc_schedule,
};

const struct l4lb_scheduler l4lb_sched_wlc = {
	.name = "wlc",
	.priv_size = sizeof(struct l4lb_lc),
	.schedule = l4lb_wlc_schedule,
};
