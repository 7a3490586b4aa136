// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the Maglev scheduler (kmod/l4lb_sched_mh.c): its table
 * (l4lb_mh_build(), l4lb_mh_lookup(), l4lb_mh_table_size()), its key
 * (l4lb_mh_hash()), and the "mh" scheduler of the registry, with backend
 * sets built by hand.
 *
 * A table of up to 655 backends has 65537 slots: building one is cheap, and
 * the cases below build a few dozen and look up a few million keys in all.
 * Keys are 5-tuples drawn from a PRNG of fixed seed, so every run checks
 * the same keys.
 *
 * The IPv6 cases (mh6_*) take backends of one /64 and keys of IPv6
 * clients, whose tuples hold 32-bit folds of their addresses
 * (l4lb_addr6_fold()), as the packet path builds them.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/jhash.h>
#include <linux/overflow.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_kunit.h"
#include "l4lb_sched.h"
#include "l4lb_sched_mh.h"

#define MAX_BE		16
#define NKEYS		100000U
#define KEY_SEED	0x6c346c62ULL
#define MH_SEED		0x5eed1234U

/* @n backends of weight 1, up; @set lists them in order unless reordered;
 * @v6: IPv6 backends, and the keys of next_tuple() IPv6 ones.
 */
struct mh_fixture {
	struct l4lb_backend be[MAX_BE];
	struct l4lb_backend_array *set;
	unsigned int n;
	bool v6;
};

static struct mh_fixture *mh_setup(struct kunit *test, unsigned int n,
				   const u32 *weight)
{
	struct mh_fixture *f;
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, (unsigned int)MAX_BE);
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->set = kunit_kzalloc(test, struct_size(f->set, be, MAX_BE),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->set);
	for (i = 0; i < MAX_BE; i++) {
		struct l4lb_backend *be = &f->be[i];

		INIT_LIST_HEAD(&be->list);
		be->addr.ip = htonl(0x0a010000 + 7 * i + 1);	/* 10.1.0.x */
		be->port = htons(8080 + (i & 1));
		be->weight = weight && i < n ? weight[i] : 1;
		be->weight_pct = L4LB_WEIGHT_PCT_DEFAULT;
		be->state = L4LB_BE_STATE_UP;
		refcount_set(&be->refcnt, 1);
	}
	for (i = 0; i < n; i++)
		f->set->be[i] = &f->be[i];
	f->set->n = n;
	f->n = n;
	return f;
}

/* mh_setup() with backends 2001:db8::<7i + 1>, one /64: their first 32
 * bits, all that an IPv4 address has, are the same.
 */
static struct mh_fixture *mh_setup6(struct kunit *test, unsigned int n,
				    const u32 *weight)
{
	struct mh_fixture *f = mh_setup(test, n, weight);
	unsigned int i;

	for (i = 0; i < MAX_BE; i++) {
		struct in6_addr *a = &f->be[i].addr.in6;

		memset(a, 0, sizeof(*a));
		a->s6_addr32[0] = htonl(0x20010db8);
		a->s6_addr32[3] = htonl(7 * i + 1);
	}
	f->v6 = true;
	return f;
}

/* The same backend: address and port. */
static bool same_backend(const struct l4lb_backend *x,
			 const struct l4lb_backend *y)
{
	return !memcmp(&x->addr, &y->addr, sizeof(x->addr)) &&
	       x->port == y->port;
}

static int mh_fixture_index(struct mh_fixture *f, struct l4lb_backend *be)
{
	if (!be)
		return -1;
	if (be < f->be || be >= f->be + MAX_BE)
		return -2;
	return be - f->be;
}

static void table_res_free(struct kunit_resource *res)
{
	l4lb_mh_table_free(res->data);
}

static int table_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* l4lb_mh_build(), the table freed when the test ends. */
static struct l4lb_mh_table *build(struct kunit *test,
				   const struct l4lb_backend_array *set, u32 seed)
{
	struct l4lb_mh_table *tab = l4lb_mh_build(set, seed);

	KUNIT_ASSERT_NOT_NULL(test, tab);
	if (!kunit_alloc_resource(test, table_res_init, table_res_free,
				  GFP_KERNEL, tab)) {
		l4lb_mh_table_free(tab);
		KUNIT_ASSERT_FAILURE(test, "no memory for a kunit resource");
	}
	return tab;
}

/* A client's connection to the VIP, from the key PRNG. */
static void random_tuple(struct rnd_state *rs, struct l4lb_tuple *t)
{
	u32 r = prandom_u32_state(rs);

	memset(t, 0, sizeof(*t));
	t->saddr = htonl(prandom_u32_state(rs));
	t->daddr = htonl(0xc0000201);			/* 192.0.2.1 */
	t->sport = htons(1024 + r % 64512);
	t->dport = htons(80);
	t->proto = r & 0x80000000 ? IPPROTO_UDP : IPPROTO_TCP;
}

