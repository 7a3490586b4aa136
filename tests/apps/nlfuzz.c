// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz [-n COUNT] [-s SEED] [-j WORKERS] [-p SECS] - random and mutated requests to
 * the "l4lb" generic netlink family (include/uapi/l4lb.h).
 *
 * Each request is built valid-looking for one of the family's commands,
 * from small pools of values so that requests meet each other's objects:
 * services on 10.0.0.1 (the reference service) and 10.9.0.1-3, ports
 * 20000-20001, TCP or UDP; backends 10.0.1.1, 10.0.2.1, 10.0.3.1,
 * 10.0.9.1-32. Now and then a value is out of range or an attribute has
 * the wrong length or type. About half of the requests are then mutated
 * one to three times: an attribute's type or length, a nest of garbage,
 * nests 24 deep, truncation (mostly inside a nest) or a length longer than
 * sent, thousands of attributes up to and past the socket buffer, random
 * netlink flags, random genetlink command, version and reserved byte,
 * flipped bits, a random payload. Besides, dumps (of services, backends or
 * rows) are started on a second socket, one part read, changes sent on
 * either socket, the rest read; and services of 10.9.0.1-3 are created,
 * given backends and deleted (churn) while other requests name them: with
 * -j 2 or more, worker 0 spends a quarter of its requests on churn.
 *
 * Sockets have NETLINK_EXT_ACK, NETLINK_CAP_ACK and SO_RCVTIMEO (5 s).
 * After each request the answers are drained: if the kernel owes one
 * (NLM_F_ACK, or a dump), until that request's NLMSG_ERROR or NLMSG_DONE;
 * else whatever is queued (genetlink answers before send() returns).
 * Replies must be well-formed TLVs without a negative connection counter.
 *
 * Prints "nlfuzz: seed S, N messages, J workers"; at the end
 *   nlfuzz: sent N, acked N, errors N (EINVAL n, ...), dumps N, quiet N, overruns N
 *   nlfuzz: T s, R messages/s
 * acked and errors count answers by errno (errors also send()'s EMSGSIZE
 * past the socket buffer), dumps the NLMSG_DONEs, quiet the requests that
 * owed no answer, overruns recv()'s ENOBUFS. Exit status 0; 1 if the
 * family vanished, an answer owed did not come, a reply was malformed or
 * had a negative counter, or send() or recv() failed otherwise (stderr
 * says which, and the request); 2 on a usage error.
 *
 * With -p SECS, every SECS seconds "nlfuzz: N of COUNT sent after T s" too,
 * so that a run stopped from outside still says how far it came.
 *
 * The workers take their requests from the one COUNT as they go, so the
 * slower churner does not hold the run up at its end.
 *
 * To reproduce a run: nlfuzz -n COUNT -s SEED -j WORKERS sends the same
 * kinds of requests (worker k draws from SEED + k; how many each sends
 * depends on their speeds). The answers also depend on the state, on
 * traffic and on how workers interleave: with -j 1 on a quiet namespace a
 * run repeats exactly.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#define ANSWER_TIMEOUT	5		/* seconds for an answer owed */
#define REQ_SIZE	(256 * 1024)	/* largest request: past the sndbuf */
#define RECV_SIZE	8192		/* small dump parts */
#define NEST_MAX	65000		/* nla_len has 16 bits */
#define N_ERRNO		256		/* the last counts the others */

struct tally {
	unsigned long sent, acked, errors, dumps, quiet, overruns;
	unsigned long by_errno[N_ERRNO];
	int failed;
};

struct nl {
	struct mnl_socket *sock;
	int fd;
	unsigned int portid;
	uint32_t seq;
	uint32_t dump_seq;	/* dump in progress on this socket, or 0 */
	int dump_done;
};

enum { QUEUED, TO_END, ONE_PART };	/* how drain() reads */

