// SPDX-License-Identifier: GPL-2.0
/*
 * cycle [-c | -u] [-t MS] HOST PORT N - N short TCP connections, or UDP
 * exchanges, one after another.
 *
 * Each connection: connect (bounded by -t, default 5000 ms), read until the
 * server closes, close. With -c the client closes first, as soon as it has
 * the first line (for a server that waits for the client's FIN). With -u
 * each is a UDP flow from a new socket (a new source port): one datagram
 * "cycle I", and the first datagram back within -t, the answer. Each is
 * timed with CLOCK_MONOTONIC from socket() to close(). Prints,
 * line-buffered:
 *
 *   conn I LOCALPORT MS ANSWER     (ANSWER: the first line, or "-" + reason)
 *   done N ok K max_ms M slow S    (S: connections of 500 ms or more)
 *
 * Exit status 0 only if all N answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* One connection; fills ans (first line) or returns the reason. */
static const char *one(const struct sockaddr_in *dst, int tmo, bool first,
		       char *ans, size_t anslen, unsigned short *lport)
{
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	struct pollfd p;
	long end = now_ms() + tmo;
	size_t len = 0;
	int fd, err = 0;
	socklen_t el = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return strerror(errno);
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) &&
	    errno != EINPROGRESS) {
		close(fd);
		return strerror(errno);
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, tmo) != 1) {
		close(fd);
		return "connect timeout";
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		close(fd);
		return strerror(err);
	}
	if (!getsockname(fd, (struct sockaddr *)&me, &ml))
		*lport = ntohs(me.sin_port);
	for (;;) {			/* read until the server closes */
		long left = end - now_ms();
		ssize_t n;

		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) != 1) {
			close(fd);
			return "read timeout";
		}
		n = read(fd, ans + len, anslen - 1 - len);
		if (n < 0) {
			close(fd);
			return strerror(errno);
		}
		if (n == 0 || len + n >= anslen - 1) {
			len += n > 0 ? n : 0;
			break;
		}
		len += n;
		if (first && memchr(ans, '\n', len))
			break;
	}
	ans[len] = 0;
	ans[strcspn(ans, "\n")] = 0;
	close(fd);	/* -c: the first FIN; else after the server's */
	return len ? NULL : "no answer";
}

/* One UDP exchange from a new socket; as one(). */
static const char *one_udp(const struct sockaddr_in *dst, int tmo, int i,
			   char *ans, size_t anslen, unsigned short *lport)
{
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	struct pollfd p;
	char req[32];
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return strerror(errno);
	snprintf(req, sizeof(req), "cycle %d\n", i);
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) ||
	    send(fd, req, strlen(req), 0) < 0) {
		close(fd);
		return strerror(errno);
	}
	if (!getsockname(fd, (struct sockaddr *)&me, &ml))
		*lport = ntohs(me.sin_port);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, tmo) != 1) {
		close(fd);
		return "read timeout";
	}
	n = recv(fd, ans, anslen - 1, 0);
	close(fd);
	if (n <= 0)
		return n < 0 ? strerror(errno) : "no answer";
	ans[n] = 0;
	ans[strcspn(ans, "\n")] = 0;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int opt, tmo = 5000, n, i, ok = 0, slow = 0;
	bool first = false, udp = false;
	long maxms = 0;

	while ((opt = getopt(argc, argv, "ct:u")) != -1) {
		if (opt == 'c')
			first = true;
		else if (opt == 'u')
			udp = true;
		else if (opt == 't')
			tmo = atoi(optarg);
		else
			goto usage;
	}
	if (argc - optind != 3 || inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		goto usage;
	dst.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
	n = atoi(argv[optind + 2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i <= n; i++) {
		char ans[128];
		unsigned short lport = 0;
		long t0 = now_ms(), ms;
		const char *why = udp ?
			one_udp(&dst, tmo, i, ans, sizeof(ans), &lport) :
			one(&dst, tmo, first, ans, sizeof(ans), &lport);

		ms = now_ms() - t0;
		if (ms > maxms)
			maxms = ms;
		if (ms >= 500)
			slow++;
		if (why) {
			printf("conn %d %u %ld - %s\n", i, lport, ms, why);
		} else {
			ok++;
			printf("conn %d %u %ld %s\n", i, lport, ms, ans);
		}
	}
	printf("done %d ok %d max_ms %ld slow %d\n", n, ok, maxms, slow);
	return ok == n ? 0 : 1;
usage:
	fprintf(stderr, "usage: cycle [-c | -u] [-t MS] HOST PORT N\n");
	return 2;
}
