// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: passing the client's address to backends.
 *
 * PROXY protocol (HAProxy's proxy-protocol.txt): the header goes in front
 * of the client's first byte, so the backend's view of the client's stream
 * is the client's, shifted by the header's length from the client's first
 * byte on (ISN + 1). Client->backend segments have their sequence number
 * shifted up; backend->client segments have their acknowledgment number
 * and SACK blocks (RFC 2018) shifted down, an acknowledgment inside the
 * header becoming ISN + 1. The backend's own stream is untouched. This is
 * the sequence adjustment of nf_nat_helper.c and ip_vs_app.c with one
 * fixed insertion at a known place.
 *
 * TOA (LVS FULLNAT, DPVS): a TCP option, kind 254, length 8, carrying the
 * client's port and IPv4 address, put on the client's first segments.
 * It has no IPv6 form, and IPv6 packets never get it.
 *
 * Both families: the packet's version says which; the TCP header is found
 * past the IPv4 options or the IPv6 extension headers; lengths go in the
 * IPv4 total length (and header checksum) or the IPv6 payload length;
 * checksums computed afresh use the family's pseudo-header.
 *
 * In-place rewrites update the TCP checksum incrementally (RFC 1624) with
 * inet_proto_csum_replace*() and the pseudo-header flag false: the sum over
 * the segment does not change, so CHECKSUM_PARTIAL (the check field holds
 * only the pseudo-header sum) and CHECKSUM_COMPLETE skbs stay right.
 * Insertions change the length: see each function.
 *
 * All sequence arithmetic is modulo 2^32 (before()/after(), RFC 793).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "l4lb_clientaddr.h"

static_assert(sizeof(struct l4lb_clientaddr_state) == 8);
static_assert(L4LB_PP_MAXLEN <= U8_MAX);
static_assert(L4LB_PP_V2_LEN6 <= L4LB_PP_MAXLEN);

/* The longest TCP header: 15 words. */
#define L4LB_TCP_HDR_MAX	(sizeof(struct tcphdr) + MAX_TCP_OPTION_SPACE)

/* The 12-byte signature of PROXY protocol v2 (proxy-protocol.txt 2.2). */
static const u8 l4lb_pp_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define L4LB_PP_V2_CMD_PROXY	0x21	/* version 2, PROXY */
#define L4LB_PP_V2_TCP4		0x11	/* AF_INET, STREAM */
#define L4LB_PP_V2_TCP6		0x21	/* AF_INET6, STREAM */
#define L4LB_PP_V2_ADDR_LEN	12	/* two IPv4 addresses, two ports */
#define L4LB_PP_V2_ADDR6_LEN	36	/* two IPv6 addresses, two ports */

/*
 * The v2 header: the 16-byte header with family byte @fam and @alen bytes
 * of addresses, then @saddr, @daddr (@alen / 2 - 2 bytes each) and the
 * ports. @size has been checked.
 */
static int l4lb_pp_v2(u8 *buf, u8 fam, unsigned int alen, const void *saddr,
		      __be16 sport, const void *daddr, __be16 dport)
{
	unsigned int a = alen / 2 - 2;

	memcpy(buf, l4lb_pp_v2_sig, sizeof(l4lb_pp_v2_sig));
	buf[12] = L4LB_PP_V2_CMD_PROXY;
	buf[13] = fam;
	put_unaligned_be16(alen, buf + 14);
	memcpy(buf + 16, saddr, a);
	memcpy(buf + 16 + a, daddr, a);
	memcpy(buf + 16 + 2 * a, &sport, 2);
	memcpy(buf + 18 + 2 * a, &dport, 2);
	return 16 + alen;
}

/* The v1 line in @line (@len bytes, from scnprintf()) copied to @buf. */
static int l4lb_pp_v1(u8 *buf, unsigned int size, const char *line, int len)
{
	if ((unsigned int)len > size)
		return -ENOSPC;
	memcpy(buf, line, len);
	return len;
}

/**
 * l4lb_pp_build() - write a PROXY protocol header for a TCP/IPv4 connection
 * @buf: where to write it
 * @size: room in @buf, bytes
 * @version: 1 (text) or 2 (binary)
 * @saddr: the client's address, network byte order
 * @sport: the client's port, network byte order
 * @daddr: the address the client connected to (the VIP), network byte order
 * @dport: the port the client connected to, network byte order
 *
 * Version 2 is the 16-byte header (signature, 0x21 PROXY, 0x11 TCP over
 * IPv4, length 12) followed by the addresses and ports, 28 bytes
 * (proxy-protocol.txt 2.2). Version 1 is the line
 * "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", at most 107 bytes, not
 * NUL-terminated (proxy-protocol.txt 2.1).
 *
 * Context: any.
 * Return: the header's length in bytes; -EINVAL for another version;
 * -ENOSPC if @size is too small (@buf is then undefined).
 */
int l4lb_pp_build(u8 *buf, unsigned int size, u8 version, __be32 saddr,
		  __be16 sport, __be32 daddr, __be16 dport)
{
	char line[L4LB_PP_V1_MAXLEN + 1];

	switch (version) {
	case 2:
		if (size < L4LB_PP_V2_LEN)
			return -ENOSPC;
		return l4lb_pp_v2(buf, L4LB_PP_V2_TCP4, L4LB_PP_V2_ADDR_LEN,
				  &saddr, sport, &daddr, dport);
	case 1:
		return l4lb_pp_v1(buf, size, line,
				  scnprintf(line, sizeof(line),
					    "PROXY TCP4 %pI4 %pI4 %u %u\r\n",
					    &saddr, &daddr, ntohs(sport),
					    ntohs(dport)));
	default:
		return -EINVAL;
	}
}

/**
 * l4lb_pp_build6() - write a PROXY protocol header for a TCP/IPv6 connection
 * @buf: where to write it
 * @size: room in @buf, bytes
 * @version: 1 (text) or 2 (binary)
 * @saddr: the client's address
 * @sport: the client's port, network byte order
 * @daddr: the address the client connected to (the VIP)
 * @dport: the port the client connected to, network byte order
 *
 * Version 2 is the 16-byte header (signature, 0x21 PROXY, 0x21 TCP over
 * IPv6, length 36) followed by the two 16-byte addresses and the ports,
 * 52 bytes (proxy-protocol.txt 2.2). Version 1 is the line
 * "PROXY TCP6 <src> <dst> <sport> <dport>\r\n", the addresses in RFC 5952
 * text (%pI6c), at most 104 bytes, not NUL-terminated (proxy-protocol.txt
 * 2.1).
 *
 * Context: any.
 * Return: the header's length in bytes; -EINVAL for another version;
 * -ENOSPC if @size is too small (@buf is then undefined).
 */
int l4lb_pp_build6(u8 *buf, unsigned int size, u8 version,
		   const struct in6_addr *saddr, __be16 sport,
		   const struct in6_addr *daddr, __be16 dport)
{
	char line[L4LB_PP_V1_MAXLEN + 1];

	switch (version) {
	case 2:
		if (size < L4LB_PP_V2_LEN6)
			return -ENOSPC;
		return l4lb_pp_v2(buf, L4LB_PP_V2_TCP6, L4LB_PP_V2_ADDR6_LEN,
				  saddr, sport, daddr, dport);
	case 1:
		return l4lb_pp_v1(buf, size, line,
				  scnprintf(line, sizeof(line),
					    "PROXY TCP6 %pI6c %pI6c %u %u\r\n",
					    saddr, daddr, ntohs(sport),
					    ntohs(dport)));
	default:
		return -EINVAL;
	}
}

/**
 * l4lb_ca_init() - start the state of a connection
 * @st: the state
 * @isn: the sequence number of the client's SYN, host byte order
 * @hlen: the PROXY header's length in bytes (l4lb_pp_build()), 0 for TOA
 *
 * Context: any; before the state is shared.
 */
void l4lb_ca_init(struct l4lb_clientaddr_state *st, u32 isn, u8 hlen)
{
	st->isn1 = isn + 1;
	st->hlen = hlen;
	st->flags = 0;
	st->mss = 0;
}

/**
 * l4lb_pp_seq_to_backend() - a client sequence number as the backend sees it
 * @st: the connection's state
 * @seq: a sequence number of the client's stream, client's space, host
 *	byte order
 *
 * Context: any.
 * Return: @seq before the client's first byte, else @seq plus the header's
 * length (mod 2^32).
 */
u32 l4lb_pp_seq_to_backend(const struct l4lb_clientaddr_state *st, u32 seq)
{
	return before(seq, st->isn1) ? seq : seq + st->hlen;
}

/**
 * l4lb_pp_seq_to_client() - a sequence number of the backend's space back
 * @st: the connection's state
 * @seq: a sequence number of the client's stream as the backend sees it
 *	(an ack, a SACK edge, a quoted sequence number), host byte order
 *
 * Context: any.
 * Return: @seq before the header; ISN + 1 inside the header (none of the
 * client's bytes is covered yet); else @seq less the header's length
 * (mod 2^32).
 */
u32 l4lb_pp_seq_to_client(const struct l4lb_clientaddr_state *st, u32 seq)
{
	if (before(seq, st->isn1))
		return seq;
	if (before(seq, st->isn1 + st->hlen))
		return st->isn1;
	return seq - st->hlen;
}

/**
 * l4lb_ca_note_ack() - learn from a backend's acknowledgment
 * @st: the connection's state
 * @ack: the acknowledgment number of a backend->client segment with ACK
 *	set, backend's space, host byte order
 *
 * Sets L4LB_CA_F_ACKED once the backend acknowledges the whole PROXY
 * header (or, for TOA, any of the client's bytes): from then on no
 * segment needs the header or the option.
 *
 * Context: any; lockless (see struct l4lb_clientaddr_state).
 */
void l4lb_ca_note_ack(struct l4lb_clientaddr_state *st, u32 ack)
{
	if (READ_ONCE(st->flags) & L4LB_CA_F_ACKED)
		return;
	if (!before(ack, st->isn1 + (st->hlen ?: 1)))
		WRITE_ONCE(st->flags, st->flags | L4LB_CA_F_ACKED);
}

/**
 * l4lb_pp_carry() - decide what a client->backend segment needs
 * @st: the connection's state
 * @seq: its sequence number, client's space, host byte order
 * @tcp_flags: its flag byte (TCPHDR_*)
 *
 * The header is carried by every segment that starts at the client's first
 * byte, while the backend has not acknowledged the header: the pure ACK
 * that completes the handshake (so a server that speaks first gets the
 * header without waiting for client data), the first data segment, a FIN
 * with nothing before it, and their retransmissions, each once. Identical
 * bytes at an identical place, so copies the backend already has are
 * dropped as duplicates by its TCP. A SYN is left as is; a RST is never
 * given a payload, only shifted.
 *
 * Context: any.
 * Return: an enum l4lb_pp_verdict.
 */
enum l4lb_pp_verdict l4lb_pp_carry(const struct l4lb_clientaddr_state *st,
				   u32 seq, u8 tcp_flags)
{
	if ((tcp_flags & TCPHDR_SYN) || before(seq, st->isn1))
		return L4LB_PP_ASIS;
	if (seq == st->isn1 && !(tcp_flags & TCPHDR_RST) &&
	    (tcp_flags & TCPHDR_ACK) &&
	    !(READ_ONCE(st->flags) & L4LB_CA_F_ACKED))
		return L4LB_PP_CARRY;
	return L4LB_PP_SHIFT;
}

/* --- TCP headers and checksums --------------------------------------------- */

/* Is @skb an IPv6 packet? By its network header's version. */
static bool l4lb_ca_v6(const struct sk_buff *skb)
{
	return ip_hdr(skb)->version == 6;
}

/*
 * Where the TCP header of an IPv4 or IPv6 packet starts, its offset from
 * skb->data: after the IPv4 header and its options, or after the IPv6
 * header and any extension headers (ipv6_skip_exthdr()). The IP header is
 * in the linear area, at the network header. @frag, if not NULL, tells
 * whether the packet is a fragment (a first one; any other is refused).
 * Returns 0, -EPROTONOSUPPORT (not TCP) or -EINVAL (a non-first fragment,
 * truncated extension headers).
 */
static int l4lb_ca_thoff(const struct sk_buff *skb, unsigned int *thoff,
			 bool *frag)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (!l4lb_ca_v6(skb)) {
		if (iph->protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		if (iph->frag_off & htons(IP_OFFSET))
			return -EINVAL;
		*thoff = skb_network_offset(skb) + iph->ihl * 4;
		if (frag)
			*frag = ip_is_fragment(iph);
		return 0;
	}
	nexthdr = ipv6_hdr(skb)->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	if (nexthdr != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	*thoff = off;
	if (frag)
		*frag = frag_off & htons(IP6_OFFSET | IP6_MF);
	return 0;
}

/*
 * The TCP header of an IPv4 or IPv6 packet (l4lb_ca_thoff()), checked
 * against skb->len and made writable with its options. Returns it and its
 * offset from skb->data, or an ERR_PTR: -EPROTONOSUPPORT (not TCP),
 * -EINVAL (truncated, or a non-first fragment), -ENOMEM.
 */
static struct tcphdr *l4lb_ca_tcp_writable(struct sk_buff *skb,
					   unsigned int *thoff)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int off, doff;
	int err;

	err = l4lb_ca_thoff(skb, &off, NULL);
	if (err)
		return ERR_PTR(err);
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th)
		return ERR_PTR(-EINVAL);
	doff = th->doff * 4;
	if (doff < sizeof(*th) || off + doff > skb->len)
		return ERR_PTR(-EINVAL);
	if (skb_ensure_writable(skb, off + doff))
		return ERR_PTR(-ENOMEM);
	*thoff = off;
	return (struct tcphdr *)(skb->data + off);
}

