// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: module parameters.
 *
 * The parameters set the service of the initial network namespace at load
 * time (and the module-wide table size and limit). They are read-only in
 * sysfs: run-time changes go through l4lbctl.
 *
 * Every value is checked before anything is set up; a malformed one makes
 * insmod fail with -EINVAL and one kernel log line naming the parameter and
 * the text it did not accept.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <net/net_namespace.h>

#include "l4lb_addrs.h"
#include "l4lb_backend.h"
#include "l4lb_check.h"
#include "l4lb_net.h"
#include "l4lb_params.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"
#include "l4lb_xmit.h"

static char *vip;
module_param(vip, charp, 0444);
MODULE_PARM_DESC(vip, "virtual IPv4 or IPv6 address of the first service, e.g. 192.0.2.1 or 2001:db8::1; unset: no service until l4lbctl adds one (default unset)");

static char *port = "20000";
module_param(port, charp, 0444);
MODULE_PARM_DESC(port, "virtual port, 1-65535 (default 20000)");

static char *proto = "tcp";
module_param(proto, charp, 0444);
MODULE_PARM_DESC(proto, "protocol of the service: tcp or udp (default tcp)");

static char *backends = "";
module_param(backends, charp, 0444);
MODULE_PARM_DESC(backends, "comma-separated list of backends, ip:port or [ipv6]:port, of vip='s family (default none)");

static char *snat_ip = "";
module_param(snat_ip, charp, 0444);
MODULE_PARM_DESC(snat_ip, "SNAT pool, source addresses towards backends, of vip='s family: A, A-B and comma lists of them, at most 64 local addresses; auto or empty: the primary address of the interface that routes to each backend (default)");

static char *scheduler = "rr";
module_param(scheduler, charp, 0444);
MODULE_PARM_DESC(scheduler, "scheduler name (default rr)");

static char *client_addr = "none";
module_param(client_addr, charp, 0444);
MODULE_PARM_DESC(client_addr, "how backends learn the client's address: none, proxy-v2, proxy-v1 or toa (default none)");

/* The variables are l4lb_net.c's. */
module_param_named(conn_max, l4lb_conn_max, uint, 0444);
MODULE_PARM_DESC(conn_max, "most NAT rows per network namespace, >= 1 (default 1048576)");

module_param_named(syn_max, l4lb_syn_max, uint, 0444);
MODULE_PARM_DESC(syn_max, "most half-open rows (TCP handshake not completed, UDP not confirmed) per network namespace, <= conn_max (default conn_max / 2)");

module_param_named(conn_tab_bits, l4lb_conn_tab_bits, uint, 0444);
MODULE_PARM_DESC(conn_tab_bits, "log2 of the NAT table bucket count, 8-24 (default 16)");

module_param_named(conntrack, l4lb_conntrack, bool, 0444);
MODULE_PARM_DESC(conntrack, "let nf_conntrack track translated connections, for stateful firewalls (ct state established); 0: mark them untracked (default 0)");

module_param_named(svc_max, l4lb_svc_max, uint, 0444);
MODULE_PARM_DESC(svc_max, "most virtual services per network namespace, 1-1048576 (default 4096)");

module_param_named(backend_max, l4lb_backend_max, uint, 0444);
MODULE_PARM_DESC(backend_max, "most backends per network namespace, over all its services, 1-16777216 (default 65536)");

static unsigned int timeout_tcp = L4LB_DEFAULT_TIMEOUT_TCP;
module_param(timeout_tcp, uint, 0444);
MODULE_PARM_DESC(timeout_tcp, "idle timeout of an ESTABLISHED TCP row, seconds (default 900)");

static unsigned int timeout_tcp_fin = L4LB_DEFAULT_TIMEOUT_TCP_FIN;
module_param(timeout_tcp_fin, uint, 0444);
MODULE_PARM_DESC(timeout_tcp_fin, "idle timeout of a TCP row after a FIN, not yet closed (FIN_WAIT, CLOSE_WAIT, LAST_ACK), seconds (default 120)");

static unsigned int timeout_tcp_close = L4LB_DEFAULT_TIMEOUT_TCP_CLOSE;
module_param(timeout_tcp_close, uint, 0444);
MODULE_PARM_DESC(timeout_tcp_close, "idle timeout of a closed TCP row (TIME_WAIT, CLOSE), seconds (default 3)");

