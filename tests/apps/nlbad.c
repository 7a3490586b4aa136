// SPDX-License-Identifier: GPL-2.0
/*
 * nlbad [CASE] - send malformed requests to the "l4lb" generic netlink family.
 *
 * l4lbctl only ever builds well-formed requests, so these are built by hand:
 * each case below breaks exactly one rule of the family's ABI
 * (include/uapi/l4lb.h) or of generic netlink itself, in a request that
 * would otherwise be valid and, where it can, would visibly change the
 * reference service (10.0.0.1:20000/tcp, backends 10.0.1.1:10000,
 * 10.0.2.1:10001, 10.0.3.1:10002), or create an IPv6 service, if the
 * kernel let it through. Each
 * request carries NLM_F_REQUEST | NLM_F_ACK; the socket has
 * NETLINK_EXT_ACK and NETLINK_CAP_ACK set, so the kernel's answer is an
 * NLMSG_ERROR with the errno and, if the kernel gave one, the extended ACK
 * message (NLMSGERR_ATTR_MSG).
 *
 * The first case, "valid", breaks nothing and must be accepted.
 *
 * For each case it prints one line:
 *
 *	case NAME errno E msg "MESSAGE"
 *
 * E is the positive errno of the answer (0: the request was accepted) and
 * MESSAGE the extended ACK message (empty if there was none).
 *
 * Without an argument every case runs, in the order of the table below;
 * with one, only the case of that name. Exit status: 0 if every case got
 * an answer, 1 if the family is missing or a case got none (socket error
 * or no answer within 5 seconds), 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

/* The reference service of the VM tests (tests/vm/lib/common.sh). */
#define REF_VIP		"10.0.0.1"
#define REF_PORT	20000
#define REF_BE1		"10.0.1.1"
#define REF_BE1_PORT	10000
/* A backend that is not there: adding it would show in `l4lbctl list`. */
#define NEW_BE		"10.0.9.9"
#define NEW_BE_PORT	80

/* Seconds to wait for the kernel's answer to one request. */
#define ANSWER_TIMEOUT	5

/* One netlink socket and what a request needs to be sent on it. */
struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;	/* id of "l4lb" */
};

/* The kernel's answer to one request. */
struct answer {
	int err;		/* positive errno, 0 if acked */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
};

/* Called for each data message of the answer (not for the ACK). */
typedef void (*data_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Start a generic netlink request of family @type, command @cmd in @buf:
 * NLM_F_REQUEST | NLM_F_ACK, the next sequence number, reserved field 0.
 */
static struct nlmsghdr *req_start(struct nl *nl, char *buf, uint16_t type,
				  uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	genl->reserved = 0;
	return nlh;
}

/* Keep the NLMSGERR_ATTR_MSG of an ACK's TLVs in the struct answer @data. */
static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct answer *ans = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(ans->msg, sizeof(ans->msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/*
 * Read an NLMSG_ERROR message into @ans. Its TLVs follow struct nlmsgerr,
 * and the request's payload first unless the kernel capped it.
 */
static int read_ack(const struct nlmsghdr *nlh, struct answer *ans)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -1;
	ans->err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += MNL_ALIGN(mnl_nlmsg_get_payload_len(&e->msg));
	if (off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, off, ack_attr_cb, ans);
	return 0;
}

/*
 * Send the request @nlh and read until its ACK; data messages of the answer
 * go to @cb (if not NULL). Returns 0 with the ACK in @ans, or -1 if there
 * was no answer (a message is printed).
 */
static int transact(struct nl *nl, const struct nlmsghdr *nlh,
		    data_cb cb, void *arg, struct answer *ans)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq;

	memset(ans, 0, sizeof(*ans));
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		perror("nlbad: send");
		return -1;
	}
	for (;;) {
		const struct nlmsghdr *r;
		ssize_t n;
		int len;

		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			perror(errno == EAGAIN ? "nlbad: no answer" : "nlbad: recv");
			return -1;
		}
		len = (int)n;
		for (r = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			/* Not the answer to this request. */
			if (!mnl_nlmsg_seq_ok(r, seq) ||
			    !mnl_nlmsg_portid_ok(r, nl->portid))
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				if (read_ack(r, ans)) {
					fprintf(stderr, "nlbad: short NLMSG_ERROR\n");
					return -1;
				}
				return 0;
			}
			if (cb && r->nlmsg_type >= NLMSG_MIN_TYPE)
				cb(r, arg);
		}
	}
}

