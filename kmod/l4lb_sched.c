// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the scheduler registry.
 *
 * Every scheduler is built into l4lb.ko, so the registry is a constant
 * table: no registration, no locking, no module references.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "l4lb_mem.h"
#include "l4lb_sched.h"

/* The built-in schedulers, declared in l4lb_sched.h. */
static const struct l4lb_scheduler * const l4lb_schedulers[] = {
	&l4lb_sched_rr,
	&l4lb_sched_wrr,
	&l4lb_sched_lc,
	&l4lb_sched_wlc,
	&l4lb_sched_mh,
};

static const struct l4lb_scheduler *l4lb_sched_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(l4lb_schedulers); i++)
		if (!strcmp(l4lb_schedulers[i]->name, name))
			return l4lb_schedulers[i];
	return NULL;
}

/**
 * l4lb_sched_exists() - is there a scheduler of this name?
 * @name: NUL-terminated name
 *
 * Context: any.
 * Return: true if there is.
 */
bool l4lb_sched_exists(const char *name)
{
	return l4lb_sched_find(name);
}

/**
 * l4lb_sched_inst_create() - instantiate a scheduler for one service
 * @name: scheduler name
 *
 * The caller runs the scheduler's update() with the current backend array
 * before publishing the instance. It is charged to the caller's memory
 * cgroup, as are the schedulers' own allocations (l4lb_mem.h).
 *
 * Context: process, may sleep.
 * Return: the instance, ERR_PTR(-ENOENT) for an unknown name or
 * ERR_PTR(-ENOMEM).
 */
struct l4lb_sched_inst *l4lb_sched_inst_create(const char *name)
{
	const struct l4lb_scheduler *s = l4lb_sched_find(name);
	struct l4lb_sched_inst *inst;

	if (!s)
		return ERR_PTR(-ENOENT);
	inst = kzalloc(struct_size(inst, priv, 0) + s->priv_size, L4LB_GFP_CTL);
	if (!inst)
		return ERR_PTR(-ENOMEM);
	inst->sched = s;
	return inst;
}

static void l4lb_sched_inst_free_rcu(struct rcu_head *head)
{
	struct l4lb_sched_inst *inst =
		container_of(head, struct l4lb_sched_inst, rcu);

	if (inst->sched->done)
		inst->sched->done(inst);
	kfree(inst);
}

/**
 * l4lb_sched_inst_free() - free an instance after an RCU grace period
 * @inst: an unpublished instance; may be NULL
 *
 * Context: any.
 */
void l4lb_sched_inst_free(struct l4lb_sched_inst *inst)
{
	if (inst)
		call_rcu(&inst->rcu, l4lb_sched_inst_free_rcu);
}
