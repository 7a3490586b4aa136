// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: translated packets past br_netfilter.
 *
 * A host with br_netfilter (bridge-nf-call-iptables=1) runs PRE_ROUTING
 * inside the bridge for frames to the bridge's own address. When that pass
 * ends, br_netfilter routes a packet whose destination changed once more,
 * from its (now local) source, and drops it as a martian. A last
 * PRE_ROUTING hook (l4lb_bridge_hook()) therefore hands such packets,
 * already routed by l4lb, straight to the routing layer.
 *
 * Only a namespace with a bridge needs it, so, as br_netfilter does with
 * its own hooks, it is registered in a namespace at the NETDEV_REGISTER of
 * its first bridge: a bridge created there or moved in, or one that exists
 * when the module loads (register_netdevice_notifier() replays the event
 * for every device). It stays until the namespace or the module goes,
 * services or not: it passes every packet l4lb did not route.
 *
 * Locking: l4lb_net::bridged is written under RTNL by the notifier, and
 * read without it at pernet exit, when no notifier call can come for the
 * namespace any more: its devices are gone, or the module's notifier is.
 * The notifier takes no lock of l4lb's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/notifier.h>
#include <linux/rtnetlink.h>
#include <net/dst.h>
#include <net/dst_metadata.h>

#include "l4lb_bridge.h"
#include "l4lb_net.h"

#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)

/**
 * l4lb_bridge_hook() - hand a routed packet on past br_netfilter
 * @priv: unused
 * @skb: a packet at the last PRE_ROUTING hook
 * @state: the hook's state
 *
 * Inside br_netfilter's PRE_ROUTING pass, a packet that l4lb translated
 * already carries the route l4lb_route() chose. br_netfilter would route
 * it again, from its new local source, and drop it as a martian; so it
 * leaves the bridge here: its bridge state is dropped and it goes on along
 * its route (forwarded, or delivered locally), as a routed packet would.
 * Every other packet passes.
 *
 * Context: a netfilter hook at NF_IP_PRI_LAST (NF_IP6_PRI_LAST), softirq.
 * Return: NF_STOLEN if the packet went on, else NF_ACCEPT.
 */
static unsigned int l4lb_bridge_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct nf_bridge_info *nf_bridge = nf_bridge_info_get(skb);

	/* Before br_nf_pre_routing_finish() only l4lb attaches a route. */
	if (!nf_bridge || !nf_bridge->in_prerouting || !skb_valid_dst(skb))
		return NF_ACCEPT;
	skb_ext_del(skb, SKB_EXT_BRIDGE_NF);
	dst_input(skb);
	return NF_STOLEN;
}

static const struct nf_hook_ops l4lb_bridge_ops[] = {
	{
		.hook = l4lb_bridge_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_LAST,
	},
	{
		.hook = l4lb_bridge_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_LAST,
	},
};

/* NETDEV_REGISTER of a bridge: register the hooks in its namespace, once.
 * On failure the bridge is not registered.
 */
static int l4lb_bridge_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct l4lb_net *ln;
	int err;

	if (event != NETDEV_REGISTER || !netif_is_bridge_master(dev))
		return NOTIFY_DONE;
	ASSERT_RTNL();
	ln = l4lb_pernet(dev_net(dev));
	if (ln->bridged)
		return NOTIFY_OK;
	err = nf_register_net_hooks(ln->net, l4lb_bridge_ops,
				    ARRAY_SIZE(l4lb_bridge_ops));
	if (err) {
		pr_warn_ratelimited("%s: cannot register the bridge hooks: error %d\n",
				    dev->name, err);
		return notifier_from_errno(err);
	}
	ln->bridged = true;
	return NOTIFY_OK;
}

static struct notifier_block l4lb_bridge_nb = {
	.notifier_call = l4lb_bridge_event,
};

/**
 * l4lb_bridge_init() - follow the bridges of every namespace
 *
 * Registers the hooks at once in each namespace that has a bridge. Call
 * after the pernet subsystem is registered: the replay needs each
 * namespace's state.
 *
 * Context: process, module init; takes RTNL.
 * Return: 0, or a negative errno (of the hooks' registration in a
 * namespace that has a bridge); hooks registered before the failure stay
 * until l4lb_bridge_net_exit().
 */
int l4lb_bridge_init(void)
{
	return register_netdevice_notifier(&l4lb_bridge_nb);
}

/**
 * l4lb_bridge_exit() - stop following the bridges
 *
 * The hooks stay registered; l4lb_bridge_net_exit() removes them. Call
 * before the pernet subsystem is unregistered.
 *
 * Context: process, module exit; takes RTNL.
 */
void l4lb_bridge_exit(void)
{
	unregister_netdevice_notifier(&l4lb_bridge_nb);
}

/**
 * l4lb_bridge_net_exit() - unregister a namespace's bridge hooks, if any
 * @ln: namespace state
 *
 * Waits until no CPU runs the hooks any more.
 *
 * Context: process (pernet exit).
 */
void l4lb_bridge_net_exit(struct l4lb_net *ln)
{
	if (!ln->bridged)
		return;
	nf_unregister_net_hooks(ln->net, l4lb_bridge_ops,
				ARRAY_SIZE(l4lb_bridge_ops));
	ln->bridged = false;
}

#endif /* CONFIG_BRIDGE_NETFILTER */