/* ------------------------------------------------- family lookup ---- */

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static void family_cb(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, arg);
}

/* Find the id of the "l4lb" family with nlctrl's CTRL_CMD_GETFAMILY. */
static int family_resolve(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct answer ans;

	nlh = req_start(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, L4LB_GENL_NAME);
	nl->family = 0;
	if (transact(nl, nlh, family_cb, &nl->family, &ans))
		return -1;
	if (ans.err || !nl->family) {
		fprintf(stderr, "nlbad: generic netlink family \"%s\" not found: %s\n",
			L4LB_GENL_NAME, ans.err ? strerror(ans.err) : "no id");
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------- cases ---- */

static uint32_t addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* A service selector naming the reference service, with no settings. */
static void put_ref_service(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, addr(REF_VIP));
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(REF_PORT));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
}

/* A backend nest with address and port only. */
static void put_backend(struct nlmsghdr *nlh, const char *a, uint16_t port)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, addr(a));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(port));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * reserved: the genetlink header's reserved byte must be 0. The family sets
 * resv_start_op = 0, so genetlink checks it for every command, STATS_GET
 * included, before the family sees the request.
 */
static void case_reserved(struct nlmsghdr *nlh)
{
	struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	genl->reserved = 1;
}

/*
 * valid: a well-formed STATS_GET, built like every other case, is accepted
 * (errno 0): the control, showing that each refusal comes from the one rule
 * its case breaks.
 * unknown_cmd: a command the family does not have (cmd 200, in the table).
 * Both send the request as req_start() built it.
 */
static void case_as_is(struct nlmsghdr *nlh)
{
	(void)nlh;
}

/*
 * unknown_attr: strict validation refuses a top-level attribute type above
 * L4LB_ATTR_MAX, in a BACKEND_ADD that would otherwise add NEW_BE.
 */
static void case_unknown_attr(struct nlmsghdr *nlh)
{
	put_backend(nlh, NEW_BE, NEW_BE_PORT);
	mnl_attr_put_u32(nlh, 99, 0);
}

/*
 * short_vip: an NLA_BE32 attribute of 2 bytes, inside the service nest of
 * a SERVICE_SET that would otherwise set TIMEOUT_TCP to 1234: the nest's
 * policy is checked along with the top level's.
 */
static void case_short_vip(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_VIP, 0x0a00);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(REF_PORT));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	mnl_attr_nest_end(nlh, nest);
}

/* bad_proto: a selector with protocol 47 (GRE), which no service can have. */
static void case_bad_proto(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, addr(REF_VIP));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, 47);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * zero_port: a selector with port 0 is an error, not a wildcard (an absent
 * port is the wildcard); the BACKEND_ADD would otherwise add NEW_BE.
 */
static void case_zero_port(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, addr(REF_VIP));
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, 0);
	mnl_attr_nest_end(nlh, nest);
	put_backend(nlh, NEW_BE, NEW_BE_PORT);
}

/*
 * reply_only: ACTIVE_CONNS is a reply attribute (NLA_REJECT in requests);
 * the BACKEND_SET would otherwise set be1's weight to 7.
 */
static void case_reply_only(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, addr(REF_BE1));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(REF_BE1_PORT));
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, 7);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ACTIVE_CONNS, 0);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * long_sched: a NUL-terminated scheduler name of 40 bytes, longer than
 * L4LB_SCHED_NAME_MAX; with a TIMEOUT_TCP change that must not happen.
 */
static void case_long_sched(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	char name[40];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	put_ref_service(nlh);
	mnl_attr_put(nlh, L4LB_SVC_ATTR_SCHED, sizeof(name), name);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * unterminated_sched: "wrr" without its NUL (NLA_NUL_STRING needs one). Read
 * as a string it would be a valid scheduler, and the service would switch
 * from rr to wrr.
 */
static void case_unterminated_sched(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	put_ref_service(nlh);
	mnl_attr_put(nlh, L4LB_SVC_ATTR_SCHED, 3, "wrr");
	mnl_attr_nest_end(nlh, nest);
}

/*
 * bad_flags: a flag bit l4lb does not define (mask policy), on a
 * BACKEND_DEL that would otherwise start draining be1.
 */
static void case_bad_flags(struct nlmsghdr *nlh)
{
	put_backend(nlh, REF_BE1, REF_BE1_PORT);
	mnl_attr_put_u32(nlh, L4LB_ATTR_FLAGS, 0x80);
}

/* missing_backend: BACKEND_ADD with a selector but no backend nest. */
static void case_missing_backend(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, addr(REF_VIP));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * af6: a SERVICE_SET naming AF_INET6 with the reference service's IPv4 VIP
 * is refused rather than read as IPv4 (it would otherwise set TIMEOUT_TCP
 * to 1234): an AF_INET6 service has VIP6.
 */
static void case_af6(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, AF_INET6);
	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	mnl_attr_nest_end(nlh, nest);
}

