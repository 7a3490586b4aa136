// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: rewriting packets.
 *
 * Checksums are updated incrementally (RFC 1624) with the kernel's helpers.
 * A TCP/UDP rewrite takes one difference for the two addresses, applied to
 * the IP header checksum and to the transport checksum's pseudo-header, and
 * one for the ports, as IPVS does. inet_proto_csum_replace*() keep
 * CHECKSUM_PARTIAL packets (offloaded, or GSO) right, where only the
 * pseudo-header sum is in the checksum field, and CHECKSUM_COMPLETE
 * packets' skb->csum.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "l4lb_nat.h"

static unsigned int l4lb_l4_hdrlen(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	default:
		return 0;
	}
}

/* Check the IP header and find the transport header; no writes. */
static int l4lb_nat_l4off(const struct sk_buff *skb, unsigned int *thoff,
			  unsigned int *hdrlen)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int ihl;

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph),
				 &_iph);
	if (!iph || iph->version != 4)
		return -EINVAL;
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return -EINVAL;
	*hdrlen = l4lb_l4_hdrlen(iph->protocol);
	if (!*hdrlen)
		return -EPROTONOSUPPORT;
	if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
		return -EINVAL;
	*thoff = skb_network_offset(skb) + ihl;
	if (*thoff + *hdrlen > skb->len)
		return -EINVAL;
	return 0;
}

/* The window scale option (RFC 7323) of a SYN, or 0xff. */
static u8 l4lb_nat_wscale(const struct sk_buff *skb, unsigned int thoff,
			  unsigned int doff)
{
	u8 _opts[MAX_TCP_OPTION_SPACE];
	unsigned int len = doff - sizeof(struct tcphdr), i = 0;
	const u8 *opt;

	opt = skb_header_pointer(skb, thoff + sizeof(struct tcphdr), len,
				 _opts);
	if (!opt)
		return 0xff;
	while (i < len) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == TCPOPT_WINDOW && opt[i + 1] == TCPOLEN_WINDOW)
			return min_t(u8, opt[i + 2], TCP_MAX_WSCALE);
		i += opt[i + 1];
	}
	return 0xff;
}

/* The TCP fields the row's state and window check need. A data offset
 * that does not fit the packet counts as a bare header.
 */
static void l4lb_nat_parse_tcp(const struct sk_buff *skb,
			       const struct tcphdr *th, struct l4lb_l4 *l4)
{
	unsigned int doff = th->doff * 4, payload = 0;

	if (doff < sizeof(*th) || l4->thoff + doff > skb->len)
		doff = sizeof(*th);
	else
		payload = skb->len - l4->thoff - doff;
	l4->tcp_flags = tcp_flag_byte(th);
	l4->seq = ntohl(th->seq);
	l4->ack = ntohl(th->ack_seq);
	l4->end = l4->seq + payload + !!th->syn + !!th->fin;
	l4->win = ntohs(th->window);
	l4->wscale = th->syn && doff > sizeof(*th) ?
		l4lb_nat_wscale(skb, l4->thoff, doff) : 0xff;
}

/* The transport header of @hdrlen bytes (TCP's or UDP's) at @thoff. */
static int l4lb_nat_parse_l4(const struct sk_buff *skb, unsigned int thoff,
			     unsigned int hdrlen, struct l4lb_l4 *l4)
{
	union {
		struct tcphdr tcp;
		struct udphdr udp;
	} _h;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, hdrlen, &_h);
	if (!th)
		return -EINVAL;
	/* The ports sit at the same offsets in TCP and UDP headers. */
	l4->sport = th->source;
	l4->dport = th->dest;
	l4->thoff = thoff;
	if (hdrlen == sizeof(struct tcphdr)) {
		l4->proto = IPPROTO_TCP;
		l4lb_nat_parse_tcp(skb, th, l4);
	} else {
		l4->proto = IPPROTO_UDP;
		l4->tcp_flags = 0;
	}
	return 0;
}

