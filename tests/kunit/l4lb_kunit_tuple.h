/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb KUnit suites: the reference connection of the packet suites (NAT
 * rewrite, client addresses, the client address path), from the
 * documentation ranges of RFC 5737. Addresses and ports in network byte
 * order.
 */
#ifndef _L4LB_KUNIT_TUPLE_H
#define _L4LB_KUNIT_TUPLE_H

#include <linux/in.h>

#define IP4(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define CLIENT		IP4(198, 51, 100, 10)
#define CPORT		htons(40000)
#define VIP		IP4(192, 0, 2, 1)
#define VPORT		htons(80)
#define SNAT		IP4(192, 0, 2, 2)
#define SPORT		htons(50001)
#define BACKEND		IP4(203, 0, 113, 5)
#define BPORT		htons(8080)

#endif /* _L4LB_KUNIT_TUPLE_H */