/* af_unix: a family other than AF_INET and AF_INET6 (-EAFNOSUPPORT). */
static void case_af_unix(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, AF_UNIX);
	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * trunc: nlmsg_len covers only 2 bytes of the 4-byte genetlink header (cmd
 * and version). Only those 18 bytes are sent.
 */
static void case_trunc(struct nlmsghdr *nlh)
{
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
}

/* lb's address on be1's link: local, so a valid SNAT pool address. */
#define LB_BE1_SIDE	"10.0.1.254"

/*
 * A SERVICE_SET of the reference service with TIMEOUT_TCP 1234 and the
 * nest @list (e.g. L4LB_SVC_ATTR_SNAT_POOL) of @n u32 attributes of type
 * @item, @vals in order (as given: addresses in network order). The
 * timeout would show in `l4lbctl -j service` if the kernel took it.
 */
static void put_ref_list(struct nlmsghdr *nlh, uint16_t list, uint16_t item,
			 const uint32_t *vals, unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *inner;
	unsigned int i;

	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	inner = mnl_attr_nest_start(nlh, list);
	for (i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, item, vals[i]);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * put_ref_list() with the SNAT_POOL nest @addrs (@n of them, at most
 * L4LB_SNAT_POOL_MAX; dotted quads).
 */
static void put_ref_pool(struct nlmsghdr *nlh, const char *const *addrs,
			 unsigned int n)
{
	uint32_t v[L4LB_SNAT_POOL_MAX];
	unsigned int i;

	for (i = 0; i < n && i < L4LB_SNAT_POOL_MAX; i++)
		v[i] = addr(addrs[i]);
	put_ref_list(nlh, L4LB_SVC_ATTR_SNAT_POOL, L4LB_SNAT_ATTR_ADDR, v, i);
}

/* snat_twice: a SNAT pool with one address twice (-EINVAL). */
static void case_snat_twice(struct nlmsghdr *nlh)
{
	static const char *const a[] = { LB_BE1_SIDE, LB_BE1_SIDE };

	put_ref_pool(nlh, a, 2);
}

/* snat_too_many: 65 addresses, one more than L4LB_SNAT_POOL_MAX (-E2BIG). */
static void case_snat_too_many(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool;
	unsigned int i;

	put_ref_service(nlh);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i <= L4LB_SNAT_POOL_MAX; i++)
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR,
				 htonl(0x0a000100 + i));	/* 10.0.1.x */
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * snat_not_local: the second address of the pool is no address of lb's
 * (-EADDRNOTAVAIL); the kernel points at it.
 */
static void case_snat_not_local(struct nlmsghdr *nlh)
{
	static const char *const a[] = { LB_BE1_SIDE, "10.9.9.9" };

	put_ref_pool(nlh, a, 2);
}

/* snat_both: SNAT_ADDR and SNAT_POOL in one request (-EINVAL). */
static void case_snat_both(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool;

	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, addr(LB_BE1_SIDE));
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, addr(LB_BE1_SIDE));
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * snat_reply_only: PORTS_IN_USE, a reply attribute, inside a request's
 * SNAT pool (NLA_REJECT in the nest's policy).
 */
static void case_snat_reply_only(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool;

	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, addr(LB_BE1_SIDE));
	mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE, 1);
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * put_ref_list() with the PEERS nest of @n addresses from @first up (host
 * order), @dup of them again at the end; @n + @dup at most
 * 2 * L4LB_PEERS_MAX.
 */
static void put_ref_peers(struct nlmsghdr *nlh, uint32_t first,
			  unsigned int n, unsigned int dup)
{
	uint32_t v[2 * L4LB_PEERS_MAX];
	unsigned int i, k = 0;

	for (i = 0; i < n && k < 2 * L4LB_PEERS_MAX; i++)
		v[k++] = htonl(first + i);
	for (i = 0; i < dup && k < 2 * L4LB_PEERS_MAX; i++)
		v[k++] = htonl(first + i);
	put_ref_list(nlh, L4LB_SVC_ATTR_PEERS, L4LB_PEER_ATTR_ADDR, v, k);
}

