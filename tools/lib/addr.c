// SPDX-License-Identifier: GPL-2.0
/*
 * addr.c - addresses of either family. See addr.h.
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"

struct ipaddr ipaddr_v4(uint32_t v4)
{
	struct ipaddr a = { .af = AF_INET };

	a.v4 = v4;
	return a;
}

bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return ipaddr_cmp(a, b) == 0;
}

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	uint32_t x, y;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	if (a->af == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6));
	if (a->af != AF_INET)
		return 0;
	x = ntohl(a->v4);
	y = ntohl(b->v4);
	return (x > y) - (x < y);
}

void ipaddr_inc(struct ipaddr *a)
{
	int i;

	if (a->af == AF_INET) {
		a->v4 = htonl(ntohl(a->v4) + 1);
		return;
	}
	/* Big-endian: carry from the last byte up. */
	for (i = (int)sizeof(a->v6.s6_addr) - 1; i >= 0; i--)
		if (++a->v6.s6_addr[i])
			break;
}

bool ipport_eq(const struct ipport *a, const struct ipport *b)
{
	return a->port == b->port && ipaddr_eq(&a->addr, &b->addr);
}

socklen_t ipport_sockaddr(const struct ipport *ep,
			  struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->addr.af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = ep->addr.v4;
		sin->sin_port = ep->port;
		return sizeof(*sin);
	}
	if (ep->addr.af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = ep->addr.v6;
		sin6->sin6_port = ep->port;
		return sizeof(*sin6);
	}
	return 0;
}