static uint16_t family;
static struct tally *T;		/* this worker's */
static unsigned long limit;	/* requests all workers send */
static unsigned long *issued;	/* of them taken so far, shared */
static int worker;
static uint64_t rng;
static int mutate;		/* the request being built may be malformed */
static char req[REQ_SIZE];
static char what[128];		/* the request, for a failure's message */

/* Take one request of the run's count; false when all are taken. */
static int take(void)
{
	return __atomic_fetch_add(issued, 1, __ATOMIC_RELAXED) < limit;
}

static int taken_all(void)
{
	return __atomic_load_n(issued, __ATOMIC_RELAXED) >= limit;
}

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }
static int chance(int pct) { return below(100) < (uint32_t)pct; }

#define PICK(a) (a[below(sizeof(a) / sizeof(a[0]))])

static void random_bytes(void *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((unsigned char *)p)[i] = rnd();
}

static void fail(const char *why, const char *arg)
{
	fprintf(stderr, "nlfuzz: worker %d: %s%s (request %lu: %s)\n",
		worker, why, arg, T->sent, what);
	T->failed = 1;
}

/* ---------------------------------------------------------- building ---- */

static const uint32_t vips[] = { 0x0a000001, 0x0a090001, 0x0a090002, 0x0a090003 };
static const uint16_t vports[] = { 20000, 20001 };
static const uint32_t be_addrs[] = { 0x0a000101, 0x0a000201, 0x0a000301 };
static const uint16_t be_ports[] = { 10000, 10001, 10002, 80 };
static const char *const scheds[] = { "rr", "wrr", "lc", "wlc", "mh", "xyz", "",
				      "a-scheduler-name-too-long" };

static uint32_t r_vip(void) { return htonl(chance(2) ? (uint32_t)rnd() : PICK(vips)); }
static uint16_t r_vport(void) { return htons(chance(2) ? below(3) : PICK(vports)); }
static uint8_t r_proto(void) { return chance(3) ? rnd() : chance(50) ? 6 : 17; }

static uint32_t r_be_addr(void)
{
	if (chance(2))
		return rnd();
	return htonl(chance(50) ? PICK(be_addrs) : 0x0a000900 + 1 + below(32));
}

/* Attribute @type, @len bytes at @data; in a request that may be
 * malformed, now and then 0-9 random bytes instead, or another type.
 */
static void put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	unsigned char junk[9];

	if (mutate && chance(3)) {
		len = below(sizeof(junk) + 1);
		random_bytes(junk, len);
		data = junk;
	}
	if (mutate && chance(2))
		type = below(20) | (chance(20) ? NLA_F_NESTED : 0);
	mnl_attr_put_check(nlh, REQ_SIZE, type, len, data);
}

static void put32(struct nlmsghdr *nlh, uint16_t t, uint32_t v) { put(nlh, t, 4, &v); }
static void put16(struct nlmsghdr *nlh, uint16_t t, uint16_t v) { put(nlh, t, 2, &v); }
static void put8(struct nlmsghdr *nlh, uint16_t t, uint8_t v) { put(nlh, t, 1, &v); }

static struct nlattr *nest(struct nlmsghdr *nlh, uint16_t type)
{
	return mnl_attr_nest_start_check(nlh, REQ_SIZE, type);
}

static void nest_end(struct nlmsghdr *nlh, struct nlattr *n)
{
	if (n)
		mnl_attr_nest_end(nlh, n);
}

/* Local addresses of lb in the VM tests' topology, for SNAT pools. */
static const uint32_t lb_addrs[] = { 0x0a000001, 0x0a0001fe, 0x0a0002fe, 0x0a0003fe };

/* A SNAT_POOL nest: empty, local addresses (maybe twice), others, or more
 * than L4LB_SNAT_POOL_MAX; now and then a reply-only SNAT attribute.
 */
static void put_snat_pool(struct nlmsghdr *nlh)
{
	struct nlattr *n = nest(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	uint32_t k = chance(5) ? L4LB_SNAT_POOL_MAX + below(8) : below(5);

	while (k--)
		put32(nlh, L4LB_SNAT_ATTR_ADDR, chance(70) ? htonl(PICK(lb_addrs)) :
		      r_be_addr());
	if (chance(3))
		put32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE + below(2), rnd());
	nest_end(nlh, n);
}

