// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the parameter parsers (kmod/l4lb_params.c):
 * l4lb_parse_ipv4(), l4lb_parse_ipv6(), l4lb_parse_addr(),
 * l4lb_parse_port(), l4lb_parse_addr_port(), l4lb_parse_backends() and
 * l4lb_parse_snat_pool(), of both families; of the checks of client_addr
 * and peers they share with netlink; and of what the table parameters
 * give a namespace (l4lb_net_table_limits()).
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_check.h"
#include "l4lb_net.h"
#include "l4lb_params.h"

#define IP4(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static int parse_ipv4(const char *s, __be32 *addr)
{
	return l4lb_parse_ipv4(s, strlen(s), addr);
}

static int parse_port(const char *s, __be16 *port)
{
	return l4lb_parse_port(s, strlen(s), port);
}

static int parse_ap(const char *s, struct l4lb_addr_port *ap)
{
	return l4lb_parse_addr_port(s, strlen(s), ap);
}

/* l4lb_parse_snat_pool() of an IPv4 pool, into all of a pool's array. */
static int pool4(const char *s, union nf_inet_addr *out, unsigned int *n,
		 unsigned int *bad)
{
	return l4lb_parse_snat_pool(s, AF_INET, out, L4LB_SNAT_POOL_MAX, n,
				    bad);
}

/* The same of an IPv6 pool. */
static int pool6(const char *s, union nf_inet_addr *out, unsigned int *n,
		 unsigned int *bad)
{
	return l4lb_parse_snat_pool(s, AF_INET6, out, L4LB_SNAT_POOL_MAX, n,
				    bad);
}

/* l4lb_check_peers() of an IPv4 service. */
static int peers4(const __be32 *a, unsigned int n, u8 proto,
		  unsigned int *bad)
{
	return l4lb_check_peers(AF_INET, a, n, proto, bad, NULL);
}

static void ipv4_accepts_dotted_quads(struct kunit *test)
{
	static const struct {
		const char *s;
		__be32 addr;
	} good[] = {
		{ "192.0.2.1", IP4(192, 0, 2, 1) },
		{ "0.0.0.0", IP4(0, 0, 0, 0) },
		{ "255.255.255.255", IP4(255, 255, 255, 255) },
		{ "10.1.2.3", IP4(10, 1, 2, 3) },
		{ "1.22.133.4", IP4(1, 22, 133, 4) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		__be32 addr = 0xdeadbeef;

		KUNIT_EXPECT_EQ_MSG(test, parse_ipv4(good[i].s, &addr), 0,
				    "'%s'", good[i].s);
		KUNIT_EXPECT_EQ_MSG(test, ntohl(addr), ntohl(good[i].addr),
				    "'%s'", good[i].s);
	}
}

static void ipv4_rejects_bad_octets_junk_and_whitespace(struct kunit *test)
{
	static const char * const bad[] = {
		"",			/* empty */
		"1.2.3",		/* too few octets */
		"1.2",
		"1",
		"1.2.3.4.5",		/* too many octets */
		"256.1.1.1",		/* octet > 255 */
		"1.2.3.256",
		"1.2.3.999",
		"1.2.3.1000",
		"1..2.3",		/* empty octet */
		".1.2.3",
		"1.2.3.",
		"1.2.3.4.",
		"a.b.c.d",		/* junk */
		"1.2.3.4x",
		"1.2.3.0x1",
		"-1.2.3.4",
		"1.2.3.-4",
		"localhost",
		"1.2.3.4:80",		/* a port is not an address */
		" 1.2.3.4",		/* whitespace: leading, trailing, inside */
		"1.2.3.4 ",
		"1.2. 3.4",
		"1.2 .3.4",
		"1.2.3.4\n",
		"\t1.2.3.4",
		"1111.2.3.4",
		"001.002.003.0004",	/* longer than any address */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		__be32 addr = 0;

		KUNIT_EXPECT_EQ_MSG(test, parse_ipv4(bad[i], &addr), -EINVAL,
				    "accepted '%s'", bad[i]);
	}
}

/* The text is not NUL-terminated: exactly @len bytes are looked at. */
static void ipv4_parses_exactly_len_bytes(struct kunit *test)
{
	const char *s = "10.0.0.1:8080";
	__be32 addr = 0;

	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv4(s, 8, &addr), 0);
	KUNIT_EXPECT_EQ(test, ntohl(addr), ntohl(IP4(10, 0, 0, 1)));
	/* One byte less is "10.0.0." and one more takes the colon in. */
	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv4(s, 7, &addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv4(s, 9, &addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv4(s, 0, &addr), -EINVAL);
	/* An embedded NUL is not the end of the text. */
	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv4("1.2.3.4\0junk", 12, &addr),
			-EINVAL);
}

