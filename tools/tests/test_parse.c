// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c - parse.c: every command-line word l4lbctl accepts or refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "fmt.h"
#include "names.h"
#include "parse.h"
#include "addr_util.h"

/* Parse @s as IP:PORT and expect @err; on success compare with ip, port. */
static void expect_ipport(const char *s, int err, const char *ip,
			  uint16_t port)
{
	struct ipport ep, orig;

	memset(&ep, 0xee, sizeof(ep));
	memcpy(&orig, &ep, sizeof(ep));
	assert_int_equal(parse_ipport(s, &ep), err);
	if (err) {
		/* Failure leaves the output untouched. */
		assert_memory_equal(&ep, &orig, sizeof(ep));
		return;
	}
	assert_ipaddr_equal(ep.addr, ip);
	assert_int_equal(ep.port, htons(port));
}

static void ipport_accepts_address_and_port_in_network_order(void **state)
{
	(void)state;
	expect_ipport("10.0.0.2:80", 0, "10.0.0.2", 80);
	expect_ipport("0.0.0.0:1", 0, "0.0.0.0", 1);
	expect_ipport("255.255.255.255:65535", 0, "255.255.255.255", 65535);
	expect_ipport("192.168.1.10:08080", 0, "192.168.1.10", 8080);
}

static void ipport_rejects_missing_or_empty_port(void **state)
{
	(void)state;
	expect_ipport("10.0.0.2", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:", -EINVAL, NULL, 0);
	expect_ipport(":80", -EINVAL, NULL, 0);
	expect_ipport("", -EINVAL, NULL, 0);
	expect_ipport(":", -EINVAL, NULL, 0);
	expect_ipport(NULL, -EINVAL, NULL, 0);
}

static void ipport_rejects_port_out_of_range(void **state)
{
	(void)state;
	expect_ipport("10.0.0.2:0", -ERANGE, NULL, 0);
	expect_ipport("10.0.0.2:65536", -ERANGE, NULL, 0);
	expect_ipport("10.0.0.2:99999999999999999999999", -ERANGE, NULL, 0);
}

static void ipport_rejects_bad_octets(void **state)
{
	(void)state;
	expect_ipport("10.0.0.300:80", -EINVAL, NULL, 0);
	expect_ipport("256.0.0.1:80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0:80", -EINVAL, NULL, 0);
	expect_ipport("10.0:80", -EINVAL, NULL, 0);
	expect_ipport("10:80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.1.5:80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.-1:80", -EINVAL, NULL, 0);
	expect_ipport("0x0a.0.0.1:80", -EINVAL, NULL, 0);
	expect_ipport("10..0.1:80", -EINVAL, NULL, 0);
	expect_ipport("1234567890123456789:80", -EINVAL, NULL, 0);
}

static void ipport_rejects_junk_and_whitespace(void **state)
{
	(void)state;
	expect_ipport("frob", -EINVAL, NULL, 0);
	expect_ipport("host.example:80", -EINVAL, NULL, 0);
	expect_ipport(" 10.0.0.2:80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:80 ", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2: 80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2 :80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:80\n", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:+80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:-80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:0x50", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:80x", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.2:80:81", -EINVAL, NULL, 0);
	expect_ipport("[10.0.0.2]:80", -EINVAL, NULL, 0);
}

static void ipport_takes_ipv6_in_brackets(void **state)
{
	(void)state;
	expect_ipport("[2001:db8::2]:80", 0, "2001:db8::2", 80);
	expect_ipport("[::1]:1", 0, "::1", 1);
	expect_ipport("[2001:DB8:0:0:0:0:0:2]:65535", 0, "2001:db8::2", 65535);
	expect_ipport("[::ffff:10.0.0.1]:80", 0, "::ffff:10.0.0.1", 80);
	expect_ipport("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535",
		      0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
}

static void ipport_refuses_ipv6_without_brackets_or_port(void **state)
{
	(void)state;
	/* Without brackets the colons are the address's: no port. */
	expect_ipport("2001:db8::2:80", -EINVAL, NULL, 0);
	expect_ipport("2001:db8::2", -EINVAL, NULL, 0);
	expect_ipport("::1", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::2]", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::2]:", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::2]80", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::2", -EINVAL, NULL, 0);
	expect_ipport("2001:db8::2]:80", -EINVAL, NULL, 0);
	expect_ipport("[[2001:db8::2]]:80", -EINVAL, NULL, 0);
	expect_ipport("[]:80", -EINVAL, NULL, 0);
	expect_ipport("[ 2001:db8::2]:80", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::g]:80", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8:::2]:80", -EINVAL, NULL, 0);
	expect_ipport("[1:2:3:4:5:6:7:8:9]:80", -EINVAL, NULL, 0);
	expect_ipport("[2001:db8::2]:0", -ERANGE, NULL, 0);
	expect_ipport("[2001:db8::2]:65536", -ERANGE, NULL, 0);
	expect_ipport("[2001:db8::2]:80:81", -EINVAL, NULL, 0);
}

