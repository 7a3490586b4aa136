// SPDX-License-Identifier: GPL-2.0
/*
 * v6send [-u] [-d] [-H HOPS] [-s SIZE] [-n COUNT] [-w SECS] [-h] HOST PORT
 *	- one TCP connection or UDP flow with the IPv6 options the l4lb VM
 *	tests need (HOST may be an IPv4 address too, without -d).
 *
 *   -u        UDP: COUNT datagrams (-n, default 1) from one connected
 *             socket, each SIZE bytes (-s, default 32): "v6send I " and a
 *             filler; after each it waits up to -w seconds (default 3) for
 *             the reply or an ICMP error. Without -u: TCP, connect and read
 *             the server's first line (e.g. greetd's name).
 *   -d        a destination options header on every packet (IPV6_DSTOPTS:
 *             8 bytes, one PadN option).
 *   -H HOPS   the hop limit of every packet (IPV6_UNICAST_HOPS, or IP_TTL).
 *   -h        TCP: after the answer, print "holding" and keep the
 *             connection open until stdin reaches EOF.
 *
 * ICMP errors are read from the socket's error queue (IPV6_RECVERR). It
 * prints, line-buffered:
 *
 *   local ADDR                     the socket's own address and port
 *   reply I LEN intact|corrupt WORD
 *                                  datagram I's reply (udpecho's: WORD, a
 *                                  space and datagram I; intact if it ends
 *                                  with datagram I exactly)
 *   icmp I type T code C from ADDR errno E
 *                                  an ICMP(v6) error about the flow
 *   none I                         neither in time
 *   answer LINE | error REASON     TCP
 *   done sent N replies R icmp E
 *
 * An address is written ip:port, or [ip]:port for IPv6. Exit status 0
 * only if every datagram was answered intact (UDP) or the server's line
 * came (TCP).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65000

static char out[MAX_SIZE], in[MAX_SIZE + 1024];

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* "ip:port" for IPv4, "[ip]:port" for IPv6 (port 0 for an ICMP source). */
static void fmt_addr(char *buf, size_t size, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(s4->sin_port));
	} else {
		snprintf(buf, size, "-");
	}
}

/* dst for an IPv4 or IPv6 address and a port; its length, 0 if invalid. */
static socklen_t parse_dst(struct sockaddr_storage *dst, const char *host,
			   int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)dst;

	memset(dst, 0, sizeof(*dst));
	if (port <= 0 || port > 65535)
		return 0;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		return sizeof(*s6);
	}
	return 0;
}

/*
 * Print and drop every error queued on fd (datagram i); returns how many.
 * Reading the queue also clears the socket's pending error.
 */
static int drain_errors(int fd, int i)
{
	int count = 0;

	for (;;) {
		char cbuf[512], data[64], from[INET6_ADDRSTRLEN + 8];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *c;

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return count;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct sock_extended_err *ee;

			if (!((c->cmsg_level == IPPROTO_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IP &&
			       c->cmsg_type == IP_RECVERR)))
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(c);
			if (ee->ee_origin != SO_EE_ORIGIN_ICMP6 &&
			    ee->ee_origin != SO_EE_ORIGIN_ICMP)
				continue;
			fmt_addr(from, sizeof(from), SO_EE_OFFENDER(ee));
			printf("icmp %d type %u code %u from %s errno %u\n", i,
			       ee->ee_type, ee->ee_code, from, ee->ee_errno);
			count++;
		}
	}
}

/* Set the options the command line asked for on fd. */
static int set_opts(int fd, int family, int hops, int dstopts)
{
	/* Next header (kernel-filled), length 0 (8 bytes), PadN of 4. */
	static const unsigned char opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	int one = 1;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one,
			       sizeof(one)))
			return -1;
		if (hops >= 0 && setsockopt(fd, IPPROTO_IPV6,
					    IPV6_UNICAST_HOPS, &hops,
					    sizeof(hops)))
			return -1;
		if (dstopts && setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, opts,
					  sizeof(opts)))
			return -1;
		return 0;
	}
	if (dstopts) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)))
		return -1;
	if (hops >= 0 && setsockopt(fd, IPPROTO_IP, IP_TTL, &hops,
				    sizeof(hops)))
		return -1;
	return 0;
}

static void print_local(int fd)
{
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);
	char buf[INET6_ADDRSTRLEN + 8];

	if (getsockname(fd, (struct sockaddr *)&me, &len))
		return;
	fmt_addr(buf, sizeof(buf), (struct sockaddr *)&me);
	printf("local %s\n", buf);
}

