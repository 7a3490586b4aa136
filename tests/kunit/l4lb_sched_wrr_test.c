// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the smooth weighted round-robin scheduler
 * (kmod/l4lb_sched_wrr.c) through the scheduler registry, with backend sets
 * built by hand. The expected sequences are those of nginx's smooth
 * weighted round robin: at each pick every usable backend's current weight
 * grows by its weight, the largest (the first of equals) wins and loses the
 * sum of the weights.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_kunit.h"
#include "l4lb_sched.h"

#define MAX_BE	L4LB_KUNIT_MAX_BE

/* The scheduler's update() with the fixture's set, as a change would. */
static void wrr_update(struct kunit *test, struct l4lb_sched_fixture *f)
{
	KUNIT_ASSERT_EQ(test, f->inst->sched->update(f->inst, f->set), 0);
}

/*
 * Pick strlen(@seq) times and expect exactly @seq, where 'a' is f->be[0],
 * 'b' f->be[1] and so on.
 */
static void expect_seq(struct kunit *test, struct l4lb_sched_fixture *f,
		       const char *seq)
{
	unsigned int i;

	for (i = 0; seq[i]; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_EQ_MSG(test, got, seq[i] - 'a',
				    "pick %u of \"%s\" went to backend %d",
				    i, seq, got);
	}
}

/* Pick @picks times and count the picks of each backend. */
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

static void wrr_registered(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, l4lb_sched_exists("wrr"));
}

static void wrr_5_1_1_seven_picks_exact_and_smooth(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);

	/* Interleaved, not a a a a a b c; and again from the start. */
	expect_seq(test, f, "aabacaa");
	expect_seq(test, f, "aabacaa");
}

static void wrr_5_1_1_700_picks_exactly_500_100_100(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);
	unsigned int count[MAX_BE], i;

	count_picks(test, f, 700, count);
	KUNIT_EXPECT_EQ(test, count[0], 500U);
	KUNIT_EXPECT_EQ(test, count[1], 100U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
	/* And every window of 7 was the smooth sequence itself. */
	for (i = 0; i < 100; i++)
		expect_seq(test, f, "aabacaa");
}

static void wrr_exact_over_sum_of_weights_2_3_1_4(struct kunit *test)
{
	static const u32 w[] = { 2, 3, 1, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 4, NULL, w);
	unsigned int count[MAX_BE], i;

	for (i = 0; i < 30; i++) {
		count_picks(test, f, 10, count);
		KUNIT_EXPECT_EQ(test, count[0], 2U);
		KUNIT_EXPECT_EQ(test, count[1], 3U);
		KUNIT_EXPECT_EQ(test, count[2], 1U);
		KUNIT_EXPECT_EQ(test, count[3], 4U);
	}
}

static void wrr_equal_weights_rotate_like_rr(struct kunit *test)
{
	static const u32 w[] = { 7, 7, 7 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);
	unsigned int i;

	for (i = 0; i < 50; i++)
		expect_seq(test, f, "abc");
}

static void wrr_weight_zero_backend_skipped(struct kunit *test)
{
	static const u32 w[] = { 5, 0, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 4, NULL, w);
	unsigned int count[MAX_BE];

	expect_seq(test, f, "aacadaa");
	count_picks(test, f, 700, count);
	KUNIT_EXPECT_EQ(test, count[0], 500U);
	KUNIT_EXPECT_EQ(test, count[1], 0U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
	KUNIT_EXPECT_EQ(test, count[3], 100U);
}

static void wrr_down_backend_skipped(struct kunit *test)
{
	static const u32 w[] = { 5, 9, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 4, NULL, w);

	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DOWN);
	wrr_update(test, f);
	expect_seq(test, f, "aacadaa");
	expect_seq(test, f, "aacadaa");
}

static void wrr_draining_backend_skipped(struct kunit *test)
{
	static const u32 w[] = { 9, 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 4, NULL, w);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DRAIN);
	wrr_update(test, f);
	expect_seq(test, f, "bbcbdbb");
	expect_seq(test, f, "bbcbdbb");
}

static void wrr_mixed_unusable_backends_all_skipped(struct kunit *test)
{
	static const u32 w[] = { 4, 3, 2, 0, 1, 6 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 6, NULL, w);
	unsigned int count[MAX_BE];

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[2].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[5].removed, true);	/* not yet republished */
	wrr_update(test, f);
	/* Left: b (3) and e (1): 3:1 is b b e b. */
	expect_seq(test, f, "bbeb");
	count_picks(test, f, 400, count);
	KUNIT_EXPECT_EQ(test, count[1], 300U);
	KUNIT_EXPECT_EQ(test, count[4], 100U);
}

