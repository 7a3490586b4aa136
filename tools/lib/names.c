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

static const char *const stats_names[] = {
	[L4LB_STATS_ATTR_CONNS]			= "conns",
	[L4LB_STATS_ATTR_CONN_MAX]		= "conn_max",
	[L4LB_STATS_ATTR_CONNS_CREATED]		= "conns_created",
	[L4LB_STATS_ATTR_DROP_NO_BACKEND]	= "drop_no_backend",
	[L4LB_STATS_ATTR_DROP_TABLE_FULL]	= "drop_table_full",
	[L4LB_STATS_ATTR_DROP_NO_MEMORY]	= "drop_no_memory",
	[L4LB_STATS_ATTR_DROP_NO_ROUTE]		= "drop_no_route",
	[L4LB_STATS_ATTR_DROP_NO_SNAT_PORT]	= "drop_no_snat_port",
	[L4LB_STATS_ATTR_DROP_MALFORMED]	= "drop_malformed",
	[L4LB_STATS_ATTR_DROP_MTU]		= "drop_mtu",
	[L4LB_STATS_ATTR_STRAY]			= "stray",
	[L4LB_STATS_ATTR_FRAGMENTS]		= "fragments",
	[L4LB_STATS_ATTR_ICMP_TRANSLATED]	= "icmp_translated",
	[L4LB_STATS_ATTR_DROP_SYN_LIMIT]	= "drop_syn_limit",
	[L4LB_STATS_ATTR_HALF_OPEN]		= "half_open",
};

/* A new enum value in the header must get a word here too. */
_Static_assert(ARRAY_SIZE(be_states) == L4LB_BE_STATE_MAX + 1,
	       "be_states[] out of date");
_Static_assert(ARRAY_SIZE(conn_states) == L4LB_CONN_STATE_MAX + 1,
	       "conn_states[] out of date");
_Static_assert(ARRAY_SIZE(stats_names) == L4LB_STATS_ATTR_MAX + 1,
	       "stats_names[] out of date");

const struct timeout_kind timeout_kinds[] = {
	{ "tcp",    "timeout_tcp",    L4LB_SVC_ATTR_TIMEOUT_TCP },
	{ "tcpfin", "timeout_tcpfin", L4LB_SVC_ATTR_TIMEOUT_TCP_FIN },
	{ "udp",    "timeout_udp",    L4LB_SVC_ATTR_TIMEOUT_UDP },
	{ "syn",    "timeout_syn",    L4LB_SVC_ATTR_TIMEOUT_SYN },
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

const char *stats_attr_name(uint16_t type)
{
	if (type < ARRAY_SIZE(stats_names))
		return stats_names[type];
	return NULL;
}