/* An IPv6 client's connection to the VIP 2001:db8::1, from the key PRNG:
 * its tuple, with the folds of the addresses.
 */
static void random_tuple6(struct rnd_state *rs, struct l4lb_tuple *t)
{
	struct in6_addr c = { .s6_addr32 = { htonl(0x20010db8) } };
	struct in6_addr vip = { .s6_addr32 = { htonl(0x20010db8), 0, 0,
					       htonl(1) } };
	u32 r = prandom_u32_state(rs);

	c.s6_addr32[1] = htonl(prandom_u32_state(rs));
	c.s6_addr32[2] = htonl(prandom_u32_state(rs));
	c.s6_addr32[3] = htonl(prandom_u32_state(rs));
	memset(t, 0, sizeof(*t));
	t->saddr = l4lb_addr6_fold(&c);
	t->daddr = l4lb_addr6_fold(&vip);
	t->sport = htons(1024 + r % 64512);
	t->dport = htons(443);
	t->proto = r & 0x80000000 ? IPPROTO_UDP : IPPROTO_TCP;
	t->v6 = 1;
}

/* The next key for the backends of @f: an IPv4 or an IPv6 client's. */
static void next_tuple(const struct mh_fixture *f, struct rnd_state *rs,
		       struct l4lb_tuple *t)
{
	if (f->v6)
		random_tuple6(rs, t);
	else
		random_tuple(rs, t);
}

/* The backend of a tuple in a table, as the scheduler finds it. */
static struct l4lb_backend *lookup(const struct l4lb_mh_table *tab,
				   const struct l4lb_tuple *t, u32 seed)
{
	return l4lb_mh_lookup(tab, l4lb_mh_hash(t, seed, false));
}

static bool is_prime(unsigned int n)
{
	unsigned int d;

	if (n < 2)
		return false;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

/* ---- the "mh" scheduler through the registry ------------------------ */

static void inst_res_free(struct kunit_resource *res)
{
	l4lb_sched_inst_free(res->data);
	rcu_barrier();	/* the instance is freed by call_rcu() */
}

static int inst_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static struct l4lb_sched_inst *mh_inst(struct kunit *test)
{
	struct l4lb_sched_inst *inst = l4lb_sched_inst_create("mh");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, inst);
	if (!kunit_alloc_resource(test, inst_res_init, inst_res_free,
				  GFP_KERNEL, inst)) {
		l4lb_sched_inst_free(inst);
		KUNIT_ASSERT_FAILURE(test, "no memory for a kunit resource");
	}
	KUNIT_ASSERT_NOT_NULL(test, inst->sched->schedule);
	KUNIT_ASSERT_NOT_NULL(test, inst->sched->update);
	return inst;
}

static struct l4lb_backend *sched_pick(struct l4lb_sched_inst *inst,
				       const struct l4lb_backend_array *set,
				       const struct l4lb_tuple *t)
{
	struct l4lb_backend *be;

	rcu_read_lock();
	be = inst->sched->schedule(inst, set, t);
	rcu_read_unlock();
	return be;
}

static void mh_registered_and_picks_nothing_before_update(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 3, NULL);
	struct l4lb_sched_inst *inst = mh_inst(test);
	struct l4lb_tuple t;
	struct rnd_state rs;

	KUNIT_EXPECT_TRUE(test, l4lb_sched_exists("mh"));
	prandom_seed_state(&rs, KEY_SEED);
	random_tuple(&rs, &t);
	KUNIT_EXPECT_NULL(test, sched_pick(inst, f->set, &t));
	KUNIT_ASSERT_EQ(test, inst->sched->update(inst, f->set), 0);
	KUNIT_EXPECT_GE(test, mh_fixture_index(f, sched_pick(inst, f->set, &t)), 0);
}

static void mh_same_tuple_same_pick_every_time(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 5, NULL);
	struct l4lb_sched_inst *inst = mh_inst(test);
	unsigned int i, j, count[MAX_BE] = {};
	struct l4lb_tuple t;
	struct rnd_state rs;

	KUNIT_ASSERT_EQ(test, inst->sched->update(inst, f->set), 0);
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 2000; i++) {
		struct l4lb_backend *first;
		int idx;

		random_tuple(&rs, &t);
		first = sched_pick(inst, f->set, &t);
		idx = mh_fixture_index(f, first);
		KUNIT_ASSERT_TRUE_MSG(test, idx >= 0 && idx < 5,
				      "tuple %u went to backend %d", i, idx);
		count[idx]++;
		for (j = 0; j < 10; j++)
			KUNIT_ASSERT_PTR_EQ_MSG(test, sched_pick(inst, f->set, &t),
						first, "tuple %u, pick %u", i, j);
		if (i == 1000) {
			/* A rebuild from the same set changes nothing. */
			KUNIT_ASSERT_EQ(test,
					inst->sched->update(inst, f->set), 0);
		}
	}
	/* Not all to one backend, either. */
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_GT_MSG(test, count[i], 300U, "backend %u", i);

	/* The tables themselves: the same tuple, the same slot, always. */
	{
		struct l4lb_mh_table *tab = build(test, f->set, MH_SEED);

		prandom_seed_state(&rs, KEY_SEED);
		for (i = 0; i < 1000; i++) {
			struct l4lb_backend *first;

			random_tuple(&rs, &t);
			first = lookup(tab, &t, MH_SEED);
			KUNIT_ASSERT_NOT_NULL(test, first);
			for (j = 0; j < 10; j++)
				KUNIT_ASSERT_PTR_EQ(test,
						    lookup(tab, &t, MH_SEED),
						    first);
		}
	}
}

