// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_sm.c - health_sm.c: when the rise/fall state machine flips,
 * given a sequence of check results.
 *
 * A sequence is written as a string: '+' a successful check, '-' a failed
 * one. The answer is a string of the same length: '.' no change, 'D' the
 * backend went down at this result, 'U' it came up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "health_sm.h"

static char flips[256];

/* Feed @results to a machine that starts @up; return the flips. */
static const char *run(const char *results, bool up, unsigned int rise,
		       unsigned int fall)
{
	size_t i, len = strlen(results);
	struct health_sm sm;

	assert_true(len < sizeof(flips));
	health_sm_init(&sm, up);
	for (i = 0; i < len; i++) {
		enum health_flip f = health_sm_feed(&sm, results[i] == '+',
						    rise, fall);

		flips[i] = f == HEALTH_WENT_DOWN ? 'D' :
			   f == HEALTH_WENT_UP ? 'U' : '.';
		/* ->up always agrees with the flips so far. */
		if (f == HEALTH_WENT_DOWN)
			assert_false(sm.up);
		if (f == HEALTH_WENT_UP)
			assert_true(sm.up);
	}
	flips[len] = '\0';
	return flips;
}

static void up_backend_goes_down_after_fall_failures(void **state)
{
	(void)state;
	assert_string_equal(run("---", true, 2, 3), "..D");
	assert_string_equal(run("-----", true, 2, 3), "..D..");
	assert_string_equal(run("-", true, 2, 1), "D");
}

static void a_success_breaks_a_run_of_failures(void **state)
{
	(void)state;
	assert_string_equal(run("--+--+--", true, 2, 3), "........");
	assert_string_equal(run("--+---", true, 2, 3), ".....D");
}

static void down_backend_comes_up_after_rise_successes(void **state)
{
	(void)state;
	assert_string_equal(run("++", false, 2, 3), ".U");
	assert_string_equal(run("+-+-++", false, 2, 3), ".....U");
	assert_string_equal(run("+", false, 1, 3), "U");
}

static void no_flip_toward_the_current_state(void **state)
{
	(void)state;
	assert_string_equal(run("++++++", true, 2, 3), "......");
	assert_string_equal(run("------", false, 2, 3), "......");
}

static void flips_back_and_forth(void **state)
{
	(void)state;
	/* The reference daemon settings of the VM test: rise 2, fall 2. */
	assert_string_equal(run("++--++--", true, 2, 2), "...D.U.D");
	assert_string_equal(run("--+-++", true, 2, 2), ".D...U");
	/* rise 1, fall 1: every change of result flips. */
	assert_string_equal(run("+-+-", true, 1, 1), ".DUD");
}

static void start_state_is_adopted_with_empty_runs(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, false);
	assert_false(sm.up);
	assert_int_equal(sm.successes, 0);
	assert_int_equal(sm.failures, 0);
	health_sm_init(&sm, true);
	assert_true(sm.up);
}

static void counters_report_the_run_length_at_the_flip(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, true);
	health_sm_feed(&sm, false, 2, 3);
	health_sm_feed(&sm, false, 2, 3);
	assert_int_equal(health_sm_feed(&sm, false, 2, 3), HEALTH_WENT_DOWN);
	assert_int_equal(sm.failures, 3);
	assert_int_equal(sm.successes, 0);
	health_sm_feed(&sm, true, 2, 3);
	assert_int_equal(health_sm_feed(&sm, true, 2, 3), HEALTH_WENT_UP);
	assert_int_equal(sm.successes, 2);
	assert_int_equal(sm.failures, 0);
}

static void undone_flip_is_retried_at_the_next_result(void **state)
{
	struct health_sm sm;

	(void)state;
	/* The kernel refused to mark the backend down: undo, and the next
	 * failure tries again instead of waiting for a whole new run. */
	health_sm_init(&sm, true);
	health_sm_feed(&sm, false, 2, 2);
	assert_int_equal(health_sm_feed(&sm, false, 2, 2), HEALTH_WENT_DOWN);
	health_sm_undo(&sm);
	assert_true(sm.up);
	assert_int_equal(health_sm_feed(&sm, false, 2, 2), HEALTH_WENT_DOWN);
	assert_int_equal(sm.failures, 3);
	/* The same for up. */
	health_sm_feed(&sm, true, 2, 2);
	assert_int_equal(health_sm_feed(&sm, true, 2, 2), HEALTH_WENT_UP);
	health_sm_undo(&sm);
	assert_false(sm.up);
	assert_int_equal(health_sm_feed(&sm, true, 2, 2), HEALTH_WENT_UP);
}

static void counters_saturate(void **state)
{
	struct health_sm sm = { .up = false, .successes = 0,
				.failures = UINT_MAX - 1 };

	(void)state;
	health_sm_feed(&sm, false, 2, 3);
	assert_int_equal(sm.failures, UINT_MAX);
	health_sm_feed(&sm, false, 2, 3);
	assert_int_equal(sm.failures, UINT_MAX);
	assert_false(sm.up);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(up_backend_goes_down_after_fall_failures),
		cmocka_unit_test(a_success_breaks_a_run_of_failures),
		cmocka_unit_test(down_backend_comes_up_after_rise_successes),
		cmocka_unit_test(no_flip_toward_the_current_state),
		cmocka_unit_test(flips_back_and_forth),
		cmocka_unit_test(start_state_is_adopted_with_empty_runs),
		cmocka_unit_test(counters_report_the_run_length_at_the_flip),
		cmocka_unit_test(undone_flip_is_retried_at_the_next_result),
		cmocka_unit_test(counters_saturate),
	};

	return cmocka_run_group_tests_name("health_sm", tests, NULL, NULL);
}
