// SPDX-License-Identifier: GPL-2.0
/*
 * chatd PORT - a tiny line-relay TCP chat server for the l4lb VM tests.
 *
 * Listens on 0.0.0.0:PORT and serves many clients with poll(). Every
 * complete line a client sends is relayed to every *other* client of this
 * server. On stdout (line-buffered) it logs:
 *
 *   accept <peer-ip>:<peer-port>         a client connected
 *   msg <peer-ip>:<peer-port> <line>     a client sent a line
 *   close <peer-ip>:<peer-port>          a client went away
 *
 * Behind a full-NAT balancer the peer is the balancer's address, which is
 * exactly what the tests check.
 */
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
	char peer[INET_ADDRSTRLEN + 8];	/* "ip:port" */
	char buf[LINE_MAX_LEN];		/* bytes not yet ending in '\n' */
	size_t len;
};

static struct client clients[MAX_CLIENTS];
static int nclients;

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
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1, lfd, port;

	if (argc != 2 || (port = atoi(argv[1])) <= 0 || port > 65535) {
		fprintf(stderr, "usage: chatd PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
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
			struct sockaddr_in peer;
			socklen_t plen = sizeof(peer);
			int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
			char ip[INET_ADDRSTRLEN];

			if (fd < 0)
				continue;
			if (nclients == MAX_CLIENTS) {
				close(fd);
				continue;
			}
			inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
			clients[nclients].fd = fd;
			clients[nclients].len = 0;
			snprintf(clients[nclients].peer,
				 sizeof(clients[nclients].peer), "%s:%u", ip,
				 ntohs(peer.sin_port));
			printf("accept %s\n", clients[nclients].peer);
			nclients++;
		}
	}
}
