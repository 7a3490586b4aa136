// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the TCP state machine of a NAT row,
 * l4lb_tcp_next_state() (kmod/l4lb_proto_tcp.c), of which states are
 * half-open, and of which timeout each state has
 * (l4lb_service_cfg_timeout()).
 */
#include <kunit/test.h>
#include <net/tcp.h>

#include "l4lb_conn.h"
#include "l4lb_nat.h"
#include "l4lb_proto_tcp.h"
#include "l4lb_service.h"
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
	/* The backend closed first: it will hold TIME_WAIT. */
	KUNIT_EXPECT_EQ(test, r.flags,
			L4LB_CONN_F_FIN_REPLY | L4LB_CONN_F_REPLY_FIRST);
	step(test, &r, ORIG, ACK, L4LB_CONN_CLOSE_WAIT);
	step(test, &r, ORIG, ACK | PSH, L4LB_CONN_CLOSE_WAIT);
	step(test, &r, ORIG, FIN | ACK, L4LB_CONN_LAST_ACK);
	step(test, &r, REPLY, ACK, L4LB_CONN_TIME_WAIT);	/* the final ACK */
	KUNIT_EXPECT_TRUE(test, r.flags & L4LB_CONN_F_REPLY_FIRST);
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

/* --- the timeout of each state (l4lb_service_cfg_timeout()) -------------- */

/* Every state a row can be in, the timeout kind that covers it, and its
 * default in seconds.
 */
static const struct {
	u8 state;
	enum l4lb_timeout_kind kind;
	unsigned int def;
} state_timeouts[] = {
	{ L4LB_CONN_SYN_SENT, L4LB_TO_SYN, 60 },
	{ L4LB_CONN_SYN_RECV, L4LB_TO_SYN, 60 },
	{ L4LB_CONN_ESTABLISHED, L4LB_TO_TCP, 900 },
	{ L4LB_CONN_FIN_WAIT, L4LB_TO_TCP_FIN, 120 },
	{ L4LB_CONN_CLOSE_WAIT, L4LB_TO_TCP_FIN, 120 },
	{ L4LB_CONN_LAST_ACK, L4LB_TO_TCP_FIN, 120 },
	{ L4LB_CONN_TIME_WAIT, L4LB_TO_TCP_CLOSE, 3 },
	{ L4LB_CONN_CLOSE, L4LB_TO_TCP_CLOSE, 3 },
	{ L4LB_CONN_UDP, L4LB_TO_UDP, 300 },
	{ L4LB_CONN_PERSIST, L4LB_TO_PERSIST, 0 },
	{ L4LB_CONN_UDP_UNREPLIED, L4LB_TO_UDP_UNREPLIED, 30 },
};

static void timeouts_every_state_has_its_default(struct kunit *test)
{
	struct l4lb_service_cfg cfg;
	unsigned int i;

	/* The table above names every state but NONE. */
	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(state_timeouts),
			(size_t)L4LB_CONN_STATE_MAX);
	l4lb_service_cfg_default(&cfg);
	cfg.vip.ip = htonl(0xc0000201);	/* 192.0.2.1 */
	KUNIT_EXPECT_EQ(test, cfg.timeout[L4LB_CONN_NONE], 0U);
	for (i = 0; i < ARRAY_SIZE(state_timeouts); i++)
		KUNIT_EXPECT_EQ_MSG(test, cfg.timeout[state_timeouts[i].state],
				    state_timeouts[i].def, "%s",
				    sname(state_timeouts[i].state));
	KUNIT_EXPECT_EQ(test, l4lb_service_cfg_check(&cfg, NULL), 0);
}

/* Each kind sets its states and no other: the FIN timeout covers LAST_ACK,
 * whose last FIN may still be retransmitted, but not the closed states
 * (TIME_WAIT, CLOSE).
 */
static void timeouts_each_kind_sets_exactly_its_states(struct kunit *test)
{
	static const enum l4lb_timeout_kind kinds[] = {
		L4LB_TO_TCP, L4LB_TO_TCP_FIN, L4LB_TO_TCP_CLOSE, L4LB_TO_SYN,
		L4LB_TO_UDP, L4LB_TO_UDP_UNREPLIED, L4LB_TO_PERSIST,
	};
	unsigned int k, i, secs;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct l4lb_service_cfg cfg;

		l4lb_service_cfg_default(&cfg);
		secs = 1000 + k;
		l4lb_service_cfg_timeout(&cfg, kinds[k], secs);
		for (i = 0; i < ARRAY_SIZE(state_timeouts); i++) {
			u8 st = state_timeouts[i].state;
			unsigned int want = state_timeouts[i].kind == kinds[k] ?
					    secs : state_timeouts[i].def;

			KUNIT_EXPECT_EQ_MSG(test, cfg.timeout[st], want,
					    "kind %u, state %s", kinds[k],
					    sname(st));
		}
	}
}

