// SPDX-License-Identifier: GPL-2.0
/*
 * icmpinject [-c] [-t SECONDS] SRC SPORT DST DPORT - forge the port
 * unreachable a UDP datagram's destination would send.
 *
 * Prints "waiting" once it watches, then waits (up to SECONDS, default 10)
 * for a UDP datagram from SRC:SPORT to DST:DPORT to arrive in this network
 * namespace (AF_PACKET; port 0: any), and sends to SRC, from a raw ICMP
 * socket (the kernel adds the IP header, from this namespace's address),
 * destination unreachable, port unreachable (type 3 code 3) quoting that
 * datagram's IP header and first 8 bytes, as the destination's stack
 * would. -c: with a wrong ICMP checksum (the right one xor 0x5555). Prints
 * "icmp sent csum 0xC good|bad about SRC:SPORT > DST:DPORT". Exit status
 * 0, 1 on a socket error or time-out, 2 on usage.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pktforge.h"

/* The quote: the largest IP header (60 bytes) and 8 bytes of UDP. */
#define QUOTE_MAX (60 + 8)

int main(int argc, char **argv)
{
	unsigned long timeout = 10;
	unsigned char buf[65536];
	int ps, rs, opt, bad = 0;
	struct flow f;
	size_t n;

	while ((opt = getopt(argc, argv, "ct:")) != -1) {
		if (opt == 'c')
			bad = 1;
		else if (opt == 't')
			timeout = strtoul(optarg, NULL, 0);
		else
			goto usage;
	}
	if (argc - optind != 4 || flow_args(argv + optind, &f))
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);

	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	rs = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (ps < 0 || rs < 0) {
		perror("icmpinject: socket");
		return 1;
	}
	printf("waiting\n");
	n = flow_wait(ps, buf, sizeof(buf), &f, IPPROTO_UDP, 8, 1,
		      time(NULL) + timeout);
	if (n) {
		const struct iphdr *ip = (const struct iphdr *)buf;
		size_t ihl = ip->ihl * 4, len = sizeof(struct icmphdr) + ihl + 8;
		const struct udphdr *uh = (const struct udphdr *)(buf + ihl);
		struct sockaddr_in to = { .sin_family = AF_INET };
		unsigned char msg[sizeof(struct icmphdr) + QUOTE_MAX];
		struct icmphdr *ih = (struct icmphdr *)msg;
		char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

		memset(ih, 0, sizeof(*ih));
		ih->type = ICMP_DEST_UNREACH;
		ih->code = ICMP_PORT_UNREACH;
		memcpy(msg + sizeof(*ih), buf, ihl + 8);
		ih->checksum = inet_csum(msg, len, 0);
		if (bad)
			ih->checksum ^= htons(0x5555);
		to.sin_addr = f.src;
		if (sendto(rs, msg, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != (ssize_t)len) {
			perror("icmpinject: sendto");
			return 1;
		}
		inet_ntop(AF_INET, &ip->saddr, s, sizeof(s));
		inet_ntop(AF_INET, &ip->daddr, d, sizeof(d));
		printf("icmp sent csum 0x%04x %s about %s:%u > %s:%u\n",
		       ntohs(ih->checksum), bad ? "bad" : "good", s,
		       ntohs(uh->source), d, ntohs(uh->dest));
		return 0;
	}
	fprintf(stderr, "icmpinject: no datagram seen\n");
	return 1;
usage:
	fprintf(stderr, "usage: icmpinject [-c] [-t SECONDS] SRC SPORT DST DPORT\n");
	return 2;
}
