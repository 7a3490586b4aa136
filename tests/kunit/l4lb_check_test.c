// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what the control plane checks and replies for services of
 * either family (issue #18): the address checks of kmod/l4lb_check.c and
 * their extack messages, the keys of kmod/l4lb_service.c (an IPv4 and an
 * IPv6 service never meet), and the room a service's reply takes
 * (kmod/l4lb_netlink_msg.c).
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_check.h"
#include "l4lb_kunit.h"
#include "l4lb_netlink_msg.h"
#include "l4lb_service.h"
#include "l4lb_snat.h"

/* @s as an address of family @af; the test fails if it is none. */
static union nf_inet_addr addr(struct kunit *test, u8 af, const char *s)
{
	union nf_inet_addr a = {};
	int ok;

	if (af == AF_INET6)
		ok = in6_pton(s, -1, a.in6.s6_addr, -1, NULL);
	else
		ok = in4_pton(s, -1, (u8 *)&a.ip, -1, NULL);
	KUNIT_EXPECT_EQ_MSG(test, ok, 1, "'%s'", s);
	return a;
}

/* The address checks: an errno and, with it, this message. */
struct addr_case {
	u8 af;
	const char *s;
	int err;
	const char *msg;
};

static const char ll_msg[] = "link-local address needs a scope; not supported";

static void vip_check_takes_unicast_of_its_family(struct kunit *test)
{
	static const struct addr_case cases[] = {
		{ AF_INET, "192.0.2.1", 0, NULL },
		{ AF_INET, "0.0.0.0", -EINVAL,
		  "VIP must be a unicast IPv4 address" },
		{ AF_INET, "224.0.0.1", -EINVAL,
		  "VIP must be a unicast IPv4 address" },
		{ AF_INET6, "2001:db8::1", 0, NULL },
		{ AF_INET6, "::", -EINVAL,
		  "VIP must be a unicast IPv6 address" },
		{ AF_INET6, "ff02::1", -EINVAL,
		  "VIP must be a unicast IPv6 address" },
		{ AF_INET6, "::ffff:192.0.2.1", -EINVAL,
		  "VIP cannot be a v4-mapped address: use an AF_INET service" },
		{ AF_INET6, "fe80::1", -EINVAL, ll_msg },
		{ AF_INET6, "febf:ffff::1", -EINVAL, ll_msg },
		{ AF_INET6, "fec0::1", 0, NULL },	/* site-local: allowed */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		union nf_inet_addr a = addr(test, cases[i].af, cases[i].s);
		struct netlink_ext_ack extack = {};

		KUNIT_EXPECT_EQ_MSG(test, l4lb_check_vip(cases[i].af, &a,
							 &extack),
				    cases[i].err, "'%s'", cases[i].s);
		if (cases[i].msg)
			KUNIT_EXPECT_STREQ_MSG(test, extack._msg, cases[i].msg,
					       "'%s'", cases[i].s);
	}
}

static void backend_check_refuses_unscoped_mapped_and_loopback(struct kunit *test)
{
	static const struct addr_case cases[] = {
		{ AF_INET, "10.0.1.1", 0, NULL },
		{ AF_INET, "127.0.0.1", -EINVAL,
		  "backend cannot be a loopback address: use one of the host's own addresses" },
		{ AF_INET6, "2001:db8:1::1", 0, NULL },
		{ AF_INET6, "::", -EINVAL,
		  "backend must be a unicast IPv6 address" },
		{ AF_INET6, "ff05::2", -EINVAL,
		  "backend must be a unicast IPv6 address" },
		{ AF_INET6, "::ffff:10.0.1.1", -EINVAL,
		  "backend cannot be a v4-mapped address: use an AF_INET service" },
		{ AF_INET6, "fe80::1234", -EINVAL, ll_msg },
		{ AF_INET6, "::1", -EINVAL,
		  "backend cannot be a loopback address: use one of the host's own addresses" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		union nf_inet_addr a = addr(test, cases[i].af, cases[i].s);
		struct netlink_ext_ack extack = {};

		KUNIT_EXPECT_EQ_MSG(test,
				    l4lb_check_backend_addr(cases[i].af, &a,
							    &extack),
				    cases[i].err, "'%s'", cases[i].s);
		if (cases[i].msg)
			KUNIT_EXPECT_STREQ_MSG(test, extack._msg, cases[i].msg,
					       "'%s'", cases[i].s);
	}
}

static void af_check_takes_inet_and_inet6_only(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_check_af(AF_INET, NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_af(AF_INET6, NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_af(0, NULL), -EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, l4lb_check_af(AF_UNIX, NULL), -EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, l4lb_check_af(AF_INET6 + 256, NULL),
			-EAFNOSUPPORT);
}

/*
 * An IPv6 pool: no repeats, no link-local or multicast address, and with a
 * namespace, local addresses only (2001:db8:9::9 is nobody's).
 */
static void snat_pool_check_of_ipv6(struct kunit *test)
{
	union nf_inet_addr a[3];
	struct netlink_ext_ack extack = {};
	unsigned int bad = 99;

	a[0] = addr(test, AF_INET6, "2001:db8::1");
	a[1] = addr(test, AF_INET6, "2001:db8::2");
	a[2] = addr(test, AF_INET6, "2001:db8::1");
	KUNIT_EXPECT_EQ(test, l4lb_check_snat_pool(NULL, AF_INET6, a, 2, &bad,
						   NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_snat_pool(NULL, AF_INET6, a, 3, &bad,
						   NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 2U);

	a[1] = addr(test, AF_INET6, "fe80::2");
	KUNIT_EXPECT_EQ(test, l4lb_check_snat_pool(NULL, AF_INET6, a, 2, &bad,
						   &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1U);
	KUNIT_EXPECT_STREQ(test, extack._msg, ll_msg);
	a[1] = addr(test, AF_INET6, "ff02::2");
	KUNIT_EXPECT_EQ(test, l4lb_check_snat_pool(NULL, AF_INET6, a, 2, &bad,
						   NULL), -EINVAL);

	a[0] = addr(test, AF_INET6, "2001:db8:9::9");
	KUNIT_EXPECT_EQ(test, l4lb_check_snat_pool(&init_net, AF_INET6, a, 1,
						   &bad, NULL), -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

/* A service of @af, VIP @vip, port 80/tcp, in @svcs (its lock held). */
static struct l4lb_service *svc_new(struct kunit *test,
				    struct l4lb_services *svcs, u8 af,
				    const char *vip)
{
	struct l4lb_service_cfg cfg;
	struct l4lb_service *svc;

	l4lb_service_cfg_default(&cfg);
	cfg.af = af;
	cfg.vip = addr(test, af, vip);
	cfg.port = htons(80);
	KUNIT_EXPECT_EQ(test, l4lb_service_cfg_check(&cfg, NULL), 0);
	svc = l4lb_service_create(svcs, &cfg, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(svc));
	return IS_ERR(svc) ? NULL : svc;
}

/*
 * 10.0.0.1 and a00:1:: have the same first bytes: the family keeps their
 * services apart, in the packet path's hash and in selectors.
 */
static void service_keys_of_two_families_never_meet(struct kunit *test)
{
	struct l4lb_service *v4, *v6, *other, *found;
	union nf_inet_addr a4, a6, b6;
	struct l4lb_services *svcs;
	struct l4lb_svc_sel sel = {};

	svcs = kunit_kzalloc(test, sizeof(*svcs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, svcs);
	l4lb_services_init(svcs);
	a4 = addr(test, AF_INET, "10.0.0.1");
	a6 = addr(test, AF_INET6, "a00:1::");
	b6 = addr(test, AF_INET6, "2001:db8::1");
	KUNIT_ASSERT_EQ(test, memcmp(&a4, &a6, 4), 0);

	mutex_lock(&svcs->lock);
	v4 = svc_new(test, svcs, AF_INET, "10.0.0.1");
	v6 = svc_new(test, svcs, AF_INET6, "a00:1::");
	other = svc_new(test, svcs, AF_INET6, "2001:db8::1");
	mutex_unlock(&svcs->lock);
	KUNIT_ASSERT_TRUE(test, v4 && v6 && other);

	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_find_rcu(svcs, AF_INET, &a4,
							htons(80),
							IPPROTO_TCP), v4);
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_find_rcu(svcs, AF_INET6, &a6,
							htons(80),
							IPPROTO_TCP), v6);
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_find_rcu(svcs, AF_INET6, &b6,
							htons(80),
							IPPROTO_TCP), other);
	KUNIT_EXPECT_NULL(test, l4lb_service_find_rcu(svcs, AF_INET6, &b6,
						      htons(81), IPPROTO_TCP));
	KUNIT_EXPECT_NULL(test, l4lb_service_find_rcu(svcs, AF_INET6, &b6,
						      htons(80), IPPROTO_UDP));
	rcu_read_unlock();

	mutex_lock(&svcs->lock);
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_find(svcs, AF_INET, &a4,
						    htons(80), IPPROTO_TCP),
			    v4);
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_find(svcs, AF_INET6, &a6,
						    htons(80), IPPROTO_TCP),
			    v6);
	/* The family alone selects the one IPv4 service... */
	sel.af = AF_INET;
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_select(svcs, &sel, NULL), v4);
	/* ...not one of two IPv6 ones. */
	sel.af = AF_INET6;
	found = l4lb_service_select(svcs, &sel, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(found), -EINVAL);
	sel.vip = b6;
	KUNIT_EXPECT_PTR_EQ(test, l4lb_service_select(svcs, &sel, NULL),
			    other);

	l4lb_service_unhash(v4);
	l4lb_service_destroy(v4);
	l4lb_service_unhash(v6);
	l4lb_service_destroy(v6);
	l4lb_service_unhash(other);
	l4lb_service_destroy(other);
	mutex_unlock(&svcs->lock);
	rcu_barrier();
}

/* Fill the reply of @r into a buffer of l4lb_nl_svc_size() bytes. */
static void expect_svc_fits(struct kunit *test, const struct l4lb_nl_svc *r)
{
	size_t size = l4lb_nl_svc_size(r);
	struct sk_buff *skb;

	KUNIT_EXPECT_LE(test, size, (size_t)L4LB_NL_SVC_SIZE_MAX);
	skb = alloc_skb(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, l4lb_nl_svc_fill(skb, r), 0);
	KUNIT_EXPECT_LE(test, skb->len, size);
	kfree_skb(skb);
}

/*
 * The largest replies of both families, full SNAT pool and usage (and
 * peers, were an IPv6 service to have them), fit the room computed for
 * them, and that room is within what a dump's skbs have.
 */
static void svc_reply_fits_its_computed_size(struct kunit *test)
{
	struct l4lb_snat_usage *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct l4lb_nl_svc *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, u);
	KUNIT_ASSERT_NOT_NULL(test, r);
	u->n = L4LB_SNAT_USAGE_MAX;
	for (i = 0; i < u->n; i++)
		u->e[i].ports = 65535;
	l4lb_service_cfg_default(&r->cfg);
	strscpy(r->cfg.sched, "0123456789abcde", sizeof(r->cfg.sched));
	r->cfg.nsnat = L4LB_SNAT_POOL_MAX;
	r->cfg.npeers = L4LB_PEERS_MAX;
	r->usage = u;

	r->cfg.af = AF_INET;
	expect_svc_fits(test, r);
	r->cfg.af = AF_INET6;
	expect_svc_fits(test, r);
	r->usage = NULL;
	expect_svc_fits(test, r);
}

static struct kunit_case l4lb_check_cases[] = {
	KUNIT_CASE(vip_check_takes_unicast_of_its_family),
	KUNIT_CASE(backend_check_refuses_unscoped_mapped_and_loopback),
	KUNIT_CASE(af_check_takes_inet_and_inet6_only),
	KUNIT_CASE(snat_pool_check_of_ipv6),
	KUNIT_CASE(service_keys_of_two_families_never_meet),
	KUNIT_CASE(svc_reply_fits_its_computed_size),
	{}
};

static struct kunit_suite l4lb_check_suite = {
	.name = "l4lb_check",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_check_cases,
};

kunit_test_suites(&l4lb_check_suite);
