// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the round-robin scheduler (kmod/l4lb_sched_rr.c) through
 * the scheduler registry (kmod/l4lb_sched.c), with backend sets built by
 * hand.
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

#define MAX_BE	L4LB_KUNIT_MAX_BE

/*
 * Pick @rounds * len(@order) times and expect exactly the backends of
 * @order (indexes into f->be), over and over, in that order.
 */
static void expect_rotation(struct kunit *test, struct l4lb_sched_fixture *f,
			    const int *order, unsigned int len,
			    unsigned int rounds)
{
	unsigned int count[MAX_BE] = {};
	unsigned int i;

	for (i = 0; i < len * rounds; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_EQ_MSG(test, got, order[i % len],
				    "pick %u went to backend %d", i, got);
		count[got]++;
	}
	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ(test, count[order[i]], rounds);
}

static void rr_registered_and_unknown_name_is_enoent(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, l4lb_sched_exists("rr"));
	KUNIT_EXPECT_FALSE(test, l4lb_sched_exists("no-such-sched"));
	KUNIT_EXPECT_PTR_EQ(test, l4lb_sched_inst_create("no-such-sched"),
			    ERR_PTR(-ENOENT));
}

static void rr_three_backends_300_picks_exactly_100_each_in_order(struct kunit *test)
{
	static const int order[] = { 0, 1, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 3, NULL, NULL);

	expect_rotation(test, f, order, ARRAY_SIZE(order), 100);
}

static void rr_single_backend_gets_every_pick(struct kunit *test)
{
	static const int order[] = { 0 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 1, NULL, NULL);

	expect_rotation(test, f, order, ARRAY_SIZE(order), 50);
}

static void rr_down_backend_skipped_others_rotate_exactly(struct kunit *test)
{
	static const int order[] = { 0, 2, 3 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 4, NULL, NULL);

	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DOWN);
	expect_rotation(test, f, order, ARRAY_SIZE(order), 100);
}

static void rr_draining_backend_skipped_others_rotate_exactly(struct kunit *test)
{
	static const int order[] = { 1, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 3, NULL, NULL);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DRAIN);
	expect_rotation(test, f, order, ARRAY_SIZE(order), 100);
}

static void rr_removed_backend_skipped_others_rotate_exactly(struct kunit *test)
{
	static const int order[] = { 0, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 3, NULL, NULL);

	/* Removed but still in the set (a set not yet republished). */
	WRITE_ONCE(f->be[2].removed, true);
	expect_rotation(test, f, order, ARRAY_SIZE(order), 100);
}

static void rr_weight_zero_backend_skipped_others_rotate_exactly(struct kunit *test)
{
	static const int order[] = { 0, 2, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 5, NULL, NULL);

	WRITE_ONCE(f->be[1].weight, 0);
	WRITE_ONCE(f->be[3].weight, 0);
	expect_rotation(test, f, order, ARRAY_SIZE(order), 60);
}

static void rr_mixed_unusable_backends_all_skipped(struct kunit *test)
{
	static const int order[] = { 1, 5 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 6, NULL, NULL);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[2].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[3].removed, true);
	WRITE_ONCE(f->be[4].weight, 0);
	expect_rotation(test, f, order, ARRAY_SIZE(order), 50);
}

static void rr_backend_back_up_rejoins_the_rotation(struct kunit *test)
{
	static const int without[] = { 0, 2 };
	static const int with[] = { 0, 1, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 3, NULL, NULL);

	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DOWN);
	expect_rotation(test, f, without, ARRAY_SIZE(without), 10);
	/* The last pick was backend 2: the rotation goes on at 0. */
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_UP);
	expect_rotation(test, f, with, ARRAY_SIZE(with), 10);
}

static void rr_empty_set_returns_null(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 0, NULL, NULL);

	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
}

static void rr_all_unusable_returns_null(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 4, NULL, NULL);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[2].removed, true);
	WRITE_ONCE(f->be[3].weight, 0);
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	/* One usable again: it takes every pick. */
	WRITE_ONCE(f->be[2].removed, false);
	KUNIT_EXPECT_EQ(test, l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f)), 2);
	KUNIT_EXPECT_EQ(test, l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f)), 2);
}

static void rr_smaller_set_keeps_an_exact_rotation(struct kunit *test)
{
	static const int five[] = { 0, 1, 2, 3, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "rr", 5, NULL, NULL);
	unsigned int i, count[2] = {};
	int got, last = -1;

	expect_rotation(test, f, five, ARRAY_SIZE(five), 1);
	/* Four more picks: the next search starts at index 4. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f)), (int)i);
	/* The set shrinks to two, below that index (as a set republished
	 * after removals would): picks stay in the set and alternate.
	 */
	f->set->n = 2;
	for (i = 0; i < 40; i++) {
		got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));
		KUNIT_ASSERT_TRUE_MSG(test, got == 0 || got == 1,
				      "pick %u went to backend %d", i, got);
		KUNIT_EXPECT_NE_MSG(test, got, last, "pick %u repeats", i);
		count[got]++;
		last = got;
	}
	KUNIT_EXPECT_EQ(test, count[0], 20U);
	KUNIT_EXPECT_EQ(test, count[1], 20U);
}

static struct kunit_case l4lb_sched_rr_cases[] = {
	KUNIT_CASE(rr_registered_and_unknown_name_is_enoent),
	KUNIT_CASE(rr_three_backends_300_picks_exactly_100_each_in_order),
	KUNIT_CASE(rr_single_backend_gets_every_pick),
	KUNIT_CASE(rr_down_backend_skipped_others_rotate_exactly),
	KUNIT_CASE(rr_draining_backend_skipped_others_rotate_exactly),
	KUNIT_CASE(rr_removed_backend_skipped_others_rotate_exactly),
	KUNIT_CASE(rr_weight_zero_backend_skipped_others_rotate_exactly),
	KUNIT_CASE(rr_mixed_unusable_backends_all_skipped),
	KUNIT_CASE(rr_backend_back_up_rejoins_the_rotation),
	KUNIT_CASE(rr_empty_set_returns_null),
	KUNIT_CASE(rr_all_unusable_returns_null),
	KUNIT_CASE(rr_smaller_set_keeps_an_exact_rotation),
	{}
};

static struct kunit_suite l4lb_sched_rr_suite = {
	.name = "l4lb_sched_rr",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_sched_rr_cases,
};

kunit_test_suites(&l4lb_sched_rr_suite);
