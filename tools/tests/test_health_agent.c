// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_agent.c - health_agent.c: the agent line parser, every form
 * of HAProxy's agent-check vocabulary l4lb takes and every malformed one,
 * and the weight arithmetic (effective weight, RTT factor, combination).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "health_agent.h"
#include "addr_util.h"

static struct health_agent_reply r;
static char err[HEALTH_AGENT_ERR_MAX];

static int parse(const char *line)
{
	memset(&r, 0xa5, sizeof(r));
	err[0] = '\0';
	return health_agent_parse(line, strlen(line), &r, err);
}

/* @line parses to @pct (-1: none) and @state. */
static void expect_ok(const char *line, int pct,
		      enum health_agent_state state)
{
	if (parse(line) != 0)
		fail_msg("\"%s\" refused: %s", line, err);
	assert_int_equal(r.has_pct, pct >= 0);
	if (pct >= 0)
		assert_int_equal(r.pct, pct);
	assert_int_equal(r.state, state);
}

/* @line is malformed, with message @msg. */
static void expect_bad(const char *line, const char *msg)
{
	if (parse(line) == 0)
		fail_msg("\"%s\" accepted", line);
	assert_string_equal(err, msg);
}

static void percentages(void **state)
{
	(void)state;
	expect_ok("75%", 75, AGENT_STATE_NONE);
	expect_ok("0%", 0, AGENT_STATE_NONE);
	expect_ok("100%", 100, AGENT_STATE_NONE);
	expect_ok("256%", 256, AGENT_STATE_NONE);
	expect_ok("007%", 7, AGENT_STATE_NONE);
}

static void percentages_above_256_read_as_256(void **state)
{
	(void)state;
	expect_ok("257%", L4LB_WEIGHT_PCT_MAX, AGENT_STATE_NONE);
	expect_ok("99999999999999999999%", L4LB_WEIGHT_PCT_MAX,
		  AGENT_STATE_NONE);
}

static void state_words(void **state)
{
	(void)state;
	expect_ok("up", -1, AGENT_STATE_UP);
	expect_ok("ready", -1, AGENT_STATE_UP);
	expect_ok("drain", -1, AGENT_STATE_DRAIN);
	expect_ok("maint", -1, AGENT_STATE_DOWN);
	expect_ok("down", -1, AGENT_STATE_DOWN);
	expect_ok("fail", -1, AGENT_STATE_DOWN);
	expect_ok("stopped", -1, AGENT_STATE_DOWN);
}

static void percentage_and_state_in_any_order_and_separator(void **state)
{
	(void)state;
	expect_ok("75%,drain", 75, AGENT_STATE_DRAIN);
	expect_ok("drain,75%", 75, AGENT_STATE_DRAIN);
	expect_ok("ready 50%", 50, AGENT_STATE_UP);
	expect_ok("50%\tup", 50, AGENT_STATE_UP);
	expect_ok("  50% , , up  ", 50, AGENT_STATE_UP);
	expect_ok(",25%,", 25, AGENT_STATE_NONE);
}

static void admin_and_oper_words_the_stronger_wins(void **state)
{
	(void)state;
	expect_ok("ready up", -1, AGENT_STATE_UP);
	expect_ok("drain up", -1, AGENT_STATE_DRAIN);
	expect_ok("up drain", -1, AGENT_STATE_DRAIN);
	expect_ok("drain down", -1, AGENT_STATE_DOWN);
	expect_ok("ready down", -1, AGENT_STATE_DOWN);
	expect_ok("maint up 10%", 10, AGENT_STATE_DOWN);
}

static void description_after_a_sharp_and_maxconn_ignored(void **state)
{
	(void)state;
	expect_ok("down#disk full", -1, AGENT_STATE_DOWN);
	expect_ok("stopped # for the night, 0%", -1, AGENT_STATE_DOWN);
	expect_ok("50% maxconn:30", 50, AGENT_STATE_NONE);
	expect_ok("maxconn:0", -1, AGENT_STATE_NONE);
}

static void malformed_lines(void **state)
{
	(void)state;
	expect_bad("", "no word in the line");
	expect_bad(" ,\t", "no word in the line");
	expect_bad("# only a description", "no word in the line");
	expect_bad("busy", "unknown word \"busy\"");
	expect_bad("UP", "unknown word \"UP\"");
	expect_bad("%", "unknown word \"%\"");
	expect_bad("75", "bad percentage \"75\"");
	expect_bad("7.5%", "bad percentage \"7.5%\"");
	expect_bad("75%%", "bad percentage \"75%%\"");
	expect_bad("-5%", "unknown word \"-5%\"");
	expect_bad("+5%", "unknown word \"+5%\"");
	expect_bad("50% 60%", "second percentage \"60%\"");
	expect_bad("drain maint", "second state word \"maint\"");
	expect_bad("up down", "second state word \"down\"");
	expect_bad("maxconn:", "unknown word \"maxconn:\"");
	expect_bad("maxconn:x", "unknown word \"maxconn:x\"");
	expect_bad("maxconn:1 maxconn:2", "second maxconn \"maxconn:2\"");
	expect_bad("50%;drain", "bad percentage \"50%;drain\"");
	expect_bad("\x01\xff", "unknown word \"\\x01\\xff\"");
}

