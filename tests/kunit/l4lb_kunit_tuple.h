/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb KUnit suites: the reference connection of the packet suites (NAT
 * rewrite, client addresses, the client address path), from the
 * documentation ranges of RFC 5737, and its IPv6 twin from that of RFC
 * 3849 (2001:db8::/32). Addresses and ports in network byte order.
 */
#ifndef _L4LB_KUNIT_TUPLE_H
#define _L4LB_KUNIT_TUPLE_H

#include <linux/in.h>
#include <linux/in6.h>

#define IP4(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define CLIENT		IP4(198, 51, 100, 10)
#define CPORT		htons(40000)
#define VIP		IP4(192, 0, 2, 1)
#define VPORT		htons(80)
#define SNAT		IP4(192, 0, 2, 2)
#define SPORT		htons(50001)
#define BACKEND		IP4(203, 0, 113, 5)
#define BPORT		htons(8080)

/* An IPv6 address from its four 32-bit words, most significant first. */
#define IP6(a, b, c, d)	((struct in6_addr){ .s6_addr32 = {		\
				htonl(a), htonl(b), htonl(c), htonl(d) } })
#define CLIENT6		IP6(0x20010db8, 0x51000000, 0, 0x10)
#define VIP6		IP6(0x20010db8, 0, 0, 0x1)
#define SNAT6		IP6(0x20010db8, 0, 0, 0x2)
#define BACKEND6	IP6(0x20010db8, 0x01130000, 0, 0x5)

#endif /* _L4LB_KUNIT_TUPLE_H */