static unsigned int timeout_syn = L4LB_DEFAULT_TIMEOUT_SYN;
module_param(timeout_syn, uint, 0444);
MODULE_PARM_DESC(timeout_syn, "timeout of a half-open TCP row, seconds (default 60)");

static unsigned int persistence;
module_param(persistence, uint, 0444);
MODULE_PARM_DESC(persistence, "seconds a client's new connections stick to its backend, 0-604800; 0 disables (default 0)");

static unsigned int timeout_udp = L4LB_DEFAULT_TIMEOUT_UDP;
module_param(timeout_udp, uint, 0444);
MODULE_PARM_DESC(timeout_udp, "idle timeout of a confirmed UDP row (the client sent after a reply), seconds (default 300)");

static unsigned int timeout_udp_unreplied = L4LB_DEFAULT_TIMEOUT_UDP_UNREPLIED;
module_param(timeout_udp_unreplied, uint, 0444);
MODULE_PARM_DESC(timeout_udp_unreplied, "idle timeout of a UDP row not confirmed yet, seconds (default 30)");

/**
 * l4lb_parse_ipv4() - parse a dotted-quad IPv4 address
 * @s: text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @addr: out, network byte order
 *
 * Exactly four decimal octets 0-255; no whitespace, no trailing text.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int l4lb_parse_ipv4(const char *s, size_t len, __be32 *addr)
{
	const char *end;

	if (!len || len > 15)
		return -EINVAL;
	if (!in4_pton(s, len, (u8 *)addr, -1, &end) || end != s + len)
		return -EINVAL;
	return 0;
}

/**
 * l4lb_parse_ipv6() - parse an IPv6 address
 * @s: text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @addr: out
 *
 * The text forms of RFC 4291 (with "::", and a dotted quad at the end),
 * as in6_pton() reads them; no brackets, no scope ("%eth0"), no
 * whitespace, no trailing text.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int l4lb_parse_ipv6(const char *s, size_t len, struct in6_addr *addr)
{
	const char *end;

	if (!len || len >= INET6_ADDRSTRLEN)
		return -EINVAL;
	if (!in6_pton(s, len, addr->s6_addr, -1, &end) || end != s + len)
		return -EINVAL;
	return 0;
}

/**
 * l4lb_parse_addr() - parse an IPv4 or an IPv6 address
 * @s: text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @af: out, AF_INET6 if the text has a colon, else AF_INET
 * @addr: out, network byte order (.ip of an IPv4 one, the rest zero)
 *
 * Context: any.
 * Return: 0 or -EINVAL (l4lb_parse_ipv4(), l4lb_parse_ipv6()).
 */
int l4lb_parse_addr(const char *s, size_t len, u8 *af,
		    union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (memchr(s, ':', len)) {
		*af = AF_INET6;
		return l4lb_parse_ipv6(s, len, &addr->in6);
	}
	*af = AF_INET;
	return l4lb_parse_ipv4(s, len, &addr->ip);
}

/**
 * l4lb_parse_port() - parse a port number
 * @s: text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @port: out, network byte order
 *
 * Decimal digits only, value 1-65535.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int l4lb_parse_port(const char *s, size_t len, __be16 *port)
{
	unsigned int v = 0;
	size_t i;

	if (!len || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = htons(v);
	return 0;
}

/**
 * l4lb_parse_addr_port() - parse "a.b.c.d:port" or "[ipv6]:port"
 * @s: text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @ap: out
 *
 * An IPv6 address is in brackets (RFC 3986), so that its colons are not
 * read as the port's.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int l4lb_parse_addr_port(const char *s, size_t len, struct l4lb_addr_port *ap)
{
	const char *colon;

	memset(&ap->addr, 0, sizeof(ap->addr));
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close || close + 1 == s + len || close[1] != ':')
			return -EINVAL;
		ap->af = AF_INET6;
		if (l4lb_parse_ipv6(s + 1, close - s - 1, &ap->addr.in6))
			return -EINVAL;
		colon = close + 1;
	} else {
		colon = memchr(s, ':', len);
		if (!colon)
			return -EINVAL;
		ap->af = AF_INET;
		if (l4lb_parse_ipv4(s, colon - s, &ap->addr.ip))
			return -EINVAL;
	}
	return l4lb_parse_port(colon + 1, len - (colon - s) - 1, &ap->port);
}

/**
 * l4lb_parse_backends() - parse a comma-separated list of ip:port and
 *	[ipv6]:port
 * @s: NUL-terminated text; the empty string is an empty list
 * @out: array of @max entries
 * @max: capacity of @out
 * @n: out, number of entries parsed
 * @bad: out on error, 0-based index of the entry that was refused
 *
 * Empty entries, duplicates and whitespace are refused. The entries may be
 * of either family: the caller checks them against the service's.
 *
 * Context: any.
 * Return: 0, -EINVAL for a malformed or duplicate entry, -E2BIG for more
 * than @max entries.
 */