static void ipport_refuses_a_zone_index(void **state)
{
	(void)state;
	expect_ipport("[fe80::1%eth0]:80", -EADDRNOTAVAIL, NULL, 0);
	expect_ipport("[fe80::1%1]:80", -EADDRNOTAVAIL, NULL, 0);
	/* Not an address before the '%', or nothing after it: junk. */
	expect_ipport("[fe80::1%]:80", -EINVAL, NULL, 0);
	expect_ipport("[fe80::g%eth0]:80", -EINVAL, NULL, 0);
	expect_ipport("10.0.0.1%eth0:80", -EINVAL, NULL, 0);
}

/* Parse @s as an address and expect @err; on success compare with @ip. */
static void expect_addr(const char *s, int err, const char *ip)
{
	struct ipaddr a, orig;

	memset(&a, 0xee, sizeof(a));
	memcpy(&orig, &a, sizeof(a));
	assert_int_equal(parse_ipaddr(s, &a), err);
	if (err) {
		assert_memory_equal(&a, &orig, sizeof(a));
		return;
	}
	assert_ipaddr_equal(a, ip);
}

static void address_is_ipv4_or_ipv6(void **state)
{
	(void)state;
	expect_addr("10.0.0.1", 0, "10.0.0.1");
	expect_addr("2001:db8::1", 0, "2001:db8::1");
	expect_addr("[2001:db8::1]", 0, "2001:db8::1");
	expect_addr("::", 0, "::");
	expect_addr("fe80::1", 0, "fe80::1");	/* the kernel refuses it */
	expect_addr("[10.0.0.1]", -EINVAL, NULL);
	expect_addr("fe80::1%eth0", -EADDRNOTAVAIL, NULL);
	expect_addr("fe80::1%", -EINVAL, NULL);
	expect_addr("2001:db8:::1", -EINVAL, NULL);
	expect_addr("2001:db8::1 ", -EINVAL, NULL);
	expect_addr("[2001:db8::1", -EINVAL, NULL);
	expect_addr("2001:db8::1]", -EINVAL, NULL);
	expect_addr("[]", -EINVAL, NULL);
	expect_addr("", -EINVAL, NULL);
	expect_addr(NULL, -EINVAL, NULL);
	expect_addr("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555", -EINVAL,
		    NULL);
}

