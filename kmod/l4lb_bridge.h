/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: translated packets past br_netfilter, in the namespaces that have
 * a bridge (l4lb_bridge.c). Without br_netfilter in the kernel, nothing.
 */
#ifndef _L4LB_BRIDGE_H
#define _L4LB_BRIDGE_H

struct l4lb_net;

#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
int l4lb_bridge_init(void);
void l4lb_bridge_exit(void);
void l4lb_bridge_net_exit(struct l4lb_net *ln);
#else
static inline int l4lb_bridge_init(void) { return 0; }
static inline void l4lb_bridge_exit(void) {}
static inline void l4lb_bridge_net_exit(struct l4lb_net *ln) {}
#endif

#endif /* _L4LB_BRIDGE_H */
