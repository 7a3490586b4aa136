/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the checks of every value users set (l4lb_check.c). Each returns 0
 * or a negative errno, with a message in @extack (which may be NULL).
 */
#ifndef _L4LB_CHECK_H
#define _L4LB_CHECK_H

#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/types.h>

struct net;

/* Longest idle timeout or persistence time, seconds (a week). */
#define L4LB_TIMEOUT_MAX	(7 * 24 * 3600)

int l4lb_check_af(u16 af, struct netlink_ext_ack *extack);
int l4lb_check_vip(u8 af, const union nf_inet_addr *vip,
		   struct netlink_ext_ack *extack);
int l4lb_check_port(__be16 port, struct netlink_ext_ack *extack);
int l4lb_check_proto(u8 proto, struct netlink_ext_ack *extack);
int l4lb_check_timeout(u32 secs, struct netlink_ext_ack *extack);
int l4lb_check_persistence(u32 secs, struct netlink_ext_ack *extack);
int l4lb_check_backend_addr(u8 af, const union nf_inet_addr *a,
			    struct netlink_ext_ack *extack);
int l4lb_check_backend_port(__be16 port, struct netlink_ext_ack *extack);
int l4lb_check_weight(u32 weight, struct netlink_ext_ack *extack);
int l4lb_check_state(u8 state, struct netlink_ext_ack *extack);
int l4lb_check_client_addr(u8 mode, u8 proto, u8 af,
			   struct netlink_ext_ack *extack);
int l4lb_check_snat_pool(struct net *net, u8 af,
			 const union nf_inet_addr *addrs, unsigned int n,
			 unsigned int *bad, struct netlink_ext_ack *extack);
int l4lb_check_peers(u8 af, const __be32 *addrs, unsigned int n, u8 proto,
		     unsigned int *bad, struct netlink_ext_ack *extack);

#endif /* _L4LB_CHECK_H */
