// SPDX-License-Identifier: GPL-2.0
/*
 * conns [-t SECS] [-w [-e]] HOST PORT K - hold K TCP connections at once.
 *
 * Opens K connections to HOST:PORT one after another (so a round-robin
 * balancer sees them in order), keeps them all open, and reads one line
 * (the server's answer, e.g. greetd's identity) from each. Then it prints,
 * line-buffered:
 *
 *   conn I LOCALPORT ANSWER       connection I (1-based) got ANSWER
 *   conn I LOCALPORT - REASON     connection I failed
 *   answered N of K
 *
 * With -w it then prints "holding" and keeps every connection open until
 * stdin reaches EOF. With -e (for an echoing server, greetd -e) each line
 * read from stdin while holding is a probe: it is sent on every connection
 * still alive, and each must echo it back within 5 s. Per probe it prints
 *
 *   echo I LOCALPORT ANSWER ok            connection I echoed the line
 *   echo I LOCALPORT ANSWER - REASON      it did not (and is dead from now on)
 *   probe LINE alive N of K
 *
 * Finally it closes them all. HOST is an IPv4 or an IPv6 address. -t
 * bounds the time for
 * connecting plus reading the answers (default 30 s). Exit status is 0
 * only if all K connections answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;			/* -1 if the connect failed */
	unsigned short lport;	/* our local port */
	char ans[128];		/* the answer line, without '\n' */
	size_t len;
	int done;		/* got a whole line */
	const char *err;	/* why it failed, if it did */
	const char *dead;	/* why a probe failed, if one did (-e) */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Send line (with its '\n') on every connection still alive and wait up
 * to 5 s for each to send it back; print the result (see the top).
 */
