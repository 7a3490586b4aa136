// SPDX-License-Identifier: GPL-2.0
/*
 * chatd [-6] [-p] [-g TEXT] PORT - a tiny line-relay TCP chat server for
 * the l4lb VM tests.
 *
 * Listens on 0.0.0.0:PORT (-6: on [::]:PORT, IPv6 only, and a peer is
 * written [<peer-ip>]:<peer-port>) and serves many clients with poll(). Every
 * complete line a client sends is relayed to every *other* client of this
 * server. On stdout (line-buffered) it logs:
 *
 *   accept <peer-ip>:<peer-port>         a client connected
 *   msg <peer-ip>:<peer-port> <line>     a client sent a line
 *   close <peer-ip>:<peer-port>          a client went away
 *
 * Behind a full-NAT balancer the peer is the balancer's address, which is
 * exactly what the tests check.
 *
 * -p: every connection starts with a PROXY protocol header, version 1 or 2
 *     (HAProxy's proxy-protocol.txt, TCP over IPv4), as l4lb's client-addr
 *     proxy-v1/proxy-v2 send it. It is taken off the stream and logged
 *
 *       proxy v1|v2 <src-ip>:<src-port> <dst-ip>:<dst-port>
 *
 *     (the client's address and port, and the VIP's); a connection that
 *     starts with anything else is logged "proxy bad <peer>" and closed.
 * -g TEXT: greet each client with "TEXT\n" as soon as it is accepted,
 *     before reading anything (a server that speaks first).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define LINE_MAX_LEN 4096

struct client {
	int fd;				/* -1 once closed, compacted later */
	char peer[INET6_ADDRSTRLEN + 8];	/* "ip:port" or "[ip]:port" */
	char buf[LINE_MAX_LEN];		/* bytes not yet ending in '\n' */
	size_t len;
	int pp;				/* a PROXY header is still due */
};

static struct client clients[MAX_CLIENTS];
static int nclients;
static int want_pp;
static const char *greeting;

/* The signature of PROXY protocol v2 (proxy-protocol.txt 2.2). */
static const unsigned char pp_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/*
 * Take the PROXY header off the start of c->buf and log it. Returns 1 when
 * done, 0 if more bytes are needed, -1 if the start is not a header.
 */
static int pp_take(struct client *c)
{
	const unsigned char *b = (const unsigned char *)c->buf;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], line[108];
	unsigned int sport, dport;
	size_t hl;

	if (b[0] == pp_sig[0]) {
		if (memcmp(b, pp_sig, c->len < 12 ? c->len : 12))
			return -1;
		if (c->len < 16)
			return 0;
		if (b[12] != 0x21 || b[13] != 0x11)	/* PROXY, TCP4 */
			return -1;
		hl = 16 + ((size_t)b[14] << 8 | b[15]);
		if (hl < 28 || hl > sizeof(c->buf))
			return -1;
		if (c->len < hl)
			return 0;
		inet_ntop(AF_INET, b + 16, src, sizeof(src));
		inet_ntop(AF_INET, b + 20, dst, sizeof(dst));
		printf("proxy v2 %s:%u %s:%u\n", src, b[24] << 8 | b[25], dst,
		       b[26] << 8 | b[27]);
	} else {
		const char *eol = memmem(c->buf, c->len, "\r\n", 2);

		if (strncmp(c->buf, "PROXY ", c->len < 6 ? c->len : 6))
			return -1;
		if (!eol)
			return c->len >= 107 ? -1 : 0;
		hl = (size_t)(eol - c->buf) + 2;
		if (hl > sizeof(line))
			return -1;
		memcpy(line, c->buf, hl - 2);
		line[hl - 2] = '\0';
		if (sscanf(line, "PROXY TCP4 %15s %15s %u %u", src, dst, &sport,
			   &dport) != 4)
			return -1;
		printf("proxy v1 %s:%u %s:%u\n", src, sport, dst, dport);
	}
	memmove(c->buf, c->buf + hl, c->len - hl);
	c->len -= hl;
	c->pp = 0;
	return 1;
}

