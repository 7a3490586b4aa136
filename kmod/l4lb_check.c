// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the checks of every value users set, shared by the netlink
 * policies and the module parameters, so each limit and its message exist
 * once.
 */
#include <linux/in.h>
#include <net/ip.h>

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
 * Context: any.
 * Return: 0, or -EINVAL unless it is a unicast IPv4 address.
 */
int l4lb_check_backend_addr(__be32 addr, struct netlink_ext_ack *extack)
{
	if (!addr || ipv4_is_multicast(addr) || ipv4_is_lbcast(addr) ||
	    ipv4_is_zeronet(addr)) {
		NL_SET_ERR_MSG(extack, "backend must be a unicast IPv4 address");
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