/* The old rule "CLOSE lives min(10 s, tcp_fin)" is gone. */
static void timeouts_close_follows_tcp_close_only(struct kunit *test)
{
	struct l4lb_service_cfg cfg;

	l4lb_service_cfg_default(&cfg);
	l4lb_service_cfg_timeout(&cfg, L4LB_TO_TCP_FIN, 2);
	KUNIT_EXPECT_EQ(test, cfg.timeout[L4LB_CONN_CLOSE], 3U);
	l4lb_service_cfg_timeout(&cfg, L4LB_TO_TCP_CLOSE, 60);
	KUNIT_EXPECT_EQ(test, cfg.timeout[L4LB_CONN_CLOSE], 60U);
	KUNIT_EXPECT_EQ(test, cfg.timeout[L4LB_CONN_FIN_WAIT], 2U);
}

/* Every timeout is checked, the new ones too: 0 is refused. */
static void timeouts_zero_is_refused_for_every_kind(struct kunit *test)
{
	static const enum l4lb_timeout_kind kinds[] = {
		L4LB_TO_TCP, L4LB_TO_TCP_FIN, L4LB_TO_TCP_CLOSE, L4LB_TO_SYN,
		L4LB_TO_UDP, L4LB_TO_UDP_UNREPLIED,
	};
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct l4lb_service_cfg cfg;

		l4lb_service_cfg_default(&cfg);
		cfg.vip.ip = htonl(0xc0000201);	/* 192.0.2.1 */
		KUNIT_EXPECT_EQ(test, l4lb_service_cfg_check(&cfg, NULL), 0);
		l4lb_service_cfg_timeout(&cfg, kinds[k], 0);
		KUNIT_EXPECT_EQ_MSG(test, l4lb_service_cfg_check(&cfg, NULL),
				    -ERANGE, "kind %u", kinds[k]);
	}
}

/*
 * A service's settings are checked again at every change, with its pool
 * as it was set: an address that has since left its interface must not
 * make a timeout change fail. Only the count and the duplicates are
 * checked there; locality is checked where a pool is set.
 */
static void cfg_check_does_not_recheck_a_set_pool(struct kunit *test)
{
	struct l4lb_service_cfg cfg;

	l4lb_service_cfg_default(&cfg);
	cfg.vip.ip = htonl(0xc0000201);		/* 192.0.2.1 */
	cfg.snat[0].ip = htonl(0xc6336407);	/* 198.51.100.7, not local */
	cfg.snat[1].ip = htonl(0xc6336408);
	cfg.nsnat = 2;
	l4lb_service_cfg_timeout(&cfg, L4LB_TO_TCP, 800);
	KUNIT_EXPECT_EQ(test, l4lb_service_cfg_check(&cfg, NULL), 0);
	cfg.snat[1] = cfg.snat[0];
	KUNIT_EXPECT_EQ(test, l4lb_service_cfg_check(&cfg, NULL), -EINVAL);
}

static void half_open_states_are_the_unconfirmed_ones(struct kunit *test)
{
	u8 s;

	for (s = L4LB_CONN_NONE; s <= L4LB_CONN_STATE_MAX; s++)
		KUNIT_EXPECT_EQ_MSG(test, l4lb_conn_half_open_state(s),
				    s == L4LB_CONN_SYN_SENT ||
				    s == L4LB_CONN_SYN_RECV ||
				    s == L4LB_CONN_UDP_UNREPLIED,
				    "%s", sname(s));
}

/* --- the window a RST must hit (l4lb_tcp_rst_ok()) ------------------------ */

/* A TCP segment of @len payload bytes, as l4lb_nat_parse() reads it. */
static struct l4lb_l4 seg(u8 flags, u32 seq, u32 len, u16 win, u8 wscale)
{
	return (struct l4lb_l4) {
		.proto = IPPROTO_TCP,
		.tcp_flags = flags,
		.seq = seq,
		.end = seq + len + !!(flags & SYN) + !!(flags & FIN),
		.win = win,
		.wscale = wscale,
	};
}

/* A row whose client started at @isn with window 1000, and whose backend
 * answered from @bsn with window @bwin (both without window scaling).
 */
static void window_row(struct l4lb_conn *c, u32 isn, u32 bsn, u16 bwin)
{
	struct l4lb_l4 syn = seg(SYN, isn, 0, 1000, 0xff);
	struct l4lb_l4 synack = seg(SYN | ACK, bsn, 0, bwin, 0xff);

	memset(c, 0, sizeof(*c));
	l4lb_tcp_init(c, &syn);
	l4lb_tcp_track(c, REPLY, &synack);
}

