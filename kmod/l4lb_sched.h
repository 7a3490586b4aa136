/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: scheduler interface and registry.
 *
 * A scheduler picks the backend of a new connection. Each lives in its own
 * file (l4lb_sched_<name>.c), fills one struct l4lb_scheduler and registers
 * it; adding a scheduler touches nothing else. This is the shape of IPVS's
 * struct ip_vs_scheduler.
 *
 * A service owns one scheduler instance (struct l4lb_sched_inst), published
 * with RCU: changing the scheduler under traffic swaps the instance, and only
 * connections scheduled afterwards use the new one.
 */
#ifndef _L4LB_SCHED_H
#define _L4LB_SCHED_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct l4lb_backend;
struct l4lb_backend_set;
struct l4lb_tuple;

struct l4lb_sched_inst;

/**
 * struct l4lb_scheduler - a scheduling algorithm
 * @list: registry linkage
 * @name: the name users select it by, at most L4LB_SCHED_NAME_MAX - 1 chars
 * @priv_size: bytes of per-service private data, zeroed, at
 *	l4lb_sched_priv()
 * @update: optional; the backend set, or a weight or state in it, changed.
 *	Process context, l4lb_net::lock held. Returns 0 or -ENOMEM; on error
 *	the previous decisions stay in force.
 * @schedule: pick a usable backend (see l4lb_backend_usable()) for a new
 *	connection with original tuple @t, or NULL if there is none.
 *	Softirq, rcu_read_lock() held; must not sleep or take the mutex.
 * @done: optional; free what @update allocated. Called when the instance
 *	is freed, after an RCU grace period.
 */
struct l4lb_scheduler {
	struct list_head list;
	const char *name;
	size_t priv_size;
	int (*update)(struct l4lb_sched_inst *inst,
		      const struct l4lb_backend_set *set);
	struct l4lb_backend *(*schedule)(struct l4lb_sched_inst *inst,
					 const struct l4lb_backend_set *set,
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

int l4lb_sched_register(struct l4lb_scheduler *sched);
void l4lb_sched_unregister(struct l4lb_scheduler *sched);
bool l4lb_sched_exists(const char *name);
struct l4lb_sched_inst *l4lb_sched_inst_create(const char *name);
void l4lb_sched_inst_free(struct l4lb_sched_inst *inst);

int l4lb_sched_rr_init(void);
void l4lb_sched_rr_exit(void);
int l4lb_sched_wrr_init(void);
void l4lb_sched_wrr_exit(void);
int l4lb_sched_lc_init(void);
void l4lb_sched_lc_exit(void);
int l4lb_sched_mh_init(void);
void l4lb_sched_mh_exit(void);

/* Maglev internals, for the tests. */
struct l4lb_mh_table;
unsigned int l4lb_mh_table_size(unsigned int n);
struct l4lb_mh_table *l4lb_mh_build(const struct l4lb_backend_set *set,
				    u32 seed);
void l4lb_mh_table_free(struct l4lb_mh_table *tab);
struct l4lb_backend *l4lb_mh_lookup(const struct l4lb_mh_table *tab, u32 hash);
u32 l4lb_mh_hash(const struct l4lb_tuple *t, u32 seed, bool source_only);

int l4lb_sched_init(void);
void l4lb_sched_exit(void);

#endif /* _L4LB_SCHED_H */
