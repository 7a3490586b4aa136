// SPDX-License-Identifier: GPL-2.0
/*
 * udpecho [-6] PORT PREFIX - a UDP echo server that is always listening.
 *
 * Answers every datagram with "PREFIX " and the datagram, on one socket
 * bound once (socat's UDP-LISTEN,fork leaves short windows without a bound
 * socket, in which datagrams get port-unreachable). Runs until killed.
 *
 * -6: listens on [::]:PORT (IPv6 only) instead of 0.0.0.0:PORT, and logs
 * each datagram on stdout (line-buffered) as
 *
 *   recv [<peer-ip>]:<peer-port> LEN hlim HOPLIMIT dstopts BYTES
 *
 * with the hop limit it arrived with and the length of its destination
 * options header (0: none).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Up to the largest UDP payload: fragmented datagrams come back whole. */
static char in[65536], out[65536 + 256];

/* The -6 log line of one datagram (see the top). */
static void log6(const struct msghdr *msg, int len)
{
	const struct sockaddr_in6 *peer = msg->msg_name;
	char ip[INET6_ADDRSTRLEN];
	int hlim = -1, dstopts = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hlim, CMSG_DATA(c), sizeof(hlim));
		else if (c->cmsg_type == IPV6_DSTOPTS)
			dstopts = (int)(c->cmsg_len - CMSG_LEN(0));
	}
	inet_ntop(AF_INET6, &peer->sin6_addr, ip, sizeof(ip));
	printf("recv [%s]:%u %d hlim %d dstopts %d\n", ip,
	       ntohs(peer->sin6_port), len, hlim, dstopts);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa = (struct sockaddr *)&sin;
	socklen_t salen = sizeof(sin);
	int fd, n, len, one = 1, v6 = 0;
	unsigned short port;

	if (argc == 4 && !strcmp(argv[1], "-6")) {
		v6 = 1;
		argc--;
		argv++;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: udpecho [-6] PORT PREFIX\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	port = htons((unsigned short)atoi(argv[1]));
	sin.sin_port = port;
	if (v6) {
		sin6.sin6_port = port;
		sin6.sin6_addr = in6addr_any;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	fd = socket(sa->sa_family, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    (v6 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			       sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one,
			       sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVDSTOPTS, &one,
			       sizeof(one)))) ||
	    bind(fd, sa, salen)) {
		perror("udpecho");
		return 1;
	}
	printf("listen %s\n", argv[1]);
	for (;;) {
		struct sockaddr_storage peer;
		char cbuf[512];
		struct iovec iov = { .iov_base = in, .iov_len = sizeof(in) };
		struct msghdr msg = {
			.msg_name = &peer, .msg_namelen = sizeof(peer),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};

		n = (int)recvmsg(fd, &msg, 0);
		if (n < 0)
			continue;
		if (v6)
			log6(&msg, n);
		len = snprintf(out, sizeof(out) - sizeof(in), "%s ", argv[2]);
		if (len < 0 || len > (int)(sizeof(out) - sizeof(in)))
			len = (int)(sizeof(out) - sizeof(in)) - 1;
		memcpy(out + len, in, (size_t)n);	/* binary safe */
		len += n;
		sendto(fd, out, len, 0, (struct sockaddr *)&peer,
		       msg.msg_namelen);
	}
}
