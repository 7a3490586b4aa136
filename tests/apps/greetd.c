// SPDX-License-Identifier: GPL-2.0
/*
 * greetd [-6] [-e] PORT TEXT - answers every TCP connection with "TEXT\n".
 *
 * Used by the l4lb VM tests to tell which backend a connection reached.
 * It keeps each connection open (discarding what the peer sends) until the
 * peer closes it, so a client can hold many connections at once. With -e
 * it sends back whatever the peer sends (after the greeting), so a client
 * can tell that a held connection still works (conns -e). On stdout
 * (line-buffered) it logs "accept <peer-ip>:<peer-port>" and
 * "close <peer-ip>:<peer-port>". With -6 it listens on [::] (IPv6 only)
 * instead of 0.0.0.0, and writes a peer [<peer-ip>]:<peer-port>.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 4096

static struct pollfd pfd[MAX_CONNS + 1];	/* [0] is the listener */
static char peers[MAX_CONNS + 1][INET6_ADDRSTRLEN + 8];

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

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa = (struct sockaddr *)&sin;
	socklen_t salen = sizeof(sin);
	struct rlimit rl;
	int one = 1, port, n = 1, echo = 0, v6 = 0, opt;
	char greeting[256];

	while ((opt = getopt(argc, argv, "+6e")) != -1) {
		if (opt == 'e')
			echo = 1;
		else if (opt == '6')
			v6 = 1;
		else
			goto usage;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 3 || (port = atoi(argv[1])) <= 0 || port > 65535) {
usage:
		fprintf(stderr, "usage: greetd [-6] [-e] PORT TEXT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	snprintf(greeting, sizeof(greeting), "%s\n", argv[2]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {	/* room for many fds */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (v6) {
		sin6.sin6_port = htons((unsigned short)port);
		sin6.sin6_addr = in6addr_any;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	pfd[0].fd = socket(sa->sa_family, SOCK_STREAM, 0);
	pfd[0].events = POLLIN;
	if (pfd[0].fd < 0 ||
	    setsockopt(pfd[0].fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) ||
	    (v6 && setsockopt(pfd[0].fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one))) ||
	    bind(pfd[0].fd, sa, salen) ||
	    listen(pfd[0].fd, 1024)) {
		perror("greetd: listen");
		return 1;
	}
	printf("listen %d\n", port);

	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("greetd: poll");
			return 1;
		}
		/* Connections: discard (or echo) input, close on EOF or error. */
		for (int i = 1; i < n; i++) {
			char buf[1024];
			ssize_t got;

			if (!pfd[i].revents)
				continue;
			got = read(pfd[i].fd, buf, sizeof(buf));
			if (got > 0) {
				if (echo)
					send(pfd[i].fd, buf, (size_t)got, MSG_NOSIGNAL);
				continue;
			}
			printf("close %s\n", peers[i]);
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
		/* Compact the table, dropping closed entries. */
		int k = 1;

		for (int i = 1; i < n; i++) {
			if (pfd[i].fd < 0)
				continue;
			pfd[k] = pfd[i];
			memcpy(peers[k], peers[i], sizeof(peers[k]));
			k++;
		}
		n = k;

		if (pfd[0].revents & POLLIN) {
			struct sockaddr_storage peer;
			socklen_t plen = sizeof(peer);
			int fd = accept(pfd[0].fd, (struct sockaddr *)&peer,
					&plen);

			if (fd < 0)
				continue;
			if (n > MAX_CONNS) {
				close(fd);
				continue;
			}
			fmt_peer(peers[n], sizeof(peers[n]), &peer);
			printf("accept %s\n", peers[n]);
			send(fd, greeting, strlen(greeting), MSG_NOSIGNAL);
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	}
}
