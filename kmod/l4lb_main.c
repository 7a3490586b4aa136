// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: an in-kernel full-NAT L4 (TCP/UDP) load balancer.
 *
 * This file only wires the parts together at module load and unload, and
 * at the birth and death of each network namespace. README's "Source
 * layout" says which file holds what.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "l4lb_bridge.h"
#include "l4lb_conn.h"
#include "l4lb_ctl.h"
#include "l4lb_event.h"
#include "l4lb_fault.h"
#include "l4lb_net.h"
#include "l4lb_netlink.h"
#include "l4lb_params.h"
#include "l4lb_proc.h"

static int __net_init l4lb_pernet_init(struct net *net)
{
	struct l4lb_net *ln = l4lb_pernet(net);
	int err;

	err = l4lb_net_init(ln, net);
	if (err)
		return err;
	l4lb_event_net_init(ln);
	err = l4lb_proc_net_init(ln);
	if (err)
		l4lb_net_exit(ln);
	return err;
}

static void __net_exit l4lb_pernet_exit(struct net *net)
{
	struct l4lb_net *ln = l4lb_pernet(net);

	l4lb_proc_net_exit(ln);
	l4lb_bridge_net_exit(ln);
	l4lb_ctl_net_exit(ln);
	l4lb_net_exit(ln);
}

static struct pernet_operations l4lb_net_ops = {
	.init = l4lb_pernet_init,
	.exit = l4lb_pernet_exit,
	.id = &l4lb_net_id,
	.size = sizeof(struct l4lb_net),
};

/* Set up the initial namespace's service from the module parameters. */
static int l4lb_init_service(const struct l4lb_service_cfg *cfg,
			     const struct l4lb_addr_port *be, unsigned int n)
{
	struct l4lb_net *ln = l4lb_pernet(&init_net);
	struct l4lb_be_req req = {
		.sel = {
			.af = cfg->af,
			.vip = cfg->vip,
			.port = cfg->port,
			.proto = cfg->proto,
		},
	};
	unsigned int i;
	int err;

	err = l4lb_ctl_service_set(ln, cfg, NULL);
	if (err) {
		pr_err("cannot create the service: error %d\n", err);
		return err;
	}
	for (i = 0; i < n; i++) {
		struct netlink_ext_ack extack = {};

		req.addr = be[i].addr;
		req.port = be[i].port;
		err = l4lb_ctl_backend_add(ln, &req, &extack);
		if (err && cfg->af == AF_INET6)
			pr_err("invalid backends: [%pI6c]:%u: %s (error %d)\n",
			       &be[i].addr.in6, ntohs(be[i].port),
			       extack._msg ?: "cannot add it", err);
		else if (err)
			pr_err("invalid backends: %pI4:%u: %s (error %d)\n",
			       &be[i].addr.ip, ntohs(be[i].port),
			       extack._msg ?: "cannot add it", err);
		if (err)
			return err;
	}
	if (cfg->af == AF_INET6)
		pr_info("service [%pI6c]:%u/%s, %u backend(s), scheduler %s\n",
			&cfg->vip.in6, ntohs(cfg->port),
			cfg->proto == IPPROTO_TCP ? "tcp" : "udp", n, cfg->sched);
	else
		pr_info("service %pI4:%u/%s, %u backend(s), scheduler %s\n",
			&cfg->vip.ip, ntohs(cfg->port),
			cfg->proto == IPPROTO_TCP ? "tcp" : "udp", n, cfg->sched);
	return 0;
}

static int __init l4lb_init(void)
{
	struct l4lb_service_cfg cfg;
	struct l4lb_addr_port *be;
	unsigned int n;
	bool has_svc;
	int err;

	err = l4lb_params_check();
	if (err)
		return err;
	l4lb_ctl_init();
	err = l4lb_params_cfg(&cfg, &be, &n);
	if (err < 0)
		return err;
	has_svc = !err;
	err = l4lb_conn_cache_init();
	if (err)
		goto err_be;
	err = l4lb_proc_init();
	if (err)
		goto err_cache;
	err = register_pernet_subsys(&l4lb_net_ops);
	if (err)
		goto err_proc;
	/* After the pernet subsystem: its replay needs each l4lb_net. */
	err = l4lb_bridge_init();
	if (err)
		goto err_pernet;
	if (has_svc) {
		err = l4lb_init_service(&cfg, be, n);
		if (err)
			goto err_bridge;
	} else {
		pr_info("no vip=: no service until l4lbctl adds one\n");
	}
	err = l4lb_netlink_init();
	if (err)
		goto err_bridge;
	l4lb_fault_init();
	kfree(be);
	return 0;

err_bridge:
	l4lb_bridge_exit();
err_pernet:
	unregister_pernet_subsys(&l4lb_net_ops);
	rcu_barrier();
err_proc:
	l4lb_proc_exit();
err_cache:
	l4lb_conn_cache_exit();
err_be:
	kfree(be);
	return err;
}

static void __exit l4lb_exit(void)
{
	l4lb_fault_exit();
	l4lb_netlink_exit();
	l4lb_bridge_exit();
	unregister_pernet_subsys(&l4lb_net_ops);
	/* Rows, backends and scheduler instances are freed by RCU callbacks;
	 * wait for them before their cache and code go away.
	 */
	rcu_barrier();
	l4lb_proc_exit();
	l4lb_conn_cache_exit();
}

module_init(l4lb_init);
module_exit(l4lb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("l4lb: in-kernel full-NAT L4 load balancer");
