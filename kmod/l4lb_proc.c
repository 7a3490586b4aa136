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
 * (addresses as ip:port, Expires in seconds until the row expires if idle),
 * and ends with "Current NAT table length: N". Persistence templates show
 * as protocol TPL in state PERSIST.
 *
 * The walk runs under rcu_read_lock() between ->start and ->stop and takes
 * no lock, so reading never blocks the packet path. Rows are visited
 * through their original direction only. The iterator remembers the bucket
 * it stopped in and the position of that bucket's first row, so that a
 * large table is read in linear time across read() calls.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "l4lb_conn.h"
#include "l4lb_proc.h"
#include "l4lb_service.h"

#define L4LB_SEQ_FOOTER		((void *)2)

/**
 * struct l4lb_proc_iter - seq_file private state
 * @p: required first member for proc_create_net()
 * @bucket: bucket of the row returned last
 * @bucket_pos: seq position of the first row of @bucket
 * @footer_pos: seq position of the footer once reached, else 0
 */
struct l4lb_proc_iter {
	struct seq_net_private p;
	unsigned int bucket;
	loff_t bucket_pos;
	loff_t footer_pos;
};

static const char * const l4lb_state_names[] = {
	[L4LB_CONN_NONE]	= "NONE",
	[L4LB_CONN_SYN_SENT]	= "SYN_SENT",
	[L4LB_CONN_SYN_RECV]	= "SYN_RECV",
	[L4LB_CONN_ESTABLISHED]	= "ESTABLISHED",
	[L4LB_CONN_FIN_WAIT]	= "FIN_WAIT",
	[L4LB_CONN_CLOSE_WAIT]	= "CLOSE_WAIT",
	[L4LB_CONN_LAST_ACK]	= "LAST_ACK",
	[L4LB_CONN_TIME_WAIT]	= "TIME_WAIT",
	[L4LB_CONN_CLOSE]	= "CLOSE",
	[L4LB_CONN_UDP]		= "UDP",
	[L4LB_CONN_PERSIST]	= "PERSIST",
};

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

/*
 * Walk from bucket @b, whose first row sits at seq position @first, to the
 * row at position @want (>= @first); NULL past the last row.
 */
static struct l4lb_conn *l4lb_seq_walk(struct seq_file *seq, unsigned int b,
				       loff_t first, loff_t want)
{
	struct l4lb_conn_table *tab = l4lb_seq_tab(seq);
	struct l4lb_proc_iter *it = seq->private;
	struct l4lb_tuple_hash *th;

	if (!tab)
		return NULL;
	for (; b < (1U << tab->bits); b++) {
		it->bucket = b;
		it->bucket_pos = first;
		hlist_for_each_entry_rcu(th, &tab->buckets[b], node) {
			if (th->tuple.dir != L4LB_DIR_ORIG)
				continue;
			if (first == want)
				return l4lb_tuplehash_to_conn(th);
			first++;
		}
	}
	return NULL;
}

static void *l4lb_seq_end(struct l4lb_proc_iter *it, loff_t pos)
{
	if (it->footer_pos && pos > it->footer_pos)
		return NULL;
	it->footer_pos = pos;
	return L4LB_SEQ_FOOTER;
}

static void *l4lb_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct l4lb_proc_iter *it = seq->private;
	struct l4lb_conn *conn;

	rcu_read_lock();
	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (it->footer_pos && *pos >= it->footer_pos)
		return l4lb_seq_end(it, *pos);
	/* Row k sits at position k + 1; resume from the remembered bucket. */
	if (it->bucket_pos && *pos >= it->bucket_pos)
		conn = l4lb_seq_walk(seq, it->bucket, it->bucket_pos, *pos);
	else
		conn = l4lb_seq_walk(seq, 0, 1, *pos);
	return conn ?: l4lb_seq_end(it, *pos);
}

static void *l4lb_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct l4lb_proc_iter *it = seq->private;
	struct l4lb_tuple_hash *th;
	struct l4lb_conn *conn;

	++*pos;
	if (v == L4LB_SEQ_FOOTER)
		return NULL;
	if (v == SEQ_START_TOKEN) {
		conn = l4lb_seq_walk(seq, 0, 1, *pos);
		return conn ?: l4lb_seq_end(it, *pos);
	}
	/* Continue in the bucket of @v, then in the next buckets. */
	th = &((struct l4lb_conn *)v)->th[L4LB_DIR_ORIG];
	hlist_for_each_entry_continue_rcu(th, node) {
		if (th->tuple.dir == L4LB_DIR_ORIG)
			return l4lb_tuplehash_to_conn(th);
	}
	conn = l4lb_seq_walk(seq, it->bucket + 1, *pos, *pos);
	return conn ?: l4lb_seq_end(it, *pos);
}

static void l4lb_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int l4lb_seq_show(struct seq_file *seq, void *v)
{
	struct l4lb_conn *conn = v;
	struct l4lb_conn_table *tab;
	const struct l4lb_tuple *o;
	__be16 lport, bport;
	__be32 laddr, baddr;
	long left;
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
	l4lb_conn_endpoints(conn, &laddr, &lport, &baddr, &bport);
	state = READ_ONCE(conn->state);
	left = (long)(READ_ONCE(conn->expires) - jiffies);
	seq_printf(seq, "%-3s %15pI4:%-5u %15pI4:%-5u %15pI4:%-5u %15pI4:%-5u %-11s %ld\n",
		   l4lb_proto_name(o->proto),
		   &o->saddr, ntohs(l4lb_conn_client_port(conn)),
		   &o->daddr, ntohs(o->dport),
		   &laddr, ntohs(lport), &baddr, ntohs(bport),
		   state < ARRAY_SIZE(l4lb_state_names) ?
		   l4lb_state_names[state] : "?",
		   left > 0 ? DIV_ROUND_UP(left, HZ) : 0);
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
