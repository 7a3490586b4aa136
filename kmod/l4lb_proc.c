// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the NAT table as text.
 *
 * /proc/net/l4lb/nat is per network namespace; /proc/l4lb is a symbolic
 * link to self/net/l4lb, so `cat /proc/l4lb/nat` shows the table of the
 * reader's namespace. The file has one header line, one line per row:
 *
 *   Pro Client VIP Local Backend State Expires
 *
 * (addresses as ip:port, or [ipv6]:port for an IPv6 row, Expires in
 * seconds until the row expires if idle),
 * and ends with "Current NAT table length: N". Persistence templates show
 * as protocol TPL in state PERSIST.
 *
 * The walk runs under rcu_read_lock() between ->start and ->stop and takes
 * no lock, so reading never blocks the packet path. The iterator keeps its
 * place in the table between read() calls, so a large table is read in
 * linear time; a read from another position walks again from the start.
 */
#include <linux/inet.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_net.h"
#include "l4lb_proc.h"

#define L4LB_SEQ_FOOTER		((void *)2)

/**
 * struct l4lb_proc_iter - seq_file private state
 * @p: required first member for proc_create_net()
 * @it: the walk's position
 * @prev: the walk's position before it returned the row at @pos
 * @pos: seq position of the row @it returned last; 0 before the first
 */
struct l4lb_proc_iter {
	struct seq_net_private p;
	struct l4lb_conn_iter it;
	struct l4lb_conn_iter prev;
	loff_t pos;
};

static const char * const l4lb_state_names[] = L4LB_CONN_STATE_NAMES;

static const char *l4lb_proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	default:
		return "TPL";	/* persistence template */
	}
}

static struct l4lb_conn_table *l4lb_seq_tab(struct seq_file *seq)
{
	return l4lb_pernet(seq_file_net(seq))->tab;
}

/* The row at seq position @want (row k sits at position k), the footer
 * just past the last row, or NULL past the footer.
 */
static void *l4lb_seq_get(struct seq_file *seq, loff_t want)
{
	struct l4lb_conn_table *tab = l4lb_seq_tab(seq);
	struct l4lb_proc_iter *pi = seq->private;
	struct l4lb_conn *conn = NULL;

	if (want <= pi->pos) {	/* behind the walk: start it again */
		l4lb_conn_iter_init(&pi->it);
		pi->pos = 0;
	}
	while (pi->pos < want) {
		pi->prev = pi->it;
		conn = tab ? l4lb_conn_iter_next(tab, &pi->it) : NULL;
		if (!conn)
			return want == pi->pos + 1 ? L4LB_SEQ_FOOTER : NULL;
		pi->pos++;
	}
	return conn;
}

static void *l4lb_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct l4lb_proc_iter *pi = seq->private;

	rcu_read_lock();
	if (*pos == 0)
		return SEQ_START_TOKEN;
	/* The row fetched last but not shown (the buffer was full): step
	 * back to just before it, so it is found again by counting.
	 */
	if (*pos == pi->pos) {
		pi->it = pi->prev;
		pi->pos--;
	}
	l4lb_conn_iter_pause(&pi->it);
	return l4lb_seq_get(seq, *pos);
}

static void *l4lb_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	if (v == L4LB_SEQ_FOOTER)
		return NULL;
	return l4lb_seq_get(seq, *pos);
}

static void l4lb_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* The longest "[ipv6]:port", its NUL included. */
#define L4LB_EP6_LEN	(INET6_ADDRSTRLEN + sizeof("[]:65535"))

/* An IPv6 row's line: the columns of an IPv4 one, each endpoint as
 * [addr]:port (left-aligned; wider than the column if it must).
 */
static void l4lb_seq_show6(struct seq_file *seq, const struct l4lb_conn *conn,
			   const char *proto, const union nf_inet_addr *laddr,
			   __be16 lport, const union nf_inet_addr *baddr,
			   __be16 bport, const char *state, long secs)
{
	char ep[4][L4LB_EP6_LEN];
	union nf_inet_addr caddr, vaddr;

	l4lb_conn_addrs(conn, L4LB_DIR_ORIG, &caddr, &vaddr);
	snprintf(ep[0], sizeof(ep[0]), "[%pI6c]:%u", &caddr.in6,
		 ntohs(l4lb_conn_client_port(conn)));
	snprintf(ep[1], sizeof(ep[1]), "[%pI6c]:%u", &vaddr.in6,
		 ntohs(conn->th[L4LB_DIR_ORIG].tuple.dport));
	snprintf(ep[2], sizeof(ep[2]), "[%pI6c]:%u", &laddr->in6,
		 ntohs(lport));
	snprintf(ep[3], sizeof(ep[3]), "[%pI6c]:%u", &baddr->in6,
		 ntohs(bport));
	seq_printf(seq, "%-3s %-21s %-21s %-21s %-21s %-11s %ld\n", proto,
		   ep[0], ep[1], ep[2], ep[3], state, secs);
}

