// SPDX-License-Identifier: GPL-2.0
/*
 * nfqaccept [-n COUNT] QUEUE - accept every packet of an NFQUEUE queue.
 *
 * Binds to nfnetlink_queue queue QUEUE (copy mode: metadata only) and
 * answers each packet with an NF_ACCEPT verdict. The kernel then runs the
 * hooks after the queueing one, l4lb's among them, in process context with
 * BHs enabled (nf_reinject()), which is what the VM test of this program
 * exercises. Prints "ready" once bound, and "accepted N" when it stops:
 * after COUNT packets, or on SIGTERM/SIGINT. Exit status 0, or 1 on a
 * netlink error. Speaks nfnetlink_queue (linux/netfilter/nfnetlink_queue.h)
 * with libmnl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct nlmsghdr *nfq_hdr(char *buf, int type, uint16_t queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

static int send_cfg(struct mnl_socket *nl, uint16_t queue, uint8_t cmd,
		    int with_mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG, queue);
	struct nfqnl_msg_config_cmd c = { .command = cmd };

	nlh->nlmsg_flags |= NLM_F_ACK;
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(c), &c);
	if (with_mode) {
		struct nfqnl_msg_config_params p = {
			.copy_range = htonl(0),
			.copy_mode = NFQNL_COPY_META,
		};

		mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(p), &p);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	{
		int n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0 || mnl_cb_run(buf, n, 0, 0, NULL, NULL) < 0)
			return -1;
	}
	return 0;
}

static int packet_id(const struct nlattr *a, void *data)
{
	uint32_t *id = data;

	if (mnl_attr_get_type(a) == NFQA_PACKET_HDR &&
	    mnl_attr_get_payload_len(a) >= sizeof(struct nfqnl_msg_packet_hdr)) {
		const struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(a);

		*id = ntohl(ph->packet_id);
	}
	return MNL_CB_OK;
}

static int verdict(struct mnl_socket *nl, uint16_t queue, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_VERDICT, queue);
	struct nfqnl_msg_verdict_hdr v = {
		.verdict = htonl(NF_ACCEPT),
		.id = htonl(id),
	};

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(v), &v);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE + 0xffff];
	unsigned long count = 0, accepted = 0;
	struct mnl_socket *nl;
	uint16_t queue;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			goto usage;
		count = strtoul(optarg, NULL, 10);
	}
	if (optind != argc - 1)
		goto usage;
	queue = (uint16_t)atoi(argv[optind]);
	{
		/* No SA_RESTART: a signal must end the blocked recv(). */
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    send_cfg(nl, queue, NFQNL_CFG_CMD_BIND, 1) < 0) {
		perror("nfqaccept: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop && (!count || accepted < count)) {
		int n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		struct nlmsghdr *nlh;
		uint32_t id = 0;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("nfqaccept: recv");
			return 1;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET)
				continue;
			mnl_attr_parse(nlh, sizeof(struct nfgenmsg), packet_id,
				       &id);
			if (verdict(nl, queue, id) < 0) {
				perror("nfqaccept: verdict");
				return 1;
			}
			accepted++;
		}
	}
	printf("accepted %lu\n", accepted);
	mnl_socket_close(nl);
	return 0;
usage:
	fprintf(stderr, "usage: nfqaccept [-n COUNT] QUEUE\n");
	return 2;
}