int l4lb_parse_backends(const char *s, struct l4lb_addr_port *out,
			unsigned int max, unsigned int *n, unsigned int *bad)
{
	unsigned int i, k = 0;
	const char *comma;
	size_t len;

	*n = 0;
	*bad = 0;
	if (!*s)
		return 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma ? comma - s : strlen(s);
		*bad = k;
		if (k >= max)
			return -E2BIG;
		if (l4lb_parse_addr_port(s, len, &out[k]))
			return -EINVAL;
		for (i = 0; i < k; i++)
			if (out[i].af == out[k].af &&
			    nf_inet_addr_cmp(&out[i].addr, &out[k].addr) &&
			    out[i].port == out[k].port)
				return -EINVAL;
		k++;
		if (!comma)
			break;
		s = comma + 1;
	}
	*n = k;
	return 0;
}

/* The last 32 bits of @a, host order: where a SNAT range counts. */
static u32 l4lb_snat_low(u8 af, const union nf_inet_addr *a)
{
	return ntohl(af == AF_INET6 ? a->in6.s6_addr32[3] : a->ip);
}

/*
 * One entry of a SNAT pool of family @af: "A" or "A-B", into @base and the
 * last 32 bits of A and B, *@lo and *@hi, host order. An IPv6 range counts
 * in those bits: A and B share the other 96.
 */
static int l4lb_parse_snat_entry(const char *s, size_t len, u8 af,
				 union nf_inet_addr *base, u32 *lo, u32 *hi)
{
	const char *dash = memchr(s, '-', len);
	union nf_inet_addr b;
	u8 af_a, af_b;

	if (!dash) {
		if (l4lb_parse_addr(s, len, &af_a, base))
			return -EINVAL;
		if (af_a != af)
			return -EAFNOSUPPORT;
		*lo = l4lb_snat_low(af, base);
		*hi = *lo;
		return 0;
	}
	if (l4lb_parse_addr(s, dash - s, &af_a, base) ||
	    l4lb_parse_addr(dash + 1, len - (dash - s) - 1, &af_b, &b))
		return -EINVAL;
	if (af_a != af || af_b != af)
		return -EAFNOSUPPORT;
	if (memcmp(&b, base, sizeof(b)) < 0)
		return -ERANGE;
	/* An IPv6 range past one /96 is far above any pool's size. */
	if (af == AF_INET6 && memcmp(&b, base, 12))
		return -E2BIG;
	*lo = l4lb_snat_low(af, base);
	*hi = l4lb_snat_low(af, &b);
	return 0;
}

/**
 * l4lb_parse_snat_pool() - parse a SNAT pool: "A", "A-B", comma lists
 * @s: NUL-terminated text, e.g. "10.0.1.250-10.0.1.253,10.0.2.250" or
 *	"2001:db8::5-2001:db8::7"; the empty string and "auto" are the empty
 *	pool
 * @af: the family every address must have, AF_INET or AF_INET6
 * @out: array of @max addresses, network byte order (.ip of an IPv4 one,
 *	the rest zero), in the text's order
 * @max: capacity of @out
 * @n: out, number of addresses
 * @bad: out on error, 0-based index of the entry refused
 *
 * A-B is every address from A to B, both included; it may cross /24
 * boundaries (an IPv6 one, those of the last 32 bits). No whitespace, no
 * empty entry.
 *
 * Context: any.
 * Return: 0; -EINVAL for a malformed entry; -EAFNOSUPPORT for an address
 * of the other family; -ERANGE for a range that ends below its start;
 * -E2BIG for more than @max addresses in all; -EEXIST for an address given
 * twice.
 */