static void nul_in_a_line_is_malformed(void **state)
{
	(void)state;
	assert_int_equal(health_agent_parse("50%\0up", 6, &r, err), -1);
	assert_string_equal(err, "bad percentage \"50%\\x00up\"");
}

static void malformed_line_leaves_the_reply_alone(void **state)
{
	struct health_agent_reply keep = { .has_pct = true, .pct = 42,
					   .state = AGENT_STATE_DRAIN };

	(void)state;
	r = keep;
	assert_int_equal(health_agent_parse("50% what", 8, &r, err), -1);
	assert_int_equal(r.pct, 42);
	assert_int_equal(r.state, AGENT_STATE_DRAIN);
}

static void agent_service_selects_like_the_kernel(void **state)
{
	struct svc_sel none = { 0 }, sel, key = {
		.set = true, .has_port = true, .has_proto = true,
		.proto = IPPROTO_TCP,
	};

	(void)state;
	key.vip = ipaddr_v4(inet_addr("10.0.0.1"));
	key.port = htons(20000);
	assert_true(health_agent_wanted(&none, &key));
	assert_int_equal(parse_svc_sel("10.0.0.1", &sel), 0);
	assert_true(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("10.0.0.1:20000/tcp", &sel), 0);
	assert_true(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("10.0.0.1/udp", &sel), 0);
	assert_false(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("10.0.0.1:80", &sel), 0);
	assert_false(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("10.0.0.2", &sel), 0);
	assert_false(health_agent_wanted(&sel, &key));
	/* Another family is another service. */
	assert_int_equal(parse_svc_sel("::ffff:10.0.0.1", &sel), 0);
	assert_false(health_agent_wanted(&sel, &key));
	key.vip = addr_of("2001:db8::10");
	assert_int_equal(parse_svc_sel("[2001:db8::10]:20000/tcp", &sel), 0);
	assert_true(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("2001:db8::10", &sel), 0);
	assert_true(health_agent_wanted(&sel, &key));
	assert_int_equal(parse_svc_sel("10.0.0.1", &sel), 0);
	assert_false(health_agent_wanted(&sel, &key));
}

static void effective_weight_matches_the_kernel_rule(void **state)
{
	(void)state;
	assert_int_equal(health_weight_effective(4, 25), 1);
	assert_int_equal(health_weight_effective(100, 75), 75);
	assert_int_equal(health_weight_effective(10, 75), 7);
	assert_int_equal(health_weight_effective(1, 1), 1);
	assert_int_equal(health_weight_effective(0, 100), 0);
	assert_int_equal(health_weight_effective(5, 0), 0);
	assert_int_equal(health_weight_effective(L4LB_WEIGHT_MAX,
						 L4LB_WEIGHT_PCT_MAX),
			 L4LB_WEIGHT_MAX);
}

static void rtt_factor_is_relative_to_the_fastest(void **state)
{
	(void)state;
	assert_int_equal(health_rtt_pct(100, 100), 100);
	assert_int_equal(health_rtt_pct(200, 100), 50);
	assert_int_equal(health_rtt_pct(300, 100), 33);
	assert_int_equal(health_rtt_pct(1000000, 1), 1);
	assert_int_equal(health_rtt_pct(50, 100), 100);	/* never above 100 */
	assert_int_equal(health_rtt_pct(0, 100), 100);
}

static void agent_and_rtt_combine_by_product(void **state)
{
	(void)state;
	assert_int_equal(health_combine_pct(100, 100), 100);
	assert_int_equal(health_combine_pct(25, 100), 25);
	assert_int_equal(health_combine_pct(50, 50), 25);
	assert_int_equal(health_combine_pct(256, 100), 256);
	assert_int_equal(health_combine_pct(1, 1), 1);	/* never rounds to 0 */
	assert_int_equal(health_combine_pct(0, 100), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentages),
		cmocka_unit_test(percentages_above_256_read_as_256),
		cmocka_unit_test(state_words),
		cmocka_unit_test(percentage_and_state_in_any_order_and_separator),
		cmocka_unit_test(admin_and_oper_words_the_stronger_wins),
		cmocka_unit_test(description_after_a_sharp_and_maxconn_ignored),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(nul_in_a_line_is_malformed),
		cmocka_unit_test(malformed_line_leaves_the_reply_alone),
		cmocka_unit_test(agent_service_selects_like_the_kernel),
		cmocka_unit_test(effective_weight_matches_the_kernel_rule),
		cmocka_unit_test(rtt_factor_is_relative_to_the_fastest),
		cmocka_unit_test(agent_and_rtt_combine_by_product),
	};

	return cmocka_run_group_tests_name("health_agent", tests, NULL, NULL);
}
