// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the checks of every value users set, shared by the netlink
 * policies and the module parameters, so each limit and its message exist
 * once.
 */
#include <linux/in.h>
#include <linux/stringify.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_check.h"

/**
 * l4lb_check_af() - is this an address family a service may have?
 * @af: the family, as L4LB_SVC_ATTR_AF carries it
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EAFNOSUPPORT unless AF_INET or AF_INET6.
 */
int l4lb_check_af(u16 af, struct netlink_ext_ack *extack)
{
	if (af != AF_INET && af != AF_INET6) {
		NL_SET_ERR_MSG(extack,
			       "address family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* What an IPv6 address is for, to say what is wrong with it. */
enum l4lb_addr6_use {
	L4LB_ADDR6_VIP,
	L4LB_ADDR6_BACKEND,
	L4LB_ADDR6_SNAT,
};

/*
 * The checks every IPv6 address of a service passes: unicast, not
 * v4-mapped (an IPv4 address is an AF_INET service's), and not link-local,
 * as one is ambiguous without a scope (an interface) and l4lb keeps none.
 * A backend cannot be ::1 either, as for IPv4's 127.0.0.0/8.
 */
static int l4lb_check_addr6(const struct in6_addr *a, enum l4lb_addr6_use use,
			    struct netlink_ext_ack *extack)
{
	if (ipv6_addr_any(a) || ipv6_addr_is_multicast(a)) {
		if (use == L4LB_ADDR6_VIP)
			NL_SET_ERR_MSG(extack,
				       "VIP must be a unicast IPv6 address");
		else if (use == L4LB_ADDR6_BACKEND)
			NL_SET_ERR_MSG(extack,
				       "backend must be a unicast IPv6 address");
		else
			NL_SET_ERR_MSG(extack,
				       "SNAT address must be a unicast IPv6 address");
		return -EINVAL;
	}
	if (ipv6_addr_v4mapped(a)) {
		if (use == L4LB_ADDR6_VIP)
			NL_SET_ERR_MSG(extack,
				       "VIP cannot be a v4-mapped address: use an AF_INET service");
		else if (use == L4LB_ADDR6_BACKEND)
			NL_SET_ERR_MSG(extack,
				       "backend cannot be a v4-mapped address: use an AF_INET service");
		else
			NL_SET_ERR_MSG(extack,
				       "SNAT address cannot be a v4-mapped address");
		return -EINVAL;
	}
	if (ipv6_addr_type(a) & IPV6_ADDR_LINKLOCAL) {
		NL_SET_ERR_MSG(extack,
			       "link-local address needs a scope; not supported");
		return -EINVAL;
	}
	if (use == L4LB_ADDR6_BACKEND && ipv6_addr_loopback(a)) {
		NL_SET_ERR_MSG(extack,
			       "backend cannot be a loopback address: use one of the host's own addresses");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_vip() - is this a VIP a service may have?
 * @af: the service's family, AF_INET or AF_INET6
 * @vip: network byte order (.ip for AF_INET)
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EINVAL unless it is a unicast address of @af; an IPv6
 * one cannot be link-local or v4-mapped either.
 */
int l4lb_check_vip(u8 af, const union nf_inet_addr *vip,
		   struct netlink_ext_ack *extack)
{
	if (af == AF_INET6)
		return l4lb_check_addr6(&vip->in6, L4LB_ADDR6_VIP, extack);
	if (!vip->ip || ipv4_is_multicast(vip->ip) || ipv4_is_lbcast(vip->ip)) {
		NL_SET_ERR_MSG(extack, "VIP must be a unicast IPv4 address");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_port() - is this a virtual port?
 * @port: network byte order
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EINVAL for port 0.
 */
int l4lb_check_port(__be16 port, struct netlink_ext_ack *extack)
{
	if (!port) {
		NL_SET_ERR_MSG(extack, "port must be 1-65535");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_proto() - is this a protocol a service may have?
 * @proto: IPPROTO_*
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EPROTONOSUPPORT unless TCP or UDP.
 */
int l4lb_check_proto(u8 proto, struct netlink_ext_ack *extack)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG(extack, "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/**
 * l4lb_check_timeout() - is this an idle timeout?
 * @secs: seconds
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -ERANGE unless 1-L4LB_TIMEOUT_MAX.
 */
int l4lb_check_timeout(u32 secs, struct netlink_ext_ack *extack)
{
	if (!secs || secs > L4LB_TIMEOUT_MAX) {
		NL_SET_ERR_MSG(extack, "timeouts must be 1-604800 seconds");
		return -ERANGE;
	}
	return 0;
}

/**
 * l4lb_check_persistence() - is this a persistence time?
 * @secs: seconds, 0 for none
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -ERANGE above L4LB_TIMEOUT_MAX.
 */
int l4lb_check_persistence(u32 secs, struct netlink_ext_ack *extack)
{
	if (secs > L4LB_TIMEOUT_MAX) {
		NL_SET_ERR_MSG(extack, "persistence must be 0-604800 seconds");
		return -ERANGE;
	}
	return 0;
}

/**
 * l4lb_check_backend_addr() - is this a backend address?
 * @af: the service's family, AF_INET or AF_INET6
 * @a: network byte order (.ip for AF_INET)
 * @extack: error reporting, may be NULL
 *
 * A loopback address (127.0.0.0/8, ::1) is refused: a packet from another
 * host cannot be routed to it (a martian destination). A server on the
 * balancer itself is reached on one of the host's own addresses. An IPv6
 * backend cannot be link-local (it would need a scope) or v4-mapped.
 *
 * Context: any.
 * Return: 0, or -EINVAL unless it is a unicast address of @af outside
 * those.
 */
int l4lb_check_backend_addr(u8 af, const union nf_inet_addr *a,
			    struct netlink_ext_ack *extack)
{
	__be32 addr = a->ip;

	if (af == AF_INET6)
		return l4lb_check_addr6(&a->in6, L4LB_ADDR6_BACKEND, extack);
	if (!addr || ipv4_is_multicast(addr) || ipv4_is_lbcast(addr) ||
	    ipv4_is_zeronet(addr)) {
		NL_SET_ERR_MSG(extack, "backend must be a unicast IPv4 address");
		return -EINVAL;
	}
	if (ipv4_is_loopback(addr)) {
		NL_SET_ERR_MSG(extack,
			       "backend cannot be a loopback address: use one of the host's own addresses");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_backend_port() - is this a backend port?
 * @port: network byte order
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EINVAL for port 0.
 */
int l4lb_check_backend_port(__be16 port, struct netlink_ext_ack *extack)
{
	if (!port) {
		NL_SET_ERR_MSG(extack, "backend port must be 1-65535");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_weight() - is this a backend weight?
 * @weight: the weight
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -ERANGE above L4LB_WEIGHT_MAX.
 */
int l4lb_check_weight(u32 weight, struct netlink_ext_ack *extack)
{
	if (weight > L4LB_WEIGHT_MAX) {
		NL_SET_ERR_MSG(extack, "weight must be 0-65535");
		return -ERANGE;
	}
	return 0;
}

/**
 * l4lb_check_state() - is this a backend state?
 * @state: enum l4lb_be_state
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EINVAL.
 */
int l4lb_check_state(u8 state, struct netlink_ext_ack *extack)
{
	if (state > L4LB_BE_STATE_MAX) {
		NL_SET_ERR_MSG(extack, "state must be up, down or drain");
		return -EINVAL;
	}
	return 0;
}

/**
 * l4lb_check_client_addr() - can a service pass client addresses this way?
 * @mode: enum l4lb_client_addr
 * @proto: the service's protocol, IPPROTO_TCP or IPPROTO_UDP
 * @af: the service's family, AF_INET or AF_INET6
 * @extack: error reporting, may be NULL
 *
 * PROXY protocol and TOA are TCP only: a UDP service has none. TOA, as
 * LVS defines it, carries an IPv4 address only: an IPv6 service passes
 * the client's address with the PROXY protocol.
 *
 * Context: any.
 * Return: 0, or -EINVAL.
 */
int l4lb_check_client_addr(u8 mode, u8 proto, u8 af,
			   struct netlink_ext_ack *extack)
{
	if (mode > L4LB_CLIENT_ADDR_MAX) {
		NL_SET_ERR_MSG(extack,
			       "client-addr must be none, proxy-v2, proxy-v1 or toa");
		return -EINVAL;
	}
	if (mode != L4LB_CLIENT_ADDR_NONE && proto != IPPROTO_TCP) {
		NL_SET_ERR_MSG(extack,
			       "client-addr other than none needs a TCP service");
		return -EINVAL;
	}
	if (mode == L4LB_CLIENT_ADDR_TOA && af == AF_INET6) {
		NL_SET_ERR_MSG(extack,
			       "toa has no IPv6 form; use proxy-v1 or proxy-v2");
		return -EINVAL;
	}
	return 0;
}

/* The message of an address that is not local. Kernels before 6.2 have no
 * formatted extack messages: the caller points at the attribute instead.
 */
static void l4lb_snat_not_local(u8 af, const union nf_inet_addr *addr,
				struct netlink_ext_ack *extack)
{
#ifdef NL_SET_ERR_MSG_FMT
	if (af == AF_INET6)
		NL_SET_ERR_MSG_FMT(extack, "SNAT address %pI6c is not local",
				   &addr->in6);
	else
		NL_SET_ERR_MSG_FMT(extack, "SNAT address %pI4 is not local",
				   &addr->ip);
#else
	NL_SET_ERR_MSG(extack, "SNAT address is not local");
#endif
}

/* Is @a an address of this host in @net? */
static bool l4lb_addr_local(struct net *net, u8 af,
			    const union nf_inet_addr *a)
{
	if (af == AF_INET6)
		return ipv6_chk_addr(net, &a->in6, NULL, 0);
	return inet_addr_type(net, a->ip) == RTN_LOCAL;
}

/**
 * l4lb_check_snat_pool() - may these addresses be a service's SNAT pool?
 * @net: the service's network namespace
 * @af: the service's family, AF_INET or AF_INET6
 * @addrs: the addresses, network byte order (.ip for AF_INET), in any
 *	order
 * @n: their number; 0 is the empty pool ("auto")
 * @bad: out on error, may be NULL: the index of the address refused
 *	(L4LB_SNAT_POOL_MAX for too many)
 * @extack: error reporting, may be NULL
 *
 * Each address must be local in @net when the pool is set (an IPv4 one's
 * inet_addr_type() is RTN_LOCAL; an IPv6 one is on an interface, past
 * duplicate address detection), so that the backends' replies come back
 * to the balancer. It is not checked again later: an address removed from
 * its interface afterwards stays in the pool. With @net NULL only the
 * count, the duplicates and the kind of each IPv6 address (unicast, not
 * link-local nor v4-mapped) are checked (a pool already set).
 *
 * Context: process.
 * Return: 0; -E2BIG above L4LB_SNAT_POOL_MAX addresses; -EINVAL if one is
 * given twice or is no IPv6 address a pool can hold; -EADDRNOTAVAIL if one
 * is not local.
 */
int l4lb_check_snat_pool(struct net *net, u8 af,
			 const union nf_inet_addr *addrs, unsigned int n,
			 unsigned int *bad, struct netlink_ext_ack *extack)
{
	int err;

	unsigned int i, j;

	if (n > L4LB_SNAT_POOL_MAX) {
		if (bad)
			*bad = L4LB_SNAT_POOL_MAX;
		NL_SET_ERR_MSG(extack, "SNAT pool has more than "
			       __stringify(L4LB_SNAT_POOL_MAX) " addresses");
		return -E2BIG;
	}
	for (i = 0; i < n; i++) {
		if (bad)
			*bad = i;
		for (j = 0; j < i; j++) {
			if (nf_inet_addr_cmp(&addrs[j], &addrs[i])) {
				NL_SET_ERR_MSG(extack,
					       "SNAT address given twice");
				return -EINVAL;
			}
		}
		if (af == AF_INET6) {
			err = l4lb_check_addr6(&addrs[i].in6, L4LB_ADDR6_SNAT,
					       extack);
			if (err)
				return err;
		}
		if (net && !l4lb_addr_local(net, af, &addrs[i])) {
			l4lb_snat_not_local(af, &addrs[i], extack);
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/**
 * l4lb_check_peers() - may these addresses be a service's peers?
 * @af: the service's family: peers are for AF_INET services only
 * @addrs: the addresses, IPv4, network byte order, in any order
 * @n: their number; 0 for none
 * @proto: the service's protocol: peers are for TCP services only
 * @bad: set to the index of the first bad address (@n past the last one
 *	kept for -E2BIG), may be NULL
 * @extack: error reporting, may be NULL
 *
 * A local address is allowed: the same list can go to every node, and a
 * node skips its own addresses when it sends.
 *
 * Context: any.
 * Return: 0, -EAFNOSUPPORT (any peer of an AF_INET6 service: the IPIP
 * chaining is IPv4's), -E2BIG (more than L4LB_PEERS_MAX), or -EINVAL
 * (0.0.0.0, a multicast, broadcast or loopback address, one given twice,
 * or a UDP service).
 */
int l4lb_check_peers(u8 af, const __be32 *addrs, unsigned int n, u8 proto,
		     unsigned int *bad, struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	if (n && af == AF_INET6) {
		if (bad)
			*bad = UINT_MAX;
		NL_SET_ERR_MSG(extack, "an IPv6 service cannot have peers yet");
		return -EAFNOSUPPORT;
	}

	if (n && proto == IPPROTO_UDP) {
		NL_SET_ERR_MSG(extack, "peers are for TCP services only");
		return -EINVAL;
	}
	if (n > L4LB_PEERS_MAX) {
		if (bad)
			*bad = L4LB_PEERS_MAX;
		NL_SET_ERR_MSG(extack, "more than "
			       __stringify(L4LB_PEERS_MAX) " peers");
		return -E2BIG;
	}
	for (i = 0; i < n; i++) {
		if (bad)
			*bad = i;
		if (ipv4_is_zeronet(addrs[i]) || ipv4_is_multicast(addrs[i]) ||
		    ipv4_is_lbcast(addrs[i]) || ipv4_is_loopback(addrs[i])) {
			NL_SET_ERR_MSG(extack,
				       "a peer must be a unicast address");
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (addrs[j] == addrs[i]) {
				NL_SET_ERR_MSG(extack, "peer given twice");
				return -EINVAL;
			}
		}
	}
	return 0;
}