/* peers_twice: 10.9.0.1 twice among the peers (-EINVAL). */
static void case_peers_twice(struct nlmsghdr *nlh)
{
	put_ref_peers(nlh, 0x0a090001, 2, 1);
}

/* peers_too_many: 17 peers, one more than L4LB_PEERS_MAX (-E2BIG). */
static void case_peers_too_many(struct nlmsghdr *nlh)
{
	put_ref_peers(nlh, 0x0a090001, L4LB_PEERS_MAX + 1, 0);
}

/* peers_multicast: 224.0.0.1 as a peer (-EINVAL). */
static void case_peers_multicast(struct nlmsghdr *nlh)
{
	put_ref_peers(nlh, 0xe0000001, 1, 0);
}

/* ------------------------------------------------ IPv6 (issue #18) -- */

/* A v6 service no test has: creating it would show in `l4lbctl service`. */
#define NEW_VIP6	"2001:db8::1"
/* A v6 backend address. */
#define NEW_BE6		"2001:db8:1::9"

static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/* Put a VIP6 (or any 16-byte attribute) of text @s as attribute @type. */
static void put_addr6(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct in6_addr a = addr6(s);

	mnl_attr_put(nlh, type, sizeof(a), &a);
}

/*
 * Open the service nest of a SERVICE_SET that would create the IPv6
 * service @vip port REF_PORT/tcp, with AF_INET6; the caller adds what it
 * breaks and closes the nest.
 */
static struct nlattr *put_new_svc6(struct nlmsghdr *nlh, const char *vip)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, AF_INET6);
	put_addr6(nlh, L4LB_SVC_ATTR_VIP6, vip);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(REF_PORT));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
	return nest;
}

/* vip6_short: a VIP6 of 15 bytes, not a struct in6_addr (-ERANGE). */
static void case_vip6_short(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct in6_addr a = addr6(NEW_VIP6);

	mnl_attr_put(nlh, L4LB_SVC_ATTR_VIP6, sizeof(a) - 1, &a);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(REF_PORT));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
}

/* vip6_af4: AF_INET with a VIP6: an AF_INET service has VIP (-EINVAL). */
static void case_vip6_af4(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, AF_INET);
	put_addr6(nlh, L4LB_SVC_ATTR_VIP6, NEW_VIP6);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(REF_PORT));
	mnl_attr_nest_end(nlh, nest);
}

/* vip6_linklocal: fe80::1 as a VIP, which would need a scope (-EINVAL). */
static void case_vip6_linklocal(struct nlmsghdr *nlh)
{
	mnl_attr_nest_end(nlh, put_new_svc6(nlh, "fe80::1"));
}

/* vip6_mapped: ::ffff:10.0.0.1, an IPv4 address in IPv6 form (-EINVAL). */
static void case_vip6_mapped(struct nlmsghdr *nlh)
{
	mnl_attr_nest_end(nlh, put_new_svc6(nlh, "::ffff:" REF_VIP));
}

/* v6_snat4: a new IPv6 service with an IPv4 SNAT address (-EINVAL). */
static void case_v6_snat4(struct nlmsghdr *nlh)
{
	struct nlattr *nest = put_new_svc6(nlh, NEW_VIP6);
	struct nlattr *pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);

	mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, addr(LB_BE1_SIDE));
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/* v6_snat_not_local: 2001:db8:9::9 is no address of lb's (-EADDRNOTAVAIL). */
static void case_v6_snat_not_local(struct nlmsghdr *nlh)
{
	struct nlattr *nest = put_new_svc6(nlh, NEW_VIP6);
	struct nlattr *pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);

	put_addr6(nlh, L4LB_SNAT_ATTR_ADDR6, "2001:db8:9::9");
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/* v6_peers: peers are AF_INET only: IPIP chaining (-EAFNOSUPPORT). */
static void case_v6_peers(struct nlmsghdr *nlh)
{
	struct nlattr *nest = put_new_svc6(nlh, NEW_VIP6);
	struct nlattr *peers = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);

	mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, htonl(0x0a090001));
	mnl_attr_nest_end(nlh, peers);
	mnl_attr_nest_end(nlh, nest);
}

