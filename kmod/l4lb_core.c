// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the packet path.
 *
 * Full NAT needs two rewrites per packet, and the source rewrite puts a
 * local address (the VIP, or the SNAT address) in the source. A packet that
 * leaves PRE_ROUTING with a local source is dropped by the input route lookup
 * as a martian. l4lb therefore does everything in one PRE_ROUTING hook, in
 * this order:
 *
 *  1. look the tuple up in the NAT table (or schedule a new connection);
 *  2. do the input route lookup itself, towards the new destination but with
 *     the packet's real source, so fib_validate_source()/rp_filter check the
 *     real sender; ip_rcv_finish() then sees a dst attached and does not
 *     route again;
 *  3. send ICMP time-exceeded or fragmentation-needed, if forwarding would,
 *     while the headers are still the ones the sender knows, so path-MTU
 *     discovery works through the balancer;
 *  4. rewrite destination and source (DNAT and SNAT) and let the kernel
 *     forward the packet, which does the TTL decrement, fragmentation and the
 *     neighbour output.
 *
 * That is one table lookup and one route lookup per packet, the same route
 * lookup plain forwarding does, and no second hook in POST_ROUTING that
 * would need to find the row again.
 *
 * The hook runs at NF_IP_PRI_RAW + 50: after defragmentation (l4lb enables
 * nf_defrag_ipv4 in namespaces with a service, as IPVS does) and raw-table
 * rules, before conntrack. Packets l4lb translates are marked untracked, so
 * nf_conntrack and NAT rules on the host leave them alone.
 *
 * ICMP errors about translated packets are translated too, both ways.
 */
#include <linux/icmp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "l4lb_conn.h"
#include "l4lb_core.h"
#include "l4lb_nat.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"

#define L4LB_HOOK_PRIORITY	(NF_IP_PRI_RAW + 50)

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

/*
 * Refresh the idle timer of an established TCP or a UDP row for a packet
 * that cannot change its state, without the row's lock: most packets of a
 * busy flow. The timer is written at most every HZ / 4, so a hot row's
 * cache line is not dirtied by every packet; a row may then expire up to a
 * quarter second early, well within its timeout's resolution. Returns
 * false if the locked path must run instead.
 */
