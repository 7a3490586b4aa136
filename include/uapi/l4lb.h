/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * l4lb: userspace ABI of the in-kernel full-NAT L4 load balancer.
 *
 * This header is shared by the kernel module (kmod/) and by l4lbctl
 * (tools/). It defines the generic netlink family "l4lb", version 2
 * (version 1 had one service per namespace and no SERVICE_DEL).
 *
 * Conventions used by every attribute below:
 *  - Addresses are IPv4 in network byte order (NLA_BE32).
 *  - Ports are in network byte order (NLA_BE16).
 *  - Times are in seconds (u32) unless the name says otherwise.
 *  - Counters are u64 in host byte order, padded with the PAD attribute of
 *    the nest they are in (e.g. L4LB_BE_ATTR_PAD).
 *  - Each request carries at most one L4LB_ATTR_SERVICE and one
 *    L4LB_ATTR_BACKEND nest; replies use the same nests.
 *
 * A namespace may hold several virtual services. A service is identified by
 * its key (AF, VIP, PORT, PROTO), so a TCP and a UDP service may share one
 * VIP:port, and IPv4 and IPv6 services live side by side. Requests that
 * act on an existing service name it with a service selector: an
 * L4LB_ATTR_SERVICE nest whose L4LB_SVC_ATTR_VIP (or L4LB_SVC_ATTR_VIP6),
 * L4LB_SVC_ATTR_PORT and L4LB_SVC_ATTR_PROTO, each optional, must match; a
 * selector with L4LB_SVC_ATTR_AF alone matches the services of that family.
 * An absent field matches anything, so with a single service no selector
 * is needed at all. A selector that matches no service gets -ENOENT; one
 * that matches several gets -EINVAL ("several services match").
 *
 * Mutating commands (those with "SET", "ADD", "DEL", "FLUSH" in their name)
 * need CAP_NET_ADMIN in the network namespace's user namespace. Every object
 * (service, backends, NAT table) belongs to the network namespace of the
 * netlink socket that talks to it.
 *
 * Errors are returned as a negative errno in the netlink ACK, with an extended
 * ACK message (NLMSGERR_ATTR_MSG) saying what was wrong. A rejected command
 * changes nothing.
 *
 * Events: a socket that joins the family's multicast group
 * L4LB_GENL_MCGRP_EVENTS (its id is in CTRL_ATTR_MCAST_GROUPS of
 * CTRL_CMD_GETFAMILY) receives a L4LB_CMD_EVENT message for each change
 * as it happens, in the order of the changes: see enum l4lb_event_kind.
 * Only the events of the socket's own network namespace reach it. Joining
 * needs no privilege, as reading does not. A socket that does not read
 * fast enough loses events: its next recv() fails with ENOBUFS.
 */
#ifndef _UAPI_L4LB_H
#define _UAPI_L4LB_H

/** L4LB_GENL_NAME - the generic netlink family name */
#define L4LB_GENL_NAME		"l4lb"
/** L4LB_GENL_VERSION - the family version this header describes */
#define L4LB_GENL_VERSION	2

/**
 * L4LB_GENL_MCGRP_EVENTS - name of the family's multicast group that
 * carries the L4LB_CMD_EVENT notifications
 */
#define L4LB_GENL_MCGRP_EVENTS	"events"

/** L4LB_SCHED_NAME_MAX - longest scheduler name, including the NUL */
#define L4LB_SCHED_NAME_MAX	16

/** L4LB_WEIGHT_MAX - largest backend weight; weight 0 takes no new connections */
#define L4LB_WEIGHT_MAX		65535

/**
 * L4LB_WEIGHT_PCT_MAX - largest weight percentage (L4LB_BE_ATTR_WEIGHT_PCT),
 * as HAProxy's agent-check caps a backend at 256% of its configured weight
 */
#define L4LB_WEIGHT_PCT_MAX	256

/** L4LB_WEIGHT_PCT_DEFAULT - weight percentage of a new backend: the weight */
#define L4LB_WEIGHT_PCT_DEFAULT	100

/** L4LB_SNAT_POOL_MAX - most addresses in a service's SNAT pool */
#define L4LB_SNAT_POOL_MAX	64

/** L4LB_PEERS_MAX - most addresses in a service's peer list */
#define L4LB_PEERS_MAX		16

/**
 * L4LB_SNAT_USAGE_MAX - most entries of L4LB_SVC_ATTR_SNAT_USAGE: the pool's
 * addresses, then others that rows still hold
 */
#define L4LB_SNAT_USAGE_MAX	(2 * L4LB_SNAT_POOL_MAX)

