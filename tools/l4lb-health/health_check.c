// SPDX-License-Identifier: GPL-2.0
/*
 * health_check.c - concurrent TCP and UDP health checks over non-blocking
 * sockets and one poll() loop. See health_check.h.
 *
 * A TCP probe walks CONNECTING -> SENDING (if there is something to send)
 * -> READING (if a reply is expected) -> DONE. Replies are read from the
 * moment the connection is up, so a server that greets first (a banner)
 * and one that answers the request both work.
 *
 * A UDP probe connects at once (connect() on a datagram socket only sets
 * the peer), then walks SENDING (its one request datagram) -> READING (a
 * reply is always needed: a lost request and a dead server look alike
 * otherwise) -> DONE. Being connected, the socket only gets datagrams from
 * the backend's address and port, and an ICMP error about the request
 * (port unreachable: ECONNREFUSED) is reported by the next recv().
 */
#define _GNU_SOURCE	/* memmem() */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "health_check.h"
#include "health_config.h"

/* How much of an unexpected reply, and of the expect string, a failure
 * message quotes (bytes; each may take 4 characters once escaped). */
#define QUOTE_MAX 32
#define EXPECT_QUOTE_MAX 24

enum phase {
	CONNECTING,
	SENDING,
	READING,
	DONE,
};

/*
 * The private state of one probe during a round. @send and @expect are
 * the spec's strings for the probe's protocol. For UDP, @reply and @got
 * hold the last datagram, not the whole reply.
 */
struct run {
	int fd;
	bool udp;
	enum phase phase;
	const char *send;
	size_t send_len;
	const char *expect;
	size_t expect_len;
	bool line;
	int64_t start_us;
	size_t sent;
	bool matched;
	size_t got;
	char reply[HEALTH_REPLY_MAX];
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
	return now_us() / 1000;
}

static void finish(struct health_probe *p, struct run *r,
		   enum health_result result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void finish(struct health_probe *p, struct run *r,
		   enum health_result result, const char *fmt, ...)
{
	va_list ap;

	p->result = result;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->phase = DONE;
}

char *health_escape(char *buf, size_t size, const char *s, size_t len,
		    size_t max)
{
	size_t i, used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		char one[8];

		switch (c) {
		case '\n': snprintf(one, sizeof(one), "\\n"); break;
		case '\r': snprintf(one, sizeof(one), "\\r"); break;
		case '\t': snprintf(one, sizeof(one), "\\t"); break;
		case '\\': snprintf(one, sizeof(one), "\\\\"); break;
		case '"':  snprintf(one, sizeof(one), "\\\""); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				snprintf(one, sizeof(one), "%c", c);
			else
				snprintf(one, sizeof(one), "\\x%02x", c);
		}
		if (used + strlen(one) + 1 > size)
			return buf;
		memcpy(buf + used, one, strlen(one) + 1);
		used += strlen(one);
	}
	if (len > max && used + 4 <= size)
		memcpy(buf + used, "...", 4);
	return buf;
}

/* The reply so far, quoted for a message: "\"text\"" or "nothing". */
static const char *quote_reply(const struct run *r, char *buf, size_t size)
{
	char esc[QUOTE_MAX * 4 + 4];

	if (r->got == 0)
		return "nothing";
	health_escape(esc, sizeof(esc), r->reply, r->got, QUOTE_MAX);
	snprintf(buf, size, "\"%s\"", esc);
	return buf;
}

/*
 * Take the probe's strings from @spec. Returns false if the probe cannot
 * be checked at all (UDP with nothing to send).
 */
