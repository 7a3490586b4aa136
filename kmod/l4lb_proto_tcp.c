// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the state of a NAT table row, and the TCP state machine.
 */
#include <net/tcp.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_nat.h"
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
	if (tcp_flags & TCPHDR_FIN) {
		/* Who closed first decides whether the backend keeps the
		 * tuple in TIME_WAIT (l4lb_tcp_backend_holds()).
		 */
		if (dir == L4LB_DIR_REPLY && !(*flags & L4LB_CONN_F_FIN_ORIG))
			*flags |= L4LB_CONN_F_REPLY_FIRST;
		*flags |= dir == L4LB_DIR_ORIG ? L4LB_CONN_F_FIN_ORIG :
						 L4LB_CONN_F_FIN_REPLY;
	}

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
 * l4lb_conn_half_open_state() - is a row in this state half-open?
 * @state: enum l4lb_conn_state
 *
 * A TCP row until its handshake completes, a UDP row until the backend
 * answers: both are counted in the table's half-open rows (syn_max).
 *
 * Context: any.
 * Return: true for SYN_SENT, SYN_RECV and UDP_UNREPLIED.
 */
bool l4lb_conn_half_open_state(u8 state)
{
	return state == L4LB_CONN_SYN_SENT || state == L4LB_CONN_SYN_RECV ||
	       state == L4LB_CONN_UDP_UNREPLIED;
}

/* An unreplied UDP row is confirmed (UDP) by the client's first datagram
 * after a reply, not by the reply itself: a spoofed source never sees the
 * reply, so a flood from spoofed sources to answering backends leaves only
 * rows that expire after timeout_udp_unreplied and give their SNAT ports
 * up (l4lb_conn_reclaimable()). nf_conntrack likewise assures a UDP entry
 * only once the flow outlives its first exchange. @seen marks the reply.
 * Called under conn->lock.
 */
static u8 l4lb_udp_next_state(struct l4lb_conn *conn, enum l4lb_dir dir)
{
	if (dir == L4LB_DIR_REPLY) {
		WRITE_ONCE(conn->seen, conn->seen | BIT(L4LB_DIR_REPLY));
		return L4LB_CONN_UDP_UNREPLIED;
	}
	return conn->seen & BIT(L4LB_DIR_REPLY) ? L4LB_CONN_UDP :
						  L4LB_CONN_UDP_UNREPLIED;
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
 * TCP rows follow l4lb_tcp_next_state(); an unreplied UDP row becomes UDP
 * at the client's first datagram after a reply (l4lb_udp_next_state()).
 * Keeps the backend's active/inactive counts and the table's half-open
 * count in step with the state. A row
 * unlinked meanwhile (by another CPU that expired, flushed or replaced
 * it) is left as it is: its counts are already given back.
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
	else if (old == L4LB_CONN_UDP_UNREPLIED)
		state = l4lb_udp_next_state(conn, dir);
	if (state != old) {
		WRITE_ONCE(conn->state, state);
		l4lb_backend_conn_state(conn, state);
		if (!l4lb_conn_half_open_state(state))
			l4lb_conn_half_open_put(tab, conn);
	}
	WRITE_ONCE(conn->expires, jiffies + READ_ONCE(timeout[state]));
	spin_unlock(&conn->lock);
}

/* The largest window side @dir advertised, in bytes: scaled only when both
 * SYNs offered a scale (RFC 7323 2.2). At least 1.
 */
static u32 l4lb_tcp_win(const struct l4lb_conn *conn, enum l4lb_dir dir)
{
	u8 own = READ_ONCE(conn->wscale[dir]);
	u8 peer = READ_ONCE(conn->wscale[!dir]);
	u32 win = READ_ONCE(conn->win[dir]);

	if (own != L4LB_WSCALE_NONE && peer != L4LB_WSCALE_NONE)
		win <<= own;
	return max(win, 1U);
}

/**
 * l4lb_tcp_init() - the window tracking of a new row, from the client's SYN
 * @conn: the row, not yet hashed
 * @l4: the SYN, as l4lb_nat_parse() read it
 *
 * Context: any; the row is the caller's alone.
 */
void l4lb_tcp_init(struct l4lb_conn *conn, const struct l4lb_l4 *l4)
{
	conn->seq_end[L4LB_DIR_ORIG] = l4->end;
	conn->win[L4LB_DIR_ORIG] = l4->win;
	conn->wscale[L4LB_DIR_ORIG] = l4->wscale;
	conn->wscale[L4LB_DIR_REPLY] = L4LB_WSCALE_NONE;
	conn->seen = BIT(L4LB_DIR_ORIG);
}

/**
 * l4lb_tcp_track() - follow one side's sequence numbers and window
 * @conn: the row, found under RCU
 * @dir: the packet's side
 * @l4: the packet, as l4lb_nat_parse() read it
 *
 * The backend's SYN-ACK starts its side. After that a side's @seq_end is
 * written only when it has moved on by an eighth of the other side's
 * window, so most packets of a busy flow only read the row; the check of
 * l4lb_tcp_rst_ok() allows for that.
 *
 * Context: any, RCU read side; lockless (WRITE_ONCE()).
 */
