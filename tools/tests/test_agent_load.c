// SPDX-License-Identifier: GPL-2.0
/*
 * test_agent_load.c - agent_load.c: the /proc/stat and /proc/meminfo
 * parsers and the formula of l4lb-agent's figure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "agent_load.h"

static void stat_takes_the_aggregate_cpu_line(void **state)
{
	struct cpu_sample s;

	(void)state;
	assert_int_equal(load_parse_stat(
		"cpu  10 1 5 80 4 0 0 0 7 0\n"
		"cpu0 5 0 2 40 2 0 0 0 0 0\n", &s), 0);
	assert_int_equal(s.idle, 84);
	assert_int_equal(s.total, 100);
	/* Old kernels: four fields only. */
	assert_int_equal(load_parse_stat("intr 1\ncpu  1 2 3 4\n", &s), 0);
	assert_int_equal(s.idle, 4);
	assert_int_equal(s.total, 10);
}

static void stat_without_a_cpu_line_is_an_error(void **state)
{
	struct cpu_sample s;

	(void)state;
	assert_int_equal(load_parse_stat("", &s), -1);
	assert_int_equal(load_parse_stat("cpu0 1 2 3 4\n", &s), -1);
	assert_int_equal(load_parse_stat("cpu  1 2 3\n", &s), -1);
	assert_int_equal(load_parse_stat("cpu  x\n", &s), -1);
}

static void cpu_pct_is_idle_share_of_the_window(void **state)
{
	struct cpu_sample a = { .idle = 100, .total = 200 };
	struct cpu_sample b = { .idle = 125, .total = 300 };

	(void)state;
	assert_int_equal(load_cpu_pct(&a, &b), 25);
	assert_int_equal(load_cpu_pct(&a, &a), 100);	/* no time passed */
	assert_int_equal(load_cpu_pct(&b, &a), 100);	/* counters went back */
	b.idle = 200;
	assert_int_equal(load_cpu_pct(&a, &b), 100);
	b.idle = 100;
	assert_int_equal(load_cpu_pct(&a, &b), 0);	/* fully busy */
}

static void meminfo_is_available_over_total(void **state)
{
	uint32_t pct;

	(void)state;
	assert_int_equal(load_parse_meminfo(
		"MemTotal:       2000000 kB\nMemFree:  10 kB\n"
		"MemAvailable:   1500000 kB\n", &pct), 0);
	assert_int_equal(pct, 75);
	assert_int_equal(load_parse_meminfo("MemTotal: 10 kB\n", &pct), -1);
	assert_int_equal(load_parse_meminfo("MemAvailable: 10 kB\n", &pct), -1);
	assert_int_equal(load_parse_meminfo(
		"MemTotal: 0 kB\nMemAvailable: 0 kB\n", &pct), -1);
	assert_int_equal(load_parse_meminfo(
		"MemTotal: 10 kB\nMemAvailable: 20 kB\n", &pct), 0);
	assert_int_equal(pct, 100);
}

static void figure_is_the_lower_by_default_then_clamped(void **state)
{
	(void)state;
	assert_int_equal(load_figure(LOAD_MIN, 30, 60, 1, 100), 30);
	assert_int_equal(load_figure(LOAD_MIN, 90, 60, 1, 100), 60);
	assert_int_equal(load_figure(LOAD_CPU, 90, 60, 1, 100), 90);
	assert_int_equal(load_figure(LOAD_MEM, 90, 60, 1, 100), 60);
	assert_int_equal(load_figure(LOAD_MIN, 0, 60, 1, 100), 1);
	assert_int_equal(load_figure(LOAD_MIN, 0, 60, 0, 100), 0);
	assert_int_equal(load_figure(LOAD_CPU, 90, 60, 10, 50), 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_takes_the_aggregate_cpu_line),
		cmocka_unit_test(stat_without_a_cpu_line_is_an_error),
		cmocka_unit_test(cpu_pct_is_idle_share_of_the_window),
		cmocka_unit_test(meminfo_is_available_over_total),
		cmocka_unit_test(figure_is_the_lower_by_default_then_clamped),
	};

	return cmocka_run_group_tests_name("agent_load", tests, NULL, NULL);
}