/*
 * A copy of the TCP header and its options, nothing written; @frag as
 * for l4lb_ca_thoff().
 */
static int l4lb_ca_tcp_read(const struct sk_buff *skb, unsigned int *thoff,
			    u8 *buf, bool *frag)
{
	const struct tcphdr *th;
	unsigned int off, doff;
	int err;

	err = l4lb_ca_thoff(skb, &off, frag);
	if (err)
		return err;
	if (skb_copy_bits(skb, off, buf, sizeof(*th)))
		return -EINVAL;
	th = (const struct tcphdr *)buf;
	doff = th->doff * 4;
	if (doff < sizeof(*th) || off + doff > skb->len ||
	    skb_copy_bits(skb, off + sizeof(*th), buf + sizeof(*th),
			  doff - sizeof(*th)))
		return -EINVAL;
	*thoff = off;
	return 0;
}

/*
 * The most bytes an IP packet may have from its network header on: an
 * IPv4 total length, or an IPv6 header and the largest payload length
 * (no jumbograms, RFC 2675).
 */
static unsigned int l4lb_ca_ip_max(const struct sk_buff *skb)
{
	return l4lb_ca_v6(skb) ? sizeof(struct ipv6hdr) + IPV6_MAXPLEN :
				 IP_MAX_MTU;
}