int l4lb_parse_snat_pool(const char *s, u8 af, union nf_inet_addr *out,
			 unsigned int max, unsigned int *n, unsigned int *bad)
{
	unsigned int i, k = 0, e = 0;
	union nf_inet_addr base, cur;
	const char *comma;
	u32 lo, hi, a;
	size_t len;
	int err;

	*n = 0;
	*bad = 0;
	if (!*s || !strcmp(s, "auto"))
		return 0;
	for (;; e++) {
		comma = strchr(s, ',');
		len = comma ? comma - s : strlen(s);
		*bad = e;
		err = l4lb_parse_snat_entry(s, len, af, &base, &lo, &hi);
		if (err)
			return err;
		if (hi - lo >= max - k)
			return -E2BIG;
		for (a = lo;; a++) {
			cur = base;
			if (af == AF_INET6)
				cur.in6.s6_addr32[3] = htonl(a);
			else
				cur.ip = htonl(a);
			for (i = 0; i < k; i++)
				if (nf_inet_addr_cmp(&out[i], &cur))
					return -EEXIST;
			out[k++] = cur;
			if (a == hi)
				break;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	*n = k;
	return 0;
}

/* Why l4lb_parse_snat_pool() refused an entry, for the kernel log. */
static const char *l4lb_snat_pool_why(int err)
{
	switch (err) {
	case -ERANGE:
		return "the range ends below its start";
	case -E2BIG:
		return "more than " __stringify(L4LB_SNAT_POOL_MAX) " addresses";
	case -EEXIST:
		return "an address given twice";
	case -EAFNOSUPPORT:
		return "not of vip='s family";
	default:
		return "not an address A or a range A-B";
	}
}

/**
 * l4lb_parse_client_addr() - parse a way of passing the client's address
 * @s: NUL-terminated text: "none", "proxy-v2", "proxy-v1" or "toa"
 * @mode: out, enum l4lb_client_addr
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int l4lb_parse_client_addr(const char *s, u8 *mode)
{
	static const char * const names[] = L4LB_CLIENT_ADDR_NAMES;
	int i = match_string(names, ARRAY_SIZE(names), s);

	if (i < 0)
		return -EINVAL;
	*mode = i;
	return 0;
}

/* The snat_ip parameter into @cfg: parsed, and local in the initial netns. */
static int l4lb_param_snat(struct l4lb_service_cfg *cfg)
{
	struct netlink_ext_ack extack = {};
	unsigned int bad;
	int err;

	err = l4lb_parse_snat_pool(snat_ip, cfg->af, cfg->snat,
				   L4LB_SNAT_POOL_MAX, &cfg->nsnat, &bad);
	if (err) {
		pr_err("invalid snat_ip='%s': entry %u: %s\n", snat_ip,
		       bad + 1, l4lb_snat_pool_why(err));
		return -EINVAL;
	}
	err = l4lb_check_snat_pool(&init_net, cfg->af, cfg->snat, cfg->nsnat,
				   &bad, &extack);
	if (err == -EADDRNOTAVAIL && cfg->af == AF_INET6) {
		pr_err("invalid snat_ip='%s': %pI6c is not a local address\n",
		       snat_ip, &cfg->snat[bad].in6);
		return -EINVAL;
	}
	if (err == -EADDRNOTAVAIL) {
		pr_err("invalid snat_ip='%s': %pI4 is not a local address\n",
		       snat_ip, &cfg->snat[bad].ip);
		return -EINVAL;
	}
	if (err) {
		/* Parsed: no repeats, not too many; a kind of IPv6 address
		 * no pool holds.
		 */
		pr_err("invalid snat_ip='%s': %pI6c: %s\n", snat_ip,
		       &cfg->snat[bad].in6, extack._msg);
		return -EINVAL;
	}
	l4lb_addrs_sort(cfg->snat, cfg->nsnat);
	return 0;
}

/**
 * l4lb_params_check() - check the module-wide parameters
 *
 * Context: process, module init.
 * Return: 0 or -EINVAL after logging which parameter is wrong.
 */
int l4lb_params_check(void)
{
	if (l4lb_conn_tab_bits < 8 || l4lb_conn_tab_bits > 24) {
		pr_err("invalid conn_tab_bits=%u: must be 8-24\n",
		       l4lb_conn_tab_bits);
		return -EINVAL;
	}
	if (!l4lb_conn_max) {
		pr_err("invalid conn_max=0: must be at least 1\n");
		return -EINVAL;
	}
	if (!l4lb_syn_max)
		l4lb_syn_max = max(l4lb_conn_max / 2, 1U);
	if (l4lb_syn_max > l4lb_conn_max) {
		pr_err("invalid syn_max=%u: must be at most conn_max=%u\n",
		       l4lb_syn_max, l4lb_conn_max);
		return -EINVAL;
	}
	if (!l4lb_svc_max || l4lb_svc_max > L4LB_SVC_MAX_LIMIT) {
		pr_err("invalid svc_max=%u: must be 1-%u\n", l4lb_svc_max,
		       L4LB_SVC_MAX_LIMIT);
		return -EINVAL;
	}
	if (!l4lb_backend_max || l4lb_backend_max > L4LB_BACKEND_MAX_LIMIT) {
		pr_err("invalid backend_max=%u: must be 1-%u\n",
		       l4lb_backend_max, L4LB_BACKEND_MAX_LIMIT);
		return -EINVAL;
	}
	return 0;
}

static int l4lb_param_timeout(const char *name, unsigned int v)
{
	if (!l4lb_check_timeout(v, NULL))
		return 0;
	pr_err("invalid %s=%u: must be 1-%u seconds\n", name, v,
	       L4LB_TIMEOUT_MAX);
	return -EINVAL;
}

/*
 * The first service's parameters that were given other than by default,
 * as "name=" for the message refusing them without vip=, or NULL.
 */
static const char *l4lb_param_svc_given(void)
{
	if (*backends)
		return "backends=";
	if (strcmp(port, "20000"))
		return "port=";
	if (strcmp(proto, "tcp"))
		return "proto=";
	if (*snat_ip)
		return "snat_ip=";
	if (strcmp(scheduler, "rr"))
		return "scheduler=";
	if (strcmp(client_addr, "none"))
		return "client_addr=";
	if (persistence)
		return "persistence=";
	if (timeout_tcp != L4LB_DEFAULT_TIMEOUT_TCP ||
	    timeout_tcp_fin != L4LB_DEFAULT_TIMEOUT_TCP_FIN ||
	    timeout_tcp_close != L4LB_DEFAULT_TIMEOUT_TCP_CLOSE ||
	    timeout_syn != L4LB_DEFAULT_TIMEOUT_SYN ||
	    timeout_udp != L4LB_DEFAULT_TIMEOUT_UDP ||
	    timeout_udp_unreplied != L4LB_DEFAULT_TIMEOUT_UDP_UNREPLIED)
		return "timeout_*=";
	return NULL;
}

/*
 * The backends= entries @be (@n of them) against the service @cfg: of its
 * family, and addresses a backend may have. Logs the first one refused.
 */
static int l4lb_param_backends_check(const struct l4lb_service_cfg *cfg,
				     const struct l4lb_addr_port *be,
				     unsigned int n)
{
	struct netlink_ext_ack extack = {};
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (be[i].af != cfg->af) {
			pr_err("invalid backends='%s': entry %u is %s but vip='%s' is %s\n",
			       backends, i + 1,
			       be[i].af == AF_INET6 ? "IPv6" : "IPv4", vip,
			       cfg->af == AF_INET6 ? "IPv6" : "IPv4");
			return -EINVAL;
		}
		if (l4lb_check_backend_addr(be[i].af, &be[i].addr, &extack)) {
			pr_err("invalid backends='%s': entry %u: %s\n",
			       backends, i + 1, extack._msg);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * l4lb_params_cfg() - the initial namespace's service from the parameters
 * @cfg: out, the service settings
 * @be: out, a kcalloc()ed array of backends for the caller to kfree()
 * @n: out, the number of backends
 *
 * Without vip= there is no first service, as with IPVS: the module starts
 * empty for "l4lbctl restore" (l4lb.service) to fill. The first service's
 * other parameters are then refused, since they would be ignored.
 *
 * Context: process, module init.
 * Return: 0 with the service in @cfg; 1 if vip= is unset (@be NULL, @n 0);
 * -EINVAL after logging which parameter is wrong and its text; -ENOMEM.
 */
int l4lb_params_cfg(struct l4lb_service_cfg *cfg, struct l4lb_addr_port **be,
		    unsigned int *n)
{
	struct netlink_ext_ack extack = {};
	const char *given;
	unsigned int bad;
	int err;

	l4lb_service_cfg_default(cfg);
	*be = NULL;
	*n = 0;

	if (!vip || !*vip) {
		given = l4lb_param_svc_given();
		if (given) {
			pr_err("missing vip=: %s is a parameter of the first service, which needs vip=\n",
			       given);
			return -EINVAL;
		}
		return 1;
	}
	if (l4lb_parse_addr(vip, strlen(vip), &cfg->af, &cfg->vip)) {
		pr_err("invalid vip='%s': not an IPv4 or IPv6 address\n", vip);
		return -EINVAL;
	}
	if (l4lb_check_vip(cfg->af, &cfg->vip, &extack)) {
		pr_err("invalid vip='%s': %s\n", vip, extack._msg);
		return -EINVAL;
	}
	if (l4lb_parse_port(port, strlen(port), &cfg->port)) {
		pr_err("invalid port='%s': must be 1-65535\n", port);
		return -EINVAL;
	}
	if (!strcmp(proto, "tcp")) {
		cfg->proto = IPPROTO_TCP;
	} else if (!strcmp(proto, "udp")) {
		cfg->proto = IPPROTO_UDP;
	} else {
		pr_err("invalid proto='%s': must be tcp or udp\n", proto);
		return -EINVAL;
	}
	if (l4lb_param_snat(cfg))
		return -EINVAL;
	if (strscpy(cfg->sched, scheduler, sizeof(cfg->sched)) < 0 ||
	    !l4lb_sched_exists(cfg->sched)) {
		pr_err("invalid scheduler='%s': no such scheduler\n", scheduler);
		return -EINVAL;
	}
	if (l4lb_param_timeout("timeout_tcp", timeout_tcp) ||
	    l4lb_param_timeout("timeout_tcp_fin", timeout_tcp_fin) ||
	    l4lb_param_timeout("timeout_tcp_close", timeout_tcp_close) ||
	    l4lb_param_timeout("timeout_syn", timeout_syn) ||
	    l4lb_param_timeout("timeout_udp", timeout_udp) ||
	    l4lb_param_timeout("timeout_udp_unreplied", timeout_udp_unreplied))
		return -EINVAL;
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP, timeout_tcp);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP_FIN, timeout_tcp_fin);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP_CLOSE, timeout_tcp_close);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_SYN, timeout_syn);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_UDP, timeout_udp);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_UDP_UNREPLIED,
				 timeout_udp_unreplied);
	if (l4lb_check_persistence(persistence, NULL)) {
		pr_err("invalid persistence=%u: must be 0-%u seconds\n",
		       persistence, L4LB_TIMEOUT_MAX);
		return -EINVAL;
	}
	l4lb_service_cfg_timeout(cfg, L4LB_TO_PERSIST, persistence);
	if (l4lb_parse_client_addr(client_addr, &cfg->client_addr)) {
		pr_err("invalid client_addr='%s': must be none, proxy-v2, proxy-v1 or toa\n",
		       client_addr);
		return -EINVAL;
	}
	if (l4lb_check_client_addr(cfg->client_addr, cfg->proto, cfg->af,
				   &extack)) {
		pr_err("invalid client_addr='%s' with proto=%s and vip='%s': %s\n",
		       client_addr, proto, vip, extack._msg);
		return -EINVAL;
	}

	*be = kcalloc(L4LB_BACKENDS_MAX, sizeof(**be), GFP_KERNEL);
	if (!*be)
		return -ENOMEM;
	err = l4lb_parse_backends(backends, *be, L4LB_BACKENDS_MAX, n, &bad);
	if (err) {
		pr_err("invalid backends='%s': entry %u is %s\n", backends,
		       bad + 1, err == -E2BIG ? "one too many" :
		       "not a new ip:port or [ipv6]:port (port 1-65535)");
		goto err;
	}
	err = l4lb_param_backends_check(cfg, *be, *n);
	if (err)
		goto err;
	return 0;

err:
	kfree(*be);
	*be = NULL;
	*n = 0;
	return -EINVAL;
}
