// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the least-connection schedulers lc and wlc
 * (kmod/l4lb_sched_lc.c) through the scheduler registry, with backend
 * arrays built by hand and their row counts set directly.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_kunit.h"
#include "l4lb_sched.h"

#define MAX_BE	L4LB_KUNIT_MAX_BE

/* Pick @picks times, counts unchanged, and count the picks of each. */
static void count_picks(struct kunit *test, struct l4lb_sched_fixture *f,
			unsigned int picks, unsigned int *count)
{
	unsigned int i;

	memset(count, 0, MAX_BE * sizeof(*count));
	for (i = 0; i < picks; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_TRUE_MSG(test, got >= 0 && got < MAX_BE,
				      "pick %u went to backend %d", i, got);
		count[got]++;
	}
}

/* Pick @picks times and expect backend @want every time. */
static void expect_always(struct kunit *test, struct l4lb_sched_fixture *f,
			  unsigned int picks, int want)
{
	unsigned int i;

	for (i = 0; i < picks; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_EQ_MSG(test, got, want,
				    "pick %u went to backend %d", i, got);
	}
}

static void lc_and_wlc_registered(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, l4lb_sched_exists("lc"));
	KUNIT_EXPECT_TRUE(test, l4lb_sched_exists("wlc"));
}

static void lc_picks_the_backend_with_fewest_active(struct kunit *test)
{
	static const int active[] = { 5, 2, 7, 3, 9 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 5, active, NULL);

	/* Every start of the scan finds the same minimum. */
	expect_always(test, f, 50, 1);
}

static void lc_follows_the_counts_as_they_change(struct kunit *test)
{
	static const int active[] = { 4, 4, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 3, active, NULL);

	atomic_set(&f->be[2].active, 3);
	expect_always(test, f, 10, 2);
	atomic_set(&f->be[2].active, 5);
	atomic_set(&f->be[0].active, 0);
	expect_always(test, f, 10, 0);
	/* Emulate rows being established on each pick: it evens out. */
	atomic_set(&f->be[0].active, 5);
	atomic_set(&f->be[1].active, 1);
	expect_always(test, f, 1, 1);
	atomic_inc(&f->be[1].active);
	expect_always(test, f, 1, 1);
	atomic_inc(&f->be[1].active);
	expect_always(test, f, 1, 1);
	atomic_inc(&f->be[1].active);
	expect_always(test, f, 1, 1);
	atomic_inc(&f->be[1].active);
	/* Now 5, 5, 5. */
	{
		unsigned int count[MAX_BE];

		count_picks(test, f, 30, count);
		KUNIT_EXPECT_EQ(test, count[0], 10U);
		KUNIT_EXPECT_EQ(test, count[1], 10U);
		KUNIT_EXPECT_EQ(test, count[2], 10U);
	}
}

/*
 * IPVS's overhead: an active row counts 256, any other row 1, so rows
 * that are opening or closing count too, but far less than live ones.
 */
static void lc_overhead_is_256_per_active_plus_inactive(struct kunit *test)
{
	static const int active[] = { 3, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 2, active, NULL);

	atomic_set(&f->be[1].inactive, 255);	/* 767 against 768 */
	expect_always(test, f, 10, 1);
	atomic_set(&f->be[1].inactive, 257);	/* 769 against 768 */
	expect_always(test, f, 10, 0);
}

/*
 * UDP flows and short TCP connections are never ESTABLISHED for long: a
 * count of active rows alone made wlc a round robin that ignored the
 * weights. 400 new UDP flows over weights 1:3 split 100/300.
 */
static void wlc_udp_flows_split_by_weight(struct kunit *test)
{
	static const u32 weight[] = { 1, 3 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 2, NULL, weight);
	unsigned int count[2] = { 0, 0 }, i;

	for (i = 0; i < 400; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_TRUE(test, got == 0 || got == 1);
		count[got]++;
		atomic_inc(&f->be[got].inactive);	/* the new flow's row */
	}
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 300U);
}

