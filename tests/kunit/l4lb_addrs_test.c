// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the address lists that hold a service's SNAT pool and its
 * peers (kmod/l4lb_addrs.c): their order, allocation and comparison.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/kernel.h>

#include "l4lb_addrs.h"

#define IP4(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define A4(x)		{ .ip = htonl(x) }

static void addrs_sort_is_ascending_as_numbers(struct kunit *test)
{
	union nf_inet_addr a[] = { A4(0x0a090003), A4(0x0a090001),
				   A4(0x0a090002) };
	union nf_inet_addr b[] = { { .ip = IP4(10, 0, 1, 10) },
				   { .ip = IP4(192, 0, 2, 1) },
				   { .ip = IP4(10, 0, 1, 9) } };
	__be32 c[] = { IP4(10, 0, 1, 10), IP4(192, 0, 2, 1), IP4(10, 0, 1, 9) };

	l4lb_addrs_sort(a, ARRAY_SIZE(a));
	KUNIT_EXPECT_EQ(test, ntohl(a[0].ip), 0x0a090001);
	KUNIT_EXPECT_EQ(test, ntohl(a[1].ip), 0x0a090002);
	KUNIT_EXPECT_EQ(test, ntohl(a[2].ip), 0x0a090003);

	/* Not by bytes in memory: .9 before .10, 10/8 before 192/8. */
	l4lb_addrs_sort(b, ARRAY_SIZE(b));
	KUNIT_EXPECT_EQ(test, ntohl(b[0].ip), ntohl(IP4(10, 0, 1, 9)));
	KUNIT_EXPECT_EQ(test, ntohl(b[1].ip), ntohl(IP4(10, 0, 1, 10)));
	KUNIT_EXPECT_EQ(test, ntohl(b[2].ip), ntohl(IP4(192, 0, 2, 1)));

	/* The same order for plain IPv4 addresses (peers). */
	l4lb_addrs_sort_ip(c, ARRAY_SIZE(c));
	KUNIT_EXPECT_EQ(test, ntohl(c[0]), ntohl(IP4(10, 0, 1, 9)));
	KUNIT_EXPECT_EQ(test, ntohl(c[1]), ntohl(IP4(10, 0, 1, 10)));
	KUNIT_EXPECT_EQ(test, ntohl(c[2]), ntohl(IP4(192, 0, 2, 1)));
}

static void addrs_none_is_null_and_the_empty_list(struct kunit *test)
{
	union nf_inet_addr a[] = { A4(0x0a090001) };

	KUNIT_EXPECT_NULL(test, l4lb_addrs_alloc(a, 0, 16));
	KUNIT_EXPECT_TRUE(test, l4lb_addrs_same(NULL, a, 0));
	KUNIT_EXPECT_FALSE(test, l4lb_addrs_same(NULL, a, 1));
	l4lb_addrs_free(NULL);
}

static void addrs_alloc_copies_and_same_compares_all(struct kunit *test)
{
	union nf_inet_addr a[] = { A4(0x0a090001), A4(0x0a090002),
				   A4(0x0a090003) };
	struct l4lb_addrs *p;

	p = l4lb_addrs_alloc(a, ARRAY_SIZE(a), ARRAY_SIZE(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
	KUNIT_EXPECT_EQ(test, p->n, 3U);
	KUNIT_EXPECT_EQ(test, ntohl(p->addrs[2].ip), 0x0a090003);
	KUNIT_EXPECT_TRUE(test, l4lb_addrs_same(p, a, ARRAY_SIZE(a)));
	KUNIT_EXPECT_FALSE(test, l4lb_addrs_same(p, a, 2));

	/* A copy: the caller's array may change, the list does not. */
	a[1].ip = htonl(0x0a090009);
	KUNIT_EXPECT_EQ(test, ntohl(p->addrs[1].ip), 0x0a090002);
	KUNIT_EXPECT_FALSE(test, l4lb_addrs_same(p, a, ARRAY_SIZE(a)));
	l4lb_addrs_free(p);
}

static struct kunit_case l4lb_addrs_cases[] = {
	KUNIT_CASE(addrs_sort_is_ascending_as_numbers),
	KUNIT_CASE(addrs_none_is_null_and_the_empty_list),
	KUNIT_CASE(addrs_alloc_copies_and_same_compares_all),
	{}
};

static struct kunit_suite l4lb_addrs_suite = {
	.name = "l4lb_addrs",
	.test_cases = l4lb_addrs_cases,
};

kunit_test_suites(&l4lb_addrs_suite);