/*
 * Set the IP length field to the packet's length from its network header
 * (@skb->len less the network offset): IPv4's total length and header
 * checksum (incrementally), or IPv6's payload length (no checksum).
 */
static void l4lb_ca_ip_set_len(struct sk_buff *skb)
{
	unsigned int len = skb->len - skb_network_offset(skb);
	struct iphdr *iph = ip_hdr(skb);
	__be16 new;

	if (l4lb_ca_v6(skb)) {
		ipv6_hdr(skb)->payload_len =
			htons(len - sizeof(struct ipv6hdr));
		return;
	}
	new = htons(len);
	csum_replace2(&iph->check, iph->tot_len, new);
	iph->tot_len = new;
}

/* A 32-bit field of the TCP header set, the checksum updated. */
static void l4lb_ca_set32(struct sk_buff *skb, struct tcphdr *th,
			  __be32 *field, u32 val)
{
	__be32 new = htonl(val);

	inet_proto_csum_replace4(&th->check, skb, *field, new, false);
	*field = new;
}

/*
 * Overwrite @len bytes at offset @off of the TCP header with @val, the
 * checksum updated. @off may be odd: the sum is taken over the 16-bit words
 * of the TCP header that the bytes touch.
 */
static void l4lb_ca_opt_write(struct sk_buff *skb, struct tcphdr *th,
			      unsigned int off, const void *val,
			      unsigned int len)
{
	unsigned int lo = off & ~1u, hi = ALIGN(off + len, 2);
	u8 *p = (u8 *)th;
	__wsum diff;

	diff = ~csum_partial(p + lo, hi - lo, 0);
	memcpy(p + off, val, len);
	diff = csum_add(diff, csum_partial(p + lo, hi - lo, 0));
	inet_proto_csum_replace_by_diff(&th->check, skb, diff, false, false);
}

/*
 * Walk the options in @opt (@len bytes): calls @fn for each option with a
 * valid length, stops at EOL or a malformed length. Returns the offset where
 * the walk stopped (@len if it ran to the end, else the EOL's or the bad
 * option's).
 */
static unsigned int l4lb_ca_opts_walk(const u8 *opt, unsigned int len,
				      void (*fn)(unsigned int off, u8 kind,
						 u8 olen, void *arg),
				      void *arg)
{
	unsigned int i = 0;

	while (i < len) {
		if (opt[i] == TCPOPT_EOL)
			return i;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return i;
		if (fn)
			fn(i, opt[i], opt[i + 1], arg);
		i += opt[i + 1];
	}
	return len;
}