static void mh_tables_built_apart_in_other_order_agree_on_100k_tuples(struct kunit *test)
{
	static const u32 weight[] = { 1, 3, 2, 1, 1, 4, 2 };
	/* Two nodes: distinct backend objects with the same address:port. */
	struct mh_fixture *a = mh_setup(test, 7, weight);
	struct mh_fixture *b = mh_setup(test, 7, weight);
	struct l4lb_mh_table *ta, *tb;
	unsigned int i, m, differ = 0;
	struct l4lb_tuple t;
	struct rnd_state rs;

	/* b lists them in another order: 4 5 6 0 1 2 3 reversed. */
	for (i = 0; i < 7; i++)
		b->set->be[i] = &b->be[(10 - i) % 7];
	ta = build(test, a->set, MH_SEED);
	tb = build(test, b->set, MH_SEED);

	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < NKEYS; i++) {
		struct l4lb_backend *x, *y;

		random_tuple(&rs, &t);
		x = lookup(ta, &t, MH_SEED);
		y = lookup(tb, &t, MH_SEED);
		KUNIT_ASSERT_NOT_NULL(test, x);
		KUNIT_ASSERT_NOT_NULL(test, y);
		if (x->addr.ip != y->addr.ip || x->port != y->port)
			differ++;
	}
	KUNIT_EXPECT_EQ(test, differ, 0U);

	/* Indeed every slot agrees. */
	m = l4lb_mh_table_size(7);
	differ = 0;
	for (i = 0; i < m; i++) {
		struct l4lb_backend *x = l4lb_mh_lookup(ta, i);
		struct l4lb_backend *y = l4lb_mh_lookup(tb, i);

		if (mh_fixture_index(a, x) != mh_fixture_index(b, y))
			differ++;
	}
	KUNIT_EXPECT_EQ(test, differ, 0U);
}

/*
 * Remove backend @r of the @n of @f (from the set, or only marking it down
 * if @down) and count, over NKEYS keys, those whose backend changed.
 * Expects every key of @r to move and at most 1.2 / @n of all keys.
 */
static void expect_minimal_disruption(struct kunit *test, struct mh_fixture *f,
				      const struct l4lb_mh_table *full,
				      unsigned int r, bool down)
{
	unsigned int n = f->n, i, j, moved = 0, of_r = 0, of_r_moved = 0;
	struct l4lb_backend_array *set;
	struct l4lb_mh_table *tab;
	struct l4lb_tuple t;
	struct rnd_state rs;

	set = kunit_kzalloc(test, struct_size(set, be, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set);
	for (i = 0, j = 0; i < n; i++)
		if (down || i != r)
			set->be[j++] = &f->be[i];
	set->n = j;
	if (down)
		WRITE_ONCE(f->be[r].state, L4LB_BE_STATE_DOWN);
	tab = build(test, set, MH_SEED);
	if (down)
		WRITE_ONCE(f->be[r].state, L4LB_BE_STATE_UP);

	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < NKEYS; i++) {
		struct l4lb_backend *before, *after;

		next_tuple(f, &rs, &t);
		before = lookup(full, &t, MH_SEED);
		after = lookup(tab, &t, MH_SEED);
		KUNIT_ASSERT_NOT_NULL(test, after);
		KUNIT_ASSERT_TRUE(test, after != &f->be[r]);
		if (before != after)
			moved++;
		if (before == &f->be[r]) {
			of_r++;
			if (after != before)
				of_r_moved++;
		}
	}
	kunit_info(test, "N=%u, backend %u %s: %u of %u keys moved (%u.%03u/N), %u of them its own\n",
		   n, r, down ? "down" : "removed", moved, NKEYS,
		   moved * n / NKEYS, moved * n % NKEYS * 1000 / NKEYS, of_r);
	KUNIT_EXPECT_EQ(test, of_r_moved, of_r);
	/* The removed backend had about its share: 1/N within 10%. */
	KUNIT_EXPECT_GE(test, of_r * n * 10, NKEYS * 9);
	KUNIT_EXPECT_LE(test, of_r * n * 10, NKEYS * 11);
	/* moved <= 1.2 / N of the keys */
	KUNIT_EXPECT_LE_MSG(test, moved * n * 10, NKEYS * 12,
			    "N=%u, backend %u %s: %u keys moved",
			    n, r, down ? "down" : "removed", moved);
}

