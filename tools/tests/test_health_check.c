// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_check.c - health_check.c against real sockets on 127.0.0.1:
 * TCP servers that accept and stay silent, greet, answer a request right
 * or wrong, close at once, or are not there at all; UDP servers that echo
 * ("alive " and the datagram), answer wrong, answer wrong then right, stay
 * silent, or are not there (the kernel answers ICMP port unreachable). On
 * ::1, an answering TCP server and an echoing UDP one, where the host has
 * IPv6. A server thread plays all of them at the same time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "health_check.h"

enum behaviour {
	SILENT,		/* accept, never say anything */
	GREET_ALIVE,	/* accept, send "alive be1\n" at once */
	GREET_BUSY,	/* accept, send "busy\n" at once */
	ANSWER,		/* "HEALTH CHECK\n" -> "ALIVE\n", anything else -> "WHAT?\n" */
	HANG_UP,	/* accept, close at once */
	N_BEHAVIOURS,
};

enum udp_behaviour {
	U_ECHO,		/* answer "alive " and the datagram */
	U_BUSY,		/* answer "busy\n" */
	U_TWICE,	/* answer "busy\n", then "alive\n" */
	U_EMPTY,	/* answer an empty datagram */
	U_SILENT,	/* read, never answer */
	N_UDP,
};

#define MAX_FDS 64

static struct {
	int listen_fd[N_BEHAVIOURS];
	struct ipport ep[N_BEHAVIOURS];
	struct ipport refused;		/* nobody listens there */
	int udp_fd[N_UDP];
	struct ipport uep[N_UDP];
	struct ipport udp_refused;	/* no UDP socket there */
	int listen6_fd;			/* ANSWER on ::1, or -1 */
	struct ipport ep6;
	struct ipport refused6;		/* on ::1, nobody listens there */
	int udp6_fd;			/* U_ECHO on ::1, or -1 */
	struct ipport uep6;
	int stop[2];			/* pipe: stop the thread */
	pthread_t thread;
} srv;

/* An accepted connection of the server thread. */
struct peer {
	int fd;
	enum behaviour b;
	char buf[64];
	size_t len;
};

static void serve_accept(struct peer *peers, int *n, int lfd,
			 enum behaviour b)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return;
	if (b == GREET_ALIVE && write(fd, "alive be1\n", 10) != 10)
		b = HANG_UP;
	if (b == GREET_BUSY && write(fd, "busy\n", 5) != 5)
		b = HANG_UP;
	if (b == HANG_UP || *n == MAX_FDS) {
		close(fd);
		return;
	}
	peers[*n].fd = fd;
	peers[*n].b = b;
	peers[*n].len = 0;
	(*n)++;
}

/* Read from a peer; return false when it is to be closed. */
static bool serve_read(struct peer *p)
{
	ssize_t r = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	const char *ans;

	if (r <= 0)
		return false;
	p->len += (size_t)r;
	p->buf[p->len] = '\0';
	if (p->b != ANSWER || !strchr(p->buf, '\n'))
		return p->len < sizeof(p->buf) - 1;
	ans = strcmp(p->buf, "HEALTH CHECK\n") ? "WHAT?\n" : "ALIVE\n";
	if (write(p->fd, ans, strlen(ans)) < 0)
		return false;
	p->len = 0;
	return true;
}

/* Answer one datagram of the UDP socket of behaviour @b. */
static void serve_datagram(int fd, enum udp_behaviour b)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char in[256], out[300];
	ssize_t r;
	int len;

	r = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&peer, &plen);
	if (r < 0)
		return;
	switch (b) {
	case U_ECHO:
		len = snprintf(out, sizeof(out), "alive %.*s", (int)r, in);
		sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&peer, plen);
		break;
	case U_TWICE:
		sendto(fd, "busy\n", 5, 0, (struct sockaddr *)&peer, plen);
		sendto(fd, "alive\n", 6, 0, (struct sockaddr *)&peer, plen);
		break;
	case U_BUSY:
		sendto(fd, "busy\n", 5, 0, (struct sockaddr *)&peer, plen);
		break;
	case U_EMPTY:
		sendto(fd, "", 0, 0, (struct sockaddr *)&peer, plen);
		break;
	default:
		break;
	}
}