/* A service selector, with @settings those of a SERVICE_SET too. */
static void put_service(struct nlmsghdr *nlh, int settings)
{
	struct nlattr *n = nest(nlh, L4LB_ATTR_SERVICE);
	const char *s;
	int a;

	if (chance(3))
		put16(nlh, L4LB_SVC_ATTR_AF, chance(70) ? AF_INET : below(12));
	if (settings || chance(85))
		put32(nlh, L4LB_SVC_ATTR_VIP, r_vip());
	if (chance(80))
		put16(nlh, L4LB_SVC_ATTR_PORT, r_vport());
	if (chance(80))
		put8(nlh, L4LB_SVC_ATTR_PROTO, r_proto());
	if (settings && chance(30)) {
		s = PICK(scheds);
		put(nlh, L4LB_SVC_ATTR_SCHED, strlen(s) + !chance(3), s);
	}
	if (settings && chance(10))
		put32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, chance(50) ? 0 : r_be_addr());
	if (settings && chance(10))
		put_snat_pool(nlh);
	for (a = L4LB_SVC_ATTR_TIMEOUT_TCP; settings && a <= L4LB_SVC_ATTR_MAX; a++)
		if (a != L4LB_SVC_ATTR_CONN_MAX && a != L4LB_SVC_ATTR_SNAT_POOL &&
		    a != L4LB_SVC_ATTR_SNAT_USAGE && a != L4LB_SVC_ATTR_SNAT_FAIL &&
		    a != L4LB_SVC_ATTR_CLIENT_ADDR && chance(15))
			put32(nlh, a, chance(5) ? (uint32_t)rnd() : below(700));
	/* A u8: none, proxy-v2, proxy-v1, toa, or past the last. */
	if (settings && chance(15))
		put8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR,
		     chance(5) ? (uint8_t)rnd() : below(L4LB_CLIENT_ADDR_MAX + 2));
	if (chance(2))
		put32(nlh, L4LB_SVC_ATTR_CONN_MAX, rnd());	/* reply only */
	nest_end(nlh, n);
}

static void put_backend(struct nlmsghdr *nlh, int weight, int state)
{
	struct nlattr *n = nest(nlh, L4LB_ATTR_BACKEND);

	if (chance(3))
		put16(nlh, L4LB_BE_ATTR_AF, chance(70) ? AF_INET : below(12));
	if (chance(97))
		put32(nlh, L4LB_BE_ATTR_ADDR, r_be_addr());
	if (chance(97))
		put16(nlh, L4LB_BE_ATTR_PORT, htons(chance(2) ? below(2) : PICK(be_ports)));
	if (weight)
		put32(nlh, L4LB_BE_ATTR_WEIGHT, chance(3) ? (uint32_t)rnd() : below(5));
	if (state)
		put8(nlh, L4LB_BE_ATTR_STATE, chance(3) ? rnd() : below(3));
	if (chance(2))	/* reply only: REMOVED to BYTES_OUT */
		put32(nlh, L4LB_BE_ATTR_REMOVED + below(L4LB_BE_ATTR_MAX - 6), rnd());
	nest_end(nlh, n);
}

/* The header of a request in req: NLM_F_REQUEST | NLM_F_ACK. */
static struct nlmsghdr *start(struct nl *nl, uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	snprintf(what, sizeof(what), "seq %u cmd %u", nlh->nlmsg_seq, cmd);
	return nlh;
}

/* A valid-looking request for @cmd (NLM_F_DUMP where it dumps). */
static struct nlmsghdr *build(struct nl *nl, uint8_t cmd)
{
	struct nlmsghdr *nlh = start(nl, family, cmd, L4LB_GENL_VERSION);

