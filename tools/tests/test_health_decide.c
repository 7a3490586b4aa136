// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_decide.c - health_decide.c: when a node announces its VIP
 * or withdraws it, with which reason, and the drain report's events.
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

#include "health_decide.h"
#include "addr_util.h"

static char why[HEALTH_REASON_MAX];

static struct svc_sel key(const char *vip, uint16_t port, uint8_t proto)
{
	struct svc_sel k = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = addr_of(vip), .port = htons(port),
		.proto = proto,
	};

	return k;
}

static struct health_backend be(struct svc_sel svc, uint8_t state,
				uint32_t weight_eff)
{
	struct health_backend b = {
		.svc = svc,
		.ep = { .addr = ipaddr_v4(inet_addr("10.0.1.1")),
			.port = htons(10000) },
		.state = state,
		.weight = weight_eff,
		.weight_pct = 100,
		.weight_eff = weight_eff,
	};

	return b;
}

/* Two services: A (TCP) and B (UDP), on the same VIP. */
static struct svc_sel svcs[2];
static struct health_backend bes[3];

static struct health_serve_in fresh(void)
{
	struct health_serve_in in = {
		.module = true,
		.drain_file = "/run/l4lb/drain",
		.svcs = svcs,
		.nsvcs = 2,
		.bes = bes,
		.nbes = 3,
	};

	svcs[0] = key("10.0.0.1", 20000, IPPROTO_TCP);
	svcs[1] = key("10.0.0.1", 53, IPPROTO_UDP);
	bes[0] = be(svcs[0], L4LB_BE_STATE_DOWN, 1);
	bes[1] = be(svcs[0], L4LB_BE_STATE_UP, 1);
	bes[2] = be(svcs[1], L4LB_BE_STATE_UP, 5);
	return in;
}

static void serves_when_every_service_has_a_usable_backend(void **state)
{
	struct health_serve_in in = fresh();

	(void)state;
	assert_true(health_serve(&in, why));
	assert_string_equal(why, "");
}

static void usable_means_up_weighted_and_not_removed(void **state)
{
	struct health_backend b = be(key("10.0.0.1", 1, IPPROTO_TCP),
				     L4LB_BE_STATE_UP, 1);

	(void)state;
	assert_true(health_usable(&b));
	b.weight_eff = 0;
	assert_false(health_usable(&b));
	b.weight_eff = 1;
	b.removed = true;
	assert_false(health_usable(&b));
	b.removed = false;
	b.state = L4LB_BE_STATE_DRAIN;
	assert_false(health_usable(&b));
	b.state = L4LB_BE_STATE_DOWN;
	assert_false(health_usable(&b));
}

static void a_service_without_usable_backend_withdraws(void **state)
{
	struct health_serve_in in = fresh();

	(void)state;
	bes[1].state = L4LB_BE_STATE_DOWN;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no usable backend in 10.0.0.1:20000/tcp");
	/* Weight 0 (an agent's 0%, say) is not usable either. */
	bes[1] = be(svcs[0], L4LB_BE_STATE_UP, 0);
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no usable backend in 10.0.0.1:20000/tcp");
	/* A service without any backend at all. */
	in = fresh();
	in.nbes = 2;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no usable backend in 10.0.0.1:53/udp");
}

static void the_selector_limits_the_services_that_count(void **state)
{
	struct health_serve_in in = fresh();
	struct svc_sel sel = key("10.0.0.1", 53, IPPROTO_UDP);

	(void)state;
	bes[1].state = L4LB_BE_STATE_DOWN;	/* the TCP service is out */
	in.sel = &sel;
	assert_true(health_serve(&in, why));
	sel = key("10.0.0.1", 20000, IPPROTO_TCP);
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no usable backend in 10.0.0.1:20000/tcp");
	/* VIP only: both services count. */
	sel.has_port = false;
	sel.has_proto = false;
	assert_false(health_serve(&in, why));
	sel = key("10.0.0.9", 20000, IPPROTO_TCP);
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no service matches 10.0.0.9:20000/tcp");
}

