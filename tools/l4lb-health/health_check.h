/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_check.h - one round of health checks. A backend of a TCP service
 * gets a TCP connect, optionally followed by sending a string and looking
 * for another one in the reply. A backend of a UDP service gets a UDP
 * exchange: one request datagram on a connected socket, and a reply
 * datagram (containing the expected string, if there is one) must come
 * back. All checks of a round run at the same time, over non-blocking
 * sockets in one poll() loop, and share one deadline, so a slow or silent
 * backend delays nobody else.
 */
#ifndef L4LB_HEALTH_CHECK_H
#define L4LB_HEALTH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* Room for the reason of a failed check, including the NUL. */
#define HEALTH_WHY_MAX 256

/* The reply is searched for the expect string in its first this many bytes. */
#define HEALTH_REPLY_MAX 4096

/* Room for the line of a line check (struct health_probe), with its NUL. */
#define HEALTH_LINE_MAX 128

/**
 * struct health_spec - what a check does
 * @timeout_ms: limit for the whole check (connect, send, reply), > 0
 * @send: bytes to send once a TCP connection is made, or NULL
 * @send_len: length of @send; 0: send nothing
 * @expect: bytes the TCP reply must contain, or NULL
 * @expect_len: length of @expect (<= HEALTH_REPLY_MAX); 0: the connect
 *	(and the send) is all it takes
 * @udp_send: the request datagram of a UDP check, or NULL
 * @udp_send_len: length of @udp_send; 0: UDP backends cannot be checked
 *	(a silent UDP backend may be down or may just have nothing to say)
 *	and get HEALTH_NOT_CHECKED
 * @udp_expect: bytes a reply datagram must contain, or NULL
 * @udp_expect_len: length of @udp_expect (<= HEALTH_REPLY_MAX); 0: any
 *	reply datagram will do
 * @line: TCP only: instead of looking for @expect, read one line: the
 *	check passes once a '\n' comes, or the peer closes after sending
 *	something, and its first line goes to the probe's @line (an agent
 *	check, health_agent.h)
 *
 * The daemon decides which strings the UDP check uses (main.c); here
 * the two protocols are simply described apart.
 */
struct health_spec {
	uint32_t timeout_ms;
	const char *send;
	size_t send_len;
	const char *expect;
	size_t expect_len;
	const char *udp_send;
	size_t udp_send_len;
	const char *udp_expect;
	size_t udp_expect_len;
	bool line;
};

/**
 * enum health_result - outcome of one check
 * @HEALTH_OK: the backend passed
 * @HEALTH_FAIL: the backend failed (refused, timed out, wrong reply...)
 * @HEALTH_LOCAL_ERROR: the check could not be made (no socket, no local
 *	port, out of memory, interrupted): says nothing about the backend
 * @HEALTH_NOT_CHECKED: no check is possible with this spec (a UDP backend
 *	and no @udp_send): says nothing about the backend; no socket was
 *	opened
 */
enum health_result {
	HEALTH_OK,
	HEALTH_FAIL,
	HEALTH_LOCAL_ERROR,
	HEALTH_NOT_CHECKED,
};

/**
 * struct health_probe - one check
 * @ep: the backend to check, network byte order (input)
 * @proto: the protocol of the backend's service (input): IPPROTO_UDP for a
 *	UDP exchange; anything else (IPPROTO_TCP, or 0) for a TCP check
 * @result: the outcome (output)
 * @why: for any result but HEALTH_OK, one line saying why, e.g.
 *	"connect: Connection refused" or, for UDP, "recv: Connection refused
 *	(ICMP port unreachable)" (output; "" for HEALTH_OK)
 * @line: with @spec->line and HEALTH_OK, the first line of the reply
 *	without its "\n" (or "\r\n"), cut to HEALTH_LINE_MAX - 1 bytes and
 *	NUL-terminated; it may hold other NULs, so use @line_len (output)
 * @line_len: bytes in @line (output)
 * @connect_us: TCP: how long the connect took, microseconds, at least 1;
 *	0 if it did not complete (output)
 */
struct health_probe {
	struct ipport ep;
	uint8_t proto;
	enum health_result result;
	char why[HEALTH_WHY_MAX];
	char line[HEALTH_LINE_MAX];
	size_t line_len;
	uint32_t connect_us;
};

/**
 * health_check_run() - check every probe once, all at the same time
 * @probes: the probes; @ep set, the rest is filled in
 * @n: number of probes (0 is fine)
 * @spec: what to do; every probe gets @spec->timeout_ms from the start
 * @stop_fd: a descriptor that becomes readable when the round should be
 *	abandoned (e.g. a signalfd), or -1
 *
 * Takes at most about @spec->timeout_ms. Each check uses one socket at a
 * time per backend; sockets are closed before returning.
 *
 * A UDP check connects a UDP socket to the backend, sends @udp_send as one
 * datagram and waits for datagrams until one contains @udp_expect (any
 * one, without @udp_expect): HEALTH_OK. Each datagram is searched on its
 * own, in its first HEALTH_REPLY_MAX bytes. No such datagram within the
 * timeout, or an ICMP error for the request (port unreachable: the
 * connected socket reports ECONNREFUSED), is HEALTH_FAIL.
 *
 * Return: 0 when every probe has a result; 1 if @stop_fd became readable
 * first (unfinished probes get HEALTH_LOCAL_ERROR "interrupted").
 */
int health_check_run(struct health_probe *probes, size_t n,
		     const struct health_spec *spec, int stop_fd);

/**
 * health_escape() - bytes as a C-like string, for messages
 * @buf: receives the text, always NUL-terminated
 * @size: room in @buf
 * @s: the bytes (may contain NUL)
 * @len: how many
 * @max: show at most this many bytes of @s, then "..."
 *
 * Printable ASCII stays; \n \r \t \\ \" are escaped as such, other bytes
 * as \xHH. The result is cut (at an escape boundary) to fit @buf.
 *
 * Return: @buf.
 */
char *health_escape(char *buf, size_t size, const char *s, size_t len,
		    size_t max);

#endif /* L4LB_HEALTH_CHECK_H */
