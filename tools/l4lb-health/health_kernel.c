// SPDX-License-Identifier: GPL-2.0
/*
 * health_kernel.c - backends list and state changes over generic netlink.
 * See health_kernel.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "error.h"
#include "health_kernel.h"
#include "msg.h"
#include "nl.h"

/* The socket; static because struct nl holds 36 KiB of buffers. */
static struct nl nl;
static bool nl_is_open;

int health_kernel_open(void)
{
	int rc;

	if (nl_is_open)
		return RC_OK;
	rc = nl_open(&nl, L4LB_GENL_NAME);
	nl_is_open = rc == RC_OK;
	return rc;
}

static int family_name_cb(const struct nlattr *attr, void *data)
{
	bool *found = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	    !strcmp(mnl_attr_get_str(attr), L4LB_GENL_NAME))
		*found = true;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_name_cb, data);
	return MNL_CB_OK;
}

/*
 * Is the "l4lb" family registered? Asked with a dump of every family:
 * resolving a name that is not registered (what nl_open() does) makes the
 * kernel try to load the module, and a daemon retrying every round while
 * the module is out would run modprobe (and perhaps fill the kernel log
 * with the module's complaints) every round.
 *
 * Returns 1 or 0, or -1 if the question could not be asked.
 */
static int family_registered(void)
{
	static char buf[NL_RX_SIZE] __attribute__((aligned(8)));
	struct mnl_socket *sock;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	bool found = false;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int ret = -1;

	sock = mnl_socket_open(NETLINK_GENERIC);
	if (!sock)
		return -1;
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(sock);
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		goto out;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(sock, buf, sizeof(buf));

		if (n < 0)
			goto out;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, family_cb, &found);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -1 : found;
out:
	mnl_socket_close(sock);
	return ret;
}

/*
 * Open the socket for a request, unless the module is known to be out:
 * after the first open (health_kernel_open()), a family that is not
 * registered is reported without asking the kernel to load it.
 */
static int reopen(void)
{
	if (nl_is_open)
		return RC_OK;
	if (family_registered() == 0)
		return err_report(RC_NO_MODULE,
				  "%s module not loaded (generic netlink family \"%s\" not found)",
				  L4LB_GENL_NAME, L4LB_GENL_NAME);
	return health_kernel_open();
}

void health_kernel_close(void)
{
	if (nl_is_open)
		nl_close(&nl);
	nl_is_open = false;
}

/* Close after a failure: the socket may still hold part of the answer. */
static int after(int rc)
{
	if (rc != RC_OK)
		health_kernel_close();
	return rc;
}

/* A growing array of backends, filled by list_cb(). */
struct be_list {
	struct health_backend *v;
	size_t n;
	size_t cap;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct be_list *l = data;
	struct be_info be;

	if (msg_get_backend(nlh, &be) < 0)
		return MNL_CB_ERROR;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct health_backend *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].svc = be.svc;
	l->v[l->n].ep = be.ep;
	l->v[l->n].state = be.state;
	l->v[l->n].removed = be.present & ATTR_BIT(L4LB_BE_ATTR_REMOVED);
	l->v[l->n].weight = be.weight;
	l->v[l->n].weight_pct = be.weight_pct;
	l->v[l->n].weight_eff = be.weight_eff;
	l->n++;
	return MNL_CB_OK;
}

int health_kernel_list(struct health_backend **list, size_t *n)
{
	struct be_list l = { 0 };
	struct nlmsghdr *nlh;
	int rc;

	*list = NULL;
	*n = 0;
	rc = reopen();
	if (rc != RC_OK)
		return rc;
	nlh = nl_msg(&nl, L4LB_CMD_BACKEND_GET, NLM_F_DUMP);
	rc = after(nl_talk(&nl, nlh, list_cb, &l));
	if (rc != RC_OK) {
		free(l.v);
		return rc;
	}
	*list = l.v;
	*n = l.n;
	return RC_OK;
}

/* BACKEND_SET of what @be carries, to the backend of service @svc. */
static int backend_set(const struct svc_sel *svc, const struct be_info *be,
		       bool now)
{
	struct nlmsghdr *nlh;
	int rc;

	rc = reopen();
	if (rc != RC_OK)
		return rc;
	nlh = nl_msg(&nl, L4LB_CMD_BACKEND_SET, NLM_F_ACK);
	msg_put_backend(nlh, be);
	msg_put_svc_sel(nlh, svc);
	if (now)
		msg_put_flags(nlh, L4LB_F_NOW);
	return after(nl_talk(&nl, nlh, NULL, NULL));
}

int health_kernel_set_state(const struct svc_sel *svc, const struct ipport *ep,
			    uint8_t state, bool now)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT) |
			   ATTR_BIT(L4LB_BE_ATTR_STATE),
		.ep = *ep,
		.state = state,
	};

	return backend_set(svc, &be, now);
}

int health_kernel_set_weight_pct(const struct svc_sel *svc,
				 const struct ipport *ep, uint32_t pct)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT) |
			   ATTR_BIT(L4LB_BE_ATTR_WEIGHT_PCT),
		.ep = *ep,
		.weight_pct = pct,
	};

	return backend_set(svc, &be, false);
}

/* A growing array of service keys, filled by svc_cb(). */
struct svc_list {
	struct svc_sel *v;
	size_t n;
};

static int svc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct svc_list *l = data;
	struct svc_sel *v;
	struct svc_info svc;

	if (msg_get_service(nlh, &svc) < 0)
		return MNL_CB_ERROR;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	l->v = v;
	v[l->n] = (struct svc_sel){
		.set = true, .has_port = true, .has_proto = true,
		.vip = svc.vip, .port = svc.port, .proto = svc.proto,
	};
	l->n++;
	return MNL_CB_OK;
}

int health_kernel_services(struct svc_sel **list, size_t *n)
{
	struct svc_list l = { 0 };
	struct nlmsghdr *nlh;
	int rc;

	*list = NULL;
	*n = 0;
	rc = reopen();
	if (rc != RC_OK)
		return rc;
	nlh = nl_msg(&nl, L4LB_CMD_SERVICE_GET, NLM_F_DUMP);
	rc = after(nl_talk(&nl, nlh, svc_cb, &l));
	if (rc != RC_OK) {
		free(l.v);
		return rc;
	}
	*list = l.v;
	*n = l.n;
	return RC_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_info *st = data;

	if (msg_get_stats(nlh, st) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int health_kernel_conns(uint64_t *conns)
{
	struct stats_info st = { 0 };
	struct nlmsghdr *nlh;
	int rc;

	rc = reopen();
	if (rc != RC_OK)
		return rc;
	nlh = nl_msg(&nl, L4LB_CMD_STATS_GET, NLM_F_ACK);
	rc = after(nl_talk(&nl, nlh, stats_cb, &st));
	if (rc != RC_OK)
		return rc;
	if (!(st.present & ATTR_BIT(L4LB_STATS_ATTR_CONNS)))
		return err_report(RC_KERNEL,
				  "invalid reply from kernel: no connection count");
	*conns = st.val[L4LB_STATS_ATTR_CONNS];
	return RC_OK;
}