static bool pick_strings(const struct health_probe *p, struct run *r,
			 const struct health_spec *spec)
{
	r->udp = p->proto == IPPROTO_UDP;
	r->line = !r->udp && spec->line;
	if (!r->udp) {
		r->send = spec->send;
		r->send_len = spec->send ? spec->send_len : 0;
		r->expect = spec->expect;
		r->expect_len = spec->expect ? spec->expect_len : 0;
		return true;
	}
	r->send = spec->udp_send;
	r->send_len = spec->udp_send ? spec->udp_send_len : 0;
	r->expect = spec->udp_expect;
	r->expect_len = spec->udp_expect ? spec->udp_expect_len : 0;
	return r->send_len > 0;
}

/* Open the socket and start connecting (UDP: connect, ready to send). */
static void start(struct health_probe *p, struct run *r,
		  const struct health_spec *spec)
{
	struct sockaddr_storage ss;
	socklen_t sslen = ipport_sockaddr(&p->ep, &ss);

	if (!pick_strings(p, r, spec)) {
		finish(p, r, HEALTH_NOT_CHECKED,
		       "UDP needs --send (silence proves nothing)");
		return;
	}
	if (!sslen) {
		finish(p, r, HEALTH_LOCAL_ERROR, "no address family");
		return;
	}
	r->fd = socket(ss.ss_family, (r->udp ? SOCK_DGRAM : SOCK_STREAM) |
				     SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		finish(p, r, HEALTH_LOCAL_ERROR, "socket: %s", strerror(errno));
		return;
	}
	r->phase = r->udp ? SENDING : CONNECTING;
	r->start_us = now_us();
	if (connect(r->fd, (struct sockaddr *)&ss, sslen) == 0 ||
	    (!r->udp && errno == EINPROGRESS))
		return;
	/* No local port, no buffers: our problem, not the backend's. */
	if (errno == EADDRNOTAVAIL || errno == EAGAIN || errno == ENOBUFS ||
	    errno == ENOMEM)
		finish(p, r, HEALTH_LOCAL_ERROR, "connect: %s", strerror(errno));
	else
		finish(p, r, HEALTH_FAIL, "connect: %s", strerror(errno));
}

/* Connected and sent all there is to send: is the check complete? */
static void maybe_done(struct health_probe *p, struct run *r)
{
	if (r->phase == SENDING && r->sent < r->send_len)
		return;
	if ((r->udp || r->expect_len || r->line) && !r->matched) {
		r->phase = READING;
		return;
	}
	finish(p, r, HEALTH_OK, "%s", "");
}

static void on_connected(struct health_probe *p, struct run *r)
{
	int64_t elapsed;
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		finish(p, r, HEALTH_FAIL, "connect: %s", strerror(soerr));
		return;
	}
	elapsed = now_us() - r->start_us;
	p->connect_us = elapsed < 1 ? 1 :
			elapsed > UINT32_MAX ? UINT32_MAX : (uint32_t)elapsed;
	r->phase = SENDING;
	maybe_done(p, r);
}

/* TCP: send what is left. UDP: send the request, one datagram, whole. */
static void on_writable(struct health_probe *p, struct run *r)
{
	ssize_t n;

	n = send(r->fd, r->send + r->sent, r->send_len - r->sent,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			finish(p, r, HEALTH_FAIL, "send: %s", strerror(errno));
		return;
	}
	r->sent += (size_t)n;
	maybe_done(p, r);
}

/*
 * UDP: take one datagram (what does not fit in @r->reply is dropped). An
 * ICMP error about the request shows here, as recv()'s error.
 */
static void on_datagram(struct health_probe *p, struct run *r)
{
	ssize_t n;

	n = recv(r->fd, r->reply, sizeof(r->reply), MSG_DONTWAIT);
	if (n < 0) {
		int e = errno;

		if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR)
			finish(p, r, HEALTH_FAIL, "recv: %s%s", strerror(e),
			       e == ECONNREFUSED ?
			       " (ICMP port unreachable)" : "");
		return;
	}
	/* An empty datagram is a reply too. */
	r->got = (size_t)n;
	if (!r->expect_len ||
	    memmem(r->reply, r->got, r->expect, r->expect_len)) {
		r->matched = true;
		maybe_done(p, r);
	}
	/* Else wait for another datagram, until the deadline. */
}

