// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the effective weight (kmod/l4lb_backend.c): a backend's
 * configured weight scaled by its weight percentage, the load feedback of
 * l4lb-health's agent checks, and the schedulers weighing by it.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_kunit.h"
#include "l4lb_sched.h"

static void weight_pct_100_is_the_weight(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(1, 100), 1U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(7, 100), 7U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(L4LB_WEIGHT_MAX, 100),
			(u32)L4LB_WEIGHT_MAX);
}

static void weight_pct_scales_and_rounds_down(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(100, 25), 25U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(10, 75), 7U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(3, 50), 1U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(10, 256), 25U);
}

static void weight_pct_never_rounds_a_live_backend_to_0(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(1, 1), 1U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(1, 99), 1U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(99, 1), 1U);
}

static void weight_pct_0_or_weight_0_is_0(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(0, 100), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(0, 256), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(5, 0), 0U);
}

static void weight_pct_clamped_to_weight_max(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(L4LB_WEIGHT_MAX,
						    L4LB_WEIGHT_PCT_MAX),
			(u32)L4LB_WEIGHT_MAX);
	KUNIT_EXPECT_EQ(test, l4lb_weight_effective(40000, 200),
			(u32)L4LB_WEIGHT_MAX);
}

/* Pick @picks times and count the picks of each backend. */
static void count_picks(struct kunit *test, struct l4lb_sched_fixture *f,
			unsigned int picks, unsigned int *count)
{
	unsigned int i;

	memset(count, 0, L4LB_KUNIT_MAX_BE * sizeof(*count));
	for (i = 0; i < picks; i++) {
		int got = l4lb_kunit_be_index(f, l4lb_kunit_sched_pick(f));

		KUNIT_ASSERT_TRUE_MSG(test, got >= 0 && got < L4LB_KUNIT_MAX_BE,
				      "pick %u went to backend %d", i, got);
		count[got]++;
	}
}

/* What the kernel does on a BACKEND_SET of WEIGHT_PCT: write, update. */
static void set_pct(struct kunit *test, struct l4lb_sched_fixture *f,
		    unsigned int i, u32 pct)
{
	WRITE_ONCE(f->be[i].weight_pct, pct);
	if (f->inst->sched->update)
		KUNIT_ASSERT_EQ(test, f->inst->sched->update(f->inst, f->set),
				0);
}

static void wrr_splits_by_effective_weight_25_100(struct kunit *test)
{
	static const u32 w[] = { 4, 4 };
	struct l4lb_sched_fixture *f = l4lb_kunit_sched_setup(test, "wrr", 2,
							       NULL, w);
	unsigned int count[L4LB_KUNIT_MAX_BE];

	set_pct(test, f, 0, 25);	/* 4 * 25% = 1 against 4 */
	count_picks(test, f, 500, count);
	KUNIT_EXPECT_EQ(test, count[0], 100U);
	KUNIT_EXPECT_EQ(test, count[1], 400U);
	set_pct(test, f, 0, 100);	/* 100% restores the weight */
	count_picks(test, f, 500, count);
	KUNIT_EXPECT_EQ(test, count[0], 250U);
	KUNIT_EXPECT_EQ(test, count[1], 250U);
}

static void pct_0_takes_no_new_connections(struct kunit *test)
{
	static const char * const sched[] = { "rr", "wrr", "lc", "wlc", "mh" };
	unsigned int count[L4LB_KUNIT_MAX_BE], i;

	for (i = 0; i < ARRAY_SIZE(sched); i++) {
		struct l4lb_sched_fixture *f =
			l4lb_kunit_sched_setup(test, sched[i], 2, NULL, NULL);

		set_pct(test, f, 1, 0);
		KUNIT_EXPECT_FALSE(test, l4lb_backend_usable(&f->be[1]));
		count_picks(test, f, 50, count);
		KUNIT_EXPECT_EQ_MSG(test, count[1], 0U, "scheduler %s",
				    sched[i]);
		KUNIT_EXPECT_EQ_MSG(test, count[0], 50U, "scheduler %s",
				    sched[i]);
	}
}

static struct kunit_case l4lb_weight_cases[] = {
	KUNIT_CASE(weight_pct_100_is_the_weight),
	KUNIT_CASE(weight_pct_scales_and_rounds_down),
	KUNIT_CASE(weight_pct_never_rounds_a_live_backend_to_0),
	KUNIT_CASE(weight_pct_0_or_weight_0_is_0),
	KUNIT_CASE(weight_pct_clamped_to_weight_max),
	KUNIT_CASE(wrr_splits_by_effective_weight_25_100),
	KUNIT_CASE(pct_0_takes_no_new_connections),
	{}
};

static struct kunit_suite l4lb_weight_suite = {
	.name = "l4lb_weight",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_weight_cases,
};

kunit_test_suites(&l4lb_weight_suite);