/* --- PROXY protocol: the sequence shift ------------------------------------ */

/**
 * l4lb_pp_fix_seq() - shift a client->backend segment's sequence number
 * @skb: the segment, IPv4 or IPv6 header linear; may be cloned, non-linear,
 *	CHECKSUM_PARTIAL
 * @st: the connection's state
 *
 * The sequence number becomes l4lb_pp_seq_to_backend() of itself. The
 * acknowledgment number and SACK blocks refer to the backend's stream and
 * stay. TCP checksum updated incrementally (RFC 1624).
 *
 * Context: any.
 * Return: 0; -EPROTONOSUPPORT, -EINVAL for a packet that is not a
 * complete TCP header; -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_pp_fix_seq(struct sk_buff *skb,
		    const struct l4lb_clientaddr_state *st)
{
	unsigned int thoff;
	struct tcphdr *th;
	u32 seq;

	th = l4lb_ca_tcp_writable(skb, &thoff);
	if (IS_ERR(th))
		return PTR_ERR(th);
	seq = ntohl(th->seq);
	if (l4lb_pp_seq_to_backend(st, seq) != seq)
		l4lb_ca_set32(skb, th, &th->seq,
			      l4lb_pp_seq_to_backend(st, seq));
	return 0;
}

struct l4lb_ca_sack_ctx {
	struct sk_buff *skb;
	struct tcphdr *th;
	const struct l4lb_clientaddr_state *st;
};

static void l4lb_ca_sack_one(unsigned int off, u8 kind, u8 olen, void *arg)
{
	struct l4lb_ca_sack_ctx *c = arg;
	unsigned int i, at;
	u8 *p = (u8 *)c->th;
	u32 old, new;
	__be32 wire;

	if (kind != TCPOPT_SACK || olen < TCPOLEN_SACK_BASE +
	    TCPOLEN_SACK_PERBLOCK ||
	    (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK)
		return;
	/* Both edges of each block: start, end. */
	for (i = TCPOLEN_SACK_BASE; i < olen; i += 4) {
		at = sizeof(struct tcphdr) + off + i;
		old = get_unaligned_be32(p + at);
		new = l4lb_pp_seq_to_client(c->st, old);
		if (new == old)
			continue;
		wire = htonl(new);
		l4lb_ca_opt_write(c->skb, c->th, at, &wire, sizeof(wire));
	}
}

/**
 * l4lb_pp_fix_ack() - shift a backend->client segment's acknowledgments
 * @skb: the segment, IPv4 or IPv6 header linear; may be cloned, non-linear,
 *	CHECKSUM_PARTIAL
 * @st: the connection's state; L4LB_CA_F_ACKED is set in it once the
 *	header is acknowledged (l4lb_ca_note_ack())
 *
 * With ACK set, the acknowledgment number becomes l4lb_pp_seq_to_client()
 * of itself, and so does each edge of the SACK option's blocks (kind 5,
 * RFC 2018), as nf_nat_sack_adjust() does for its helpers. The sequence
 * number is the backend's and stays. TCP checksum updated incrementally
 * (RFC 1624), for edges at any offset.
 *
 * Context: any.
 * Return: 0; -EPROTONOSUPPORT, -EINVAL for a packet that is not a
 * complete TCP header; -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_pp_fix_ack(struct sk_buff *skb, struct l4lb_clientaddr_state *st)
{
	struct l4lb_ca_sack_ctx c = { .skb = skb, .st = st };
	unsigned int thoff;
	struct tcphdr *th;
	u32 ack;

	th = l4lb_ca_tcp_writable(skb, &thoff);
	if (IS_ERR(th))
		return PTR_ERR(th);
	if (!th->ack)
		return 0;
	ack = ntohl(th->ack_seq);
	l4lb_ca_note_ack(st, ack);
	if (l4lb_pp_seq_to_client(st, ack) != ack)
		l4lb_ca_set32(skb, th, &th->ack_seq,
			      l4lb_pp_seq_to_client(st, ack));
	c.th = th;
	l4lb_ca_opts_walk((u8 *)(th + 1), th->doff * 4 - sizeof(*th),
			  l4lb_ca_sack_one, &c);
	return 0;
}

/**
 * l4lb_pp_clamp_win() - keep a backend's window within its buffer while
 *	the PROXY header is unacknowledged
 * @skb: a backend->client segment, before l4lb_pp_fix_ack() (its
 *	acknowledgment number still the backend's); IP header linear; may
 *	be cloned, non-linear, CHECKSUM_PARTIAL
 * @st: the connection's state
 * @wshift: the window scale the backend's window field is shifted by
 *	(RFC 7323 2.2): its SYN's wscale if both SYNs offered one, else 0;
 *	ignored on a SYN-ACK, whose window is never scaled
 *
 * The backend's window starts at its acknowledgment number. While that is
 * inside the header, l4lb_pp_fix_ack() shows the client ISN + 1 instead,
 * so the client would see the window's right edge up to the header's
 * length too far on, and could send past what the backend's buffer
 * holds. The window field is lowered by the header bytes not yet
 * acknowledged (rounded up to the scale's unit, never below 0), so the
 * right edge the client sees is at or before the backend's: it never
 * moves back later (RFC 9293 3.8.6 asks the receiver not to shrink the
 * window), since once the header is acknowledged the shift is exact.
 * Nothing changes for an acknowledgment outside the header. TCP checksum
 * updated incrementally (RFC 1624).
 *
 * Context: any.
 * Return: 0; -EPROTONOSUPPORT, -EINVAL for a packet that is not a
 * complete TCP header; -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_pp_clamp_win(struct sk_buff *skb,
		      const struct l4lb_clientaddr_state *st, u8 wshift)
{
	unsigned int thoff;
	struct tcphdr *th;
	u32 ack, cut;
	u16 win;
	__be16 new;

	th = l4lb_ca_tcp_writable(skb, &thoff);
	if (IS_ERR(th))
		return PTR_ERR(th);
	if (!th->ack)
		return 0;
	ack = ntohl(th->ack_seq);
	if (before(ack, st->isn1) || !before(ack, st->isn1 + st->hlen))
		return 0;
	if (th->syn)
		wshift = 0;
	cut = DIV_ROUND_UP(st->isn1 + st->hlen - ack,
			   1U << min_t(u8, wshift, TCP_MAX_WSCALE));
	win = ntohs(th->window);
	new = htons(win > cut ? win - cut : 0);
	inet_proto_csum_replace2(&th->check, skb, th->window, new, false);
	th->window = new;
	return 0;
}

/*
 * The ICMP (ICMPv6) error's checksum field at @ckoff and its quoted TCP
 * header at @qoff (both from skb->data): the quoted sequence number back
 * in the client's space, both checksums updated.
 */
