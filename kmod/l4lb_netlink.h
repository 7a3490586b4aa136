/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the generic netlink control plane (family "l4lb", see
 * include/uapi/l4lb.h).
 */
#ifndef _L4LB_NETLINK_H
#define _L4LB_NETLINK_H

int l4lb_netlink_init(void);
void l4lb_netlink_exit(void);

#endif /* _L4LB_NETLINK_H */