/**
 * enum l4lb_cmd - generic netlink commands
 * @L4LB_CMD_UNSPEC: unused
 * @L4LB_CMD_SERVICE_GET: read services. As a plain request: the one service
 *	the selector in L4LB_ATTR_SERVICE (optional) names, in one
 *	L4LB_ATTR_SERVICE nest; -ENOENT if none matches, -EINVAL if several
 *	do. With NLM_F_DUMP: every service of the namespace, one message each,
 *	in the order they were created.
 * @L4LB_CMD_SERVICE_SET: create or change a service. The VIP, PORT and PROTO
 *	in L4LB_ATTR_SERVICE select the service as a selector does; its other
 *	attributes are the settings to change, and absent ones keep their
 *	value. If the selector matches no service, one is created: that needs
 *	VIP; PORT defaults to 20000, PROTO to TCP, SCHED to "rr". A service's
 *	key never changes: naming another VIP, port or protocol creates
 *	another service. Existing NAT rows are kept whatever changes; new
 *	settings apply to new connections. -EINVAL if several services match.
 *	-ENOSPC, "service limit reached (svc_max=N)", if a new service would
 *	be one more than the namespace may hold (module parameter svc_max).
 * @L4LB_CMD_BACKEND_ADD: add a backend (ADDR, PORT, optional WEIGHT,
 *	WEIGHT_PCT and STATE) to the service the selector names. -EEXIST if it is already
 *	there. Re-adding a removed backend that is still draining brings it
 *	back with its rows. The same ADDR:PORT may be a backend of several
 *	services; each is a backend of its own. -ENOSPC, "backend limit
 *	reached (backend_max=N)", if the namespace already holds as many
 *	backends, over all its services, as module parameter backend_max
 *	allows (removed backends count until their last row ends).
 * @L4LB_CMD_BACKEND_DEL: remove a backend (ADDR, PORT) of the selected
 *	service. By default it drains: no new connections, existing rows live
 *	until they end, then it is gone. With L4LB_F_NOW in L4LB_ATTR_FLAGS
 *	its rows are removed at once; see enum l4lb_flags. -ENOENT if it is
 *	not there.
 * @L4LB_CMD_BACKEND_SET: change WEIGHT, WEIGHT_PCT and/or STATE of a
 *	backend of the selected service. Its rows are kept, unless
 *	L4LB_F_NOW is given with STATE down or drain: then they are removed
 *	as with BACKEND_DEL and L4LB_F_NOW.
 * @L4LB_CMD_BACKEND_GET: dump backends (NLM_F_DUMP): those of the service
 *	the selector names if the request has L4LB_ATTR_SERVICE, else those of
 *	every service. Each message has a L4LB_ATTR_SERVICE nest with the
 *	service's key (AF, VIP, PORT, PROTO) and a L4LB_ATTR_BACKEND nest with
 *	the backend and its statistics.
 * @L4LB_CMD_CONN_GET: dump NAT table rows (NLM_F_DUMP), each in a
 *	L4LB_ATTR_CONN nest
 * @L4LB_CMD_STATS_GET: table length and global counters in L4LB_ATTR_STATS
 * @L4LB_CMD_FLUSH: remove NAT table rows at once (no RST): those of the
 *	service the selector names if the request has L4LB_ATTR_SERVICE, else
 *	every row of the namespace
 * @L4LB_CMD_SERVICE_DEL: delete the service the selector names, with its
 *	backends. Its rows are removed at once, as with FLUSH; drain its
 *	backends first (BACKEND_DEL) for a graceful removal. -ENOENT if no
 *	service matches, -EINVAL if several do.
 * @L4LB_CMD_EVENT: a notification, never a request (-EOPNOTSUPP): sent to
 *	the multicast group L4LB_GENL_MCGRP_EVENTS with portid and sequence
 *	number 0. It carries L4LB_ATTR_EVENT and the nests its kind names
 *	(enum l4lb_event_kind).
 */
enum l4lb_cmd {
	L4LB_CMD_UNSPEC,
	L4LB_CMD_SERVICE_GET,
	L4LB_CMD_SERVICE_SET,
	L4LB_CMD_BACKEND_ADD,
	L4LB_CMD_BACKEND_DEL,
	L4LB_CMD_BACKEND_SET,
	L4LB_CMD_BACKEND_GET,
	L4LB_CMD_CONN_GET,
	L4LB_CMD_STATS_GET,
	L4LB_CMD_FLUSH,
	L4LB_CMD_SERVICE_DEL,
	L4LB_CMD_EVENT,

	__L4LB_CMD_MAX,
};

#define L4LB_CMD_MAX (__L4LB_CMD_MAX - 1)

/**
 * enum l4lb_attr - top-level attributes
 * @L4LB_ATTR_UNSPEC: unused
 * @L4LB_ATTR_PAD: padding for 64-bit attributes
 * @L4LB_ATTR_SERVICE: nest of enum l4lb_svc_attr
 * @L4LB_ATTR_BACKEND: nest of enum l4lb_be_attr
 * @L4LB_ATTR_CONN: nest of enum l4lb_conn_attr (replies only)
 * @L4LB_ATTR_STATS: nest of enum l4lb_stats_attr (replies only)
 * @L4LB_ATTR_FLAGS: u32, bitmask of enum l4lb_flags
 * @L4LB_ATTR_EVENT: u8, enum l4lb_event_kind (L4LB_CMD_EVENT only; refused
 *	in requests)
 */
enum l4lb_attr {
	L4LB_ATTR_UNSPEC,
	L4LB_ATTR_PAD,
	L4LB_ATTR_SERVICE,
	L4LB_ATTR_BACKEND,
	L4LB_ATTR_CONN,
	L4LB_ATTR_STATS,
	L4LB_ATTR_FLAGS,
	L4LB_ATTR_EVENT,

	__L4LB_ATTR_MAX,
};

#define L4LB_ATTR_MAX (__L4LB_ATTR_MAX - 1)

