/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: rewriting packets (the DNAT and SNAT halves of full NAT).
 */
#ifndef _L4LB_NAT_H
#define _L4LB_NAT_H

#include <linux/in6.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/**
 * struct l4lb_l4 - what the packet path needs of a transport header
 * @sport: source port, network byte order
 * @dport: destination port, network byte order
 * @thoff: offset of the transport header from skb->data, in bytes
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @tcp_flags: TCP flag byte (TCPHDR_*), 0 for UDP
 * @wscale: TCP: the window scale option of a SYN, 0-14, or 0xff if it has
 *	none or is not a SYN
 * @win: TCP: the window field, unscaled, host byte order
 * @seq: TCP: the sequence number, host byte order
 * @ack: TCP: the acknowledgment number, host byte order (whatever the
 *	field holds when ACK is not set)
 * @end: TCP: the sequence number after the segment: @seq plus its payload,
 *	SYN and FIN
 */
struct l4lb_l4 {
	__be16 sport;
	__be16 dport;
	u16 thoff;
	u8 proto;
	u8 tcp_flags;
	u8 wscale;
	u16 win;
	u32 seq;
	u32 ack;
	u32 end;
};

/**
 * struct l4lb_icmp_inner - the packet quoted in an ICMP error
 * @saddr: its source address, network byte order
 * @daddr: its destination address, network byte order
 * @sport: its source port, network byte order
 * @dport: its destination port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 */
struct l4lb_icmp_inner {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
};

/**
 * struct l4lb_icmp6_inner - the packet quoted in an ICMPv6 error
 * @saddr: its source address
 * @daddr: its destination address
 * @sport: its source port, network byte order
 * @dport: its destination port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 */
struct l4lb_icmp6_inner {
	struct in6_addr saddr;
	struct in6_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
};

int l4lb_nat_parse(const struct sk_buff *skb, struct l4lb_l4 *l4);
int l4lb_nat6_parse(const struct sk_buff *skb, struct l4lb_l4 *l4);
int l4lb_nat6_rewrite(struct sk_buff *skb, const struct l4lb_l4 *l4,
		      const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport);
int l4lb_nat6_parse_icmp(const struct sk_buff *skb,
			 struct l4lb_icmp6_inner *inner);
int l4lb_nat6_rewrite_icmp(struct sk_buff *skb, const struct in6_addr *saddr,
			   const struct in6_addr *daddr,
			   const struct l4lb_icmp6_inner *inner);
int l4lb_nat_parse_icmp(const struct sk_buff *skb,
			struct l4lb_icmp_inner *inner);
int l4lb_nat_rewrite_icmp(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			  const struct l4lb_icmp_inner *inner);
int l4lb_nat_rewrite(struct sk_buff *skb, const struct l4lb_l4 *l4,
		     __be32 saddr, __be16 sport, __be32 daddr, __be16 dport);

#endif /* _L4LB_NAT_H */
