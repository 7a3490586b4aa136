/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the packet path (netfilter hooks).
 */
#ifndef _L4LB_CORE_H
#define _L4LB_CORE_H

struct l4lb_conn;
struct l4lb_net;

int l4lb_hooks_register(struct l4lb_net *ln, int af);
void l4lb_hooks_unregister(struct l4lb_net *ln);
void l4lb_conn_expired_cb(void *owner, struct l4lb_conn *conn);

#endif /* _L4LB_CORE_H */