/**
 * enum l4lb_event_kind - what a L4LB_CMD_EVENT reports (L4LB_ATTR_EVENT)
 * @L4LB_EVENT_UNSPEC: unused
 * @L4LB_EVENT_SERVICE_NEW: SERVICE_SET created a service. L4LB_ATTR_SERVICE
 *	as in SERVICE_GET's reply, without SNAT_USAGE.
 * @L4LB_EVENT_SERVICE_CHANGE: SERVICE_SET changed a setting of a service;
 *	its settings after the change, as with SERVICE_NEW. A SERVICE_SET
 *	that changes nothing sends no event.
 * @L4LB_EVENT_SERVICE_DEL: SERVICE_DEL deleted a service, with its
 *	backends and rows; its settings as they were, as with SERVICE_NEW.
 *	Its backends get no event of their own.
 * @L4LB_EVENT_BACKEND_NEW: BACKEND_ADD added a backend, or brought a
 *	draining one back. L4LB_ATTR_SERVICE with the key (AF, VIP, PORT,
 *	PROTO) of its service and L4LB_ATTR_BACKEND, as in BACKEND_GET's dump.
 * @L4LB_EVENT_BACKEND_CHANGE: BACKEND_SET changed a backend's WEIGHT,
 *	WEIGHT_PCT or STATE (a health checker's down and up included); the
 *	backend after the change, as with BACKEND_NEW. A BACKEND_SET that
 *	changes none of them sends no event.
 * @L4LB_EVENT_BACKEND_DEL: BACKEND_DEL removed a backend: it drains (STATE
 *	drain, REMOVED set) until its last row ends, at once with L4LB_F_NOW.
 *	As with BACKEND_NEW. BACKEND_GONE follows when it is freed.
 * @L4LB_EVENT_BACKEND_GONE: a removed backend's last row ended, and the
 *	backend is gone: no longer listed, no longer counted in backend_max.
 *	The backend as it was last, as with BACKEND_NEW. Sent right after
 *	BACKEND_DEL if the backend had no row left, else by the expiry
 *	worker, which looks every quarter of a second: within about a second
 *	of the last row's end.
 * @L4LB_EVENT_TABLE_FULL: a new flow was dropped because the namespace's
 *	NAT table holds conn_max rows (L4LB_STATS_ATTR_DROP_TABLE_FULL); at
 *	most one such event a second per namespace, however many flows are
 *	dropped. L4LB_ATTR_SERVICE with the key of the flow's service, and
 *	L4LB_ATTR_STATS with CONNS, CONN_MAX and DROP_TABLE_FULL.
 * @L4LB_EVENT_FLUSH: FLUSH removed rows: those of the service whose key is
 *	in L4LB_ATTR_SERVICE, or, without that nest, every row of the
 *	namespace. Sent even when there was no row to remove.
 */
enum l4lb_event_kind {
	L4LB_EVENT_UNSPEC,
	L4LB_EVENT_SERVICE_NEW,
	L4LB_EVENT_SERVICE_CHANGE,
	L4LB_EVENT_SERVICE_DEL,
	L4LB_EVENT_BACKEND_NEW,
	L4LB_EVENT_BACKEND_CHANGE,
	L4LB_EVENT_BACKEND_DEL,
	L4LB_EVENT_BACKEND_GONE,
	L4LB_EVENT_TABLE_FULL,
	L4LB_EVENT_FLUSH,

	__L4LB_EVENT_MAX,
};

#define L4LB_EVENT_MAX (__L4LB_EVENT_MAX - 1)

/**
 * L4LB_EVENT_NAMES - initializer of a name table indexed by
 * enum l4lb_event_kind: the words l4lbctl monitor prints. Use as:
 * static const char * const names[] = L4LB_EVENT_NAMES;
 */
#define L4LB_EVENT_NAMES {					\
	[L4LB_EVENT_UNSPEC]		= "unspec",		\
	[L4LB_EVENT_SERVICE_NEW]	= "service-new",	\
	[L4LB_EVENT_SERVICE_CHANGE]	= "service-change",	\
	[L4LB_EVENT_SERVICE_DEL]	= "service-del",	\
	[L4LB_EVENT_BACKEND_NEW]	= "backend-new",	\
	[L4LB_EVENT_BACKEND_CHANGE]	= "backend-change",	\
	[L4LB_EVENT_BACKEND_DEL]	= "backend-del",	\
	[L4LB_EVENT_BACKEND_GONE]	= "backend-gone",	\
	[L4LB_EVENT_TABLE_FULL]		= "table-full",		\
	[L4LB_EVENT_FLUSH]		= "flush",		\
}

/**
 * enum l4lb_flags - request flags in L4LB_ATTR_FLAGS
 * @L4LB_F_NOW: with BACKEND_DEL, remove the backend's rows at once. l4lb
 *	sends nothing itself: the next packet of each end finds no row and
 *	goes to the balancer's own stack, which answers a TCP segment with a
 *	RST when the VIP and SNAT addresses are local (the usual setup). So
 *	both ends learn the connection is gone at their next packet. With
 *	BACKEND_SET to state down or drain, remove the backend's rows the same
 *	way (a health checker's "expire" policy).
 */
enum l4lb_flags {
	L4LB_F_NOW = 1 << 0,
};