void l4lb_tcp_track(struct l4lb_conn *conn, enum l4lb_dir dir,
		    const struct l4lb_l4 *l4)
{
	u8 seen = READ_ONCE(conn->seen);
	u32 end;

	if (!(seen & BIT(dir))) {
		if (!(l4->tcp_flags & TCPHDR_SYN))
			return;
		WRITE_ONCE(conn->wscale[dir], l4->wscale);
		WRITE_ONCE(conn->seq_end[dir], l4->end);
		WRITE_ONCE(conn->win[dir], l4->win);
		WRITE_ONCE(conn->seen, seen | BIT(dir));
		return;
	}
	if (l4->win > READ_ONCE(conn->win[dir]))
		WRITE_ONCE(conn->win[dir], l4->win);
	end = READ_ONCE(conn->seq_end[dir]);
	/* A FIN's end is exact: it is where a RST must land to end the
	 * peer's TIME_WAIT (l4lb_tcp_backend_holds()).
	 */
	if (after(l4->end, end + l4lb_tcp_win(conn, !dir) / 8) ||
	    ((l4->tcp_flags & TCPHDR_FIN) && after(l4->end, end)))
		WRITE_ONCE(conn->seq_end[dir], l4->end);
}

/**
 * l4lb_tcp_rst_ok() - may a RST end the row?
 * @conn: the row
 * @dir: the RST's side
 * @seq: its sequence number, host byte order
 *
 * Only when its sequence number is within the receiver's window of where
 * the sender's sequence numbers are (RFC 5961 3.2; nf_conntrack's
 * tcp_in_window() is as loose): a RST with a guessed tuple but not a
 * guessed sequence number, from an off-path attacker, then ends nothing.
 * Until both sides have been seen there is nothing to check against.
 *
 * Context: any, RCU read side.
 * Return: true if the RST is in the window, or cannot be checked.
 */
bool l4lb_tcp_rst_ok(const struct l4lb_conn *conn, enum l4lb_dir dir, u32 seq)
{
	u32 win, end;

	if ((READ_ONCE(conn->seen) & (BIT(L4LB_DIR_ORIG) | BIT(L4LB_DIR_REPLY))) !=
	    (BIT(L4LB_DIR_ORIG) | BIT(L4LB_DIR_REPLY)))
		return true;
	win = l4lb_tcp_win(conn, !dir);
	end = READ_ONCE(conn->seq_end[dir]);
	/* seq within [end - win, end + win], modulo 2^32 */
	return seq - (end - win) <= 2 * (u64)win;
}

/**
 * l4lb_conn_reclaimable() - may a row give its SNAT port to a new connection?
 * @conn: the row, under RCU
 *
 * Asked when every SNAT port probed for a new connection is taken
 * (l4lb_conn_insert_range()); the new connection takes the port of the
 * first row, in the allocator's order, for which this holds:
 *  - an unconfirmed row (L4LB_CONN_F_HALF_OPEN): a TCP handshake the client
 *    has not completed, or an unconfirmed UDP flow. Spoofed floods make
 *    only such rows; nf_conntrack likewise evicts unassured entries first
 *    (early_drop). Since the allocator walks the ports in order, the row
 *    evicted is the oldest, so under a flood an unconfirmed row lives as
 *    long as the flood takes to come round the ports: the half-open
 *    timeout adapts to the pressure.
 *  - a closed TCP row (TIME_WAIT, CLOSE): the connection is over and its
 *    linger only translates stray segments. A backend that closed first
 *    still holds the tuple in TIME_WAIT; the caller resets it first
 *    (l4lb_tcp_backend_holds()).
 * Persistence templates and rows being unlinked never are.
 *
 * Context: any; reads the row locklessly or under conn->lock.
 * Return: true if the row may be reclaimed.
 */
bool l4lb_conn_reclaimable(const struct l4lb_conn *conn)
{
	u8 flags = READ_ONCE(conn->flags);
	u8 state = READ_ONCE(conn->state);

	if (flags & (L4LB_CONN_F_TEMPLATE | L4LB_CONN_F_DEAD))
		return false;
	if (flags & L4LB_CONN_F_HALF_OPEN)
		return true;
	return state == L4LB_CONN_TIME_WAIT || state == L4LB_CONN_CLOSE;
}

/**
 * l4lb_tcp_backend_holds() - does the backend keep a socket on a reclaimed
 *	row's reply tuple?
 * @conn: the row, unlinked by l4lb_conn_unlink_if(), under RCU
 * @seq: out: the sequence number, host byte order, at which a RST from the
 *	row's SNAT address ends that socket
 *
 * Two cases: the backend answered a SYN whose handshake never completed
 * (SYN_RECV: its request socket), or the backend sent the first FIN and so
 * holds TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN on Linux). A new SYN on the
 * same tuple would meet that socket and be answered with a stale ACK,
 * which costs the new client a RST and a 1 s SYN retransmission. A RST at
 * the client's next sequence number ends a request socket
 * (tcp_check_req()) and a TIME_WAIT socket (tcp_timewait_state_process(),
 * unless the backend sets net.ipv4.tcp_rfc1337, RFC 1337), so the port can
 * be used again at once. A backend whose client closed first holds
 * nothing (RFC 9293 3.6: TIME_WAIT is the first closer's).
 *
 * Context: any.
 * Return: true if a RST should be sent to the backend first.
 */
bool l4lb_tcp_backend_holds(const struct l4lb_conn *conn, u32 *seq)
{
	u8 flags = READ_ONCE(conn->flags);
	u8 state = READ_ONCE(conn->state);

	if (conn->th[L4LB_DIR_ORIG].tuple.proto != IPPROTO_TCP ||
	    !(READ_ONCE(conn->seen) & BIT(L4LB_DIR_ORIG)))
		return false;
	*seq = READ_ONCE(conn->seq_end[L4LB_DIR_ORIG]);
	return state == L4LB_CONN_SYN_RECV ||
	       (state == L4LB_CONN_TIME_WAIT &&
		(flags & L4LB_CONN_F_REPLY_FIRST));
}