static void mh_removing_one_of_n_remaps_about_1_over_n(struct kunit *test)
{
	static const unsigned int ns[] = { 3, 5, 10 };
	unsigned int k, r;

	for (k = 0; k < ARRAY_SIZE(ns); k++) {
		struct mh_fixture *f = mh_setup(test, ns[k], NULL);
		struct l4lb_mh_table *full = build(test, f->set, MH_SEED);

		/* Every one in turn: the first, the last, the middle ones. */
		for (r = 0; r < ns[k]; r++)
			expect_minimal_disruption(test, f, full, r, false);
	}
}

static void mh_backend_down_remaps_about_1_over_n(struct kunit *test)
{
	static const unsigned int ns[] = { 3, 5, 10 };
	unsigned int k;

	/* Down, still in the set: the table size cannot change either. */
	for (k = 0; k < ARRAY_SIZE(ns); k++) {
		struct mh_fixture *f = mh_setup(test, ns[k], NULL);
		struct l4lb_mh_table *full = build(test, f->set, MH_SEED);

		expect_minimal_disruption(test, f, full, 0, true);
		expect_minimal_disruption(test, f, full, ns[k] / 2, true);
		expect_minimal_disruption(test, f, full, ns[k] - 1, true);
	}
}

static void mh_backend_down_since_build_moves_only_its_keys(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 4, NULL);
	struct l4lb_mh_table *tab = build(test, f->set, MH_SEED);
	unsigned int i, of_1 = 0, count[MAX_BE] = {};
	struct l4lb_backend **before;
	struct l4lb_tuple t;
	struct rnd_state rs;

	before = kunit_kmalloc_array(test, 10000, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		random_tuple(&rs, &t);
		before[i] = lookup(tab, &t, MH_SEED);
	}
	/* Not rebuilt yet: lookups step over it to the next usable slot. */
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DOWN);
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		struct l4lb_backend *be;

		random_tuple(&rs, &t);
		be = lookup(tab, &t, MH_SEED);
		KUNIT_ASSERT_NOT_NULL(test, be);
		KUNIT_ASSERT_TRUE(test, be != &f->be[1]);
		if (before[i] == &f->be[1]) {
			of_1++;
			count[mh_fixture_index(f, be)]++;
			/* ... the same one every time. */
			KUNIT_ASSERT_PTR_EQ(test, lookup(tab, &t, MH_SEED), be);
		} else {
			KUNIT_ASSERT_PTR_EQ(test, be, before[i]);
		}
	}
	KUNIT_EXPECT_GT(test, of_1, 2000U);
	KUNIT_EXPECT_EQ(test, count[0] + count[2] + count[3], of_1);
}

/* Expect @count[i] within 5% of @total * @weight[i] / @sum. */
static void expect_shares(struct kunit *test, const char *what,
			  const unsigned int *count, const u32 *weight,
			  unsigned int n, unsigned int total)
{
	unsigned int i, sum = 0;

	for (i = 0; i < n; i++)
		sum += weight[i];
	for (i = 0; i < n; i++) {
		u64 due = (u64)total * weight[i];	/* times sum */
		u64 got = (u64)count[i] * sum;

		kunit_info(test, "%s: backend %u weight %u: %u of %u\n",
			   what, i, weight[i], count[i], total);
		if (!weight[i]) {
			KUNIT_EXPECT_EQ(test, count[i], 0U);
			continue;
		}
		KUNIT_EXPECT_LE_MSG(test, got * 20, due * 21,
				    "%s: backend %u (weight %u/%u): %u of %u",
				    what, i, weight[i], sum, count[i], total);
		KUNIT_EXPECT_GE_MSG(test, got * 20, due * 19,
				    "%s: backend %u (weight %u/%u): %u of %u",
				    what, i, weight[i], sum, count[i], total);
	}
}

/* The shares of @f's backends of the slots of @tab and of NKEYS keys. */
static void expect_weighted_shares(struct kunit *test, struct mh_fixture *f,
				   const u32 *weight)
{
	struct l4lb_mh_table *tab = build(test, f->set, MH_SEED);
	unsigned int i, m = l4lb_mh_table_size(f->set->n);
	unsigned int count[MAX_BE] = {};
	struct l4lb_tuple t;
	struct rnd_state rs;

	/* hash % size is the slot: look every slot up once. */
	for (i = 0; i < m; i++) {
		int idx = mh_fixture_index(f, l4lb_mh_lookup(tab, i));

		KUNIT_ASSERT_GE(test, idx, 0);
		count[idx]++;
	}
	expect_shares(test, "slots", count, weight, f->n, m);

	memset(count, 0, sizeof(count));
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < NKEYS; i++) {
		int idx;

		next_tuple(f, &rs, &t);
		idx = mh_fixture_index(f, lookup(tab, &t, MH_SEED));
		KUNIT_ASSERT_GE(test, idx, 0);
		count[idx]++;
	}
	expect_shares(test, "keys", count, weight, f->n, NKEYS);
}