/* A v6 and a v4 service of one port: the selector's family tells them apart. */
static void ipv6_selector_counts_the_ipv6_service_only(void **state)
{
	struct health_serve_in in = fresh();
	struct svc_sel v6 = key("2001:db8::10", 20000, IPPROTO_TCP);
	struct svc_sel v4 = key("10.0.0.1", 20000, IPPROTO_TCP);
	struct svc_sel none = key("2001:db8::11", 20000, IPPROTO_TCP);

	(void)state;
	svcs[1] = v6;
	bes[2] = be(svcs[1], L4LB_BE_STATE_UP, 5);
	bes[1].state = L4LB_BE_STATE_DOWN;	/* the v4 service is out */
	in.sel = &v6;
	assert_true(health_serve(&in, why));
	in.sel = &v4;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no usable backend in 10.0.0.1:20000/tcp");
	bes[1].state = L4LB_BE_STATE_UP;
	bes[2].state = L4LB_BE_STATE_DOWN;
	in.sel = &v6;
	assert_false(health_serve(&in, why));
	assert_string_equal(why,
			    "no usable backend in [2001:db8::10]:20000/tcp");
	in.sel = &none;
	assert_false(health_serve(&in, why));
	assert_string_equal(why,
			    "no service matches [2001:db8::11]:20000/tcp");
}

static void no_service_withdraws(void **state)
{
	struct health_serve_in in = fresh();

	(void)state;
	in.nsvcs = 0;
	in.nbes = 0;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "no service");
}

static void module_then_drain_come_first(void **state)
{
	struct health_serve_in in = fresh();

	(void)state;
	bes[1].state = L4LB_BE_STATE_DOWN;
	in.drained = true;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "drained (/run/l4lb/drain)");
	in.module = false;
	in.nsvcs = 0;
	in.nbes = 0;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "l4lb module not loaded");
	in.drained = false;
	assert_false(health_serve(&in, why));
	assert_string_equal(why, "l4lb module not loaded");
}

static void drain_reports_count_then_empty(void **state)
{
	struct health_drain d = { 0 };

	(void)state;
	assert_int_equal(health_drain_step(&d, false, true, 5, 0, 0), 0);
	assert_int_equal(health_drain_step(&d, true, true, 2, 1000, 0),
			 HEALTH_DRAIN_BEGIN);
	assert_int_equal(health_drain_step(&d, true, true, 1, 2000, 0), 0);
	assert_int_equal(health_drain_step(&d, true, true, 0, 3000, 0),
			 HEALTH_DRAIN_EMPTY);
	assert_int_equal(health_drain_step(&d, true, true, 0, 4000, 0), 0);
	assert_int_equal(health_drain_step(&d, true, true, 3, 5000, 0), 0);
	assert_int_equal(health_drain_step(&d, false, true, 3, 6000, 0),
			 HEALTH_DRAIN_END);
	assert_int_equal(health_drain_step(&d, false, true, 3, 7000, 0), 0);
	/* A new drain reports afresh; empty at once gives both. */
	assert_int_equal(health_drain_step(&d, true, true, 0, 8000, 0),
			 HEALTH_DRAIN_BEGIN | HEALTH_DRAIN_EMPTY);
}

static void drain_times_out_once(void **state)
{
	struct health_drain d = { 0 };

	(void)state;
	assert_int_equal(health_drain_step(&d, true, true, 4, 1000, 2000),
			 HEALTH_DRAIN_BEGIN);
	assert_int_equal(health_drain_step(&d, true, true, 4, 2999, 2000), 0);
	assert_int_equal(health_drain_step(&d, true, true, 4, 3000, 2000),
			 HEALTH_DRAIN_TIMEOUT);
	assert_int_equal(health_drain_step(&d, true, true, 0, 4000, 2000), 0);
}

static void drain_waits_for_a_count(void **state)
{
	struct health_drain d = { 0 };

	(void)state;
	/* The module is out: nothing to count yet; the clock runs. */
	assert_int_equal(health_drain_step(&d, true, false, 0, 1000, 0), 0);
	assert_int_equal(health_drain_step(&d, true, true, 1, 2000, 0),
			 HEALTH_DRAIN_BEGIN);
	d = (struct health_drain){ 0 };
	assert_int_equal(health_drain_step(&d, true, false, 0, 1000, 500), 0);
	assert_int_equal(health_drain_step(&d, true, false, 0, 1500, 500),
			 HEALTH_DRAIN_TIMEOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serves_when_every_service_has_a_usable_backend),
		cmocka_unit_test(usable_means_up_weighted_and_not_removed),
		cmocka_unit_test(a_service_without_usable_backend_withdraws),
		cmocka_unit_test(the_selector_limits_the_services_that_count),
cmocka_unit_test(ipv6_selector_counts_the_ipv6_service_only),
		cmocka_unit_test(no_service_withdraws),
		cmocka_unit_test(module_then_drain_come_first),
		cmocka_unit_test(drain_reports_count_then_empty),
		cmocka_unit_test(drain_times_out_once),
		cmocka_unit_test(drain_waits_for_a_count),
	};

	return cmocka_run_group_tests_name("health_decide", tests, NULL, NULL);
}