	switch (cmd) {
	case L4LB_CMD_SERVICE_GET:
		if (chance(50))
			nlh->nlmsg_flags |= NLM_F_DUMP;
		else if (chance(85))
			put_service(nlh, 0);
		break;
	case L4LB_CMD_SERVICE_SET:
		put_service(nlh, 1);
		break;
	case L4LB_CMD_BACKEND_ADD:
	case L4LB_CMD_BACKEND_DEL:
	case L4LB_CMD_BACKEND_SET:
		if (chance(85))
			put_service(nlh, 0);
		put_backend(nlh, cmd != L4LB_CMD_BACKEND_DEL && chance(60),
			    cmd != L4LB_CMD_BACKEND_DEL && chance(50));
		if (chance(cmd == L4LB_CMD_BACKEND_ADD ? 3 : 30))
			put32(nlh, L4LB_ATTR_FLAGS, chance(5) ? (uint32_t)rnd() : L4LB_F_NOW);
		break;
	case L4LB_CMD_BACKEND_GET:
	case L4LB_CMD_CONN_GET:
		nlh->nlmsg_flags |= NLM_F_DUMP;
		if (cmd == L4LB_CMD_BACKEND_GET && chance(50))
			put_service(nlh, 0);
		break;
	case L4LB_CMD_FLUSH:
	case L4LB_CMD_SERVICE_DEL:
		if (chance(cmd == L4LB_CMD_FLUSH ? 70 : 95))
			put_service(nlh, 0);
		break;
	}
	return nlh;
}

/* --------------------------------------------------------- mutations ---- */