static void mh_weights_1_2_3_shares_within_5_percent(struct kunit *test)
{
	static const u32 weight[] = { 1, 2, 3 };

	expect_weighted_shares(test, mh_setup(test, 3, weight), weight);
}

static void mh_weights_uneven_and_zero_shares_within_5_percent(struct kunit *test)
{
	static const u32 weight[] = { 10, 0, 4, 5, 20, 7 };

	expect_weighted_shares(test, mh_setup(test, 6, weight), weight);
}

static void mh_equal_weights_ten_backends_shares_within_5_percent(struct kunit *test)
{
	static const u32 weight[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };

	expect_weighted_shares(test, mh_setup(test, 10, weight), weight);
}

static void mh_table_size_is_a_prime_at_least_max_100n_65537(struct kunit *test)
{
	static const struct {
		unsigned int n, m;
	} cases[] = {
		{ 0, 65537 }, { 1, 65537 }, { 3, 65537 }, { 10, 65537 },
		{ 655, 65537 }, { 656, 65609 }, { 657, 65701 },
		{ 1000, 100003 }, { 4096, 409609 },
	};
	unsigned int i, n, m, bound, p;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, l4lb_mh_table_size(cases[i].n),
				    cases[i].m, "n = %u", cases[i].n);
	for (n = 0; n <= 4096; n += n < 700 ? 1 : 97) {
		m = l4lb_mh_table_size(n);
		bound = max(100 * n, 65537U);
		KUNIT_ASSERT_TRUE_MSG(test, is_prime(m), "n = %u: %u", n, m);
		KUNIT_ASSERT_GE_MSG(test, m, bound, "n = %u", n);
		/* The smallest such prime: none in [bound, m). */
		for (p = bound; p < m; p++)
			KUNIT_ASSERT_FALSE_MSG(test, is_prime(p),
					       "n = %u: %u < %u is prime",
					       n, p, m);
	}
}

static void mh_table_size_follows_the_set_not_the_usable(struct kunit *test)
{
	const unsigned int n = 700, n_down = 100;
	unsigned int i, m = l4lb_mh_table_size(n), wrap_usable = 0;
	struct l4lb_backend_array *set;
	struct l4lb_backend *be;
	struct l4lb_mh_table *tab;

	/* 700 backends, 100 of them down: 600 usable would mean 65537. */
	KUNIT_ASSERT_NE(test, m, l4lb_mh_table_size(n - n_down));
	be = kunit_kcalloc(test, n, sizeof(*be), GFP_KERNEL);
	set = kunit_kzalloc(test, struct_size(set, be, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, be);
	KUNIT_ASSERT_NOT_NULL(test, set);
	for (i = 0; i < n; i++) {
		INIT_LIST_HEAD(&be[i].list);
		be[i].addr.ip = htonl(0x0a020000 + i);	/* 10.2.x.x */
		be[i].port = htons(80);
		be[i].weight = 1;
		be[i].weight_pct = L4LB_WEIGHT_PCT_DEFAULT;
		be[i].state = i % 7 == 3 && i < 7 * n_down ?
			      L4LB_BE_STATE_DOWN : L4LB_BE_STATE_UP;
		refcount_set(&be[i].refcnt, 1);
		set->be[i] = &be[i];
	}
	set->n = n;
	tab = build(test, set, MH_SEED);
	/*
	 * hash h and h + M look up the same slot, for M the size of the
	 * table; for any other M they look up unrelated slots.
	 */
	for (i = 0; i < 1000; i++) {
		struct l4lb_backend *x = l4lb_mh_lookup(tab, i * 61);

		KUNIT_ASSERT_NOT_NULL(test, x);
		KUNIT_ASSERT_TRUE(test, x->state == L4LB_BE_STATE_UP);
		KUNIT_EXPECT_PTR_EQ(test, l4lb_mh_lookup(tab, i * 61 + m), x);
		if (l4lb_mh_lookup(tab, i * 61 + l4lb_mh_table_size(n - n_down)) == x)
			wrap_usable++;
	}
	KUNIT_EXPECT_LT(test, wrap_usable, 50U);
}

static void mh_source_only_hash_ignores_ports(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 5, NULL);
	struct l4lb_mh_table *tab = build(test, f->set, MH_SEED);
	unsigned int i, full_differ = 0, src_differ = 0;
	struct l4lb_tuple t, u;
	struct rnd_state rs;

	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		u32 h;

		random_tuple(&rs, &t);
		u = t;
		u.sport = htons(ntohs(t.sport) ^ (1 + i % 0x7fff));
		u.dport = htons(443 + i % 7);
		h = l4lb_mh_hash(&t, MH_SEED, true);
		KUNIT_ASSERT_EQ_MSG(test, l4lb_mh_hash(&u, MH_SEED, true), h,
				    "tuple %u", i);
		KUNIT_ASSERT_PTR_EQ(test, l4lb_mh_lookup(tab, h),
				    l4lb_mh_lookup(tab, l4lb_mh_hash(&u, MH_SEED, true)));
		/* The 5-tuple hash does see the ports. */
		if (l4lb_mh_hash(&u, MH_SEED, false) !=
		    l4lb_mh_hash(&t, MH_SEED, false))
			full_differ++;
		/* Another client, another key. */
		u = t;
		u.saddr = htonl(ntohl(t.saddr) ^ (1 + i % 255));
		if (l4lb_mh_hash(&u, MH_SEED, true) != h)
			src_differ++;
	}
	KUNIT_EXPECT_GE(test, full_differ, 9990U);
	KUNIT_EXPECT_GE(test, src_differ, 9990U);
}

