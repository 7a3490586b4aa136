/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb KUnit suites: what they share.
 */
#ifndef _L4LB_KUNIT_H
#define _L4LB_KUNIT_H

#include <kunit/test.h>
#include <linux/printk.h>

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

#endif /* _L4LB_KUNIT_H */