static int l4lb_pp_fix_quote(struct sk_buff *skb, unsigned int ckoff,
			     unsigned int qoff,
			     const struct l4lb_clientaddr_state *st)
{
	unsigned int end = qoff + offsetofend(struct tcphdr, seq);
	struct tcphdr *qth;
	__sum16 *check;
	__be32 old, new;

	if (end > skb->len)
		return 0;
	/* The quoted checksum too, if it is there. */
	if (qoff + offsetofend(struct tcphdr, check) <= skb->len)
		end = qoff + offsetofend(struct tcphdr, check);
	if (skb_ensure_writable(skb, end))
		return -ENOMEM;
	check = (__sum16 *)(skb->data + ckoff);
	qth = (struct tcphdr *)(skb->data + qoff);
	old = qth->seq;
	new = htonl(l4lb_pp_seq_to_client(st, ntohl(old)));
	if (old == new)
		return 0;
	if (end == qoff + offsetofend(struct tcphdr, check)) {
		__sum16 oldc = qth->check;

		csum_replace4(&qth->check, old, new);
		csum_replace2(check, (__force __be16)oldc,
			      (__force __be16)qth->check);
	}
	csum_replace4(check, old, new);
	qth->seq = new;
	return 0;
}

/* The checksum and quote offsets of an ICMPv6 error quoting TCP. */
static int l4lb_pp_icmp6_offs(const struct sk_buff *skb, unsigned int *ckoff,
			      unsigned int *qoff)
{
	struct ipv6hdr _iip6h;
	const struct ipv6hdr *iip6h;
	__be16 frag_off;
	unsigned int ioff;
	u8 nexthdr;
	int off;

	nexthdr = ipv6_hdr(skb)->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 ||
	    (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	*ckoff = off + offsetof(struct icmp6hdr, icmp6_cksum);
	ioff = off + sizeof(struct icmp6hdr);
	iip6h = skb_header_pointer(skb, ioff, sizeof(_iip6h), &_iip6h);
	if (!iip6h || iip6h->version != 6)
		return -EINVAL;
	nexthdr = iip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, ioff + sizeof(*iip6h), &nexthdr,
			       &frag_off);
	if (off < 0 || nexthdr != IPPROTO_TCP ||
	    (frag_off & htons(IP6_OFFSET)))
		return -EINVAL;
	*qoff = off;
	return 0;
}

/**
 * l4lb_pp_fix_icmp() - restore the sequence number an ICMP error quotes
 * @skb: an ICMP or ICMPv6 error about a client->backend segment, already
 *	translated by l4lb_nat_rewrite_icmp() (the quote holds the backend's
 *	view of the client's stream); IP header linear
 * @st: the connection's state
 *
 * The quoted sequence number becomes l4lb_pp_seq_to_client() of itself, so
 * the client's stack matches the error to what it sent. The ICMP checksum
 * and, when the quote holds it, the quoted TCP checksum are updated
 * incrementally (RFC 1624); the sum over the ICMP message does not change,
 * so skb->csum stays right. In an ICMPv6 error, extension headers may
 * precede the ICMPv6 header, and the quoted TCP header (ipv6_skip_exthdr()).
 *
 * Context: any.
 * Return: 0 (also when the quote is too short to hold the sequence
 * number); -EINVAL if not an ICMP error quoting TCP; -ENOMEM.
 */
int l4lb_pp_fix_icmp(struct sk_buff *skb,
		     const struct l4lb_clientaddr_state *st)
{
	unsigned int ckoff, ioff;
	struct iphdr _iiph;
	const struct iphdr *iiph;

	if (l4lb_ca_v6(skb)) {
		if (l4lb_pp_icmp6_offs(skb, &ckoff, &ioff))
			return -EINVAL;
		return l4lb_pp_fix_quote(skb, ckoff, ioff, st);
	}
	if (ip_hdr(skb)->protocol != IPPROTO_ICMP)
		return -EINVAL;
	ckoff = skb_network_offset(skb) + ip_hdrlen(skb);
	ioff = ckoff + sizeof(struct icmphdr);
	ckoff += offsetof(struct icmphdr, checksum);
	iiph = skb_header_pointer(skb, ioff, sizeof(_iiph), &_iiph);
	if (!iiph || iiph->protocol != IPPROTO_TCP || iiph->ihl < 5)
		return -EINVAL;
	return l4lb_pp_fix_quote(skb, ckoff, ioff + iiph->ihl * 4, st);
}

/* --- PROXY protocol: the header in the stream ------------------------------ */

/* The TCP checksum of @len bytes from @thoff with the pseudo-header of
 * the packet's family (RFC 9293 3.1, RFC 8200 8.1), folded; @sum is the
 * sum over the segment.
 */
static __sum16 l4lb_ca_tcp_magic(const struct sk_buff *skb, unsigned int len,
				 __wsum sum)
{
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;

	if (l4lb_ca_v6(skb)) {
		ip6h = ipv6_hdr(skb);
		return csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
				       IPPROTO_TCP, sum);
	}
	iph = ip_hdr(skb);
	return csum_tcpudp_magic(iph->saddr, iph->daddr, len, IPPROTO_TCP, sum);
}

