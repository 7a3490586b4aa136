// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the scheduler registry.
 *
 * All schedulers are built into l4lb.ko and registered at module load, so
 * the registry needs no module reference counting; the mutex only guards the
 * list against concurrent lookups from the control plane.
 */
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_sched.h"

static LIST_HEAD(l4lb_sched_list);
static DEFINE_MUTEX(l4lb_sched_mutex);

static struct l4lb_scheduler *l4lb_sched_find(const char *name)
{
	struct l4lb_scheduler *s;

	lockdep_assert_held(&l4lb_sched_mutex);
	list_for_each_entry(s, &l4lb_sched_list, list) {
		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

/**
 * l4lb_sched_register() - make a scheduler selectable by name
 * @sched: the scheduler; must stay valid until unregistered
 *
 * Context: process.
 * Return: 0, -EINVAL for a name that is empty or too long, -EEXIST if the
 * name is taken.
 */
int l4lb_sched_register(struct l4lb_scheduler *sched)
{
	int err = 0;

	if (!sched->name[0] || strlen(sched->name) >= L4LB_SCHED_NAME_MAX)
		return -EINVAL;
	mutex_lock(&l4lb_sched_mutex);
	if (l4lb_sched_find(sched->name))
		err = -EEXIST;
	else
		list_add_tail(&sched->list, &l4lb_sched_list);
	mutex_unlock(&l4lb_sched_mutex);
	return err;
}

/**
 * l4lb_sched_unregister() - remove a scheduler from the registry
 * @sched: a registered scheduler no service uses any more
 *
 * Context: process.
 */
void l4lb_sched_unregister(struct l4lb_scheduler *sched)
{
	mutex_lock(&l4lb_sched_mutex);
	list_del(&sched->list);
	mutex_unlock(&l4lb_sched_mutex);
}

/**
 * l4lb_sched_exists() - is a scheduler of this name registered?
 * @name: NUL-terminated name
 *
 * Context: process.
 * Return: true if it is.
 */
bool l4lb_sched_exists(const char *name)
{
	bool found;

	mutex_lock(&l4lb_sched_mutex);
	found = l4lb_sched_find(name);
	mutex_unlock(&l4lb_sched_mutex);
	return found;
}

/**
 * l4lb_sched_inst_create() - instantiate a scheduler for one service
 * @name: scheduler name
 *
 * The caller runs the scheduler's update() with the current backend set
 * before publishing the instance.
 *
 * Context: process, may sleep.
 * Return: the instance, ERR_PTR(-ENOENT) for an unknown name or
 * ERR_PTR(-ENOMEM).
 */
struct l4lb_sched_inst *l4lb_sched_inst_create(const char *name)
{
	struct l4lb_sched_inst *inst = ERR_PTR(-ENOENT);
	struct l4lb_scheduler *s;

	mutex_lock(&l4lb_sched_mutex);
	s = l4lb_sched_find(name);
	if (s) {
		inst = kzalloc(struct_size(inst, priv, 0) + s->priv_size,
			       GFP_KERNEL);
		if (inst)
			inst->sched = s;
		else
			inst = ERR_PTR(-ENOMEM);
	}
	mutex_unlock(&l4lb_sched_mutex);
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

/**
 * l4lb_sched_init() - register every built-in scheduler
 *
 * Context: process, module init.
 * Return: 0 or the first registration error (nothing stays registered).
 */
int l4lb_sched_init(void)
{
	int err;

	err = l4lb_sched_rr_init();
	if (err)
		return err;
	err = l4lb_sched_wrr_init();
	if (err)
		goto err_rr;
	err = l4lb_sched_lc_init();
	if (err)
		goto err_wrr;
	err = l4lb_sched_mh_init();
	if (err)
		goto err_lc;
	return 0;

err_lc:
	l4lb_sched_lc_exit();
err_wrr:
	l4lb_sched_wrr_exit();
err_rr:
	l4lb_sched_rr_exit();
	return err;
}

/**
 * l4lb_sched_exit() - unregister every built-in scheduler
 *
 * Context: process, module exit.
 */
void l4lb_sched_exit(void)
{
	l4lb_sched_mh_exit();
	l4lb_sched_lc_exit();
	l4lb_sched_wrr_exit();
	l4lb_sched_rr_exit();
}
