// SPDX-License-Identifier: GPL-2.0
/*
 * hold [-c INFLIGHT] [-t SECS] [-s SRC[,SRC...]] N DST:PORT[,DST:PORT...]
 *
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

/* parse_list "a[:p],b[:p]" into out[]; ports required iff need_port. */
static int parse_list(char *s, struct sockaddr_in *out, int need_port)
{
	int n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		char *colon = strchr(tok, ':');

		if (n == MAXADDR)
			return -1;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].sin_family = AF_INET;
		if (colon) {
			int port;

			*colon = '\0';
			port = atoi(colon + 1);
			if (port <= 0 || port > 65535)
				return -1;
			out[n].sin_port = htons((unsigned short)port);
		} else if (need_port) {
			return -1;
		}
		if (inet_pton(AF_INET, tok, &out[n].sin_addr) != 1)
			return -1;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src[MAXADDR], dst[MAXADDR];
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
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
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
				setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
				if (bind(fd, (struct sockaddr *)&src[started % nsrc],
					 sizeof(src[0]))) {
					close(fd);
					failed++;
					continue;
				}
			}
			if (connect(fd, (struct sockaddr *)&dst[started % ndst], sizeof(dst[0])) &&
			    errno != EINPROGRESS) {
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
