/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pktforge.h - what the test apps that forge a packet into a live flow
 * (rstinject, icmpinject) share: their SRC SPORT DST DPORT arguments, the
 * wait for a packet of the flow (AF_PACKET), and the Internet checksum
 * (RFC 1071).
 */
#ifndef PKTFORGE_H
#define PKTFORGE_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

/*
 * The one's complement of the one's complement sum of @len bytes at @buf,
 * plus @sum (a partial sum, host order, e.g. of a pseudo-header; 0 if
 * none). Returned in network byte order, ready to store in a header.
 */
static inline unsigned short inet_csum(const void *buf, size_t len,
				       unsigned long sum)
{
	const unsigned char *p = buf;

	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* A flow's packets from @src:@sport to @dst:@dport; a port of 0 is any. */
struct flow {
	struct in_addr src, dst;
	unsigned short sport, dport;	/* network byte order */
};

/* @f from argv[0..3], "SRC SPORT DST DPORT"; -1 on a bad address. */
static inline int flow_args(char **argv, struct flow *f)
{
	if (!inet_aton(argv[0], &f->src) || !inet_aton(argv[2], &f->dst))
		return -1;
	f->sport = htons(atoi(argv[1]));
	f->dport = htons(atoi(argv[3]));
	return 0;
}

/*
 * Wait until @until for an IPv4 packet of @f, of transport @proto (TCP or
 * UDP: ports in the transport header's first 4 bytes) with at least
 * @l4min bytes of it, to pass this network namespace: @ps is an AF_PACKET
 * SOCK_DGRAM socket of ETH_P_ALL, whose taps see the packets the
 * namespace sends too; with @incoming, those are left out. Fragments
 * after the first are too. The packet is read into @buf (@size bytes).
 * Returns its length, or 0 at @until.
 */
static inline size_t flow_wait(int ps, unsigned char *buf, size_t size,
			       const struct flow *f, unsigned char proto,
			       size_t l4min, int incoming, time_t until)
{
	const struct iphdr *ip = (const struct iphdr *)buf;
	const unsigned short *ports;

	while (time(NULL) < until) {
		struct pollfd pfd = { .fd = ps, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		size_t ihl;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recvfrom(ps, buf, size, 0, (struct sockaddr *)&from,
			     &fromlen);
		if (n < (ssize_t)sizeof(*ip) ||
		    from.sll_protocol != htons(ETH_P_IP) ||
		    (incoming && from.sll_pkttype == PACKET_OUTGOING) ||
		    ip->protocol != proto || ip->saddr != f->src.s_addr ||
		    ip->daddr != f->dst.s_addr ||
		    (ip->frag_off & htons(IP_OFFMASK)))
			continue;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip) || (size_t)n < ihl + l4min)
			continue;
		ports = (const unsigned short *)(buf + ihl);
		if ((f->sport && ports[0] != f->sport) ||
		    (f->dport && ports[1] != f->dport))
			continue;
		return n;
	}
	return 0;
}

#endif /* PKTFORGE_H */