static void *server(void *arg)
{
	static struct peer peers[MAX_FDS];
	int n = 0;

	(void)arg;
	for (;;) {
		struct pollfd pfd[1 + N_BEHAVIOURS + N_UDP + MAX_FDS + 2];
		int i, k = 0;

		/* IPv6 last, so that the indexes below stay as they are. */
		pfd[k].fd = srv.stop[0];
		pfd[k++].events = POLLIN;
		for (i = 0; i < N_BEHAVIOURS; i++) {
			pfd[k].fd = srv.listen_fd[i];
			pfd[k++].events = POLLIN;
		}
		for (i = 0; i < N_UDP; i++) {
			pfd[k].fd = srv.udp_fd[i];
			pfd[k++].events = POLLIN;
		}
		for (i = 0; i < n; i++) {
			pfd[k].fd = peers[i].fd;
			pfd[k++].events = POLLIN;
		}
		pfd[k].fd = srv.listen6_fd;	/* poll() skips fd -1 */
		pfd[k++].events = POLLIN;
		pfd[k].fd = srv.udp6_fd;
		pfd[k++].events = POLLIN;
		if (poll(pfd, (nfds_t)k, -1) < 0)
			continue;
		if (pfd[0].revents)
			break;
		if (pfd[k - 1].revents)
			serve_datagram(srv.udp6_fd, U_ECHO);
		if (pfd[k - 2].revents)
			serve_accept(peers, &n, srv.listen6_fd, ANSWER);
		for (i = 0; i < N_UDP; i++)
			if (pfd[1 + N_BEHAVIOURS + i].revents)
				serve_datagram(srv.udp_fd[i],
					       (enum udp_behaviour)i);
		/* Connections first: accepting may change the peer list. */
		for (i = n - 1; i >= 0; i--) {
			if (!pfd[1 + N_BEHAVIOURS + N_UDP + i].revents)
				continue;
			if (!serve_read(&peers[i])) {
				close(peers[i].fd);
				peers[i] = peers[--n];
			}
		}
		for (i = 0; i < N_BEHAVIOURS; i++)
			if (pfd[1 + i].revents)
				serve_accept(peers, &n, srv.listen_fd[i],
					     (enum behaviour)i);
	}
	while (n > 0)
		close(peers[--n].fd);
	return NULL;
}

/*
 * A socket of family @af and @type bound to the loopback address
 * (127.0.0.1 or ::1) on a free port (@ep->port 0), or on @ep->port; its
 * endpoint in @ep.
 */
static int bound_socket_af(int af, int type, struct ipport *ep)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len;
	int fd = socket(af, type, 0);

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = ep->port;
		len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = ep->port;
		len = sizeof(*sin);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(ep, 0, sizeof(*ep));
	if (af == AF_INET6) {
		ep->addr.af = AF_INET6;
		ep->addr.v6 = sin6->sin6_addr;
		ep->port = sin6->sin6_port;
	} else {
		ep->addr = ipaddr_v4(sin->sin_addr.s_addr);
		ep->port = sin->sin_port;
	}
	return fd;
}

static int bound_socket_of(int type, struct ipport *ep)
{
	return bound_socket_af(AF_INET, type, ep);
}

/*
 * The IPv6 servers on ::1: an answering TCP one, a refused port, an
 * echoing UDP one. Without IPv6 on the host, none (the tests skip).
 */
static void start_servers6(void)
{
	int fd;

	srv.listen6_fd = -1;
	srv.udp6_fd = -1;
	srv.ep6.port = 0;
	fd = bound_socket_af(AF_INET6, SOCK_STREAM, &srv.ep6);
	if (fd < 0)
		return;
	if (listen(fd, 64) < 0) {
		close(fd);
		return;
	}
	srv.refused6.port = 0;
	srv.uep6.port = 0;
	srv.udp6_fd = bound_socket_af(AF_INET6, SOCK_DGRAM, &srv.uep6);
	close(bound_socket_af(AF_INET6, SOCK_STREAM, &srv.refused6));
	if (srv.udp6_fd < 0 || !srv.refused6.port) {
		close(fd);
		return;
	}
	srv.listen6_fd = fd;
}