static void mh_different_seed_gives_different_table(struct kunit *test)
{
	static const u32 seeds[][2] = {
		{ 0, 1 }, { MH_SEED, ~MH_SEED }, { 0x12345678, 0x12345679 },
	};
	struct mh_fixture *f = mh_setup(test, 3, NULL);
	unsigned int k, i, m = l4lb_mh_table_size(3);

	for (k = 0; k < ARRAY_SIZE(seeds); k++) {
		u32 sa = seeds[k][0], sb = seeds[k][1];
		struct l4lb_mh_table *ta = build(test, f->set, sa);
		struct l4lb_mh_table *tb = build(test, f->set, sb);
		struct l4lb_mh_table *ta2 = build(test, f->set, sa);
		unsigned int keys_differ = 0, slots_differ = 0, same_seed = 0;
		struct l4lb_tuple t;
		struct rnd_state rs;

		prandom_seed_state(&rs, KEY_SEED);
		for (i = 0; i < NKEYS; i++) {
			struct l4lb_backend *x;

			random_tuple(&rs, &t);
			x = lookup(ta, &t, sa);
			if (x != lookup(tb, &t, sb))
				keys_differ++;
			if (x != lookup(ta2, &t, sa))
				same_seed++;
		}
		for (i = 0; i < m; i++)
			if (l4lb_mh_lookup(ta, i) != l4lb_mh_lookup(tb, i))
				slots_differ++;
		kunit_info(test, "seeds %#x, %#x: %u of %u keys, %u of %u slots differ\n",
			   sa, sb, keys_differ, NKEYS, slots_differ, m);
		/* Chance agreement over 3 backends is 1/3: expect ~2/3. */
		KUNIT_EXPECT_GE_MSG(test, keys_differ * 2, NKEYS,
				    "seeds %#x, %#x", sa, sb);
		KUNIT_EXPECT_GE_MSG(test, slots_differ * 2, m,
				    "seeds %#x, %#x", sa, sb);
		/* ... while the same seed rebuilds the same table. */
		KUNIT_EXPECT_EQ(test, same_seed, 0U);
	}
}

static void mh_no_usable_backend_looks_up_null(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 4, NULL);
	struct mh_fixture *empty = mh_setup(test, 0, NULL);
	struct l4lb_mh_table *tab;
	unsigned int i;

	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[1].state, L4LB_BE_STATE_DRAIN);
	WRITE_ONCE(f->be[2].removed, true);
	WRITE_ONCE(f->be[3].weight, 0);
	tab = build(test, f->set, MH_SEED);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_NULL(test, l4lb_mh_lookup(tab, i * 7919));
	tab = build(test, empty->set, MH_SEED);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_NULL(test, l4lb_mh_lookup(tab, i * 7919));
}

static void mh_all_usable_go_down_since_build_looks_up_null(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 2, NULL);
	struct l4lb_mh_table *tab = build(test, f->set, MH_SEED);

	KUNIT_EXPECT_NOT_NULL(test, l4lb_mh_lookup(tab, 12345));
	WRITE_ONCE(f->be[0].state, L4LB_BE_STATE_DOWN);
	WRITE_ONCE(f->be[1].weight, 0);
	KUNIT_EXPECT_NULL(test, l4lb_mh_lookup(tab, 12345));
}

