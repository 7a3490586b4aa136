/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msg.h - the l4lb objects as the tools see them, and their encoding into
 * and decoding from generic netlink attributes (libmnl).
 *
 * Each object records which attributes it carries in @present, one bit per
 * attribute type (ATTR_BIT(L4LB_BE_ATTR_WEIGHT), ...). A request sends only
 * the attributes whose bit is set; a decoded reply sets the bits of the
 * attributes the kernel sent and leaves the other fields 0.
 *
 * Byte order: addresses and ports stay in network byte order, exactly as
 * on the wire; everything else is host byte order.
 *
 * Addresses of either family: an object holds a struct ipaddr, whose
 * family says which attribute carries it (L4LB_SVC_ATTR_VIP or VIP6,
 * L4LB_BE_ATTR_ADDR or ADDR6, ...). In @present, the bit of the IPv4
 * attribute (ATTR_BIT(L4LB_SVC_ATTR_VIP), ...) stands for the address of
 * either family; the decoders set it for an IPv6 one too.
 */
#ifndef L4LBCTL_MSG_H
#define L4LBCTL_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <uapi/l4lb.h>

#include "parse.h"

#define ATTR_BIT(type) (1u << (type))

_Static_assert(L4LB_BE_ATTR_MAX < 32, "present bitmask too small");
_Static_assert(L4LB_SVC_ATTR_MAX < 32, "present bitmask too small");
_Static_assert(L4LB_CONN_ATTR_MAX < 32, "present bitmask too small");
_Static_assert(L4LB_STATS_ATTR_MAX < 32, "present bitmask too small");

/**
 * struct be_info - a backend (L4LB_ATTR_BACKEND nest)
 * @present: ATTR_BIT(L4LB_BE_ATTR_*) of the attributes carried
 * @ep: address and port (L4LB_BE_ATTR_ADDR or ADDR6, and PORT), network
 *	byte order
 * @weight: 0..L4LB_WEIGHT_MAX, the configured weight
 * @weight_pct: 0..L4LB_WEIGHT_PCT_MAX, percent of @weight the schedulers
 *	use; L4LB_WEIGHT_PCT_DEFAULT in a reply that lacks it (older module)
 * @weight_eff: replies only: the effective weight the schedulers use;
 *	@weight in a reply that lacks it
 * @state: enum l4lb_be_state
 * @active_conns: rows in ESTABLISHED
 * @inactive_conns: rows in other states
 * @total_conns: rows ever created
 * @pkts_in: packets client -> backend
 * @pkts_out: packets backend -> client
 * @bytes_in: IP bytes client -> backend
 * @bytes_out: IP bytes backend -> client
 * @svc: replies only: the key (VIP, PORT, PROTO) of the service the
 *	backend belongs to, from the message's L4LB_ATTR_SERVICE nest; all
 *	its fields are set. Requests name the service with msg_put_svc_sel().
 *
 * L4LB_BE_ATTR_REMOVED has no field: its @present bit is the flag.
 */
struct be_info {
	uint32_t present;
	struct ipport ep;
	uint32_t weight;
	uint32_t weight_pct;
	uint32_t weight_eff;
	uint8_t state;
	uint32_t active_conns;
	uint32_t inactive_conns;
	uint64_t total_conns;
	uint64_t pkts_in;
	uint64_t pkts_out;
	uint64_t bytes_in;
	uint64_t bytes_out;
	struct svc_sel svc;
};

/**
 * struct conn_info - a NAT table row (L4LB_ATTR_CONN nest)
 * @present: ATTR_BIT(L4LB_CONN_ATTR_*) of the attributes carried
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @client: client address and port, network byte order
 * @vip: virtual address and port, network byte order
 * @local: SNAT address and port the backend sees, network byte order
 * @backend: backend address and port, network byte order
 * @state: enum l4lb_conn_state
 * @expires: seconds until the row expires if idle
 *
 * The four addresses are of one family: L4LB_CONN_ATTR_AF, and the
 * *_ADDR6 attributes for AF_INET6.
 */
struct conn_info {
	uint32_t present;
	uint8_t proto;
	struct ipport client;
	struct ipport vip;
	struct ipport local;
	struct ipport backend;
	uint8_t state;
	uint32_t expires;
};

/**
 * struct snat_use - the rows of a service on one SNAT address
 * @addr: the address (L4LB_SNAT_ATTR_ADDR or ADDR6)
 * @ports: the service's rows that hold it (L4LB_SNAT_ATTR_PORTS_IN_USE)
 */