#define NEED_IPV6() do { if (srv.listen6_fd < 0) skip(); } while (0)

/* A TCP socket bound to 127.0.0.1 on a free port; its endpoint in @ep. */
static int bound_socket(struct ipport *ep)
{
	ep->port = 0;
	return bound_socket_of(SOCK_STREAM, ep);
}

static int start_servers(void **state)
{
	int i, fd;

	(void)state;
	for (i = 0; i < N_BEHAVIOURS; i++) {
		srv.listen_fd[i] = bound_socket(&srv.ep[i]);
		if (srv.listen_fd[i] < 0 || listen(srv.listen_fd[i], 64) < 0)
			return -1;
	}
	/* Bound but not listening, then closed: connecting is refused. */
	fd = bound_socket(&srv.refused);
	if (fd < 0)
		return -1;
	close(fd);
	for (i = 0; i < N_UDP; i++) {
		srv.uep[i].port = 0;
		srv.udp_fd[i] = bound_socket_of(SOCK_DGRAM, &srv.uep[i]);
		if (srv.udp_fd[i] < 0)
			return -1;
	}
	/*
	 * No UDP socket on the port of the SILENT TCP listener: a TCP and a
	 * UDP backend on one IP:PORT, the TCP one up, the UDP one refused.
	 */
	srv.udp_refused = srv.ep[SILENT];
	start_servers6();
	if (pipe(srv.stop) < 0)
		return -1;
	return pthread_create(&srv.thread, NULL, server, NULL) ? -1 : 0;
}

static int stop_servers(void **state)
{
	int i;

	(void)state;
	if (write(srv.stop[1], "x", 1) != 1)
		return -1;
	pthread_join(srv.thread, NULL);
	for (i = 0; i < N_BEHAVIOURS; i++)
		close(srv.listen_fd[i]);
	for (i = 0; i < N_UDP; i++)
		close(srv.udp_fd[i]);
	if (srv.listen6_fd >= 0)
		close(srv.listen6_fd);
	if (srv.udp6_fd >= 0)
		close(srv.udp6_fd);
	close(srv.stop[0]);
	close(srv.stop[1]);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Check one endpoint with @spec; return the probe. */
static struct health_probe check1(struct ipport ep,
				  const struct health_spec *spec)
{
	struct health_probe p = { .ep = ep };

	assert_int_equal(health_check_run(&p, 1, spec, -1), 0);
	return p;
}

static void connect_succeeds_on_a_listening_port(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[SILENT], &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_string_equal(p.why, "");
}

static void connect_fails_where_nobody_listens(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000 };
	struct health_probe p;

	(void)state;
	p = check1(srv.refused, &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "connect: Connection refused");
}

static void expect_finds_the_string_in_a_greeting(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000, .expect = "alive",
				    .expect_len = 5 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[GREET_ALIVE], &spec);
	assert_int_equal(p.result, HEALTH_OK);
}

static void wrong_reply_fails_at_the_timeout(void **state)
{
	struct health_spec spec = { .timeout_ms = 300, .expect = "alive",
				    .expect_len = 5 };
	struct health_probe p;
	long t0 = now_ms(), took;

	(void)state;
	p = check1(srv.ep[GREET_BUSY], &spec);
	took = now_ms() - t0;
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "expect: no \"alive\" within 0.3 s (got \"busy\\n\")");
	assert_in_range(took, 250, 1000);
}

static void silent_server_fails_expect_with_nothing(void **state)
{
	struct health_spec spec = { .timeout_ms = 200, .expect = "x\ty",
				    .expect_len = 3 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[SILENT], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "expect: no \"x\\ty\" within 0.2 s (got nothing)");
}