static void mh_scheduler_update_moves_only_the_down_backends_keys(struct kunit *test)
{
	struct mh_fixture *f = mh_setup(test, 5, NULL);
	struct l4lb_sched_inst *inst = mh_inst(test);
	struct l4lb_backend **before;
	unsigned int i, moved = 0, of_3 = 0;
	struct l4lb_tuple t;
	struct rnd_state rs;

	before = kunit_kmalloc_array(test, 10000, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_EQ(test, inst->sched->update(inst, f->set), 0);
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		random_tuple(&rs, &t);
		before[i] = sched_pick(inst, f->set, &t);
		KUNIT_ASSERT_NOT_NULL(test, before[i]);
	}
	WRITE_ONCE(f->be[3].state, L4LB_BE_STATE_DOWN);
	KUNIT_ASSERT_EQ(test, inst->sched->update(inst, f->set), 0);
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		struct l4lb_backend *be;

		random_tuple(&rs, &t);
		be = sched_pick(inst, f->set, &t);
		KUNIT_ASSERT_NOT_NULL(test, be);
		KUNIT_ASSERT_TRUE(test, be != &f->be[3]);
		if (be != before[i])
			moved++;
		if (before[i] == &f->be[3])
			of_3++;
	}
	/* Its own (about 1/5) and a few more, well under 1.2/5. */
	KUNIT_EXPECT_GE(test, moved, of_3);
	KUNIT_EXPECT_LE(test, moved * 5 * 10, 10000U * 12);
}

/* ---- IPv6 ------------------------------------------------------------ */

static void mh6_v6_keys_spread_over_v6_backends_like_v4(struct kunit *test)
{
	static const u32 w123[] = { 1, 2, 3 };
	static const u32 wzero[] = { 10, 0, 4, 5, 20, 7 };
	static const u32 w10[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };

	/* The slots and 100k keys, each share within 5% of its due. */
	expect_weighted_shares(test, mh_setup6(test, 3, w123), w123);
	expect_weighted_shares(test, mh_setup6(test, 6, wzero), wzero);
	expect_weighted_shares(test, mh_setup6(test, 10, w10), w10);
}

static void mh6_balancers_with_the_same_seed_agree_on_v6_keys(struct kunit *test)
{
	static const u32 weight[] = { 1, 3, 2, 1, 1, 4, 2 };
	/* Two nodes, their backends added in another order. */
	struct mh_fixture *a = mh_setup6(test, 7, weight);
	struct mh_fixture *b = mh_setup6(test, 7, weight);
	struct l4lb_sched_inst *ia = mh_inst(test), *ib = mh_inst(test);
	unsigned int i, m = l4lb_mh_table_size(7), differ = 0;
	struct l4lb_mh_table *ta, *tb;
	struct l4lb_tuple t;
	struct rnd_state rs;

	for (i = 0; i < 7; i++)
		b->set->be[i] = &b->be[(10 - i) % 7];
	ta = build(test, a->set, MH_SEED);
	tb = build(test, b->set, MH_SEED);
	for (i = 0; i < m; i++)
		if (mh_fixture_index(a, l4lb_mh_lookup(ta, i)) !=
		    mh_fixture_index(b, l4lb_mh_lookup(tb, i)))
			differ++;
	KUNIT_EXPECT_EQ_MSG(test, differ, 0U, "slots of %u differ", m);

	differ = 0;
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < NKEYS; i++) {
		struct l4lb_backend *x, *y;

		random_tuple6(&rs, &t);
		x = lookup(ta, &t, MH_SEED);
		y = lookup(tb, &t, MH_SEED);
		KUNIT_ASSERT_NOT_NULL(test, x);
		KUNIT_ASSERT_NOT_NULL(test, y);
		if (!same_backend(x, y))
			differ++;
	}
	KUNIT_EXPECT_EQ_MSG(test, differ, 0U, "keys of %u differ", NKEYS);

	/* The "mh" scheduler of each node, with the module's seed. */
	KUNIT_ASSERT_EQ(test, ia->sched->update(ia, a->set), 0);
	KUNIT_ASSERT_EQ(test, ib->sched->update(ib, b->set), 0);
	differ = 0;
	prandom_seed_state(&rs, KEY_SEED);
	for (i = 0; i < 10000; i++) {
		struct l4lb_backend *x, *y;

		random_tuple6(&rs, &t);
		x = sched_pick(ia, a->set, &t);
		y = sched_pick(ib, b->set, &t);
		KUNIT_ASSERT_GE(test, mh_fixture_index(a, x), 0);
		KUNIT_ASSERT_GE(test, mh_fixture_index(b, y), 0);
		KUNIT_ASSERT_PTR_EQ(test, sched_pick(ia, a->set, &t), x);
		if (!same_backend(x, y))
			differ++;
	}
	KUNIT_EXPECT_EQ(test, differ, 0U);
}

static void mh6_removing_one_of_n_v6_backends_remaps_about_1_over_n(struct kunit *test)
{
	static const unsigned int ns[] = { 3, 5, 10 };
	unsigned int k, r;

	/* Backends of one /64 each have a permutation of their own. */
	for (k = 0; k < ARRAY_SIZE(ns); k++) {
		struct mh_fixture *f = mh_setup6(test, ns[k], NULL);
		struct l4lb_mh_table *full = build(test, f->set, MH_SEED);

		for (r = 0; r < ns[k]; r++)
			expect_minimal_disruption(test, f, full, r, false);
		expect_minimal_disruption(test, f, full, ns[k] / 2, true);
	}
}