struct snat_use {
	struct ipaddr addr;
	uint32_t ports;
};

/**
 * struct svc_info - the virtual service (L4LB_ATTR_SERVICE nest)
 * @present: ATTR_BIT(L4LB_SVC_ATTR_*) of the attributes carried
 * @vip: virtual IP (L4LB_SVC_ATTR_VIP or VIP6); its family is the
 *	service's (L4LB_SVC_ATTR_AF)
 * @port: virtual port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @sched: scheduler name, NUL-terminated
 * @snat: the SNAT pool; empty means "auto". In requests, present as
 *	ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL). In replies, from SNAT_POOL, or
 *	from SNAT_ADDR if the kernel sent no SNAT_POOL (an older module);
 *	ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR) is set for either (an IPv6 pool
 *	comes without SNAT_ADDR)
 * @timeout: timeouts in seconds, indexed by enum l4lb_svc_attr
 *	(only the L4LB_SVC_ATTR_TIMEOUT_* slots are used)
 * @persistence: seconds, 0 disables persistence
 * @client_addr: enum l4lb_client_addr
 * @peers: the peers, L4LB_SVC_ATTR_PEERS; empty means "none" (with the
 *	@present bit: an empty nest, which empties the list)
 * @conn_max: NAT table size limit (replies only)
 * @snat_fail: connections refused for want of a SNAT address and port
 *	(replies only)
 * @nuse: entries in @use (replies only)
 * @use: the service's rows by SNAT address, L4LB_SVC_ATTR_SNAT_USAGE
 *	(replies only)
 */
struct svc_info {
	uint32_t present;
	struct ipaddr vip;
	uint16_t port;
	uint8_t proto;
	char sched[L4LB_SCHED_NAME_MAX];
	struct snat_pool snat;
	uint32_t timeout[L4LB_SVC_ATTR_MAX + 1];
	uint32_t persistence;
	uint8_t client_addr;
	struct peer_list peers;
	uint32_t conn_max;
	uint64_t snat_fail;
	unsigned int nuse;
	struct snat_use use[L4LB_SNAT_USAGE_MAX];
};

/**
 * struct stats_info - global counters (L4LB_ATTR_STATS nest)
 * @present: ATTR_BIT(L4LB_STATS_ATTR_*) of the counters carried
 * @val: counter values indexed by enum l4lb_stats_attr; the u32 ones
 *	(CONNS, CONN_MAX) are widened
 */
struct stats_info {
	uint32_t present;
	uint64_t val[L4LB_STATS_ATTR_MAX + 1];
};

/**
 * struct event_info - one L4LB_CMD_EVENT notification
 * @kind: enum l4lb_event_kind (L4LB_ATTR_EVENT)
 * @has_svc: the message has a L4LB_ATTR_SERVICE nest, decoded into @svc
 *	(settings for service events, the key alone for others)
 * @has_be: the message has a L4LB_ATTR_BACKEND nest, decoded into @be,
 *	with the key of its service in @be.svc
 * @has_stats: the message has a L4LB_ATTR_STATS nest, decoded into @st
 * @svc: the service
 * @be: the backend
 * @st: counters (TABLE_FULL: CONNS, CONN_MAX, DROP_TABLE_FULL)
 */
struct event_info {
	uint8_t kind;
	bool has_svc;
	bool has_be;
	bool has_stats;
	struct svc_info svc;
	struct be_info be;
	struct stats_info st;
};

/**
 * msg_put_backend() - append an L4LB_ATTR_BACKEND nest to a request
 * @nlh: request under construction, with room for the nest (<= 64 bytes)
 * @be: the backend; ADDR (ADDR6 for an IPv6 one), PORT, WEIGHT,
 *	WEIGHT_PCT and STATE are sent when their bit is set in @be->present;
 *	with the address, L4LB_BE_ATTR_AF, its family
 */
void msg_put_backend(struct nlmsghdr *nlh, const struct be_info *be);