static void send_then_expect_the_answer(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .send = "HEALTH CHECK\n", .send_len = 13,
				    .expect = "ALIVE", .expect_len = 5 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[ANSWER], &spec);
	assert_int_equal(p.result, HEALTH_OK);

	spec.send = "HELLO\n";
	spec.send_len = 6;
	spec.timeout_ms = 200;
	p = check1(srv.ep[ANSWER], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "expect: no \"ALIVE\" within 0.2 s (got \"WHAT?\\n\")");
}

static void send_without_expect_needs_only_the_send(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000, .send = "ping\n",
				    .send_len = 5 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[SILENT], &spec);
	assert_int_equal(p.result, HEALTH_OK);
}

static void hang_up_before_the_reply_fails_at_once(void **state)
{
	struct health_spec spec = { .timeout_ms = 5000, .expect = "alive",
				    .expect_len = 5 };
	struct health_probe p;
	long t0 = now_ms();

	(void)state;
	p = check1(srv.ep[HANG_UP], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_true(!strcmp(p.why, "expect: connection closed before \"alive\" came (got nothing)") ||
		    !strcmp(p.why, "recv: Connection reset by peer"));
	assert_in_range(now_ms() - t0, 0, 2000);
}

static void line_check_takes_the_first_line(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000, .line = true };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[GREET_ALIVE], &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_int_equal(p.line_len, 9);
	assert_string_equal(p.line, "alive be1");
	assert_true(p.connect_us > 0);
}

static void line_check_sends_first_then_reads(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000, .line = true,
				    .send = "HEALTH CHECK\n", .send_len = 13 };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[ANSWER], &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_string_equal(p.line, "ALIVE");
}

static void line_check_fails_on_silence_and_hang_up(void **state)
{
	struct health_spec spec = { .timeout_ms = 200, .line = true };
	struct health_probe p;

	(void)state;
	p = check1(srv.ep[SILENT], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "recv: no line within 0.2 s (got nothing)");
	assert_int_equal(p.line_len, 0);
	p = check1(srv.ep[HANG_UP], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_true(!strcmp(p.why, "recv: connection closed without a line") ||
		    !strcmp(p.why, "recv: Connection reset by peer"));
	p = check1(srv.refused, &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_int_equal(p.connect_us, 0);
}

static void slow_backends_do_not_delay_the_others(void **state)
{
	struct health_spec spec = { .timeout_ms = 400, .expect = "alive",
				    .expect_len = 5 };
	struct health_probe p[8];
	long t0, took;
	int i;

	(void)state;
	/* Six silent backends, each taking the whole timeout, and two good
	 * ones: one round lasts one timeout, not six. */
	for (i = 0; i < 8; i++)
		p[i].ep = srv.ep[i < 6 ? SILENT : GREET_ALIVE];
	p[3].ep = srv.refused;
	t0 = now_ms();
	assert_int_equal(health_check_run(p, 8, &spec, -1), 0);
	took = now_ms() - t0;
	assert_in_range(took, 350, 1200);
	for (i = 0; i < 8; i++)
		assert_int_equal(p[i].result, i < 6 ? HEALTH_FAIL : HEALTH_OK);
	assert_string_equal(p[3].why, "connect: Connection refused");
}

static void no_probes_is_an_empty_round(void **state)
{
	struct health_spec spec = { .timeout_ms = 100 };

	(void)state;
	assert_int_equal(health_check_run(NULL, 0, &spec, -1), 0);
}

static void stop_fd_abandons_the_round(void **state)
{
	struct health_spec spec = { .timeout_ms = 5000, .expect = "never",
				    .expect_len = 5 };
	struct health_probe p[2] = { { .ep = srv.ep[SILENT] },
				     { .ep = srv.ep[SILENT] } };
	int stop[2];
	long t0 = now_ms();

	(void)state;
	assert_int_equal(pipe(stop), 0);
	assert_int_equal(write(stop[1], "x", 1), 1);
	assert_int_equal(health_check_run(p, 2, &spec, stop[0]), 1);
	assert_in_range(now_ms() - t0, 0, 1000);
	assert_int_equal(p[0].result, HEALTH_LOCAL_ERROR);
	assert_string_equal(p[0].why, "interrupted");
	close(stop[0]);
	close(stop[1]);
}

/* ---- UDP ---- */

/* Check one UDP endpoint with @spec; return the probe. */
static struct health_probe check_udp(struct ipport ep,
				     const struct health_spec *spec)
{
	struct health_probe p = { .ep = ep, .proto = IPPROTO_UDP };

	assert_int_equal(health_check_run(&p, 1, spec, -1), 0);
	return p;
}

static void udp_reply_with_the_expected_text_passes(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .udp_send = "ping\n", .udp_send_len = 5,
				    .udp_expect = "alive ping", .udp_expect_len = 10 };
	struct health_probe p;
	long t0 = now_ms();

	(void)state;
	p = check_udp(srv.uep[U_ECHO], &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_string_equal(p.why, "");
	/* It passes on the reply, not at the timeout. */
	assert_in_range(now_ms() - t0, 0, 500);
}

static void udp_any_reply_passes_without_expect(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .udp_send = "ping", .udp_send_len = 4 };
	struct health_probe p;

	(void)state;
	p = check_udp(srv.uep[U_BUSY], &spec);
	assert_int_equal(p.result, HEALTH_OK);
	/* Even an empty datagram: the backend answered. */
	p = check_udp(srv.uep[U_EMPTY], &spec);
	assert_int_equal(p.result, HEALTH_OK);
}

static void udp_reply_that_differs_fails_at_the_timeout(void **state)
{
	struct health_spec spec = { .timeout_ms = 300,
				    .udp_send = "ping", .udp_send_len = 4,
				    .udp_expect = "alive", .udp_expect_len = 5 };
	struct health_probe p;
	long t0 = now_ms(), took;

	(void)state;
	p = check_udp(srv.uep[U_BUSY], &spec);
	took = now_ms() - t0;
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "expect: no \"alive\" within 0.3 s (got \"busy\\n\")");
	assert_in_range(took, 250, 1000);
}