/*
 * A line check has its line: the reply up to the first '\n' (or all of
 * it, at the peer's close), without a '\r' before the '\n'. The check is
 * then complete, whatever is left to send: the peer has answered.
 */
static void take_line(struct health_probe *p, struct run *r)
{
	const char *nl = memchr(r->reply, '\n', r->got);
	size_t len = nl ? (size_t)(nl - r->reply) : r->got;

	if (len && r->reply[len - 1] == '\r')
		len--;
	if (len > sizeof(p->line) - 1)
		len = sizeof(p->line) - 1;
	memcpy(p->line, r->reply, len);
	p->line[len] = '\0';
	p->line_len = len;
	finish(p, r, HEALTH_OK, "%s", "");
}

/* TCP, line check: the reply so far. */
static void on_line_data(struct health_probe *p, struct run *r, ssize_t n)
{
	if (n == 0) {
		if (r->got)
			take_line(p, r);
		else
			finish(p, r, HEALTH_FAIL,
			       "recv: connection closed without a line");
		return;
	}
	r->got += (size_t)n;
	if (memchr(r->reply, '\n', r->got) || r->got == sizeof(r->reply))
		take_line(p, r);
}

static void on_readable(struct health_probe *p, struct run *r)
{
	char exp[EXPECT_QUOTE_MAX * 4 + 4];
	ssize_t n;

	if (r->udp) {
		on_datagram(p, r);
		return;
	}

	n = recv(r->fd, r->reply + r->got, sizeof(r->reply) - r->got,
		 MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			finish(p, r, HEALTH_FAIL, "recv: %s", strerror(errno));
		return;
	}
	if (r->line) {
		on_line_data(p, r, n);
		return;
	}
	health_escape(exp, sizeof(exp), r->expect, r->expect_len,
		      EXPECT_QUOTE_MAX);
	if (n == 0) {
		char got[QUOTE_MAX * 4 + 8];

		finish(p, r, HEALTH_FAIL,
		       "expect: connection closed before \"%s\" came (got %s)",
		       exp, quote_reply(r, got, sizeof(got)));
		return;
	}
	r->got += (size_t)n;
	if (memmem(r->reply, r->got, r->expect, r->expect_len)) {
		r->matched = true;
		maybe_done(p, r);
	} else if (r->got == sizeof(r->reply)) {
		finish(p, r, HEALTH_FAIL,
		       "expect: no \"%s\" in the first %zu bytes of the reply",
		       exp, sizeof(r->reply));
	}
}

/* The deadline passed: fail whatever is still going on. */
static void time_out(struct health_probe *p, struct run *r,
		     const struct health_spec *spec)
{
	char exp[EXPECT_QUOTE_MAX * 4 + 4], got[QUOTE_MAX * 4 + 8], secs[16];

	health_format_ms(secs, sizeof(secs), spec->timeout_ms);
	switch (r->phase) {
	case CONNECTING:
		finish(p, r, HEALTH_FAIL, "connect: timed out after %s s", secs);
		break;
	case SENDING:
		/* maybe_done() moved on as soon as everything was sent. */
		finish(p, r, HEALTH_FAIL, "send: timed out after %s s", secs);
		break;
	case READING:
		if (r->line) {
			finish(p, r, HEALTH_FAIL,
			       "recv: no line within %s s (got %s)", secs,
			       quote_reply(r, got, sizeof(got)));
			break;
		}
		if (!r->expect_len) {	/* UDP: no datagram at all */
			finish(p, r, HEALTH_FAIL,
			       "recv: no reply within %s s", secs);
			break;
		}
		health_escape(exp, sizeof(exp), r->expect, r->expect_len,
			      EXPECT_QUOTE_MAX);
		finish(p, r, HEALTH_FAIL,
		       "expect: no \"%s\" within %s s (got %s)", exp, secs,
		       quote_reply(r, got, sizeof(got)));
		break;
	case DONE:
		break;
	}
}