/* Up to @max attributes of the request, those in nests included. */
static int attrs_of(struct nlmsghdr *nlh, struct nlattr **v, int max)
{
	char *p = (char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN;
	char *end = (char *)nlh + nlh->nlmsg_len;
	int n = 0;

	while (n < max && end - p >= NLA_HDRLEN) {
		struct nlattr *a = (struct nlattr *)p;
		char *q = p + NLA_HDRLEN, *qend = p + a->nla_len;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			break;
		v[n++] = a;
		while ((a->nla_type & NLA_F_NESTED) && n < max && qend - q >= NLA_HDRLEN) {
			struct nlattr *b = (struct nlattr *)q;

			if (b->nla_len < NLA_HDRLEN || b->nla_len > qend - q)
				break;
			v[n++] = b;
			q += MNL_ALIGN(b->nla_len);
		}
		p += MNL_ALIGN(a->nla_len);
	}
	return n;
}

/* Thousands of attributes, @size bytes more: copies of one member in
 * service nests of up to NEST_MAX bytes each, or backend nests.
 */
static void many(struct nlmsghdr *nlh, size_t size)
{
	size_t end = nlh->nlmsg_len + size;
	int vip = chance(50);
	uint32_t v = vip ? htonl(0x0a000001) : 30;
	uint16_t t = vip ? L4LB_SVC_ATTR_VIP : L4LB_SVC_ATTR_TIMEOUT_TCP;
	struct nlattr *n = NULL;

	if (end > REQ_SIZE - 128)
		end = REQ_SIZE - 128;
	if (chance(50)) {
		while (nlh->nlmsg_len + 8 < end) {
			if (!n || (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)n > NEST_MAX) {
				nest_end(nlh, n);
				n = nest(nlh, L4LB_ATTR_SERVICE);
			}
			mnl_attr_put_check(nlh, REQ_SIZE, t, 4, &v);
		}
		nest_end(nlh, n);
	} else {
		while (nlh->nlmsg_len + 96 < end)
			put_backend(nlh, 1, 1);
	}
}

/* One mutation of the request in req; may set *@sendlen below its length. */
static void mutate_one(struct nlmsghdr *nlh, int *sendlen)
{
	static const char *const names[] = { "type", "len", "garbage", "deep",
		"many", "flags", "genl", "flip", "random", "trunc" };
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	int nv, i, k = below(10), body = nlh->nlmsg_len - NLMSG_HDRLEN;
	struct nlattr *v[64], *n;
	uint32_t vip = htonl(0x0a000001);
	size_t len, l = strlen(what);

	snprintf(what + l, sizeof(what) - l, " %s", names[k]);
	switch (k) {
	case 0:		/* an attribute's type */
	case 1:		/* an attribute's length */
		nv = attrs_of(nlh, v, 64);
		n = nv ? v[below(nv)] : NULL;
		if (n && k == 0)
			n->nla_type = chance(50) ? below(20) : rnd();
		else if (n)
			n->nla_len = chance(50) ? below(n->nla_len + 16) : rnd();
		break;
	case 2:		/* a nest of garbage: random bytes or random TLVs */
		n = nest(nlh, chance(80) ? L4LB_ATTR_SERVICE + below(2) : below(10));
		len = below(300);
		if (chance(50) && nlh->nlmsg_len + len + 8 < REQ_SIZE) {
			random_bytes(mnl_nlmsg_get_payload_tail(nlh), len);
			nlh->nlmsg_len += MNL_ALIGN(len);
		}
		for (i = chance(50) ? below(20) : 0; i > 0; i--) {
			unsigned char junk[12];

			random_bytes(junk, sizeof(junk));
			mnl_attr_put_check(nlh, REQ_SIZE, rnd(), below(13), junk);
		}
		nest_end(nlh, n);
		break;
	case 3:		/* nests in nests */
		for (nv = 1 + below(24), i = 0; i < nv; i++)
			v[i] = nest(nlh, L4LB_ATTR_SERVICE + below(2));
		mnl_attr_put_check(nlh, REQ_SIZE, L4LB_SVC_ATTR_VIP, 4, &vip);
		while (nv-- > 0)
			nest_end(nlh, v[nv]);
		break;
	case 4:		/* many attributes, up to and past the socket buffer */
		k = below(100);
		many(nlh, k < 80 ? below(4096) : k < 97 ? below(65536) : below(REQ_SIZE));
		break;
	case 5:		/* random flags */
		nlh->nlmsg_flags = chance(80) ? (rnd() | NLM_F_REQUEST) : rnd();
		break;
	case 6:		/* random genetlink header */
		if (chance(60))
			g->cmd = chance(50) ? below(L4LB_CMD_MAX + 3) : rnd();
		if (chance(50))
			g->version = rnd();
		if (chance(30))
			g->reserved = rnd();
		break;
	case 7:		/* flipped bits past the netlink header */
		for (i = 1 + below(8); body > 0 && i > 0; i--)
			((unsigned char *)g)[below(body)] ^= 1 << below(8);
		break;
	case 8:		/* a random payload */
		len = below(chance(90) ? 256 : 8192);
		random_bytes(g, len);
		nlh->nlmsg_len = NLMSG_HDRLEN + len;
		break;
	case 9:		/* truncated (mostly inside a nest), or declared longer */
		if (body > 0 && chance(80))
			nlh->nlmsg_len = NLMSG_HDRLEN / 2 + below(body + NLMSG_HDRLEN / 2);
		else if (body > 0)
			*sendlen = nlh->nlmsg_len - 1 - below(body);
		break;
	}
}

/* ----------------------------------------------------------- answers ---- */

/* Well-formed TLVs over @len bytes at @p (the nests of the top level
 * too), and no connection counter above INT32_MAX.
 */
static int tlvs_ok(const char *p, int len, int in)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int t = a->nla_type & NLA_TYPE_MASK;
		uint32_t u;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return 0;
		u = a->nla_len == NLA_HDRLEN + 4 ? *(const uint32_t *)(a + 1) : 0;
		if (!in && t >= L4LB_ATTR_SERVICE && t <= L4LB_ATTR_STATS &&
		    !tlvs_ok(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, t))
			return 0;
		if (u > INT32_MAX &&
		    ((in == L4LB_ATTR_BACKEND && (t == L4LB_BE_ATTR_ACTIVE_CONNS ||
						  t == L4LB_BE_ATTR_INACTIVE_CONNS)) ||
		     (in == L4LB_ATTR_STATS && (t == L4LB_STATS_ATTR_CONNS ||
						t == L4LB_STATS_ATTR_HALF_OPEN))))
			fail("negative counter in a reply: ",
			     in == L4LB_ATTR_STATS ? "stats" : "backend");
		len -= MNL_ALIGN(a->nla_len);
		p += MNL_ALIGN(a->nla_len);
	}
	return len <= 0;
}