static void udp_right_reply_after_a_wrong_one_passes(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .udp_send = "ping", .udp_send_len = 4,
				    .udp_expect = "alive", .udp_expect_len = 5 };
	struct health_probe p;

	(void)state;
	p = check_udp(srv.uep[U_TWICE], &spec);
	assert_int_equal(p.result, HEALTH_OK);
}

static void udp_port_unreachable_fails_at_once(void **state)
{
	struct health_spec spec = { .timeout_ms = 2000,
				    .udp_send = "ping", .udp_send_len = 4 };
	struct health_probe p;
	long t0 = now_ms();

	(void)state;
	p = check_udp(srv.udp_refused, &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "recv: Connection refused (ICMP port unreachable)");
	assert_in_range(now_ms() - t0, 0, 1000);
}

static void udp_silence_fails_at_the_timeout(void **state)
{
	struct health_spec spec = { .timeout_ms = 200,
				    .udp_send = "ping", .udp_send_len = 4 };
	struct health_probe p;
	long t0 = now_ms();

	(void)state;
	p = check_udp(srv.uep[U_SILENT], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "recv: no reply within 0.2 s");
	assert_in_range(now_ms() - t0, 150, 1000);

	spec.udp_expect = "alive";
	spec.udp_expect_len = 5;
	p = check_udp(srv.uep[U_SILENT], &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "expect: no \"alive\" within 0.2 s (got nothing)");
}

static void udp_without_a_request_is_not_checked(void **state)
{
	/* The TCP strings are not the UDP ones: nothing to send over UDP. */
	struct health_spec spec = { .timeout_ms = 1000, .send = "ping",
				    .send_len = 4, .expect = "alive",
				    .expect_len = 5 };
	struct health_probe p;
	long t0 = now_ms();

	(void)state;
	p = check_udp(srv.uep[U_ECHO], &spec);
	assert_int_equal(p.result, HEALTH_NOT_CHECKED);
	assert_string_equal(p.why, "UDP needs --send (silence proves nothing)");
	p = check_udp(srv.udp_refused, &spec);
	assert_int_equal(p.result, HEALTH_NOT_CHECKED);
	assert_in_range(now_ms() - t0, 0, 100);
}

