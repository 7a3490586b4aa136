// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what the live events (kmod/l4lb_event.c) rest on: the
 * once-a-second limit of TABLE_FULL, the comparison of service settings
 * that decides whether SERVICE_SET changed anything, and the hook through
 * which the service core reports the drained backends it reaps.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/string.h>

#include "l4lb_event.h"
#include "l4lb_kunit.h"
#include "l4lb_service.h"

static void ratelimit_lets_the_first_event_go(struct kunit *test)
{
	unsigned long now = 100000, last = now - HZ;

	KUNIT_EXPECT_TRUE(test, l4lb_event_ratelimit(&last, now));
	KUNIT_EXPECT_EQ(test, last, now);
}

static void ratelimit_holds_events_within_a_second(struct kunit *test)
{
	unsigned long t = 100000, last = t;

	KUNIT_EXPECT_FALSE(test, l4lb_event_ratelimit(&last, t));
	KUNIT_EXPECT_FALSE(test, l4lb_event_ratelimit(&last, t + 1));
	KUNIT_EXPECT_FALSE(test, l4lb_event_ratelimit(&last, t + HZ - 1));
	KUNIT_EXPECT_EQ(test, last, t);
	KUNIT_EXPECT_TRUE(test, l4lb_event_ratelimit(&last, t + HZ));
	KUNIT_EXPECT_EQ(test, last, t + HZ);
	KUNIT_EXPECT_FALSE(test, l4lb_event_ratelimit(&last, t + HZ + 1));
}

static void ratelimit_survives_jiffies_wrapping(struct kunit *test)
{
	unsigned long last = ULONG_MAX - HZ / 2;

	KUNIT_EXPECT_FALSE(test, l4lb_event_ratelimit(&last, 1));
	KUNIT_EXPECT_TRUE(test, l4lb_event_ratelimit(&last, HZ));
	KUNIT_EXPECT_EQ(test, last, (unsigned long)HZ);
}

static void cfg_equal_same_settings(struct kunit *test)
{
	struct l4lb_service_cfg a, b;

	l4lb_service_cfg_default(&a);
	l4lb_service_cfg_default(&b);
	KUNIT_EXPECT_TRUE(test, l4lb_service_cfg_equal(&a, &b));
}

static void cfg_equal_sees_each_setting(struct kunit *test)
{
	struct l4lb_service_cfg a, b;

	l4lb_service_cfg_default(&a);

	b = a;
	strscpy(b.sched, "wrr", sizeof(b.sched));
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
	b = a;
	l4lb_service_cfg_timeout(&b, L4LB_TO_TCP_CLOSE, 5);
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
	b = a;
	l4lb_service_cfg_timeout(&b, L4LB_TO_PERSIST, 60);
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
	b = a;
	b.client_addr = L4LB_CLIENT_ADDR_PROXY_V2;
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
	b = a;
	b.snat[0].ip = htonl(0xc0000201);
	b.nsnat = 1;
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
}

/* A shorter pool leaves old addresses past its end: they do not count. */
static void cfg_equal_compares_the_pool_only(struct kunit *test)
{
	struct l4lb_service_cfg a, b;

	l4lb_service_cfg_default(&a);
	a.snat[0].ip = htonl(0xc0000201);
	a.nsnat = 1;
	b = a;
	b.snat[1].ip = htonl(0xc0000202);
	KUNIT_EXPECT_TRUE(test, l4lb_service_cfg_equal(&a, &b));
	b.nsnat = 2;
	KUNIT_EXPECT_FALSE(test, l4lb_service_cfg_equal(&a, &b));
}

/* What the gone hook saw, for the reap test. */
static struct l4lb_backend *gone_seen[4];
static unsigned int gone_n;

static void record_gone(struct l4lb_services *svcs, struct l4lb_backend *be)
{
	if (gone_n < ARRAY_SIZE(gone_seen))
		gone_seen[gone_n] = be;
	gone_n++;
}

static struct l4lb_backend *reap_be(struct kunit *test,
				    struct l4lb_service *svc, u8 last_octet,
				    bool removed)
{
	struct l4lb_backend *be;

	be = l4lb_backend_alloc(svc, &(union nf_inet_addr){
					.ip = htonl(0xcb007100 | last_octet) },
				htons(8080), 1, L4LB_WEIGHT_PCT_DEFAULT,
				removed ? L4LB_BE_STATE_DRAIN :
					  L4LB_BE_STATE_UP);
	KUNIT_ASSERT_NOT_NULL(test, be);
	be->removed = removed;
	list_add_tail(&be->list, &svc->backends);
	svc->owner->nbackends++;
	return be;
}

/*
 * Of a backend in use, a removed one with a row left and a removed one
 * without rows, only the last is reaped, and the hook sees it first.
 */
static void reap_reports_only_drained_backends(struct kunit *test)
{
	struct l4lb_services *svcs;
	struct l4lb_service *svc;
	struct l4lb_backend *up, *busy, *drained;

	svcs = kunit_kzalloc(test, sizeof(*svcs), GFP_KERNEL);
	svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, svcs);
	KUNIT_ASSERT_NOT_NULL(test, svc);
	l4lb_services_init(svcs);
	svcs->gone = record_gone;
	svc->owner = svcs;
	INIT_LIST_HEAD(&svc->backends);
	up = reap_be(test, svc, 1, false);
	busy = reap_be(test, svc, 2, true);
	drained = reap_be(test, svc, 3, true);
	refcount_inc(&busy->refcnt);	/* its one row */
	gone_n = 0;

	mutex_lock(&svcs->lock);
	l4lb_service_reap(svc, NULL);
	mutex_unlock(&svcs->lock);

	KUNIT_EXPECT_EQ(test, gone_n, 1U);
	KUNIT_EXPECT_PTR_EQ(test, gone_seen[0], drained);
	KUNIT_EXPECT_EQ(test, svcs->nbackends, 2U);
	KUNIT_EXPECT_EQ(test, l4lb_service_nbackends(svc), 2U);

	/* The row ends: the next reap lets busy go too. */
	l4lb_backend_put(busy);
	mutex_lock(&svcs->lock);
	l4lb_service_reap(svc, NULL);
	mutex_unlock(&svcs->lock);
	KUNIT_EXPECT_EQ(test, gone_n, 2U);
	KUNIT_EXPECT_PTR_EQ(test, gone_seen[1], busy);
	KUNIT_EXPECT_EQ(test, svcs->nbackends, 1U);

	list_del(&up->list);
	l4lb_backend_put(up);
}

static struct kunit_case l4lb_event_cases[] = {
	KUNIT_CASE(ratelimit_lets_the_first_event_go),
	KUNIT_CASE(ratelimit_holds_events_within_a_second),
	KUNIT_CASE(ratelimit_survives_jiffies_wrapping),
	KUNIT_CASE(cfg_equal_same_settings),
	KUNIT_CASE(cfg_equal_sees_each_setting),
	KUNIT_CASE(cfg_equal_compares_the_pool_only),
	KUNIT_CASE(reap_reports_only_drained_backends),
	{}
};

static struct kunit_suite l4lb_event_suite = {
	.name = "l4lb_event",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_event_cases,
};

kunit_test_suites(&l4lb_event_suite);