static int l4lb_seq_show(struct seq_file *seq, void *v)
{
	struct l4lb_conn *conn = v;
	union nf_inet_addr laddr, baddr;
	struct l4lb_conn_table *tab;
	const struct l4lb_tuple *o;
	const char *sname;
	__be16 lport, bport;
	long left, secs;
	u8 state;

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "%-3s %-21s %-21s %-21s %-21s %-11s %s\n",
			   "Pro", "Client", "VIP", "Local", "Backend", "State",
			   "Expires");
		return 0;
	}
	if (v == L4LB_SEQ_FOOTER) {
		tab = l4lb_seq_tab(seq);
		seq_printf(seq, "Current NAT table length: %u\n",
			   tab ? l4lb_conn_count(tab) : 0);
		return 0;
	}
	o = &conn->th[L4LB_DIR_ORIG].tuple;
	l4lb_backend_conn_endpoints(conn, &laddr, &lport, &baddr, &bport);
	state = READ_ONCE(conn->state);
	sname = state < ARRAY_SIZE(l4lb_state_names) ?
		l4lb_state_names[state] : "?";
	left = (long)(READ_ONCE(conn->expires) - jiffies);
	secs = left > 0 ? DIV_ROUND_UP(left, HZ) : 0;
	if (l4lb_conn_af(conn) == AF_INET6) {
		l4lb_seq_show6(seq, conn, l4lb_proto_name(o->proto), &laddr,
			       lport, &baddr, bport, sname, secs);
		return 0;
	}
	seq_printf(seq, "%-3s %15pI4:%-5u %15pI4:%-5u %15pI4:%-5u %15pI4:%-5u %-11s %ld\n",
		   l4lb_proto_name(o->proto),
		   &o->saddr, ntohs(l4lb_conn_client_port(conn)),
		   &o->daddr, ntohs(o->dport),
		   &laddr.ip, ntohs(lport), &baddr.ip, ntohs(bport),
		   sname, secs);
	return 0;
}

static const struct seq_operations l4lb_nat_seq_ops = {
	.start = l4lb_seq_start,
	.next = l4lb_seq_next,
	.stop = l4lb_seq_stop,
	.show = l4lb_seq_show,
};

/**
 * l4lb_proc_net_init() - create /proc/net/l4lb/nat in a namespace
 * @ln: the namespace state
 *
 * Context: process (pernet init).
 * Return: 0 or -ENOMEM.
 */
int l4lb_proc_net_init(struct l4lb_net *ln)
{
	ln->proc_dir = proc_net_mkdir(ln->net, "l4lb", ln->net->proc_net);
	if (!ln->proc_dir)
		return -ENOMEM;
	if (!proc_create_net("nat", 0444, ln->proc_dir, &l4lb_nat_seq_ops,
			     sizeof(struct l4lb_proc_iter))) {
		remove_proc_entry("l4lb", ln->net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/**
 * l4lb_proc_net_exit() - remove /proc/net/l4lb in a namespace
 * @ln: the namespace state
 *
 * Waits for readers to leave the files.
 *
 * Context: process.
 */
void l4lb_proc_net_exit(struct l4lb_net *ln)
{
	remove_proc_subtree("l4lb", ln->net->proc_net);
}

/**
 * l4lb_proc_init() - create the /proc/l4lb link
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int l4lb_proc_init(void)
{
	return proc_symlink("l4lb", NULL, "self/net/l4lb") ? 0 : -ENOMEM;
}

/**
 * l4lb_proc_exit() - remove the /proc/l4lb link
 *
 * Context: process, module exit.
 */
void l4lb_proc_exit(void)
{
	remove_proc_entry("l4lb", NULL);
}
