/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb KUnit suites: what they share.
 */
#ifndef _L4LB_KUNIT_H
#define _L4LB_KUNIT_H

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/printk.h>

#include "../include/uapi/l4lb.h"

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_sched.h"

/**
 * l4lb_kunit_need_module_init() - suite_init of suites using module state
 * @suite: the suite
 *
 * The NAT table's slab cache and the scheduler registry are set up by the
 * module's init (l4lb_main.c), which run.sh makes succeed by booting with
 * l4lb.vip=. Its error path undoes everything, so "rr" being registered
 * tells that it ran to the end and the slab cache exists.
 *
 * Return: 0, or -ENODEV (the suite then fails as a whole).
 */
static inline int l4lb_kunit_need_module_init(struct kunit_suite *suite)
{
	if (l4lb_sched_exists("rr"))
		return 0;
	pr_err("%s: l4lb's module init did not run to the end: boot with l4lb.vip=<address> (see tests/kunit/run.sh)\n",
	       suite->name);
	return -ENODEV;
}

/** L4LB_KUNIT_MAX_BE - backends in a scheduler fixture */
#define L4LB_KUNIT_MAX_BE	8

/**
 * struct l4lb_sched_fixture - a scheduler instance and fake backends
 * @inst: the instance, freed with the test
 * @be: the backends, 203.0.113.1.. port 8080, up, weight 1 by default
 * @set: the first n of them, in order
 */
struct l4lb_sched_fixture {
	struct l4lb_sched_inst *inst;
	struct l4lb_backend be[L4LB_KUNIT_MAX_BE];
	struct l4lb_backend_array *set;
};

/*
 * l4lb_kunit_sched_setup() - instance of scheduler @name over @n backends,
 * with @active[i] active rows (0 if NULL) and weight @weight[i] (1 if
 * NULL); runs the scheduler's update() if it has one.
 */
struct l4lb_sched_fixture *l4lb_kunit_sched_setup(struct kunit *test,
						  const char *name,
						  unsigned int n,
						  const int *active,
						  const u32 *weight);
/* One pick, under RCU, for a varying tuple. */
struct l4lb_backend *l4lb_kunit_sched_pick(struct l4lb_sched_fixture *f);
/* Index of @be in f->be, or -1 for NULL. */
int l4lb_kunit_be_index(struct l4lb_sched_fixture *f, struct l4lb_backend *be);

/* Test-only entry points of the module (built with CONFIG_L4LB_KUNIT_TEST). */
unsigned int l4lb_conn_gc(struct l4lb_conn_table *tab, unsigned int nbuckets,
			  unsigned long now);
void l4lb_conn_gc_timeouts(struct l4lb_conn_table *tab,
			   const unsigned long *timeout, u8 proto);

/* The SNAT port cursor of a row's backend, as the packet path passes it,
 * or NULL for a row without one.
 */
static inline atomic_t *l4lb_kunit_cursor(struct l4lb_conn *conn)
{
	return conn->backend ? &conn->backend->snat_next : NULL;
}

/* l4lb_conn_insert_range() over @ports of the one SNAT address the row's
 * reply tuple has, from the cursor of the row's backend.
 */
static inline int l4lb_kunit_insert_ports(struct l4lb_conn_table *tab,
					  struct l4lb_conn *conn,
					  const struct l4lb_port_range *ports,
					  struct l4lb_tuple_hash **old)
{
	const union nf_inet_addr addr = {
		.ip = conn->th[L4LB_DIR_REPLY].tuple.daddr,
	};
	const struct l4lb_snat_space sp = {
		.addrs = &addr,
		.naddr = 1,
		.ports = *ports,
	};

	return l4lb_conn_insert_range(tab, conn, &sp, l4lb_kunit_cursor(conn),
				      NULL, old);
}

/* l4lb_kunit_insert_ports() over the one part @lo-@hi. */
static inline int l4lb_kunit_insert(struct l4lb_conn_table *tab,
				    struct l4lb_conn *conn, u16 lo, u16 hi,
				    struct l4lb_tuple_hash **old)
{
	const struct l4lb_port_range ports = {
		.lo = { lo, 1 },
		.hi = { hi, 0 },
	};

	return l4lb_kunit_insert_ports(tab, conn, &ports, old);
}

#endif /* _L4LB_KUNIT_H */
