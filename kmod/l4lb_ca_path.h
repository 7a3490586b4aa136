/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the client's address for backends in the packet path
 * (l4lb_ca_path.c; the packet work itself is in l4lb_clientaddr.c).
 */
#ifndef _L4LB_CA_PATH_H
#define _L4LB_CA_PATH_H

#include <linux/skbuff.h>
#include <linux/types.h>

#include "l4lb_conn.h"

struct l4lb_l4;
struct l4lb_net;

void l4lb_ca_conn_init(struct l4lb_conn *conn, const struct l4lb_l4 *l4,
		       u8 mode);
int __l4lb_ca_xmit(struct l4lb_net *ln, struct l4lb_conn *conn,
		   enum l4lb_dir dir, struct sk_buff *skb, struct l4lb_l4 *l4);
int l4lb_ca_icmp(struct l4lb_conn *conn, struct sk_buff *skb);
u32 l4lb_ca_backend_seq(struct l4lb_conn *conn, u32 seq);

/**
 * l4lb_ca_xmit() - pass the client's address on in a translated segment
 * @ln: the namespace state, for the counters and to send in
 * @conn: the segment's row
 * @dir: the segment's direction
 * @skb: the segment, addresses and ports rewritten (l4lb_nat_rewrite()),
 *	routed
 * @l4: what l4lb_nat_parse() read in it before the rewrite; updated if
 *	the segment's data changes (l4lb_tcp_syn_trim())
 *
 * Nothing to do, and nothing read but @conn's flags, for a row without
 * client address state; see __l4lb_ca_xmit() for the others.
 *
 * Context: the packet path: RCU read side, BHs disabled.
 * Return: 0, or a negative errno: the caller drops the segment.
 */
static inline int l4lb_ca_xmit(struct l4lb_net *ln, struct l4lb_conn *conn,
			       enum l4lb_dir dir, struct sk_buff *skb,
			       struct l4lb_l4 *l4)
{
	if (likely(!(READ_ONCE(conn->flags) & L4LB_CONN_F_CA)))
		return 0;
	return __l4lb_ca_xmit(ln, conn, dir, skb, l4);
}

#endif /* _L4LB_CA_PATH_H */