static void address_helpers_compare_count_and_make_sockaddrs(void **state)
{
	struct ipaddr a = addr_of("2001:db8::ffff"), b = addr_of("10.0.0.1");
	struct ipport ep = ipport_of("2001:db8::2", 443);
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	(void)state;
	/* Carry across bytes; wrap at the top. */
	ipaddr_inc(&a);
	assert_ipaddr_equal(a, "2001:db8::1:0");
	a = addr_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ipaddr_inc(&a);
	assert_ipaddr_equal(a, "::");
	a = addr_of("255.255.255.255");
	ipaddr_inc(&a);
	assert_ipaddr_equal(a, "0.0.0.0");
	/* IPv4 before IPv6; within a family, as numbers. */
	a = addr_of("::");
	assert_true(ipaddr_cmp(&b, &a) < 0);
	assert_false(ipaddr_eq(&b, &a));
	a = addr_of("10.0.0.2");
	assert_true(ipaddr_cmp(&b, &a) < 0);
	a = addr_of("9.255.255.255");
	assert_true(ipaddr_cmp(&b, &a) > 0);
	/* The socket addresses of each family, none without one. */
	assert_int_equal(ipport_sockaddr(&ep, &ss), sizeof(*sin6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(sin6->sin6_port, htons(443));
	assert_memory_equal(&sin6->sin6_addr, &ep.addr.v6, 16);
	assert_int_equal(sin6->sin6_scope_id, 0);
	ep = ipport_of("10.0.0.2", 80);
	assert_int_equal(ipport_sockaddr(&ep, &ss), sizeof(*sin));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(sin->sin_addr.s_addr, inet_addr("10.0.0.2"));
	assert_int_equal(sin->sin_port, htons(80));
	memset(&ep, 0, sizeof(ep));
	assert_int_equal(ipport_sockaddr(&ep, &ss), 0);
}

static void weight_accepts_0_to_65535(void **state)
{
	uint32_t w = 7;

	(void)state;
	assert_int_equal(parse_weight("0", &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(parse_weight("1", &w), 0);
	assert_int_equal(w, 1);
	assert_int_equal(parse_weight("65535", &w), 0);
	assert_int_equal(w, L4LB_WEIGHT_MAX);
}

static void weight_rejects_overflow_sign_and_junk(void **state)
{
	uint32_t w = 7;

	(void)state;
	assert_int_equal(parse_weight("65536", &w), -ERANGE);
	assert_int_equal(parse_weight("4294967296", &w), -ERANGE);
	assert_int_equal(parse_weight("18446744073709551616", &w), -ERANGE);
	assert_int_equal(parse_weight("-1", &w), -EINVAL);
	assert_int_equal(parse_weight("+1", &w), -EINVAL);
	assert_int_equal(parse_weight("abc", &w), -EINVAL);
	assert_int_equal(parse_weight("1abc", &w), -EINVAL);
	assert_int_equal(parse_weight("", &w), -EINVAL);
	assert_int_equal(parse_weight(" 1", &w), -EINVAL);
	assert_int_equal(parse_weight("1 ", &w), -EINVAL);
	assert_int_equal(parse_weight("0x10", &w), -EINVAL);
	assert_int_equal(parse_weight("1.5", &w), -EINVAL);
	assert_int_equal(parse_weight(NULL, &w), -EINVAL);
	assert_int_equal(w, 7);
}

static void port_rejects_zero_and_above_65535(void **state)
{
	uint16_t p = 0;

	(void)state;
	assert_int_equal(parse_port("443", &p), 0);
	assert_int_equal(p, htons(443));
	assert_int_equal(parse_port("0", &p), -ERANGE);
	assert_int_equal(parse_port("65536", &p), -ERANGE);
	assert_int_equal(parse_port("http", &p), -EINVAL);
}

static void seconds_accept_full_u32_and_reject_the_rest(void **state)
{
	uint32_t s = 1;

	(void)state;
	assert_int_equal(parse_seconds("0", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(parse_seconds("900", &s), 0);
	assert_int_equal(s, 900);
	assert_int_equal(parse_seconds("4294967295", &s), 0);
	assert_int_equal(s, UINT32_MAX);
	assert_int_equal(parse_seconds("4294967296", &s), -ERANGE);
	assert_int_equal(parse_seconds("-1", &s), -EINVAL);
	assert_int_equal(parse_seconds("10s", &s), -EINVAL);
	assert_int_equal(parse_seconds("1e3", &s), -EINVAL);
	assert_int_equal(parse_seconds("", &s), -EINVAL);
}

static void proto_knows_tcp_and_udp_only(void **state)
{
	uint8_t p = 0;

	(void)state;
	assert_int_equal(parse_proto("tcp", &p), 0);
	assert_int_equal(p, IPPROTO_TCP);
	assert_int_equal(parse_proto("udp", &p), 0);
	assert_int_equal(p, IPPROTO_UDP);
	assert_int_equal(parse_proto("TCP", &p), -EINVAL);
	assert_int_equal(parse_proto("sctp", &p), -EINVAL);
	assert_int_equal(parse_proto("6", &p), -EINVAL);
	assert_int_equal(parse_proto("", &p), -EINVAL);
}

static void state_words_map_to_enum(void **state)
{
	uint8_t s = 0xff;

	(void)state;
	assert_int_equal(parse_be_state("up", &s), 0);
	assert_int_equal(s, L4LB_BE_STATE_UP);
	assert_int_equal(parse_be_state("down", &s), 0);
	assert_int_equal(s, L4LB_BE_STATE_DOWN);
	assert_int_equal(parse_be_state("drain", &s), 0);
	assert_int_equal(s, L4LB_BE_STATE_DRAIN);
	assert_int_equal(parse_be_state("draining", &s), -EINVAL);
	assert_int_equal(parse_be_state("UP", &s), -EINVAL);
	assert_int_equal(parse_be_state("", &s), -EINVAL);
	assert_int_equal(parse_be_state("unknown", &s), -EINVAL);
}

static void client_addr_words_map_to_enum(void **state)
{
	uint8_t m = 0xff;

	(void)state;
	assert_int_equal(parse_client_addr("none", &m), 0);
	assert_int_equal(m, L4LB_CLIENT_ADDR_NONE);
	assert_int_equal(parse_client_addr("proxy-v2", &m), 0);
	assert_int_equal(m, L4LB_CLIENT_ADDR_PROXY_V2);
	assert_int_equal(parse_client_addr("proxy-v1", &m), 0);
	assert_int_equal(m, L4LB_CLIENT_ADDR_PROXY_V1);
	assert_int_equal(parse_client_addr("toa", &m), 0);
	assert_int_equal(m, L4LB_CLIENT_ADDR_TOA);
	m = 0xff;
	assert_int_equal(parse_client_addr("proxy", &m), -EINVAL);
	assert_int_equal(parse_client_addr("TOA", &m), -EINVAL);
	assert_int_equal(parse_client_addr("unknown", &m), -EINVAL);
	assert_int_equal(parse_client_addr("", &m), -EINVAL);
	assert_int_equal(parse_client_addr(NULL, &m), -EINVAL);
	assert_int_equal(m, 0xff);
	/* What is printed is read back. */
	for (m = 0; m <= L4LB_CLIENT_ADDR_MAX; m++) {
		uint8_t back = 0xff;

		assert_int_equal(parse_client_addr(client_addr_name(m), &back), 0);
		assert_int_equal(back, m);
	}
	assert_string_equal(client_addr_name(L4LB_CLIENT_ADDR_MAX + 1),
			    "unknown");
}

static void timeout_kinds_map_to_service_attributes(void **state)
{
	uint16_t a = 0;

	(void)state;
	assert_int_equal(parse_timeout_kind("tcp", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_TCP);
	assert_int_equal(parse_timeout_kind("tcpfin", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_TCP_FIN);
	assert_int_equal(parse_timeout_kind("tcpclose", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE);
	assert_int_equal(parse_timeout_kind("udp", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_UDP);
	assert_int_equal(parse_timeout_kind("udpunreplied", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED);
	assert_int_equal(parse_timeout_kind("syn", &a), 0);
	assert_int_equal(a, L4LB_SVC_ATTR_TIMEOUT_SYN);
	assert_int_equal(parse_timeout_kind("fin", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind("close", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind("unreplied", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind("tcp_close", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind("udpunreplied ", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind("", &a), -EINVAL);
	assert_int_equal(parse_timeout_kind(NULL, &a), -EINVAL);
}

static void sched_name_must_fit_and_be_a_word(void **state)
{
	char buf[L4LB_SCHED_NAME_MAX];

	(void)state;
	assert_int_equal(parse_sched("rr", buf), 0);
	assert_string_equal(buf, "rr");
	assert_int_equal(parse_sched("123456789012345", buf), 0);
	assert_string_equal(buf, "123456789012345");
	assert_int_equal(parse_sched("1234567890123456", buf), -ERANGE);
	assert_int_equal(parse_sched("", buf), -EINVAL);
	assert_int_equal(parse_sched("r r", buf), -EINVAL);
	assert_int_equal(parse_sched("rr\n", buf), -EINVAL);
}

/* Parse @s as a SNAT pool; expect @err, and on success the @n addresses. */
static void expect_pool(const char *s, int err, unsigned int n,
			const char *const *addrs)
{
	struct snat_pool p = { .n = 99, .addr = { { .af = 0xee } } };
	unsigned int i;

	assert_int_equal(parse_snat_pool(s, &p), err);
	if (err) {
		/* Failure leaves the output untouched. */
		assert_int_equal(p.n, 99);
		assert_int_equal(p.addr[0].af, 0xee);
		return;
	}
	assert_int_equal(p.n, n);
	for (i = 0; i < n; i++)
		assert_ipaddr_equal(p.addr[i], addrs[i]);
}

static void snat_pool_takes_auto_addresses_ranges_and_lists(void **state)
{
	static const char *const one[] = { "192.0.2.1" };
	static const char *const range[] = {
		"10.0.1.250", "10.0.1.251", "10.0.1.252", "10.0.1.253",
	};
	static const char *const cross[] = {
		"10.0.1.255", "10.0.2.0", "10.0.2.1", "192.0.2.9", "10.0.0.1",
	};

	(void)state;
	expect_pool("auto", 0, 0, NULL);
	expect_pool("192.0.2.1", 0, 1, one);
	expect_pool("192.0.2.1-192.0.2.1", 0, 1, one);
	expect_pool("10.0.1.250-10.0.1.253", 0, 4, range);
	/* Across a /24, then a list, in the order given. */
	expect_pool("10.0.1.255-10.0.2.1,192.0.2.9,10.0.0.1", 0, 5, cross);
	expect_pool("10.0.1.250,10.0.1.251-10.0.1.253", 0, 4, range);
}

static void snat_pool_refuses_too_many_reversed_repeats_and_junk(void **state)
{
	struct snat_pool p;

	(void)state;
	/* Exactly L4LB_SNAT_POOL_MAX, then one more. */
	assert_int_equal(parse_snat_pool("10.0.0.0-10.0.0.63", &p), 0);
	assert_int_equal(p.n, L4LB_SNAT_POOL_MAX);
	expect_pool("10.0.0.0-10.0.0.64", -E2BIG, 0, NULL);
	expect_pool("10.0.0.0-10.0.0.62,10.0.1.0,10.0.2.0", -E2BIG, 0, NULL);
	expect_pool("0.0.0.0-255.255.255.255", -E2BIG, 0, NULL);
	/* Reversed. */
	expect_pool("10.0.1.253-10.0.1.250", -ERANGE, 0, NULL);
	expect_pool("10.0.0.1,10.0.2.0-10.0.1.255", -ERANGE, 0, NULL);
	/* Repeats. */
	expect_pool("10.0.0.1,10.0.0.1", -EEXIST, 0, NULL);
	expect_pool("10.0.0.1-10.0.0.4,10.0.0.3", -EEXIST, 0, NULL);
	/* Junk. */
	expect_pool(NULL, -EINVAL, 0, NULL);
	expect_pool("", -EINVAL, 0, NULL);
	expect_pool("none", -EINVAL, 0, NULL);
	expect_pool("AUTO", -EINVAL, 0, NULL);
	expect_pool("auto,10.0.0.1", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1,", -EINVAL, 0, NULL);
	expect_pool(",10.0.0.1", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1,,10.0.0.2", -EINVAL, 0, NULL);
	expect_pool("-", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1-", -EINVAL, 0, NULL);
	expect_pool("-10.0.0.1", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1-10.0.0.2-10.0.0.3", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1-5", -EINVAL, 0, NULL);
	expect_pool("10.0.0.0/24", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1:80", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1 ", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1, 10.0.0.2", -EINVAL, 0, NULL);
	expect_pool("10.0.0.300", -EINVAL, 0, NULL);
	expect_pool("10.0.0.1-10.0.0.2 and a long tail of junk", -EINVAL, 0,
		    NULL);
}

static void snat_pool_takes_ipv6_addresses_and_ranges(void **state)
{
	static const char *const one[] = { "2001:db8::5" };
	static const char *const range[] = {
		"2001:db8::ff", "2001:db8::100", "2001:db8::101",
	};
	static const char *const list[] = {
		"2001:db8::9", "2001:db8::1", "2001:db8::2",
	};
	struct snat_pool p;

	(void)state;
	expect_pool("2001:db8::5", 0, 1, one);
	expect_pool("[2001:db8::5]", 0, 1, one);
	expect_pool("2001:db8::ff-2001:db8::101", 0, 3, range);
	expect_pool("2001:db8::9,2001:db8::1-2001:db8::2", 0, 3, list);
	/* Exactly L4LB_SNAT_POOL_MAX, then one more; a huge range. */
	assert_int_equal(parse_snat_pool("2001:db8::-2001:db8::3f", &p), 0);
	assert_int_equal(p.n, L4LB_SNAT_POOL_MAX);
	expect_pool("2001:db8::-2001:db8::40", -E2BIG, 0, NULL);
	expect_pool("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", -E2BIG, 0,
		    NULL);
	expect_pool("2001:db8::8-2001:db8::5", -ERANGE, 0, NULL);
	expect_pool("2001:db8::1,2001:db8::0:1", -EEXIST, 0, NULL);
	/* One family per pool. */
	expect_pool("2001:db8::1,10.0.0.1", -EAFNOSUPPORT, 0, NULL);
	expect_pool("10.0.0.1,2001:db8::1", -EAFNOSUPPORT, 0, NULL);
	expect_pool("10.0.0.1-2001:db8::1", -EAFNOSUPPORT, 0, NULL);
	expect_pool("fe80::1%eth0", -EADDRNOTAVAIL, 0, NULL);
	expect_pool("2001:db8::1-2001:db8::2-2001:db8::3", -EINVAL, 0, NULL);
	expect_pool("[2001:db8::1]:80", -EINVAL, 0, NULL);
	expect_pool("2001:db8::/64", -EINVAL, 0, NULL);
}

/* Parse @s as peers; expect @err, and on success the @n addresses. */
static void expect_peers(const char *s, int err, unsigned int n,
			 const char *const *addrs)
{
	struct peer_list p = { .n = 99, .addr = { 0xdeadbeef } };
	unsigned int i;

	assert_int_equal(parse_peers(s, &p), err);
	if (err) {
		/* Failure leaves the output untouched. */
		assert_int_equal(p.n, 99);
		assert_int_equal(p.addr[0], 0xdeadbeef);
		return;
	}
	assert_int_equal(p.n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(p.addr[i], inet_addr(addrs[i]));
}

static void peers_take_none_and_addresses(void **state)
{
	static const char *const two[] = { "10.0.0.12", "10.0.0.11" };
	static const char *const three[] = {
		"10.0.0.11", "10.0.0.12", "10.0.0.13",
	};
	struct peer_list p;

	(void)state;
	expect_peers("none", 0, 0, NULL);
	expect_peers("10.0.0.12,10.0.0.11", 0, 2, two);
	/* Ranges, as in a SNAT pool. */
	expect_peers("10.0.0.11-10.0.0.13", 0, 3, three);
	expect_peers("224.0.0.0-224.0.0.1", -EDOM, 0, NULL);
	/* Exactly L4LB_PEERS_MAX, then one more. */
	assert_int_equal(parse_peers("10.0.0.1-10.0.0.16", &p), 0);
	assert_int_equal(p.n, L4LB_PEERS_MAX);
	expect_peers("10.0.0.1-10.0.0.17", -E2BIG, 0, NULL);
	expect_peers("10.0.0.1-10.0.0.15,10.0.1.1,10.0.2.1", -E2BIG, 0, NULL);
	expect_peers("10.0.0.1,10.0.0.1", -EEXIST, 0, NULL);
	expect_peers("10.0.0.2-10.0.0.1", -ERANGE, 0, NULL);
	/* What the kernel refuses: 0.0.0.0, multicast. */
	expect_peers("0.0.0.0", -EDOM, 0, NULL);
	expect_peers("10.0.0.1,239.1.2.3", -EDOM, 0, NULL);
	expect_peers("224.0.0.1", -EDOM, 0, NULL);
	expect_peers("223.255.255.255,240.0.0.1", 0, 2,
		     (const char *const[]){ "223.255.255.255", "240.0.0.1" });
	/* Junk. */
	expect_peers(NULL, -EINVAL, 0, NULL);
	expect_peers("", -EINVAL, 0, NULL);
	expect_peers("auto", -EINVAL, 0, NULL);
	expect_peers("NONE", -EINVAL, 0, NULL);
	expect_peers("none,10.0.0.1", -EINVAL, 0, NULL);
	expect_peers("10.0.0.1,", -EINVAL, 0, NULL);
	expect_peers("10.0.0.1:80", -EINVAL, 0, NULL);
	expect_peers("10.0.0.256", -EINVAL, 0, NULL);
	/* The outer addresses of IPIP: IPv4 only. */
	expect_peers("2001:db8::1", -EAFNOSUPPORT, 0, NULL);
}

/*
 * Parse @s as a service selector and expect @err. On success compare with
 * @ip, @port (0: not given) and @proto (0: not given).
 */
static void expect_sel(const char *s, int err, const char *ip, uint16_t port,
		       uint8_t proto)
{
	struct svc_sel sel = {
		false, true, true, { .af = 0xeeee }, 0xbeef, 0xee
	};

	assert_int_equal(parse_svc_sel(s, &sel), err);
	if (err) {
		/* Failure leaves the output untouched. */
		assert_false(sel.set);
		assert_int_equal(sel.vip.af, 0xeeee);
		assert_int_equal(sel.port, 0xbeef);
		assert_int_equal(sel.proto, 0xee);
		return;
	}
	assert_true(sel.set);
	assert_ipaddr_equal(sel.vip, ip);
	assert_int_equal(sel.has_port, port != 0);
	if (port)
		assert_int_equal(sel.port, htons(port));
	assert_int_equal(sel.has_proto, proto != 0);
	if (proto)
		assert_int_equal(sel.proto, proto);
}

static void selector_accepts_each_form(void **state)
{
	(void)state;
	expect_sel("10.0.0.1:20000/udp", 0, "10.0.0.1", 20000, IPPROTO_UDP);
	expect_sel("10.0.0.1:20000/tcp", 0, "10.0.0.1", 20000, IPPROTO_TCP);
	expect_sel("10.0.0.1:20000", 0, "10.0.0.1", 20000, 0);
	expect_sel("10.0.0.1/udp", 0, "10.0.0.1", 0, IPPROTO_UDP);
	expect_sel("10.0.0.1", 0, "10.0.0.1", 0, 0);
	expect_sel("255.255.255.255:65535/tcp", 0, "255.255.255.255", 65535,
		   IPPROTO_TCP);
	expect_sel("0.0.0.0:1", 0, "0.0.0.0", 1, 0);
}

static void selector_rejects_bad_parts(void **state)
{
	(void)state;
	expect_sel(NULL, -EINVAL, NULL, 0, 0);
	expect_sel("", -EINVAL, NULL, 0, 0);
	/* Empty parts. */
	expect_sel("10.0.0.1:", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1/", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:/udp", -EINVAL, NULL, 0, 0);
	expect_sel(":20000/udp", -EINVAL, NULL, 0, 0);
	expect_sel("/udp", -EINVAL, NULL, 0, 0);
	expect_sel(":20000", -EINVAL, NULL, 0, 0);
	/* Bad address. */
	expect_sel("10.0.0.300:20000", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.1:20000", -EINVAL, NULL, 0, 0);
	expect_sel("vip:20000", -EINVAL, NULL, 0, 0);
	/* Bad port. */
	expect_sel("10.0.0.1:0", -ERANGE, NULL, 0, 0);
	expect_sel("10.0.0.1:65536/tcp", -ERANGE, NULL, 0, 0);
	expect_sel("10.0.0.1:-1", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:http", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000:1", -EINVAL, NULL, 0, 0);
	/* Bad protocol. */
	expect_sel("10.0.0.1:20000/sctp", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000/UDP", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000/udp/tcp", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1/udp:20000", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000/6", -EINVAL, NULL, 0, 0);
}

static void selector_rejects_junk_and_whitespace(void **state)
{
	(void)state;
	expect_sel(" 10.0.0.1", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1 ", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000 /udp", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1: 20000", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1/udp\n", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:+20000", -EINVAL, NULL, 0, 0);
	expect_sel("tcp", -EINVAL, NULL, 0, 0);
	expect_sel("10.0.0.1:20000/udp_and_a_long_tail_of_junk", -EINVAL,
		   NULL, 0, 0);
}

static void selector_takes_ipv6_bracketed_before_a_port(void **state)
{
	(void)state;
	expect_sel("[2001:db8::10]:443/tcp", 0, "2001:db8::10", 443,
		   IPPROTO_TCP);
	expect_sel("[2001:db8::10]:443", 0, "2001:db8::10", 443, 0);
	expect_sel("[2001:db8::10]/udp", 0, "2001:db8::10", 0, IPPROTO_UDP);
	expect_sel("[2001:db8::10]", 0, "2001:db8::10", 0, 0);
	expect_sel("2001:db8::10/tcp", 0, "2001:db8::10", 0, IPPROTO_TCP);
	expect_sel("2001:db8::10", 0, "2001:db8::10", 0, 0);
	/* Without brackets, a port is part of the address. */
	expect_sel("2001:db8::10:443", 0, "2001:db8::10:443", 0, 0);
	expect_sel("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535/udp",
		   0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
		   IPPROTO_UDP);
	expect_sel("[2001:db8::10]:0/tcp", -ERANGE, NULL, 0, 0);
	expect_sel("[2001:db8::10]:", -EINVAL, NULL, 0, 0);
	expect_sel("[2001:db8::10]443", -EINVAL, NULL, 0, 0);
	expect_sel("[2001:db8::10", -EINVAL, NULL, 0, 0);
	expect_sel("[10.0.0.1]:80", -EINVAL, NULL, 0, 0);
	expect_sel("[2001:db8::10]:443/sctp", -EINVAL, NULL, 0, 0);
	expect_sel("2001:db8:::10/tcp", -EINVAL, NULL, 0, 0);
	expect_sel("fe80::1%eth0/tcp", -EADDRNOTAVAIL, NULL, 0, 0);
	expect_sel("[fe80::1%eth0]:80", -EADDRNOTAVAIL, NULL, 0, 0);
}

/* What fmt.c prints, parse.c reads back: the same key. */
static void selector_and_endpoint_round_trip_through_text(void **state)
{
	static const char *const sels[] = {
		"10.0.0.1:80/tcp", "10.0.0.1/udp", "10.0.0.1",
		"[2001:db8::10]:443/tcp", "2001:db8::10/udp", "2001:db8::10",
		"[::ffff:10.0.0.1]:80",
	};
	static const char *const eps[] = {
		"10.0.0.2:80", "[2001:db8::2]:8080", "[::1]:1",
	};
	char buf[SVC_STRLEN];
	struct svc_sel sel;
	struct ipport ep;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		assert_int_equal(parse_svc_sel(sels[i], &sel), 0);
		assert_string_equal(fmt_svc(buf, &sel), sels[i]);
	}
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		assert_int_equal(parse_ipport(eps[i], &ep), 0);
		assert_string_equal(fmt_ipport(buf, &ep), eps[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipport_accepts_address_and_port_in_network_order),
		cmocka_unit_test(ipport_rejects_missing_or_empty_port),
		cmocka_unit_test(ipport_rejects_port_out_of_range),
		cmocka_unit_test(ipport_rejects_bad_octets),
		cmocka_unit_test(ipport_rejects_junk_and_whitespace),
		cmocka_unit_test(ipport_takes_ipv6_in_brackets),
		cmocka_unit_test(ipport_refuses_ipv6_without_brackets_or_port),
		cmocka_unit_test(ipport_refuses_a_zone_index),
		cmocka_unit_test(address_is_ipv4_or_ipv6),
		cmocka_unit_test(address_helpers_compare_count_and_make_sockaddrs),
		cmocka_unit_test(weight_accepts_0_to_65535),
		cmocka_unit_test(weight_rejects_overflow_sign_and_junk),
		cmocka_unit_test(port_rejects_zero_and_above_65535),
		cmocka_unit_test(seconds_accept_full_u32_and_reject_the_rest),
		cmocka_unit_test(proto_knows_tcp_and_udp_only),
		cmocka_unit_test(state_words_map_to_enum),
		cmocka_unit_test(client_addr_words_map_to_enum),
		cmocka_unit_test(timeout_kinds_map_to_service_attributes),
		cmocka_unit_test(sched_name_must_fit_and_be_a_word),
		cmocka_unit_test(snat_pool_takes_auto_addresses_ranges_and_lists),
		cmocka_unit_test(snat_pool_refuses_too_many_reversed_repeats_and_junk),
		cmocka_unit_test(snat_pool_takes_ipv6_addresses_and_ranges),
		cmocka_unit_test(peers_take_none_and_addresses),
		cmocka_unit_test(selector_accepts_each_form),
		cmocka_unit_test(selector_rejects_bad_parts),
		cmocka_unit_test(selector_rejects_junk_and_whitespace),
		cmocka_unit_test(selector_takes_ipv6_bracketed_before_a_port),
		cmocka_unit_test(selector_and_endpoint_round_trip_through_text),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
