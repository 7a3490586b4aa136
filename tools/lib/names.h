/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - the words the tools read and print for the numeric values of
 * the l4lb ABI (backend states, NAT row states, protocols, timeout kinds,
 * events).
 * Parsing (parse.c) and printing share these tables so that a word
 * printed by "list" is accepted back by "set".
 */
#ifndef L4LBCTL_NAMES_H
#define L4LBCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * be_state_name() - word for a backend state
 * @state: enum l4lb_be_state
 * @removed: L4LB_BE_ATTR_REMOVED was present
 *
 * Return: "up", "down", "drain", "draining" when @removed, or "unknown"
 * for a value this header does not know. Never NULL.
 */
const char *be_state_name(uint8_t state, bool removed);

/**
 * conn_state_name() - word for a NAT row state
 * @state: enum l4lb_conn_state
 *
 * Return: its word in L4LB_CONN_STATE_NAMES ("SYN_SENT", ..., "UDP",
 * "PERSIST", "UDP_UNREPLIED"), or "UNKNOWN" for L4LB_CONN_NONE and values the header does
 * not know. Never NULL.
 */
const char *conn_state_name(uint8_t state);

/**
 * event_name() - word for a kind of event (L4LB_ATTR_EVENT)
 * @kind: enum l4lb_event_kind
 *
 * Return: its word in L4LB_EVENT_NAMES ("service-new", ..., "flush"), or
 * "unknown" for L4LB_EVENT_UNSPEC and values the header does not know.
 * Never NULL.
 */
const char *event_name(uint8_t kind);

/**
 * proto_name() - word for an IP protocol number
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * Return: "tcp", "udp", or "unknown". Never NULL.
 */
const char *proto_name(uint8_t proto);

/**
 * conn_proto_name() - word for the protocol of a NAT row
 * @proto: IPPROTO_TCP, IPPROTO_UDP, or 0 for a persistence template
 *
 * Return: "TCP", "UDP", "TPL" (as /proc/l4lb/nat prints them), or
 * "UNKNOWN".
 * Never NULL.
 */
const char *conn_proto_name(uint8_t proto);

/**
 * client_addr_name() - word for a way of passing the client's address
 * @mode: enum l4lb_client_addr
 *
 * Return: its word in L4LB_CLIENT_ADDR_NAMES ("none", "proxy-v2",
 * "proxy-v1", "toa"), or "unknown" for a value the header does not know.
 * Never NULL.
 */
const char *client_addr_name(uint8_t mode);

/**
 * struct timeout_kind - one "timeout KIND SECONDS" word of "service set"
 * @word: the KIND word on the command line ("tcp", "tcpfin", "tcpclose",
 *	"udp", "udpunreplied", "syn")
 * @attr: the enum l4lb_svc_attr that carries it
 */
struct timeout_kind {
	const char *word;
	uint16_t attr;
};

/* The timeout kinds, in the order usage messages list them. */
extern const struct timeout_kind timeout_kinds[];
/* Number of entries in timeout_kinds[]. */
extern const size_t timeout_kinds_count;

#endif /* L4LBCTL_NAMES_H */