static void tcp_and_udp_in_one_round_each_with_its_strings(void **state)
{
	struct health_spec spec = { .timeout_ms = 400,
				    .send = "HEALTH CHECK\n", .send_len = 13,
				    .expect = "ALIVE", .expect_len = 5,
				    .udp_send = "u1", .udp_send_len = 2,
				    .udp_expect = "alive u1", .udp_expect_len = 8 };
	struct health_probe p[5] = {
		{ .ep = srv.ep[ANSWER], .proto = IPPROTO_TCP },
		{ .ep = srv.uep[U_ECHO], .proto = IPPROTO_UDP },
		/* The same IP:PORT: a TCP listener, no UDP socket. */
		{ .ep = srv.ep[SILENT], .proto = IPPROTO_TCP },
		{ .ep = srv.udp_refused, .proto = IPPROTO_UDP },
		{ .ep = srv.uep[U_SILENT], .proto = IPPROTO_UDP },
	};
	long t0 = now_ms();

	(void)state;
	assert_int_equal(health_check_run(p, 5, &spec, -1), 0);
	assert_in_range(now_ms() - t0, 350, 1200);
	assert_int_equal(p[0].result, HEALTH_OK);
	assert_int_equal(p[1].result, HEALTH_OK);
	/* The TCP check of SILENT expects "ALIVE" and gets nothing. */
	assert_int_equal(p[2].result, HEALTH_FAIL);
	assert_string_equal(p[2].why, "expect: no \"ALIVE\" within 0.4 s (got nothing)");
	assert_int_equal(p[3].result, HEALTH_FAIL);
	assert_string_equal(p[3].why, "recv: Connection refused (ICMP port unreachable)");
	assert_int_equal(p[4].result, HEALTH_FAIL);
	assert_string_equal(p[4].why, "expect: no \"alive u1\" within 0.4 s (got nothing)");
}

static void udp_probe_on_a_tcp_only_port_fails_tcp_passes(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .udp_send = "ping", .udp_send_len = 4 };
	struct health_probe p[2] = {
		{ .ep = srv.ep[SILENT], .proto = IPPROTO_TCP },
		{ .ep = srv.ep[SILENT], .proto = IPPROTO_UDP },
	};

	(void)state;
	assert_int_equal(health_check_run(p, 2, &spec, -1), 0);
	assert_int_equal(p[0].result, HEALTH_OK);
	assert_int_equal(p[1].result, HEALTH_FAIL);
	assert_string_equal(p[1].why, "recv: Connection refused (ICMP port unreachable)");
}

static void escape_quotes_bytes_for_messages(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(health_escape(b, sizeof(b), "a\n\"\\\0\x7f", 6, 32),
			    "a\\n\\\"\\\\\\x00\\x7f");
	assert_string_equal(health_escape(b, sizeof(b), "abcdef", 6, 3), "abc...");
	/* Cut to fit, never in the middle of an escape. */
	assert_string_equal(health_escape(b, 6, "ab\n\n", 4, 32), "ab\\n");
}

/* ---- IPv6: the same checks, on ::1 ---- */

static void ipv6_tcp_check_connects_sends_and_expects(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .send = "HEALTH CHECK\n", .send_len = 13,
				    .expect = "ALIVE", .expect_len = 5 };
	struct health_probe p;

	(void)state;
	NEED_IPV6();
	p = check1(srv.ep6, &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_string_equal(p.why, "");
	assert_true(p.connect_us > 0);
	p = check1(srv.refused6, &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why, "connect: Connection refused");
}

static void ipv6_line_check_takes_the_agent_line(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000, .line = true,
				    .send = "HEALTH CHECK\n", .send_len = 13 };
	struct health_probe p;

	(void)state;
	NEED_IPV6();
	p = check1(srv.ep6, &spec);
	assert_int_equal(p.result, HEALTH_OK);
	assert_string_equal(p.line, "ALIVE");
}