/* UDP: count datagrams of size bytes, each answered or not within wait_ms. */
static int udp(int fd, int size, int count, int wait_ms)
{
	int replies = 0, errors = 0;

	for (int i = 1; i <= count; i++) {
		long deadline = now_ms() + wait_ms;
		int len, done = 0;

		len = snprintf(out, sizeof(out), "v6send %d ", i);
		for (int j = len; j < size; j++)
			out[j] = (char)('a' + j % 26);
		if (size > len)
			len = size;
		if (send(fd, out, (size_t)len, 0) < 0) {
			printf("sendfail %d %s\n", i, strerror(errno));
			errors++;
			continue;
		}
		while (!done) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			long left = deadline - now_ms();
			int r = poll(&p, 1, left > 0 ? (int)left : 0);
			ssize_t n;

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				printf("none %d\n", i);
				break;
			}
			if (p.revents & POLLERR) {
				int e = drain_errors(fd, i);

				errors += e;
				if (e)
					done = 1;
				else	/* only a pending error: clear it */
					getsockopt(fd, SOL_SOCKET, SO_ERROR,
						   &e, &(socklen_t){ sizeof(e) });
				continue;
			}
			n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (n < 0)
				continue;
			{
				const char *sp = memchr(in, ' ', (size_t)n);
				int word = sp ? (int)(sp - in) : (int)n;
				int intact = n >= len &&
					     !memcmp(in + n - len, out,
						     (size_t)len);

				printf("reply %d %zd %s %.*s\n", i, n,
				       intact ? "intact" : "corrupt", word, in);
				replies += intact;
			}
			done = 1;
		}
	}
	printf("done sent %d replies %d icmp %d\n", count, replies, errors);
	return replies == count ? 0 : 1;
}

/* TCP: read the server's first line within wait_ms; optionally hold. */
static int tcp(int fd, int wait_ms, int hold)
{
	long deadline = now_ms() + wait_ms;
	size_t got = 0;
	char *nl = NULL;

	while (!nl && got < 255) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			printf("error no answer in time\n");
			return 1;
		}
		n = read(fd, in + got, 255 - got);
		if (n <= 0) {
			printf("error %s\n", n < 0 ? strerror(errno) :
			       "closed before answering");
			return 1;
		}
		got += (size_t)n;
		in[got] = '\0';
		nl = strchr(in, '\n');
	}
	if (nl)
		*nl = '\0';
	printf("answer %s\n", in);
	if (hold) {
		char buf[256];

		printf("holding\n");
		while (read(0, buf, sizeof(buf)) > 0)
			;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, is_udp = 0, dstopts = 0, hops = -1, size = 32, count = 1;
	int wait_s = 3, hold = 0, fd, rc;
	struct sockaddr_storage dst;
	socklen_t dlen = 0;

	while ((opt = getopt(argc, argv, "udH:s:n:w:h")) != -1) {
		switch (opt) {
		case 'u':
			is_udp = 1;
			break;
		case 'd':
			dstopts = 1;
			break;
		case 'H':
			hops = atoi(optarg);
			break;
		case 's':
			size = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'w':
			wait_s = atoi(optarg);
			break;
		case 'h':
			hold = 1;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind == 2)
		dlen = parse_dst(&dst, argv[optind], atoi(argv[optind + 1]));
	if (!dlen || size < 1 || size > MAX_SIZE || count < 1 || wait_s < 1 ||
	    hops < -1 || hops > 255)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = socket(dst.ss_family, is_udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0 || set_opts(fd, dst.ss_family, hops, dstopts)) {
		perror("v6send: socket options");
		return 1;
	}
	if (!is_udp) {
		struct timeval tv = { .tv_sec = wait_s };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(fd, (struct sockaddr *)&dst, dlen)) {
		printf("error connect: %s\n", strerror(errno));
		drain_errors(fd, 0);
		return 1;
	}
	print_local(fd);
	rc = is_udp ? udp(fd, size, count, wait_s * 1000) :
		      tcp(fd, wait_s * 1000, hold);
	close(fd);
	return rc;

usage:
	fprintf(stderr, "usage: v6send [-u] [-d] [-H HOPS] [-s SIZE] [-n COUNT] [-w SECS] [-h] HOST PORT\n");
	return 2;
}