/* The TCP checksum of the whole segment, afresh: the field holds the
 * pseudo-header sum for CHECKSUM_PARTIAL, else the full checksum and the
 * skb becomes CHECKSUM_NONE (skb->csum no longer covers it).
 */
static void l4lb_ca_tcp_csum(struct sk_buff *skb, unsigned int thoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int len = skb->len - thoff;

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		th->check = ~l4lb_ca_tcp_magic(skb, len, 0);
		return;
	}
	th->check = 0;
	th->check = l4lb_ca_tcp_magic(skb, len, skb_checksum(skb, thoff, len, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

/**
 * l4lb_pp_insert() - put the PROXY header in front of a segment's payload
 * @skb: a client->backend segment starting at the client's first byte
 *	(l4lb_pp_carry() said L4LB_PP_CARRY); IPv4 or IPv6 header linear
 * @hdr: the header (l4lb_pp_build(), l4lb_pp_build6())
 * @hlen: its length, bytes
 * @mss: the most payload the backend accepts in one segment, bytes (the MSS
 *	it announced, or less)
 *
 * The segment's sequence number stays (the header takes the client's first
 * sequence numbers); its payload grows by @hlen. The packet is linearized
 * and grown at its tail, the payload moved, the header copied in; the IPv4
 * total length and header checksum, or the IPv6 payload length, are
 * updated, the TCP checksum computed afresh with the pseudo-header of the
 * packet's family (for CHECKSUM_PARTIAL: the pseudo-header sum; otherwise
 * the skb becomes CHECKSUM_NONE). A GSO packet is never grown.
 *
 * Context: any; allocates with GFP_ATOMIC.
 * Return: 0; -EMSGSIZE if the payload would exceed @mss or the IP length
 * field, or the packet is GSO: the caller then sends the header in a
 * segment of its own (l4lb_pp_segment()) and shifts this one
 * (l4lb_pp_fix_seq()); -EPROTONOSUPPORT, -EINVAL for a packet that is not
 * a complete TCP header, or an IP fragment (the module defragments
 * first); -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_pp_insert(struct sk_buff *skb, const u8 *hdr, unsigned int hlen,
		   unsigned int mss)
{
	u8 buf[L4LB_TCP_HDR_MAX];
	unsigned int thoff, off, paylen;
	bool frag;
	int err;

	err = l4lb_ca_tcp_read(skb, &thoff, buf, &frag);
	if (err)
		return err;
	if (frag)
		return -EINVAL;
	off = thoff + ((struct tcphdr *)buf)->doff * 4;
	paylen = skb->len - off;
	if (skb_is_gso(skb) || paylen + hlen > mss ||
	    skb->len - skb_network_offset(skb) + hlen > l4lb_ca_ip_max(skb))
		return -EMSGSIZE;
	if (skb_linearize_cow(skb))
		return -ENOMEM;
	if (skb_tailroom(skb) < hlen &&
	    pskb_expand_head(skb, 0, hlen - skb_tailroom(skb), GFP_ATOMIC))
		return -ENOMEM;

	skb_put(skb, hlen);
	memmove(skb->data + off + hlen, skb->data + off, paylen);
	memcpy(skb->data + off, hdr, hlen);
	l4lb_ca_ip_set_len(skb);
	l4lb_ca_tcp_csum(skb, thoff);
	return 0;
}

/**
 * l4lb_pp_segment() - a segment carrying only the PROXY header
 * @skb: the client->backend segment that should have carried it, already
 *	translated (addresses, ports) but not shifted; IPv4 or IPv6 header
 *	linear
 * @hdr: the header (l4lb_pp_build(), l4lb_pp_build6())
 * @hlen: its length, bytes
 * @gfp: allocation flags
 *
 * A copy of @skb's IP and TCP headers, TCP options included, with @hdr as
 * the payload: the same sequence number (the client's first byte) and
 * acknowledgment, flags ACK and PSH only, checksums fresh (CHECKSUM_NONE).
 * IPv4: the IP options and the IP id are kept. IPv6: the IPv6 header
 * (traffic class, flow label, hop limit) without @skb's extension headers,
 * which are the client's (a jumbo option of a local BIG TCP packet, for
 * one) and not for a segment of the balancer's own. The new skb has
 * @skb's protocol, device, mark, priority and route (dst), so it can leave
 * the same way; sending it, before @skb, is the caller's job, and so is
 * shifting @skb (l4lb_pp_fix_seq()).
 *
 * Context: any (with a matching @gfp).
 * Return: the new skb, or NULL on a malformed @skb, an IP fragment, or no
 * memory.
 */
struct sk_buff *l4lb_pp_segment(const struct sk_buff *skb, const u8 *hdr,
				unsigned int hlen, gfp_t gfp)
{
	u8 buf[L4LB_TCP_HDR_MAX];
	unsigned int thoff, doff, noff, nthoff;
	struct sk_buff *nskb;
	struct iphdr *iph;
	struct tcphdr *th;
	bool frag;

	if (l4lb_ca_tcp_read(skb, &thoff, buf, &frag) || frag)
		return NULL;
	doff = ((struct tcphdr *)buf)->doff * 4;
	noff = skb_network_offset(skb);
	/* IPv4: everything up to the TCP header; IPv6: the fixed header. */
	nthoff = l4lb_ca_v6(skb) ? noff + sizeof(struct ipv6hdr) : thoff;
	nskb = alloc_skb(LL_MAX_HEADER + nthoff + doff + hlen, gfp);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, LL_MAX_HEADER);
	if (skb_copy_bits(skb, 0, skb_put(nskb, nthoff), nthoff)) {
		kfree_skb(nskb);
		return NULL;
	}
	skb_put_data(nskb, buf, doff);
	skb_put_data(nskb, hdr, hlen);
	skb_set_network_header(nskb, noff);
	skb_set_transport_header(nskb, nthoff);
	nskb->protocol = skb->protocol;
	nskb->dev = skb->dev;
	nskb->mark = skb->mark;
	nskb->priority = skb->priority;
	skb_dst_copy(nskb, skb);

	if (l4lb_ca_v6(nskb)) {
		ipv6_hdr(nskb)->nexthdr = IPPROTO_TCP;
		l4lb_ca_ip_set_len(nskb);
	} else {
		iph = ip_hdr(nskb);
		iph->tot_len = htons(nskb->len - noff);
		iph->frag_off &= htons(IP_DF);
		ip_send_check(iph);
	}

	th = (struct tcphdr *)(nskb->data + nthoff);
	th->fin = 0;
	th->syn = 0;
	th->rst = 0;
	th->urg = 0;
	th->urg_ptr = 0;
	th->ack = 1;
	th->psh = 1;
	nskb->ip_summed = CHECKSUM_NONE;
	l4lb_ca_tcp_csum(nskb, nthoff);
	return nskb;
}

/**
 * l4lb_tcp_syn_trim() - drop the data of a SYN (TCP Fast Open, RFC 7413)
 * @skb: a client->backend SYN, IPv4 or IPv6 header linear; may be cloned,
 *	non-linear, GSO, CHECKSUM_PARTIAL
 *
 * For PROXY protocol the header must be the first bytes of the stream, but
 * a SYN's data would reach the backend before it. The data is cut off: the
 * backend's SYN-ACK then acknowledges the SYN alone, and the client sends
 * the data again after the handshake (RFC 7413 4.2.2), where it is
 * shifted behind the header. The options, a Fast Open cookie included,
 * stay. The IPv4 total length and header checksum, or the IPv6 payload
 * length, are updated; the TCP checksum computed afresh (for
 * CHECKSUM_PARTIAL the pseudo-header sum, otherwise the skb becomes
 * CHECKSUM_NONE); a GSO skb stops being one.
 *
 * Context: any; may allocate with GFP_ATOMIC.
 * Return: the number of data bytes dropped, 0 if there were none;
 * -EINVAL if not a SYN, not a complete TCP header, or an IP fragment;
 * -EPROTONOSUPPORT; -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_tcp_syn_trim(struct sk_buff *skb)
{
	u8 buf[L4LB_TCP_HDR_MAX];
	unsigned int thoff, end, cut;
	bool frag;
	int err;

	err = l4lb_ca_tcp_read(skb, &thoff, buf, &frag);
	if (err)
		return err;
	if (!((struct tcphdr *)buf)->syn || frag)
		return -EINVAL;
	end = thoff + ((struct tcphdr *)buf)->doff * 4;
	cut = skb->len - end;
	if (!cut)
		return 0;
	if (skb_ensure_writable(skb, end) || pskb_trim(skb, end))
		return -ENOMEM;
	if (skb_is_gso(skb))
		skb_gso_reset(skb);
	l4lb_ca_ip_set_len(skb);
	l4lb_ca_tcp_csum(skb, thoff);
	return cut;
}

/* --- TOA -------------------------------------------------------------------- */

/**
 * l4lb_toa_wanted() - whether a client->backend segment gets the TOA option
 * @st: the connection's state
 * @seq: the segment's sequence number, host byte order
 * @tcp_flags: its flag byte (TCPHDR_*)
 *
 * The option goes on the segment that completes the handshake and on the
 * first data segment: the segments with ACK, without SYN or RST, at the
 * client's first byte, until the backend acknowledges some of the client's
 * data (retransmissions get it again, as LVS FULLNAT does).
 *
 * Context: any.
 * Return: true if l4lb_toa_insert() should be called.
 */
bool l4lb_toa_wanted(const struct l4lb_clientaddr_state *st, u32 seq,
		     u8 tcp_flags)
{
	return (tcp_flags & (TCPHDR_ACK | TCPHDR_SYN | TCPHDR_RST)) ==
	       TCPHDR_ACK && seq == st->isn1 &&
	       !(READ_ONCE(st->flags) & L4LB_CA_F_ACKED);
}

/**
 * l4lb_toa_insert() - add the TOA option to a TCP segment
 * @skb: the segment, IPv4 header linear; may be cloned, non-linear, GSO,
 *	CHECKSUM_PARTIAL; not IPv6
 * @addr: the client's address, network byte order
 * @port: the client's port, network byte order
 * @mtu: the most bytes an IP packet (each GSO segment) may have
 *
 * The option (kind 254, length 8, then @port and @addr, as LVS FULLNAT's
 * and DPVS's toa modules read it) is put after the existing options, before
 * an EOL if there is one. The headers in front of it (link-layer header
 * included, if set) move 8 bytes towards the head, so the payload stays
 * where it is. IP total length and header checksum are updated; the TCP
 * checksum incrementally (RFC 1624): for CHECKSUM_PARTIAL only its
 * pseudo-header length; a CHECKSUM_COMPLETE skb becomes CHECKSUM_NONE.
 *
 * Context: any; allocates with GFP_ATOMIC.
 * Return: 0; -ENOSPC if the data offset would exceed 15 words (60 bytes)
 * or the packet @mtu (the caller sends it without and counts it);
 * -EPROTONOSUPPORT for an IPv6 packet (TOA has no IPv6 form: LVS and DPVS
 * read an IPv4 address) or one that is not TCP; -EINVAL for a packet that
 * is not a complete TCP header, or an IP fragment; -ENOMEM. The packet's
 * bytes are unchanged on error.
 */
int l4lb_toa_insert(struct sk_buff *skb, __be32 addr, __be16 port,
		    unsigned int mtu)
{
	u8 buf[L4LB_TCP_HDR_MAX], opt[L4LB_TOA_LEN];
	unsigned int thoff, noff, doff, pos, iplen, at;
	int start, err;
	struct tcphdr *th;
	struct iphdr *iph;
	__be16 oldw, oldlen;
	bool frag;

	/* LVS's option carries an IPv4 address: it has no IPv6 form. */
	if (l4lb_ca_v6(skb))
		return -EPROTONOSUPPORT;
	err = l4lb_ca_tcp_read(skb, &thoff, buf, &frag);
	if (err)
		return err;
	if (frag)
		return -EINVAL;
	doff = ((struct tcphdr *)buf)->doff * 4;
	if (doff + L4LB_TOA_LEN > L4LB_TCP_HDR_MAX)
		return -ENOSPC;
	iplen = skb->len - skb_network_offset(skb);
	if (skb_is_gso(skb))
		iplen = thoff - skb_network_offset(skb) + doff +
			skb_shinfo(skb)->gso_size;
	if (iplen + L4LB_TOA_LEN > mtu ||
	    skb->len - skb_network_offset(skb) + L4LB_TOA_LEN > IP_MAX_MTU)
		return -ENOSPC;
	pos = sizeof(struct tcphdr) +
	      l4lb_ca_opts_walk(buf + sizeof(struct tcphdr),
				doff - sizeof(struct tcphdr), NULL, NULL);

	/* Move everything before the insertion point (after the last
	 * option, before an EOL if any), from the link-layer header if it is
	 * set in front of the packet; the payload stays.
	 */
	noff = skb_network_offset(skb);
	start = 0;
	if (skb_mac_header_was_set(skb) && skb_mac_offset(skb) < 0)
		start = skb_mac_offset(skb);
	if (skb_ensure_writable(skb, thoff + doff) ||
	    skb_cow_head(skb, L4LB_TOA_LEN - start))
		return -ENOMEM;
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;

	at = thoff + pos;
	skb_push(skb, L4LB_TOA_LEN);
	memmove(skb->data + start, skb->data + L4LB_TOA_LEN + start,
		at - start);
	if (skb_mac_header_was_set(skb))
		skb_set_mac_header(skb, skb_mac_offset(skb) - L4LB_TOA_LEN);
	skb_set_network_header(skb, noff);
	skb_set_transport_header(skb, thoff);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb->csum_start -= L4LB_TOA_LEN;

	opt[0] = L4LB_TOA_KIND;
	opt[1] = L4LB_TOA_LEN;
	memcpy(opt + 2, &port, 2);
	memcpy(opt + 4, &addr, 4);
	memcpy(skb->data + at, opt, L4LB_TOA_LEN);

	iph = ip_hdr(skb);
	th = (struct tcphdr *)(skb->data + thoff);
	oldw = ((__be16 *)th)[6];	/* data offset and flags */
	th->doff += L4LB_TOA_LEN / 4;
	inet_proto_csum_replace2(&th->check, skb, oldw, ((__be16 *)th)[6],
				 false);
	inet_proto_csum_replace_by_diff(&th->check, skb,
					csum_block_add(0, csum_partial(opt, L4LB_TOA_LEN, 0),
						       pos),
					false, false);
	oldlen = htons(skb->len - thoff - L4LB_TOA_LEN);
	inet_proto_csum_replace2(&th->check, skb, oldlen,
				 htons(skb->len - thoff), true);

	csum_replace2(&iph->check, iph->tot_len,
		      htons(ntohs(iph->tot_len) + L4LB_TOA_LEN));
	iph->tot_len = htons(ntohs(iph->tot_len) + L4LB_TOA_LEN);
	return 0;
}

/* --- MSS -------------------------------------------------------------------- */

static void l4lb_ca_find_mss(unsigned int off, u8 kind, u8 olen, void *arg)
{
	int *at = arg;

	if (kind == TCPOPT_MSS && olen == TCPOLEN_MSS && *at < 0)
		*at = off;
}

/**
 * l4lb_tcp_mss_reduce() - lower the MSS option of a SYN or SYN-ACK
 * @skb: the segment, IPv4 or IPv6 header linear; may be cloned, non-linear,
 *	CHECKSUM_PARTIAL
 * @by: bytes to take off, host byte order; 0 only reads the option
 *
 * For TOA: the MSS the backend announces in its SYN-ACK is lowered by
 * L4LB_TOA_LEN, so the client's full-sized segments still fit the path
 * with the option added. Never below TCP_MIN_MSS (an MSS already below it
 * stays). TCP checksum updated incrementally (RFC 1624), the option at any
 * offset. For PROXY protocol, @by 0 reads the backend's MSS
 * (l4lb_clientaddr_state.mss).
 *
 * Context: any.
 * Return: the MSS the option held before, bytes (> 0); -ENOENT for a SYN
 * without an MSS option (the peer then assumes 536, RFC 9293 3.7.1);
 * -EINVAL if not a SYN, for an MSS of 0, or not a complete TCP header;
 * -EPROTONOSUPPORT; -ENOMEM. The packet's bytes are unchanged on error.
 */
int l4lb_tcp_mss_reduce(struct sk_buff *skb, u16 by)
{
	u8 buf[L4LB_TCP_HDR_MAX];
	unsigned int thoff, doff;
	struct tcphdr *th;
	u16 mss, new;
	__be16 wire;
	int at = -1, err;

	err = l4lb_ca_tcp_read(skb, &thoff, buf, NULL);
	if (err)
		return err;
	th = (struct tcphdr *)buf;
	if (!th->syn)
		return -EINVAL;
	doff = th->doff * 4;
	l4lb_ca_opts_walk(buf + sizeof(*th), doff - sizeof(*th),
			  l4lb_ca_find_mss, &at);
	if (at < 0)
		return -ENOENT;
	at += sizeof(*th);
	mss = get_unaligned_be16(buf + at + 2);
	new = mss > TCP_MIN_MSS + by ? mss - by : min_t(u16, mss, TCP_MIN_MSS);
	if (new == mss)
		return mss ?: -EINVAL;
	th = l4lb_ca_tcp_writable(skb, &thoff);
	if (IS_ERR(th))
		return PTR_ERR(th);
	wire = htons(new);
	l4lb_ca_opt_write(skb, th, at + 2, &wire, sizeof(wire));
	return mss;
}
