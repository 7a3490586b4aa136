/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addr.h - an IPv4 or IPv6 address, and an address with a port, as the
 * tools hold them: in network byte order, as on the wire, with their
 * family beside them. Comparisons, and the socket address of an endpoint.
 */
#ifndef L4LBCTL_ADDR_H
#define L4LBCTL_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

/**
 * struct ipaddr - an IPv4 or IPv6 address
 * @af: AF_INET or AF_INET6; 0 for no address (a zeroed struct)
 * @v4: the IPv4 address, network byte order (AF_INET)
 * @v6: the IPv6 address (AF_INET6)
 *
 * Only the member of @af is meaningful; compare with ipaddr_eq().
 */
struct ipaddr {
	uint16_t af;
	union {
		uint32_t v4;
		struct in6_addr v6;
	};
};

/**
 * struct ipport - an endpoint: address and port
 * @addr: the address
 * @port: port, network byte order
 */
struct ipport {
	struct ipaddr addr;
	uint16_t port;
};

/**
 * ipaddr_v4() - an IPv4 address as a struct ipaddr
 * @v4: the address, network byte order
 *
 * Return: the address, of family AF_INET.
 */
struct ipaddr ipaddr_v4(uint32_t v4);

/**
 * ipaddr_eq() - are @a and @b the same address (and family)?
 * @a: an address
 * @b: another
 *
 * Two addresses of no family (af 0) are equal.
 *
 * Return: true if they are.
 */
bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b);

/**
 * ipaddr_cmp() - the order of two addresses, as qsort() wants it
 * @a: an address
 * @b: another
 *
 * Orders by family (no family, then AF_INET, then AF_INET6), then by the
 * address read as a big-endian number.
 *
 * Return: < 0, 0 or > 0.
 */
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);

/**
 * ipaddr_inc() - the next address: @a plus 1
 * @a: an AF_INET or AF_INET6 address; wraps around at the top
 */
void ipaddr_inc(struct ipaddr *a);

/**
 * ipport_eq() - are @a and @b the same address and port?
 * @a: an endpoint
 * @b: another
 *
 * Return: true if they are.
 */
bool ipport_eq(const struct ipport *a, const struct ipport *b);

/**
 * ipport_sockaddr() - the socket address of an endpoint, for connect()
 * and bind()
 * @ep: the endpoint, AF_INET or AF_INET6
 * @ss: receives a struct sockaddr_in or sockaddr_in6 (scope id 0)
 *
 * Return: the length of the socket address in @ss, or 0 if @ep has no
 * family.
 */
socklen_t ipport_sockaddr(const struct ipport *ep,
			  struct sockaddr_storage *ss);

#endif /* L4LBCTL_ADDR_H */