static void port_accepts_1_to_65535(struct kunit *test)
{
	static const struct {
		const char *s;
		u16 port;
	} good[] = {
		{ "1", 1 }, { "80", 80 }, { "8080", 8080 }, { "20000", 20000 },
		{ "65535", 65535 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		__be16 port = 0;

		KUNIT_EXPECT_EQ_MSG(test, parse_port(good[i].s, &port), 0,
				    "'%s'", good[i].s);
		KUNIT_EXPECT_EQ_MSG(test, ntohs(port), good[i].port,
				    "'%s'", good[i].s);
	}
}

static void port_rejects_zero_out_of_range_and_junk(struct kunit *test)
{
	static const char * const bad[] = {
		"",		/* missing */
		"0",		/* port 0 */
		"00000",
		"65536",	/* > 65535 */
		"99999",
		"100000",
		"4294967297",	/* too many digits */
		"-1",
		"+80",
		"0x50",
		"8o",
		"80a",
		" 80",		/* whitespace */
		"80 ",
		"8 0",
		"80\n",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		__be16 port = htons(1234);

		KUNIT_EXPECT_EQ_MSG(test, parse_port(bad[i], &port), -EINVAL,
				    "accepted '%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, ntohs(port), 1234,
				    "'%s' changed the output", bad[i]);
	}
}

static void addr_port_accepts_ip_colon_port(struct kunit *test)
{
	struct l4lb_addr_port ap = {};

	KUNIT_ASSERT_EQ(test, parse_ap("203.0.113.5:8080", &ap), 0);
	KUNIT_EXPECT_EQ(test, ntohl(ap.addr.ip), ntohl(IP4(203, 0, 113, 5)));
	KUNIT_EXPECT_EQ(test, ntohs(ap.port), 8080);

	KUNIT_ASSERT_EQ(test, parse_ap("0.0.0.1:65535", &ap), 0);
	KUNIT_EXPECT_EQ(test, ntohl(ap.addr.ip), 1U);
	KUNIT_EXPECT_EQ(test, ntohs(ap.port), 65535);

	/* Only @len bytes count. */
	KUNIT_ASSERT_EQ(test, l4lb_parse_addr_port("10.0.0.2:81,10.0.0.3:82",
						   11, &ap), 0);
	KUNIT_EXPECT_EQ(test, ntohl(ap.addr.ip), ntohl(IP4(10, 0, 0, 2)));
	KUNIT_EXPECT_EQ(test, ntohs(ap.port), 81);
}

static void addr_port_rejects_missing_or_bad_port_and_junk(struct kunit *test)
{
	static const char * const bad[] = {
		"10.0.0.1",		/* missing port */
		"10.0.0.1:",
		":80",			/* missing address */
		"10.0.0.1:0",		/* port 0 */
		"10.0.0.1:65536",	/* port > 65535 */
		"10.0.0.1:123456",
		"10.0.0.1:80:81",	/* junk */
		"10.0.0.1:http",
		"10.0.0:80",		/* too few octets */
		"10.0.0.1.1:80",	/* too many octets */
		"10.0.0.256:80",	/* octet > 255 */
		"10.0.0.1 :80",		/* whitespace */
		"10.0.0.1: 80",
		" 10.0.0.1:80",
		"10.0.0.1:80 ",
		"",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct l4lb_addr_port ap = {};

		KUNIT_EXPECT_EQ_MSG(test, parse_ap(bad[i], &ap), -EINVAL,
				    "accepted '%s'", bad[i]);
	}
}

static void backends_parses_a_list_in_order(struct kunit *test)
{
	struct l4lb_addr_port out[4] = {};
	unsigned int n = 99, bad = 99;

	KUNIT_ASSERT_EQ(test, l4lb_parse_backends("10.0.0.1:80,10.0.0.2:81,10.0.0.1:82",
						  out, ARRAY_SIZE(out), &n, &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, ntohl(out[0].addr.ip), ntohl(IP4(10, 0, 0, 1)));
	KUNIT_EXPECT_EQ(test, ntohs(out[0].port), 80);
	KUNIT_EXPECT_EQ(test, ntohl(out[1].addr.ip), ntohl(IP4(10, 0, 0, 2)));
	KUNIT_EXPECT_EQ(test, ntohs(out[1].port), 81);
	/* Same address, other port: a different backend. */
	KUNIT_EXPECT_EQ(test, ntohl(out[2].addr.ip), ntohl(IP4(10, 0, 0, 1)));
	KUNIT_EXPECT_EQ(test, ntohs(out[2].port), 82);

	KUNIT_ASSERT_EQ(test, l4lb_parse_backends("192.0.2.7:9", out,
						  ARRAY_SIZE(out), &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, ntohs(out[0].port), 9);
}

static void backends_empty_string_is_an_empty_list(struct kunit *test)
{
	struct l4lb_addr_port out[2] = {};
	unsigned int n = 99, bad = 99;

	KUNIT_EXPECT_EQ(test, l4lb_parse_backends("", out, ARRAY_SIZE(out),
						  &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
}

static void backends_rejects_bad_entries_and_names_their_index(struct kunit *test)
{
	static const struct {
		const char *s;
		unsigned int bad;
	} cases[] = {
		{ "10.0.0.1:80,,10.0.0.2:80", 1 },		/* empty item */
		{ "10.0.0.1:80,", 1 },				/* trailing comma */
		{ ",10.0.0.1:80", 0 },				/* leading comma */
		{ ",", 0 },
		{ ",,", 0 },
		{ "10.0.0.1:80,10.0.0.2:80,10.0.0.1:80", 2 },	/* duplicate */
		{ "10.0.0.1:80,10.0.0.1:80", 1 },
		{ "10.0.0.1", 0 },				/* missing port */
		{ "10.0.0.1:80,10.0.0.2", 1 },
		{ "10.0.0.1:80,10.0.0.2:0", 1 },		/* port 0 */
		{ "10.0.0.1:80,10.0.0.2:65536", 1 },		/* port > 65535 */
		{ "10.0.0.1:80,10.0.0.2:80,junk", 2 },		/* junk */
		{ "10.0.0.1:80;10.0.0.2:80", 0 },
		{ " 10.0.0.1:80", 0 },				/* whitespace */
		{ "10.0.0.1:80 ", 0 },
		{ "10.0.0.1:80, 10.0.0.2:80", 1 },
		{ "10.0.0.1:80 ,10.0.0.2:80", 0 },
		{ "10.0.0.1: 80", 0 },
		{ "10.0.0:80", 0 },				/* too few octets */
		{ "10.0.0.1:80,10.0.0.2.3:80", 1 },		/* too many octets */
		{ "10.0.0.1:80,10.0.300.2:80", 1 },		/* octet > 255 */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct l4lb_addr_port out[4] = {};
		unsigned int n = 99, bad = 99;

		KUNIT_EXPECT_EQ_MSG(test,
				    l4lb_parse_backends(cases[i].s, out,
							ARRAY_SIZE(out), &n, &bad),
				    -EINVAL, "accepted '%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, bad, cases[i].bad,
				    "wrong index for '%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, n, 0U,
				    "'%s' reported entries", cases[i].s);
	}
}

static void backends_more_than_max_is_e2big_at_the_first_extra(struct kunit *test)
{
	struct l4lb_addr_port out[2] = {};
	unsigned int n = 99, bad = 99;

	KUNIT_EXPECT_EQ(test, l4lb_parse_backends("10.0.0.1:1,10.0.0.1:2",
						  out, 2, &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);

	KUNIT_EXPECT_EQ(test, l4lb_parse_backends("10.0.0.1:1,10.0.0.1:2,10.0.0.1:3",
						  out, 2, &n, &bad), -E2BIG);
	KUNIT_EXPECT_EQ(test, bad, 2U);
	KUNIT_EXPECT_EQ(test, n, 0U);
}

static void snat_pool_parses_addresses_ranges_and_lists(struct kunit *test)
{
	union nf_inet_addr out[L4LB_SNAT_POOL_MAX] = {};
	unsigned int n = 99, bad = 99, i;

	KUNIT_ASSERT_EQ(test, pool4("10.0.1.250", out, &n, &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, ntohl(out[0].ip), ntohl(IP4(10, 0, 1, 250)));

	/* A range includes both ends, and may cross a /24. */
	KUNIT_ASSERT_EQ(test, pool4("10.0.1.254-10.0.2.1,192.0.2.9", out, &n,
				    &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 5U);
	KUNIT_EXPECT_EQ(test, ntohl(out[0].ip), ntohl(IP4(10, 0, 1, 254)));
	KUNIT_EXPECT_EQ(test, ntohl(out[1].ip), ntohl(IP4(10, 0, 1, 255)));
	KUNIT_EXPECT_EQ(test, ntohl(out[2].ip), ntohl(IP4(10, 0, 2, 0)));
	KUNIT_EXPECT_EQ(test, ntohl(out[3].ip), ntohl(IP4(10, 0, 2, 1)));
	KUNIT_EXPECT_EQ(test, ntohl(out[4].ip), ntohl(IP4(192, 0, 2, 9)));

	/* A one-address range; exactly the most addresses. */
	KUNIT_ASSERT_EQ(test, pool4("10.0.0.5-10.0.0.5", out, &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_ASSERT_EQ(test, pool4("10.0.0.0-10.0.0.63", out, &n, &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 64U);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, ntohl(out[i].ip), ntohl(IP4(10, 0, 0, i)));
}

static void snat_pool_empty_and_auto_are_the_empty_pool(struct kunit *test)
{
	union nf_inet_addr out[L4LB_SNAT_POOL_MAX] = {};
	unsigned int n = 99, bad = 99;

	KUNIT_EXPECT_EQ(test, pool4("", out, &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	n = 99;
	KUNIT_EXPECT_EQ(test, pool4("auto", out, &n, &bad), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
}

static void client_addr_accepts_the_four_words_only(struct kunit *test)
{
	static const char * const bad[] = {
		"", "None", "proxy", "proxy-v3", "proxy_v2", "toa ", " toa",
		"proxy-v2,toa", "1",
	};
	unsigned int i;
	u8 mode = 99;

	KUNIT_EXPECT_EQ(test, l4lb_parse_client_addr("none", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, L4LB_CLIENT_ADDR_NONE);
	KUNIT_EXPECT_EQ(test, l4lb_parse_client_addr("proxy-v2", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, L4LB_CLIENT_ADDR_PROXY_V2);
	KUNIT_EXPECT_EQ(test, l4lb_parse_client_addr("proxy-v1", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, L4LB_CLIENT_ADDR_PROXY_V1);
	KUNIT_EXPECT_EQ(test, l4lb_parse_client_addr("toa", &mode), 0);
	KUNIT_EXPECT_EQ(test, mode, L4LB_CLIENT_ADDR_TOA);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mode = 99;
		KUNIT_EXPECT_EQ_MSG(test, l4lb_parse_client_addr(bad[i], &mode),
				    -EINVAL, "'%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, mode, 99, "'%s'", bad[i]);
	}
}

static void client_addr_check_refuses_udp_and_unknown_modes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_TOA,
						     IPPROTO_TCP, AF_INET, NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_NONE,
						     IPPROTO_UDP, AF_INET, NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_PROXY_V2,
						     IPPROTO_UDP, AF_INET, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_MAX + 1,
						     IPPROTO_TCP, AF_INET, NULL),
			-EINVAL);
}

static void peers_check_refuses_bad_lists_and_names_the_index(struct kunit *test)
{
	__be32 a[L4LB_PEERS_MAX + 1];
	unsigned int i, bad = 99;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = htonl(0x0a090001 + i);	/* 10.9.0.1, ... */
	/* A full list, the node's own address may be in it: fine. */
	KUNIT_EXPECT_EQ(test, peers4(a, L4LB_PEERS_MAX, IPPROTO_TCP, &bad), 0);
	KUNIT_EXPECT_EQ(test, peers4(a, 0, IPPROTO_UDP, &bad), 0);
	KUNIT_EXPECT_EQ(test, peers4(a, 1, IPPROTO_UDP, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, peers4(a, L4LB_PEERS_MAX + 1, IPPROTO_TCP, &bad),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, bad, L4LB_PEERS_MAX);
	a[2] = a[0];
	KUNIT_EXPECT_EQ(test, peers4(a, 3, IPPROTO_TCP, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 2);
	a[2] = htonl(0x0a090003);
	a[1] = htonl(INADDR_ANY);
	KUNIT_EXPECT_EQ(test, peers4(a, 3, IPPROTO_TCP, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1);
	a[1] = htonl(0xe0000001);	/* 224.0.0.1 */
	KUNIT_EXPECT_EQ(test, peers4(a, 3, IPPROTO_TCP, NULL), -EINVAL);
	a[1] = htonl(INADDR_BROADCAST);
	KUNIT_EXPECT_EQ(test, peers4(a, 3, IPPROTO_TCP, NULL), -EINVAL);
	a[1] = htonl(INADDR_LOOPBACK);
	KUNIT_EXPECT_EQ(test, peers4(a, 3, IPPROTO_TCP, NULL), -EINVAL);
}

static void snat_pool_rejects_bad_entries_and_names_their_index(struct kunit *test)
{
	static const struct {
		const char *s;
		int err;
		unsigned int bad;
	} cases[] = {
		{ "10.0.1.250-10.0.1.240", -ERANGE, 0 },	/* reversed */
		{ "10.0.0.1,10.0.2.0-10.0.1.255", -ERANGE, 1 },
		{ "10.0.0.0-10.0.0.64", -E2BIG, 0 },		/* 65 */
		{ "10.0.0.0-10.0.0.60,10.0.1.0-10.0.1.3", -E2BIG, 1 },
		{ "0.0.0.0-255.255.255.255", -E2BIG, 0 },
		{ "10.0.0.1,10.0.0.1", -EEXIST, 1 },		/* repeats */
		{ "10.0.0.1-10.0.0.4,10.0.0.3", -EEXIST, 1 },
		{ "10.0.0.3,10.0.0.1-10.0.0.4", -EEXIST, 1 },
		{ "10.0.0.1,,10.0.0.2", -EINVAL, 1 },		/* empty */
		{ "10.0.0.1,", -EINVAL, 1 },
		{ ",10.0.0.1", -EINVAL, 0 },
		{ "-", -EINVAL, 0 },
		{ "10.0.0.1-", -EINVAL, 0 },
		{ "-10.0.0.1", -EINVAL, 0 },
		{ "10.0.0.1--10.0.0.2", -EINVAL, 0 },
		{ "10.0.0.1-10.0.0.2-10.0.0.3", -EINVAL, 0 },
		{ "10.0.0.1-2", -EINVAL, 0 },			/* no short form */
		{ "10.0.0.0/24", -EINVAL, 0 },
		{ "10.0.0.1 ", -EINVAL, 0 },			/* whitespace */
		{ "10.0.0.1, 10.0.0.2", -EINVAL, 1 },
		{ "10.0.0.1 - 10.0.0.2", -EINVAL, 0 },
		{ "AUTO", -EINVAL, 0 },
		{ "auto,10.0.0.1", -EINVAL, 0 },
		{ "10.0.0.256", -EINVAL, 0 },
		{ "junk", -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		union nf_inet_addr out[L4LB_SNAT_POOL_MAX] = {};
		unsigned int n = 99, bad = 99;

		KUNIT_EXPECT_EQ_MSG(test,
				    pool4(cases[i].s, out, &n, &bad),
				    cases[i].err, "'%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, bad, cases[i].bad,
				    "wrong index for '%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, n, 0U,
				    "'%s' reported addresses", cases[i].s);
	}
}

/* ---- IPv6 (issue #18) ------------------------------------------------ */

/* @s as an in6_addr, for the expectations; the test fails if it is none. */
static struct in6_addr a6(struct kunit *test, const char *s)
{
	struct in6_addr a = {};

	KUNIT_EXPECT_EQ_MSG(test, in6_pton(s, -1, a.s6_addr, -1, NULL), 1,
			    "'%s'", s);
	return a;
}

static void ipv6_accepts_the_text_forms(struct kunit *test)
{
	static const char * const good[] = {
		"2001:db8::1", "::1", "::", "fe80::1", "2001:DB8::A",
		"2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1",
		"2001:db8:1:2:3:4:5:6",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct in6_addr want = a6(test, good[i]), got;

		memset(&got, 0xaa, sizeof(got));
		KUNIT_EXPECT_EQ_MSG(test, l4lb_parse_ipv6(good[i],
							  strlen(good[i]),
							  &got), 0,
				    "'%s'", good[i]);
		KUNIT_EXPECT_TRUE_MSG(test, ipv6_addr_equal(&got, &want),
				      "'%s'", good[i]);
	}
}

static void ipv6_rejects_junk_scopes_brackets_and_whitespace(struct kunit *test)
{
	struct in6_addr a6_out;
	static const char * const bad[] = {
		"", "2001:db8::g", "2001:db8:::1", "1::2::3",
		"1:2:3:4:5:6:7:8:9", "12345::1", ":::", "2001:db8::1/64",
		"fe80::1%eth0",		/* a scope: not supported */
		"[2001:db8::1]",	/* brackets are the port's business */
		"[2001:db8::1]:80",
		" 2001:db8::1", "2001:db8::1 ", "2001:db8:: 1",
		"2001:db8::1\n", "10.0.0.1", "::ffff:10.0.0.256",
		"1:2:3:4:5:6:7:8:1.2.3.4",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct in6_addr a;

		KUNIT_EXPECT_EQ_MSG(test, l4lb_parse_ipv6(bad[i], strlen(bad[i]),
							  &a), -EINVAL,
				    "accepted '%s'", bad[i]);
	}
	/* Exactly @len bytes: the NUL and what follows do not count. */
	KUNIT_EXPECT_EQ(test, l4lb_parse_ipv6("::1\0junk", 8, &a6_out), -EINVAL);
}

static void addr_picks_the_family_by_its_colons(struct kunit *test)
{
	struct in6_addr want = a6(test, "2001:db8::7");
	union nf_inet_addr a;
	u8 af = 0;

	KUNIT_ASSERT_EQ(test, l4lb_parse_addr("2001:db8::7", 11, &af, &a), 0);
	KUNIT_EXPECT_EQ(test, af, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&a.in6, &want));

	memset(&a, 0xaa, sizeof(a));
	KUNIT_ASSERT_EQ(test, l4lb_parse_addr("10.0.0.7", 8, &af, &a), 0);
	KUNIT_EXPECT_EQ(test, af, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(a.ip), ntohl(IP4(10, 0, 0, 7)));
	/* The rest is zero: an IPv4 address compares as one. */
	KUNIT_EXPECT_EQ(test, a.all[1] | a.all[2] | a.all[3], 0U);

	KUNIT_EXPECT_EQ(test, l4lb_parse_addr("10.0.0:7", 8, &af, &a), -EINVAL);
}

static void addr_port_takes_ipv6_in_brackets(struct kunit *test)
{
	struct in6_addr want = a6(test, "2001:db8:1::1");
	struct l4lb_addr_port ap = {};

	KUNIT_ASSERT_EQ(test, parse_ap("[2001:db8:1::1]:10000", &ap), 0);
	KUNIT_EXPECT_EQ(test, ap.af, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ap.addr.in6, &want));
	KUNIT_EXPECT_EQ(test, ntohs(ap.port), 10000);

	KUNIT_ASSERT_EQ(test, parse_ap("10.0.0.2:81", &ap), 0);
	KUNIT_EXPECT_EQ(test, ap.af, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(ap.addr.ip), ntohl(IP4(10, 0, 0, 2)));

	/* Only @len bytes count. */
	KUNIT_ASSERT_EQ(test, l4lb_parse_addr_port("[::1]:1,[::2]:2", 7, &ap),
			0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_loopback(&ap.addr.in6));
	KUNIT_EXPECT_EQ(test, ntohs(ap.port), 1);
}

static void addr_port_rejects_bad_ipv6_forms(struct kunit *test)
{
	static const char * const bad[] = {
		"2001:db8::1:80",	/* no brackets: read as IPv4 */
		"[2001:db8::1]",	/* no port */
		"[2001:db8::1]:",
		"[2001:db8::1]80",
		"[2001:db8::1:80",
		"2001:db8::1]:80",
		"[2001:db8::1]:0",
		"[2001:db8::1]:65536",
		"[2001:db8::g]:80",
		"[10.0.0.1]:80",	/* IPv4 in brackets */
		"[]:80",
		"[fe80::1%eth0]:80",
		"[ 2001:db8::1]:80",
		"[2001:db8::1] :80",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct l4lb_addr_port ap = {};

		KUNIT_EXPECT_EQ_MSG(test, parse_ap(bad[i], &ap), -EINVAL,
				    "accepted '%s'", bad[i]);
	}
}

/*
 * Entries of either family parse (l4lb_params_cfg() refuses those that
 * are not vip='s); equal bytes of two families are two backends.
 */
static void backends_parse_ipv6_and_compare_by_family(struct kunit *test)
{
	struct l4lb_addr_port out[4] = {};
	unsigned int n = 99, bad = 99;

	KUNIT_ASSERT_EQ(test, l4lb_parse_backends("[2001:db8:1::1]:80,10.0.0.1:80,[a00:1::]:80",
						  out, ARRAY_SIZE(out), &n,
						  &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, out[0].af, AF_INET6);
	KUNIT_EXPECT_EQ(test, out[1].af, AF_INET);
	/* a00:1:: has 10.0.0.1's first bytes: another address all the same */
	KUNIT_EXPECT_EQ(test, out[2].af, AF_INET6);

	KUNIT_EXPECT_EQ(test, l4lb_parse_backends("[2001:db8::1]:80,[2001:db8:0::1]:80",
						  out, ARRAY_SIZE(out), &n,
						  &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1U);
	KUNIT_EXPECT_EQ(test, l4lb_parse_backends("[2001:db8::1]:80,2001:db8::2:80",
						  out, ARRAY_SIZE(out), &n,
						  &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, 1U);
}

static void snat_pool_parses_ipv6_addresses_and_ranges(struct kunit *test)
{
	union nf_inet_addr out[L4LB_SNAT_POOL_MAX] = {};
	unsigned int n = 99, bad = 99, i;
	struct in6_addr want;

	KUNIT_ASSERT_EQ(test, pool6("2001:db8::5", out, &n, &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 1U);
	want = a6(test, "2001:db8::5");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[0].in6, &want));

	/* A range counts in the last 32 bits, across 16-bit groups. */
	KUNIT_ASSERT_EQ(test, pool6("2001:db8::fffe-2001:db8::1:1,2001:db8::9",
				    out, &n, &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 5U);
	want = a6(test, "2001:db8::fffe");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[0].in6, &want));
	want = a6(test, "2001:db8::ffff");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[1].in6, &want));
	want = a6(test, "2001:db8::1:0");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[2].in6, &want));
	want = a6(test, "2001:db8::1:1");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[3].in6, &want));
	want = a6(test, "2001:db8::9");
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&out[4].in6, &want));

	KUNIT_ASSERT_EQ(test, pool6("2001:db8::100-2001:db8::13f", out, &n,
				    &bad), 0);
	KUNIT_ASSERT_EQ(test, n, 64U);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, ntohl(out[i].in6.s6_addr32[3]),
				0x100 + i);
}

static void snat_pool_refuses_the_other_family_and_bad_ipv6(struct kunit *test)
{
	static const struct {
		const char *s;
		u8 af;
		int err;
		unsigned int bad;
	} cases[] = {
		{ "10.0.0.1", AF_INET6, -EAFNOSUPPORT, 0 },
		{ "2001:db8::1,10.0.0.1", AF_INET6, -EAFNOSUPPORT, 1 },
		{ "2001:db8::1-10.0.0.1", AF_INET6, -EAFNOSUPPORT, 0 },
		{ "2001:db8::1", AF_INET, -EAFNOSUPPORT, 0 },
		{ "10.0.0.1,2001:db8::1", AF_INET, -EAFNOSUPPORT, 1 },
		{ "2001:db8::9-2001:db8::1", AF_INET6, -ERANGE, 0 },
		{ "2001:db8::1-2001:db8:1::1", AF_INET6, -E2BIG, 0 },
		{ "2001:db8::-2001:db8::40", AF_INET6, -E2BIG, 0 },	/* 65 */
		{ "2001:db8::1,2001:db8:0::1", AF_INET6, -EEXIST, 1 },
		{ "2001:db8::g", AF_INET6, -EINVAL, 0 },
		{ "[2001:db8::1]", AF_INET6, -EINVAL, 0 },
		{ "fe80::1%eth0", AF_INET6, -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		union nf_inet_addr out[L4LB_SNAT_POOL_MAX] = {};
		unsigned int n = 99, bad = 99;

		KUNIT_EXPECT_EQ_MSG(test,
				    l4lb_parse_snat_pool(cases[i].s, cases[i].af,
							 out, ARRAY_SIZE(out),
							 &n, &bad),
				    cases[i].err, "'%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, bad, cases[i].bad,
				    "wrong index for '%s'", cases[i].s);
		KUNIT_EXPECT_EQ_MSG(test, n, 0U, "'%s'", cases[i].s);
	}
}

static void client_addr_check_refuses_toa_on_ipv6(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_TOA,
						     IPPROTO_TCP, AF_INET6,
						     &extack), -EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "toa has no IPv6 form; use proxy-v1 or proxy-v2");
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_PROXY_V1,
						     IPPROTO_TCP, AF_INET6,
						     NULL), 0);
	KUNIT_EXPECT_EQ(test, l4lb_check_client_addr(L4LB_CLIENT_ADDR_PROXY_V2,
						     IPPROTO_TCP, AF_INET6,
						     NULL), 0);
}

static void peers_check_refuses_any_peer_of_ipv6(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	__be32 a[] = { IP4(10, 9, 0, 1) };

	KUNIT_EXPECT_EQ(test, l4lb_check_peers(AF_INET6, a, 1, IPPROTO_TCP,
					       NULL, &extack), -EAFNOSUPPORT);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "an IPv6 service cannot have peers yet");
	KUNIT_EXPECT_EQ(test, l4lb_check_peers(AF_INET6, a, 0, IPPROTO_TCP,
					       NULL, NULL), 0);
}

/* Namespaces that only need an owner: one the initial user namespace's,
 * one another's (a container's, unshare -Urn).
 */
static struct user_namespace other_user_ns;
static struct net host_net = { .user_ns = &init_user_ns };
static struct net container_net = { .user_ns = &other_user_ns };

static void expect_limits(struct kunit *test, const struct net *net,
			  unsigned int bits, unsigned int conn_max,
			  unsigned int syn_max)
{
	struct l4lb_table_limits lim;

	l4lb_net_table_limits(net, &lim);
	KUNIT_EXPECT_EQ(test, lim.bits, bits);
	KUNIT_EXPECT_EQ(test, lim.conn_max, conn_max);
	KUNIT_EXPECT_EQ(test, lim.syn_max, syn_max);
}

static void table_limits_raised_for_the_host_only(struct kunit *test)
{
	unsigned int bits = l4lb_conn_tab_bits, max = l4lb_conn_max;
	unsigned int syn = l4lb_syn_max;

	/* Raised: a container gets the defaults. */
	l4lb_conn_tab_bits = 20;
	l4lb_conn_max = 4000000;
	l4lb_syn_max = 3000000;
	expect_limits(test, &host_net, 20, 4000000, 3000000);
	expect_limits(test, &container_net, 16, 1048576, 524288);

	/* Lowered: everyone gets the lower values. */
	l4lb_conn_tab_bits = 10;
	l4lb_conn_max = 1000;
	l4lb_syn_max = 900;
	expect_limits(test, &host_net, 10, 1000, 900);
	expect_limits(test, &container_net, 10, 1000, 900);

	/* syn_max raised alone stays within the default's half. */
	l4lb_conn_tab_bits = 16;
	l4lb_conn_max = 1048576;
	l4lb_syn_max = 1048576;
	expect_limits(test, &host_net, 16, 1048576, 1048576);
	expect_limits(test, &container_net, 16, 1048576, 524288);

	l4lb_conn_tab_bits = bits;
	l4lb_conn_max = max;
	l4lb_syn_max = syn;
}

static struct kunit_case l4lb_params_cases[] = {
	KUNIT_CASE(ipv4_accepts_dotted_quads),
	KUNIT_CASE(ipv4_rejects_bad_octets_junk_and_whitespace),
	KUNIT_CASE(ipv4_parses_exactly_len_bytes),
	KUNIT_CASE(port_accepts_1_to_65535),
	KUNIT_CASE(port_rejects_zero_out_of_range_and_junk),
	KUNIT_CASE(addr_port_accepts_ip_colon_port),
	KUNIT_CASE(addr_port_rejects_missing_or_bad_port_and_junk),
	KUNIT_CASE(backends_parses_a_list_in_order),
	KUNIT_CASE(backends_empty_string_is_an_empty_list),
	KUNIT_CASE(backends_rejects_bad_entries_and_names_their_index),
	KUNIT_CASE(backends_more_than_max_is_e2big_at_the_first_extra),
	KUNIT_CASE(snat_pool_parses_addresses_ranges_and_lists),
	KUNIT_CASE(snat_pool_empty_and_auto_are_the_empty_pool),
	KUNIT_CASE(snat_pool_rejects_bad_entries_and_names_their_index),
	KUNIT_CASE(client_addr_accepts_the_four_words_only),
	KUNIT_CASE(client_addr_check_refuses_udp_and_unknown_modes),
	KUNIT_CASE(peers_check_refuses_bad_lists_and_names_the_index),
	KUNIT_CASE(ipv6_accepts_the_text_forms),
	KUNIT_CASE(ipv6_rejects_junk_scopes_brackets_and_whitespace),
	KUNIT_CASE(addr_picks_the_family_by_its_colons),
	KUNIT_CASE(addr_port_takes_ipv6_in_brackets),
	KUNIT_CASE(addr_port_rejects_bad_ipv6_forms),
	KUNIT_CASE(backends_parse_ipv6_and_compare_by_family),
	KUNIT_CASE(snat_pool_parses_ipv6_addresses_and_ranges),
	KUNIT_CASE(snat_pool_refuses_the_other_family_and_bad_ipv6),
	KUNIT_CASE(client_addr_check_refuses_toa_on_ipv6),
	KUNIT_CASE(peers_check_refuses_any_peer_of_ipv6),
	KUNIT_CASE(table_limits_raised_for_the_host_only),
	{}
};

static struct kunit_suite l4lb_params_suite = {
	.name = "l4lb_params",
	.test_cases = l4lb_params_cases,
};

kunit_test_suites(&l4lb_params_suite);
