/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addr_util.h - expected addresses for the unit tests, made with
 * inet_pton() rather than with the parsers under test.
 */
#ifndef L4LB_TESTS_ADDR_UTIL_H
#define L4LB_TESTS_ADDR_UTIL_H

#include <arpa/inet.h>
#include <string.h>

#include "addr.h"

/* @ip, IPv4 or IPv6 text, as a struct ipaddr; af 0 if it is neither. */
static inline struct ipaddr addr_of(const char *ip)
{
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, ip, &a.v4) == 1)
		a.af = AF_INET;
	else if (inet_pton(AF_INET6, ip, &a.v6) == 1)
		a.af = AF_INET6;
	return a;
}

/* @ip and @port (host order) as a struct ipport. */
static inline struct ipport ipport_of(const char *ip, uint16_t port)
{
	struct ipport e;

	memset(&e, 0, sizeof(e));
	e.addr = addr_of(ip);
	e.port = htons(port);
	return e;
}

/* cmocka: the struct ipaddr @a is the address @ip, of its family. */
#define assert_ipaddr_equal(a, ip)					\
	do {								\
		struct ipaddr want_ = addr_of(ip);			\
									\
		assert_int_not_equal(want_.af, 0);			\
		assert_int_equal((a).af, want_.af);			\
		assert_true(ipaddr_eq(&(a), &want_));			\
	} while (0)

#endif /* L4LB_TESTS_ADDR_UTIL_H */
