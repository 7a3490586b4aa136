// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the scheduler suites (rr, wrr, lc/wlc): a scheduler
 * instance and fake backends in a hand-built backend array.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_kunit.h"
#include "l4lb_sched.h"

static void inst_res_free(struct kunit_resource *res)
{
	l4lb_sched_inst_free(res->data);
	rcu_barrier();	/* the instance is freed by call_rcu() */
}

static int inst_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

struct l4lb_sched_fixture *l4lb_kunit_sched_setup(struct kunit *test,
						  const char *name,
						  unsigned int n,
						  const int *active,
						  const u32 *weight)
{
	struct l4lb_sched_fixture *f;
	unsigned int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->set = kunit_kzalloc(test, struct_size(f->set, be, L4LB_KUNIT_MAX_BE),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->set);
	for (i = 0; i < L4LB_KUNIT_MAX_BE; i++) {
		struct l4lb_backend *be = &f->be[i];

		INIT_LIST_HEAD(&be->list);
		be->addr.ip = htonl(0xcb007100 + i + 1);	/* 203.0.113.x */
		be->port = htons(8080);
		be->weight = weight && i < n ? weight[i] : 1;
		be->weight_pct = L4LB_WEIGHT_PCT_DEFAULT;
		be->state = L4LB_BE_STATE_UP;
		refcount_set(&be->refcnt, 1);
		atomic_set(&be->active, active && i < n ? active[i] : 0);
		atomic_set(&be->inactive, 0);
	}
	for (i = 0; i < n; i++)
		f->set->be[i] = &f->be[i];
	f->set->n = n;

	f->inst = l4lb_sched_inst_create(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f->inst);
	if (!kunit_alloc_resource(test, inst_res_init, inst_res_free,
				  GFP_KERNEL, f->inst)) {
		l4lb_sched_inst_free(f->inst);
		KUNIT_ASSERT_FAILURE(test, "no memory for a kunit resource");
	}
	KUNIT_ASSERT_NOT_NULL(test, f->inst->sched->schedule);
	if (f->inst->sched->update)
		KUNIT_ASSERT_EQ(test, f->inst->sched->update(f->inst, f->set),
				0);
	return f;
}

struct l4lb_backend *l4lb_kunit_sched_pick(struct l4lb_sched_fixture *f)
{
	/* rr, wrr and lc ignore the tuple; vary it all the same. */
	static u16 sport = 1024;
	struct l4lb_tuple t = {
		.saddr = htonl(0xc6336400 + (sport & 0xff)),
		.daddr = htonl(0xc0000201),
		.sport = htons(sport++),
		.dport = htons(80),
		.proto = IPPROTO_TCP,
	};
	struct l4lb_backend *be;

	rcu_read_lock();
	be = f->inst->sched->schedule(f->inst, f->set, &t);
	rcu_read_unlock();
	return be;
}

int l4lb_kunit_be_index(struct l4lb_sched_fixture *f, struct l4lb_backend *be)
{
	return be ? (int)(be - f->be) : -1;
}