/* v6_toa: TOA carries IPv4 addresses only (-EINVAL). */
static void case_v6_toa(struct nlmsghdr *nlh)
{
	struct nlattr *nest = put_new_svc6(nlh, NEW_VIP6);

	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR, L4LB_CLIENT_ADDR_TOA);
	mnl_attr_nest_end(nlh, nest);
}

/* snat6_on_v4: an IPv6 SNAT address in the IPv4 reference service's pool. */
static void case_snat6_on_v4(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool;

	put_ref_service(nlh);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 1234);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	put_addr6(nlh, L4LB_SNAT_ATTR_ADDR6, "2001:db8::5");
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * be6_on_v4: a BACKEND_ADD of an IPv6 backend to the IPv4 reference
 * service (-EINVAL once the service is known).
 */
static void case_be6_on_v4(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_addr6(nlh, L4LB_BE_ATTR_ADDR6, NEW_BE6);
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(NEW_BE_PORT));
	mnl_attr_nest_end(nlh, nest);
}

/* be_af_mismatch: BE_ATTR_AF AF_INET6 with an IPv4 ADDR (-EINVAL). */
static void case_be_af_mismatch(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_AF, AF_INET6);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, addr(NEW_BE));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(NEW_BE_PORT));
	mnl_attr_nest_end(nlh, nest);
}

/* be6_linklocal: fe80::9 as a backend, without a scope (-EINVAL). */
static void case_be6_linklocal(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_addr6(nlh, L4LB_BE_ATTR_ADDR6, "fe80::9");
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(NEW_BE_PORT));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * weight_pct_range: WEIGHT_PCT 257, above L4LB_WEIGHT_PCT_MAX; the
 * BACKEND_SET would otherwise set be1's weight to 7.
 */
static void case_weight_pct_range(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, addr(REF_BE1));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(REF_BE1_PORT));
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, 7);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, L4LB_WEIGHT_PCT_MAX + 1);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * weight_eff_reply_only: WEIGHT_EFF, the effective weight, is reply-only;
 * the BACKEND_SET would otherwise set be1's weight percentage to 50.
 */
static void case_weight_eff_reply_only(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, addr(REF_BE1));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(REF_BE1_PORT));
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, 50);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, 3);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * event_attr: L4LB_ATTR_EVENT is for notifications only; the BACKEND_ADD
 * would otherwise add NEW_BE.
 * event_cmd: L4LB_CMD_EVENT is a notification, never a request: the family
 * has no handler for it, so the genetlink core refuses it as it refuses
 * an unknown command. The request would otherwise add NEW_BE, were it
 * read as a BACKEND_ADD.
 */
static void case_event_attr(struct nlmsghdr *nlh)
{
	put_backend(nlh, NEW_BE, NEW_BE_PORT);
	mnl_attr_put_u8(nlh, L4LB_ATTR_EVENT, L4LB_EVENT_BACKEND_NEW);
}

static void case_event_cmd(struct nlmsghdr *nlh)
{
	put_backend(nlh, NEW_BE, NEW_BE_PORT);
}