static void mh6_key_sees_every_bit_of_the_client_and_the_family(struct kunit *test)
{
	struct in6_addr c = { .s6_addr32 = { htonl(0x20010db8), htonl(0xc000),
					     htonl(0x1234), htonl(0x5678) } };
	struct l4lb_tuple t = {
		.saddr = l4lb_addr6_fold(&c), .daddr = htonl(0x20010db9),
		.sport = htons(40000), .dport = htons(443),
		.proto = IPPROTO_TCP, .v6 = 1,
	};
	u32 full = l4lb_mh_hash(&t, MH_SEED, false);
	u32 src = l4lb_mh_hash(&t, MH_SEED, true);
	unsigned int bit, full_same = 0, src_same = 0;
	struct l4lb_tuple u, t4;

	/* Deterministic: what two nodes need. */
	KUNIT_EXPECT_EQ(test, l4lb_mh_hash(&t, MH_SEED, false), full);
	KUNIT_EXPECT_EQ(test, l4lb_mh_hash(&t, MH_SEED, true), src);
	/* Any one bit of the client's 128 changes its key. */
	for (bit = 0; bit < 128; bit++) {
		struct in6_addr d = c;

		d.s6_addr[bit / 8] ^= 0x80 >> (bit % 8);
		u = t;
		u.saddr = l4lb_addr6_fold(&d);
		if (l4lb_mh_hash(&u, MH_SEED, false) == full)
			full_same++;
		if (l4lb_mh_hash(&u, MH_SEED, true) == src)
			src_same++;
	}
	KUNIT_EXPECT_EQ(test, full_same, 0U);
	KUNIT_EXPECT_EQ(test, src_same, 0U);
	/* Source only: the ports do not count. */
	u = t;
	u.sport = htons(40001);
	u.dport = htons(80);
	KUNIT_EXPECT_EQ(test, l4lb_mh_hash(&u, MH_SEED, true), src);
	KUNIT_EXPECT_NE(test, l4lb_mh_hash(&u, MH_SEED, false), full);
	/* The IPv4 tuple of the same fields is another key. */
	t4 = t;
	t4.v6 = 0;
	KUNIT_EXPECT_NE(test, l4lb_mh_hash(&t4, MH_SEED, false), full);
	KUNIT_EXPECT_NE(test, l4lb_mh_hash(&t4, MH_SEED, true), src);
	/* ... hashed as IPv4 keys always were, so that nodes of an older
	 * l4lb still agree.
	 */
	KUNIT_EXPECT_EQ(test, l4lb_mh_hash(&t4, MH_SEED, false),
			jhash_3words(ntohl(t4.saddr), ntohl(t4.daddr),
				     (40000U << 16 | 443) ^ IPPROTO_TCP,
				     MH_SEED));
	KUNIT_EXPECT_EQ(test, l4lb_mh_hash(&t4, MH_SEED, true),
			jhash_1word(ntohl(t4.saddr), MH_SEED));
}

static struct kunit_case l4lb_sched_mh_cases[] = {
	KUNIT_CASE(mh_registered_and_picks_nothing_before_update),
	KUNIT_CASE(mh_same_tuple_same_pick_every_time),
	KUNIT_CASE(mh_tables_built_apart_in_other_order_agree_on_100k_tuples),
	KUNIT_CASE(mh_removing_one_of_n_remaps_about_1_over_n),
	KUNIT_CASE(mh_backend_down_remaps_about_1_over_n),
	KUNIT_CASE(mh_backend_down_since_build_moves_only_its_keys),
	KUNIT_CASE(mh_weights_1_2_3_shares_within_5_percent),
	KUNIT_CASE(mh_weights_uneven_and_zero_shares_within_5_percent),
	KUNIT_CASE(mh_equal_weights_ten_backends_shares_within_5_percent),
	KUNIT_CASE(mh_table_size_is_a_prime_at_least_max_100n_65537),
	KUNIT_CASE(mh_table_size_follows_the_set_not_the_usable),
	KUNIT_CASE(mh_source_only_hash_ignores_ports),
	KUNIT_CASE(mh_different_seed_gives_different_table),
	KUNIT_CASE(mh_no_usable_backend_looks_up_null),
	KUNIT_CASE(mh_all_usable_go_down_since_build_looks_up_null),
	KUNIT_CASE(mh_scheduler_update_moves_only_the_down_backends_keys),
	KUNIT_CASE(mh6_v6_keys_spread_over_v6_backends_like_v4),
	KUNIT_CASE(mh6_balancers_with_the_same_seed_agree_on_v6_keys),
	KUNIT_CASE(mh6_removing_one_of_n_v6_backends_remaps_about_1_over_n),
	KUNIT_CASE(mh6_key_sees_every_bit_of_the_client_and_the_family),
	{}
};

static struct kunit_suite l4lb_sched_mh_suite = {
	.name = "l4lb_sched_mh",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_sched_mh_cases,
};

kunit_test_suites(&l4lb_sched_mh_suite);
