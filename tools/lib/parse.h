/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - pure parsing of command-line words: addresses, ports, weights,
 * seconds, protocols, states. No netlink, no output: every function only
 * reads its input string and writes its result, so it is unit-testable.
 *
 * Every function returns 0 on success, or a negative errno and leaves its
 * output untouched:
 *   -EINVAL  the word is not of the expected form (junk, sign, whitespace,
 *            empty, trailing characters, unknown word)
 *   -ERANGE  the word is a well-formed number outside the allowed range
 *
 * An address is IPv4 (dotted quad) or IPv6 (RFC 4291 text, as inet_pton()
 * reads it); with a port, an IPv6 address is in brackets, "[2001:db8::1]:80"
 * (RFC 3986). An IPv6 zone index ("fe80::1%eth0") is refused with
 * -EADDRNOTAVAIL: l4lb has no use for one. Which addresses l4lb accepts
 * (no link-local, multicast...) is for the kernel to say.
 */
#ifndef L4LBCTL_PARSE_H
#define L4LBCTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/l4lb.h>

#include "addr.h"

/*
 * Longest address text (fmt_ipaddr()), including the NUL: an IPv6 address
 * with an embedded IPv4 one.
 */
#define IPADDR_STRLEN INET6_ADDRSTRLEN

/* Longest "IP:PORT" or "[IPv6]:PORT" text (fmt_ipport()), with the NUL. */
#define IPPORT_STRLEN (IPADDR_STRLEN + sizeof("[]:65535") - 1)

/* Longest "VIP:PORT/PROTO" text (fmt_svc()), including the NUL. */
#define SVC_STRLEN (IPPORT_STRLEN + sizeof("/unknown") - 1)

/**
 * struct svc_sel - a service selector or a service key
 * @set: a selector was given; without one no L4LB_ATTR_SERVICE is sent and
 *	the kernel acts on the namespace's only service
 * @has_port: @port is meaningful; otherwise any port matches
 * @has_proto: @proto is meaningful; otherwise either protocol matches
 * @vip: virtual IP of either family (meaningful when @set)
 * @port: virtual port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * A key (VIP, PORT, PROTO of an existing service, as the kernel reports
 * it) is a selector with every field given.
 */
struct svc_sel {
	bool set;
	bool has_port;
	bool has_proto;
	struct ipaddr vip;
	uint16_t port;
	uint8_t proto;
};

/**
 * parse_u32() - parse a decimal unsigned number
 * @s: the word; only the digits 0-9, no sign, no whitespace, no prefix
 * @max: largest accepted value
 * @out: the value, host byte order
 *
 * Return: 0, -EINVAL for anything but digits, -ERANGE above @max.
 */
int parse_u32(const char *s, uint32_t max, uint32_t *out);

/**
 * parse_ipv4() - parse a dotted-quad IPv4 address ("10.0.0.1")
 * @s: the word; exactly four decimal octets 0-255
 * @addr: the address, network byte order
 *
 * Return: 0 or -EINVAL.
 */
int parse_ipv4(const char *s, uint32_t *addr);

/**
 * parse_ipaddr() - parse an IPv4 or IPv6 address
 * @s: the word: "10.0.0.1", "2001:db8::1", or an IPv6 address in brackets,
 *     "[2001:db8::1]"
 * @addr: the address and its family
 *
 * Return: 0, -EINVAL, or -EADDRNOTAVAIL for an IPv6 address with a zone
 * index ("fe80::1%eth0").
 */
int parse_ipaddr(const char *s, struct ipaddr *addr);

/**
 * parse_port() - parse a port number 1-65535
 * @s: the word
 * @port: the port, network byte order
 *
 * Return: 0, -EINVAL, or -ERANGE for 0 and values above 65535.
 */
int parse_port(const char *s, uint16_t *port);

/**
 * parse_ipport() - parse "IP:PORT" ("10.0.0.2:80", "[2001:db8::2]:80")
 * @s: the word; an IPv6 address must be in brackets ("2001:db8::2:80" is
 *     an address without a port)
 * @ep: the endpoint, address and port in network byte order
 *
 * Return: 0, -EINVAL (bad address, missing ':' or port, IPv6 without
 * brackets, IPv4 in brackets), -EADDRNOTAVAIL (a zone index), or -ERANGE
 * (port 0 or above 65535).
 */
int parse_ipport(const char *s, struct ipport *ep);

/**
 * parse_weight() - parse a backend weight 0..L4LB_WEIGHT_MAX
 * @s: the word
 * @weight: the weight
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int parse_weight(const char *s, uint32_t *weight);

/**
 * parse_weight_pct() - parse a weight percentage 0..L4LB_WEIGHT_PCT_MAX
 * @s: the word, decimal digits (no '%')
 * @pct: the percentage of the configured weight the schedulers use
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int parse_weight_pct(const char *s, uint32_t *pct);

/**
 * parse_seconds() - parse a duration in whole seconds, 0..UINT32_MAX
 * @s: the word, decimal digits only (no unit suffix)
 * @secs: the duration in seconds
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int parse_seconds(const char *s, uint32_t *secs);

/**
 * parse_proto() - parse "tcp" or "udp"
 * @s: the word, lowercase
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * Return: 0 or -EINVAL.
 */