/**
 * msg_put_service() - append an L4LB_ATTR_SERVICE nest to a request
 * @nlh: request under construction, with room for the nest (<= 1600
 *	bytes: an IPv6 pool of 64 addresses takes 1284)
 * @svc: the service; every settable attribute whose bit is set in
 *	@svc->present is sent: the VIP as VIP or VIP6. L4LB_SVC_ATTR_AF is
 *	sent when the request has an address, the family of the VIP, else
 *	of the SNAT pool (AF_INET for peers, which only IPv4 services
 *	have); a request without one (a change of the namespace's only
 *	service) leaves it out, to match a service of either family. An
 *	IPv4 SNAT pool (ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL)) goes as
 *	L4LB_SVC_ATTR_SNAT_ADDR when it has one address, and "auto"
 *	as SNAT_ADDR 0 for an IPv4 service, which every module version
 *	reads; any other pool goes as a SNAT_POOL nest of ADDRs or ADDR6s,
 *	"auto" as an empty one. The peers go as a PEERS nest of their ADDRs,
 *	an empty one for "none"
 */
void msg_put_service(struct nlmsghdr *nlh, const struct svc_info *svc);

/**
 * msg_put_svc_sel() - append a service selector to a request
 * @nlh: request under construction, with room for the nest (<= 36 bytes)
 * @sel: the selector; nothing is appended unless @sel->set. Otherwise an
 *	L4LB_ATTR_SERVICE nest with L4LB_SVC_ATTR_AF (the VIP's family), VIP
 *	or VIP6, and PORT and PROTO when given (address and port in network
 *	byte order)
 *
 * A request carries at most one L4LB_ATTR_SERVICE: do not combine this
 * with msg_put_service().
 */
void msg_put_svc_sel(struct nlmsghdr *nlh, const struct svc_sel *sel);

/**
 * msg_put_af_sel() - append a service selector that names a family only
 * @nlh: request under construction, with room for the nest (<= 12 bytes)
 * @af: AF_INET or AF_INET6
 *
 * An L4LB_ATTR_SERVICE nest with L4LB_SVC_ATTR_AF alone: it matches the
 * services of that family, so a backend request without a selector acts
 * on the only service of the backend's family. Not with msg_put_service()
 * or msg_put_svc_sel().
 */
void msg_put_af_sel(struct nlmsghdr *nlh, uint16_t af);

/**
 * msg_put_flags() - append L4LB_ATTR_FLAGS to a request
 * @nlh: request under construction
 * @flags: bitmask of enum l4lb_flags
 */
void msg_put_flags(struct nlmsghdr *nlh, uint32_t flags);

/*
 * The decoders below take one generic netlink reply (nlmsghdr, then
 * genlmsghdr, then attributes), find the nest they are named after and
 * fill the object. Attributes are checked with mnl_attr_validate() against
 * the type the header gives them, strings must be NUL-terminated and fit
 * their buffer; attribute types newer than this header are ignored.
 *
 * Return: 0, or -1 with errno set: EBADMSG if the nest or a required
 * attribute is missing, ERANGE/EINVAL if an attribute has the wrong size
 * or an unterminated string.
 */

/**
 * msg_get_backend() - decode L4LB_ATTR_BACKEND (ADDR or ADDR6, and PORT
 * required) and the key of its service from L4LB_ATTR_SERVICE (the nest,
 * and its VIP or VIP6, PORT and PROTO, required)
 */
int msg_get_backend(const struct nlmsghdr *nlh, struct be_info *be);
/**
 * msg_get_conn() - decode L4LB_ATTR_CONN; the four addresses and ports
 * required: the *_ADDR6 ones if L4LB_CONN_ATTR_AF is AF_INET6, else the
 * *_ADDR ones
 */
int msg_get_conn(const struct nlmsghdr *nlh, struct conn_info *conn);
/**
 * msg_get_service() - decode L4LB_ATTR_SERVICE; nothing required. The
 * nests SNAT_POOL (ADDRs or ADDR6s), SNAT_USAGE (entries of ADDR or ADDR6
 * and PORTS_IN_USE) and PEERS (addresses) are checked like the rest:
 * EBADMSG for more entries than the header allows, an entry without its
 * address, or addresses of both families in one pool
 */
int msg_get_service(const struct nlmsghdr *nlh, struct svc_info *svc);
/** msg_get_stats() - decode L4LB_ATTR_STATS; nothing required */
int msg_get_stats(const struct nlmsghdr *nlh, struct stats_info *st);
/**
 * msg_get_event() - decode a L4LB_CMD_EVENT: L4LB_ATTR_EVENT (required),
 * then each nest it has, as the decoders above do (a backend needs its
 * service's key). The command in the genetlink header is not checked.
 */
int msg_get_event(const struct nlmsghdr *nlh, struct event_info *ev);

#endif /* L4LBCTL_MSG_H */
