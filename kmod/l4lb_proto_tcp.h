/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the state of a NAT table row (l4lb_proto_tcp.c).
 */
#ifndef _L4LB_PROTO_TCP_H
#define _L4LB_PROTO_TCP_H

#include "l4lb_conn.h"

struct l4lb_l4;

u8 l4lb_tcp_next_state(u8 state, u8 *flags, enum l4lb_dir dir, u8 tcp_flags);
bool l4lb_tcp_reusable(const struct l4lb_conn *conn, enum l4lb_dir dir,
		       u8 tcp_flags);
void l4lb_tcp_init(struct l4lb_conn *conn, const struct l4lb_l4 *l4);
void l4lb_tcp_track(struct l4lb_conn *conn, enum l4lb_dir dir,
		    const struct l4lb_l4 *l4);
bool l4lb_conn_reclaimable(const struct l4lb_conn *conn);
bool l4lb_tcp_backend_holds(const struct l4lb_conn *conn, u32 *seq);
bool l4lb_tcp_rst_ok(const struct l4lb_conn *conn, enum l4lb_dir dir, u32 seq);
bool l4lb_conn_half_open_state(u8 state);
void l4lb_conn_advance(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
		       enum l4lb_dir dir, u8 tcp_flags,
		       const unsigned long *timeout);

#endif /* _L4LB_PROTO_TCP_H */