/* The wildcard address of the family (-6: [::]) and port; its length. */
static socklen_t any_addr(struct sockaddr_storage *ss, int v6, int port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = in6addr_any;
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	s4->sin_addr.s_addr = htonl(INADDR_ANY);
	return sizeof(*s4);
}

/* "ip:port" for an IPv4 peer, "[ip]:port" for an IPv6 one. */
static void fmt_peer(char *out, size_t size, const struct sockaddr_storage *ss)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, size, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, size, "%s:%u", ip, ntohs(s4->sin_port));
	}
}

/* Send all of buf to fd; errors are ignored (poll() reaps dead peers). */
static void send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Relay one line (including its '\n') from client `from` to the others. */
static void relay(int from, const char *line, size_t len)
{
	printf("msg %s %.*s\n", clients[from].peer,
	       (int)(len && line[len - 1] == '\n' ? len - 1 : len), line);
	for (int i = 0; i < nclients; i++)
		if (i != from && clients[i].fd >= 0)
			send_all(clients[i].fd, line, len);
}

/* Read what client i sent; relay complete lines; close on EOF/error. */
static void serve(int i)
{
	struct client *c = &clients[i];
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	size_t start = 0;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		if (c->len > 0) {	/* flush a last unterminated line */
			c->buf[c->len] = '\n';	/* len < sizeof(buf) here */
			relay(i, c->buf, c->len + 1);
		}
		printf("close %s\n", c->peer);
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	if (c->pp) {
		int r = pp_take(c);

		if (r < 0) {
			printf("proxy bad %s\n", c->peer);
			close(c->fd);
			c->fd = -1;
			return;
		}
		if (!r)
			return;
	}
	for (size_t j = 0; j < c->len; j++) {
		if (c->buf[j] == '\n') {
			relay(i, c->buf + start, j + 1 - start);
			start = j + 1;
		}
	}
	if (start == 0 && c->len == sizeof(c->buf)) {
		relay(i, c->buf, c->len);	/* overlong line: pass it on */
		start = c->len;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_CLIENTS + 1];
	struct sockaddr_storage ss;
	socklen_t sslen;
	int one = 1, lfd, port, opt, v6 = 0;

	while ((opt = getopt(argc, argv, "6pg:")) != -1) {
		switch (opt) {
		case '6':
			v6 = 1;
			break;
		case 'p':
			want_pp = 1;
			break;
		case 'g':
			greeting = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1 || (port = atoi(argv[optind])) <= 0 ||
	    port > 65535) {
usage:
		fprintf(stderr, "usage: chatd [-6] [-p] [-g TEXT] PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	sslen = any_addr(&ss, v6, port);
	lfd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (v6 && setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one))) ||
	    bind(lfd, (struct sockaddr *)&ss, sslen) ||
	    listen(lfd, 128)) {
		perror("chatd: listen");
		return 1;
	}
	printf("listen %d\n", port);

	for (;;) {
		int n = 0;

		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < nclients; i++)
			pfd[n++] = (struct pollfd){ .fd = clients[i].fd,
						    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("chatd: poll");
			return 1;
		}

		/* Existing clients first, so indexes still match pfd[]. */
		for (int i = 0; i < nclients; i++)
			if (pfd[i + 1].revents)
				serve(i);

		/* Drop closed clients, keeping the order of the others. */
		int k = 0;

		for (int i = 0; i < nclients; i++)
			if (clients[i].fd >= 0)
				clients[k++] = clients[i];
		nclients = k;

		if (pfd[0].revents & POLLIN) {
			struct sockaddr_storage peer;
			socklen_t plen = sizeof(peer);
			int fd = accept(lfd, (struct sockaddr *)&peer, &plen);

			if (fd < 0)
				continue;
			if (nclients == MAX_CLIENTS) {
				close(fd);
				continue;
			}
			clients[nclients].fd = fd;
			clients[nclients].len = 0;
			clients[nclients].pp = want_pp;
			fmt_peer(clients[nclients].peer,
				 sizeof(clients[nclients].peer), &peer);
			printf("accept %s\n", clients[nclients].peer);
			if (greeting) {
				send_all(fd, greeting, strlen(greeting));
				send_all(fd, "\n", 1);
			}
			nclients++;
		}
	}
}
