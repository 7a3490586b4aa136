// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - value <-> word tables for the l4lb ABI enums.
 */
#include <netinet/in.h>

#include <uapi/l4lb.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const be_states[] = {
	[L4LB_BE_STATE_UP]	= "up",
	[L4LB_BE_STATE_DOWN]	= "down",
	[L4LB_BE_STATE_DRAIN]	= "drain",
};

/* The words of /proc/net/l4lb/nat, from the uapi header. */
static const char *const conn_states[] = L4LB_CONN_STATE_NAMES;

/* The words of the client_addr= parameter, from the uapi header. */
static const char *const client_addrs[] = L4LB_CLIENT_ADDR_NAMES;

/* The words of l4lbctl monitor, from the uapi header. */
static const char *const event_kinds[] = L4LB_EVENT_NAMES;

/* A new enum value in the header must get a word here too. */
_Static_assert(ARRAY_SIZE(be_states) == L4LB_BE_STATE_MAX + 1,
	       "be_states[] out of date");
_Static_assert(ARRAY_SIZE(conn_states) == L4LB_CONN_STATE_MAX + 1,
	       "conn_states[] out of date");
_Static_assert(ARRAY_SIZE(client_addrs) == L4LB_CLIENT_ADDR_MAX + 1,
	       "client_addrs[] out of date");
_Static_assert(ARRAY_SIZE(event_kinds) == L4LB_EVENT_MAX + 1,
	       "event_kinds[] out of date");

const struct timeout_kind timeout_kinds[] = {
	{ "tcp",          L4LB_SVC_ATTR_TIMEOUT_TCP },
	{ "tcpfin",       L4LB_SVC_ATTR_TIMEOUT_TCP_FIN },
	{ "tcpclose",     L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE },
	{ "udp",          L4LB_SVC_ATTR_TIMEOUT_UDP },
	{ "udpunreplied", L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED },
	{ "syn",          L4LB_SVC_ATTR_TIMEOUT_SYN },
};
const size_t timeout_kinds_count = ARRAY_SIZE(timeout_kinds);

const char *be_state_name(uint8_t state, bool removed)
{
	if (removed)
		return "draining";
	if (state < ARRAY_SIZE(be_states))
		return be_states[state];
	return "unknown";
}

const char *conn_state_name(uint8_t state)
{
	/* NONE is no state a row is in; the kernel never reports it. */
	if (state != L4LB_CONN_NONE && state < ARRAY_SIZE(conn_states) &&
	    conn_states[state])
		return conn_states[state];
	return "UNKNOWN";
}

const char *client_addr_name(uint8_t mode)
{
	if (mode < ARRAY_SIZE(client_addrs))
		return client_addrs[mode];
	return "unknown";
}

const char *event_name(uint8_t kind)
{
	/* UNSPEC is no event the kernel sends. */
	if (kind != L4LB_EVENT_UNSPEC && kind < ARRAY_SIZE(event_kinds))
		return event_kinds[kind];
	return "unknown";
}

const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "unknown";
	}
}

const char *conn_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case 0:
		return "TPL";	/* a persistence template */
	default:
		return "UNKNOWN";
	}
}
