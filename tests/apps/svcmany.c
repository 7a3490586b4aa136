// SPDX-License-Identifier: GPL-2.0
/*
 * svcmany [-n COUNT] [-k BACKENDS] [-s SCHED] [-b FIRST_VIP] [-p PORT]
 *	[-o FILE] - create many l4lb services fast, and count the refusals.
 *
 * Sends COUNT SERVICE_SET requests to the "l4lb" generic netlink family of
 * the caller's network namespace, each creating the TCP service
 * FIRST_VIP+i:PORT (default 10.100.0.1:80, i from 0) with scheduler SCHED
 * (default rr). Then, with -k, BACKENDS BACKEND_ADD requests for each
 * service that was created, backends 10.101.0.1:80 and up. Requests go in
 * batches of BATCH on one socket, each acknowledged (NLM_F_ACK), so 20,000
 * of them take seconds, not minutes.
 *
 * Prints, for services and then (with -k) backends:
 *
 *	services created C refused R
 *	services errno E (NAME) count K first I msg "MESSAGE"
 *
 * one "errno" line per distinct errno of the refusals, with the index of
 * the first refused request and the extended ACK message it got (that of
 * the first request refused with this errno).
 *
 * The report goes to stdout, or with -o to FILE. In a memory cgroup that
 * the services fill up to memory.max, any page the program touched late
 * (a pipe's or a file's buffer, fresh heap or stack) could only be had by
 * the cgroup's OOM killer: so everything it uses is touched at the start,
 * and FILE's pages are written then and only overwritten at the end.
 *
 * Exit status: 0 if every request got an answer, whatever it was; 1 if the
 * family is missing or an answer did not come (socket error, 5 s
 * timeout); 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#define BATCH		64	/* requests in flight at once */
#define MSG_MAX		256	/* bytes of one request, at most */
#define ANSWER_TIMEOUT	5	/* seconds */
#define NERR		134	/* errno values kept apart */

/* One netlink socket. */
struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;
};

/* The answers of one kind of request. */
struct tally {
	const char *what;		/* "services", "backends" */
	unsigned long created, refused;
	unsigned long count[NERR];
	unsigned long first[NERR];
	char msg[NERR][128];
};

/* The answer each request of the current run got: 0 or a positive errno. */
static int *answer;

/* ------------------------------------------------------- netlink ---- */

static struct nlmsghdr *req_start(struct nl *nl, char *buf, uint16_t type,
				  uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = type == GENL_ID_CTRL ? 1 : L4LB_GENL_VERSION;
	return nlh;
}

struct ack {
	int err;
	char msg[128];
};

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ack *a = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(a->msg, sizeof(a->msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* An NLMSG_ERROR into @a: the errno and the extack message, if any. */
static int read_ack(const struct nlmsghdr *nlh, struct ack *a)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	memset(a, 0, sizeof(*a));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -1;
	a->err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += MNL_ALIGN(mnl_nlmsg_get_payload_len(&e->msg));
	if (off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, off, ack_attr_cb, a);
	return 0;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* Find the id of the "l4lb" family. */
static int family_resolve(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t seq;
	struct ack a;

	nlh = req_start(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, L4LB_GENL_NAME);
	seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		const struct nlmsghdr *r;
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		int len = (int)n;

		if (n < 0)
			return -1;
		for (r = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				if (read_ack(r, &a) || a.err || !nl->family) {
					fprintf(stderr, "svcmany: no family \"%s\": %s\n",
						L4LB_GENL_NAME,
						a.err ? strerror(a.err) : "no id");
					return -1;
				}
				return 0;
			}
			mnl_attr_parse(r, sizeof(struct genlmsghdr),
				       family_attr_cb, &nl->family);
		}
	}
}

/* ------------------------------------------------------ requests ---- */

static uint32_t first_vip;
static uint16_t vport = 80;
static const char *sched = "rr";

static void put_key(struct nlmsghdr *nlh, unsigned long svc)
{
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP,
			 htonl(ntohl(first_vip) + (uint32_t)svc));
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(vport));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
}

/* Request @i: SERVICE_SET creating service @i. */
static void build_service(struct nl *nl, char *buf, unsigned long i)
{
	struct nlmsghdr *nlh = req_start(nl, buf, nl->family,
					 L4LB_CMD_SERVICE_SET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	put_key(nlh, i);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, sched);
	mnl_attr_nest_end(nlh, nest);
}

static unsigned long nbe;	/* backends per service (-k) */
static unsigned long *svc_ok;	/* the indexes of the services created */

/* Request @i: BACKEND_ADD of backend i % nbe to the (i / nbe)th service
 * created.
 */
static void build_backend(struct nl *nl, char *buf, unsigned long i)
{
	struct nlmsghdr *nlh = req_start(nl, buf, nl->family,
					 L4LB_CMD_BACKEND_ADD);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	uint32_t be = (10U << 24 | 101U << 16) + 1 + (uint32_t)(i % nbe);

	put_key(nlh, svc_ok[i / nbe]);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, htonl(be));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
}

static void count(struct tally *t, unsigned long i, const struct ack *a)
{
	int e = a->err < NERR ? a->err : NERR - 1;

	if (!a->err) {
		t->created++;
		return;
	}
	t->refused++;
	if (!t->count[e]++) {
		t->first[e] = i;
		snprintf(t->msg[e], sizeof(t->msg[e]), "%s", a->msg);
	}
}

/*
 * Send @n requests, built by @build, BATCH at a time, and tally their
 * answers; answer[i] keeps each one's errno. Returns 0, or -1 if an
 * answer did not come.
 */