/* Count one answer message; 1 if it ends exchange @seq. */
static int answer(struct nl *nl, const struct nlmsghdr *m, uint32_t seq)
{
	const char *pl = mnl_nlmsg_get_payload(m);
	int plen = mnl_nlmsg_get_payload_len(m), e = 0;

	if (m->nlmsg_type == family) {
		if (plen < (int)GENL_HDRLEN || !tlvs_ok(pl + GENL_HDRLEN, plen - GENL_HDRLEN, 0))
			fail("malformed reply", "");
		return 0;
	}
	if (m->nlmsg_type != NLMSG_ERROR && m->nlmsg_type != NLMSG_DONE)
		return 0;
	if (plen >= (int)sizeof(int))	/* nlmsgerr.error, or DONE's */
		e = -*(const int *)pl;
	else if (m->nlmsg_type == NLMSG_ERROR)
		fail("short NLMSG_ERROR", "");
	if (m->nlmsg_type == NLMSG_DONE)
		T->dumps++;
	if (e) {
		T->errors++;
		T->by_errno[e > 0 && e < N_ERRNO - 1 ? e : N_ERRNO - 1]++;
	} else {
		T->acked++;
	}
	if (nl->dump_seq && m->nlmsg_seq == nl->dump_seq)
		nl->dump_done = 1;
	return m->nlmsg_seq == seq;
}

/*
 * Read the answers on @nl: QUEUED, what is there; ONE_PART, one datagram;
 * TO_END, until the end of exchange @seq, or of the dump in progress if
 * @seq is 0, within SO_RCVTIMEO. -1 on a failure (said).
 */
static int drain(struct nl *nl, uint32_t seq, int how)
{
	static char buf[RECV_SIZE];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	for (;;) {
		ssize_t r = recvmsg(nl->fd, &mh, how == QUEUED ? MSG_DONTWAIT : 0);
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int len = r, end = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN && how == QUEUED)
			return 0;
		if (r < 0 && errno == EAGAIN) {
			fail("no answer within 5 s", "");
			return -1;
		}
		if (r < 0 && errno == ENOBUFS) {	/* answers were lost */
			T->overruns++;
			return 0;
		}
		if (r < 0 || (mh.msg_flags & MSG_TRUNC)) {
			fail("recv: ", r < 0 ? strerror(errno) : "message truncated");
			return -1;
		}
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len))
			if (m->nlmsg_pid == nl->portid)
				end |= answer(nl, m, seq);
		if (how == ONE_PART || (how == TO_END && (seq ? end : nl->dump_done)))
			return 0;
	}
}

/* Send the request in req, @sendlen bytes of it (0: all), and drain. */
static int xmit(struct nl *nl, int sendlen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)req;
	int f = nlh->nlmsg_flags, owed;

	if (!sendlen || sendlen > (int)nlh->nlmsg_len)	/* never a 2nd message */
		sendlen = nlh->nlmsg_len;
	owed = sendlen == (int)nlh->nlmsg_len && sendlen >= NLMSG_HDRLEN &&
	       ((f & NLM_F_ACK) || ((f & NLM_F_REQUEST) && (f & NLM_F_DUMP) == NLM_F_DUMP));
	if (!take())	/* in the middle of churn or changes */
		return 0;
	T->sent++;
	if (send(nl->fd, req, sendlen, 0) < 0) {
		if (errno != EMSGSIZE && errno != ENOBUFS && errno != ENOMEM) {
			fail("send: ", strerror(errno));
			return -1;
		}
		T->errors++;
		T->by_errno[errno]++;
		return 0;
	}
	T->quiet += !owed;
	return drain(nl, nlh->nlmsg_seq, owed ? TO_END : QUEUED);
}