int parse_proto(const char *s, uint8_t *proto);

/**
 * parse_be_state() - parse "up", "down" or "drain"
 * @s: the word
 * @state: enum l4lb_be_state
 *
 * Return: 0 or -EINVAL ("draining" is output only and is rejected).
 */
int parse_be_state(const char *s, uint8_t *state);

/**
 * parse_client_addr() - parse "none", "proxy-v2", "proxy-v1" or "toa"
 * @s: the word
 * @mode: enum l4lb_client_addr
 *
 * Return: 0 or -EINVAL.
 */
int parse_client_addr(const char *s, uint8_t *mode);

/**
 * parse_timeout_kind() - parse the KIND of "timeout KIND SECONDS"
 * @s: "tcp", "tcpfin", "tcpclose", "udp", "udpunreplied" or "syn"
 * @attr: the enum l4lb_svc_attr that carries that timeout
 *
 * Return: 0 or -EINVAL.
 */
int parse_timeout_kind(const char *s, uint16_t *attr);

/**
 * parse_sched() - check a scheduler name
 * @s: the word: 1 to L4LB_SCHED_NAME_MAX - 1 characters from
 *     [A-Za-z0-9_.-]; whether the scheduler exists is for the kernel to say
 * @out: buffer of L4LB_SCHED_NAME_MAX bytes, receives the NUL-terminated name
 *
 * Return: 0, -EINVAL (empty or bad character) or -ERANGE (too long).
 */
int parse_sched(const char *s, char *out);

/**
 * parse_svc_sel() - parse a service selector "VIP[:PORT][/tcp|/udp]"
 * @s: the word, e.g. "10.0.0.1:20000/udp", "10.0.0.1/udp", "10.0.0.1",
 *     "[2001:db8::10]:443/tcp", "2001:db8::10/tcp", "2001:db8::10";
 *     VIP is an address, in brackets if it is IPv6 and a PORT follows;
 *     PORT 1-65535 in decimal digits, the protocol lowercase; nothing
 *     else, no blanks
 * @sel: the selector: @set true, the other fields as given (address and
 *	port in network byte order)
 *
 * Return: 0, -EINVAL (bad address, protocol, empty port, anything else),
 * -EADDRNOTAVAIL (a zone index), or -ERANGE (port 0 or above 65535).
 */
int parse_svc_sel(const char *s, struct svc_sel *sel);

/**
 * struct snat_pool - a service's SNAT pool
 * @n: number of addresses; 0 is "auto"
 * @addr: the addresses, all of one family
 */
struct snat_pool {
	unsigned int n;
	struct ipaddr addr[L4LB_SNAT_POOL_MAX];
};

/**
 * parse_snat_pool() - parse the "snat" value: "auto" or a SNAT pool
 * @s: the word: "auto", or comma-separated entries, each an address "A"
 *     or an inclusive range "A-B" (e.g. "10.0.1.250-10.0.1.253,10.0.2.9",
 *     "2001:db8::5-2001:db8::8"); no blanks, no empty entry
 * @pool: the addresses in the order given, ranges expanded; n 0 for "auto"
 *
 * Return: 0; -EINVAL if an entry is malformed; -EADDRNOTAVAIL for a zone
 * index; -EAFNOSUPPORT if IPv4 and IPv6 addresses are mixed; -ERANGE if a
 * range ends below its start; -E2BIG for more than L4LB_SNAT_POOL_MAX
 * addresses in all; -EEXIST if an address is given twice.
 */
int parse_snat_pool(const char *s, struct snat_pool *pool);

/**
 * struct peer_list - a service's peers (L4LB_SVC_ATTR_PEERS)
 * @n: number of addresses; 0 is "none"
 * @addr: the addresses, network byte order
 */
struct peer_list {
	unsigned int n;
	uint32_t addr[L4LB_PEERS_MAX];
};

/**
 * parse_peers() - parse the "peers" value: "none" or a list of addresses
 * @s: the word: "none", or comma-separated entries as parse_snat_pool()
 *     takes them, each "A" or "A-B" (e.g. "10.0.0.11,10.0.0.12")
 * @peers: the addresses in the order given, ranges expanded; n 0 for "none"
 *
 * Peers are IPv4 only (the outer addresses of IPIP).
 *
 * Return: 0; -EINVAL if an entry is malformed; -EAFNOSUPPORT for an IPv6
 * address; -ERANGE if a range ends below its start; -E2BIG for more than
 * L4LB_PEERS_MAX addresses in all; -EEXIST if an address is given twice;
 * -EDOM for 0.0.0.0 or a multicast address, which the kernel refuses too.
 */
int parse_peers(const char *s, struct peer_list *peers);

#endif /* L4LBCTL_PARSE_H */
