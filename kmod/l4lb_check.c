// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the checks of every value users set, shared by the netlink
 * policies and the module parameters, so each limit and its message exist
 * once.
 */
#include <linux/in.h>
#include <linux/stringify.h>
#include <net/ip.h>
#include <net/route.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_check.h"

/**
 * l4lb_check_vip() - is this a VIP a service may have?
 * @vip: network byte order
 * @extack: error reporting, may be NULL
 *
 * Context: any.
 * Return: 0, or -EINVAL unless it is a unicast IPv4 address.
 */
int l4lb_check_vip(__be32 vip, struct netlink_ext_ack *extack)
{
	if (!vip || ipv4_is_multicast(vip) || ipv4_is_lbcast(vip)) {
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
 * @addr: network byte order
 * @extack: error reporting, may be NULL
 *
 * A loopback address (127.0.0.0/8) is refused: a packet from another host
 * cannot be routed to it (a martian destination). A server on the
 * balancer itself is reached on one of the host's own addresses.
 *
 * Context: any.
 * Return: 0, or -EINVAL unless it is a unicast IPv4 address outside
 * 127.0.0.0/8.
 */
int l4lb_check_backend_addr(__be32 addr, struct netlink_ext_ack *extack)
{
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
 * @extack: error reporting, may be NULL
 *
 * PROXY protocol and TOA are TCP only: a UDP service has none.
 *
 * Context: any.
 * Return: 0, or -EINVAL.
 */
int l4lb_check_client_addr(u8 mode, u8 proto, struct netlink_ext_ack *extack)
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
	return 0;
}

/* The message of an address that is not local. Kernels before 6.2 have no
 * formatted extack messages: the caller points at the attribute instead.
 */
static void l4lb_snat_not_local(__be32 addr, struct netlink_ext_ack *extack)
{
#ifdef NL_SET_ERR_MSG_FMT
	NL_SET_ERR_MSG_FMT(extack, "SNAT address %pI4 is not local", &addr);
#else
	NL_SET_ERR_MSG(extack, "SNAT address is not local");
#endif
}

/**
 * l4lb_check_snat_pool() - may these addresses be a service's SNAT pool?
 * @net: the service's network namespace
 * @addrs: the addresses, network byte order, in any order
 * @n: their number; 0 is the empty pool ("auto")
 * @bad: out on error, may be NULL: the index of the address refused
 *	(L4LB_SNAT_POOL_MAX for too many)
 * @extack: error reporting, may be NULL
 *
 * Each address must be local in @net when the pool is set (its
 * inet_addr_type() is RTN_LOCAL), so that the backends' replies come back
 * to the balancer. It is not checked again later: an address removed from
 * its interface afterwards stays in the pool. With @net NULL only the
 * count and the duplicates are checked (a pool already set).
 *
 * Context: process.
 * Return: 0; -E2BIG above L4LB_SNAT_POOL_MAX addresses; -EINVAL if one is
 * given twice; -EADDRNOTAVAIL if one is not local.
 */
int l4lb_check_snat_pool(struct net *net, const union nf_inet_addr *addrs,
			 unsigned int n, unsigned int *bad,
			 struct netlink_ext_ack *extack)
{
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
		if (net && inet_addr_type(net, addrs[i].ip) != RTN_LOCAL) {
			l4lb_snat_not_local(addrs[i].ip, extack);
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/**
 * l4lb_check_peers() - may these addresses be a service's peers?
 * @addrs: the addresses, network byte order, in any order
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
 * Return: 0, -E2BIG (more than L4LB_PEERS_MAX), or -EINVAL (0.0.0.0, a
 * multicast, broadcast or loopback address, one given twice, or a UDP
 * service).
 */
int l4lb_check_peers(const __be32 *addrs, unsigned int n, u8 proto,
		     unsigned int *bad, struct netlink_ext_ack *extack)
{
	unsigned int i, j;

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