/*
 * Does @r read now? While READING; and a TCP probe that expects a reply
 * also while SENDING, since a server may greet first.
 */
static bool reads(const struct run *r)
{
	return r->phase == READING ||
	       (r->phase == SENDING && !r->udp && (r->expect_len || r->line));
}

/* Run the probes that start() left open until done, timeout or stop. */
static int loop(struct health_probe *probes, struct run *runs, size_t n,
		struct pollfd *pfd, const struct health_spec *spec,
		int stop_fd, int64_t deadline)
{
	for (;;) {
		size_t i, open = 0;
		int64_t left;
		int ret;

		for (i = 0; i < n; i++) {
			short ev = 0;

			if (runs[i].phase == CONNECTING ||
			    runs[i].phase == SENDING)
				ev = POLLOUT;
			if (reads(&runs[i]))
				ev |= POLLIN;
			pfd[i].fd = ev ? runs[i].fd : -1;
			pfd[i].events = ev;
			pfd[i].revents = 0;
			open += ev != 0;
		}
		if (open == 0)
			return 0;
		pfd[n].fd = stop_fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;

		left = deadline - now_ms();
		if (left <= 0) {
			for (i = 0; i < n; i++)
				time_out(&probes[i], &runs[i], spec);
			return 0;
		}
		ret = poll(pfd, n + 1, (int)left);
		if (ret < 0 && errno != EINTR) {
			const char *why = strerror(errno);

			for (i = 0; i < n; i++)
				if (runs[i].phase != DONE)
					finish(&probes[i], &runs[i],
					       HEALTH_LOCAL_ERROR, "poll: %s",
					       why);
			return 0;
		}
		if (ret <= 0)
			continue;
		if (pfd[n].revents)
			return 1;
		for (i = 0; i < n; i++) {
			struct health_probe *p = &probes[i];
			struct run *r = &runs[i];
			short rev = pfd[i].revents;

			if (!rev)
				continue;
			if (r->phase == CONNECTING) {
				on_connected(p, r);
				continue;
			}
			/*
			 * Read first: a reply may come with the peer's FIN.
			 * (A UDP socket's ICMP error is a POLLERR.)
			 */
			if (reads(r) && (rev & (POLLIN | POLLHUP | POLLERR)))
				on_readable(p, r);
			if (r->phase == SENDING &&
			    (rev & (POLLOUT | POLLERR | POLLHUP)))
				on_writable(p, r);
		}
	}
}

int health_check_run(struct health_probe *probes, size_t n,
		     const struct health_spec *spec, int stop_fd)
{
	int64_t deadline = now_ms() + spec->timeout_ms;
	struct pollfd *pfd;
	struct run *runs;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	runs = calloc(n, sizeof(*runs));
	pfd = calloc(n + 1, sizeof(*pfd));
	if (!runs || !pfd) {
		for (i = 0; i < n; i++) {
			probes[i].result = HEALTH_LOCAL_ERROR;
			snprintf(probes[i].why, sizeof(probes[i].why),
				 "out of memory");
		}
		free(runs);
		free(pfd);
		return 0;
	}
	for (i = 0; i < n; i++) {
		probes[i].result = HEALTH_LOCAL_ERROR;
		probes[i].why[0] = '\0';
		probes[i].line[0] = '\0';
		probes[i].line_len = 0;
		probes[i].connect_us = 0;
		runs[i].fd = -1;
		start(&probes[i], &runs[i], spec);
	}
	rc = loop(probes, runs, n, pfd, spec, stop_fd, deadline);
	for (i = 0; i < n; i++)
		if (runs[i].phase != DONE)
			finish(&probes[i], &runs[i], HEALTH_LOCAL_ERROR,
			       "interrupted");
	free(runs);
	free(pfd);
	return rc;
}
