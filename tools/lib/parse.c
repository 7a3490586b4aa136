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

/*
 * The address in the @len bytes at @s, IPv4 or IPv6. With @bracketed the
 * caller took brackets off: only IPv6 is allowed then.
 */
static int parse_addr_n(const char *s, size_t len, bool bracketed,
			struct ipaddr *addr)
{
	char buf[IPADDR_STRLEN];
	struct ipaddr a = { 0 };
	char *pct;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!bracketed && inet_pton(AF_INET, buf, &a.v4) == 1) {
		a.af = AF_INET;
	} else if (inet_pton(AF_INET6, buf, &a.v6) == 1) {
		a.af = AF_INET6;
	} else {
		/* "fe80::1%eth0": well formed, but a scope l4lb cannot use. */
		pct = strchr(buf, '%');
		if (!pct || pct[1] == '\0')
			return -EINVAL;
		*pct = '\0';
		return inet_pton(AF_INET6, buf, &a.v6) == 1 ? -EADDRNOTAVAIL :
							      -EINVAL;
	}
	*addr = a;
	return 0;
}

int parse_ipaddr(const char *s, struct ipaddr *addr)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		return parse_addr_n(s + 1, len - 2, true, addr);
	return parse_addr_n(s, len, false, addr);
}

/*
 * Split "IP:PORT", "[IPv6]:PORT", "IP", "[IPv6]" or "IPv6" at its port:
 * the address is the @*len bytes at @s (without brackets, @*bracketed
 * true if there were some), the port the text at @*port, or NULL if there
 * is none. A bare IPv6 address has no port: its colons are its own.
 */
static int split_port(const char *s, size_t *len, bool *bracketed,
		      const char **port)
{
	const char *colon;

	*port = NULL;
	*bracketed = s[0] == '[';
	if (*bracketed) {
		const char *close = strchr(s, ']');

		if (!close || (close[1] != '\0' && close[1] != ':'))
			return -EINVAL;
		*len = (size_t)(close - s - 1);
		if (close[1] == ':')
			*port = close + 2;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && colon == strrchr(s, ':')) {
		*len = (size_t)(colon - s);
		*port = colon + 1;
	} else {
		*len = strlen(s);
	}
	return 0;
}

int parse_ipport(const char *s, struct ipport *ep)
{
	struct ipport tmp;
	const char *port;
	bool bracketed;
	size_t len;
	int err;

	if (!s)
		return -EINVAL;
	err = split_port(s, &len, &bracketed, &port);
	if (err)
		return err;
	err = parse_addr_n(bracketed ? s + 1 : s, len, bracketed, &tmp.addr);
	if (err)
		return err;
	if (!port)
		return -EINVAL;
	err = parse_port(port, &tmp.port);
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

/* One entry of a SNAT pool, "A" or "A-B", @len bytes of @s. */
static int parse_snat_entry(const char *s, size_t len, struct ipaddr *lo,
			    struct ipaddr *hi)
{
	char buf[2 * IPPORT_STRLEN];
	struct ipaddr a, b;
	char *dash;
	int err;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* No address of either family has a '-': the first is the range's. */
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	err = parse_ipaddr(buf, &a);
	if (!err)
		err = dash ? parse_ipaddr(dash + 1, &b) : 0;
	if (err)
		return err;
	if (!dash)
		b = a;
	if (a.af != b.af)
		return -EAFNOSUPPORT;
	*lo = a;
	*hi = b;
	return ipaddr_cmp(&b, &a) < 0 ? -ERANGE : 0;
}

/* Is @a among the @n addresses of @addr? */
static bool listed(const struct ipaddr *addr, unsigned int n,
		   const struct ipaddr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ipaddr_eq(&addr[i], a))
			return true;
	return false;
}

/*
 * The comma-separated entries of @s, "A" or "A-B", into @addr (at most
 * @max, all of one family) and @n; the errors of parse_snat_pool(). @addr
 * and @n may be changed on error.
 */
static int parse_addr_list(const char *s, struct ipaddr *addr,
			   unsigned int max, unsigned int *n)
{
	struct ipaddr lo, hi, a;
	const char *comma;
	unsigned int size;

	*n = 0;
	for (;;) {
		int err;

		comma = strchr(s, ',');
		err = parse_snat_entry(s, comma ? (size_t)(comma - s) : strlen(s),
				       &lo, &hi);
		if (err)
			return err;
		if (*n && lo.af != addr[0].af)
			return -EAFNOSUPPORT;
		/* The size of the range, counted only as far as it fits. */
		for (a = lo, size = 1; !ipaddr_eq(&a, &hi) && size <= max - *n;
		     size++)
			ipaddr_inc(&a);
		if (size > max - *n)
			return -E2BIG;
		for (a = lo;; ipaddr_inc(&a)) {
			if (listed(addr, *n, &a))
				return -EEXIST;
			addr[(*n)++] = a;
			if (ipaddr_eq(&a, &hi))
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
	struct ipaddr addr[L4LB_PEERS_MAX];
	struct peer_list p = { 0 };
	unsigned int i;

	if (!s)
		return -EINVAL;
	if (strcmp(s, "none")) {
		int err = parse_addr_list(s, addr, L4LB_PEERS_MAX, &p.n);

		if (err)
			return err;
		if (p.n && addr[0].af != AF_INET)
			return -EAFNOSUPPORT;
	}
	for (i = 0; i < p.n; i++) {
		p.addr[i] = addr[i].v4;
		if (!p.addr[i] || IN_MULTICAST(ntohl(p.addr[i])))
			return -EDOM;
	}
	*peers = p;
	return 0;
}

int parse_svc_sel(const char *s, struct svc_sel *sel)
{
	char buf[SVC_STRLEN + 1];
	struct svc_sel tmp = { .set = true };
	const char *port;
	char *slash;
	bool bracketed;
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
	 * its port: a second '/' or ':' is left in a part and makes that
	 * part fail to parse.
	 */
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		err = parse_proto(slash + 1, &tmp.proto);
		if (err)
			return err;
		tmp.has_proto = true;
	}
	err = split_port(buf, &len, &bracketed, &port);
	if (err)
		return err;
	if (port) {
		err = parse_port(port, &tmp.port);
		if (err)
			return err;
		tmp.has_port = true;
	}
	err = parse_addr_n(bracketed ? buf + 1 : buf, len, bracketed, &tmp.vip);
	if (err)
		return err;
	*sel = tmp;
	return 0;
}