static void rst_in_the_receivers_window_is_accepted(struct kunit *test)
{
	struct l4lb_conn c;

	window_row(&c, 1000, 90000, 2000);
	/* The client's next sequence number is 1001; the backend's window
	 * is 2000 bytes.
	 */
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001));
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001 + 2000));
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001 - 2000));
	/* The backend's: 90001, in the client's window of 1000. */
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, REPLY, 90001 + 999));
}

static void rst_outside_the_receivers_window_is_refused(struct kunit *test)
{
	struct l4lb_conn c;

	window_row(&c, 1000, 90000, 2000);
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001 + 2001));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001 + (1U << 30)));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, 1001 + 5000));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, REPLY, 90001 + 1001));
}

static void rst_before_the_backend_answered_cannot_be_checked(struct kunit *test)
{
	struct l4lb_l4 syn = seg(SYN, 1000, 0, 1000, 0xff);
	struct l4lb_conn c = {};

	l4lb_tcp_init(&c, &syn);
	/* The backend's RST for a closed port: seq 0, nothing to check. */
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, REPLY, 0));
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, 12345678));
}

/* The window follows the data, across the 2^32 wrap of sequence numbers. */
static void rst_window_follows_the_data_across_the_wrap(struct kunit *test)
{
	const u32 isn = 0xffff0000;
	struct l4lb_conn c;
	u32 seq = isn + 1, i;

	window_row(&c, isn, 5, 8000);
	for (i = 0; i < 100; i++) {	/* 100 x 1400 bytes: past 2^32 */
		struct l4lb_l4 data = seg(ACK, seq, 1400, 1000, 0xff);

		l4lb_tcp_track(&c, ORIG, &data);
		seq += 1400;
	}
	KUNIT_EXPECT_LT(test, seq, isn);	/* it wrapped */
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, seq));
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, seq + 7000));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, isn + 1));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, seq + 20000));
}

/* With window scaling on both SYNs, the receiver's window is scaled. */
static void rst_window_is_scaled_when_both_sides_scale(struct kunit *test)
{
	struct l4lb_l4 syn = seg(SYN, 100, 0, 64000, 7);
	struct l4lb_l4 synack = seg(SYN | ACK, 200, 0, 65535, 7);
	struct l4lb_l4 ack = seg(ACK, 101, 0, 500, 0xff);
	struct l4lb_conn c = {};

	l4lb_tcp_init(&c, &syn);
	l4lb_tcp_track(&c, REPLY, &synack);
	l4lb_tcp_track(&c, ORIG, &ack);
	/* 65535 << 7 is about 8 MB. */
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(&c, ORIG, 101 + 8000000));
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_rst_ok(&c, ORIG, 101 + (9U << 20)));
}

/* --- which reclaimed rows leave a socket on the backend ---------------- */

static void backend_holds_a_request_socket_in_syn_recv(struct kunit *test)
{
	struct l4lb_conn c;
	u32 seq = 0;

	window_row(&c, 1000, 90000, 2000);
	c.th[ORIG].tuple.proto = IPPROTO_TCP;
	c.state = L4LB_CONN_SYN_RECV;
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_backend_holds(&c, &seq));
	KUNIT_EXPECT_EQ(test, seq, 1001U);	/* the backend's rcv_nxt */
	c.state = L4LB_CONN_SYN_SENT;		/* never answered */
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_backend_holds(&c, &seq));
	c.th[ORIG].tuple.proto = IPPROTO_UDP;
	c.state = L4LB_CONN_SYN_RECV;
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_backend_holds(&c, &seq));
}

/* Each side sends @len bytes and a FIN; @backend_first says who closes
 * first. Returns the row, in TIME_WAIT.
 */
static void close_row(struct kunit *test, struct l4lb_conn *c,
		      bool backend_first)
{
	struct l4lb_l4 cfin = seg(FIN | ACK, 1001, 100, 1000, 0xff);
	struct l4lb_l4 bfin = seg(FIN | ACK, 90001, 5, 2000, 0xff);
	enum l4lb_dir first = backend_first ? REPLY : ORIG;
	struct row r = established(test);

	window_row(c, 1000, 90000, 2000);
	c->th[ORIG].tuple.proto = IPPROTO_TCP;
	r.state = l4lb_tcp_next_state(r.state, &r.flags, first, FIN | ACK);
	l4lb_tcp_track(c, first, first == ORIG ? &cfin : &bfin);
	r.state = l4lb_tcp_next_state(r.state, &r.flags, !first, FIN | ACK);
	l4lb_tcp_track(c, !first, first == ORIG ? &bfin : &cfin);
	step(test, &r, first, ACK, L4LB_CONN_TIME_WAIT);
	c->state = r.state;
	c->flags = r.flags;
}