static void lc_ties_broken_fairly_300_picks_100_each(struct kunit *test)
{
	static const int active[] = { 4, 4, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 3, active, NULL);
	unsigned int count[MAX_BE];

	count_picks(test, f, 300, count);
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 100U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
}

static void lc_ties_at_zero_broken_fairly_over_five(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 5, NULL, NULL);
	unsigned int count[MAX_BE], i;

	/* A fresh service: nothing established anywhere. */
	count_picks(test, f, 1000, count);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ_MSG(test, count[i], 200U, "backend %u", i);
}

/* A busier backend between tied ones must not tilt the turns. */
static void lc_ties_apart_in_the_set_share_evenly(struct kunit *test)
{
	static const int active[] = { 2, 5, 2, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 4, active, NULL);
	unsigned int count[MAX_BE];

	count_picks(test, f, 300, count);
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 0U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
	KUNIT_EXPECT_EQ(test, count[3], 100U);
}

/* A down backend's turns must not all pass to the one after it. */
static void lc_down_backends_do_not_tilt_the_ties(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 4, NULL, NULL);
	unsigned int count[MAX_BE];

	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[2].state, L4LB_BE_STATE_DOWN);
	count_picks(test, f, 400, count);
	KUNIT_EXPECT_EQ(test, count[0], 200U);
	KUNIT_EXPECT_EQ(test, count[3], 200U);
}

static void lc_down_backend_skipped(struct kunit *test)
{
	static const int active[] = { 0, 3, 5 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 3, active, NULL);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	expect_always(test, f, 20, 1);
}

static void lc_draining_backend_skipped(struct kunit *test)
{
	static const int active[] = { 3, 0, 5 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 3, active, NULL);

	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DRAIN);
	expect_always(test, f, 20, 0);
}

static void lc_removed_backend_skipped(struct kunit *test)
{
	static const int active[] = { 3, 5, 0 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 3, active, NULL);

	WRITE_ONCE(f->be[2].removed, true);
	expect_always(test, f, 20, 0);
}

static void lc_weight_zero_never_picked(struct kunit *test)
{
	static const int active[] = { 0, 1000 };
	static const u32 weight[] = { 0, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 2, active, weight);

	/* lc ignores weights, except that 0 takes no new connections. */
	expect_always(test, f, 20, 1);
}

static void lc_mixed_unusable_skipped_usable_all_picked(struct kunit *test)
{
	static const int active[] = { 0, 2, 0, 2, 0, 2, 0 };
	static const u32 weight[] = { 1, 1, 1, 1, 1, 1, 0 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 7, active, weight);
	unsigned int count[MAX_BE];

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[2].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[4].removed, true);
	count_picks(test, f, 700, count);
	KUNIT_EXPECT_EQ(test, count[0] + count[2] + count[4] + count[6], 0U);
	KUNIT_EXPECT_EQ(test, count[1] + count[3] + count[5], 700U);
	KUNIT_EXPECT_GT(test, count[1], 0U);
	KUNIT_EXPECT_GT(test, count[3], 0U);
	KUNIT_EXPECT_GT(test, count[5], 0U);
}

static void lc_all_unusable_returns_null(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 4, NULL, NULL);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[2].removed, true);
	WRITE_ONCE(f->be[3].weight, 0);
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_UP);
	expect_always(test, f, 5, 0);
}

static void lc_empty_set_returns_null(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "lc", 0, NULL, NULL);
	struct l4lb_sched_fixture *w = l4lb_kunit_sched_setup(test, "wlc", 0, NULL, NULL);

	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(w));
}