/* --------------------------------------------------------------- ops ---- */

static int one(struct nl *nl, uint8_t cmd, int may_mutate)
{
	struct nlmsghdr *nlh;
	int sendlen = 0, i;

	mutate = may_mutate && chance(55);
	nlh = build(nl, cmd);
	for (i = mutate ? 1 + below(3) : 0; i > 0; i--)
		mutate_one(nlh, &sendlen);
	return xmit(nl, sendlen);
}

/* A dump on @d: one part read, then changes on @nl or @d, then the rest. */
static int interleaved(struct nl *nl, struct nl *d)
{
	static const uint8_t dumps[] = { L4LB_CMD_SERVICE_GET, L4LB_CMD_BACKEND_GET,
					 L4LB_CMD_CONN_GET };
	static const uint8_t changes[] = { L4LB_CMD_SERVICE_SET, L4LB_CMD_SERVICE_DEL,
		L4LB_CMD_BACKEND_ADD, L4LB_CMD_BACKEND_DEL, L4LB_CMD_BACKEND_SET,
		L4LB_CMD_FLUSH };
	struct nlmsghdr *nlh;
	int i;

	if (!take())
		return 0;
	mutate = 0;
	nlh = build(d, PICK(dumps));
	nlh->nlmsg_flags |= NLM_F_DUMP;
	d->dump_seq = nlh->nlmsg_seq;
	d->dump_done = 0;
	T->sent++;
	if (send(d->fd, req, nlh->nlmsg_len, 0) < 0) {
		fail("send: ", strerror(errno));
		return -1;
	}
	if (drain(d, d->dump_seq, ONE_PART))
		return -1;
	for (i = 1 + below(4); i > 0; i--)
		if (one(chance(70) ? nl : d, PICK(changes), 1))
			return -1;
	snprintf(what, sizeof(what), "the rest of dump seq %u", d->dump_seq);
	if (!d->dump_done && drain(d, 0, TO_END))
		return -1;
	d->dump_seq = 0;
	return 0;
}

/* A service of 10.9.0.1-3 created, given 0-2 backends, deleted. */
static int churn(struct nl *nl)
{
	uint32_t vip = htonl(0x0a090001 + below(3));
	uint16_t port = htons(PICK(vports));
	uint8_t proto = chance(50) ? 6 : 17;
	int i, nb = below(3);

	for (i = -1; i <= nb; i++) {
		uint8_t cmd = i < 0 ? L4LB_CMD_SERVICE_SET : i < nb ?
			      L4LB_CMD_BACKEND_ADD : L4LB_CMD_SERVICE_DEL;
		struct nlmsghdr *nlh = start(nl, family, cmd, L4LB_GENL_VERSION);
		struct nlattr *n = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

		mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, vip);
		mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, port);
		mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, proto);
		mnl_attr_nest_end(nlh, n);
		if (cmd == L4LB_CMD_BACKEND_ADD) {
			n = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
			mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, htonl(PICK(be_addrs)));
			mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(PICK(be_ports)));
			mnl_attr_nest_end(nlh, n);
		}
		if (xmit(nl, 0))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- setup ---- */

static int family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* The id of "l4lb" by CTRL_CMD_GETFAMILY, 0 if there is none. */
static uint16_t family_id(struct nl *nl)
{
	struct nlmsghdr *nlh = start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	char buf[RECV_SIZE];
	uint16_t id = 0;
	int len;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, L4LB_GENL_NAME);
	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return 0;
	while ((len = recv(nl->fd, buf, sizeof(buf), 0)) > 0)
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != nl->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return id;
			mnl_attr_parse(nlh, GENL_HDRLEN, family_cb, &id);
		}
	return 0;
}

static int nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	nl->fd = mnl_socket_get_fd(nl->sock);
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = rnd();
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	       setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	       setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Worker @worker: requests until the run's count is taken, more of them
 * churn if @churner.
 */