/**
 * enum l4lb_svc_attr - attributes of the virtual service
 * @L4LB_SVC_ATTR_UNSPEC: unused
 * @L4LB_SVC_ATTR_PAD: padding
 * @L4LB_SVC_ATTR_AF: u16 address family, AF_INET (2) or AF_INET6 (10);
 *	anything else gets -EAFNOSUPPORT. Optional, AF_INET if absent. It
 *	says which of VIP and VIP6 the service has, and the family of every
 *	address in the request's nests: an address of the other family is
 *	refused (-EINVAL, "VIP is IPv4: an AF_INET6 service has VIP6"); l4lb
 *	does no NAT64.
 * @L4LB_SVC_ATTR_VIP: be32, the virtual IP address of an AF_INET service
 * @L4LB_SVC_ATTR_PORT: be16, the virtual port (1-65535)
 * @L4LB_SVC_ATTR_PROTO: u8, IPPROTO_TCP (6) or IPPROTO_UDP (17)
 * @L4LB_SVC_ATTR_SCHED: string, scheduler name (e.g. "rr")
 * @L4LB_SVC_ATTR_SNAT_ADDR: be32, the SNAT pool as a single address, for
 *	tools that predate SNAT_POOL. In requests: a pool of this one
 *	address, checked as SNAT_POOL's are; 0 empties the pool ("auto"). In
 *	replies: the pool's first (lowest) address, 0 if it is empty. A
 *	request carries SNAT_ADDR or SNAT_POOL, not both (-EINVAL).
 * @L4LB_SVC_ATTR_TIMEOUT_TCP: u32 seconds, 1-604800, idle timeout of an
 *	ESTABLISHED TCP row; default 900 (IPVS's)
 * @L4LB_SVC_ATTR_TIMEOUT_TCP_FIN: u32 seconds, 1-604800, idle timeout of a
 *	TCP row after a FIN, not yet closed (FIN_WAIT, CLOSE_WAIT, LAST_ACK);
 *	default 120 (IPVS's FIN_WAIT)
 * @L4LB_SVC_ATTR_TIMEOUT_UDP: u32 seconds, 1-604800, idle timeout of a UDP
 *	row confirmed by the client after a reply (UDP); default 300 (IPVS's)
 * @L4LB_SVC_ATTR_TIMEOUT_SYN: u32 seconds, 1-604800, timeout of a half-open
 *	TCP row (SYN_SENT, SYN_RECV); default 60
 * @L4LB_SVC_ATTR_PERSISTENCE: u32 seconds, 0-604800; 0 disables it. While
 *	a client's persistence template lives, its new connections go to the
 *	backend its first one went to (IPVS -p, "sticky sessions"). Each new
 *	connection refreshes the template. A backend that is down, draining,
 *	removed or of weight 0 breaks it: the client is scheduled afresh.
 * @L4LB_SVC_ATTR_CONN_MAX: u32, largest number of NAT rows in the namespace
 *	(read only): conn_max, or its default if that is lower and the
 *	namespace belongs to a user namespace other than the initial one
 * @L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE: u32 seconds, 1-604800, idle timeout of a
 *	closed TCP row: the last FIN acknowledged (TIME_WAIT) or a RST seen
 *	(CLOSE); default 3, enough to translate a retransmitted last ACK
 *	(full NAT's port reuse guards the tuple, not this linger)
 * @L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED: u32 seconds, 1-604800, idle timeout
 *	of a UDP row not confirmed yet (UDP_UNREPLIED);
 *	default 30 (nf_conntrack's unreplied UDP)
 * @L4LB_SVC_ATTR_SNAT_POOL: nest of L4LB_SNAT_ATTR_ADDR (be32), one per
 *	address: the service's SNAT pool, the source addresses of its
 *	connections towards the backends. A request replaces the whole pool.
 *	At most L4LB_SNAT_POOL_MAX addresses (-E2BIG), none twice (-EINVAL),
 *	each a local address of the namespace when it is set
 *	(-EADDRNOTAVAIL, "SNAT address ... is not local"). An empty nest
 *	empties the pool: "auto", the default, is the primary address of the
 *	interface that routes to each backend, as MASQUERADE picks it.
 *	Replies list the addresses in ascending order. New connections
 *	spread over the pool; towards one backend it holds (addresses x SNAT
 *	ports) connections at once. Existing rows keep their address.
 * @L4LB_SVC_ATTR_SNAT_USAGE: nest (replies only) of L4LB_SNAT_ATTR_ENTRY
 *	nests, one per SNAT address the service has or its rows hold: every
 *	address of the pool, then any other address its rows still hold
 *	(auto's, or one since removed from the pool), in ascending order, at
 *	most L4LB_SNAT_USAGE_MAX. Counted by a walk of the NAT table for each
 *	request.
 * @L4LB_SVC_ATTR_SNAT_FAIL: u64 (replies only), new connections of the
 *	service refused because no SNAT address and port towards the chosen
 *	backend was free; the namespace counts them in DROP_NO_SNAT_PORT too
 * @L4LB_SVC_ATTR_CLIENT_ADDR: u8, enum l4lb_client_addr: how the service's
 *	backends learn each client's address; default L4LB_CLIENT_ADDR_NONE.
 *	Values past L4LB_CLIENT_ADDR_MAX are refused (-ERANGE), and so is
 *	any value but NONE for a UDP service (-EINVAL). A change applies to
 *	connections scheduled from then on. Not yet acted upon by the packet
 *	path: set and shown only (issue #16).
 * @L4LB_SVC_ATTR_PEERS: nest of L4LB_PEER_ATTR_ADDR (be32), one per
 *	address: the balancer nodes that serve this service behind the same
 *	ECMP route, for daisy chaining (Beamer, NSDI'18). A TCP segment
 *	other than a SYN with no row here is sent, in an IPIP header (RFC
 *	2003), to every peer that is not a local address, instead of being
 *	passed on: after a router's rehash the node that owns the
 *	connection translates it. A segment that came in on an IPIP device
 *	(ARPHRD_TUNNEL) is never sent on; with no row it is dropped, so a
 *	node's local VIP does not reset another node's connection. Each node
 *	needs an IPIP device up to receive (the ipip module's tunl0), with
 *	rp_filter off or loose on it. A request replaces the whole list; an
 *	empty nest empties it (the default: strays are passed on). At most
 *	L4LB_PEERS_MAX addresses (-E2BIG), none twice or 0.0.0.0 or
 *	multicast (-EINVAL). The same list on every node, each node's own
 *	address included, is the intended use. Replies list them in
 *	ascending order. TCP only (-EINVAL for a UDP service): a UDP packet
 *	without a row is a new flow. AF_INET services only (-EAFNOSUPPORT).
 * @L4LB_SVC_ATTR_VIP6: binary struct in6_addr (16 bytes, network byte
 *	order), the virtual IP address of an AF_INET6 service. Not
 *	unspecified, multicast, link-local or v4-mapped (-EINVAL).
 */
