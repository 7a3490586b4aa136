/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the scheduler interface and registry.
 *
 * A scheduler picks the backend of a new connection. Each lives in its own
 * file, l4lb_sched_<name>.c, which defines one const struct l4lb_scheduler
 * named l4lb_sched_<name>, declared below and listed in the registry's
 * table (l4lb_sched.c). Adding one is that file, its Kbuild line, its
 * declaration and its table entry; nothing registers or unregisters. This
 * is the shape of IPVS's struct ip_vs_scheduler.
 *
 * A service owns one scheduler instance (struct l4lb_sched_inst), published
 * with RCU: changing the scheduler under traffic swaps the instance, and only
 * connections scheduled afterwards use the new one.
 */
#ifndef _L4LB_SCHED_H
#define _L4LB_SCHED_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct l4lb_backend;
struct l4lb_backend_array;
struct l4lb_tuple;
struct l4lb_sched_inst;

/**
 * struct l4lb_scheduler - a scheduling algorithm
 * @name: the name users select it by, at most L4LB_SCHED_NAME_MAX - 1 chars
 * @priv_size: bytes of per-service private data, zeroed, at
 *	l4lb_sched_priv()
 * @update: optional; the backend array, or a weight or state in it,
 *	changed. Process context, the services' mutex held. Returns 0 or
 *	-ENOMEM; on error the previous decisions stay in force.
 * @schedule: pick a usable backend (see l4lb_backend_usable()) for a new
 *	connection with original tuple @t, or NULL if there is none.
 *	rcu_read_lock() held and BHs disabled (the packet path); must not
 *	sleep.
 * @done: optional; free what @update allocated. Called when the instance
 *	is freed, after an RCU grace period.
 */
struct l4lb_scheduler {
	const char *name;
	size_t priv_size;
	int (*update)(struct l4lb_sched_inst *inst,
		      const struct l4lb_backend_array *arr);
	struct l4lb_backend *(*schedule)(struct l4lb_sched_inst *inst,
					 const struct l4lb_backend_array *arr,
					 const struct l4lb_tuple *t);
	void (*done)(struct l4lb_sched_inst *inst);
};

/**
 * struct l4lb_sched_inst - a scheduler bound to one service
 * @sched: the algorithm
 * @rcu: deferred free
 * @priv: @sched->priv_size bytes of private data
 */
struct l4lb_sched_inst {
	const struct l4lb_scheduler *sched;
	struct rcu_head rcu;
	unsigned long priv[] __aligned(8);
};

static inline void *l4lb_sched_priv(struct l4lb_sched_inst *inst)
{
	return inst->priv;
}

/* The built-in schedulers (l4lb_sched_<name>.c). */
extern const struct l4lb_scheduler l4lb_sched_rr;
extern const struct l4lb_scheduler l4lb_sched_wrr;
extern const struct l4lb_scheduler l4lb_sched_lc;
extern const struct l4lb_scheduler l4lb_sched_wlc;
extern const struct l4lb_scheduler l4lb_sched_mh;

bool l4lb_sched_exists(const char *name);
struct l4lb_sched_inst *l4lb_sched_inst_create(const char *name);
void l4lb_sched_inst_free(struct l4lb_sched_inst *inst);

#endif /* _L4LB_SCHED_H */
