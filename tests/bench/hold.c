// SPDX-License-Identifier: GPL-2.0
/*
 * hold [-c INFLIGHT] [-t SECS] [-s SRC[,SRC...]] N DST:PORT[,DST:PORT...]
 *
 * Addresses are IPv4 (10.0.0.1:80) or IPv6 ([2001:db8::1]:80; a source
 * may also be bare, 2001:db8::2); all of one family.
 * Opens N idle TCP connections and holds them until killed. It is the
 * "established idle rows" load of the l4lb benchmark (tests/bench): each
 * connection is one row in the balancer's table and sends nothing.
 *
 * Connections are opened non-blocking, at most INFLIGHT (default 256) at a
 * time. Connection i binds source address SRC[i % nsrc] (port chosen by
 * connect(), IP_BIND_ADDRESS_NO_PORT, so each source address has a whole
 * port range per destination) and goes to DST[i % ndst]. Every socket has
 * SO_LINGER 0, so exit (any signal) resets them all at once and the
 * balancer's rows go away quickly.
 *
 * Prints, line-buffered, "progress E F" every 10000 completions and then
 * "held E failed F secs S" when all N have completed or -t SECS (default
 * 300) ran out; then it sleeps until killed. Exit status (only on errors
 * before holding): 2 usage, 1 setup failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAXADDR 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One socket address of either family, with its length for bind/connect. */
struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * parse_addr "A", "A:PORT", "[A6]", "[A6]:PORT" or a bare "A6" into @out;
 * the port is required iff @need_port. Returns 0, or -1 if malformed.
 */
static int parse_addr(char *tok, struct addr *out, int need_port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	char *host = tok, *port = NULL, *end;
	int v6 = 0;
	long p = 0;

	memset(out, 0, sizeof(*out));
	if (*tok == '[') {
		end = strchr(tok, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		*end = '\0';
		host = tok + 1;
		port = end[1] ? end + 2 : NULL;
		v6 = 1;
	} else if (strchr(tok, ':') != strrchr(tok, ':')) {
		v6 = 1;		/* a bare IPv6 address: no port */
	} else {
		port = strchr(tok, ':');
		if (port)
			*port++ = '\0';
	}
	if (port) {
		p = strtol(port, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return -1;
	} else if (need_port) {
		return -1;
	}
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)p);
		out->len = sizeof(*s6);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)p);
	out->len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

/*
 * parse_list "a[:p],b[:p]" into out[], all of one family; ports required
 * iff need_port. Returns the count, or -1.
 */
static int parse_list(char *s, struct addr *out, int need_port)
{
	int n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == MAXADDR || parse_addr(tok, &out[n], need_port))
			return -1;
		if (out[n].ss.ss_family != out[0].ss.ss_family)
			return -1;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct addr src[MAXADDR], dst[MAXADDR];
	int nsrc = 0, ndst, opt, inflight = 256, timeout = 300, ep;
	long n, started = 0, est = 0, failed = 0, pending = 0, done;
	struct epoll_event evs[512];
	struct rlimit rl;
	double t0;

	while ((opt = getopt(argc, argv, "c:t:s:")) != -1) {
		switch (opt) {
		case 'c':
			inflight = atoi(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 's':
			nsrc = parse_list(optarg, src, 0);
			if (nsrc <= 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || inflight <= 0 || timeout <= 0)
		goto usage;
	n = atol(argv[optind]);
	ndst = parse_list(argv[optind + 1], dst, 1);
	if (n <= 0 || ndst <= 0)
		goto usage;
	if (nsrc && src[0].ss.ss_family != dst[0].ss.ss_family)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);

	rl.rlim_cur = rl.rlim_max = (rlim_t)n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max >= (rlim_t)n + 64) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		} else {
			fprintf(stderr, "hold: cannot raise RLIMIT_NOFILE to %ld: %s\n",
				n + 64, strerror(errno));
			return 1;
		}
	}
	ep = epoll_create1(0);
	if (ep < 0) {
		perror("hold: epoll_create1");
		return 1;
	}

	t0 = now_s();
	done = 0;
	while (started < n || pending > 0) {
		int r;

		while (pending < inflight && started < n) {
			int fd = socket(dst[0].ss.ss_family,
					SOCK_STREAM | SOCK_NONBLOCK, 0);
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			int one = 1;
			struct epoll_event ev = { .events = EPOLLOUT };

			started++;
			if (fd < 0) {
				failed++;
				continue;
			}
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			if (nsrc) {
				struct addr *a = &src[started % nsrc];

				/* (an IPv4-level option, which IPv6 sockets honour too) */
				setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
				if (bind(fd, (struct sockaddr *)&a->ss, a->len)) {
					close(fd);
					failed++;
					continue;
				}
			}
			if (connect(fd, (struct sockaddr *)&dst[started % ndst].ss,
				    dst[started % ndst].len) && errno != EINPROGRESS) {
				close(fd);
				failed++;
				continue;
			}
			ev.data.fd = fd;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
				close(fd);
				failed++;
				continue;
			}
			pending++;
		}
		if (now_s() - t0 > timeout)
			break;
		r = epoll_wait(ep, evs, 512, 200);
		if (r < 0 && errno != EINTR) {
			perror("hold: epoll_wait");
			break;
		}
		for (int i = 0; i < r; i++) {
			int fd = evs[i].data.fd, soerr = 0;
			socklen_t len = sizeof(soerr);

			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			pending--;
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
			if (soerr) {
				close(fd);
				failed++;
			} else {
				est++;
			}
			if (++done % 10000 == 0)
				printf("progress %ld %ld\n", est, failed);
		}
	}
	/* Whatever is still pending after the timeout counts as failed (it
	 * stays open; the exit resets it with the rest). */
	failed += pending;
	printf("held %ld failed %ld secs %.1f\n", est, failed, now_s() - t0);
	for (;;)
		pause();

usage:
	fprintf(stderr,
		"usage: hold [-c INFLIGHT] [-t SECS] [-s SRC[,SRC...]] N DST:PORT[,DST:PORT...]\n");
	return 2;
}