enum l4lb_svc_attr {
	L4LB_SVC_ATTR_UNSPEC,
	L4LB_SVC_ATTR_PAD,
	L4LB_SVC_ATTR_AF,
	L4LB_SVC_ATTR_VIP,
	L4LB_SVC_ATTR_PORT,
	L4LB_SVC_ATTR_PROTO,
	L4LB_SVC_ATTR_SCHED,
	L4LB_SVC_ATTR_SNAT_ADDR,
	L4LB_SVC_ATTR_TIMEOUT_TCP,
	L4LB_SVC_ATTR_TIMEOUT_TCP_FIN,
	L4LB_SVC_ATTR_TIMEOUT_UDP,
	L4LB_SVC_ATTR_TIMEOUT_SYN,
	L4LB_SVC_ATTR_PERSISTENCE,
	L4LB_SVC_ATTR_CONN_MAX,
	L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE,
	L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED,
	L4LB_SVC_ATTR_SNAT_POOL,
	L4LB_SVC_ATTR_SNAT_USAGE,
	L4LB_SVC_ATTR_SNAT_FAIL,
	L4LB_SVC_ATTR_CLIENT_ADDR,
	L4LB_SVC_ATTR_PEERS,
	L4LB_SVC_ATTR_VIP6,

	__L4LB_SVC_ATTR_MAX,
};

#define L4LB_SVC_ATTR_MAX (__L4LB_SVC_ATTR_MAX - 1)

/**
 * enum l4lb_client_addr - how a service passes the client's address on
 * @L4LB_CLIENT_ADDR_NONE: not at all; backends see the SNAT address only
 * @L4LB_CLIENT_ADDR_PROXY_V2: a PROXY protocol version 2 header (binary,
 *	28 bytes for TCP over IPv4) at the start of the stream towards the
 *	backend, per HAProxy's proxy-protocol.txt
 * @L4LB_CLIENT_ADDR_PROXY_V1: a PROXY protocol version 1 header (the text
 *	line "PROXY TCP4 ..."), per the same document
 * @L4LB_CLIENT_ADDR_TOA: the TCP option of LVS FULLNAT and DPVS (kind 254,
 *	length 8: the client's port and IPv4 address) on the client's first
 *	segments; read by a toa module on the backends
 */
enum l4lb_client_addr {
	L4LB_CLIENT_ADDR_NONE,
	L4LB_CLIENT_ADDR_PROXY_V2,
	L4LB_CLIENT_ADDR_PROXY_V1,
	L4LB_CLIENT_ADDR_TOA,

	__L4LB_CLIENT_ADDR_MAX,
};

#define L4LB_CLIENT_ADDR_MAX (__L4LB_CLIENT_ADDR_MAX - 1)

/**
 * L4LB_CLIENT_ADDR_NAMES - initializer of a name table indexed by
 * enum l4lb_client_addr: the words of the client_addr= parameter and of
 * l4lbctl. Use as: static const char * const names[] =
 * L4LB_CLIENT_ADDR_NAMES;
 */
#define L4LB_CLIENT_ADDR_NAMES {				\
	[L4LB_CLIENT_ADDR_NONE]		= "none",		\
	[L4LB_CLIENT_ADDR_PROXY_V2]	= "proxy-v2",		\
	[L4LB_CLIENT_ADDR_PROXY_V1]	= "proxy-v1",		\
	[L4LB_CLIENT_ADDR_TOA]		= "toa",		\
}

/**
 * enum l4lb_peer_attr - attributes in L4LB_SVC_ATTR_PEERS
 * @L4LB_PEER_ATTR_UNSPEC: unused
 * @L4LB_PEER_ATTR_ADDR: be32, a peer's address: the outer destination of
 *	the IPIP packets sent to it
 */
enum l4lb_peer_attr {
	L4LB_PEER_ATTR_UNSPEC,
	L4LB_PEER_ATTR_ADDR,

	__L4LB_PEER_ATTR_MAX,
};

#define L4LB_PEER_ATTR_MAX (__L4LB_PEER_ATTR_MAX - 1)

/**
 * enum l4lb_snat_attr - attributes in the SNAT nests of a service
 * @L4LB_SNAT_ATTR_UNSPEC: unused
 * @L4LB_SNAT_ATTR_PAD: padding
 * @L4LB_SNAT_ATTR_ADDR: be32, a SNAT address
 * @L4LB_SNAT_ATTR_PORTS_IN_USE: u32 (replies only), the service's rows
 *	whose SNAT address is the entry's ADDR: the (address, port) pairs it
 *	holds, summed over the backends (each backend has every port)
 * @L4LB_SNAT_ATTR_ENTRY: nest (replies only) of one ADDR and its
 *	PORTS_IN_USE, in L4LB_SVC_ATTR_SNAT_USAGE
 * @L4LB_SNAT_ATTR_ADDR6: binary struct in6_addr, a SNAT address of an
 *	AF_INET6 service, in place of ADDR (there is no v6 SNAT_ADDR: a v6
 *	pool is always a SNAT_POOL nest)
 */
enum l4lb_snat_attr {
	L4LB_SNAT_ATTR_UNSPEC,
	L4LB_SNAT_ATTR_PAD,
	L4LB_SNAT_ATTR_ADDR,
	L4LB_SNAT_ATTR_PORTS_IN_USE,
	L4LB_SNAT_ATTR_ENTRY,
	L4LB_SNAT_ATTR_ADDR6,

	__L4LB_SNAT_ATTR_MAX,
};

#define L4LB_SNAT_ATTR_MAX (__L4LB_SNAT_ATTR_MAX - 1)

/**
 * enum l4lb_be_state - administrative state of a backend
 * @L4LB_BE_STATE_UP: takes new connections (if its weight is not 0)
 * @L4LB_BE_STATE_DOWN: takes no new connections; existing rows are kept
 * @L4LB_BE_STATE_DRAIN: takes no new connections; existing rows are kept.
 *	A backend removed with BACKEND_DEL stays in this state, with
 *	L4LB_BE_ATTR_REMOVED set, until its last row ends.
 */
enum l4lb_be_state {
	L4LB_BE_STATE_UP,
	L4LB_BE_STATE_DOWN,
	L4LB_BE_STATE_DRAIN,

