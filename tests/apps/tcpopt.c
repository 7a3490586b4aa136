// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt [-t SECS] PORT - print the TCP options of the segments to or from
 * PORT, as an AF_PACKET socket sees them in this network namespace.
 *
 * For the l4lb VM tests of TOA (TCP option 254, length 8: port and IPv4
 * address, as LVS FULLNAT and DPVS send it), which need no toa module on
 * the backend: run it in the backend's (or the client's) namespace while a
 * connection is made. One line per IPv4 TCP segment, on stdout
 * (line-buffered):
 *
 *   tcp <src-ip>:<src-port> > <dst-ip>:<dst-port> flags=<SAFRP.> len=<N>
 *       [mss=<N>] [toa=<ip>:<port>]
 *
 * (on one line): flags as letters (S SYN, A ACK, F FIN, R RST, P PSH),
 * len the payload's length, mss the MSS option of a SYN, toa the
 * address and port option 254 carries. It prints "ready" once its socket
 * is open, and exits after SECS seconds (default 10).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TOA_KIND	254
#define TOA_LEN		8

static void print_seg(const unsigned char *p, size_t len, unsigned int port)
{
	const struct iphdr *iph = (const void *)p;
	const struct tcphdr *th;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	char opts[96] = "";
	size_t ihl, doff, tot, i;

	if (len < sizeof(*iph) || iph->version != 4 ||
	    iph->protocol != IPPROTO_TCP)
		return;
	ihl = iph->ihl * 4u;
	tot = ntohs(iph->tot_len);
	if (tot > len)
		tot = len;
	if (ihl < sizeof(*iph) || tot < ihl + sizeof(*th))
		return;
	th = (const void *)(p + ihl);
	if (ntohs(th->source) != port && ntohs(th->dest) != port)
		return;
	doff = th->doff * 4u;
	if (doff < sizeof(*th) || ihl + doff > tot)
		return;
	for (i = sizeof(*th); i < doff;) {
		const unsigned char *o = (const unsigned char *)th + i;
		size_t n = strlen(opts);

		if (o[0] == TCPOPT_EOL)
			break;
		if (o[0] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= doff || o[1] < 2 || i + o[1] > doff)
			break;
		if (o[0] == TCPOPT_MAXSEG && o[1] == 4)
			snprintf(opts + n, sizeof(opts) - n, " mss=%u",
				 o[2] << 8 | o[3]);
		else if (o[0] == TOA_KIND && o[1] == TOA_LEN)
			snprintf(opts + n, sizeof(opts) - n, " toa=%u.%u.%u.%u:%u",
				 o[4], o[5], o[6], o[7], o[2] << 8 | o[3]);
		i += o[1];
	}
	inet_ntop(AF_INET, &iph->saddr, src, sizeof(src));
	inet_ntop(AF_INET, &iph->daddr, dst, sizeof(dst));
	printf("tcp %s:%u > %s:%u flags=%s%s%s%s%s len=%zu%s\n", src,
	       ntohs(th->source), dst, ntohs(th->dest), th->syn ? "S" : "",
	       th->ack ? "A" : "", th->fin ? "F" : "", th->rst ? "R" : "",
	       th->psh ? "P" : "", tot - ihl - doff, opts);
}

int main(int argc, char **argv)
{
	unsigned char buf[65536];
	struct timespec t0, t;
	int fd, opt, secs = 10, port;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't')
			goto usage;
		secs = atoi(optarg);
	}
	if (argc - optind != 1 || (port = atoi(argv[optind])) <= 0 ||
	    port > 65535 || secs <= 0) {
usage:
		fprintf(stderr, "usage: tcpopt [-t SECS] PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Cooked: the IP packet, every interface. Only an ETH_P_ALL socket
	 * sees outgoing packets too (dev_queue_xmit_nit() feeds ptype_all
	 * alone), so take everything and keep IPv4 by sll_protocol.
	 */
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("tcpopt: socket");
		return 1;
	}
	printf("ready\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t alen;
		long left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = secs * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
				       (t.tv_nsec - t0.tv_nsec) / 1000000L);
		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		alen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &alen);
		if (n < 0 && errno != EINTR) {
			perror("tcpopt: recv");
			return 1;
		}
		if (n > 0 && from.sll_protocol == htons(ETH_P_IP))
			print_seg(buf, (size_t)n, (unsigned int)port);
	}
}
