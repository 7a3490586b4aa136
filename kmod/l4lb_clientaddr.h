/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: passing the client's address to backends (issue #16): the PROXY
 * protocol header and the sequence shift it causes, and the TOA option.
 *
 * Pure packet work: no services, no NAT table. The caller keeps one
 * struct l4lb_clientaddr_state per connection that uses it, and calls,
 * after the addresses and ports are rewritten:
 *
 *  client's SYN:       l4lb_ca_init(), with the PROXY header's length
 *                      (l4lb_pp_build(), l4lb_pp_build6()) or 0 for
 *                      TOA, and L4LB_CA_F_V2 for v2; PROXY: every
 *                      client SYN through l4lb_tcp_syn_trim()
 *  backend's SYN-ACK:  st->mss = l4lb_tcp_mss_reduce(skb, TOA ? 8 : 0)
 *  client -> backend:  PROXY: l4lb_pp_carry(); CARRY: l4lb_pp_insert(),
 *                      on -EMSGSIZE l4lb_pp_segment() sent first, then
 *                      l4lb_pp_fix_seq(); SHIFT: l4lb_pp_fix_seq().
 *                      TOA: l4lb_toa_wanted(), l4lb_toa_insert().
 *  backend -> client:  PROXY: l4lb_pp_clamp_win(), then l4lb_pp_fix_ack();
 *                      TOA: l4lb_ca_note_ack()
 *  ICMP error quoting a client -> backend segment: l4lb_pp_fix_icmp()
 *
 * Each packet function takes an IPv4 or an IPv6 packet (by the version of
 * its network header) and finds the TCP header itself, past any IPv6
 * extension headers. TOA has no IPv6 form: l4lb_toa_insert() refuses
 * IPv6 packets.
 */
#ifndef _L4LB_CLIENTADDR_H
#define _L4LB_CLIENTADDR_H

#include <linux/bits.h>
#include <linux/in6.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/* PROXY protocol header lengths, bytes (proxy-protocol.txt 2.1, 2.2). */
#define L4LB_PP_V2_LEN		28	/* 16-byte header + 12 for TCP4 */
#define L4LB_PP_V2_LEN6		52	/* 16-byte header + 36 for TCP6 */
#define L4LB_PP_V1_MAXLEN	107	/* the longest line, CRLF included */
#define L4LB_PP_MAXLEN		L4LB_PP_V1_MAXLEN

/* The TOA option of LVS FULLNAT and DPVS: kind, length, port, IPv4. */
#define L4LB_TOA_KIND		254
#define L4LB_TOA_LEN		8

/* l4lb_clientaddr_state.flags */
#define L4LB_CA_F_ACKED		BIT(0)	/* the backend acked the header */
#define L4LB_CA_F_V2		BIT(1)	/* the header is PROXY protocol v2 */

/**
 * struct l4lb_clientaddr_state - per connection state (8 bytes)
 * @isn1: the client's initial sequence number plus one: the sequence
 *	number of its first byte, and of the PROXY header towards the
 *	backend; host byte order
 * @hlen: length of the PROXY header in bytes, which is also the shift of
 *	the client's sequence space towards the backend; 0 for TOA
 * @flags: L4LB_CA_F_*; read and set locklessly (READ_ONCE/WRITE_ONCE):
 *	they only ever go from clear to set, and acting on a stale clear
 *	flag is harmless (a header sent again is discarded by the backend's
 *	TCP as a duplicate of bytes it holds). L4LB_CA_F_V2 is set before
 *	the state is shared, by its owner: a v1 line of an IPv6 connection
 *	can have the length of a v2 header, so @hlen does not tell.
 * @mss: the MSS the backend announced in its SYN-ACK, bytes, host byte
 *	order, as l4lb_tcp_mss_reduce() returns it; 0 until seen. The most
 *	payload a segment carrying the PROXY header may have. Written by
 *	the backend's (retransmitted) SYN-ACKs, read by the client's first
 *	segments, without a lock: WRITE_ONCE/READ_ONCE.
 *
 * It is meant to live in an extension of the row, allocated only for the
 * connections of services that pass the client's address.
 */
struct l4lb_clientaddr_state {
	u32 isn1;
	u8 hlen;
	u8 flags;
	u16 mss;
};

/**
 * enum l4lb_pp_verdict - what to do with a client->backend segment
 * @L4LB_PP_ASIS: it precedes the client's first byte (the SYN): unchanged
 * @L4LB_PP_SHIFT: shift its sequence number (l4lb_pp_fix_seq())
 * @L4LB_PP_CARRY: it starts the stream and the header may not have
 *	reached the backend: put the header in front of its payload
 *	(l4lb_pp_insert()), sequence number unchanged
 */
enum l4lb_pp_verdict {
	L4LB_PP_ASIS,
	L4LB_PP_SHIFT,
	L4LB_PP_CARRY,
};

int l4lb_pp_build(u8 *buf, unsigned int size, u8 version, __be32 saddr,
		  __be16 sport, __be32 daddr, __be16 dport);
int l4lb_pp_build6(u8 *buf, unsigned int size, u8 version,
		   const struct in6_addr *saddr, __be16 sport,
		   const struct in6_addr *daddr, __be16 dport);
void l4lb_ca_init(struct l4lb_clientaddr_state *st, u32 isn, u8 hlen);
u32 l4lb_pp_seq_to_backend(const struct l4lb_clientaddr_state *st, u32 seq);
u32 l4lb_pp_seq_to_client(const struct l4lb_clientaddr_state *st, u32 seq);
void l4lb_ca_note_ack(struct l4lb_clientaddr_state *st, u32 ack);
enum l4lb_pp_verdict l4lb_pp_carry(const struct l4lb_clientaddr_state *st,
				   u32 seq, u8 tcp_flags);
int l4lb_pp_fix_seq(struct sk_buff *skb,
		    const struct l4lb_clientaddr_state *st);
int l4lb_pp_fix_ack(struct sk_buff *skb, struct l4lb_clientaddr_state *st);
int l4lb_pp_clamp_win(struct sk_buff *skb,
		      const struct l4lb_clientaddr_state *st, u8 wshift);
int l4lb_tcp_syn_trim(struct sk_buff *skb);
int l4lb_pp_fix_icmp(struct sk_buff *skb,
		     const struct l4lb_clientaddr_state *st);
int l4lb_pp_insert(struct sk_buff *skb, const u8 *hdr, unsigned int hlen,
		   unsigned int mss);
struct sk_buff *l4lb_pp_segment(const struct sk_buff *skb, const u8 *hdr,
				unsigned int hlen, gfp_t gfp);
bool l4lb_toa_wanted(const struct l4lb_clientaddr_state *st, u32 seq,
		     u8 tcp_flags);
int l4lb_toa_insert(struct sk_buff *skb, __be32 addr, __be16 port,
		    unsigned int mtu);
int l4lb_tcp_mss_reduce(struct sk_buff *skb, u16 by);

#endif /* _L4LB_CLIENTADDR_H */
