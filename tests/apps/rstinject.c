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

#include "pktforge.h"

int main(int argc, char **argv)
{
	unsigned long offset = 0, timeout = 10;
	unsigned char buf[65536];
	int ps, rs, opt, one = 1;
	struct flow f;

	while ((opt = getopt(argc, argv, "o:t:")) != -1) {
		if (opt == 'o')
			offset = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			timeout = strtoul(optarg, NULL, 0);
		else
			goto usage;
	}
	if (argc - optind != 4 || flow_args(argv + optind, &f))
		goto usage;

	/* Only ETH_P_ALL taps see the packets this namespace sends. */
	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	rs = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (ps < 0 || rs < 0 ||
	    setsockopt(rs, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("rstinject: socket");
		return 1;
	}
	if (flow_wait(ps, buf, sizeof(buf), &f, IPPROTO_TCP,
		      sizeof(struct tcphdr), 0, time(NULL) + timeout)) {
		const struct iphdr *ip = (const struct iphdr *)buf;
		const struct tcphdr *th = (const struct tcphdr *)(buf + ip->ihl * 4);
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

		len = ntohs(ip->tot_len) - ip->ihl * 4 - th->doff * 4;
		seq = ntohl(th->seq) + len + th->syn + th->fin;

		memset(&pkt, 0, sizeof(pkt));
		pkt.ip.version = 4;
		pkt.ip.ihl = 5;
		pkt.ip.tot_len = htons(sizeof(pkt));
		pkt.ip.ttl = 64;
		pkt.ip.protocol = IPPROTO_TCP;
		pkt.ip.saddr = f.src.s_addr;
		pkt.ip.daddr = f.dst.s_addr;
		pkt.tcp.source = f.sport;
		pkt.tcp.dest = f.dport;
		pkt.tcp.seq = htonl(seq + offset);
		pkt.tcp.ack_seq = th->ack_seq;
		pkt.tcp.doff = 5;
		pkt.tcp.rst = 1;
		pkt.tcp.ack = 1;
		ph.saddr = f.src.s_addr;
		ph.daddr = f.dst.s_addr;
		ph.zero = 0;
		ph.proto = IPPROTO_TCP;
		ph.len = htons(sizeof(pkt.tcp));
		memcpy(sum, &ph, sizeof(ph));
		memcpy(sum + sizeof(ph), &pkt.tcp, sizeof(pkt.tcp));
		pkt.tcp.check = inet_csum(sum, sizeof(sum), 0);
		to.sin_addr = f.dst;
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
