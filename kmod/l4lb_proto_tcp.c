// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the state of a NAT table row, and the TCP state machine.
 */
#include <net/tcp.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_proto_tcp.h"

/**
 * l4lb_tcp_next_state() - TCP state of a row after a packet
 * @state: current enum l4lb_conn_state
 * @flags: L4LB_CONN_F_FIN_* seen so far (updated)
 * @dir: direction of the packet
 * @tcp_flags: the packet's TCP flags
 *
 * A simplified version of the state table of IPVS's ip_vs_proto_tcp.c,
 * driven by the flags seen in both directions.
 *
 * Context: any; the caller holds conn->lock.
 * Return: the new state.
 */
u8 l4lb_tcp_next_state(u8 state, u8 *flags, enum l4lb_dir dir, u8 tcp_flags)
{
	bool syn = tcp_flags & TCPHDR_SYN;
	bool ack = tcp_flags & TCPHDR_ACK;

	if (tcp_flags & TCPHDR_RST)
		return L4LB_CONN_CLOSE;
	if (tcp_flags & TCPHDR_FIN)
		*flags |= dir == L4LB_DIR_ORIG ? L4LB_CONN_F_FIN_ORIG :
						 L4LB_CONN_F_FIN_REPLY;

	switch (state) {
	case L4LB_CONN_SYN_SENT:
		if (dir == L4LB_DIR_REPLY && syn && ack)
			return L4LB_CONN_SYN_RECV;
		return state;
	case L4LB_CONN_SYN_RECV:
		if (dir == L4LB_DIR_ORIG && ack && !syn)
			state = L4LB_CONN_ESTABLISHED;
		else
			return state;
		fallthrough;
	case L4LB_CONN_ESTABLISHED:
	case L4LB_CONN_FIN_WAIT:
	case L4LB_CONN_CLOSE_WAIT:
		switch (*flags & (L4LB_CONN_F_FIN_ORIG | L4LB_CONN_F_FIN_REPLY)) {
		case L4LB_CONN_F_FIN_ORIG:
			return L4LB_CONN_FIN_WAIT;
		case L4LB_CONN_F_FIN_REPLY:
			return L4LB_CONN_CLOSE_WAIT;
		case L4LB_CONN_F_FIN_ORIG | L4LB_CONN_F_FIN_REPLY:
			return L4LB_CONN_LAST_ACK;
		}
		return state;
	case L4LB_CONN_LAST_ACK:
		/* Both FINs seen: the first ACK without FIN acknowledges the
		 * last one; the row lingers so stray ACKs still translate.
		 */
		if (ack && !(tcp_flags & TCPHDR_FIN))
			return L4LB_CONN_TIME_WAIT;
		return state;
	default:
		return state;
	}
}

/**
 * l4lb_tcp_reusable() - does a packet start a new connection on the tuple
 *	of a closed one?
 * @conn: the row the packet's tuple found
 * @dir: the packet's direction
 * @tcp_flags: its TCP flags
 *
 * A client SYN on a row that is closing or closed (LAST_ACK, TIME_WAIT,
 * CLOSE): the old connection is over, so the SYN is scheduled afresh
 * instead of being dropped (the cause of IPVS's well-known 1 s stall).
 *
 * Context: any; reads conn->state locklessly.
 * Return: true if the row should make way for a new one.
 */
bool l4lb_tcp_reusable(const struct l4lb_conn *conn, enum l4lb_dir dir,
		       u8 tcp_flags)
{
	u8 state = READ_ONCE(conn->state);

	return dir == L4LB_DIR_ORIG &&
	       (tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
	       TCPHDR_SYN &&
	       (state == L4LB_CONN_TIME_WAIT || state == L4LB_CONN_CLOSE ||
		state == L4LB_CONN_LAST_ACK);
}

/**
 * l4lb_conn_advance() - a row's state and idle timer after one of its
 *	packets
 * @tab: the table
 * @conn: the row, found under RCU
 * @dir: the packet's direction
 * @tcp_flags: its TCP flags (0 for UDP)
 * @timeout: the service's idle timeout of each state, jiffies
 *
 * Keeps the backend's active/inactive counts and the table's half-open
 * count in step with the state. A row unlinked meanwhile (by another CPU
 * that expired, flushed or replaced it) is left as it is: its counts are
 * already given back.
 *
 * Context: RCU read side, BHs disabled (the packet path); takes conn->lock.
 */
void l4lb_conn_advance(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
		       enum l4lb_dir dir, u8 tcp_flags,
		       const unsigned long *timeout)
{
	u8 old, state;

	spin_lock(&conn->lock);
	if (conn->flags & L4LB_CONN_F_DEAD) {	/* unlinked meanwhile */
		spin_unlock(&conn->lock);
		return;
	}
	old = conn->state;
	state = old;
	if (conn->th[L4LB_DIR_ORIG].tuple.proto == IPPROTO_TCP)
		state = l4lb_tcp_next_state(old, &conn->flags, dir, tcp_flags);
	if (state != old) {
		WRITE_ONCE(conn->state, state);
		l4lb_backend_conn_state(conn, state);
		if (state != L4LB_CONN_SYN_SENT && state != L4LB_CONN_SYN_RECV)
			l4lb_conn_half_open_put(tab, conn);
	}
	WRITE_ONCE(conn->expires, jiffies + READ_ONCE(timeout[state]));
	spin_unlock(&conn->lock);
}