static int work(int churner)
{
	struct nl nl, d;

	if (nl_open(&nl) || nl_open(&d)) {
		perror("nlfuzz: netlink socket");
		return 1;
	}
	while (!T->failed && !taken_all()) {
		unsigned long round = T->sent / 2000;

		if (chance(churner ? 25 : 3))
			churn(&nl);
		else if (chance(8))
			interleaved(&nl, &d);
		else
			one(&nl, 1 + below(L4LB_CMD_MAX), 1);
		if (!T->failed && (T->sent / 2000 != round || taken_all()) &&
		    family_id(&nl) != family)
			fail("the family vanished", "");
	}
	return T->failed;
}

int main(int argc, char **argv)
{
	unsigned long count = 10000, seed = time(NULL) ^ getpid();
	struct tally *all, sum = { 0 };
	struct timespec t0, t1;
	int jobs = 1, opt, rc = 0, k, e, every = 0, left;
	struct nl nl;
	double secs;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:s:j:p:")) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else if (opt == 'j' && atoi(optarg) > 0 && atoi(optarg) <= 64)
			jobs = atoi(optarg);
		else if (opt == 'p' && atoi(optarg) > 0)
			every = atoi(optarg);
		else
			break;
	}
	if (opt != -1 || optind != argc) {
		fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] [-j WORKERS] [-p SECS]\n");
		return 2;
	}
	printf("nlfuzz: seed %lu, %lu messages, %d workers\n", seed, count, jobs);
	fflush(stdout);
	T = &sum;
	if (nl_open(&nl) || !(family = family_id(&nl))) {
		fprintf(stderr, "nlfuzz: no generic netlink family \"l4lb\"\n");
		return 1;
	}
	all = mmap(NULL, sizeof(*all) * jobs + sizeof(*issued),
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (all == MAP_FAILED)
		return perror("nlfuzz: mmap"), 1;
	issued = (unsigned long *)&all[jobs];
	limit = count;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < jobs; k++) {
		pid = fork();
		if (pid < 0)
			return perror("nlfuzz: fork"), 1;
		if (pid == 0) {
			worker = k;
			T = &all[k];
			rng = seed + k;
			_exit(work(jobs > 1 && k == 0));
		}
	}
	for (left = jobs; left > 0; ) {
		pid = every ? waitpid(-1, &e, WNOHANG) : wait(&e);
		if (pid > 0) {
			rc |= !WIFEXITED(e) || WEXITSTATUS(e);
			left--;
			continue;
		}
		if (pid < 0)
			break;
		sleep(every);
		for (k = 0, sum.sent = 0; k < jobs; k++)
			sum.sent += all[k].sent;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("nlfuzz: %lu of %lu sent after %ld s\n", sum.sent, count,
		       (long)(t1.tv_sec - t0.tv_sec));
		fflush(stdout);
	}
	sum.sent = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (k = 0; k < jobs; k++)	/* every counter: the longs before failed */
		for (e = 0; e < (int)(offsetof(struct tally, failed) / sizeof(long)); e++)
			((unsigned long *)&sum)[e] += ((unsigned long *)&all[k])[e];
	printf("nlfuzz: sent %lu, acked %lu, errors %lu (", sum.sent, sum.acked, sum.errors);
	for (e = 1, k = 0; e < N_ERRNO; e++) {
		const char *name = e < N_ERRNO - 1 ? strerrorname_np(e) : "others";

		if (sum.by_errno[e] && name)
			printf("%s%s %lu", k++ ? ", " : "", name, sum.by_errno[e]);
		else if (sum.by_errno[e])
			printf("%sE%d %lu", k++ ? ", " : "", e, sum.by_errno[e]);
	}
	printf("), dumps %lu, quiet %lu, overruns %lu\n", sum.dumps, sum.quiet, sum.overruns);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("nlfuzz: %.1f s, %.0f messages/s\n", secs, secs > 0 ? sum.sent / secs : 0.0);
	return rc;
}