static void wlc_divides_by_weight_4_over_2_beats_3_over_1(struct kunit *test)
{
	static const int active[] = { 4, 3 };
	static const u32 weight[] = { 2, 1 };
	static const int active_rev[] = { 3, 4 };
	static const u32 weight_rev[] = { 1, 2 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 2, active, weight);
	struct l4lb_sched_fixture *r = l4lb_kunit_sched_setup(test, "wlc", 2, active_rev, weight_rev);
	struct l4lb_sched_fixture *u = l4lb_kunit_sched_setup(test, "lc", 2, active, weight);

	/* 4/2 = 2 < 3/1 = 3, whichever comes first in the set. */
	expect_always(test, f, 20, 0);
	expect_always(test, r, 20, 1);
	/* Unweighted, the same counts go the other way. */
	expect_always(test, u, 20, 1);
}

static void wlc_picks_lowest_ratio_among_many(struct kunit *test)
{
	/* Ratios 10, 4.5, 2.75, 3, 5: the third. */
	static const int active[] = { 10, 9, 11, 3, 25 };
	static const u32 weight[] = { 1, 2, 4, 1, 5 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 5, active, weight);

	expect_always(test, f, 25, 2);
}

static void wlc_equal_ratios_tie_fairly(struct kunit *test)
{
	/* 2/1 = 4/2 = 6/3 */
	static const int active[] = { 2, 4, 6 };
	static const u32 weight[] = { 1, 2, 3 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 3, active, weight);
	unsigned int count[MAX_BE];

	count_picks(test, f, 300, count);
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 100U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
}

static void wlc_weight_zero_never_picked(struct kunit *test)
{
	static const int active[] = { 0, 0, 500, 0 };
	static const u32 weight[] = { 0, 0, 1, 0 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 4, active, weight);

	/* 0/0 must not look like the best ratio. */
	expect_always(test, f, 20, 2);
	WRITE_ONCE(f->be[2].weight, 0);
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
}

static void wlc_large_counts_and_weights_compare_exactly(struct kunit *test)
{
	/*
	 * 2000000000/65534 = 30518.53 vs 2000000001/65535 = 30518.07:
	 * products near 2^47, beyond 32 bits; the second is smaller.
	 */
	static const int active[] = { 2000000000, 2000000001 };
	static const u32 weight[] = { L4LB_WEIGHT_MAX - 1, L4LB_WEIGHT_MAX };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wlc", 2, active, weight);

	expect_always(test, f, 10, 1);
}

static struct kunit_case l4lb_sched_lc_cases[] = {
	KUNIT_CASE(lc_and_wlc_registered),
	KUNIT_CASE(lc_picks_the_backend_with_fewest_active),
	KUNIT_CASE(lc_follows_the_counts_as_they_change),
	KUNIT_CASE(lc_overhead_is_256_per_active_plus_inactive),
	KUNIT_CASE(wlc_udp_flows_split_by_weight),
	KUNIT_CASE(lc_ties_broken_fairly_300_picks_100_each),
	KUNIT_CASE(lc_ties_at_zero_broken_fairly_over_five),
	KUNIT_CASE(lc_ties_apart_in_the_set_share_evenly),
	KUNIT_CASE(lc_down_backends_do_not_tilt_the_ties),
	KUNIT_CASE(lc_down_backend_skipped),
	KUNIT_CASE(lc_draining_backend_skipped),
	KUNIT_CASE(lc_removed_backend_skipped),
	KUNIT_CASE(lc_weight_zero_never_picked),
	KUNIT_CASE(lc_mixed_unusable_skipped_usable_all_picked),
	KUNIT_CASE(lc_all_unusable_returns_null),
	KUNIT_CASE(lc_empty_set_returns_null),
	KUNIT_CASE(wlc_divides_by_weight_4_over_2_beats_3_over_1),
	KUNIT_CASE(wlc_picks_lowest_ratio_among_many),
	KUNIT_CASE(wlc_equal_ratios_tie_fairly),
	KUNIT_CASE(wlc_weight_zero_never_picked),
	KUNIT_CASE(wlc_large_counts_and_weights_compare_exactly),
	{}
};

static struct kunit_suite l4lb_sched_lc_suite = {
	.name = "l4lb_sched_lc",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_sched_lc_cases,
};

kunit_test_suites(&l4lb_sched_lc_suite);
