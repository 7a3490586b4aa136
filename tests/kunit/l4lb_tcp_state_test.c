// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the TCP state machine of a NAT row,
 * l4lb_tcp_next_state() (kmod/l4lb_proto_tcp.c).
 */
#include <kunit/test.h>
#include <net/tcp.h>

#include "l4lb_conn.h"
#include "l4lb_proto_tcp.h"
#include "../include/uapi/l4lb.h"

#define ORIG	L4LB_DIR_ORIG
#define REPLY	L4LB_DIR_REPLY
#define SYN	TCPHDR_SYN
#define ACK	TCPHDR_ACK
#define FIN	TCPHDR_FIN
#define RST	TCPHDR_RST
#define PSH	TCPHDR_PSH

static const char *const state_name[] = L4LB_CONN_STATE_NAMES;

static const char *sname(u8 state)
{
	return state < ARRAY_SIZE(state_name) && state_name[state] ?
	       state_name[state] : "?";
}

/* A row: its state and FIN flags, driven packet by packet. */
struct row {
	u8 state;
	u8 flags;
};

static void step(struct kunit *test, struct row *r, enum l4lb_dir dir,
		 u8 tcp_flags, u8 want)
{
	u8 old = r->state;

	r->state = l4lb_tcp_next_state(r->state, &r->flags, dir, tcp_flags);
	KUNIT_EXPECT_EQ_MSG(test, r->state, want,
			    "%s + %s packet flags 0x%02x: got %s, want %s",
			    sname(old), dir == ORIG ? "client" : "backend",
			    tcp_flags, sname(r->state), sname(want));
}

/* A row starts in SYN_SENT when the client's SYN creates it. */
static struct row new_row(void)
{
	return (struct row){ .state = L4LB_CONN_SYN_SENT };
}

static struct row established(struct kunit *test)
{
	struct row r = new_row();

	step(test, &r, REPLY, SYN | ACK, L4LB_CONN_SYN_RECV);
	step(test, &r, ORIG, ACK, L4LB_CONN_ESTABLISHED);
	return r;
}

static void handshake_syn_synack_ack_establishes(struct kunit *test)
{
	struct row r = new_row();

	step(test, &r, ORIG, SYN, L4LB_CONN_SYN_SENT);	/* retransmitted SYN */
	step(test, &r, REPLY, SYN | ACK, L4LB_CONN_SYN_RECV);
	step(test, &r, REPLY, SYN | ACK, L4LB_CONN_SYN_RECV); /* retransmit */
	step(test, &r, ORIG, ACK, L4LB_CONN_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, r.flags, 0);
	/* Data both ways keeps it there. */
	step(test, &r, ORIG, ACK | PSH, L4LB_CONN_ESTABLISHED);
	step(test, &r, REPLY, ACK | PSH, L4LB_CONN_ESTABLISHED);
	step(test, &r, REPLY, ACK, L4LB_CONN_ESTABLISHED);
}

static void handshake_out_of_order_packets_do_not_advance(struct kunit *test)
{
	struct row r = new_row();

	/* No SYN-ACK yet: the client's ACK, a bare backend ACK, or a
	 * SYN-ACK coming from the client side do not move the row.
	 */
	step(test, &r, ORIG, ACK, L4LB_CONN_SYN_SENT);
	step(test, &r, REPLY, ACK, L4LB_CONN_SYN_SENT);
	step(test, &r, ORIG, SYN | ACK, L4LB_CONN_SYN_SENT);
	step(test, &r, REPLY, SYN, L4LB_CONN_SYN_SENT);
	step(test, &r, REPLY, SYN | ACK, L4LB_CONN_SYN_RECV);
	/* Only the client's ACK completes the handshake. */
	step(test, &r, REPLY, ACK, L4LB_CONN_SYN_RECV);
	step(test, &r, ORIG, SYN | ACK, L4LB_CONN_SYN_RECV);
	step(test, &r, ORIG, SYN, L4LB_CONN_SYN_RECV);
	step(test, &r, ORIG, ACK, L4LB_CONN_ESTABLISHED);
}

static void client_fin_first_fin_wait_last_ack_time_wait(struct kunit *test)
{
	struct row r = established(test);

	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, r.flags, L4LB_CONN_F_FIN_ORIG);
	step(test, &r, REPLY, ACK, L4LB_CONN_FIN_WAIT);	/* acks the FIN */
	step(test, &r, REPLY, ACK | PSH, L4LB_CONN_FIN_WAIT); /* half-closed */
	step(test, &r, ORIG, ACK, L4LB_CONN_FIN_WAIT);
	step(test, &r, REPLY, FIN | ACK, L4LB_CONN_LAST_ACK);
	KUNIT_EXPECT_EQ(test, r.flags,
			L4LB_CONN_F_FIN_ORIG | L4LB_CONN_F_FIN_REPLY);
	step(test, &r, ORIG, ACK, L4LB_CONN_TIME_WAIT);	/* the final ACK */
}

