// SPDX-License-Identifier: GPL-2.0
/*
 * greetd [-e] PORT TEXT - answers every TCP connection with "TEXT\n".
 *
 * Used by the l4lb VM tests to tell which backend a connection reached.
 * It keeps each connection open (discarding what the peer sends) until the
 * peer closes it, so a client can hold many connections at once. With -e
 * it sends back whatever the peer sends (after the greeting), so a client
 * can tell that a held connection still works (conns -e). On stdout
 * (line-buffered) it logs "accept <peer-ip>:<peer-port>" and
 * "close <peer-ip>:<peer-port>".
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
static char peers[MAX_CONNS + 1][INET_ADDRSTRLEN + 8];

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rlimit rl;
	int one = 1, port, n = 1, echo = 0;
	char greeting[256];

	if (argc == 4 && !strcmp(argv[1], "-e")) {
		echo = 1;
		argc--;
		argv++;
	}
	if (argc != 3 || (port = atoi(argv[1])) <= 0 || port > 65535) {
		fprintf(stderr, "usage: greetd [-e] PORT TEXT\n");
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
	pfd[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	pfd[0].events = POLLIN;
	if (pfd[0].fd < 0 ||
	    setsockopt(pfd[0].fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) ||
	    bind(pfd[0].fd, (struct sockaddr *)&sin, sizeof(sin)) ||
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
			struct sockaddr_in peer;
			socklen_t plen = sizeof(peer);
			int fd = accept(pfd[0].fd, (struct sockaddr *)&peer,
					&plen);
			char ip[INET_ADDRSTRLEN];

			if (fd < 0)
				continue;
			if (n > MAX_CONNS) {
				close(fd);
				continue;
			}
			inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
			snprintf(peers[n], sizeof(peers[n]), "%s:%u", ip,
				 ntohs(peer.sin_port));
			printf("accept %s\n", peers[n]);
			send(fd, greeting, strlen(greeting), MSG_NOSIGNAL);
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	}
}