static void ipv6_udp_check_passes_or_is_refused(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .udp_send = "ping", .udp_send_len = 4,
				    .udp_expect = "alive ping",
				    .udp_expect_len = 10 };
	struct health_probe p;

	(void)state;
	NEED_IPV6();
	p = check_udp(srv.uep6, &spec);
	assert_int_equal(p.result, HEALTH_OK);
	/* No UDP socket on the TCP listener's port: ICMPv6 unreachable. */
	p = check_udp(srv.ep6, &spec);
	assert_int_equal(p.result, HEALTH_FAIL);
	assert_string_equal(p.why,
			    "recv: Connection refused (ICMP port unreachable)");
}

static void ipv4_and_ipv6_probes_share_a_round(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000,
				    .send = "HEALTH CHECK\n", .send_len = 13,
				    .expect = "ALIVE", .expect_len = 5 };
	struct health_probe p[3] = {
		{ .ep = srv.ep[ANSWER] }, { .ep = srv.ep6 },
		{ .ep = srv.refused6 },
	};

	(void)state;
	NEED_IPV6();
	assert_int_equal(health_check_run(p, 3, &spec, -1), 0);
	assert_int_equal(p[0].result, HEALTH_OK);
	assert_int_equal(p[1].result, HEALTH_OK);
	assert_int_equal(p[2].result, HEALTH_FAIL);
}

static void probe_of_no_family_is_a_local_error(void **state)
{
	struct health_spec spec = { .timeout_ms = 1000 };
	struct health_probe p = { 0 };

	(void)state;
	assert_int_equal(health_check_run(&p, 1, &spec, -1), 0);
	assert_int_equal(p.result, HEALTH_LOCAL_ERROR);
	assert_string_equal(p.why, "no address family");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(connect_succeeds_on_a_listening_port),
		cmocka_unit_test(connect_fails_where_nobody_listens),
		cmocka_unit_test(expect_finds_the_string_in_a_greeting),
		cmocka_unit_test(wrong_reply_fails_at_the_timeout),
		cmocka_unit_test(silent_server_fails_expect_with_nothing),
		cmocka_unit_test(send_then_expect_the_answer),
		cmocka_unit_test(send_without_expect_needs_only_the_send),
		cmocka_unit_test(hang_up_before_the_reply_fails_at_once),
		cmocka_unit_test(line_check_takes_the_first_line),
		cmocka_unit_test(line_check_sends_first_then_reads),
		cmocka_unit_test(line_check_fails_on_silence_and_hang_up),
		cmocka_unit_test(slow_backends_do_not_delay_the_others),
		cmocka_unit_test(no_probes_is_an_empty_round),
		cmocka_unit_test(stop_fd_abandons_the_round),
		cmocka_unit_test(udp_reply_with_the_expected_text_passes),
		cmocka_unit_test(udp_any_reply_passes_without_expect),
		cmocka_unit_test(udp_reply_that_differs_fails_at_the_timeout),
		cmocka_unit_test(udp_right_reply_after_a_wrong_one_passes),
		cmocka_unit_test(udp_port_unreachable_fails_at_once),
		cmocka_unit_test(udp_silence_fails_at_the_timeout),
		cmocka_unit_test(udp_without_a_request_is_not_checked),
		cmocka_unit_test(tcp_and_udp_in_one_round_each_with_its_strings),
		cmocka_unit_test(udp_probe_on_a_tcp_only_port_fails_tcp_passes),
		cmocka_unit_test(escape_quotes_bytes_for_messages),
		cmocka_unit_test(ipv6_tcp_check_connects_sends_and_expects),
		cmocka_unit_test(ipv6_line_check_takes_the_agent_line),
		cmocka_unit_test(ipv6_udp_check_passes_or_is_refused),
		cmocka_unit_test(ipv4_and_ipv6_probes_share_a_round),
		cmocka_unit_test(probe_of_no_family_is_a_local_error),
	};

	return cmocka_run_group_tests_name("health_check", tests,
					   start_servers, stop_servers);
}
