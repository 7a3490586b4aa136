// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - parsing of command-line words. See parse.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "names.h"
#include "parse.h"

int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/*
	 * strtoull() alone would accept leading blanks, a sign ("-1" wraps
	 * around to a huge value) and "0x"; insist on a leading digit.
	 */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr in;

	/* inet_pton() wants exactly four decimal octets: no "10.1", no hex. */
	if (!s || inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	*addr = in.s_addr;
	return 0;
}

int parse_port(const char *s, uint16_t *port)
{
	uint32_t v;
	int err;

	err = parse_u32(s, 65535, &v);
	if (err)
		return err;
	if (v == 0)
		return -ERANGE;
	*port = htons((uint16_t)v);
	return 0;
}

int parse_ipport(const char *s, struct ipport *ep)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon;
	size_t len;
	struct ipport tmp;
	int err;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon)
		return -EINVAL;
	len = (size_t)(colon - s);
	if (len == 0 || len >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, len);
	ip[len] = '\0';
	err = parse_ipv4(ip, &tmp.addr);
	if (err)
		return err;
	err = parse_port(colon + 1, &tmp.port);
	if (err)
		return err;
	*ep = tmp;
	return 0;
}

int parse_weight(const char *s, uint32_t *weight)
{
	return parse_u32(s, L4LB_WEIGHT_MAX, weight);
}

int parse_weight_pct(const char *s, uint32_t *pct)
{
	return parse_u32(s, L4LB_WEIGHT_PCT_MAX, pct);
}

int parse_seconds(const char *s, uint32_t *secs)
{
	return parse_u32(s, UINT32_MAX, secs);
}

int parse_proto(const char *s, uint8_t *proto)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

int parse_be_state(const char *s, uint8_t *state)
{
	unsigned int v;

	if (!s)
		return -EINVAL;
	for (v = 0; v <= L4LB_BE_STATE_MAX; v++) {
		if (!strcmp(s, be_state_name((uint8_t)v, false))) {
			*state = (uint8_t)v;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_client_addr(const char *s, uint8_t *mode)
{
	unsigned int v;

	if (!s)
		return -EINVAL;
	for (v = 0; v <= L4LB_CLIENT_ADDR_MAX; v++) {
		if (!strcmp(s, client_addr_name((uint8_t)v))) {
			*mode = (uint8_t)v;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_timeout_kind(const char *s, uint16_t *attr)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < timeout_kinds_count; i++) {
		if (!strcmp(s, timeout_kinds[i].word)) {
			*attr = timeout_kinds[i].attr;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_sched(const char *s, char *out)
{
	size_t len, i;

	if (!s || !*s)
		return -EINVAL;
	len = strlen(s);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return -EINVAL;
	}
	if (len >= L4LB_SCHED_NAME_MAX)
		return -ERANGE;
	memcpy(out, s, len + 1);
	return 0;
}

/* One entry of a SNAT pool, "A" or "A-B", @len bytes of @s; host order. */
static int parse_snat_entry(const char *s, size_t len, uint32_t *lo,
			    uint32_t *hi)
{
	char buf[2 * INET_ADDRSTRLEN];
	uint32_t a, b;
	char *dash;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_ipv4(buf, &a) < 0 || (dash && parse_ipv4(dash + 1, &b) < 0))
		return -EINVAL;
	*lo = ntohl(a);
	*hi = dash ? ntohl(b) : *lo;
	return *hi < *lo ? -ERANGE : 0;
}

/*
 * The comma-separated entries of @s, "A" or "A-B", into @addr (network
 * order, at most @max) and @n; the errors of parse_snat_pool(). @addr and
 * @n may be changed on error.
 */
static int parse_addr_list(const char *s, uint32_t *addr, unsigned int max,
			   unsigned int *n)
{
	const char *comma;
	uint32_t lo, hi, a;
	unsigned int i;

	*n = 0;
	for (;;) {
		int err;

		comma = strchr(s, ',');
		err = parse_snat_entry(s, comma ? (size_t)(comma - s) : strlen(s),
				       &lo, &hi);
		if (err)
			return err;
		if (hi - lo >= max - *n)
			return -E2BIG;
		for (a = lo;; a++) {
			for (i = 0; i < *n; i++)
				if (addr[i] == htonl(a))
					return -EEXIST;
			addr[(*n)++] = htonl(a);
			if (a == hi)
				break;
		}
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int parse_snat_pool(const char *s, struct snat_pool *pool)
{
	struct snat_pool p = { 0 };

	if (!s)
		return -EINVAL;
	if (strcmp(s, "auto")) {
		int err = parse_addr_list(s, p.addr, L4LB_SNAT_POOL_MAX, &p.n);

		if (err)
			return err;
	}
	*pool = p;
	return 0;
}

int parse_peers(const char *s, struct peer_list *peers)
{
	struct peer_list p = { 0 };
	unsigned int i;

	if (!s)
		return -EINVAL;
	if (strcmp(s, "none")) {
		int err = parse_addr_list(s, p.addr, L4LB_PEERS_MAX, &p.n);

		if (err)
			return err;
	}
	for (i = 0; i < p.n; i++)
		if (!p.addr[i] || IN_MULTICAST(ntohl(p.addr[i])))
			return -EDOM;
	*peers = p;
	return 0;
}

int parse_svc_sel(const char *s, struct svc_sel *sel)
{
	char buf[SVC_STRLEN + 1];
	struct svc_sel tmp = { .set = true };
	char *colon, *slash;
	size_t len;
	int err;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);

	/*
	 * Cut "VIP[:PORT][/PROTO]" at its first '/' (the protocol), then at
	 * its first ':' (the port): a second '/' or ':' is left in a part
	 * and makes that part fail to parse.
	 */
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		err = parse_proto(slash + 1, &tmp.proto);
		if (err)
			return err;
		tmp.has_proto = true;
	}
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		err = parse_port(colon + 1, &tmp.port);
		if (err)
			return err;
		tmp.has_port = true;
	}
	err = parse_ipv4(buf, &tmp.vip);
	if (err)
		return err;
	*sel = tmp;
	return 0;
}