static bool l4lb_conn_touch(struct l4lb_service *svc, struct l4lb_conn *conn,
			    u8 tcp_flags)
{
	u8 state = READ_ONCE(conn->state);
	unsigned long expires, old;

	if ((state != L4LB_CONN_ESTABLISHED && state != L4LB_CONN_UDP) ||
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

/* Update a row's state and idle timer for one packet. */
static void l4lb_conn_update(struct l4lb_net *ln, struct l4lb_conn *conn,
			     enum l4lb_dir dir, u8 tcp_flags)
{
	struct l4lb_service *svc = conn->backend->svc;
	u8 old, state;

	if (l4lb_conn_touch(svc, conn, tcp_flags))
		return;
	spin_lock(&conn->lock);
	old = conn->state;
	state = old;
	if (conn->th[0].tuple.proto == IPPROTO_TCP)
		state = l4lb_tcp_next_state(old, &conn->flags, dir, tcp_flags);
	if (state != old) {
		WRITE_ONCE(conn->state, state);
		l4lb_backend_conn_state(conn, old, state);
		if (state != L4LB_CONN_SYN_SENT && state != L4LB_CONN_SYN_RECV)
			l4lb_conn_half_open_put(ln->tab, conn);
	}
	WRITE_ONCE(conn->expires,
		   jiffies + READ_ONCE(svc->timeout[state]));
	spin_unlock(&conn->lock);
}

/*
 * Route the packet towards @daddr as if it had arrived so, check what
 * forwarding would refuse, and tell the sender with the headers it knows.
 * Returns 0 with a forwarding dst attached, or a negative errno after
 * counting the drop.
 */
static int l4lb_route(struct l4lb_net *ln, struct sk_buff *skb,
		      const struct nf_hook_state *state, __be32 daddr)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct rtable *rt;
	unsigned int mtu;
	int err;

	skb_dst_drop(skb);
	err = ip_route_input_noref(skb, daddr, iph->saddr, iph->tos, state->in);
	if (err || skb_rtable(skb)->rt_type != RTN_UNICAST) {
		l4lb_stats_inc(ln, L4LB_DROP_NO_ROUTE);
		return err ?: -EHOSTUNREACH;
	}
	rt = skb_rtable(skb);
	/* The source will be local: an ICMP redirect to it makes no sense. */
	IPCB(skb)->flags &= ~IPSKB_DOREDIRECT;

	if (iph->ttl <= 1) {
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		l4lb_stats_inc(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	mtu = ip_dst_mtu_maybe_forward(&rt->dst, true);
	if (skb->len > mtu && (iph->frag_off & htons(IP_DF)) &&
	    !skb->ignore_df &&
	    (IPCB(skb)->frag_max_size > mtu || !skb_is_gso(skb) ||
	     !skb_gso_validate_network_len(skb, mtu))) {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		l4lb_stats_inc(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	return 0;
}

/* The source address towards a backend: the configured SNAT address, or
 * the primary address of the output interface, as MASQUERADE picks it.
 */
static __be32 l4lb_snat_addr(const struct l4lb_service *svc,
			     struct sk_buff *skb, __be32 daddr)
{
	__be32 addr = READ_ONCE(svc->snat_addr);
	struct rtable *rt = skb_rtable(skb);

	if (addr)
		return addr;
	return inet_select_addr(rt->dst.dev, rt_nexthop(rt, daddr),
				RT_SCOPE_UNIVERSE);
}

/*
 * Persistence (IPVS -p): a template row per client and service pins the
 * client's new connections to one backend. Its tuples have protocol 0, so
 * no packet ever matches them; the service's protocol takes the place of
 * the client port, so the templates of a TCP and a UDP service on one
 * VIP:port stay apart. It lives in the NAT table, expires like a row, and
 * holds a reference on its backend.
 */
static void l4lb_persist_tuple(struct l4lb_tuple *t,
			       const struct l4lb_tuple *orig)
{
	*t = (struct l4lb_tuple) {
		.saddr = orig->saddr,
		.daddr = orig->daddr,
		.sport = htons(orig->proto),
		.dport = orig->dport,
		.dir = L4LB_DIR_ORIG,
	};
}

/* The client's pinned backend, referenced, or NULL; breaks a template
 * whose backend no longer takes new connections.
 */
static struct l4lb_backend *l4lb_persist_find(struct l4lb_net *ln,
					      const struct l4lb_tuple *orig,
					      unsigned long persist)
{
	struct l4lb_tuple_hash *th;
	struct l4lb_conn *tpl;
	struct l4lb_tuple t;

	l4lb_persist_tuple(&t, orig);
	th = l4lb_conn_find(ln->tab, &t);
	if (!th)
		return NULL;
	tpl = l4lb_tuplehash_to_conn(th);
	if (!l4lb_backend_usable(tpl->backend)) {
		l4lb_conn_unlink(ln->tab, tpl);
		return NULL;
	}
	WRITE_ONCE(tpl->expires, jiffies + persist);
	return l4lb_backend_get_rcu(tpl->backend);
}

/* Pin the client to @be; a failure only loses the stickiness. */
static void l4lb_persist_add(struct l4lb_net *ln,
			     const struct l4lb_tuple *orig,
			     struct l4lb_backend *be, unsigned long persist)
{
	struct l4lb_tuple_hash *old;
	struct l4lb_conn *tpl;
	struct l4lb_tuple *t;

	tpl = l4lb_conn_alloc(ln->tab, GFP_ATOMIC);
	if (IS_ERR(tpl))
		return;
	tpl->backend = l4lb_backend_get_rcu(be);
	if (!tpl->backend) {
		l4lb_conn_free_unhashed(ln->tab, tpl);
		return;
	}
	t = &tpl->th[L4LB_DIR_ORIG].tuple;
	l4lb_persist_tuple(t, orig);
	tpl->th[L4LB_DIR_REPLY].tuple = (struct l4lb_tuple) {
		.saddr = t->daddr,
		.daddr = t->saddr,
		.sport = t->dport,
		.dport = t->sport,
		.dir = L4LB_DIR_REPLY,
	};
	tpl->state = L4LB_CONN_PERSIST;
	tpl->flags = L4LB_CONN_F_TEMPLATE;
	tpl->expires = jiffies + persist;
	if (l4lb_conn_insert(ln->tab, tpl, 0, 0, &old)) {
		l4lb_backend_put(tpl->backend);
		l4lb_conn_free_unhashed(ln->tab, tpl);
	}
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

/* Schedule a new connection, route it, and insert its row. */
static struct l4lb_conn *l4lb_conn_new(struct l4lb_net *ln,
				       struct l4lb_service *svc,
				       struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       const struct l4lb_tuple *orig)
{
	struct l4lb_tuple_hash *old;
	struct l4lb_sched_inst *inst;
	struct l4lb_backend_set *set;
	struct l4lb_backend *be = NULL;
	struct l4lb_conn *conn;
	unsigned long persist;
	struct l4lb_port_range ports;
	__be32 snat;
	int err;

	persist = READ_ONCE(svc->timeout[L4LB_CONN_PERSIST]);
	if (persist)
		be = l4lb_persist_find(ln, orig, persist);
	if (!be) {
		inst = rcu_dereference(svc->sched);
		set = rcu_dereference(svc->set);
		be = inst->sched->schedule(inst, set, orig);
		if (be)
			be = l4lb_backend_get_rcu(be);
		if (!be) {
			l4lb_stats_inc(ln, L4LB_DROP_NO_BACKEND);
			return ERR_PTR(-EHOSTUNREACH);
		}
		if (persist)
			l4lb_persist_add(ln, orig, be, persist);
	}

	conn = l4lb_conn_alloc(ln->tab, GFP_ATOMIC);
	if (IS_ERR(conn)) {
		l4lb_stats_inc(ln, PTR_ERR(conn) == -ENOSPC ?
			       L4LB_DROP_TABLE_FULL : L4LB_DROP_NO_MEMORY);
		goto err_put;
	}
	if (orig->proto == IPPROTO_TCP &&
	    !l4lb_conn_half_open_get(ln->tab, conn)) {
		l4lb_stats_inc(ln, L4LB_DROP_SYN_LIMIT);
		goto err_free;
	}

	err = l4lb_route(ln, skb, state, be->addr);
	if (err)
		goto err_free;
	snat = l4lb_snat_addr(svc, skb, be->addr);
	if (!snat) {
		l4lb_stats_inc(ln, L4LB_DROP_NO_ROUTE);
		err = -EADDRNOTAVAIL;
		goto err_free;
	}

	conn->th[L4LB_DIR_ORIG].tuple = *orig;
	conn->th[L4LB_DIR_ORIG].tuple.dir = L4LB_DIR_ORIG;
	conn->th[L4LB_DIR_REPLY].tuple = (struct l4lb_tuple) {
		.saddr = be->addr,
		.daddr = snat,
		.sport = be->port,
		.proto = orig->proto,
		.dir = L4LB_DIR_REPLY,
	};
	conn->backend = be;
	conn->state = orig->proto == IPPROTO_TCP ? L4LB_CONN_SYN_SENT :
						   L4LB_CONN_UDP;
	conn->expires = jiffies + READ_ONCE(svc->timeout[conn->state]);
	atomic_inc(&be->inactive);

	l4lb_snat_ports(ln->net, &ports);
	err = l4lb_conn_insert_range(ln->tab, conn, &ports, &old);
	if (err) {
		atomic_dec(&be->inactive);
		l4lb_conn_half_open_put(ln->tab, conn);
		l4lb_conn_free_unhashed(ln->tab, conn);
		l4lb_backend_put(be);
		if (err == -EEXIST) {
			/* A retransmitted SYN raced us: follow the row that
			 * won, which may have chosen another backend.
			 */
			conn = l4lb_tuplehash_to_conn(old);
			if (l4lb_route(ln, skb, state,
				       conn->th[L4LB_DIR_REPLY].tuple.saddr))
				return ERR_PTR(-EHOSTUNREACH);
			return conn;
		}
		l4lb_stats_inc(ln, L4LB_DROP_NO_SNAT_PORT);
		return ERR_PTR(err);
	}

	l4lb_stats_created(ln);
	{
		struct l4lb_be_stats *s = get_cpu_ptr(be->stats);

		u64_stats_update_begin(&s->syncp);
		u64_stats_inc(&s->conns);
		u64_stats_update_end(&s->syncp);
		put_cpu_ptr(be->stats);
	}
	return conn;

err_free:
	l4lb_conn_half_open_put(ln->tab, conn);
	l4lb_conn_free_unhashed(ln->tab, conn);
err_put:
	l4lb_backend_put(be);
	return ERR_PTR(-EHOSTUNREACH);
}

/* Does a packet of a closed connection's tuple start a new connection? */
static bool l4lb_conn_reusable(const struct l4lb_conn *conn, enum l4lb_dir dir,
			       u8 tcp_flags)
{
	u8 state = READ_ONCE(conn->state);

	return dir == L4LB_DIR_ORIG &&
	       (tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
	       TCPHDR_SYN &&
	       (state == L4LB_CONN_TIME_WAIT || state == L4LB_CONN_CLOSE ||
		state == L4LB_CONN_LAST_ACK);
}

/*
 * An ICMP error about a translated packet: the quoted packet left the
 * balancer translated, so its inverse is one of its row's tuples, and the
 * error travels in that tuple's direction. Translate it as a packet of that
 * direction (outer addresses) and restore the quoted packet to what its
 * sender sent, so the sender's stack matches it to its socket. This makes
 * path-MTU discovery and port-unreachable work end to end.
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

	/* The balancer's own errors (say, host unreachable for a client that
	 * does not answer ARP) come back over loopback: they are about the
	 * balancer's own forwarding, and the local stack may have them.
	 */
	if ((state->in->flags & IFF_LOOPBACK) ||
	    l4lb_nat_parse_icmp(skb, &inner))
		return NF_ACCEPT;
	t = (struct l4lb_tuple) {
		.saddr = inner.daddr,
		.daddr = inner.saddr,
		.sport = inner.dport,
		.dport = inner.sport,
		.proto = inner.proto,
	};
	th = l4lb_conn_find(ln->tab, &t);
	/* The error must go back to the quoted packet's sender. */
	if (!th || ip_hdr(skb)->daddr != inner.saddr)
		return NF_ACCEPT;
	conn = l4lb_tuplehash_to_conn(th);
	dir = th->tuple.dir;
	peer = &conn->th[!dir].tuple;

	if (l4lb_route(ln, skb, state, peer->saddr))
		return NF_DROP;
	inner = (struct l4lb_icmp_inner) {
		.saddr = peer->saddr,
		.daddr = peer->daddr,
		.sport = peer->sport,
		.dport = peer->dport,
		.proto = peer->proto,
	};
	if (l4lb_nat_rewrite_icmp(skb, peer->daddr, peer->saddr, &inner)) {
		l4lb_stats_inc(ln, L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	l4lb_stats_inc(ln, L4LB_ICMP);
	return NF_ACCEPT;
}

static unsigned int l4lb_hook_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct l4lb_net *ln = l4lb_pernet(state->net);
	const struct l4lb_tuple *peer;
	struct l4lb_tuple_hash *th;
	struct l4lb_service *svc;
	struct l4lb_conn *conn;
	struct l4lb_tuple t;
	const struct iphdr *iph;
	struct l4lb_l4 l4;
	enum l4lb_dir dir;
	unsigned int len;

	if (!READ_ONCE(ln->nsvc) || skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (iph->protocol == IPPROTO_ICMP)
		return l4lb_icmp_in(ln, skb, state);
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	if (unlikely(ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))) {
		/* Only without defragmentation: nothing to look up. */
		l4lb_stats_inc(ln, L4LB_FRAGMENT);
		return NF_ACCEPT;
	}
	if (l4lb_nat_parse(skb, &l4))
		return NF_ACCEPT;	/* not ours to judge; the stack drops it */

	t = (struct l4lb_tuple) {
		.saddr = iph->saddr,
		.daddr = iph->daddr,
		.sport = l4.sport,
		.dport = l4.dport,
		.proto = iph->protocol,
	};

	th = l4lb_conn_find(ln->tab, &t);
	if (th) {
		conn = l4lb_tuplehash_to_conn(th);
		dir = th->tuple.dir;
		if (unlikely(t.proto == IPPROTO_TCP &&
			     l4lb_conn_reusable(conn, dir, l4.tcp_flags))) {
			/* Port reuse: the old connection is over, so this SYN
			 * is scheduled afresh instead of being dropped.
			 */
			l4lb_conn_unlink(ln->tab, conn);
			th = NULL;
		}
	}

	if (!th) {
		svc = l4lb_service_find_rcu(ln, t.daddr, t.dport, t.proto);
		if (!svc)
			return NF_ACCEPT;
		if (t.proto == IPPROTO_TCP &&
		    (l4.tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) !=
		    TCPHDR_SYN) {
			/* No row and not a new connection (say, after a
			 * reload): never give it a backend. Passed on, so a
			 * local VIP answers with a RST.
			 */
			l4lb_stats_inc(ln, L4LB_STRAY);
			return NF_ACCEPT;
		}
		conn = l4lb_conn_new(ln, svc, skb, state, &t);
		if (IS_ERR(conn))
			return NF_DROP;
		dir = L4LB_DIR_ORIG;
	} else if (l4lb_route(ln, skb, state,
			      conn->th[!dir].tuple.saddr)) {
		return NF_DROP;
	}

	/* The packet becomes the inverse of the other direction's tuple. */
	peer = &conn->th[!dir].tuple;
	len = skb->len;
	if (l4lb_nat_rewrite(skb, peer->daddr, peer->dport,
			     peer->saddr, peer->sport)) {
		l4lb_stats_inc(ln, L4LB_DROP_MALFORMED);
		return NF_DROP;
	}
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);

	l4lb_conn_update(ln, conn, dir, l4.tcp_flags);
	l4lb_backend_account(conn->backend, dir == L4LB_DIR_ORIG, len);
	return NF_ACCEPT;
}

static const struct nf_hook_ops l4lb_hook_ops[] = {
	{
		.hook = l4lb_hook_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = L4LB_HOOK_PRIORITY,
	},
};

/**
 * l4lb_hooks_register() - start handling packets in a namespace
 * @ln: the namespace state, with its service and table set up
 *
 * Also enables IPv4 defragmentation in the namespace, so that l4lb sees
 * whole datagrams.
 *
 * Context: process, ln->lock held.
 * Return: 0 or a negative errno from the netfilter core.
 */
int l4lb_hooks_register(struct l4lb_net *ln)
{
	int err;

	err = nf_defrag_ipv4_enable(ln->net);
	if (err)
		return err;
	err = nf_register_net_hooks(ln->net, l4lb_hook_ops,
				    ARRAY_SIZE(l4lb_hook_ops));
	if (err)
		nf_defrag_ipv4_disable(ln->net);
	return err;
}

/**
 * l4lb_hooks_unregister() - stop handling packets in a namespace
 * @ln: the namespace state
 *
 * Waits until no CPU runs the hook any more.
 *
 * Context: process.
 */
void l4lb_hooks_unregister(struct l4lb_net *ln)
{
	nf_unregister_net_hooks(ln->net, l4lb_hook_ops,
				ARRAY_SIZE(l4lb_hook_ops));
	nf_defrag_ipv4_disable(ln->net);
}