static void wrr_backend_going_down_between_updates_never_picked(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);
	unsigned int count[MAX_BE];

	expect_seq(test, f, "aab");
	/* Before the control plane's update() comes: skipped already. */
	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	count_picks(test, f, 100, count);
	KUNIT_EXPECT_EQ(test, count[0], 0U);
	KUNIT_EXPECT_EQ(test, count[1] + count[2], 100U);
	/* The stale current weights (-4 and 3) even out in a few picks. */
	KUNIT_EXPECT_GE(test, count[1], 45U);
	KUNIT_EXPECT_GE(test, count[2], 45U);
}

static void wrr_weight_change_update_restarts_cleanly(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);
	unsigned int count[MAX_BE];

	expect_seq(test, f, "aab");	/* midway: current weights 1 -4 3 */
	WRITE_ONCE(f->be[0].weight, 1);
	WRITE_ONCE(f->be[2].weight, 5);
	wrr_update(test, f);
	/*
	 * From zero current weights, 1:1:5 is c c a c b c c. Carrying on
	 * from the old ones would give c c a c c c b instead.
	 */
	expect_seq(test, f, "ccacbcc");
	count_picks(test, f, 700, count);
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 100U);
	KUNIT_EXPECT_EQ(test, count[2], 500U);
}

static void wrr_update_with_same_weights_restarts_the_sequence(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);

	expect_seq(test, f, "aaba");
	wrr_update(test, f);
	expect_seq(test, f, "aabacaa");
}

static void wrr_backend_added_update_restarts_with_new_set(struct kunit *test)
{
	static const u32 w[] = { 5, 1, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);
	unsigned int count[MAX_BE];

	expect_seq(test, f, "aabac");
	f->set->be[3] = &f->be[3];
	f->set->n = 4;
	wrr_update(test, f);
	expect_seq(test, f, "aabacada");
	count_picks(test, f, 800, count);
	KUNIT_EXPECT_EQ(test, count[0], 500U);
	KUNIT_EXPECT_EQ(test, count[1], 100U);
	KUNIT_EXPECT_EQ(test, count[2], 100U);
	KUNIT_EXPECT_EQ(test, count[3], 100U);
}

static void wrr_set_not_yet_matching_state_takes_first_usable(struct kunit *test)
{
	static const u32 w[] = { 1, 5, 1, 1 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 3, NULL, w);

	/* A set published before the scheduler's update() (its size
	 * differs from the state's): the first usable backend, never a
	 * crash or an unusable one.
	 */
	f->set->be[3] = &f->be[3];
	f->set->n = 4;
	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	expect_seq(test, f, "bbbb");
	wrr_update(test, f);
	expect_seq(test, f, "bbcbdbb");
}

static void wrr_all_unusable_returns_null(struct kunit *test)
{
	static const u32 w[] = { 3, 2, 1, 0 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 4, NULL, w);

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[2].removed, true);
	wrr_update(test, f);
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	/* One usable again: it takes every pick. */
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_UP);
	wrr_update(test, f);
	expect_seq(test, f, "bbbb");
}

static void wrr_empty_set_returns_null(struct kunit *test)
{
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 0, NULL, NULL);

	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
	KUNIT_EXPECT_NULL(test, l4lb_kunit_sched_pick(f));
}

static struct kunit_case l4lb_sched_wrr_cases[] = {
	KUNIT_CASE(wrr_registered),
	KUNIT_CASE(wrr_5_1_1_seven_picks_exact_and_smooth),
	KUNIT_CASE(wrr_5_1_1_700_picks_exactly_500_100_100),
	KUNIT_CASE(wrr_exact_over_sum_of_weights_2_3_1_4),
	KUNIT_CASE(wrr_equal_weights_rotate_like_rr),
	KUNIT_CASE(wrr_weight_zero_backend_skipped),
	KUNIT_CASE(wrr_down_backend_skipped),
	KUNIT_CASE(wrr_draining_backend_skipped),
	KUNIT_CASE(wrr_mixed_unusable_backends_all_skipped),
	KUNIT_CASE(wrr_backend_going_down_between_updates_never_picked),
	KUNIT_CASE(wrr_weight_change_update_restarts_cleanly),
	KUNIT_CASE(wrr_update_with_same_weights_restarts_the_sequence),
	KUNIT_CASE(wrr_backend_added_update_restarts_with_new_set),
	KUNIT_CASE(wrr_set_not_yet_matching_state_takes_first_usable),
	KUNIT_CASE(wrr_all_unusable_returns_null),
	KUNIT_CASE(wrr_empty_set_returns_null),
	{}
};

static struct kunit_suite l4lb_sched_wrr_suite = {
	.name = "l4lb_sched_wrr",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_sched_wrr_cases,
};

kunit_test_suites(&l4lb_sched_wrr_suite);
