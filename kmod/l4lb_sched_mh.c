// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: Maglev consistent-hashing scheduling.
 *
 * D. E. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI'16, section 3.4. Every usable backend gets a permutation of
 * the lookup table's M slots from two hashes of its address and port
 * (offset = h1 mod M, skip = h2 mod (M - 1) + 1, slot j = offset + j * skip
 * mod M); backends take turns claiming their next free slot until the table
 * is full. A connection goes to table[hash(tuple) mod M].
 *
 *  - M is 65537, the size the paper uses, or the smallest prime >= 100 * N
 *    for more than 655 backends; so every backend's share is within about
 *    1% of its due. M must not follow the number of usable backends: a
 *    change of M moves every key's slot, and then about half the keys of
 *    the backends that stayed would move too. With M fixed, removing one of
 *    N backends moves about 1/N of the keys.
 *  - Weights are honoured by giving each backend turns in proportion to its
 *    weight: a credit grows by the weight every round and a slot costs the
 *    largest weight.
 *  - All hashes are jhash with the l4lb_mh_seed parameter, and backends are
 *    ordered by address and port before filling, so two l4lb nodes with the
 *    same backends and seed build the same table and make the same choice.
 *    That is what lets several balancers share traffic behind ECMP. An
 *    IPv6 backend's address is hashed whole; an IPv6 connection's tuple
 *    holds 32-bit folds of its addresses (l4lb_addr6_fold()), which are
 *    as deterministic.
 *  - With l4lb_mh_source set, only the client address is hashed: every
 *    connection of a client goes to the same backend (as IPVS's sh does).
 *
 * The table is rebuilt, in process context, whenever the set, a weight or a
 * state changes, and published with RCU; unusable backends are left out, so
 * their keys move and nothing else does.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_mem.h"
#include "l4lb_sched.h"
#include "l4lb_sched_mh.h"

static unsigned int l4lb_mh_seed;
module_param_named(mh_seed, l4lb_mh_seed, uint, 0444);
MODULE_PARM_DESC(mh_seed, "hash seed of the mh scheduler; equal on every node that must agree (default 0)");

static bool l4lb_mh_source;
module_param_named(mh_source, l4lb_mh_source, bool, 0444);
MODULE_PARM_DESC(mh_source, "mh hashes the client address only, not the 5-tuple (default no)");

/**
 * struct l4lb_mh_table - a Maglev lookup table
 * @rcu: deferred free
 * @size: M, a prime
 * @n: number of usable backends in @be; 0 leaves @slot unused
 * @be: the usable backends, sorted by address and port
 * @slot: index in @be of each slot's backend (L4LB_BACKENDS_MAX < 65536)
 */
struct l4lb_mh_table {
	struct rcu_head rcu;
	unsigned int size;
	unsigned int n;
	struct l4lb_backend **be;
	u16 slot[];
};

/**
 * struct l4lb_mh - per-service state
 * @table: the current lookup table (RCU)
 */
struct l4lb_mh {
	struct l4lb_mh_table __rcu *table;
};

static bool l4lb_is_prime(unsigned int n)
{
	unsigned int d;

	if (n < 2)
		return false;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

/**
 * l4lb_mh_table_size() - the Maglev table size for @n backends
 * @n: number of backends in the array, usable or not
 *
 * Context: any.
 * Return: 65537, or the smallest prime >= 100 * @n if that is larger.
 */
unsigned int l4lb_mh_table_size(unsigned int n)
{
	unsigned int m = max(100 * n, 65537U);

	while (!l4lb_is_prime(m))
		m++;
	return m;
}

/* By address, as a number (IPv4: .ip, the rest zero), then by port. */
static int l4lb_mh_cmp(const void *a, const void *b)
{
	const struct l4lb_backend *x = *(const struct l4lb_backend **)a;
	const struct l4lb_backend *y = *(const struct l4lb_backend **)b;
	int d = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	if (d)
		return d;
	return (int)ntohs(x->port) - (int)ntohs(y->port);
}

/*
 * The address of a backend, as its permutation's hashes take it: an IPv4
 * one (.ip, the rest zero) as a number, as it always was; an IPv6 one
 * hashed whole, so that backends of one prefix get permutations of their
 * own.
 */
static u32 l4lb_mh_be_key(const struct l4lb_backend *be, u32 seed)
{
	const u32 *w = be->addr.all;

	if (!w[1] && !w[2] && !w[3])
		return ntohl(be->addr.ip);
	return jhash2(w, 4, seed);
}

/**
 * l4lb_mh_build() - build a Maglev table for the usable backends of an array
 * @arr: the backend array
 * @seed: hash seed
 *
 * The table (about 128 KiB: at least 65537 two-byte slots) and the
 * scratch space are charged to the caller's memory cgroup (l4lb_mem.h).
 *
 * Context: process, may sleep.
 * Return: the table, or NULL if out of memory. Its @n is 0 when no backend
 * is usable.
 */
struct l4lb_mh_table *l4lb_mh_build(const struct l4lb_backend_array *arr,
				    u32 seed)
{
	struct l4lb_backend **be;
	struct l4lb_mh_table *tab;
	u32 *offset, *skip, *next;
	unsigned long *used;
	u64 *credit;
	unsigned int n = 0, m, i, filled = 0;
	u32 wmax = 0;

	be = kcalloc(max(arr->n, 1U), sizeof(*be), L4LB_GFP_CTL);
	if (!be)
		return NULL;
	for (i = 0; i < arr->n; i++)
		if (l4lb_backend_usable(arr->be[i]))
			be[n++] = arr->be[i];
	sort(be, n, sizeof(*be), l4lb_mh_cmp, NULL);

	m = l4lb_mh_table_size(arr->n);
	tab = kvzalloc(struct_size(tab, slot, m), L4LB_GFP_CTL);
	/* One block: the u64 credits first, so they are aligned. */
	credit = kcalloc(max(n, 1U), sizeof(u64) + sizeof(u32) * 3,
			 L4LB_GFP_CTL);
	used = bitmap_zalloc(m, L4LB_GFP_CTL);
	if (!tab || !credit || !used) {
		kvfree(tab);
		kfree(credit);
		bitmap_free(used);
		kfree(be);
		return NULL;
	}
	offset = (u32 *)(credit + n);
	skip = offset + n;
	next = skip + n;
	tab->size = m;
	tab->n = n;
	tab->be = be;

	for (i = 0; i < n; i++) {
		u32 key = l4lb_mh_be_key(be[i], seed);
		u32 port = ntohs(be[i]->port);

		offset[i] = jhash_2words(key, port, seed) % m;
		skip[i] = jhash_2words(key, port, ~seed) % (m - 1) + 1;
		wmax = max(wmax, l4lb_backend_weight(be[i]));
	}

	/* Each round, backend i earns its weight; a slot costs wmax. */
	while (n && filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			credit[i] += l4lb_backend_weight(be[i]);
			while (credit[i] >= wmax && filled < m) {
				u32 c;

				credit[i] -= wmax;
				do {
					c = (offset[i] + (u64)next[i] * skip[i]) % m;
					next[i]++;
				} while (test_bit(c, used));
				__set_bit(c, used);
				tab->slot[c] = i;
				filled++;
			}
		}
	}
	bitmap_free(used);
	kfree(credit);
	return tab;
}

/**
 * l4lb_mh_table_free() - free a table from l4lb_mh_build()
 * @tab: the table; may be NULL
 *
 * Context: any but NMI.
 */
void l4lb_mh_table_free(struct l4lb_mh_table *tab)
{
	if (tab) {
		kfree(tab->be);
		kvfree(tab);
	}
}

/**
 * l4lb_mh_lookup() - the backend of a key in a table
 * @tab: the table
 * @hash: the key's hash (l4lb_mh_hash())
 *
 * If the key's backend stopped taking new connections since the table was
 * built, the next usable slot's backend is taken, which keeps the choice
 * deterministic until the table is rebuilt.
 *
 * Context: any; the table must stay alive (RCU).
 * Return: a usable backend, or NULL if there is none.
 */
struct l4lb_backend *l4lb_mh_lookup(const struct l4lb_mh_table *tab, u32 hash)
{
	unsigned int s = hash % tab->size, i;
	struct l4lb_backend *be;

	if (!tab->n)
		return NULL;
	for (i = 0; i < tab->size; i++) {
		be = tab->be[tab->slot[(s + i) % tab->size]];
		if (l4lb_backend_usable(be))
			return be;
	}
	return NULL;
}

static void l4lb_mh_free_rcu(struct rcu_head *head)
{
	l4lb_mh_table_free(container_of(head, struct l4lb_mh_table, rcu));
}

static int l4lb_mh_update(struct l4lb_sched_inst *inst,
			  const struct l4lb_backend_array *arr)
{
	struct l4lb_mh *mh = l4lb_sched_priv(inst);
	struct l4lb_mh_table *tab, *old;

	tab = l4lb_mh_build(arr, l4lb_mh_seed);
	if (!tab)
		return -ENOMEM;
	old = rcu_replace_pointer(mh->table, tab, true);
	if (old)
		call_rcu(&old->rcu, l4lb_mh_free_rcu);
	return 0;
}

/**
 * l4lb_mh_hash() - the key of a connection
 * @t: its original tuple; of an IPv6 connection (@t->v6), with the folds
 *	of its addresses
 * @seed: hash seed
 * @source_only: hash the client address only
 *
 * @t->v6 is mixed in as the NAT table's hash does; it is 0 for IPv4, whose
 * keys hash as they always did.
 *
 * Context: any.
 * Return: the hash.
 */
u32 l4lb_mh_hash(const struct l4lb_tuple *t, u32 seed, bool source_only)
{
	if (source_only)
		return jhash_1word(ntohl(t->saddr), seed ^ t->v6);
	return jhash_3words(ntohl(t->saddr), ntohl(t->daddr),
			    ((u32)ntohs(t->sport) << 16 | ntohs(t->dport)) ^
			    t->proto ^ (t->v6 << 8), seed);
}

static struct l4lb_backend *l4lb_mh_schedule(struct l4lb_sched_inst *inst,
					     const struct l4lb_backend_array *arr,
					     const struct l4lb_tuple *t)
{
	struct l4lb_mh *mh = l4lb_sched_priv(inst);
	struct l4lb_mh_table *tab = rcu_dereference(mh->table);

	if (!tab)
		return NULL;
	return l4lb_mh_lookup(tab, l4lb_mh_hash(t, l4lb_mh_seed,
						l4lb_mh_source));
}

static void l4lb_mh_done(struct l4lb_sched_inst *inst)
{
	struct l4lb_mh *mh = l4lb_sched_priv(inst);

	l4lb_mh_table_free(rcu_dereference_protected(mh->table, 1));
}

const struct l4lb_scheduler l4lb_sched_mh = {
	.name = "mh",
	.priv_size = sizeof(struct l4lb_mh),
	.update = l4lb_mh_update,
	.schedule = l4lb_mh_schedule,
	.done = l4lb_mh_done,
};
