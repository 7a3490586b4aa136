// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: rewriting packets.
 *
 * Checksums are updated incrementally (RFC 1624) with the kernel's helpers,
 * as nf_nat does: the IP header checksum for the two addresses, the TCP/UDP
 * checksum for the pseudo-header addresses and the ports.
 * inet_proto_csum_replace*() keep CHECKSUM_PARTIAL packets (offloaded, or
 * GSO) right, where only the pseudo-header sum is in the checksum field,
 * and CHECKSUM_COMPLETE packets' skb->csum.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
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
	union {
		struct tcphdr tcp;
		struct udphdr udp;
	} _h;
	const struct tcphdr *th;
	int err;

	err = l4lb_nat_l4off(skb, &thoff, &hdrlen);
	if (err)
		return err;
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
	bool do_csum;

	if (skb_ensure_writable(skb, thoff + l4lb_l4_hdrlen(l4->proto)))
		return -ENOMEM;

	iph = ip_hdr(skb);
	ports = (__be16 *)(skb->data + thoff);
	if (l4->proto == IPPROTO_TCP) {
		check = &((struct tcphdr *)ports)->check;
		do_csum = true;
	} else {
		check = &((struct udphdr *)ports)->check;
		/* A zero UDP checksum means "none" and stays so. */
		do_csum = *check || skb->ip_summed == CHECKSUM_PARTIAL;
	}

	if (do_csum) {
		inet_proto_csum_replace4(check, skb, iph->saddr, saddr, true);
		inet_proto_csum_replace4(check, skb, iph->daddr, daddr, true);
		inet_proto_csum_replace2(check, skb, ports[0], sport, false);
		inet_proto_csum_replace2(check, skb, ports[1], dport, false);
		if (l4->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	ports[0] = sport;
	ports[1] = dport;

	csum_replace4(&iph->check, iph->saddr, saddr);
	csum_replace4(&iph->check, iph->daddr, daddr);
	iph->saddr = saddr;
	iph->daddr = daddr;
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