/**
 * l4lb_nat_parse() - read the ports and TCP flags of an IPv4 packet
 * @skb: the packet, network header set; may be non-linear
 * @l4: out
 *
 * Nothing is read beyond skb->len, whatever the headers claim.
 *
 * Context: any.
 * Return: 0; -EINVAL for a short or malformed IP header, a transport header
 * past the end, or a non-first fragment; -EPROTONOSUPPORT if not TCP/UDP.
 */
int l4lb_nat_parse(const struct sk_buff *skb, struct l4lb_l4 *l4)
{
	unsigned int thoff, hdrlen;
	int err;

	err = l4lb_nat_l4off(skb, &thoff, &hdrlen);
	if (err)
		return err;
	return l4lb_nat_parse_l4(skb, thoff, hdrlen, l4);
}

/**
 * l4lb_nat6_parse() - read the ports and TCP flags of an IPv6 packet
 * @skb: the packet, network header set; may be non-linear
 * @l4: out; @l4->proto is the transport protocol found
 *
 * Extension headers are skipped (ipv6_skip_exthdr()). Nothing is read
 * beyond skb->len, whatever the headers claim.
 *
 * Context: any.
 * Return: 0; -EINVAL for a short or malformed header chain, a transport
 * header past the end, or a non-first fragment; -EPROTONOSUPPORT if the
 * chain does not end in TCP or UDP.
 */
