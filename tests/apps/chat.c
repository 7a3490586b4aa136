// SPDX-License-Identifier: GPL-2.0
/*
 * chat HOST PORT NAME - a tiny TCP chat client for the l4lb VM tests.
 *
 * Connects to HOST:PORT, sends "NAME joined\n", then copies stdin to the
 * server and everything the server sends to stdout. On stdin EOF it shuts
 * down its sending side, waits (at most 5 s) for the server to close too,
 * and exits 0. If the server closes first it also exits 0 and says so on
 * stderr. Connection errors exit 1.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Write all of buf to fd; returns -1 on error. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Connect a TCP socket to host:port; returns the fd or -1. */
static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, err;

	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "chat: %s:%s: %s\n", host, port,
			gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "chat: connect %s:%s: %s\n", host, port,
			strerror(errno));
	freeaddrinfo(res);
	return fd;
}

int main(int argc, char **argv)
{
	char buf[4096];
	int fd, stdin_open = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: chat HOST PORT NAME\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = dial(argv[1], argv[2]);
	if (fd < 0)
		return 1;

	snprintf(buf, sizeof(buf), "%s joined\n", argv[3]);
	if (write_all(fd, buf, strlen(buf))) {
		perror("chat: send");
		return 1;
	}

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = stdin_open ? 0 : -1, .events = POLLIN },
		};
		/* After stdin EOF, wait at most 5 s for the server's FIN. */
		int r = poll(pfd, 2, stdin_open ? -1 : 5000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("chat: poll");
			return 1;
		}
		if (r == 0) {
			fprintf(stderr, "chat: no close from server\n");
			return 0;
		}
		if (pfd[0].revents) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror("chat: recv");
				return 1;
			}
			if (n == 0) {
				if (stdin_open)
					fprintf(stderr,
						"chat: server closed\n");
				return 0;
			}
			/* The server relays whole lines: pass them on as is. */
			if (write_all(1, buf, (size_t)n))
				return 1;
		}
		if (stdin_open && pfd[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				stdin_open = 0;
				shutdown(fd, SHUT_WR);
			} else if (write_all(fd, buf, (size_t)n)) {
				perror("chat: send");
				return 1;
			}
		}
	}
}
