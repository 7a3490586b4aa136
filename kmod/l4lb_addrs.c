// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: an address list. The locking rules are in l4lb_addrs.h.
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "l4lb_addrs.h"
#include "l4lb_mem.h"

/* Network byte order is big-endian, so memcmp() compares as numbers. */
static int l4lb_addrs_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(union nf_inet_addr));
}

/**
 * l4lb_addrs_sort() - put addresses in a list's order
 * @addrs: network byte order, all of one family (an IPv4 one in .ip, the
 *	rest zero); sorted in place
 * @n: their number
 *
 * Ascending as numbers, so 10.0.1.9 comes before 10.0.1.10 and
 * 2001:db8::9 before 2001:db8::10.
 *
 * Context: any.
 */
void l4lb_addrs_sort(union nf_inet_addr *addrs, unsigned int n)
{
	sort(addrs, n, sizeof(*addrs), l4lb_addrs_cmp, NULL);
}

static int l4lb_addrs_cmp_ip(const void *a, const void *b)
{
	u32 x = ntohl(*(const __be32 *)a), y = ntohl(*(const __be32 *)b);

	return x < y ? -1 : x > y;
}

/**
 * l4lb_addrs_sort_ip() - put IPv4 addresses in a list's order
 * @addrs: network byte order; sorted in place
 * @n: their number
 *
 * The order l4lb_addrs_sort() gives the same addresses in .ip; for lists
 * kept as plain IPv4 addresses (a service's peers).
 *
 * Context: any.
 */
void l4lb_addrs_sort_ip(__be32 *addrs, unsigned int n)
{
	sort(addrs, n, sizeof(*addrs), l4lb_addrs_cmp_ip, NULL);
}

/**
 * l4lb_addrs_alloc() - a list of these addresses
 * @addrs: network byte order, sorted (l4lb_addrs_sort()), no repeats, each
 *	checked by the owner (l4lb_check_snat_pool(), l4lb_check_peers())
 * @n: their number, 0 to @max
 * @max: the owner's limit (L4LB_SNAT_ADDRS_MAX, L4LB_PEERS_MAX); its
 *	checks refuse more, so more here is a bug
 *
 * Charged to the caller's memory cgroup (l4lb_mem.h).
 *
 * Context: process, may sleep.
 * Return: the list; NULL for @n 0 (no list); ERR_PTR(-EINVAL) for @n above
 * @max (with a warning); ERR_PTR(-ENOMEM).
 */
struct l4lb_addrs *l4lb_addrs_alloc(const union nf_inet_addr *addrs,
				    unsigned int n, unsigned int max)
{
	struct l4lb_addrs *list;

	if (!n)
		return NULL;
	if (WARN_ON_ONCE(n > max))
		return ERR_PTR(-EINVAL);
	list = kmalloc(struct_size(list, addrs, n), L4LB_GFP_CTL);
	if (!list)
		return ERR_PTR(-ENOMEM);
	list->n = n;
	memcpy(list->addrs, addrs, n * sizeof(*addrs));
	return list;
}

/**
 * l4lb_addrs_same() - does a list hold exactly these addresses?
 * @list: the list; NULL is the empty one
 * @addrs: network byte order, in a list's order
 * @n: their number
 *
 * Context: any; the caller keeps @list alive.
 * Return: true if they are the same, in the same order.
 */
bool l4lb_addrs_same(const struct l4lb_addrs *list,
		     const union nf_inet_addr *addrs, unsigned int n)
{
	if (!list)
		return !n;
	return list->n == n && !memcmp(list->addrs, addrs, n * sizeof(*addrs));
}

/**
 * l4lb_addrs_free() - free a list once no reader can see it
 * @list: the list, unpublished; may be NULL
 *
 * Context: any.
 */
void l4lb_addrs_free(struct l4lb_addrs *list)
{
	if (list)
		kfree_rcu(list, rcu);
}