	__L4LB_BE_STATE_MAX,
};

#define L4LB_BE_STATE_MAX (__L4LB_BE_STATE_MAX - 1)

/**
 * enum l4lb_be_attr - attributes of a backend (real server)
 * @L4LB_BE_ATTR_UNSPEC: unused
 * @L4LB_BE_ATTR_PAD: padding for the u64 counters
 * @L4LB_BE_ATTR_AF: u16 address family; optional, and if present it must
 *	be the service's (-EINVAL)
 * @L4LB_BE_ATTR_ADDR: be32, backend address of an AF_INET service
 * @L4LB_BE_ATTR_PORT: be16, backend port (1-65535)
 * @L4LB_BE_ATTR_WEIGHT: u32, 0..L4LB_WEIGHT_MAX; default 1
 * @L4LB_BE_ATTR_STATE: u8, enum l4lb_be_state
 * @L4LB_BE_ATTR_REMOVED: flag (replies only): removed and draining
 * @L4LB_BE_ATTR_ACTIVE_CONNS: u32 (replies only), rows in ESTABLISHED
 * @L4LB_BE_ATTR_INACTIVE_CONNS: u32 (replies only), rows in other states
 * @L4LB_BE_ATTR_TOTAL_CONNS: u64 (replies only), rows ever created
 * @L4LB_BE_ATTR_PKTS_IN: u64 (replies only), packets client -> backend
 * @L4LB_BE_ATTR_PKTS_OUT: u64 (replies only), packets backend -> client
 * @L4LB_BE_ATTR_BYTES_IN: u64 (replies only), IP bytes client -> backend
 * @L4LB_BE_ATTR_BYTES_OUT: u64 (replies only), IP bytes backend -> client
 * @L4LB_BE_ATTR_WEIGHT_PCT: u32, 0..L4LB_WEIGHT_PCT_MAX, percent of WEIGHT
 *	the schedulers use; default L4LB_WEIGHT_PCT_DEFAULT (100). A load
 *	feedback agent (l4lb-health's agent checks) sets it, so that WEIGHT
 *	stays the configured base and 100 restores it. Re-adding a draining
 *	backend without it resets it to 100.
 * @L4LB_BE_ATTR_WEIGHT_EFF: u32 (replies only), the effective weight the
 *	schedulers use: WEIGHT * WEIGHT_PCT / 100 rounded down, but at least 1
 *	unless WEIGHT or WEIGHT_PCT is 0, and at most L4LB_WEIGHT_MAX
 * @L4LB_BE_ATTR_ADDR6: binary struct in6_addr, backend address of an
 *	AF_INET6 service. Not unspecified, multicast or v4-mapped (-EINVAL);
 *	a link-local backend is refused too (-EINVAL, it would need a scope)
 */
enum l4lb_be_attr {
	L4LB_BE_ATTR_UNSPEC,
	L4LB_BE_ATTR_PAD,
	L4LB_BE_ATTR_AF,
	L4LB_BE_ATTR_ADDR,
	L4LB_BE_ATTR_PORT,
	L4LB_BE_ATTR_WEIGHT,
	L4LB_BE_ATTR_STATE,
	L4LB_BE_ATTR_REMOVED,
	L4LB_BE_ATTR_ACTIVE_CONNS,
	L4LB_BE_ATTR_INACTIVE_CONNS,
	L4LB_BE_ATTR_TOTAL_CONNS,
	L4LB_BE_ATTR_PKTS_IN,
	L4LB_BE_ATTR_PKTS_OUT,
	L4LB_BE_ATTR_BYTES_IN,
	L4LB_BE_ATTR_BYTES_OUT,
	L4LB_BE_ATTR_WEIGHT_PCT,
	L4LB_BE_ATTR_WEIGHT_EFF,
	L4LB_BE_ATTR_ADDR6,

	__L4LB_BE_ATTR_MAX,
};

#define L4LB_BE_ATTR_MAX (__L4LB_BE_ATTR_MAX - 1)

/**
 * enum l4lb_conn_state - state of a NAT table row
 * @L4LB_CONN_NONE: unused
 * @L4LB_CONN_SYN_SENT: TCP, client SYN forwarded
 * @L4LB_CONN_SYN_RECV: TCP, backend SYN-ACK seen
 * @L4LB_CONN_ESTABLISHED: TCP, handshake completed
 * @L4LB_CONN_FIN_WAIT: TCP, FIN seen from the client
 * @L4LB_CONN_CLOSE_WAIT: TCP, FIN seen from the backend
 * @L4LB_CONN_LAST_ACK: TCP, FIN seen from both, waiting for the last ACK
 * @L4LB_CONN_TIME_WAIT: TCP, closed both ways; lingers for the close timeout
 * @L4LB_CONN_CLOSE: TCP, RST seen; lingers for the close timeout
 * @L4LB_CONN_UDP: UDP flow confirmed: the client sent after a reply
 * @L4LB_CONN_PERSIST: a persistence template, not a connection: new
 *	connections from CLIENT_ADDR to VIP_ADDR:VIP_PORT go to BACKEND while
 *	it lives. Its PROTO is 0, its CLIENT_PORT 0 and its LOCAL address and
 *	port 0.
 * @L4LB_CONN_UDP_UNREPLIED: UDP flow not confirmed yet: the backend has
 *	not answered, or the client has not sent again since it did. The
 *	client's first datagram after a reply makes it UDP. Counted as
 *	half-open, like SYN_SENT and SYN_RECV (see L4LB_STATS_ATTR_HALF_OPEN).
 */
