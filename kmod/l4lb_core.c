// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the packet path.
 *
 * For each packet of a service's traffic:
 *
 *  1. look the tuple up in the NAT table (or schedule a new connection);
 *  2. route it towards the new destination (l4lb_route(), l4lb_xmit.c);
 *  3. rewrite destination and source, and let the kernel forward it (TTL,
 *     fragmentation, neighbour output) or deliver it locally.
 *
 * One table lookup and one route lookup per packet. The hooks run at
 * NF_IP_PRI_RAW + 50 in PRE_ROUTING (traffic from other hosts) and
 * LOCAL_OUT (the balancer's own processes, as clients or as backends):
 * after defragmentation and raw-table rules, before conntrack. A family's
 * hooks and defragmentation are registered in a namespace with its first
 * service of that family, as IPVS does. Translated packets are
 * marked untracked, so conntrack and NAT rules leave them alone; with
 * conntrack=1, replies are translated after conntrack instead
 * (NF_IP_PRI_CONNTRACK + 25), so that a stateful firewall sees both
 * directions of one tracked connection. In a namespace with a bridge, a
 * last PRE_ROUTING hook takes translated packets past br_netfilter
 * (l4lb_bridge.c).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "l4lb_addrs.h"
#include "l4lb_backend.h"
#include "l4lb_ca_path.h"
#include "l4lb_conn.h"
#include "l4lb_core.h"
#include "l4lb_event.h"
#include "l4lb_mem.h"
#include "l4lb_nat.h"
#include "l4lb_net.h"
#include "l4lb_peer.h"
#include "l4lb_persist.h"
#include "l4lb_proto_tcp.h"
#include "l4lb_reset.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"
#include "l4lb_snat.h"
#include "l4lb_xmit.h"

#define L4LB_HOOK_PRIORITY	(NF_IP_PRI_RAW + 50)
#define L4LB_HOOK_PRIORITY_CT	(NF_IP_PRI_CONNTRACK + 25)
#define L4LB_HOOK6_PRIORITY	(NF_IP6_PRI_RAW + 50)
#define L4LB_HOOK6_PRIORITY_CT	(NF_IP6_PRI_CONNTRACK + 25)

/**
 * struct l4lb_pkt - what the packet path knows of a packet
 * @t: its tuple; of an IPv6 packet, with the folds of its addresses
 * @a6: of an IPv6 packet (@t.v6), its source [0] and destination [1]
 * @l4: its transport header
 * @miss: where the lookup of @t looked, for the insert of a new row
 */
struct l4lb_pkt {
	struct l4lb_tuple t;
	struct in6_addr a6[2];
	struct l4lb_l4 l4;
	struct l4lb_conn_miss miss;
};

/* The IPv6 addresses of @p, or NULL for an IPv4 packet. */
static const struct in6_addr *l4lb_pkt_a6(const struct l4lb_pkt *p)
{
	return p->t.v6 ? p->a6 : NULL;
}

/* The IPv6 addresses of a row's tuple @dir ([0] source, [1] destination). */
static const struct in6_addr *l4lb_conn6_addr(const struct l4lb_conn *conn,
					      enum l4lb_dir dir)
{
	return container_of(conn, struct l4lb_conn6, conn)->addr[dir];
}

/*
 * Route a packet of a row's direction @dir to where it goes once
 * translated: it becomes the inverse of the other direction's tuple.
 */
static int l4lb_route_conn(struct l4lb_net *ln, struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   const struct l4lb_conn *conn, enum l4lb_dir dir)
{
	const struct l4lb_tuple *peer = &conn->th[!dir].tuple;
	const struct in6_addr *a;

	if (!peer->v6)
		return l4lb_route(ln, skb, state, peer->saddr, peer->daddr);
	a = l4lb_conn6_addr(conn, !dir);
	return l4lb_route6(ln, skb, state, &a[0], &a[1]);
}

/* Reclaims a new connection tries when every SNAT port probed is taken. */
#define L4LB_RECLAIM_TRIES	4

/*
 * Refresh the idle timer of an established TCP or a UDP row for a packet
 * that cannot change its state, without the row's lock: most packets of a
 * busy flow (of an unreplied UDP row, the client's: a reply confirms it).
 * The timer is written at most every HZ / 4, so a hot row's cache line is
 * not dirtied by every packet; a row may then expire up to a quarter
 * second early, well within its timeout's resolution. Returns false if
 * the locked path must run instead.
 */
static bool l4lb_conn_touch(struct l4lb_service *svc, struct l4lb_conn *conn,
			    enum l4lb_dir dir, u8 tcp_flags)
{
	u8 state = READ_ONCE(conn->state);
	unsigned long expires, old;

	/* An unreplied UDP row's client datagrams stay here until a reply
	 * was seen: the next one confirms the row, under the lock.
	 */
	if ((state != L4LB_CONN_ESTABLISHED && state != L4LB_CONN_UDP &&
	     (state != L4LB_CONN_UDP_UNREPLIED || dir != L4LB_DIR_ORIG ||
	      (READ_ONCE(conn->seen) & BIT(L4LB_DIR_REPLY)))) ||
	    (tcp_flags & (TCPHDR_SYN | TCPHDR_FIN | TCPHDR_RST)))
		return false;
	expires = jiffies + READ_ONCE(svc->timeout[state]);
	old = READ_ONCE(conn->expires);
	/* A lowered timeout gives an earlier time: that is always written. */
	if (time_after_eq(expires, old) && time_before(expires, old + HZ / 4))
		return true;
	WRITE_ONCE(conn->expires, expires);
	/* A RST or FIN on another CPU may have changed the state (and set
	 * its timer) since we looked: then redo it under the lock, so our
	 * write cannot leave a closed row with an established timeout. The
	 * locked path writes the state before the timer.
	 */
	smp_mb();
	return READ_ONCE(conn->state) == state;
}

/* Update a row's state and idle timer for one packet. A RST outside the
 * receiver's window changes nothing; it is passed on, and the receiver's
 * own stack ignores it too (RFC 5961).
 */
static void l4lb_conn_update(struct l4lb_net *ln, struct l4lb_conn *conn,
			     enum l4lb_dir dir, const struct l4lb_l4 *l4)
{
	struct l4lb_service *svc = conn->backend->svc;

	if (l4->proto == IPPROTO_TCP) {
		if ((l4->tcp_flags & TCPHDR_RST) &&
		    !l4lb_tcp_rst_ok(conn, dir, l4->seq)) {
			l4lb_stats_event(ln, L4LB_EV_RST_IGNORED);
			return;
		}
		l4lb_tcp_track(conn, dir, l4);
	}
	if (!l4lb_conn_touch(svc, conn, dir, l4->tcp_flags))
		l4lb_conn_advance(ln->tab, conn, dir, l4->tcp_flags,
				  svc->timeout);
}

/*
 * The SNAT ports of a namespace: 1024-65535 less the local ephemeral range
 * (net.ipv4.ip_local_port_range), so that a socket of the balancer's own,
 * a health check say, never has the tuple of a NAT row. Both parts left
 * are used: 1024-32767 and 61000-65535 with the default sysctl.
 */
static void l4lb_snat_ports(const struct net *net,
			    struct l4lb_port_range *ports)
{
	int llo, lhi;

	inet_get_local_port_range(net, &llo, &lhi);
	l4lb_port_range_outside(ports, llo, lhi);
}

/**
 * struct l4lb_snat_pick - the SNAT space of a new row
 * @sp: what the allocator chooses from
 * @one: the address "auto" picked, which @sp points at without a pool
 */
struct l4lb_snat_pick {
	struct l4lb_snat_space sp;
	union nf_inet_addr one;
};

/*
 * The SNAT addresses and ports towards @daddr, routed in @skb: the
 * service's pool, or without one the primary address of the output
 * interface, as MASQUERADE picks it; for a backend on the balancer itself,
 * its own address. Under RCU: the pool lives until rcu_read_unlock().
 * Returns false if auto finds no address.
 */
static bool l4lb_snat_choose(struct l4lb_net *ln,
			     const struct l4lb_service *svc,
			     struct sk_buff *skb,
			     const union nf_inet_addr *daddr,
			     struct l4lb_snat_pick *pick)
{
	const struct l4lb_addrs *pool = rcu_dereference(svc->snat);
	struct rtable *rt;

	l4lb_snat_ports(ln->net, &pick->sp.ports);
	if (pool) {
		pick->sp.addrs = pool->addrs;
		pick->sp.naddr = pool->n;
		return true;
	}
	pick->sp.addrs = &pick->one;
	pick->sp.naddr = 1;
	if (svc->af == AF_INET6)
		return !l4lb_route6_saddr(ln->net, skb, &daddr->in6,
					  &pick->one.in6);
	rt = skb_rtable(skb);
	pick->one = (union nf_inet_addr) {};
	if (rt->rt_type == RTN_LOCAL)
		pick->one.ip = daddr->ip;
	else
		pick->one.ip = inet_select_addr(rt->dst.dev,
						rt_nexthop(rt, daddr->ip),
						RT_SCOPE_UNIVERSE);
	return pick->one.ip != 0;
}

/* The backend of a new connection, referenced: the client's pinned one,
 * or the scheduler's choice. NULL if no backend is usable.
 */
static struct l4lb_backend *l4lb_choose(struct l4lb_net *ln,
					struct l4lb_service *svc,
					const struct l4lb_tuple *orig,
					const struct in6_addr *a6)
{
	unsigned long persist = READ_ONCE(svc->timeout[L4LB_CONN_PERSIST]);
	struct l4lb_sched_inst *inst;
	struct l4lb_backend *be = NULL;

	if (persist) {
		be = l4lb_persist_find(ln->tab, orig, a6, persist);
		if (be)
			return be;
	}
	inst = rcu_dereference(svc->sched);
	be = inst->sched->schedule(inst, rcu_dereference(svc->arr), orig);
	if (be)
		be = l4lb_backend_get_rcu(be);
	if (be && persist)
		l4lb_persist_add(ln->tab, orig, a6, be, persist);
	return be;
}

/* Free a row that was never hashed, with what it holds. */
static void l4lb_conn_discard(struct l4lb_net *ln, struct l4lb_conn *conn)
{
	l4lb_conn_half_open_put(ln->tab, conn);
	l4lb_backend_conn_release(conn);
	l4lb_conn_free_unhashed(ln->tab, conn);
}

/* A row for @orig towards @be, routed, not yet hashed, and in @pick the
 * SNAT addresses and ports it may take; takes over the reference on @be.
 * A TCP row of a service that passes the client's address has the state
 * for it (struct l4lb_conn_ca), set up from the SYN; other rows do not
 * grow. Counts the drop and returns an ERR_PTR on failure.
 */
static struct l4lb_conn *l4lb_conn_build(struct l4lb_net *ln,
					 struct l4lb_service *svc,
					 struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 const struct l4lb_pkt *pkt,
					 struct l4lb_backend *be,
					 struct l4lb_snat_pick *pick)
{
	const struct l4lb_tuple *orig = &pkt->t;
	const struct l4lb_l4 *l4 = &pkt->l4;
	u8 ca = orig->proto == IPPROTO_TCP ? READ_ONCE(svc->client_addr) :
					     L4LB_CLIENT_ADDR_NONE;
	struct l4lb_conn6 *c6 = NULL;
	struct l4lb_conn *conn;
	int err;

	if (orig->v6)
		conn = l4lb_conn_alloc6(ln->tab, L4LB_GFP_ROW,
					ca != L4LB_CLIENT_ADDR_NONE);
	else if (ca != L4LB_CLIENT_ADDR_NONE)
		conn = l4lb_conn_alloc_ca(ln->tab, L4LB_GFP_ROW);
	else
		conn = l4lb_conn_alloc(ln->tab, L4LB_GFP_ROW);
	if (IS_ERR(conn)) {
		if (PTR_ERR(conn) == -ENOSPC) {
			l4lb_stats_drop(ln, L4LB_DROP_TABLE_FULL);
			l4lb_event_table_full(ln, svc);
		} else {
			l4lb_stats_drop(ln, L4LB_DROP_NO_MEMORY);
		}
		l4lb_backend_put(be);
		return conn;
	}
	conn->th[L4LB_DIR_ORIG].tuple = *orig;
	conn->th[L4LB_DIR_ORIG].tuple.dir = L4LB_DIR_ORIG;
	if (orig->v6) {
		c6 = container_of(conn, struct l4lb_conn6, conn);
		c6->addr[L4LB_DIR_ORIG][0] = pkt->a6[0];
		c6->addr[L4LB_DIR_ORIG][1] = pkt->a6[1];
		c6->addr[L4LB_DIR_REPLY][0] = be->addr.in6;
	}
	conn->state = orig->proto == IPPROTO_TCP ? L4LB_CONN_SYN_SENT :
						   L4LB_CONN_UDP_UNREPLIED;
	conn->expires = jiffies + READ_ONCE(svc->timeout[conn->state]);
	if (orig->proto == IPPROTO_TCP)
		l4lb_tcp_init(conn, l4);
	if (ca != L4LB_CLIENT_ADDR_NONE)
		l4lb_ca_conn_init(conn, l4, ca);
	l4lb_backend_conn_attach(conn, be);

	/* Until the backend answers, a TCP or UDP row is half-open. */
	if (!l4lb_conn_half_open_get(ln->tab, conn)) {
		l4lb_stats_drop(ln, L4LB_DROP_SYN_LIMIT);
		err = -ENOSPC;
		goto err;
	}
	err = c6 ? l4lb_route6(ln, skb, state, &be->addr.in6, NULL) :
		   l4lb_route(ln, skb, state, be->addr.ip, 0);
	if (err)
		goto err;
	if (!l4lb_snat_choose(ln, svc, skb, &be->addr, pick)) {
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		err = -EADDRNOTAVAIL;
		goto err;
	}
	/* The allocator chooses daddr and dport. */
	conn->th[L4LB_DIR_REPLY].tuple = (struct l4lb_tuple) {
		.saddr = c6 ? l4lb_addr6_fold(&be->addr.in6) : be->addr.ip,
		.sport = be->port,
		.proto = orig->proto,
		.dir = L4LB_DIR_REPLY,
		.v6 = orig->v6,
	};
	return conn;
err:
	l4lb_conn_discard(ln, conn);
	return ERR_PTR(err);
}

/* An unlinked row's SNAT port is free: if its backend still holds a
 * socket on the tuple (l4lb_tcp_backend_holds()), end that with a RST, so
 * that the next connection on the port is not answered by it. The RST's
 * sequence number is the backend's view of the client's stream: shifted
 * by the PROXY header, if the connection carried one.
 */
static void l4lb_conn_release_tuple(struct l4lb_net *ln,
				    struct l4lb_conn *conn)
{
	const struct l4lb_tuple *r = &conn->th[L4LB_DIR_REPLY].tuple;
	const struct in6_addr *a;
	u32 seq;
	int err;

	if (!l4lb_tcp_backend_holds(conn, &seq))
		return;
	seq = l4lb_ca_backend_seq(conn, seq);
	if (r->v6) {
		a = l4lb_conn6_addr(conn, L4LB_DIR_REPLY);
		err = l4lb_reset_send6(ln->net, &a[1], r->dport, &a[0],
				       r->sport, seq);
	} else {
		err = l4lb_reset_send(ln->net, r->daddr, r->dport, r->saddr,
				      r->sport, seq);
	}
	if (!err)
		l4lb_stats_event(ln, L4LB_EV_RESET_SENT);
}

/**
 * l4lb_conn_expired_cb() - the table's @expired callback: a row expired
 * @owner: the struct l4lb_net of the table
 * @conn: the row, unlinked by the expiry, under RCU
 *
 * A port freed by expiry comes back like one freed by reclaim: a backend
 * that closed first has its TIME_WAIT on the tuple reset. A handshake
 * that never completed gets no RST here: such rows are what a spoofed SYN
 * flood leaves, by the thousand at once, and the backend's request socket
 * times out by itself (tcp_synack_retries) about when timeout_syn ends.
 * Reclaim, which reuses the port at once, still resets it.
 *
 * Context: the expiry worker (process), RCU read side; does not sleep.
 */
void l4lb_conn_expired_cb(void *owner, struct l4lb_conn *conn)
{
	if (READ_ONCE(conn->state) != L4LB_CONN_TIME_WAIT)
		return;
	/* The counters are per CPU and written from softirq: keep it out. */
	local_bh_disable();
	l4lb_conn_release_tuple(owner, conn);
	local_bh_enable();
}

/* Give a reclaimable row's SNAT port up (l4lb_conn_reclaimable()): unlink
 * it, and if its backend still holds a socket on the tuple, end that with
 * a RST. A row that changed meanwhile, or that another CPU reclaimed
 * first, keeps its port (or is gone): the caller searches again.
 */
static void l4lb_conn_reclaim(struct l4lb_net *ln, struct l4lb_conn *victim)
{
	if (!l4lb_conn_unlink_if(ln->tab, victim, l4lb_conn_reclaimable))
		return;
	/* Its state is final now that it is dead; the unlink has already
	 * cleared its half-open flag.
	 */
	l4lb_stats_event(ln, l4lb_conn_half_open_state(READ_ONCE(victim->state)) ?
			 L4LB_EV_RECLAIM_UNCONFIRMED : L4LB_EV_RECLAIM_CLOSED);
	l4lb_conn_release_tuple(ln, victim);
}

/* Choose a SNAT address and port from @sp and hash the row; or, if a
 * retransmitted SYN raced us, drop ours and follow the row that won, which
 * may have chosen another backend. The backend's cursor spreads its rows
 * over @sp. When every choice probed is taken, one reclaimable row gives
 * its address and port up and the search runs once more.
 */
static struct l4lb_conn *l4lb_conn_commit(struct l4lb_net *ln,
					  struct l4lb_service *svc,
					  struct sk_buff *skb,
					  const struct nf_hook_state *state,
					  struct l4lb_conn *conn,
					  const struct l4lb_snat_space *sp,
					  const struct l4lb_conn_miss *miss)
{
	struct l4lb_backend *be = conn->backend;
	struct l4lb_tuple_hash *old;
	unsigned int tries;
	int err;

	err = l4lb_conn_insert_range(ln->tab, conn, sp, &be->snat_next, miss,
				     &old);
	/* CPUs that start from the same cursor under a flood offer the same
	 * row: one reclaims it, the others search again and find the next.
	 */
	for (tries = 0; err == -EBUSY && tries < L4LB_RECLAIM_TRIES; tries++) {
		l4lb_conn_reclaim(ln, l4lb_tuplehash_to_conn(old));
		err = l4lb_conn_insert_range(ln->tab, conn, sp, &be->snat_next,
					     miss, &old);
	}
	if (err == -EBUSY)
		err = -EADDRNOTAVAIL;
	if (!err) {
		l4lb_stats_created(ln);
		l4lb_backend_created(be);
		return conn;
	}
	l4lb_conn_discard(ln, conn);
	if (err != -EEXIST) {
		l4lb_stats_drop(ln, L4LB_DROP_NO_SNAT_PORT);
		l4lb_service_snat_failed(svc);
		return ERR_PTR(err);
	}
	conn = l4lb_tuplehash_to_conn(old);
	if (l4lb_route_conn(ln, skb, state, conn, L4LB_DIR_ORIG))
		return ERR_PTR(-EHOSTUNREACH);
	return conn;
}

/* Schedule a new connection, route it, and insert its row. */
static struct l4lb_conn *l4lb_conn_new(struct l4lb_net *ln,
				       struct l4lb_service *svc,
				       struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       const struct l4lb_pkt *pkt)
{
	struct l4lb_snat_pick pick;
	struct l4lb_backend *be;
	struct l4lb_conn *conn;

	be = l4lb_choose(ln, svc, &pkt->t, l4lb_pkt_a6(pkt));
	if (!be) {
		l4lb_stats_drop(ln, L4LB_DROP_NO_BACKEND);
		return ERR_PTR(-EHOSTUNREACH);
	}
	conn = l4lb_conn_build(ln, svc, skb, state, pkt, be, &pick);
	if (IS_ERR(conn))
		return conn;
	return l4lb_conn_commit(ln, svc, skb, state, conn, &pick.sp,
				&pkt->miss);
}

/*
 * The end of an ICMP or ICMPv6 error's translation, whose rewrite returned
 * @err: one that quotes a TCP segment sent to the backend (@dir is
 * L4LB_DIR_REPLY) has, with a PROXY header, its sequence number in the
 * backend's space, to be restored.
 */
static unsigned int l4lb_icmp_done(struct l4lb_net *ln, struct l4lb_conn *conn,
				   enum l4lb_dir dir, struct sk_buff *skb,
				   int err)
{
	if (!err && dir == L4LB_DIR_REPLY &&
	    conn->th[dir].tuple.proto == IPPROTO_TCP)
		err = l4lb_ca_icmp(conn, skb);
	if (unlikely(err)) {
		l4lb_stats_drop(ln, err == -ENOMEM ? L4LB_DROP_NO_MEMORY :
				L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	l4lb_stats_event(ln, L4LB_EV_ICMP);
	return NF_ACCEPT;
}

/*
 * An ICMP error about a translated packet: the quoted packet left the
 * balancer translated, so its inverse is one of its row's tuples, and the
 * error travels in that tuple's direction. Translate it as a packet of that
 * direction (outer addresses) and restore the quoted packet to what its
 * sender sent, so the sender's stack matches it to its socket. This makes
 * path-MTU discovery and port-unreachable work end to end. Its checksum is
 * verified first: the translation computes a new one, which would hide a
 * corrupted message.
 */
static unsigned int l4lb_icmp_in(struct l4lb_net *ln, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct l4lb_tuple *peer;
	struct l4lb_icmp_inner inner;
	struct l4lb_tuple_hash *th;
	struct l4lb_conn *conn;
	struct l4lb_tuple t;
	enum l4lb_dir dir;
	int err;

	if (l4lb_nat_parse_icmp(skb, &inner))
		return NF_ACCEPT;
	t = (struct l4lb_tuple) {
		.saddr = inner.daddr,
		.daddr = inner.saddr,
		.sport = inner.dport,
		.dport = inner.sport,
		.proto = inner.proto,
	};
	th = l4lb_conn_find(ln->tab, &t, NULL);
	/* The error must go back to the quoted packet's sender. */
	if (!th || ip_hdr(skb)->daddr != inner.saddr)
		return NF_ACCEPT;
	if (nf_ip_checksum(skb, state->hook, ip_hdrlen(skb), IPPROTO_ICMP)) {
		l4lb_stats_drop(ln, L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	conn = l4lb_tuplehash_to_conn(th);
	dir = th->tuple.dir;
	peer = &conn->th[!dir].tuple;

	if (l4lb_route(ln, skb, state, peer->saddr, peer->daddr))
		return NF_DROP;
	inner = (struct l4lb_icmp_inner) {
		.saddr = peer->saddr,
		.daddr = peer->daddr,
		.sport = peer->sport,
		.dport = peer->dport,
		.proto = peer->proto,
	};
	err = l4lb_nat_rewrite_icmp(skb, peer->daddr, peer->saddr, &inner);
	return l4lb_icmp_done(ln, conn, dir, skb, err);
}

/* Directions a hook translates: both, or with conntrack=1 the original
 * direction before conntrack and the reply direction after it.
 */
#define L4LB_DIRS_ALL	(BIT(L4LB_DIR_ORIG) | BIT(L4LB_DIR_REPLY))

/*
 * A TCP segment other than a SYN for @svc with no row. With peers, at
 * PRE_ROUTING, it goes to them (l4lb_peers_xmit()) and is dropped here; one
 * that a peer sent is dropped, so that this node's local VIP does not
 * reset the connection another node owns. Without, or with only this
 * node's own addresses, it is passed on.
 */
static unsigned int l4lb_stray(struct l4lb_net *ln,
			       const struct l4lb_service *svc,
			       struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct l4lb_addrs *peers = rcu_dereference(svc->peers);
	int sent;

	if (!peers || state->hook != NF_INET_PRE_ROUTING) {
		l4lb_stats_event(ln, L4LB_EV_STRAY);
		return NF_ACCEPT;
	}
	if (l4lb_peer_sent_it(state)) {
		l4lb_stats_event(ln, L4LB_EV_PEER_MISS);
		return NF_DROP;
	}
	sent = l4lb_peers_xmit(state->net, skb, peers);
	if (sent > 0) {
		l4lb_stats_event(ln, L4LB_EV_PEER_SENT);
		return NF_DROP;
	}
	if (!sent) {
		l4lb_stats_event(ln, L4LB_EV_STRAY);
		return NF_ACCEPT;
	}
	l4lb_stats_drop(ln, sent == -EMSGSIZE ? L4LB_DROP_MTU :
			sent == -ENOMEM ? L4LB_DROP_NO_MEMORY :
			L4LB_DROP_NO_ROUTE);
	return NF_DROP;
}

/*
 * With conntrack=1, after conntrack: a packet l4lb translated before
 * conntrack has a row whose reply tuple is its inverse. Claim its new
 * conntrack entry (l4lb_xmit_ct_claim()).
 */
static void l4lb_ct_claim(struct l4lb_net *ln, struct sk_buff *skb,
			  const struct l4lb_pkt *pkt)
{
	const struct l4lb_tuple *t = &pkt->t;
	const struct l4lb_tuple inv = {
		.saddr = t->daddr,
		.daddr = t->saddr,
		.sport = t->dport,
		.dport = t->sport,
		.proto = t->proto,
		.v6 = t->v6,
	};
	struct l4lb_tuple_hash *th;
	struct in6_addr inv6[2];

	/* @pkt->a6 is only set for an IPv6 packet. */
	if (t->v6) {
		inv6[0] = pkt->a6[1];
		inv6[1] = pkt->a6[0];
	}
	th = l4lb_conn_find(ln->tab, &inv, t->v6 ? inv6 : NULL);
	if (th && th->tuple.dir == L4LB_DIR_REPLY)
		l4lb_xmit_ct_claim(skb);
}

/* The service a packet without a row is for, if any. */
static struct l4lb_service *l4lb_pkt_service(struct l4lb_net *ln,
					     const struct l4lb_pkt *pkt)
{
	union nf_inet_addr vip = {};

	if (pkt->t.v6) {
		vip.in6 = pkt->a6[1];
		return l4lb_service_find_rcu(&ln->svcs, AF_INET6, &vip,
					     pkt->t.dport, pkt->t.proto);
	}
	vip.ip = pkt->t.daddr;
	return l4lb_service_find_rcu(&ln->svcs, AF_INET, &vip, pkt->t.dport,
				     pkt->t.proto);
}

/* Rewrite a packet of direction @dir into the inverse of the other one. */
static int l4lb_pkt_rewrite(struct sk_buff *skb, const struct l4lb_pkt *pkt,
			    const struct l4lb_conn *conn, enum l4lb_dir dir)
{
	const struct l4lb_tuple *peer = &conn->th[!dir].tuple;
	const struct in6_addr *a;

	if (!peer->v6)
		return l4lb_nat_rewrite(skb, &pkt->l4, peer->daddr, peer->dport,
					peer->saddr, peer->sport);
	a = l4lb_conn6_addr(conn, !dir);
	return l4lb_nat6_rewrite(skb, &pkt->l4, &a[1], peer->dport, &a[0],
				 peer->sport);
}

/* Translate a TCP or UDP packet of either family, parsed into @pkt. */
static unsigned int l4lb_in_pkt(struct l4lb_net *ln, struct sk_buff *skb,
				const struct nf_hook_state *state,
				unsigned int dirs, struct l4lb_pkt *pkt)
{
	const struct l4lb_tuple *t = &pkt->t;
	struct l4lb_tuple_hash *th;
	struct l4lb_service *svc;
	struct l4lb_conn *conn;
	enum l4lb_dir dir;
	unsigned int len;
	int err;

	th = l4lb_conn_find_miss(ln->tab, t, l4lb_pkt_a6(pkt), &pkt->miss);
	if (th && !(dirs & BIT(th->tuple.dir)))
		return NF_ACCEPT;	/* the other hook's */
	if (!th && !(dirs & BIT(L4LB_DIR_ORIG))) {
		l4lb_ct_claim(ln, skb, pkt);
		return NF_ACCEPT;
	}
	if (th) {
		conn = l4lb_tuplehash_to_conn(th);
		dir = th->tuple.dir;
		if (unlikely(t->proto == IPPROTO_TCP &&
			     l4lb_tcp_reusable(conn, dir, pkt->l4.tcp_flags))) {
			/* Port reuse: the old connection is over, so this SYN
			 * is scheduled afresh instead of being dropped. Its
			 * SNAT port is free: reset what the backend holds.
			 */
			if (l4lb_conn_unlink(ln->tab, conn))
				l4lb_conn_release_tuple(ln, conn);
			th = NULL;
		}
	}

	if (!th) {
		svc = l4lb_pkt_service(ln, pkt);
		if (!svc)
			return NF_ACCEPT;
		if (t->proto == IPPROTO_TCP &&
		    (pkt->l4.tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) !=
		    TCPHDR_SYN) {
			/* No row and not a new connection (say, after a
			 * reload): never give it a backend. Another node may
			 * own it (l4lb_peer.h); else passed on, so a local
			 * VIP answers with a RST.
			 */
			return l4lb_stray(ln, svc, skb, state);
		}
		conn = l4lb_conn_new(ln, svc, skb, state, pkt);
		if (IS_ERR(conn))
			return l4lb_xmit_refuse(state);
		dir = L4LB_DIR_ORIG;
	} else if (l4lb_route_conn(ln, skb, state, conn, dir)) {
		return NF_DROP;
	}

	len = skb->len;
	if (l4lb_pkt_rewrite(skb, pkt, conn, dir)) {
		l4lb_stats_drop(ln, L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	/* PROXY protocol or TOA, for the rows that pass the client's
	 * address; @l4 stays what the sender sent (its own sequence space).
	 */
	err = l4lb_ca_xmit(ln, conn, dir, skb, &pkt->l4);
	if (unlikely(err)) {
		l4lb_stats_drop(ln, err == -ENOMEM ? L4LB_DROP_NO_MEMORY :
				L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	l4lb_xmit_ct(skb, dir == L4LB_DIR_ORIG);

	l4lb_conn_update(ln, conn, dir, &pkt->l4);
	l4lb_conn_mark(ln->tab, &conn->th[dir], jiffies);
	l4lb_backend_account(conn->backend, dir == L4LB_DIR_ORIG, len);
	return NF_ACCEPT;
}

static unsigned int l4lb_in(struct l4lb_net *ln, struct sk_buff *skb,
			    const struct nf_hook_state *state,
			    unsigned int dirs)
{
	const struct iphdr *iph;
	struct l4lb_pkt pkt;

	if (l4lb_xmit_skip(skb, state))
		return NF_ACCEPT;
	/* Raw sockets may send anything in LOCAL_OUT. */
	if (skb->len < sizeof(struct iphdr) ||
	    ip_hdrlen(skb) < sizeof(struct iphdr))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (iph->protocol == IPPROTO_ICMP) {
		/* The balancer's own ICMP errors (say, host unreachable for a
		 * client that does not answer ARP) are about its own
		 * forwarding: they go to the local stack untouched.
		 */
		if (state->hook == NF_INET_PRE_ROUTING &&
		    (dirs & BIT(L4LB_DIR_ORIG)))
			return l4lb_icmp_in(ln, skb, state);
		return NF_ACCEPT;
	}
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	if (unlikely(ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))) {
		/* Only without defragmentation: nothing to look up. */
		l4lb_stats_event(ln, L4LB_EV_FRAGMENT);
		return NF_ACCEPT;
	}
	if (l4lb_nat_parse(skb, &pkt.l4))
		return NF_ACCEPT;	/* not ours to judge; the stack drops it */

	pkt.t = (struct l4lb_tuple) {
		.saddr = iph->saddr,
		.daddr = iph->daddr,
		.sport = pkt.l4.sport,
		.dport = pkt.l4.dport,
		.proto = iph->protocol,
	};
	return l4lb_in_pkt(ln, skb, state, dirs, &pkt);
}

/*
 * An ICMPv6 error about a translated packet, as l4lb_icmp_in() does for
 * IPv4. Its checksum is verified first: the translation computes a new
 * one, which would hide a corrupted message.
 */
static unsigned int l4lb_icmp6_in(struct l4lb_net *ln, struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  unsigned int icmpoff)
{
	struct l4lb_icmp6_inner inner;
	struct l4lb_tuple_hash *th;
	const struct l4lb_tuple *peer;
	const struct in6_addr *a;
	struct in6_addr key6[2];
	struct l4lb_conn *conn;
	struct l4lb_tuple t;
	enum l4lb_dir dir;
	int err;

	if (l4lb_nat6_parse_icmp(skb, &inner))
		return NF_ACCEPT;	/* neighbour discovery, echo, ... */
	key6[0] = inner.daddr;
	key6[1] = inner.saddr;
	t = (struct l4lb_tuple) {
		.saddr = l4lb_addr6_fold(&inner.daddr),
		.daddr = l4lb_addr6_fold(&inner.saddr),
		.sport = inner.dport,
		.dport = inner.sport,
		.proto = inner.proto,
		.v6 = 1,
	};
	th = l4lb_conn_find(ln->tab, &t, key6);
	/* The error must go back to the quoted packet's sender. */
	if (!th || !ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &inner.saddr))
		return NF_ACCEPT;
	if (nf_ip6_checksum(skb, state->hook, icmpoff, IPPROTO_ICMPV6)) {
		l4lb_stats_drop(ln, L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	conn = l4lb_tuplehash_to_conn(th);
	dir = th->tuple.dir;
	peer = &conn->th[!dir].tuple;
	a = l4lb_conn6_addr(conn, !dir);

	if (l4lb_route6(ln, skb, state, &a[0], &a[1]))
		return NF_DROP;
	inner = (struct l4lb_icmp6_inner) {
		.saddr = a[0],
		.daddr = a[1],
		.sport = peer->sport,
		.dport = peer->dport,
		.proto = peer->proto,
	};
	err = l4lb_nat6_rewrite_icmp(skb, &a[1], &a[0], &inner);
	return l4lb_icmp_done(ln, conn, dir, skb, err);
}

static unsigned int l4lb_in6(struct l4lb_net *ln, struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     unsigned int dirs)
{
	const struct ipv6hdr *ip6h;
	struct l4lb_pkt pkt;
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (l4lb_xmit_skip(skb, state))
		return NF_ACCEPT;
	/* Raw sockets may send anything in LOCAL_OUT. */
	if (skb->len < sizeof(struct ipv6hdr))
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	if (off < 0)
		return NF_ACCEPT;
	if (nexthdr == IPPROTO_ICMPV6) {
		if (state->hook == NF_INET_PRE_ROUTING &&
		    (dirs & BIT(L4LB_DIR_ORIG)) &&
		    !(frag_off & htons(IP6_OFFSET)))
			return l4lb_icmp6_in(ln, skb, state, off);
		return NF_ACCEPT;
	}
	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
		return NF_ACCEPT;
	if (unlikely(frag_off & htons(IP6_OFFSET))) {
		l4lb_stats_event(ln, L4LB_EV_FRAGMENT);
		return NF_ACCEPT;
	}
	if (l4lb_nat6_parse(skb, &pkt.l4))
		return NF_ACCEPT;
	pkt.a6[0] = ip6h->saddr;
	pkt.a6[1] = ip6h->daddr;
	pkt.t = (struct l4lb_tuple) {
		.saddr = l4lb_addr6_fold(&ip6h->saddr),
		.daddr = l4lb_addr6_fold(&ip6h->daddr),
		.sport = pkt.l4.sport,
		.dport = pkt.l4.dport,
		.proto = pkt.l4.proto,
		.v6 = 1,
	};
	return l4lb_in_pkt(ln, skb, state, dirs, &pkt);
}

/*
 * The hooks run in softirq, or in process context: LOCAL_OUT always, and
 * PRE_ROUTING with BHs enabled when an NFQUEUE verdict reinjects a packet
 * queued by an earlier hook (nf_reinject()). The row and scheduler locks
 * and the per-CPU counters are shared with softirq, so BHs are disabled
 * here, as IPVS does around its per-CPU counters.
 */
static unsigned int l4lb_hook_dirs(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   unsigned int dirs)
{
	struct l4lb_net *ln = l4lb_pernet(state->net);
	unsigned int verdict;

	if (!READ_ONCE(ln->svcs.n))
		return NF_ACCEPT;
	local_bh_disable();
	if (state->pf == NFPROTO_IPV6)
		verdict = l4lb_in6(ln, skb, state, dirs);
	else
		verdict = l4lb_in(ln, skb, state, dirs);
	local_bh_enable();
	return verdict;
}

/* Before conntrack: everything, or with conntrack=1 the original
 * direction and new connections.
 */
static unsigned int l4lb_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return l4lb_hook_dirs(skb, state, l4lb_conntrack ?
			      BIT(L4LB_DIR_ORIG) : L4LB_DIRS_ALL);
}

/* After conntrack, with conntrack=1 only: the reply direction. */
static unsigned int l4lb_hook_ct(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return l4lb_hook_dirs(skb, state, BIT(L4LB_DIR_REPLY));
}

static const struct nf_hook_ops l4lb_hook_ops[] = {
	{
		.hook = l4lb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = L4LB_HOOK_PRIORITY,
	},
	{
		.hook = l4lb_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = L4LB_HOOK_PRIORITY,
	},
	/* conntrack=1 only: registered last, so they can be left out. */
	{
		.hook = l4lb_hook_ct,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = L4LB_HOOK_PRIORITY_CT,
	},
	{
		.hook = l4lb_hook_ct,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = L4LB_HOOK_PRIORITY_CT,
	},
};

/* The same for IPv6, at the same places relative to conntrack. */
static const struct nf_hook_ops l4lb_hook6_ops[] = {
	{
		.hook = l4lb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = L4LB_HOOK6_PRIORITY,
	},
	{
		.hook = l4lb_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = L4LB_HOOK6_PRIORITY,
	},
	{
		.hook = l4lb_hook_ct,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = L4LB_HOOK6_PRIORITY_CT,
	},
	{
		.hook = l4lb_hook_ct,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = L4LB_HOOK6_PRIORITY_CT,
	},
};

/* The hooks in use: the conntrack=1 ones only when it is set. */
static unsigned int l4lb_hook_count(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(l4lb_hook_ops) != ARRAY_SIZE(l4lb_hook6_ops));
	return ARRAY_SIZE(l4lb_hook_ops) - (l4lb_conntrack ? 0 : 2);
}

/* Each family's hooks and defragmentation, IPv4 first; index af == AF_INET6. */
static const struct l4lb_hook_family {
	const struct nf_hook_ops *ops;
	int (*defrag_enable)(struct net *net);
	void (*defrag_disable)(struct net *net);
} l4lb_hook_families[] = {
	{ l4lb_hook_ops, nf_defrag_ipv4_enable, nf_defrag_ipv4_disable },
	{ l4lb_hook6_ops, nf_defrag_ipv6_enable, nf_defrag_ipv6_disable },
};

/**
 * l4lb_hooks_register() - start handling a family's packets in a namespace
 * @ln: the namespace state, with its table set up
 * @af: AF_INET or AF_INET6: the family of a service about to be made
 *
 * Registers the family's hooks, and enables its defragmentation in the
 * namespace so that l4lb sees whole datagrams, once: with the first
 * service of the family, as IPVS does. A namespace with services of one
 * family leaves the other's packets, fragments included, alone. They stay
 * until l4lb_hooks_unregister().
 *
 * Context: process, ln->svcs.lock held.
 * Return: 0, also if they are registered already; or a negative errno
 * from the netfilter core.
 */
int l4lb_hooks_register(struct l4lb_net *ln, int af)
{
	unsigned int f = af == AF_INET6;
	const struct l4lb_hook_family *fam = &l4lb_hook_families[f];
	int err;

	if (ln->hooks & BIT(f))
		return 0;
	err = fam->defrag_enable(ln->net);
	if (err)
		return err;
	err = nf_register_net_hooks(ln->net, fam->ops, l4lb_hook_count());
	if (err) {
		fam->defrag_disable(ln->net);
		return err;
	}
	ln->hooks |= BIT(f);
	return 0;
}

/**
 * l4lb_hooks_unregister() - stop handling packets in a namespace
 * @ln: the namespace state
 *
 * Unregisters the hooks of every family that has them, and waits until no
 * CPU runs them any more.
 *
 * Context: process; ln->svcs.lock held, or the namespace is going.
 */
void l4lb_hooks_unregister(struct l4lb_net *ln)
{
	unsigned int f = ARRAY_SIZE(l4lb_hook_families);

	while (f--) {
		const struct l4lb_hook_family *fam = &l4lb_hook_families[f];

		if (!(ln->hooks & BIT(f)))
			continue;
		nf_unregister_net_hooks(ln->net, fam->ops, l4lb_hook_count());
		fam->defrag_disable(ln->net);
	}
	ln->hooks = 0;
}