static int run(struct nl *nl, unsigned long n,
	       void (*build)(struct nl *nl, char *buf, unsigned long i),
	       struct tally *t)
{
	static char out[BATCH * MSG_MAX];
	char in[MNL_SOCKET_BUFFER_SIZE];
	unsigned long i, k;

	for (i = 0; i < n; i += k) {
		uint32_t seq0 = nl->seq + 1;
		unsigned long got = 0;
		size_t len = 0;

		for (k = 0; k < BATCH && i + k < n; k++) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(out + len);

			build(nl, (char *)nlh, i + k);
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (mnl_socket_sendto(nl->sock, out, len) < 0) {
			perror("svcmany: send");
			return -1;
		}
		while (got < k) {
			ssize_t r = mnl_socket_recvfrom(nl->sock, in, sizeof(in));
			const struct nlmsghdr *nlh;
			int rlen = (int)r;

			if (r < 0) {
				perror(errno == EAGAIN ? "svcmany: no answer" :
				       "svcmany: recv");
				return -1;
			}
			for (nlh = (const struct nlmsghdr *)in;
			     mnl_nlmsg_ok(nlh, rlen);
			     nlh = mnl_nlmsg_next(nlh, &rlen)) {
				uint32_t off = nlh->nlmsg_seq - seq0;
				struct ack a;

				if (nlh->nlmsg_type != NLMSG_ERROR || off >= k ||
				    read_ack(nlh, &a))
					continue;
				answer[i + off] = a.err;
				count(t, i + off, &a);
				got++;
			}
		}
	}
	return 0;
}

/* The report, built in place (see the top). */
static char rep[8192];
static size_t rep_len;

static void report(const struct tally *t)
{
	int e;

	rep_len += snprintf(rep + rep_len, sizeof(rep) - rep_len,
			    "%s created %lu refused %lu\n", t->what,
			    t->created, t->refused);
	for (e = 1; e < NERR && rep_len < sizeof(rep); e++)
		if (t->count[e])
			rep_len += snprintf(rep + rep_len, sizeof(rep) - rep_len,
					    "%s errno %d (%s) count %lu first %lu msg \"%s\"\n",
					    t->what, e, strerror(e), t->count[e],
					    t->first[e], t->msg[e]);
	if (rep_len > sizeof(rep))
		rep_len = sizeof(rep);
}

/* Write every page of @t now (they are still zero). */
static void touch_tally(struct tally *t)
{
	memset(t->count, 0, sizeof(t->count));
	memset(t->first, 0, sizeof(t->first));
	memset(t->msg, 0, sizeof(t->msg));
}

/* Touch @n bytes of stack now, so that no later call faults a page in. */
static void __attribute__((noinline)) touch_stack(size_t n)
{
	volatile char buf[65536];
	size_t i;

	for (i = 0; i < n && i < sizeof(buf); i += 1024)
		buf[i] = 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: svcmany [-n COUNT] [-k BACKENDS] [-s SCHED] "
		"[-b FIRST_VIP] [-p PORT] [-o FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT };
	static struct tally svcs = { .what = "services" };
	static struct tally bes = { .what = "backends" };
	struct nl nl = { .seq = (uint32_t)time(NULL) };
	unsigned long n = 1, i, nsvc = 0, total;
	int one = 1, bufsz = 1 << 20, c, rc = 0, fd = -1;
	const char *out = NULL;

	first_vip = htonl(10U << 24 | 100U << 16 | 1);
	while ((c = getopt(argc, argv, "n:k:s:b:p:o:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			nbe = strtoul(optarg, NULL, 10);
			break;
		case 's':
			sched = optarg;
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &first_vip) != 1)
				return usage();
			break;
		case 'p':
			vport = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || !n || !vport)
		return usage();
	total = n * (nbe ? nbe : 1);
	answer = calloc(total, sizeof(*answer));
	svc_ok = calloc(n, sizeof(*svc_ok));
	if (!answer || !svc_ok) {
		perror("svcmany");
		return 1;
	}
	/* Every page touched now (see the top). */
	memset(answer, 0, total * sizeof(*answer));
	memset(svc_ok, 0, n * sizeof(*svc_ok));
	touch_tally(&svcs);
	touch_tally(&bes);
	memset(rep, ' ', sizeof(rep));
	touch_stack(65536);
	if (out) {
		fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, rep, sizeof(rep)) != sizeof(rep)) {
			perror(out);
			return 1;
		}
	}

	nl.sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl.sock || mnl_socket_bind(nl.sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("svcmany: netlink socket");
		return 1;
	}
	nl.portid = mnl_socket_get_portid(nl.sock);
	if (mnl_socket_setsockopt(nl.sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl.sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUF,
		       &bufsz, sizeof(bufsz)) ||
	    setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv))) {
		perror("svcmany: setsockopt");
		return 1;
	}
	if (family_resolve(&nl))
		return 1;

	if (run(&nl, n, build_service, &svcs))
		rc = 1;
	report(&svcs);
	if (nbe && !rc) {
		for (i = 0; i < n; i++)
			if (!answer[i])
				svc_ok[nsvc++] = i;
		if (nsvc && run(&nl, nsvc * nbe, build_backend, &bes))
			rc = 1;
		report(&bes);
	}
	if (fd >= 0) {
		if (pwrite(fd, rep, rep_len, 0) != (ssize_t)rep_len ||
		    ftruncate(fd, (off_t)rep_len) || close(fd)) {
			perror(out);
			rc = 1;
		}
	} else {
		fwrite(rep, 1, rep_len, stdout);
	}
	mnl_socket_close(nl.sock);
	return rc;
}