enum l4lb_conn_state {
	L4LB_CONN_NONE,
	L4LB_CONN_SYN_SENT,
	L4LB_CONN_SYN_RECV,
	L4LB_CONN_ESTABLISHED,
	L4LB_CONN_FIN_WAIT,
	L4LB_CONN_CLOSE_WAIT,
	L4LB_CONN_LAST_ACK,
	L4LB_CONN_TIME_WAIT,
	L4LB_CONN_CLOSE,
	L4LB_CONN_UDP,
	L4LB_CONN_PERSIST,
	L4LB_CONN_UDP_UNREPLIED,

	__L4LB_CONN_STATE_MAX,
};

#define L4LB_CONN_STATE_MAX (__L4LB_CONN_STATE_MAX - 1)

/**
 * L4LB_CONN_STATE_NAMES - initializer of a name table indexed by
 * enum l4lb_conn_state: the names /proc/net/l4lb/nat and l4lbctl print.
 * Use as: static const char * const names[] = L4LB_CONN_STATE_NAMES;
 */
#define L4LB_CONN_STATE_NAMES {				\
	[L4LB_CONN_NONE]	= "NONE",		\
	[L4LB_CONN_SYN_SENT]	= "SYN_SENT",		\
	[L4LB_CONN_SYN_RECV]	= "SYN_RECV",		\
	[L4LB_CONN_ESTABLISHED]	= "ESTABLISHED",	\
	[L4LB_CONN_FIN_WAIT]	= "FIN_WAIT",		\
	[L4LB_CONN_CLOSE_WAIT]	= "CLOSE_WAIT",		\
	[L4LB_CONN_LAST_ACK]	= "LAST_ACK",		\
	[L4LB_CONN_TIME_WAIT]	= "TIME_WAIT",		\
	[L4LB_CONN_CLOSE]	= "CLOSE",		\
	[L4LB_CONN_UDP]		= "UDP",		\
	[L4LB_CONN_PERSIST]	= "PERSIST",		\
	[L4LB_CONN_UDP_UNREPLIED] = "UDP_UNREPLIED",	\
}

/**
 * enum l4lb_conn_attr - attributes of a NAT table row (replies only)
 * @L4LB_CONN_ATTR_UNSPEC: unused
 * @L4LB_CONN_ATTR_PAD: padding
 * @L4LB_CONN_ATTR_PROTO: u8, IPPROTO_TCP or IPPROTO_UDP
 * @L4LB_CONN_ATTR_CLIENT_ADDR: be32
 * @L4LB_CONN_ATTR_CLIENT_PORT: be16
 * @L4LB_CONN_ATTR_VIP_ADDR: be32
 * @L4LB_CONN_ATTR_VIP_PORT: be16
 * @L4LB_CONN_ATTR_LOCAL_ADDR: be32, the SNAT address the backend sees
 * @L4LB_CONN_ATTR_LOCAL_PORT: be16, the SNAT port the backend sees
 * @L4LB_CONN_ATTR_BACKEND_ADDR: be32
 * @L4LB_CONN_ATTR_BACKEND_PORT: be16
 * @L4LB_CONN_ATTR_STATE: u8, enum l4lb_conn_state
 * @L4LB_CONN_ATTR_EXPIRES: u32, seconds until the row expires if idle
 * @L4LB_CONN_ATTR_AF: u16, AF_INET or AF_INET6: a row of an AF_INET6
 *	service carries the four *_ADDR6 attributes in place of the *_ADDR
 * @L4LB_CONN_ATTR_CLIENT_ADDR6: binary struct in6_addr
 * @L4LB_CONN_ATTR_VIP_ADDR6: binary struct in6_addr
 * @L4LB_CONN_ATTR_LOCAL_ADDR6: binary struct in6_addr
 * @L4LB_CONN_ATTR_BACKEND_ADDR6: binary struct in6_addr
 */
enum l4lb_conn_attr {
	L4LB_CONN_ATTR_UNSPEC,
	L4LB_CONN_ATTR_PAD,
	L4LB_CONN_ATTR_PROTO,
	L4LB_CONN_ATTR_CLIENT_ADDR,
	L4LB_CONN_ATTR_CLIENT_PORT,
	L4LB_CONN_ATTR_VIP_ADDR,
	L4LB_CONN_ATTR_VIP_PORT,
	L4LB_CONN_ATTR_LOCAL_ADDR,
	L4LB_CONN_ATTR_LOCAL_PORT,
	L4LB_CONN_ATTR_BACKEND_ADDR,
	L4LB_CONN_ATTR_BACKEND_PORT,
	L4LB_CONN_ATTR_STATE,
	L4LB_CONN_ATTR_EXPIRES,
	L4LB_CONN_ATTR_AF,
	L4LB_CONN_ATTR_CLIENT_ADDR6,
	L4LB_CONN_ATTR_VIP_ADDR6,
	L4LB_CONN_ATTR_LOCAL_ADDR6,
	L4LB_CONN_ATTR_BACKEND_ADDR6,

	__L4LB_CONN_ATTR_MAX,
};

#define L4LB_CONN_ATTR_MAX (__L4LB_CONN_ATTR_MAX - 1)