static void backend_holds_time_wait_only_if_it_closed_first(struct kunit *test)
{
	struct l4lb_conn c;
	u32 seq = 0;

	close_row(test, &c, true);
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_backend_holds(&c, &seq));
	/* Exactly past the client's FIN: its TIME_WAIT's rcv_nxt, where a
	 * RST must land to end it (100 bytes, then the FIN: less than the
	 * eighth of a window after which a segment moves seq_end anyway).
	 */
	KUNIT_EXPECT_EQ(test, seq, 1001U + 100 + 1);
	KUNIT_EXPECT_TRUE(test, l4lb_conn_reclaimable(&c));

	close_row(test, &c, false);
	KUNIT_EXPECT_FALSE(test, l4lb_tcp_backend_holds(&c, &seq));
	KUNIT_EXPECT_TRUE(test, l4lb_conn_reclaimable(&c));
}

static void reclaimable_states(struct kunit *test)
{
	static const struct {
		u8 state;
		bool reclaimable;
	} t[] = {
		{ L4LB_CONN_ESTABLISHED, false },
		{ L4LB_CONN_FIN_WAIT, false },
		{ L4LB_CONN_CLOSE_WAIT, false },
		{ L4LB_CONN_LAST_ACK, false },	/* the backend awaits an ACK */
		{ L4LB_CONN_TIME_WAIT, true },
		{ L4LB_CONN_CLOSE, true },
		{ L4LB_CONN_UDP, false },
	};
	struct l4lb_conn c = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		c.state = t[i].state;
		c.flags = 0;
		KUNIT_EXPECT_EQ_MSG(test, l4lb_conn_reclaimable(&c),
				    t[i].reclaimable, "%s", sname(c.state));
		/* Unconfirmed: always; a template or a dead row: never. */
		c.flags = L4LB_CONN_F_HALF_OPEN;
		KUNIT_EXPECT_TRUE(test, l4lb_conn_reclaimable(&c));
		c.flags = L4LB_CONN_F_HALF_OPEN | L4LB_CONN_F_TEMPLATE;
		KUNIT_EXPECT_FALSE(test, l4lb_conn_reclaimable(&c));
		c.flags = L4LB_CONN_F_HALF_OPEN | L4LB_CONN_F_DEAD;
		KUNIT_EXPECT_FALSE(test, l4lb_conn_reclaimable(&c));
	}
}

static struct kunit_case l4lb_tcp_state_cases[] = {
	KUNIT_CASE(rst_in_the_receivers_window_is_accepted),
	KUNIT_CASE(rst_outside_the_receivers_window_is_refused),
	KUNIT_CASE(rst_before_the_backend_answered_cannot_be_checked),
	KUNIT_CASE(rst_window_follows_the_data_across_the_wrap),
	KUNIT_CASE(rst_window_is_scaled_when_both_sides_scale),
	KUNIT_CASE(handshake_syn_synack_ack_establishes),
	KUNIT_CASE(handshake_out_of_order_packets_do_not_advance),
	KUNIT_CASE(client_fin_first_fin_wait_last_ack_time_wait),
	KUNIT_CASE(backend_fin_first_close_wait_last_ack_time_wait),
	KUNIT_CASE(fin_retransmitted_in_last_ack_waits_for_the_ack),
	KUNIT_CASE(fin_on_the_handshake_ack_goes_to_fin_wait),
	KUNIT_CASE(time_wait_stays_until_a_new_connection),
	KUNIT_CASE(rst_closes_from_any_state_either_way),
	KUNIT_CASE(close_stays_closed),
	KUNIT_CASE(timeouts_every_state_has_its_default),
	KUNIT_CASE(timeouts_each_kind_sets_exactly_its_states),
	KUNIT_CASE(timeouts_close_follows_tcp_close_only),
	KUNIT_CASE(timeouts_zero_is_refused_for_every_kind),
	KUNIT_CASE(cfg_check_does_not_recheck_a_set_pool),
	KUNIT_CASE(half_open_states_are_the_unconfirmed_ones),
	KUNIT_CASE(backend_holds_a_request_socket_in_syn_recv),
	KUNIT_CASE(backend_holds_time_wait_only_if_it_closed_first),
	KUNIT_CASE(reclaimable_states),
	{}
};

static struct kunit_suite l4lb_tcp_state_suite = {
	.name = "l4lb_tcp_state",
	.test_cases = l4lb_tcp_state_cases,
};

kunit_test_suites(&l4lb_tcp_state_suite);