static const struct nlbad_case {
	const char *name;
	uint8_t cmd;
	void (*build)(struct nlmsghdr *nlh);
} cases[] = {
	{ "valid",		L4LB_CMD_STATS_GET,	case_as_is },
	{ "reserved",		L4LB_CMD_STATS_GET,	case_reserved },
	{ "unknown_cmd",	200,			case_as_is },
	{ "unknown_attr",	L4LB_CMD_BACKEND_ADD,	case_unknown_attr },
	{ "short_vip",		L4LB_CMD_SERVICE_SET,	case_short_vip },
	{ "bad_proto",		L4LB_CMD_SERVICE_GET,	case_bad_proto },
	{ "zero_port",		L4LB_CMD_BACKEND_ADD,	case_zero_port },
	{ "reply_only",		L4LB_CMD_BACKEND_SET,	case_reply_only },
	{ "long_sched",		L4LB_CMD_SERVICE_SET,	case_long_sched },
	{ "unterminated_sched",	L4LB_CMD_SERVICE_SET,	case_unterminated_sched },
	{ "bad_flags",		L4LB_CMD_BACKEND_DEL,	case_bad_flags },
	{ "missing_backend",	L4LB_CMD_BACKEND_ADD,	case_missing_backend },
	{ "af6",		L4LB_CMD_SERVICE_SET,	case_af6 },
	{ "trunc",		L4LB_CMD_STATS_GET,	case_trunc },
	{ "snat_twice",		L4LB_CMD_SERVICE_SET,	case_snat_twice },
	{ "snat_too_many",	L4LB_CMD_SERVICE_SET,	case_snat_too_many },
	{ "snat_not_local",	L4LB_CMD_SERVICE_SET,	case_snat_not_local },
	{ "snat_both",		L4LB_CMD_SERVICE_SET,	case_snat_both },
	{ "snat_reply_only",	L4LB_CMD_SERVICE_SET,	case_snat_reply_only },
	{ "weight_pct_range",	L4LB_CMD_BACKEND_SET,	case_weight_pct_range },
	{ "weight_eff_reply_only", L4LB_CMD_BACKEND_SET,
	  case_weight_eff_reply_only },
	{ "event_attr",		L4LB_CMD_BACKEND_ADD,	case_event_attr },
	{ "event_cmd",		L4LB_CMD_EVENT,		case_event_cmd },
	{ "peers_twice",	L4LB_CMD_SERVICE_SET,	case_peers_twice },
	{ "peers_too_many",	L4LB_CMD_SERVICE_SET,	case_peers_too_many },
	{ "peers_multicast",	L4LB_CMD_SERVICE_SET,	case_peers_multicast },
	{ "af_unix",		L4LB_CMD_SERVICE_SET,	case_af_unix },
	{ "vip6_short",		L4LB_CMD_SERVICE_SET,	case_vip6_short },
	{ "vip6_af4",		L4LB_CMD_SERVICE_SET,	case_vip6_af4 },
	{ "vip6_linklocal",	L4LB_CMD_SERVICE_SET,	case_vip6_linklocal },
	{ "vip6_mapped",	L4LB_CMD_SERVICE_SET,	case_vip6_mapped },
	{ "v6_snat4",		L4LB_CMD_SERVICE_SET,	case_v6_snat4 },
	{ "v6_snat_not_local",	L4LB_CMD_SERVICE_SET,	case_v6_snat_not_local },
	{ "v6_peers",		L4LB_CMD_SERVICE_SET,	case_v6_peers },
	{ "v6_toa",		L4LB_CMD_SERVICE_SET,	case_v6_toa },
	{ "snat6_on_v4",	L4LB_CMD_SERVICE_SET,	case_snat6_on_v4 },
	{ "be6_on_v4",		L4LB_CMD_BACKEND_ADD,	case_be6_on_v4 },
	{ "be_af_mismatch",	L4LB_CMD_BACKEND_ADD,	case_be_af_mismatch },
	{ "be6_linklocal",	L4LB_CMD_BACKEND_ADD,	case_be6_linklocal },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* Build, send and report one case. */
static int run_case(struct nl *nl, const struct nlbad_case *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct answer ans;

	memset(buf, 0, sizeof(buf));
	nlh = req_start(nl, buf, nl->family, c->cmd, L4LB_GENL_VERSION);
	c->build(nlh);
	if (transact(nl, nlh, NULL, NULL, &ans)) {
		fprintf(stderr, "nlbad: case %s got no answer\n", c->name);
		return -1;
	}
	printf("case %s errno %d msg \"%s\"\n", c->name, ans.err, ans.msg);
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	size_t i;

	fprintf(stderr, "usage: nlbad [CASE]\ncases:");
	for (i = 0; i < N_CASES; i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT };
	const char *only = argc > 1 ? argv[1] : NULL;
	struct nl nl = { .seq = (uint32_t)time(NULL) };
	int one = 1, rc = 0, found = 0;
	size_t i;

	if (argc > 2)
		return usage();
	for (i = 0; only && i < N_CASES; i++)
		found |= !strcmp(cases[i].name, only);
	if (only && !found)
		return usage();

	nl.sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl.sock || mnl_socket_bind(nl.sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlbad: netlink socket");
		return 1;
	}
	nl.portid = mnl_socket_get_portid(nl.sock);
	if (mnl_socket_setsockopt(nl.sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl.sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv))) {
		perror("nlbad: setsockopt");
		mnl_socket_close(nl.sock);
		return 1;
	}
	if (family_resolve(&nl)) {
		mnl_socket_close(nl.sock);
		return 1;
	}
	for (i = 0; i < N_CASES; i++) {
		if (only && strcmp(cases[i].name, only))
			continue;
		if (run_case(&nl, &cases[i]))
			rc = 1;
	}
	mnl_socket_close(nl.sock);
	return rc;
}
