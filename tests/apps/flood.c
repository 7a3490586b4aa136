// SPDX-License-Identifier: GPL-2.0
/*
 * flood [-p tcp|udp] [-a ADDRS] [-P PORTS] [-b FIRST_ADDR] [-r PPS]
 *       DST_IP DST_PORT - send one packet from each of many source tuples.
 *
 * Builds IPv4 packets itself on a raw socket (IP_HDRINCL), so the sources
 * can be any addresses: ADDRS addresses counting up from FIRST_ADDR
 * (default 10.0.0.10), times PORTS source ports from 1024, one packet each,
 * in all ADDRS * PORTS tuples. With -p tcp each packet is a SYN (a
 * spoofed-source SYN flood); with -p udp a datagram of 8 payload bytes.
 * -r limits the rate in packets per second (default: as fast as it can).
 *
 * The sources should lie in a subnet routed back towards the sender, so
 * the balancer's reverse-path filter accepts them. Prints "sent N" and
 * exits 0 if every packet was sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* RFC 1071 one's-complement sum, folded. */
static uint16_t csum_fold32(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The transport checksum over the pseudo-header and the segment. */
static uint16_t l4_csum(const struct iphdr *ip, const void *l4, size_t len)
{
	uint32_t sum = 0;
	uint8_t pseudo[12];

	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = ip->protocol;
	pseudo[10] = (uint8_t)(len >> 8);
	pseudo[11] = (uint8_t)len;
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, l4, len);
	return htons(csum_fold32(sum));
}

static void usage(void)
{
	fprintf(stderr, "usage: flood [-p tcp|udp] [-a ADDRS] [-P PORTS] "
		"[-b FIRST_ADDR] [-r PPS] DST_IP DST_PORT\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	unsigned long addrs = 1, ports = 1000, rate = 0, sent = 0, a, p;
	struct in_addr first = { .s_addr = inet_addr("10.0.0.10") };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint8_t pkt[sizeof(struct iphdr) + sizeof(struct tcphdr) + 8];
	struct iphdr *ip = (struct iphdr *)pkt;
	void *l4 = pkt + sizeof(*ip);
	struct timespec t0, now;
	int proto = IPPROTO_UDP, fd, one = 1, c;
	size_t l4len;

	while ((c = getopt(argc, argv, "p:a:P:b:r:")) != -1) {
		switch (c) {
		case 'p':
			if (!strcmp(optarg, "tcp"))
				proto = IPPROTO_TCP;
			else if (strcmp(optarg, "udp"))
				usage();
			break;
		case 'a':
			addrs = num(optarg, 65536);
			break;
		case 'P':
			ports = num(optarg, 64512);
			break;
		case 'b':
			if (!inet_aton(optarg, &first))
				usage();
			break;
		case 'r':
			rate = num(optarg, 100000000);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !inet_aton(argv[optind], &dst.sin_addr))
		usage();
	dst.sin_port = htons((uint16_t)num(argv[optind + 1], 65535));

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("flood: raw socket");
		return 1;
	}

	l4len = proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
				       sizeof(struct udphdr) + 8;
	memset(pkt, 0, sizeof(pkt));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = (uint8_t)proto;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + l4len));
	ip->daddr = dst.sin_addr.s_addr;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (a = 0; a < addrs; a++) {
		ip->saddr = htonl(ntohl(first.s_addr) + (uint32_t)a);
		for (p = 0; p < ports; p++) {
			uint16_t sport = htons((uint16_t)(1024 + p));

			if (proto == IPPROTO_TCP) {
				struct tcphdr *th = l4;

				memset(th, 0, sizeof(*th));
				th->source = sport;
				th->dest = dst.sin_port;
				th->seq = htonl((uint32_t)(a << 16 ^ p));
				th->doff = 5;
				th->syn = 1;
				th->window = htons(64240);
				th->check = l4_csum(ip, th, l4len);
			} else {
				struct udphdr *uh = l4;

				memset(uh, 0, l4len);
				uh->source = sport;
				uh->dest = dst.sin_port;
				uh->len = htons((uint16_t)l4len);
				memcpy(uh + 1, "l4lbtest", 8);
				uh->check = l4_csum(ip, uh, l4len);
			}
			ip->id = htons((uint16_t)sent);
			if (sendto(fd, pkt, sizeof(*ip) + l4len, 0,
				   (struct sockaddr *)&dst, sizeof(dst)) < 0) {
				if (errno == ENOBUFS) {	/* queue full: retry */
					usleep(1000);
					p--;
					continue;
				}
				perror("flood: sendto");
				return 1;
			}
			sent++;
			while (rate) {
				double el;

				clock_gettime(CLOCK_MONOTONIC, &now);
				el = (double)(now.tv_sec - t0.tv_sec) +
				     (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
				if ((double)sent <= el * (double)rate)
					break;
				usleep(200);
			}
		}
	}
	printf("sent %lu\n", sent);
	return 0;
}