int l4lb_nat6_parse(const struct sk_buff *skb, struct l4lb_l4 *l4)
{
	unsigned int hdrlen;
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	__be16 frag_off;
	u8 nexthdr;
	int off;

	ip6h = skb_header_pointer(skb, skb_network_offset(skb),
				  sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	if (off < 0 || (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	hdrlen = l4lb_l4_hdrlen(nexthdr);
	if (!hdrlen)
		return -EPROTONOSUPPORT;
	if (off + hdrlen > skb->len)
		return -EINVAL;
	return l4lb_nat_parse_l4(skb, off, hdrlen, l4);
}

/*
 * The transport checksum of a writable TCP or UDP header at @ports, in
 * *@check; false if it is not to be updated: a zero UDP checksum means
 * "none" and stays so (in IPv6 too, where only tunnels may send it,
 * RFC 6935).
 */
static bool l4lb_nat_l4_check(const struct sk_buff *skb,
			      const struct l4lb_l4 *l4, __be16 *ports,
			      __sum16 **check)
{
	if (l4->proto == IPPROTO_TCP) {
		*check = &((struct tcphdr *)ports)->check;
		return true;
	}
	*check = &((struct udphdr *)ports)->check;
	return **check || skb->ip_summed == CHECKSUM_PARTIAL;
}

/* RFC 1624 eqn. 3: how a sum changes when the 32-bit word @from becomes @to. */
static __always_inline __wsum l4lb_csum_diff4(__wsum diff, __be32 from,
					      __be32 to)
{
	return csum_add(csum_sub(diff, (__force __wsum)from),
			(__force __wsum)to);
}

static __always_inline __wsum l4lb_csum_diff16(__wsum diff,
					       const struct in6_addr *from,
					       const struct in6_addr *to)
{
	int i;

	for (i = 0; i < 4; i++)
		diff = l4lb_csum_diff4(diff, from->s6_addr32[i],
				       to->s6_addr32[i]);
	return diff;
}

/*
 * Update the transport checksum at @check for the pseudo-header's change
 * @addr and the new ports, one update for each instead of one per field
 * (as IPVS's ip_vs_check_diff*() do). The ports are not in the
 * pseudo-header: a CHECKSUM_PARTIAL packet's check field leaves them to
 * the device, and CHECKSUM_COMPLETE's skb->csum does not change for them.
 * Nor does it for IPv6 addresses, whose change the check field's cancels
 * (@v6; see inet_proto_csum_replace16()); IPv4's header checksum makes
 * the sum change by the check field's.
 */
static void l4lb_nat_l4_csum(struct sk_buff *skb, const struct l4lb_l4 *l4,
			     __sum16 *check, const __be16 *ports, __wsum addr,
			     __be16 sport, __be16 dport, bool v6)
{
	__wsum pdiff;

	/* 16-bit words, zero-extended, as inet_proto_csum_replace2(). */
	pdiff = l4lb_csum_diff4(0, (__force __be32)ports[0],
				(__force __be32)sport);
	pdiff = l4lb_csum_diff4(pdiff, (__force __be32)ports[1],
				(__force __be32)dport);
	inet_proto_csum_replace_by_diff(check, skb, addr, true, v6);
	inet_proto_csum_replace_by_diff(check, skb, pdiff, false, false);
	if (l4->proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/**
 * l4lb_nat_rewrite() - set both addresses and ports of a TCP/UDP packet
 * @skb: the packet, network header set; may be cloned or non-linear
 * @l4: what l4lb_nat_parse() found in it
 * @saddr: new source address, network byte order
 * @sport: new source port, network byte order
 * @daddr: new destination address, network byte order
 * @dport: new destination port, network byte order
 *
 * Only the IP and transport headers are made writable (skb_ensure_writable),
 * not the payload.
 *
 * Context: any.
 * Return: 0, or -ENOMEM if the headers could not be made writable; the
 * packet is then unchanged.
 */
int l4lb_nat_rewrite(struct sk_buff *skb, const struct l4lb_l4 *l4,
		     __be32 saddr, __be16 sport, __be32 daddr, __be16 dport)
{
	unsigned int thoff = l4->thoff;
	struct iphdr *iph;
	__sum16 *check;
	__be16 *ports;
	__wsum addr;

	if (skb_ensure_writable(skb, thoff + l4lb_l4_hdrlen(l4->proto)))
		return -ENOMEM;

	iph = ip_hdr(skb);
	ports = (__be16 *)(skb->data + thoff);
	addr = l4lb_csum_diff4(l4lb_csum_diff4(0, iph->saddr, saddr),
			       iph->daddr, daddr);
	if (l4lb_nat_l4_check(skb, l4, ports, &check))
		l4lb_nat_l4_csum(skb, l4, check, ports, addr, sport, dport,
				 false);
	ports[0] = sport;
	ports[1] = dport;

	csum_replace_by_diff(&iph->check, addr);
	iph->saddr = saddr;
	iph->daddr = daddr;
	return 0;
}

/**
 * l4lb_nat6_rewrite() - set both addresses and ports of a TCP/UDP IPv6 packet
 * @skb: the packet, network header set; may be cloned or non-linear
 * @l4: what l4lb_nat6_parse() found in it
 * @saddr: new source address
 * @sport: new source port, network byte order
 * @daddr: new destination address
 * @dport: new destination port, network byte order
 *
 * As l4lb_nat_rewrite(), with the IPv6 pseudo-header (RFC 8200 8.1) in the
 * transport checksum; IPv6 has no header checksum. A zero UDP checksum,
 * which IPv6 forbids but for tunnels (RFC 6935), is left zero.
 *
 * Context: any.
 * Return: 0, or -ENOMEM if the headers could not be made writable; the
 * packet is then unchanged.
 */
int l4lb_nat6_rewrite(struct sk_buff *skb, const struct l4lb_l4 *l4,
		      const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport)
{
	unsigned int thoff = l4->thoff;
	struct ipv6hdr *ip6h;
	__sum16 *check;
	__be16 *ports;
	__wsum addr;

	if (skb_ensure_writable(skb, thoff + l4lb_l4_hdrlen(l4->proto)))
		return -ENOMEM;

	ip6h = ipv6_hdr(skb);
	ports = (__be16 *)(skb->data + thoff);
	if (l4lb_nat_l4_check(skb, l4, ports, &check)) {
		addr = l4lb_csum_diff16(l4lb_csum_diff16(0, &ip6h->saddr, saddr),
					&ip6h->daddr, daddr);
		l4lb_nat_l4_csum(skb, l4, check, ports, addr, sport, dport,
				 true);
	}
	ports[0] = sport;
	ports[1] = dport;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	return 0;
}

/* Where the quoted packet starts in an ICMP error, and its header length. */
static int l4lb_icmp_inner_off(const struct sk_buff *skb, unsigned int *ioff,
			       struct iphdr *iiph)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct icmphdr *ih;
	struct icmphdr _ih;
	const struct iphdr *p;

	if (iph->protocol != IPPROTO_ICMP || (iph->frag_off & htons(IP_OFFSET)))
		return -EINVAL;
	ih = skb_header_pointer(skb, skb_network_offset(skb) + iph->ihl * 4,
				sizeof(_ih), &_ih);
	if (!ih)
		return -EINVAL;
	if (ih->type != ICMP_DEST_UNREACH && ih->type != ICMP_TIME_EXCEEDED &&
	    ih->type != ICMP_PARAMETERPROB)
		return -EPROTONOSUPPORT;
	*ioff = skb_network_offset(skb) + iph->ihl * 4 + sizeof(_ih);
	p = skb_header_pointer(skb, *ioff, sizeof(*iiph), iiph);
	if (!p)
		return -EINVAL;
	if (p != iiph)
		memcpy(iiph, p, sizeof(*iiph));
	if (iiph->version != 4 || iiph->ihl < 5 ||
	    (iiph->frag_off & htons(IP_OFFSET)))
		return -EINVAL;
	if (iiph->protocol != IPPROTO_TCP && iiph->protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	return 0;
}

/**
 * l4lb_nat_parse_icmp() - read the packet quoted by an ICMP error
 * @skb: an IPv4 ICMP packet, network header set; may be non-linear
 * @inner: out, the quoted packet's addresses, ports and protocol
 *
 * Only destination-unreachable, time-exceeded and parameter-problem errors
 * about TCP or UDP packets are of interest. The quoted transport header is
 * read as far as its ports only (the 8 bytes every router must quote).
 *
 * Context: any.
 * Return: 0; -EPROTONOSUPPORT for another ICMP type or quoted protocol;
 * -EINVAL for a truncated or malformed packet.
 */
int l4lb_nat_parse_icmp(const struct sk_buff *skb,
			struct l4lb_icmp_inner *inner)
{
	unsigned int ioff;
	struct iphdr iiph;
	__be16 _ports[2];
	const __be16 *ports;
	int err;

	err = l4lb_icmp_inner_off(skb, &ioff, &iiph);
	if (err)
		return err;
	ports = skb_header_pointer(skb, ioff + iiph.ihl * 4, sizeof(_ports),
				   _ports);
	if (!ports)
		return -EINVAL;
	inner->saddr = iiph.saddr;
	inner->daddr = iiph.daddr;
	inner->sport = ports[0];
	inner->dport = ports[1];
	inner->proto = iiph.protocol;
	return 0;
}

/**
 * l4lb_nat_rewrite_icmp() - translate an ICMP error and the packet it quotes
 * @skb: the ICMP error, as accepted by l4lb_nat_parse_icmp()
 * @saddr: new outer source address, network byte order
 * @daddr: new outer destination address, network byte order
 * @inner: the new addresses and ports of the quoted packet
 *
 * The quoted IP header checksum is updated, and so is the quoted transport
 * checksum when the quote reaches it. The ICMP checksum is then computed
 * afresh over the whole message, and the outer IP checksum updated.
 *
 * Context: any.
 * Return: 0; the errors of l4lb_nat_parse_icmp(); -ENOMEM if the packet
 * could not be made writable. The packet is unchanged on error.
 */
int l4lb_nat_rewrite_icmp(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			  const struct l4lb_icmp_inner *inner)
{
	unsigned int ioff, thoff, ihl, cksum_off;
	struct iphdr iiph_copy, *iph, *iiph;
	struct icmphdr *ih;
	__be16 *ports;
	__sum16 *check = NULL;
	int err;

	err = l4lb_icmp_inner_off(skb, &ioff, &iiph_copy);
	if (err)
		return err;
	thoff = ioff + iiph_copy.ihl * 4;
	if (thoff + 2 * sizeof(__be16) > skb->len)
		return -EINVAL;
	/* Make the whole message writable: its checksum covers all of it. */
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;

	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	ih = (struct icmphdr *)(skb_network_header(skb) + ihl);
	iiph = (struct iphdr *)(skb->data + ioff);
	ports = (__be16 *)(skb->data + thoff);

	cksum_off = iiph->protocol == IPPROTO_TCP ?
		offsetof(struct tcphdr, check) : offsetof(struct udphdr, check);
	if (thoff + cksum_off + sizeof(__sum16) <= skb->len) {
		check = (__sum16 *)(skb->data + thoff + cksum_off);
		if (iiph->protocol == IPPROTO_UDP && !*check)
			check = NULL;
	}
	if (check) {
		csum_replace4(check, iiph->saddr, inner->saddr);
		csum_replace4(check, iiph->daddr, inner->daddr);
		csum_replace2(check, ports[0], inner->sport);
		csum_replace2(check, ports[1], inner->dport);
		/* 0 would mean "no checksum" in UDP. */
		if (iiph->protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	ports[0] = inner->sport;
	ports[1] = inner->dport;
	csum_replace4(&iiph->check, iiph->saddr, inner->saddr);
	csum_replace4(&iiph->check, iiph->daddr, inner->daddr);
	iiph->saddr = inner->saddr;
	iiph->daddr = inner->daddr;

	ih->checksum = 0;
	ih->checksum = csum_fold(skb_checksum(skb, skb_network_offset(skb) +
					      ihl, skb->len - ihl -
					      skb_network_offset(skb), 0));
	skb->ip_summed = CHECKSUM_NONE;

	csum_replace4(&iph->check, iph->saddr, saddr);
	csum_replace4(&iph->check, iph->daddr, daddr);
	iph->saddr = saddr;
	iph->daddr = daddr;
	return 0;
}

/*
 * Where the ICMPv6 header of an error starts (*@icmpoff), and where the
 * transport header of the packet it quotes does (*@ithoff), with that
 * packet's protocol (*@iproto) and IPv6 header (*@iip6h).
 */
static int l4lb_icmp6_inner_off(const struct sk_buff *skb,
				unsigned int *icmpoff, unsigned int *ithoff,
				u8 *iproto, struct ipv6hdr *iip6h)
{
	const struct ipv6hdr *p;
	struct icmp6hdr _ih;
	const struct icmp6hdr *ih;
	__be16 frag_off;
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	unsigned int ioff;
	int off;

	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 ||
	    (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return -EINVAL;
	if (ih->icmp6_type != ICMPV6_DEST_UNREACH &&
	    ih->icmp6_type != ICMPV6_PKT_TOOBIG &&
	    ih->icmp6_type != ICMPV6_TIME_EXCEED &&
	    ih->icmp6_type != ICMPV6_PARAMPROB)
		return -EPROTONOSUPPORT;
	*icmpoff = off;
	ioff = off + sizeof(_ih);
	p = skb_header_pointer(skb, ioff, sizeof(*iip6h), iip6h);
	if (!p)
		return -EINVAL;
	if (p != iip6h)
		memcpy(iip6h, p, sizeof(*iip6h));
	if (iip6h->version != 6)
		return -EINVAL;
	nexthdr = iip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, ioff + sizeof(*iip6h), &nexthdr, &frag_off);
	if (off < 0 || (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (off + 2 * sizeof(__be16) > skb->len)
		return -EINVAL;
	*ithoff = off;
	*iproto = nexthdr;
	return 0;
}

/**
 * l4lb_nat6_parse_icmp() - read the packet quoted by an ICMPv6 error
 * @skb: an IPv6 packet, network header set; may be non-linear
 * @inner: out, the quoted packet's addresses, ports and protocol
 *
 * Only Destination Unreachable, Packet Too Big, Time Exceeded and
 * Parameter Problem (RFC 4443) about TCP or UDP packets are of interest;
 * neighbour discovery and echo are not. Extension headers are skipped in
 * both the error and the quoted packet.
 *
 * Context: any.
 * Return: 0; -EPROTONOSUPPORT for another ICMPv6 type or quoted protocol;
 * -EINVAL for a packet that is not ICMPv6, or is truncated or malformed.
 */
int l4lb_nat6_parse_icmp(const struct sk_buff *skb,
			 struct l4lb_icmp6_inner *inner)
{
	unsigned int icmpoff, ithoff;
	struct ipv6hdr iip6h;
	__be16 _ports[2];
	const __be16 *ports;
	u8 proto;
	int err;

	err = l4lb_icmp6_inner_off(skb, &icmpoff, &ithoff, &proto, &iip6h);
	if (err)
		return err;
	ports = skb_header_pointer(skb, ithoff, sizeof(_ports), _ports);
	if (!ports)
		return -EINVAL;
	inner->saddr = iip6h.saddr;
	inner->daddr = iip6h.daddr;
	inner->sport = ports[0];
	inner->dport = ports[1];
	inner->proto = proto;
	return 0;
}

/* Replace the 16 bytes @from by @to under a plain checksum. */
static void l4lb_csum_replace16(__sum16 *check, const struct in6_addr *from,
				const struct in6_addr *to)
{
	int i;

	for (i = 0; i < 4; i++)
		csum_replace4(check, from->s6_addr32[i], to->s6_addr32[i]);
}

/**
 * l4lb_nat6_rewrite_icmp() - translate an ICMPv6 error and what it quotes
 * @skb: the error, as accepted by l4lb_nat6_parse_icmp()
 * @saddr: new outer source address
 * @daddr: new outer destination address
 * @inner: the new addresses and ports of the quoted packet
 *
 * The quoted transport checksum is updated when the quote reaches it; the
 * ICMPv6 checksum, which covers a pseudo-header (RFC 4443 2.3), is then
 * computed afresh over the whole message.
 *
 * Context: any.
 * Return: 0; the errors of l4lb_nat6_parse_icmp(); -ENOMEM if the packet
 * could not be made writable. The packet is unchanged on error.
 */
int l4lb_nat6_rewrite_icmp(struct sk_buff *skb, const struct in6_addr *saddr,
			   const struct in6_addr *daddr,
			   const struct l4lb_icmp6_inner *inner)
{
	unsigned int icmpoff, ithoff, ioff, cksum_off, len;
	struct ipv6hdr iip6h_copy, *ip6h, *iip6h;
	struct icmp6hdr *ih;
	__sum16 *check = NULL;
	__be16 *ports;
	u8 proto;
	int err;

	err = l4lb_icmp6_inner_off(skb, &icmpoff, &ithoff, &proto,
				   &iip6h_copy);
	if (err)
		return err;
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;

	ip6h = ipv6_hdr(skb);
	ih = (struct icmp6hdr *)(skb->data + icmpoff);
	ioff = icmpoff + sizeof(*ih);
	iip6h = (struct ipv6hdr *)(skb->data + ioff);
	ports = (__be16 *)(skb->data + ithoff);

	cksum_off = proto == IPPROTO_TCP ? offsetof(struct tcphdr, check) :
					   offsetof(struct udphdr, check);
	if (ithoff + cksum_off + sizeof(__sum16) <= skb->len) {
		check = (__sum16 *)(skb->data + ithoff + cksum_off);
		if (proto == IPPROTO_UDP && !*check)
			check = NULL;
	}
	if (check) {
		l4lb_csum_replace16(check, &iip6h->saddr, &inner->saddr);
		l4lb_csum_replace16(check, &iip6h->daddr, &inner->daddr);
		csum_replace2(check, ports[0], inner->sport);
		csum_replace2(check, ports[1], inner->dport);
		if (proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	ports[0] = inner->sport;
	ports[1] = inner->dport;
	iip6h->saddr = inner->saddr;
	iip6h->daddr = inner->daddr;

	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	len = skb->len - icmpoff;
	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = csum_ipv6_magic(saddr, daddr, len, IPPROTO_ICMPV6,
					  skb_checksum(skb, icmpoff, len, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}
