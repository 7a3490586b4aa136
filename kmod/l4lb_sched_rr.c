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

#include "l4lb_conn.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"

/**
 * struct l4lb_rr - per-service state
 * @next: index in the backend set where the next search starts
 */
struct l4lb_rr {
	atomic_t next;
};

static struct l4lb_backend *l4lb_rr_schedule(struct l4lb_sched_inst *inst,
					     const struct l4lb_backend_set *set,
					     const struct l4lb_tuple *t)
{
	struct l4lb_rr *rr = l4lb_sched_priv(inst);
	unsigned int n = set->n, start, idx, i;
	struct l4lb_backend *be;

	if (!n)
		return NULL;
	do {
		start = (unsigned int)atomic_read(&rr->next);
		for (i = 0; i < n; i++) {
			idx = (start + i) % n;
			be = set->be[idx];
			if (l4lb_backend_usable(be))
				break;
		}
		if (i == n)
			return NULL;
	} while (atomic_cmpxchg(&rr->next, start, (idx + 1) % n) != start);
	return be;
}

static struct l4lb_scheduler l4lb_sched_rr = {
	.name = "rr",
	.priv_size = sizeof(struct l4lb_rr),
	.schedule = l4lb_rr_schedule,
};

/**
 * l4lb_sched_rr_init() - register the round-robin scheduler
 *
 * Context: process, module init.
 * Return: 0 or a negative errno from l4lb_sched_register().
 */
int l4lb_sched_rr_init(void)
{
	return l4lb_sched_register(&l4lb_sched_rr);
}

/**
 * l4lb_sched_rr_exit() - unregister the round-robin scheduler
 *
 * Context: process, module exit.
 */
void l4lb_sched_rr_exit(void)
{
	l4lb_sched_unregister(&l4lb_sched_rr);
}
