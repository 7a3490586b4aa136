// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: round-robin scheduling.
 *
 * Each new connection goes to the next usable backend after the one chosen
 * last, in the order the backends were added; unusable ones (down,
 * draining, weight 0) are skipped without disturbing the rotation of the
 * others. The position is advanced with cmpxchg, so concurrent CPUs never
 * pick from the same position and the spread over N picks is exact.
 */
#include <linux/atomic.h>

#include "l4lb_backend.h"
#include "l4lb_sched.h"

/**
 * struct l4lb_rr - per-service state
 * @next: index in the backend array where the next search starts
 */
struct l4lb_rr {
	atomic_t next;
};

static struct l4lb_backend *l4lb_rr_schedule(struct l4lb_sched_inst *inst,
					     const struct l4lb_backend_array *arr,
					     const struct l4lb_tuple *t)
{
	struct l4lb_rr *rr = l4lb_sched_priv(inst);
	unsigned int n = arr->n, start, idx, i;
	struct l4lb_backend *be;

	if (!n)
		return NULL;
	do {
		start = (unsigned int)atomic_read(&rr->next);
		for (i = 0; i < n; i++) {
			idx = (start + i) % n;
			be = arr->be[idx];
			if (l4lb_backend_usable(be))
				break;
		}
		if (i == n)
			return NULL;
	} while (atomic_cmpxchg(&rr->next, start, (idx + 1) % n) != start);
	return be;
}

const struct l4lb_scheduler l4lb_sched_rr = {
	.name = "rr",
	.priv_size = sizeof(struct l4lb_rr),
	.schedule = l4lb_rr_schedule,
};