static void backend_fin_first_close_wait_last_ack_time_wait(struct kunit *test)
{
	struct row r = established(test);

	step(test, &r, REPLY, FIN | ACK, L4LB_CONN_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, r.flags, L4LB_CONN_F_FIN_REPLY);
	step(test, &r, ORIG, ACK, L4LB_CONN_CLOSE_WAIT);
	step(test, &r, ORIG, ACK | PSH, L4LB_CONN_CLOSE_WAIT);
	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_LAST_ACK);
	step(test, &r, REPLY, ACK, L4LB_CONN_TIME_WAIT);	/* the final ACK */
}

static void fin_retransmitted_in_last_ack_waits_for_the_ack(struct kunit *test)
{
	struct row r = established(test);

	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_FIN_WAIT);
	step(test, &r, REPLY, FIN | ACK, L4LB_CONN_LAST_ACK);
	/* FINs again (retransmits) are not the final ACK. */
	step(test, &r, REPLY, FIN | ACK, L4LB_CONN_LAST_ACK);
	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_LAST_ACK);
	step(test, &r, ORIG, ACK, L4LB_CONN_TIME_WAIT);
}

static void fin_on_the_handshake_ack_goes_to_fin_wait(struct kunit *test)
{
	struct row r = new_row();

	step(test, &r, REPLY, SYN | ACK, L4LB_CONN_SYN_RECV);
	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, r.flags, L4LB_CONN_F_FIN_ORIG);
}

static void time_wait_stays_until_a_new_connection(struct kunit *test)
{
	static const u8 pkts[] = { ACK, FIN | ACK, ACK | PSH, SYN, SYN | ACK };
	struct row r = established(test);
	unsigned int i;

	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_FIN_WAIT);
	step(test, &r, REPLY, FIN | ACK, L4LB_CONN_LAST_ACK);
	step(test, &r, ORIG, ACK, L4LB_CONN_TIME_WAIT);
	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		step(test, &r, ORIG, pkts[i], L4LB_CONN_TIME_WAIT);
		step(test, &r, REPLY, pkts[i], L4LB_CONN_TIME_WAIT);
	}
}

static void rst_closes_from_any_state_either_way(struct kunit *test)
{
	static const u8 rsts[] = { RST, RST | ACK, RST | FIN, RST | SYN };
	u8 s, i, dir;

	for (s = L4LB_CONN_SYN_SENT; s <= L4LB_CONN_CLOSE; s++) {
		for (dir = ORIG; dir <= REPLY; dir++) {
			for (i = 0; i < ARRAY_SIZE(rsts); i++) {
				struct row r = { .state = s };

				step(test, &r, dir, rsts[i], L4LB_CONN_CLOSE);
			}
		}
	}
}

static void close_stays_closed(struct kunit *test)
{
	static const u8 pkts[] = { ACK, FIN | ACK, ACK | PSH, SYN | ACK };
	struct row r = established(test);
	unsigned int i;

	step(test, &r, REPLY, RST, L4LB_CONN_CLOSE);
	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		step(test, &r, ORIG, pkts[i], L4LB_CONN_CLOSE);
		step(test, &r, REPLY, pkts[i], L4LB_CONN_CLOSE);
	}
}

static struct kunit_case l4lb_tcp_state_cases[] = {
	KUNIT_CASE(handshake_syn_synack_ack_establishes),
	KUNIT_CASE(handshake_out_of_order_packets_do_not_advance),
	KUNIT_CASE(client_fin_first_fin_wait_last_ack_time_wait),
	KUNIT_CASE(backend_fin_first_close_wait_last_ack_time_wait),
	KUNIT_CASE(fin_retransmitted_in_last_ack_waits_for_the_ack),
	KUNIT_CASE(fin_on_the_handshake_ack_goes_to_fin_wait),
	KUNIT_CASE(time_wait_stays_until_a_new_connection),
	KUNIT_CASE(rst_closes_from_any_state_either_way),
	KUNIT_CASE(close_stays_closed),
	{}
};

static struct kunit_suite l4lb_tcp_state_suite = {
	.name = "l4lb_tcp_state",
	.test_cases = l4lb_tcp_state_cases,
};

kunit_test_suites(&l4lb_tcp_state_suite);