static void probe_all(struct conn *c, struct pollfd *pfd, int k, const char *line)
{
	size_t len = strlen(line);
	size_t *got = calloc((size_t)k, sizeof(*got));
	long deadline = now_ms() + 5000;
	int pending = 0, alive = 0;

	if (!got)
		exit(1);
	for (int i = 0; i < k; i++) {
		if (c[i].fd < 0 || !c[i].done || c[i].dead)
			continue;
		if (send(c[i].fd, line, len, MSG_NOSIGNAL) != (ssize_t)len)
			c[i].dead = strerror(errno);
		else
			pending++;
	}
	while (pending > 0) {
		long left = deadline - now_ms();
		int r;

		for (int i = 0; i < k; i++) {
			int wait = c[i].fd >= 0 && c[i].done && !c[i].dead && got[i] < len;

			pfd[i].fd = wait ? c[i].fd : -1;
			pfd[i].events = POLLIN;
		}
		r = poll(pfd, (nfds_t)k, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (int i = 0; i < k; i++) {
			char buf[512];
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(c[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				c[i].dead = n < 0 ? strerror(errno) : "closed";
				pending--;
				continue;
			}
			got[i] += (size_t)n;
			if (got[i] >= len)
				pending--;
		}
	}
	for (int i = 0; i < k; i++) {
		if (c[i].fd < 0 || !c[i].done) {
			printf("echo %d %u - not connected\n", i + 1, c[i].lport);
			continue;
		}
		if (!c[i].dead && got[i] < len)
			c[i].dead = "no echo in time";
		if (c[i].dead) {
			printf("echo %d %u %s - %s\n", i + 1, c[i].lport, c[i].ans, c[i].dead);
		} else {
			printf("echo %d %u %s ok\n", i + 1, c[i].lport, c[i].ans);
			alive++;
		}
	}
	printf("probe %.*s alive %d of %d\n", (int)(len - 1), line, alive, k);
	free(got);
}

/* dst for an IPv4 or IPv6 address and a port; its length, 0 if invalid. */
static socklen_t parse_dst(struct sockaddr_storage *dst, const char *host,
			   int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)dst;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)dst;

	memset(dst, 0, sizeof(*dst));
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

/* Blocking connect bounded by deadline (via a non-blocking connect). */
static int dial(struct sockaddr_storage *dst, socklen_t dlen, long deadline,
		const char **err)
{
	int fd = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (fd < 0) {
		*err = strerror(errno);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)dst, dlen) && errno != EINPROGRESS) {
		*err = strerror(errno);
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		long left = deadline - now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*err = "connect timed out";
			close(fd);
			return -1;
		}
		break;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr) {
		*err = strerror(soerr);
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst;
	socklen_t dlen = 0;
	int opt, hold = 0, echo = 0, timeout = 30, k, answered = 0, pending = 0;
	struct conn *c;
	struct pollfd *pfd;
	struct rlimit rl;
	long deadline;

	while ((opt = getopt(argc, argv, "t:we")) != -1) {
		if (opt == 't')
			timeout = atoi(optarg);
		else if (opt == 'w')
			hold = 1;
		else if (opt == 'e')
			echo = 1;
		else
			goto usage;
	}
	if (argc - optind == 3)
		dlen = parse_dst(&dst, argv[optind], atoi(argv[optind + 1]));
	if (!dlen || atoi(argv[optind + 1]) <= 0 ||
	    (k = atoi(argv[optind + 2])) <= 0)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {	/* room for K fds */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	c = calloc((size_t)k, sizeof(*c));
	pfd = calloc((size_t)k, sizeof(*pfd));
	if (!c || !pfd)
		return 1;
	deadline = now_ms() + timeout * 1000L;

	/* 1. Connect one after another. */
	for (int i = 0; i < k; i++) {
		struct sockaddr_storage me;
		socklen_t mlen = sizeof(me);

		c[i].fd = dial(&dst, dlen, deadline, &c[i].err);
		if (c[i].fd < 0)
			continue;
		if (getsockname(c[i].fd, (struct sockaddr *)&me, &mlen) == 0)
			c[i].lport = ntohs(me.ss_family == AF_INET6 ?
				((struct sockaddr_in6 *)&me)->sin6_port :
				((struct sockaddr_in *)&me)->sin_port);
		pending++;
	}

	/* 2. Read one line from each until all answered or the deadline. */
	while (pending > 0) {
		long left = deadline - now_ms();
		int r;

		for (int i = 0; i < k; i++) {
			pfd[i].fd = (c[i].fd >= 0 && !c[i].done && !c[i].err) ? c[i].fd : -1;
			pfd[i].events = POLLIN;
		}
		r = poll(pfd, (nfds_t)k, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (int i = 0; i < k; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(c[i].fd, c[i].ans + c[i].len, sizeof(c[i].ans) - 1 - c[i].len);
			if (n <= 0) {
				c[i].err = n < 0 ? strerror(errno) : "closed before answering";
				pending--;
				continue;
			}
			c[i].len += (size_t)n;
			c[i].ans[c[i].len] = '\0';
			char *nl = strchr(c[i].ans, '\n');

			if (nl || c[i].len == sizeof(c[i].ans) - 1) {
				if (nl)
					*nl = '\0';
				c[i].done = 1;
				answered++;
				pending--;
			}
		}
	}

	/* 3. Report. */
	for (int i = 0; i < k; i++) {
		if (c[i].done)
			printf("conn %d %u %s\n", i + 1, c[i].lport, c[i].ans);
		else
			printf("conn %d %u - %s\n", i + 1, c[i].lport,
			       c[i].err ? c[i].err : "no answer in time");
	}
	printf("answered %d of %d\n", answered, k);

	/* 4. Optionally hold everything open until stdin EOF (-e: probe). */
	if (hold) {
		char buf[256];
		size_t have = 0;

		printf("holding\n");
		for (;;) {
			ssize_t n = read(0, buf + have, sizeof(buf) - 1 - have);
			char *nl;

			if (n == 0 || (n < 0 && errno != EINTR))
				break;
			if (n < 0 || !echo)
				continue;
			have += (size_t)n;
			while ((nl = memchr(buf, '\n', have))) {
				size_t line = (size_t)(nl - buf) + 1;
				char one[256];

				memcpy(one, buf, line);
				one[line] = '\0';
				probe_all(c, pfd, k, one);
				memmove(buf, buf + line, have - line);
				have -= line;
			}
			if (have == sizeof(buf) - 1)
				have = 0;	/* a line too long: drop it */
		}
	}
	for (int i = 0; i < k; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	return answered == k ? 0 : 1;

usage:
	fprintf(stderr, "usage: conns [-t SECS] [-w [-e]] HOST PORT K\n");
	return 2;
}