/**
 * enum l4lb_stats_attr - global counters of a namespace (replies only)
 * @L4LB_STATS_ATTR_UNSPEC: unused
 * @L4LB_STATS_ATTR_PAD: padding
 * @L4LB_STATS_ATTR_CONNS: u32, current NAT table length
 * @L4LB_STATS_ATTR_CONN_MAX: u32, the table length limit, as
 *	L4LB_SVC_ATTR_CONN_MAX
 * @L4LB_STATS_ATTR_CONNS_CREATED: u64, rows created
 * @L4LB_STATS_ATTR_DROP_NO_BACKEND: u64, new flows dropped: no usable backend
 * @L4LB_STATS_ATTR_DROP_TABLE_FULL: u64, new flows dropped: conn_max reached
 * @L4LB_STATS_ATTR_DROP_NO_MEMORY: u64, packets dropped: allocation failed
 * @L4LB_STATS_ATTR_DROP_NO_ROUTE: u64, packets dropped: no route
 * @L4LB_STATS_ATTR_DROP_NO_SNAT_PORT: u64, new flows dropped: no free
 *	SNAT port towards the chosen backend
 * @L4LB_STATS_ATTR_DROP_MALFORMED: u64, packets dropped: bad headers
 * @L4LB_STATS_ATTR_DROP_MTU: u64, packets dropped with ICMP
 *	fragmentation-needed or time-exceeded sent back
 * @L4LB_STATS_ATTR_STRAY: u64, TCP non-SYN packets for the VIP with no row;
 *	passed to the stack unchanged (a local VIP answers with RST). Those
 *	sent to peers count in PEER_SENT instead; those from a peer in
 *	PEER_MISS; those that could not be sent as drops (DROP_MTU,
 *	DROP_NO_MEMORY, DROP_NO_ROUTE)
 * @L4LB_STATS_ATTR_FRAGMENTS: u64, IP fragments seen (passed unchanged;
 *	l4lb enables defragmentation so this stays 0 unless disabled)
 * @L4LB_STATS_ATTR_ICMP_TRANSLATED: u64, ICMP errors about a row's packets
 *	translated and passed on to the other side
 * @L4LB_STATS_ATTR_DROP_SYN_LIMIT: u64, new flows dropped because the
 *	half-open rows reached the syn_max limit: TCP SYNs (a SYN flood, most
 *	likely) and first datagrams of UDP flows
 * @L4LB_STATS_ATTR_HALF_OPEN: u32, current half-open rows: TCP rows whose
 *	handshake has not completed (SYN_SENT, SYN_RECV) and UDP rows not
 *	confirmed yet (UDP_UNREPLIED)
 * @L4LB_STATS_ATTR_RST_IGNORED: u64, TCP RSTs whose sequence number is
 *	outside the receiver's window (RFC 5961): passed on, but their row
 *	lives on
 * @L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED: u64, unconfirmed rows (a TCP
 *	handshake the client never completed, an unconfirmed UDP flow) whose
 *	SNAT port a new connection took because every port probed was taken:
 *	a flood of spoofed sources, most likely
 * @L4LB_STATS_ATTR_RECLAIM_CLOSED: u64, closed TCP rows (TIME_WAIT, CLOSE)
 *	whose SNAT port a new connection took before their linger ended
 * @L4LB_STATS_ATTR_RESETS_SENT: u64, RSTs the balancer sent to a backend
 *	to end its socket on a reclaimed tuple (a request socket, or its
 *	TIME_WAIT after it closed first)
 * @L4LB_STATS_ATTR_TOA_NO_ROOM: u64, segments of a TOA service that should
 *	have carried the TOA option but had no room for it (TCP options full,
 *	or the route's MTU reached): sent without it
 * @L4LB_STATS_ATTR_PROXY_SYN_DATA: u64, SYNs to a PROXY protocol service
 *	whose data (TCP Fast Open) was dropped, so that the header comes
 *	first in the stream; the client sends the data again after the
 *	handshake
 * @L4LB_STATS_ATTR_PEER_SENT: u64, TCP segments with no row sent to the
 *	service's peers (L4LB_SVC_ATTR_PEERS), counted once per segment
 * @L4LB_STATS_ATTR_PEER_MISS: u64, TCP segments that came in on an IPIP
 *	device for a VIP with peers and had no row here either: dropped
 * @L4LB_STATS_ATTR_GC_RUNS: u64, runs of the namespace's expiry worker
 *	(expiry of rows, reaping of drained backends)
 * @L4LB_STATS_ATTR_GC_NSECS: u64, nanoseconds the expiry worker took, from
 *	the start to the end of each run, summed: its CPU time, plus any time
 *	it was preempted or waited for the control plane's lock
 */
enum l4lb_stats_attr {
	L4LB_STATS_ATTR_UNSPEC,
	L4LB_STATS_ATTR_PAD,
	L4LB_STATS_ATTR_CONNS,
	L4LB_STATS_ATTR_CONN_MAX,
	L4LB_STATS_ATTR_CONNS_CREATED,
	L4LB_STATS_ATTR_DROP_NO_BACKEND,
	L4LB_STATS_ATTR_DROP_TABLE_FULL,
	L4LB_STATS_ATTR_DROP_NO_MEMORY,
	L4LB_STATS_ATTR_DROP_NO_ROUTE,
	L4LB_STATS_ATTR_DROP_NO_SNAT_PORT,
	L4LB_STATS_ATTR_DROP_MALFORMED,
	L4LB_STATS_ATTR_DROP_MTU,
	L4LB_STATS_ATTR_STRAY,
	L4LB_STATS_ATTR_FRAGMENTS,
	L4LB_STATS_ATTR_ICMP_TRANSLATED,
	L4LB_STATS_ATTR_DROP_SYN_LIMIT,
	L4LB_STATS_ATTR_HALF_OPEN,
	L4LB_STATS_ATTR_RST_IGNORED,
	L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED,
	L4LB_STATS_ATTR_RECLAIM_CLOSED,
	L4LB_STATS_ATTR_RESETS_SENT,
	L4LB_STATS_ATTR_TOA_NO_ROOM,
	L4LB_STATS_ATTR_PROXY_SYN_DATA,
	L4LB_STATS_ATTR_PEER_SENT,
	L4LB_STATS_ATTR_PEER_MISS,
	L4LB_STATS_ATTR_GC_RUNS,
	L4LB_STATS_ATTR_GC_NSECS,

	__L4LB_STATS_ATTR_MAX,
};

#define L4LB_STATS_ATTR_MAX (__L4LB_STATS_ATTR_MAX - 1)

#endif /* _UAPI_L4LB_H */
