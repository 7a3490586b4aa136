// SPDX-License-Identifier: GPL-2.0
/*
 * rstinject [-o OFFSET] [-t SECONDS] SRC SPORT DST DPORT - forge a TCP RST
 * into a live connection.
 *
 * Waits (up to SECONDS, default 10) for a TCP segment from SRC:SPORT to
 * DST:DPORT to pass through this network namespace (AF_PACKET sees both
 * directions), then sends, from a raw socket, a RST with the same tuple,
 * its acknowledgement number, and the sequence number that segment ended
 * at plus OFFSET (default 0: in the receiver's window; 1073741824 is far
 * outside it, as an off-path attacker who guessed only the tuple would
 * send). Prints "rst seq S ack A (seen seq Q len L)". Exit status 0, 1 on
 * a socket error or time-out, 2 on usage.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "inet_csum.h"

int main(int argc, char **argv)
{
	unsigned long offset = 0, timeout = 10;
	struct in_addr src, dst;
	unsigned short sport, dport;
	unsigned char buf[65536];
	time_t until;
	int ps, rs, opt, one = 1;

	while ((opt = getopt(argc, argv, "o:t:")) != -1) {
		if (opt == 'o')
			offset = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			timeout = strtoul(optarg, NULL, 0);
		else
			goto usage;
	}
	if (argc - optind != 4 || !inet_aton(argv[optind], &src) ||
	    !inet_aton(argv[optind + 2], &dst))
		goto usage;
	sport = htons(atoi(argv[optind + 1]));
	dport = htons(atoi(argv[optind + 3]));

	/* Only ETH_P_ALL taps see the packets this namespace sends. */
	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	rs = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (ps < 0 || rs < 0 ||
	    setsockopt(rs, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("rstinject: socket");
		return 1;
	}
	until = time(NULL) + timeout;
	while (time(NULL) < until) {
		struct pollfd pfd = { .fd = ps, .events = POLLIN };
		const struct iphdr *ip = (const struct iphdr *)buf;
		const struct tcphdr *th;
		struct {
			struct iphdr ip;
			struct tcphdr tcp;
		} pkt;
		struct {
			unsigned int saddr, daddr;
			unsigned char zero, proto;
			unsigned short len;
		} ph;
		unsigned char sum[sizeof(ph) + sizeof(struct tcphdr)];
		struct sockaddr_in to = { .sin_family = AF_INET };
		unsigned int len, seq;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);

		n = recvfrom(ps, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fromlen);
		if (n < (ssize_t)(sizeof(*ip) + sizeof(*th)) ||
		    from.sll_protocol != htons(ETH_P_IP) ||
		    ip->protocol != IPPROTO_TCP || ip->saddr != src.s_addr ||
		    ip->daddr != dst.s_addr)
			continue;
		th = (const struct tcphdr *)(buf + ip->ihl * 4);
		if (th->source != sport || th->dest != dport)
			continue;
		len = ntohs(ip->tot_len) - ip->ihl * 4 - th->doff * 4;
		seq = ntohl(th->seq) + len + th->syn + th->fin;

		memset(&pkt, 0, sizeof(pkt));
		pkt.ip.version = 4;
		pkt.ip.ihl = 5;
		pkt.ip.tot_len = htons(sizeof(pkt));
		pkt.ip.ttl = 64;
		pkt.ip.protocol = IPPROTO_TCP;
		pkt.ip.saddr = src.s_addr;
		pkt.ip.daddr = dst.s_addr;
		pkt.tcp.source = sport;
		pkt.tcp.dest = dport;
		pkt.tcp.seq = htonl(seq + offset);
		pkt.tcp.ack_seq = th->ack_seq;
		pkt.tcp.doff = 5;
		pkt.tcp.rst = 1;
		pkt.tcp.ack = 1;
		ph.saddr = src.s_addr;
		ph.daddr = dst.s_addr;
		ph.zero = 0;
		ph.proto = IPPROTO_TCP;
		ph.len = htons(sizeof(pkt.tcp));
		memcpy(sum, &ph, sizeof(ph));
		memcpy(sum + sizeof(ph), &pkt.tcp, sizeof(pkt.tcp));
		pkt.tcp.check = inet_csum(sum, sizeof(sum), 0);
		to.sin_addr = dst;
		if (sendto(rs, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
			   sizeof(to)) != sizeof(pkt)) {
			perror("rstinject: sendto");
			return 1;
		}
		printf("rst seq %u ack %u (seen seq %u len %u)\n",
		       seq + (unsigned int)offset, ntohl(th->ack_seq),
		       ntohl(th->seq), len);
		return 0;
	}
	fprintf(stderr, "rstinject: no segment of the connection seen\n");
	return 1;
usage:
	fprintf(stderr, "usage: rstinject [-o OFFSET] [-t SECONDS] SRC SPORT DST DPORT\n");
	return 2;
}
