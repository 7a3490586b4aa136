// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the NAT table (kmod/l4lb_conn.c): lookups in both
 * directions, unlink, expiry by the garbage collector with a fake clock,
 * conn_max, bucket collisions, a random operation sequence checked against
 * a model, flush; and of its SNAT port allocator (l4lb_conn_insert_range(),
 * one address or several).
 *
 * Every table is a test resource: at the end of a case (passed or not) it is
 * flushed, rcu_barrier() waits for the rows' call_rcu() frees, and it is
 * freed. Rows are allocated from the module's slab cache, so the suites need
 * the module's init to have run (l4lb_kunit_need_module_init()).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_conn_gc.h"
#include "l4lb_kunit.h"
#include "l4lb_persist.h"
#include "l4lb_proto_tcp.h"
#include "l4lb_service.h"
#include "l4lb_snat.h"

#define ORIG	L4LB_DIR_ORIG
#define REPLY	L4LB_DIR_REPLY

#define IP4(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define VIP		IP4(192, 0, 2, 1)
#define VPORT		htons(80)
#define SNAT		IP4(192, 0, 2, 2)
#define SNAT2		IP4(192, 0, 2, 3)
#define BACKEND(i)	IP4(203, 0, 113, 10 + (i))
#define BPORT		htons(8080)

#define ALL_PORTS_LO	1024
#define ALL_PORTS_HI	65535

/* --- fixtures ----------------------------------------------------------- */

static int tab_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void tab_res_free(struct kunit_resource *res)
{
	struct l4lb_conn_table *tab = res->data;

	l4lb_conn_flush(tab, NULL);
	rcu_barrier();	/* rows are freed by call_rcu() */
	l4lb_conn_table_free(tab);
}

/* A table freed (with its rows) when the case ends. */
static struct l4lb_conn_table *tab_new(struct kunit *test, unsigned int bits,
				       unsigned int max)
{
	/* The half-open limit is the table's: only one case tests it. */
	struct l4lb_conn_table *tab = l4lb_conn_table_alloc(bits, max, max,
							    l4lb_backend_conn_release);

	KUNIT_ASSERT_NOT_NULL(test, tab);
	if (!kunit_alloc_resource(test, tab_res_init, tab_res_free, GFP_KERNEL,
				  tab)) {
		l4lb_conn_table_free(tab);
		KUNIT_ASSERT_FAILURE(test, "no memory for a kunit resource");
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
	return tab;
}

/* What a row is made of: client n's connection to the VIP, scheduled to a
 * backend through a SNAT address.
 */
struct rowspec {
	__be32 caddr;
	__be16 cport;
	u8 proto;
	__be32 baddr;
	__be16 bport;
	__be32 snat;
};

static struct rowspec client(unsigned int n)
{
	return (struct rowspec){
		.caddr = htonl(0x0a000000 | (n & 0xffffff)),	/* 10.x.y.z */
		.cport = htons(10000 + n % 50000),
		.proto = IPPROTO_TCP,
		.baddr = BACKEND(0),
		.bport = BPORT,
		.snat = SNAT,
	};
}

/* A row from l4lb_conn_alloc() with its tuples filled in, but for the
 * SNAT port, which l4lb_conn_insert() chooses.
 */
static struct l4lb_conn *row_alloc(struct kunit *test,
				   struct l4lb_conn_table *tab,
				   const struct rowspec *rs)
{
	struct l4lb_conn *conn = l4lb_conn_alloc(tab, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, conn);
	KUNIT_EXPECT_EQ(test, conn->th[ORIG].tuple.dir, ORIG);
	KUNIT_EXPECT_EQ(test, conn->th[REPLY].tuple.dir, REPLY);
	conn->th[ORIG].tuple = (struct l4lb_tuple){
		.saddr = rs->caddr,
		.daddr = VIP,
		.sport = rs->cport,
		.dport = VPORT,
		.proto = rs->proto,
		.dir = ORIG,
	};
	conn->th[REPLY].tuple = (struct l4lb_tuple){
		.saddr = rs->baddr,
		.daddr = rs->snat,
		.sport = rs->bport,
		.proto = rs->proto,
		.dir = REPLY,
	};
	conn->state = rs->proto == IPPROTO_TCP ? L4LB_CONN_SYN_SENT :
						 L4LB_CONN_UDP_UNREPLIED;
	return conn;
}

/* Insert, or give the slot back and fail the case. */
static void row_insert(struct kunit *test, struct l4lb_conn_table *tab,
		       struct l4lb_conn *conn, u16 lo, u16 hi)
{
	struct l4lb_tuple_hash *old = NULL;
	int err = l4lb_kunit_insert(tab, conn, lo, hi, &old);

	if (err)
		l4lb_conn_free_unhashed(tab, conn);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "l4lb_conn_insert()");
}

static struct l4lb_conn *row_add(struct kunit *test,
				 struct l4lb_conn_table *tab,
				 const struct rowspec *rs, u16 lo, u16 hi)
{
	struct l4lb_conn *conn = row_alloc(test, tab, rs);

	row_insert(test, tab, conn, lo, hi);
	return conn;
}

/* @be as the service makes a backend: @addr, BPORT, weight 1, and the
 * service's reference, never dropped here. Allocate backends before the
 * table: test resources are freed in reverse order, and the table's rows
 * hold references to them.
 */
static void backend_init(struct l4lb_backend *be, __be32 addr)
{
	be->addr = (union nf_inet_addr){ .ip = addr };
	be->port = BPORT;
	be->weight = 1;
	be->weight_pct = L4LB_WEIGHT_PCT_DEFAULT;
	refcount_set(&be->refcnt, 1);
}

/* A backend, for the allocator's per-backend cursor. */
static struct l4lb_backend *backend_new(struct kunit *test, unsigned int i)
{
	struct l4lb_backend *be = kunit_kzalloc(test, sizeof(*be), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, be);
	backend_init(be, BACKEND(i));
	return be;
}

/* A row of @rs towards @be, as the packet path makes it: it holds a
 * reference to @be and is counted inactive. Not inserted yet.
 */
static struct l4lb_conn *row_alloc_be(struct kunit *test,
				      struct l4lb_conn_table *tab,
				      struct rowspec rs, struct l4lb_backend *be)
{
	struct l4lb_conn *conn;

	rs.baddr = be->addr.ip;
	rs.bport = be->port;
	conn = row_alloc(test, tab, &rs);
	refcount_inc(&be->refcnt);
	atomic_inc(&be->inactive);
	conn->backend = be;
	return conn;
}

static struct l4lb_tuple_hash *find(struct l4lb_conn_table *tab,
				    const struct l4lb_tuple *t)
{
	struct l4lb_tuple_hash *th;

	/* The result is only compared, never dereferenced after unlock;
	 * rows are unlinked by this thread only.
	 */
	rcu_read_lock();
	th = l4lb_conn_find(tab, t, NULL);
	rcu_read_unlock();
	return th;
}

static bool row_hashed(struct l4lb_conn_table *tab,
		       const struct l4lb_tuple *orig,
		       const struct l4lb_tuple *reply)
{
	return find(tab, orig) || find(tab, reply);
}

/* Both directions of @conn are found, and as themselves. */
static void expect_row_found(struct kunit *test, struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn)
{
	struct l4lb_tuple_hash *o = find(tab, &conn->th[ORIG].tuple);
	struct l4lb_tuple_hash *r = find(tab, &conn->th[REPLY].tuple);

	KUNIT_EXPECT_PTR_EQ(test, o, &conn->th[ORIG]);
	KUNIT_EXPECT_PTR_EQ(test, r, &conn->th[REPLY]);
	if (o)
		KUNIT_EXPECT_PTR_EQ(test, l4lb_tuplehash_to_conn(o), conn);
	if (r)
		KUNIT_EXPECT_PTR_EQ(test, l4lb_tuplehash_to_conn(r), conn);
}

static unsigned int nbuckets(struct l4lb_conn_table *tab)
{
	return 1U << tab->bits;
}

/* --- l4lb_conn ---------------------------------------------------------- */

static void conn_insert_then_lookup_finds_both_directions(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 1024);
	struct rowspec rs = client(1);
	struct l4lb_conn *conn = row_add(test, tab, &rs, ALL_PORTS_LO,
					 ALL_PORTS_HI);
	struct l4lb_tuple orig = conn->th[ORIG].tuple;
	struct l4lb_tuple reply = conn->th[REPLY].tuple;
	struct l4lb_tuple t;

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	expect_row_found(test, tab, conn);

	/* The insert chose the SNAT port and left the rest alone. */
	KUNIT_EXPECT_GE(test, ntohs(reply.dport), ALL_PORTS_LO);
	KUNIT_EXPECT_EQ(test, reply.saddr, rs.baddr);
	KUNIT_EXPECT_EQ(test, reply.sport, rs.bport);
	KUNIT_EXPECT_EQ(test, reply.daddr, rs.snat);
	KUNIT_EXPECT_EQ(test, orig.saddr, rs.caddr);
	KUNIT_EXPECT_EQ(test, orig.sport, rs.cport);
	KUNIT_EXPECT_EQ(test, orig.daddr, VIP);
	KUNIT_EXPECT_EQ(test, orig.dport, VPORT);

	/* The key's dir is not part of the match. */
	t = orig;
	t.dir = REPLY;
	KUNIT_EXPECT_PTR_EQ(test, find(tab, &t), &conn->th[ORIG]);
	t = reply;
	t.dir = ORIG;
	KUNIT_EXPECT_PTR_EQ(test, find(tab, &t), &conn->th[REPLY]);

	/* Any other field different: no match. */
	t = orig;
	t.saddr ^= htonl(1);
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = orig;
	t.daddr ^= htonl(1);
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = orig;
	t.sport ^= htons(1);
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = orig;
	t.dport ^= htons(1);
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = orig;
	t.proto = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = reply;
	t.dport ^= htons(1);
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	/* Nor the tuples turned around. */
	t = (struct l4lb_tuple){ .saddr = orig.daddr, .daddr = orig.saddr,
				 .sport = orig.dport, .dport = orig.sport,
				 .proto = orig.proto };
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	t = (struct l4lb_tuple){ .saddr = reply.daddr, .daddr = reply.saddr,
				 .sport = reply.dport, .dport = reply.sport,
				 .proto = reply.proto };
	KUNIT_EXPECT_NULL(test, find(tab, &t));
}

/* Where l4lb_conn_find_miss() looked for @conn's original tuple. */
static struct l4lb_conn_miss miss_of(struct kunit *test,
				     struct l4lb_conn_table *tab,
				     const struct l4lb_conn *conn)
{
	struct l4lb_conn_miss miss;

	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, l4lb_conn_find_miss(tab, &conn->th[ORIG].tuple,
						    NULL, &miss));
	rcu_read_unlock();
	return miss;
}

/*
 * An insert after a lookup that missed (the new-flow path) walks the
 * bucket of the original tuple again only if rows were added there since:
 * a row of the same tuple added meanwhile (a retransmitted SYN on another
 * CPU) is still found, a row of another tuple in that bucket is no clash.
 * The rows here are never freed before the case ends, so the note stays
 * valid outside the RCU section.
 */
static void conn_insert_after_a_miss_sees_rows_added_since(struct kunit *test)
{
	const union nf_inet_addr snat = { .ip = SNAT };
	const struct l4lb_snat_space sp = {
		.addrs = &snat, .naddr = 1,
		.ports = { .lo = { ALL_PORTS_LO, 1 }, .hi = { ALL_PORTS_HI, 0 } },
	};
	struct l4lb_conn_table *tab = tab_new(test, 1, 1024);
	struct rowspec rs = client(1);
	struct l4lb_conn *a = row_alloc(test, tab, &rs);
	struct l4lb_conn *b = row_alloc(test, tab, &rs);
	struct l4lb_conn_miss miss = miss_of(test, tab, a), m;
	struct l4lb_tuple_hash *old = NULL;
	struct l4lb_conn *c;
	unsigned int cl;

	/* Nothing added since: inserted without a clash. */
	KUNIT_ASSERT_EQ(test, l4lb_conn_insert_range(tab, a, &sp, NULL, &miss,
						     &old), 0);
	expect_row_found(test, tab, a);
	/* The same tuple again, with the note from before a was added. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_insert_range(tab, b, &sp, NULL, &miss,
						     &old), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, old, &a->th[ORIG]);
	l4lb_conn_free_unhashed(tab, b);

	/* Another client whose row goes to the same bucket: its note, then
	 * a row of a third client in that bucket, then its insert.
	 */
	for (cl = 2; cl < 100; cl++) {
		rs = client(cl);
		c = row_alloc(test, tab, &rs);
		m = miss_of(test, tab, c);
		if (m.h == miss.h)
			break;
		l4lb_conn_free_unhashed(tab, c);
	}
	KUNIT_ASSERT_LT(test, cl, 100U);
	for (cl++; cl < 200; cl++) {
		struct l4lb_conn *d;

		rs = client(cl);
		d = row_alloc(test, tab, &rs);
		if (miss_of(test, tab, d).h == miss.h) {
			row_insert(test, tab, d, ALL_PORTS_LO, ALL_PORTS_HI);
			break;
		}
		l4lb_conn_free_unhashed(tab, d);
	}
	KUNIT_ASSERT_LT(test, cl, 200U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_insert_range(tab, c, &sp, NULL, &m,
						     &old), 0);
	expect_row_found(test, tab, c);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 3U);
}

static void conn_unlink_removes_both_directions_once(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 1024);
	struct rowspec rs1 = client(1), rs2 = client(2);
	struct l4lb_conn *a = row_add(test, tab, &rs1, ALL_PORTS_LO, ALL_PORTS_HI);
	struct l4lb_conn *b = row_add(test, tab, &rs2, ALL_PORTS_LO, ALL_PORTS_HI);
	struct l4lb_tuple ao = a->th[ORIG].tuple, ar = a->th[REPLY].tuple;
	bool first, again;

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);

	/* Under RCU, a stays valid after its unlink, so unlinking it a
	 * second time (the GC racing a flush) is a legal no-op.
	 */
	rcu_read_lock();
	first = l4lb_conn_unlink(tab, a);
	again = l4lb_conn_unlink(tab, a);
	rcu_read_unlock();

	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE(test, again);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	KUNIT_EXPECT_NULL(test, find(tab, &ao));
	KUNIT_EXPECT_NULL(test, find(tab, &ar));
	expect_row_found(test, tab, b);

	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, b));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

static void conn_unhashed_row_is_not_unlinked(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 4, 16);
	struct rowspec rs = client(1);
	struct l4lb_conn *conn = row_alloc(test, tab, &rs);

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	KUNIT_EXPECT_FALSE(test, l4lb_conn_unlink(tab, conn));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	l4lb_conn_free_unhashed(tab, conn);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

static void conn_gc_expires_rows_by_timeout(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	const unsigned long t0 = 100000;
	struct l4lb_conn *row[3];
	struct l4lb_tuple orig[3];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct rowspec rs = client(i);

		row[i] = row_alloc(test, tab, &rs);
		row[i]->expires = t0 + 10 * (i + 1);	/* +10, +20, +30 */
		row_insert(test, tab, row[i], ALL_PORTS_LO, ALL_PORTS_HI);
		orig[i] = row[i]->th[ORIG].tuple;
	}

	/* Not yet: nothing goes. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 9), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 3U);

	/* At its expiry time exactly, the first goes, alone. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 10), 1U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
	KUNIT_EXPECT_NULL(test, find(tab, &orig[0]));
	expect_row_found(test, tab, row[1]);
	expect_row_found(test, tab, row[2]);

	/* A row whose timer was pushed back (traffic) stays. */
	WRITE_ONCE(row[1]->expires, t0 + 100);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 30), 1U);
	KUNIT_EXPECT_NULL(test, find(tab, &orig[2]));
	expect_row_found(test, tab, row[1]);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);

	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 1000), 1U);
	KUNIT_EXPECT_NULL(test, find(tab, &orig[1]));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

static void conn_gc_removes_only_expired_rows(struct kunit *test)
{
	const unsigned int n = 300;
	const unsigned long t0 = 5000000, now = t0 + 500;
	struct l4lb_conn_table *tab = tab_new(test, 5, n);
	struct l4lb_conn **row;
	struct l4lb_tuple *orig, *reply;
	unsigned long *exp;
	unsigned int i, expired = 0;

	row = kunit_kcalloc(test, n, sizeof(*row), GFP_KERNEL);
	orig = kunit_kcalloc(test, n, sizeof(*orig), GFP_KERNEL);
	reply = kunit_kcalloc(test, n, sizeof(*reply), GFP_KERNEL);
	exp = kunit_kcalloc(test, n, sizeof(*exp), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, row && orig && reply && exp);

	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i);

		row[i] = row_alloc(test, tab, &rs);
		exp[i] = t0 + (i * 7919) % 1000;	/* spread over 1000 */
		row[i]->expires = exp[i];
		row_insert(test, tab, row[i], ALL_PORTS_LO, ALL_PORTS_HI);
		orig[i] = row[i]->th[ORIG].tuple;
		reply[i] = row[i]->th[REPLY].tuple;
		if (time_after_eq(now, exp[i]))
			expired++;
	}
	KUNIT_ASSERT_GT(test, expired, 0U);
	KUNIT_ASSERT_LT(test, expired, n);

	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), now), expired);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), n - expired);
	for (i = 0; i < n; i++) {
		if (time_after_eq(now, exp[i])) {
			KUNIT_EXPECT_FALSE_MSG(test, row_hashed(tab, &orig[i], &reply[i]),
					       "expired row %u kept", i);
		} else {
			expect_row_found(test, tab, row[i]);
		}
	}
	/* A second pass at the same time finds nothing more. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), now), 0U);
}

static void conn_gc_handles_jiffies_wraparound(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 4, 16);
	const unsigned long t0 = ULONG_MAX - 5;
	struct rowspec rs = client(7);
	struct l4lb_conn *conn = row_alloc(test, tab, &rs);
	struct l4lb_tuple orig;

	conn->expires = t0 + 10;	/* wraps to 4 */
	row_insert(test, tab, conn, ALL_PORTS_LO, ALL_PORTS_HI);
	orig = conn->th[ORIG].tuple;

	/* Numerically ULONG_MAX - 1 > 4, but it is before the expiry. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 4), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 9), 0U);
	expect_row_found(test, tab, conn);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + 10), 1U);
	KUNIT_EXPECT_NULL(test, find(tab, &orig));
}

static void conn_gc_slices_cover_every_bucket(struct kunit *test)
{
	const unsigned int n = 64;
	struct l4lb_conn_table *tab = tab_new(test, 4, n);	/* 16 buckets */
	unsigned int i, first, second;

	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i);
		struct l4lb_conn *conn = row_alloc(test, tab, &rs);

		conn->expires = 1000;
		row_insert(test, tab, conn, ALL_PORTS_LO, ALL_PORTS_HI);
	}

	/* Half the buckets, then the other half: each pass looks at its
	 * slice only (64 rows all landing in one half is a 2^-63 chance),
	 * and the two together see every row once.
	 */
	first = l4lb_conn_gc(tab, 8, 2000);
	KUNIT_EXPECT_GT(test, first, 0U);
	KUNIT_EXPECT_LT(test, first, n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), n - first);
	second = l4lb_conn_gc(tab, 8, 2000);
	KUNIT_EXPECT_EQ(test, first + second, n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);

	/* One bucket at a time wraps around too; more than the table
	 * size is one full pass.
	 */
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(1000 + i);
		struct l4lb_conn *conn = row_alloc(test, tab, &rs);

		conn->expires = 3000;
		row_insert(test, tab, conn, ALL_PORTS_LO, ALL_PORTS_HI);
	}
	for (i = 0, first = 0; i < 16; i++)
		first += l4lb_conn_gc(tab, 1, 4000);
	KUNIT_EXPECT_EQ(test, first, n);
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(2000 + i);
		struct l4lb_conn *conn = row_alloc(test, tab, &rs);

		conn->expires = 5000;
		row_insert(test, tab, conn, ALL_PORTS_LO, ALL_PORTS_HI);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, 1000, 6000), n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

static void conn_max_is_refused_cleanly(struct kunit *test)
{
	const unsigned int max = 4;
	struct l4lb_conn_table *tab = tab_new(test, 4, max);
	struct l4lb_conn *row[4], *extra;
	unsigned int i;

	for (i = 0; i < max; i++) {
		struct rowspec rs = client(i);

		row[i] = row_add(test, tab, &rs, ALL_PORTS_LO, ALL_PORTS_HI);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), max);

	/* Full: refused, and the length does not move, however often. */
	for (i = 0; i < 3; i++) {
		extra = l4lb_conn_alloc(tab, GFP_KERNEL);
		KUNIT_EXPECT_PTR_EQ(test, extra, ERR_PTR(-ENOSPC));
		KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), max);
	}
	for (i = 0; i < max; i++)
		expect_row_found(test, tab, row[i]);

	/* One row gone: one slot free again, and only one. */
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, row[2]));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), max - 1);
	extra = l4lb_conn_alloc(tab, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, extra);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), max);
	KUNIT_EXPECT_PTR_EQ(test, l4lb_conn_alloc(tab, GFP_KERNEL),
			    ERR_PTR(-ENOSPC));
	/* A slot reserved but not used is given back. */
	l4lb_conn_free_unhashed(tab, extra);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), max - 1);
}

static void conn_half_open_limit_refused_and_released(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 4, 16);
	struct l4lb_conn *row[4], *more[3];
	unsigned int i;

	tab->half_open_max = 3;
	for (i = 0; i < 4; i++) {
		struct rowspec rs = client(i);

		row[i] = row_alloc(test, tab, &rs);
		if (i < 3)
			KUNIT_EXPECT_TRUE(test, l4lb_conn_half_open_get(tab, row[i]));
		else	/* over the limit: refused, nothing counted */
			KUNIT_EXPECT_FALSE(test, l4lb_conn_half_open_get(tab, row[i]));
		row_insert(test, tab, row[i], ALL_PORTS_LO, ALL_PORTS_HI);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 3);
	KUNIT_EXPECT_FALSE(test, row[3]->flags & L4LB_CONN_F_HALF_OPEN);

	/* Handshake done: counted out once, however often it is said. */
	l4lb_conn_half_open_put(tab, row[0]);
	l4lb_conn_half_open_put(tab, row[0]);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 2);
	/* Unlinking a half-open row counts it out; others are not counted. */
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, row[1]));
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, row[0]));
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, row[3]));
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);

	/* Room again, up to the limit: 1 + 2 more. */
	for (i = 0; i < 3; i++) {
		struct rowspec rs = client(10 + i);

		more[i] = row_alloc(test, tab, &rs);
		KUNIT_EXPECT_EQ(test, l4lb_conn_half_open_get(tab, more[i]),
				i < 2);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 3);
	for (i = 0; i < 3; i++) {
		l4lb_conn_half_open_put(tab, more[i]);
		l4lb_conn_free_unhashed(tab, more[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
}

static void conn_one_bucket_many_rows_lookups_exact(struct kunit *test)
{
	const unsigned int n = 200;
	struct l4lb_conn_table *tab = tab_new(test, 0, n);	/* 1 bucket */
	struct l4lb_conn **row;
	struct l4lb_tuple *orig, *reply;
	unsigned int i, left = n;

	row = kunit_kcalloc(test, n, sizeof(*row), GFP_KERNEL);
	orig = kunit_kcalloc(test, n, sizeof(*orig), GFP_KERNEL);
	reply = kunit_kcalloc(test, n, sizeof(*reply), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, row && orig && reply);

	/* Groups of four rows differ only in the client port or only in
	 * the protocol; all 400 tuples share the one chain.
	 */
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i / 4);

		rs.cport = htons(5000 + i % 2);
		rs.proto = i % 4 < 2 ? IPPROTO_TCP : IPPROTO_UDP;
		row[i] = row_add(test, tab, &rs, ALL_PORTS_LO, ALL_PORTS_HI);
		orig[i] = row[i]->th[ORIG].tuple;
		reply[i] = row[i]->th[REPLY].tuple;
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), n);
	for (i = 0; i < n; i++)
		expect_row_found(test, tab, row[i]);

	for (i = 0; i < n; i += 3) {
		KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, row[i]));
		left--;
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), left);
	for (i = 0; i < n; i++) {
		if (i % 3 == 0) {
			KUNIT_EXPECT_NULL(test, find(tab, &orig[i]));
			KUNIT_EXPECT_NULL(test, find(tab, &reply[i]));
		} else {
			expect_row_found(test, tab, row[i]);
		}
	}
	/* Expiry in the one bucket takes exactly the expired rows. */
	for (i = 0; i < n; i++)
		if (i % 3)
			WRITE_ONCE(row[i]->expires, i % 3 == 1 ? 10 : 1000);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, 1, 500), (n + 1) / 3);
	for (i = 0; i < n; i++)
		if (i % 3 == 2)
			expect_row_found(test, tab, row[i]);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), n / 3);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

/* The model: the rows the test believes are in the table. */
#define MODEL_MAX	256

struct mrow {
	struct l4lb_conn *conn;
	struct l4lb_tuple orig;
	struct l4lb_tuple reply;
	unsigned long expires;
};

struct model {
	struct mrow row[MODEL_MAX];
	unsigned int n;
};

static void model_del(struct model *m, unsigned int i)
{
	m->row[i] = m->row[--m->n];
}

struct op_stats {
	unsigned int ins, full, dup, unl, gc, slices, expired;
};

/* Insert a new row, or (1 in 20) a duplicate of a live one, or be refused
 * because the table is full.
 */
static void op_insert(struct kunit *test, struct l4lb_conn_table *tab,
		      struct model *m, struct rnd_state *rnd,
		      unsigned long now, unsigned int *serial,
		      struct op_stats *st)
{
	struct l4lb_tuple_hash *old = NULL;
	struct mrow *dup = NULL;
	struct l4lb_conn *conn;
	struct rowspec rs;
	int err;

	if (m->n && prandom_u32_state(rnd) % 20 == 0)
		dup = &m->row[prandom_u32_state(rnd) % m->n];
	conn = l4lb_conn_alloc(tab, GFP_KERNEL);
	if (m->n == MODEL_MAX) {
		KUNIT_ASSERT_PTR_EQ(test, conn, ERR_PTR(-ENOSPC));
		st->full++;
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, conn);

	rs = client((*serial)++);
	rs.baddr = BACKEND(prandom_u32_state(rnd) % 4);
	rs.proto = prandom_u32_state(rnd) % 4 ? IPPROTO_TCP : IPPROTO_UDP;
	if (dup) {
		rs.caddr = dup->orig.saddr;
		rs.cport = dup->orig.sport;
		rs.proto = dup->orig.proto;
	}
	conn->th[ORIG].tuple = (struct l4lb_tuple){
		.saddr = rs.caddr, .daddr = VIP, .sport = rs.cport,
		.dport = VPORT, .proto = rs.proto, .dir = ORIG };
	conn->th[REPLY].tuple = (struct l4lb_tuple){
		.saddr = rs.baddr, .daddr = rs.snat, .sport = rs.bport,
		.proto = rs.proto, .dir = REPLY };
	conn->expires = now + 1 + prandom_u32_state(rnd) % 2000;

	err = l4lb_kunit_insert(tab, conn, ALL_PORTS_LO, ALL_PORTS_HI, &old);
	if (dup) {
		KUNIT_EXPECT_EQ(test, err, -EEXIST);
		KUNIT_EXPECT_PTR_EQ(test, old, &dup->conn->th[ORIG]);
		if (err)
			l4lb_conn_free_unhashed(tab, conn);
		st->dup++;
		return;
	}
	if (err)
		l4lb_conn_free_unhashed(tab, conn);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "insert");
	m->row[m->n++] = (struct mrow){
		.conn = conn,
		.orig = conn->th[ORIG].tuple,
		.reply = conn->th[REPLY].tuple,
		.expires = conn->expires,
	};
	st->ins++;
}

static void op_unlink(struct kunit *test, struct l4lb_conn_table *tab,
		      struct model *m, struct rnd_state *rnd,
		      struct op_stats *st)
{
	unsigned int i;

	if (!m->n)
		return;
	i = prandom_u32_state(rnd) % m->n;
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, m->row[i].conn));
	KUNIT_EXPECT_FALSE(test, row_hashed(tab, &m->row[i].orig,
					    &m->row[i].reply));
	model_del(m, i);
	st->unl++;
}

/* A full GC pass: exactly the expired rows go. */
static void op_gc(struct kunit *test, struct l4lb_conn_table *tab,
		  struct model *m, unsigned long now, struct op_stats *st)
{
	unsigned int i, k = 0, removed;

	for (i = 0; i < m->n;) {
		if (time_after_eq(now, m->row[i].expires)) {
			model_del(m, i);
			k++;
		} else {
			i++;
		}
	}
	removed = l4lb_conn_gc(tab, nbuckets(tab), now);
	KUNIT_EXPECT_EQ(test, removed, k);
	st->gc++;
	st->expired += removed;
}

/* A GC slice: only expired rows go, and it says how many went. */
static void op_gc_slice(struct kunit *test, struct l4lb_conn_table *tab,
			struct model *m, struct rnd_state *rnd,
			unsigned long now, struct op_stats *st)
{
	unsigned int i, k = 0, removed;

	removed = l4lb_conn_gc(tab, 1 + prandom_u32_state(rnd) % 8, now);
	for (i = 0; i < m->n;) {
		struct mrow *mr = &m->row[i];

		if (find(tab, &mr->orig) == &mr->conn->th[ORIG]) {
			i++;
			continue;
		}
		KUNIT_EXPECT_TRUE_MSG(test, time_after_eq(now, mr->expires),
				      "a GC slice took a live row");
		KUNIT_EXPECT_NULL(test, find(tab, &mr->reply));
		model_del(m, i);
		k++;
	}
	KUNIT_EXPECT_EQ(test, removed, k);
	st->slices++;
	st->expired += removed;
}

static void conn_count_matches_model_after_10000_random_ops(struct kunit *test)
{
	/* Percent thresholds of insert, unlink, GC pass (the rest: GC
	 * slices), in phases of 1000 operations that fill the table up to
	 * its limit, then drain it.
	 */
	static const unsigned int mix[2][3] = {
		{ 70, 80, 90 },		/* filling */
		{ 20, 60, 85 },		/* draining */
	};
	struct l4lb_conn_table *tab = tab_new(test, 6, MODEL_MAX);
	/* The clock starts just before jiffies wrap, and crosses it. */
	unsigned long now = ULONG_MAX - 3000;
	unsigned int op, i, serial = 0;
	struct op_stats st = {};
	struct rnd_state rnd;
	struct model *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	prandom_seed_state(&rnd, 0x14b10c0ffeeULL);

	for (op = 0; op < 10000; op++) {
		const unsigned int *p = mix[(op / 1000) % 2];
		u32 r = prandom_u32_state(&rnd) % 100;

		now += prandom_u32_state(&rnd) % 3;
		if (r < p[0])
			op_insert(test, tab, m, &rnd, now, &serial, &st);
		else if (r < p[1])
			op_unlink(test, tab, m, &rnd, &st);
		else if (r < p[2])
			op_gc(test, tab, m, now, &st);
		else
			op_gc_slice(test, tab, m, &rnd, now, &st);

		KUNIT_ASSERT_EQ_MSG(test, l4lb_conn_count(tab), m->n,
				    "table length after operation %u", op);
		if (op % 500 == 499) {
			for (i = 0; i < m->n; i++)
				expect_row_found(test, tab, m->row[i].conn);
		}
	}
	kunit_info(test, "%u inserts, %u refused as full, %u duplicates, %u unlinks, %u GC passes, %u GC slices, %u expired, %u left\n",
		   st.ins, st.full, st.dup, st.unl, st.gc, st.slices,
		   st.expired, m->n);
	/* Each kind of outcome happened, or the test proved little. */
	KUNIT_EXPECT_GT(test, st.full, 0U);
	KUNIT_EXPECT_GT(test, st.dup, 0U);
	KUNIT_EXPECT_GT(test, st.expired, 0U);
	KUNIT_EXPECT_GT(test, st.unl, 0U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), m->n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

static void conn_flush_removes_rows_and_releases_backends(struct kunit *test)
{
	struct l4lb_conn_table *tab;
	struct l4lb_backend *be;
	struct l4lb_conn *row[15];
	unsigned int i;

	/* Allocated first, so freed after the table (test resources go in
	 * reverse order): its rows hold references to them.
	 */
	be = kunit_kcalloc(test, 2, sizeof(*be), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, be);
	tab = tab_new(test, 5, 64);
	for (i = 0; i < 2; i++)
		backend_init(&be[i], BACKEND(i));
	/* Rows 0-9 to backend 0, 10-14 to backend 1, as the packet path
	 * makes them: a reference each, counted inactive, or active once
	 * established.
	 */
	for (i = 0; i < 15; i++) {
		struct l4lb_backend *b = &be[i < 10 ? 0 : 1];
		struct rowspec rs = client(i);

		rs.baddr = b->addr.ip;
		row[i] = row_alloc(test, tab, &rs);
		refcount_inc(&b->refcnt);
		row[i]->backend = b;
		if (i % 5 == 0) {
			row[i]->state = L4LB_CONN_ESTABLISHED;
			row[i]->flags |= L4LB_CONN_F_ACTIVE;
			atomic_inc(&b->active);
		} else {
			atomic_inc(&b->inactive);
		}
		row_insert(test, tab, row[i], ALL_PORTS_LO, ALL_PORTS_HI);
	}
	KUNIT_EXPECT_EQ(test, refcount_read(&be[0].refcnt), 11U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be[1].refcnt), 6U);

	/* One backend's rows. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, &be[0]), 10U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 5U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be[0].refcnt), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[0].active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[0].inactive), 0);
	for (i = 10; i < 15; i++)
		expect_row_found(test, tab, row[i]);
	KUNIT_EXPECT_EQ(test, refcount_read(&be[1].refcnt), 6U);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[1].active), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[1].inactive), 4);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, &be[0]), 0U);

	/* Everything. */
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), 5U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be[1].refcnt), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[1].active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be[1].inactive), 0);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), 0U);
}

/* --- the GC's pace: l4lb_conn_gc_timeouts() and l4lb_conn_gc_tick() ----- */

struct to_set {
	enum l4lb_timeout_kind kind;
	unsigned int secs;
};

/* Set @tab's pace from the default timeouts with @set applied, as the GC
 * worker does for a service of @proto; return the full pass's period.
 */
static unsigned long gc_period_with(struct l4lb_conn_table *tab, u8 proto,
				    const struct to_set *set, unsigned int n)
{
	unsigned long t[L4LB_CONN_STATE_MAX + 1];
	struct l4lb_service_cfg cfg;
	unsigned int i;

	l4lb_service_cfg_default(&cfg);
	for (i = 0; i < n; i++)
		l4lb_service_cfg_timeout(&cfg, set[i].kind, set[i].secs);
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++)
		t[i] = (unsigned long)cfg.timeout[i] * HZ;
	l4lb_conn_gc_timeouts(tab, t, proto);
	return tab->gc.period;
}

static void conn_gc_period_follows_the_timeouts_in_use(struct kunit *test)
{
	static const struct to_set tcp3[] = { { L4LB_TO_TCP, 3 } };
	static const struct to_set syn5[] = { { L4LB_TO_SYN, 5 } };
	static const struct to_set tcp900[] = { { L4LB_TO_TCP, 900 } };
	static const struct to_set fin120[] = { { L4LB_TO_TCP_FIN, 120 } };
	static const struct to_set close20[] = { { L4LB_TO_TCP_CLOSE, 20 } };
	static const struct to_set udp_long[] = {
		{ L4LB_TO_UDP, 3600 }, { L4LB_TO_UDP_UNREPLIED, 3600 },
	};
	static const struct to_set short_all[] = {
		{ L4LB_TO_SYN, 4 }, { L4LB_TO_TCP, 4 }, { L4LB_TO_TCP_FIN, 4 },
	};
	static const struct to_set udp3[] = {
		{ L4LB_TO_UDP, 3 }, { L4LB_TO_UDP_UNREPLIED, 3 },
	};
	static const struct to_set udp3_p40[] = {
		{ L4LB_TO_UDP, 3 }, { L4LB_TO_UDP_UNREPLIED, 3 },
		{ L4LB_TO_PERSIST, 40 },
	};
	static const struct to_set p20[] = { { L4LB_TO_PERSIST, 20 } };
	static const struct to_set p6[] = { { L4LB_TO_PERSIST, 6 } };
	static const struct to_set udp10[] = {
		{ L4LB_TO_UDP, 10 }, { L4LB_TO_UDP_UNREPLIED, 10 },
	};
	static const struct to_set udp11[] = {
		{ L4LB_TO_UDP, 11 }, { L4LB_TO_UDP_UNREPLIED, 3 },
	};
	static const struct to_set unreplied11[] = {
		{ L4LB_TO_UDP, 3 }, { L4LB_TO_UDP_UNREPLIED, 11 },
	};
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);

	/* Before any service sets it: a full pass a second. */
	KUNIT_EXPECT_EQ(test, tab->gc.period, (unsigned long)HZ);

	/* TCP with the defaults: a closed row's 3 s is short (the marked
	 * pass serves it); the shortest longer one is timeout_syn's 60 s: a
	 * quarter of it. A short timeout is left to the marked pass.
	 */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, NULL, 0),
			60UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, tcp3, 1),
			60UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, syn5, 1),
			30UL * HZ);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, tcp900, 1),
			60UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, fin120, 1),
			60UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, close20, 1),
			20UL * HZ / 4);
	/* At most 30 s, */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, udp_long, 2),
			30UL * HZ);
	/* also when every timeout is short: the marked pass serves them. */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, short_all, 3),
			30UL * HZ);
	/* UDP: the TCP states are not in use; with the defaults the
	 * shortest is timeout_udp_unreplied's 30 s.
	 */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, NULL, 0),
			30UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, udp3, 2),
			30UL * HZ);
	/* 10 s is still short; 11 s is not, in either UDP state. */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, udp10, 2),
			30UL * HZ);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, udp11, 2),
			11UL * HZ / 4);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, unreplied11, 2),
			11UL * HZ / 4);
	/* Persistence templates count when there are any. */
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_UDP, udp3_p40, 3),
			10UL * HZ);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, p20, 1),
			5UL * HZ);
	KUNIT_EXPECT_EQ(test, gc_period_with(tab, IPPROTO_TCP, p6, 1),
			60UL * HZ / 4);
}

/* A late call of the worker (a deferrable timer on an idle CPU) catches
 * up: one call after a long pause is a whole full pass. The first call
 * only starts the clock.
 */
static void conn_gc_tick_late_call_is_a_full_pass(struct kunit *test)
{
	const unsigned int n = 200;
	const unsigned long t0 = 300000;
	struct l4lb_conn_table *tab = tab_new(test, 8, n);
	unsigned int i;

	gc_period_with(tab, IPPROTO_TCP, NULL, 0);
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i);
		struct l4lb_conn *conn = row_alloc(test, tab, &rs);

		conn->expires = t0 + 1;
		row_insert(test, tab, conn, ALL_PORTS_LO, ALL_PORTS_HI);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc_tick(tab, t0 + 10), 0U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc_tick(tab, t0 + 60 * HZ), n);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
}

/* Buckets marked for the expiry's marked pass, in both bitmaps. */
static unsigned int marked_buckets(const struct l4lb_conn_table *tab)
{
	return bitmap_weight(tab->mark[0], 1U << tab->bits) +
	       bitmap_weight(tab->mark[1], 1U << tab->bits);
}

/*
 * Inserts and lookups of long-lived rows mark no bucket: a stream of new
 * flows made the marked pass sweep the whole table every second. Only a
 * row due within L4LB_GC_SHORT marks its bucket (l4lb_conn_mark()).
 */
static void conn_mark_only_short_lived_rows(struct kunit *test)
{
	const unsigned int n = 100;
	struct l4lb_conn_table *tab = tab_new(test, 8, n);
	struct l4lb_conn **rows;
	enum l4lb_dir d;
	unsigned int i;

	rows = kunit_kcalloc(test, n, sizeof(*rows), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rows);
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i);

		rows[i] = row_alloc(test, tab, &rs);
		rows[i]->expires = jiffies + 900 * HZ;
		row_insert(test, tab, rows[i], ALL_PORTS_LO, ALL_PORTS_HI);
	}
	rcu_read_lock();
	for (i = 0; i < n; i++) {
		for (d = L4LB_DIR_ORIG; d < L4LB_DIR_MAX; d++) {
			struct l4lb_tuple t = rows[i]->th[d].tuple;

			KUNIT_EXPECT_PTR_EQ(test, l4lb_conn_find(tab, &t, NULL),
					    &rows[i]->th[d]);
		}
	}
	KUNIT_EXPECT_EQ(test, marked_buckets(tab), 0U);
	l4lb_conn_mark(tab, &rows[0]->th[L4LB_DIR_ORIG], jiffies);
	KUNIT_EXPECT_EQ(test, marked_buckets(tab), 0U);
	rows[0]->expires = jiffies + 3 * HZ;
	l4lb_conn_mark(tab, &rows[0]->th[L4LB_DIR_ORIG], jiffies);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, marked_buckets(tab), 1U);
}

/* A row of the model below: its backend tells whether it is still there
 * (the row's reference goes when it is unlinked), without touching a row
 * that may be freed.
 */
struct grow {
	struct l4lb_backend *be;
	struct l4lb_conn *conn;
	struct l4lb_tuple orig;
	struct l4lb_tuple reply;
	unsigned long expires;
	unsigned long timeout;
};

#define GROWS	1500

/*
 * The worker every HZ / 4 for 175 s of fake time, over a table of TCP
 * rows with the default timeouts (full pass 15 s). For 100 s rows come
 * and get packets (a lookup in either direction, then a new expiry time
 * and l4lb_conn_mark(), as the packet path does) at random; then they
 * all expire. A packet may turn a long timeout into a short linger (a FIN
 * or RST) or back. Every row must go at or after its expiry time, and by
 * about a second after it if its last timeout was short (at most 4 s),
 * else by about the full pass's period after it.
 */
static void conn_gc_tick_expires_each_row_in_time(struct kunit *test)
{
	const unsigned long t0 = 5000000, tick = max(HZ / 4, 1);
	const unsigned long period = 60UL * HZ / 4;
	const unsigned long short_late = HZ + 2 * tick;
	const unsigned long long_late = period + 2 * tick;
	unsigned long now, late_short = 0, late_long = 0;
	unsigned int n = 0, made = 0, gone_short = 0, gone_long = 0;
	unsigned int pkts = 0, i, k;
	struct l4lb_conn_table *tab;
	struct l4lb_backend *be;
	struct rnd_state rnd;
	struct grow *g;

	be = kunit_kcalloc(test, GROWS, sizeof(*be), GFP_KERNEL);
	g = kunit_kcalloc(test, GROWS, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, be && g);
	tab = tab_new(test, 8, GROWS);	/* after @be: freed before it */
	KUNIT_ASSERT_EQ(test, gc_period_with(tab, IPPROTO_TCP, NULL, 0),
			period);
	prandom_seed_state(&rnd, 8);
	l4lb_conn_gc_tick(tab, t0);

	for (now = t0 + tick; time_before(now, t0 + 175 * HZ); now += tick) {
		/* New rows, for the first 100 s. */
		k = time_before(now, t0 + 100 * HZ) ?
			prandom_u32_state(&rnd) % 5 : 0;
		for (; k && made < GROWS; k--) {
			struct grow *r = &g[n];

			/* A backend of its own, 198.18.x.y: its reference
			 * count says whether the row is still there.
			 */
			r->be = &be[made];
			backend_init(r->be, htonl(0xc6120000 | made));
			r->conn = row_alloc_be(test, tab, client(made), r->be);
			made++;
			r->timeout = prandom_u32_state(&rnd) % 2 ?
				(1 + prandom_u32_state(&rnd) % 4) * HZ :
				(5 + prandom_u32_state(&rnd) % 40) * HZ;
			r->expires = now + r->timeout;
			r->conn->expires = r->expires;
			row_insert(test, tab, r->conn, ALL_PORTS_LO,
				   ALL_PORTS_HI);
			/* as its first packet does */
			l4lb_conn_mark(tab, &r->conn->th[ORIG], now);
			r->orig = r->conn->th[ORIG].tuple;
			r->reply = r->conn->th[REPLY].tuple;
			n++;
		}
		/* Packets on rows that have not expired yet, for 100 s too. */
		k = time_before(now, t0 + 100 * HZ) ? 0 : 4;
		for (; k < 4 && n; k++) {
			struct grow *r = &g[prandom_u32_state(&rnd) % n];
			struct l4lb_tuple_hash *th;

			if (time_after_eq(now, r->expires))
				continue;
			th = find(tab, prandom_u32_state(&rnd) % 2 ?
				  &r->orig : &r->reply);
			KUNIT_ASSERT_NOT_NULL(test, th);
			KUNIT_ASSERT_PTR_EQ(test, l4lb_tuplehash_to_conn(th),
					    r->conn);
			switch (prandom_u32_state(&rnd) % 4) {
			case 0:
				r->timeout = 2 * HZ;	/* FIN both ways */
				break;
			case 1:
				r->timeout = 30 * HZ;
				break;
			}
			r->expires = now + r->timeout;
			WRITE_ONCE(r->conn->expires, r->expires);
			l4lb_conn_mark(tab, th, now);
			pkts++;
		}

		l4lb_conn_gc_tick(tab, now);

		for (i = 0; i < n;) {
			struct grow *r = &g[i];
			bool is_short = r->timeout <= 4 * HZ;
			unsigned long bound = is_short ? short_late : long_late;

			if (refcount_read(&r->be->refcnt) == 2) {
				KUNIT_ASSERT_FALSE_MSG(test,
						       time_after(now, r->expires + bound),
						       "a row with a %lu s timeout is still there %ld jiffies after its expiry (bound %lu)",
						       r->timeout / HZ,
						       (long)(now - r->expires), bound);
				i++;
				continue;
			}
			KUNIT_ASSERT_TRUE_MSG(test, time_after_eq(now, r->expires),
					      "a row went %ld jiffies before its expiry",
					      (long)(r->expires - now));
			if (is_short) {
				late_short = max(late_short, now - r->expires);
				gone_short++;
			} else {
				late_long = max(late_long, now - r->expires);
				gone_long++;
			}
			g[i] = g[--n];
		}
		KUNIT_ASSERT_EQ(test, l4lb_conn_count(tab), n);
	}
	kunit_info(test, "%u rows, %u packets; gone: %u short (at most %lu jiffies late), %u long (at most %lu late); %u left; HZ %d\n",
		   made, pkts, gone_short, late_short, gone_long, late_long, n,
		   HZ);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_GT(test, gone_short, 100U);
	KUNIT_EXPECT_GT(test, gone_long, 100U);
	/* The marked pass did serve the short ones: much sooner than a
	 * full pass would.
	 */
	KUNIT_EXPECT_LT(test, late_short, period / 2);
}

/*
 * A packet of a row that another CPU is unlinking: it found the row under
 * RCU just before. Unlinking gives back the row's count on its backend;
 * the late packet must not move the row to ESTABLISHED after that, or the
 * backend's active and inactive counts are off by one for good (lc and wlc
 * would then read -1 as 4294967295 active rows).
 */
static void conn_late_packet_of_an_unlinked_row_leaves_the_counts(struct kunit *test)
{
	static const unsigned long timeout[L4LB_CONN_STATE_MAX + 1] = {
		[L4LB_CONN_SYN_SENT ... L4LB_CONN_STATE_MAX] = 60 * HZ,
	};
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn *conn;

	conn = row_alloc_be(test, tab, client(1), be);
	row_insert(test, tab, conn, 5000, 5000);
	l4lb_conn_advance(tab, conn, REPLY, TCPHDR_SYN | TCPHDR_ACK, timeout);
	KUNIT_ASSERT_EQ(test, conn->state, L4LB_CONN_SYN_RECV);
	KUNIT_ASSERT_EQ(test, atomic_read(&be->inactive), 1);

	rcu_read_lock();	/* the other CPU's hold on the row */
	KUNIT_ASSERT_TRUE(test, l4lb_conn_unlink(tab, conn));
	KUNIT_EXPECT_EQ(test, atomic_read(&be->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 0);
	/* The client's ACK, on the CPU that found the row before. */
	l4lb_conn_advance(tab, conn, ORIG, TCPHDR_ACK, timeout);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, atomic_read(&be->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 1);
	rcu_barrier();
}

/*
 * A UDP row starts unreplied and half-open, as the packet path makes it;
 * the client's packets keep it so, and so does the backend's reply (a
 * spoofed client never sees it); the client's next datagram makes it UDP:
 * no longer half-open, with timeout_udp, and still one inactive row of its
 * backend, as before (lc and wlc count a UDP row as 1 either way).
 */
static void conn_udp_client_after_reply_confirms_the_row(struct kunit *test)
{
	static const unsigned long timeout[L4LB_CONN_STATE_MAX + 1] = {
		[L4LB_CONN_UDP] = 300 * HZ,
		[L4LB_CONN_UDP_UNREPLIED] = 30 * HZ,
	};
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);
	struct rowspec rs = client(2);
	struct l4lb_conn *conn;
	unsigned long t0;

	rs.proto = IPPROTO_UDP;
	conn = row_alloc_be(test, tab, rs, be);
	KUNIT_EXPECT_EQ(test, conn->state, L4LB_CONN_UDP_UNREPLIED);
	KUNIT_ASSERT_TRUE(test, l4lb_conn_half_open_get(tab, conn));
	row_insert(test, tab, conn, 5000, 5000);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);

	rcu_read_lock();
	t0 = jiffies;
	l4lb_conn_advance(tab, conn, ORIG, 0, timeout);
	KUNIT_EXPECT_EQ(test, conn->state, L4LB_CONN_UDP_UNREPLIED);
	KUNIT_EXPECT_TRUE(test, conn->flags & L4LB_CONN_F_HALF_OPEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_TRUE(test, time_in_range(conn->expires, t0 + 30 * HZ,
					      jiffies + 30 * HZ));

	/* The reply alone confirms nothing. */
	t0 = jiffies;
	l4lb_conn_advance(tab, conn, REPLY, 0, timeout);
	l4lb_conn_advance(tab, conn, REPLY, 0, timeout);
	KUNIT_EXPECT_EQ(test, conn->state, L4LB_CONN_UDP_UNREPLIED);
	KUNIT_EXPECT_TRUE(test, conn->flags & L4LB_CONN_F_HALF_OPEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_TRUE(test, l4lb_conn_reclaimable(conn));
	KUNIT_EXPECT_TRUE(test, time_in_range(conn->expires, t0 + 30 * HZ,
					      jiffies + 30 * HZ));

	t0 = jiffies;
	l4lb_conn_advance(tab, conn, ORIG, 0, timeout);
	KUNIT_EXPECT_EQ(test, conn->state, L4LB_CONN_UDP);
	KUNIT_EXPECT_FALSE(test, l4lb_conn_reclaimable(conn));
	KUNIT_EXPECT_FALSE(test, conn->flags & L4LB_CONN_F_HALF_OPEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
	KUNIT_EXPECT_TRUE(test, time_in_range(conn->expires, t0 + 300 * HZ,
					      jiffies + 300 * HZ));
	KUNIT_EXPECT_EQ(test, atomic_read(&be->active), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 1);

	/* Packets either way leave it there. */
	l4lb_conn_advance(tab, conn, ORIG, 0, timeout);
	l4lb_conn_advance(tab, conn, REPLY, 0, timeout);
	KUNIT_EXPECT_EQ(test, conn->state, L4LB_CONN_UDP);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
	rcu_read_unlock();

	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, conn));
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 0);
	rcu_barrier();
}

/* An unreplied UDP row that goes gives its half-open count back. */
static void conn_udp_unreplied_row_gone_leaves_half_open(struct kunit *test)
{
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);
	const unsigned long t0 = 100000;
	struct rowspec rs = client(3);
	struct l4lb_conn *conn;

	rs.proto = IPPROTO_UDP;
	conn = row_alloc_be(test, tab, rs, be);
	KUNIT_ASSERT_TRUE(test, l4lb_conn_half_open_get(tab, conn));
	conn->expires = t0;
	row_insert(test, tab, conn, 5000, 5000);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_EQ(test, l4lb_conn_gc(tab, nbuckets(tab), t0 + HZ), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 0);
	rcu_barrier();
}

/*
 * A TCP and a UDP service on one VIP:port each pin a client to a backend
 * of their own: both templates must be in the table at once.
 */
static void conn_templates_of_tcp_and_udp_on_one_vip_port_coexist(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);
	struct l4lb_backend *tcp_be = backend_new(test, 0);
	struct l4lb_backend *udp_be = backend_new(test, 1);
	struct l4lb_tuple t = {
		.saddr = htonl(0x0a000002), .daddr = VIP,
		.sport = htons(40000), .dport = VPORT, .proto = IPPROTO_TCP,
	};
	struct l4lb_tuple u = t;
	struct l4lb_backend *got;

	u.proto = IPPROTO_UDP;
	rcu_read_lock();
	l4lb_persist_add(tab, &t, NULL, tcp_be, 60 * HZ);
	l4lb_persist_add(tab, &u, NULL, udp_be, 60 * HZ);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
	got = l4lb_persist_find(tab, &t, NULL, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, tcp_be);
	if (got)
		l4lb_backend_put(got);
	got = l4lb_persist_find(tab, &u, NULL, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, udp_be);
	if (got)
		l4lb_backend_put(got);
	rcu_read_unlock();
	l4lb_conn_flush(tab, NULL);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&tcp_be->refcnt), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&udp_be->refcnt), 1);
}

static struct kunit_case l4lb_conn_cases[] = {
	KUNIT_CASE(conn_templates_of_tcp_and_udp_on_one_vip_port_coexist),
	KUNIT_CASE(conn_late_packet_of_an_unlinked_row_leaves_the_counts),
	KUNIT_CASE(conn_udp_client_after_reply_confirms_the_row),
	KUNIT_CASE(conn_udp_unreplied_row_gone_leaves_half_open),
	KUNIT_CASE(conn_insert_then_lookup_finds_both_directions),
	KUNIT_CASE(conn_insert_after_a_miss_sees_rows_added_since),
	KUNIT_CASE(conn_unlink_removes_both_directions_once),
	KUNIT_CASE(conn_unhashed_row_is_not_unlinked),
	KUNIT_CASE(conn_gc_expires_rows_by_timeout),
	KUNIT_CASE(conn_gc_removes_only_expired_rows),
	KUNIT_CASE(conn_gc_handles_jiffies_wraparound),
	KUNIT_CASE(conn_gc_slices_cover_every_bucket),
	KUNIT_CASE(conn_max_is_refused_cleanly),
	KUNIT_CASE(conn_half_open_limit_refused_and_released),
	KUNIT_CASE(conn_one_bucket_many_rows_lookups_exact),
	KUNIT_CASE(conn_count_matches_model_after_10000_random_ops),
	KUNIT_CASE(conn_flush_removes_rows_and_releases_backends),
	KUNIT_CASE(conn_gc_period_follows_the_timeouts_in_use),
	KUNIT_CASE(conn_gc_tick_late_call_is_a_full_pass),
	KUNIT_CASE(conn_mark_only_short_lived_rows),
	KUNIT_CASE(conn_gc_tick_expires_each_row_in_time),
	{}
};

static struct kunit_suite l4lb_conn_suite = {
	.name = "l4lb_conn",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_conn_cases,
};

/* --- l4lb_snat: the SNAT port allocator ------------------------------- */

#define SMALL_LO	40000
#define SMALL_HI	40007	/* 8 ports */
#define SMALL_N		(SMALL_HI - SMALL_LO + 1)

/* Fill [lo, hi] with rows of @rs's backend/SNAT, clients from @first;
 * expect every port taken exactly once.
 */
static void fill_range(struct kunit *test, struct l4lb_conn_table *tab,
		       struct rowspec rs, unsigned int first, u16 lo, u16 hi,
		       struct l4lb_conn **rows)
{
	unsigned int n = hi - lo + 1, i;
	DECLARE_BITMAP(seen, 64) = {};

	KUNIT_ASSERT_LE(test, n, 64U);
	for (i = 0; i < n; i++) {
		struct rowspec c = client(first + i);
		struct l4lb_conn *conn;
		u16 port;

		rs.caddr = c.caddr;
		rs.cport = c.cport;
		conn = row_add(test, tab, &rs, lo, hi);
		port = ntohs(conn->th[REPLY].tuple.dport);
		KUNIT_ASSERT_TRUE_MSG(test, port >= lo && port <= hi,
				      "port %u outside %u-%u", port, lo, hi);
		KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(port - lo, seen),
				       "port %u handed out twice", port);
		if (rows)
			rows[i] = conn;
	}
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, n), n);
}

/* One more row of @rs's backend/SNAT must find no port, and leave no trace. */
static void expect_exhausted(struct kunit *test, struct l4lb_conn_table *tab,
			     struct rowspec rs, unsigned int cl, u16 lo, u16 hi)
{
	unsigned int before = l4lb_conn_count(tab);
	struct l4lb_tuple_hash *old = NULL;
	struct rowspec c = client(cl);
	struct l4lb_conn *conn;
	int err;

	rs.caddr = c.caddr;
	rs.cport = c.cport;
	conn = row_alloc(test, tab, &rs);
	err = l4lb_kunit_insert(tab, conn, lo, hi, &old);
	KUNIT_EXPECT_EQ(test, err, -EADDRNOTAVAIL);
	if (err) {
		KUNIT_EXPECT_NULL(test, find(tab, &conn->th[ORIG].tuple));
		KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), before + 1);
		l4lb_conn_free_unhashed(tab, conn);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), before);
}

static void snat_ports_unique_per_snat_and_backend(struct kunit *test)
{
	const unsigned int n = 2000;
	struct l4lb_conn_table *tab = tab_new(test, 10, n);
	unsigned long *seen;
	unsigned int i;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(65536) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < n; i++) {
		struct rowspec rs = client(i);
		struct l4lb_conn *conn = row_add(test, tab, &rs, ALL_PORTS_LO,
						 ALL_PORTS_HI);
		u16 port = ntohs(conn->th[REPLY].tuple.dport);

		KUNIT_ASSERT_GE(test, port, ALL_PORTS_LO);
		KUNIT_ASSERT_FALSE_MSG(test, __test_and_set_bit(port, seen),
				       "port %u handed out twice", port);
	}
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, 65536), n);
}

static void snat_small_range_exhaustion_is_eaddrnotavail(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N];
	struct rowspec rs = client(0);
	unsigned int i;

	fill_range(test, tab, rs, 0, SMALL_LO, SMALL_HI, rows);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), SMALL_N);
	/* The search starts at a random port: try many times. */
	for (i = 0; i < 32; i++)
		expect_exhausted(test, tab, rs, 100 + i, SMALL_LO, SMALL_HI);
	/* The rows that have the ports are untouched. */
	for (i = 0; i < SMALL_N; i++)
		expect_row_found(test, tab, rows[i]);
}

static void snat_freed_port_is_reused(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N], *conn;
	struct rowspec rs = client(0), c = client(50);
	unsigned int i;
	__be16 port;

	fill_range(test, tab, rs, 0, SMALL_LO, SMALL_HI, rows);
	port = rows[3]->th[REPLY].tuple.dport;
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, rows[3]));

	rs.caddr = c.caddr;
	rs.cport = c.cport;
	conn = row_add(test, tab, &rs, SMALL_LO, SMALL_HI);
	KUNIT_EXPECT_EQ(test, ntohs(conn->th[REPLY].tuple.dport), ntohs(port));
	expect_row_found(test, tab, conn);
	for (i = 0; i < 8; i++)
		expect_exhausted(test, tab, rs, 60 + i, SMALL_LO, SMALL_HI);
}

static void snat_ports_are_per_backend_snat_address_and_protocol(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct rowspec rs = client(0), other;

	fill_range(test, tab, rs, 0, SMALL_LO, SMALL_HI, NULL);
	expect_exhausted(test, tab, rs, 1000, SMALL_LO, SMALL_HI);

	/* The same range again towards another backend port, */
	other = rs;
	other.bport = htons(8081);
	fill_range(test, tab, other, 100, SMALL_LO, SMALL_HI, NULL);
	expect_exhausted(test, tab, other, 1001, SMALL_LO, SMALL_HI);
	/* another backend address, */
	other = rs;
	other.baddr = BACKEND(1);
	fill_range(test, tab, other, 200, SMALL_LO, SMALL_HI, NULL);
	expect_exhausted(test, tab, other, 1002, SMALL_LO, SMALL_HI);
	/* another SNAT address, */
	other = rs;
	other.snat = SNAT2;
	fill_range(test, tab, other, 300, SMALL_LO, SMALL_HI, NULL);
	expect_exhausted(test, tab, other, 1003, SMALL_LO, SMALL_HI);
	/* and another protocol. */
	other = rs;
	other.proto = IPPROTO_UDP;
	fill_range(test, tab, other, 400, SMALL_LO, SMALL_HI, NULL);
	expect_exhausted(test, tab, other, 1004, SMALL_LO, SMALL_HI);

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 5U * SMALL_N);
}

static void snat_same_original_tuple_is_eexist_with_old(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct rowspec rs = client(9), rs2;
	struct l4lb_tuple_hash *old = NULL;
	struct l4lb_conn *first, *second;
	int err;

	first = row_add(test, tab, &rs, ALL_PORTS_LO, ALL_PORTS_HI);

	/* A retransmitted SYN scheduled to another backend meanwhile. */
	rs2 = rs;
	rs2.baddr = BACKEND(3);
	second = row_alloc(test, tab, &rs2);
	err = l4lb_kunit_insert(tab, second, ALL_PORTS_LO, ALL_PORTS_HI, &old);
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, old, &first->th[ORIG]);
	if (old)
		KUNIT_EXPECT_PTR_EQ(test, l4lb_tuplehash_to_conn(old), first);
	KUNIT_EXPECT_NULL(test, find(tab, &second->th[REPLY].tuple));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
	if (err)
		l4lb_conn_free_unhashed(tab, second);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	expect_row_found(test, tab, first);
}

static void snat_eexist_wins_over_a_full_range(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct rowspec rs = client(9);
	struct l4lb_tuple_hash *old = NULL;
	struct l4lb_conn *first, *second;
	int err;

	first = row_add(test, tab, &rs, 5000, 5000);
	second = row_alloc(test, tab, &rs);
	err = l4lb_kunit_insert(tab, second, 5000, 5000, &old);
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, old, &first->th[ORIG]);
	if (err)
		l4lb_conn_free_unhashed(tab, second);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
}

static void snat_single_port_range(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct rowspec rs = client(0);
	struct l4lb_conn *conn;

	conn = row_add(test, tab, &rs, 5000, 5000);
	KUNIT_EXPECT_EQ(test, ntohs(conn->th[REPLY].tuple.dport), 5000);
	expect_exhausted(test, tab, rs, 1, 5000, 5000);
}

static void snat_top_of_port_space_does_not_wrap(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct rowspec rs = client(0);

	/* fill_range() checks every port lands in 65532-65535. */
	fill_range(test, tab, rs, 0, 65532, 65535, NULL);
	expect_exhausted(test, tab, rs, 100, 65532, 65535);
}

/* A row of client @cl to @be, inserted with @sp from @be's cursor, as
 * l4lb_conn_insert_range() returns; on failure the row is given back.
 */
static int row_try_space_be(struct kunit *test, struct l4lb_conn_table *tab,
			    unsigned int cl, struct l4lb_backend *be,
			    const struct l4lb_snat_space *sp,
			    struct l4lb_conn **connp)
{
	struct l4lb_conn *conn = row_alloc_be(test, tab, client(cl), be);
	struct l4lb_tuple_hash *old = NULL;
	int err;

	err = l4lb_conn_insert_range(tab, conn, sp, &be->snat_next, NULL,
				     &old);
	if (err) {
		atomic_dec(&be->inactive);
		refcount_dec(&be->refcnt);
		l4lb_conn_free_unhashed(tab, conn);
		conn = NULL;
	}
	*connp = conn;
	return err;
}

/* The same with @ports of the one address SNAT, client()'s. */
static int row_try_range_be(struct kunit *test, struct l4lb_conn_table *tab,
			    unsigned int cl, struct l4lb_backend *be,
			    const struct l4lb_port_range *ports,
			    struct l4lb_conn **connp)
{
	const union nf_inet_addr snat = { .ip = SNAT };
	const struct l4lb_snat_space sp = {
		.addrs = &snat, .naddr = 1, .ports = *ports,
	};

	return row_try_space_be(test, tab, cl, be, &sp, connp);
}

/* The same with the one range @lo-@hi. */
static int row_try_be(struct kunit *test, struct l4lb_conn_table *tab,
		      unsigned int cl, struct l4lb_backend *be, u16 lo, u16 hi,
		      struct l4lb_conn **connp)
{
	const struct l4lb_port_range ports = {
		.lo = { lo, 1 }, .hi = { hi, 0 },
	};

	return row_try_range_be(test, tab, cl, be, &ports, connp);
}

static u16 row_port(const struct l4lb_conn *conn)
{
	return ntohs(conn->th[REPLY].tuple.dport);
}

/*
 * The 128 ports a backend's cursor points at are all held, by rows placed
 * there one by one, while the rest of the range is free. The search gives
 * up after 128 ports; it must not start at the same block again next time.
 */
static void snat_cursor_moves_past_a_full_block(struct kunit *test)
{
	const u16 lo = 20000, hi = 20000 + 1023;
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 10, 2048);
	struct l4lb_conn *conn = NULL;
	unsigned int i, tries;
	int err = 0;

	for (i = 0; i < 128; i++) {
		struct rowspec rs = client(i);	/* BACKEND(0), as @be */

		row_add(test, tab, &rs, lo + i, lo + i);
	}
	atomic_set(&be->snat_next, 0);
	for (tries = 1; tries <= 4; tries++) {
		err = row_try_be(test, tab, 1000 + tries, be, lo, hi, &conn);
		if (!err)
			break;
		KUNIT_EXPECT_EQ(test, err, -EADDRNOTAVAIL);
	}
	KUNIT_ASSERT_EQ_MSG(test, err, 0,
			    "no port in 4 tries, with 896 of 1024 ports free");
	/* One try may find the block full (it probes 128 ports); the next
	 * starts past it, at the first free port.
	 */
	KUNIT_EXPECT_LE(test, tries, 2U);
	KUNIT_EXPECT_EQ(test, row_port(conn), lo + 128);
	KUNIT_EXPECT_EQ(test, row_try_be(test, tab, 2000, be, lo, hi, &conn), 0);
	if (conn)
		KUNIT_EXPECT_EQ(test, row_port(conn), lo + 129);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 130U);
}

/* --- SNAT ports in two parts, around the local ephemeral range --------- */

static u32 range_size(const struct l4lb_port_range *r)
{
	u32 n = 0;
	unsigned int p;

	for (p = 0; p < 2; p++)
		if (r->hi[p] >= r->lo[p])
			n += r->hi[p] - r->lo[p] + 1;
	return n;
}

static bool range_has(const struct l4lb_port_range *r, int port)
{
	return (port >= r->lo[0] && port <= r->hi[0]) ||
	       (port >= r->lo[1] && port <= r->hi[1]);
}

/* l4lb_port_range_outside(@llo, @lhi) gives @n ports: every port of
 * 1024-65535 outside @llo-@lhi, or all of them if that is none.
 */
static void expect_outside(struct kunit *test, int llo, int lhi, u32 n)
{
	unsigned int in = 0, local = 0;
	struct l4lb_port_range r;
	int port;

	l4lb_port_range_outside(&r, llo, lhi);
	KUNIT_EXPECT_EQ_MSG(test, range_size(&r), n, "local range %d-%d",
			    llo, lhi);
	for (port = 0; port <= 65535; port++) {
		if (!range_has(&r, port))
			continue;
		in++;
		KUNIT_EXPECT_GE_MSG(test, port, ALL_PORTS_LO, "local range %d-%d",
				    llo, lhi);
		if (port >= llo && port <= lhi)
			local++;
	}
	/* The parts do not overlap, and hold exactly the ports counted. */
	KUNIT_EXPECT_EQ_MSG(test, in, n, "local range %d-%d", llo, lhi);
	if (n < ALL_PORTS_HI - ALL_PORTS_LO + 1)
		KUNIT_EXPECT_EQ_MSG(test, local, 0U,
				    "local range %d-%d: %u SNAT ports inside it",
				    llo, lhi, local);
}

static void snat_ports_are_every_port_outside_the_local_range(struct kunit *test)
{
	struct l4lb_port_range r;

	/* Linux's default, 32768-60999: both parts, 31,744 + 4,536. */
	l4lb_port_range_outside(&r, 32768, 60999);
	KUNIT_EXPECT_EQ(test, r.lo[0], 1024);
	KUNIT_EXPECT_EQ(test, r.hi[0], 32767);
	KUNIT_EXPECT_EQ(test, r.lo[1], 61000);
	KUNIT_EXPECT_EQ(test, r.hi[1], 65535);
	expect_outside(test, 32768, 60999, 36280);
	/* A local range at the top or the bottom leaves one part. */
	expect_outside(test, 61000, 65535, 59976);
	expect_outside(test, 1024, 30000, 35535);
	expect_outside(test, 1025, 65534, 2);
	/* Partly or wholly below 1024. */
	expect_outside(test, 500, 2047, 63488);
	expect_outside(test, 1, 1023, 64512);
	expect_outside(test, 40000, 40000, 64511);
	/* Covering 1024-65535: nothing to keep apart, all is shared. */
	expect_outside(test, 1024, 65535, 64512);
	expect_outside(test, 1, 65535, 64512);
}

/* A two-part range fills up exactly: each port once, none in the hole. */
static void snat_two_parts_fill_then_exhaust(struct kunit *test)
{
	const struct l4lb_port_range r = {
		.lo = { 40000, 40010 }, .hi = { 40003, 40013 },
	};
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_tuple_hash *old = NULL;
	DECLARE_BITMAP(seen, 16) = {};
	struct l4lb_conn *conn;
	unsigned int i;
	int err;

	for (i = 0; i < 8; i++) {
		struct rowspec rs = client(i);
		u16 port;

		conn = row_alloc(test, tab, &rs);
		err = l4lb_kunit_insert_ports(tab, conn, &r, &old);
		if (err)
			l4lb_conn_free_unhashed(tab, conn);
		KUNIT_ASSERT_EQ(test, err, 0);
		port = row_port(conn);
		KUNIT_ASSERT_TRUE_MSG(test, range_has(&r, port),
				      "port %u outside both parts", port);
		KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(port - 40000, seen),
				       "port %u handed out twice", port);
	}
	for (i = 0; i < 16; i++) {
		struct rowspec rs = client(100 + i);

		conn = row_alloc(test, tab, &rs);
		err = l4lb_kunit_insert_ports(tab, conn, &r, &old);
		KUNIT_EXPECT_EQ(test, err, -EADDRNOTAVAIL);
		if (err)
			l4lb_conn_free_unhashed(tab, conn);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 8U);
}

/* Towards one backend, ports are handed out in order: from the end of the
 * first part on to the start of the second, and from the end of the
 * second back to the first part, so a port comes back only after all the
 * others have been used.
 */
static void snat_cursor_sequential_across_both_parts(struct kunit *test)
{
	const struct l4lb_port_range r = {
		.lo = { 1024, 61000 }, .hi = { 32767, 65535 },
	};
	const u16 want[] = { 32766, 32767, 61000, 61001, 61002 };
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 8, 256);
	struct l4lb_conn *conn;
	unsigned int i;
	int err;

	atomic_set(&be->snat_next, 31744 - 2);	/* index of 32766 */
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_ASSERT_EQ(test, row_try_range_be(test, tab, i, be, &r,
						       &conn), 0);
		KUNIT_EXPECT_EQ(test, row_port(conn), want[i]);
	}
	/* The last port of the second part, then round to the first. */
	atomic_set(&be->snat_next, 36280 - 1);
	KUNIT_ASSERT_EQ(test, row_try_range_be(test, tab, 10, be, &r, &conn), 0);
	KUNIT_EXPECT_EQ(test, row_port(conn), 65535);
	KUNIT_ASSERT_EQ(test, row_try_range_be(test, tab, 11, be, &r, &conn), 0);
	KUNIT_EXPECT_EQ(test, row_port(conn), 1024);
	/* The cursor is an index: one beyond the range wraps too. */
	atomic_set(&be->snat_next, 36280 + 5);
	KUNIT_ASSERT_EQ(test, row_try_range_be(test, tab, 12, be, &r, &conn), 0);
	KUNIT_EXPECT_EQ(test, row_port(conn), 1029);

	/* Ports already held are skipped, in order: 32767 and 61000-61002,
	 * by the first rows above.
	 */
	atomic_set(&be->snat_next, 31744 - 1);
	KUNIT_ASSERT_EQ(test, row_try_range_be(test, tab, 13, be, &r, &conn), 0);
	KUNIT_EXPECT_EQ(test, row_port(conn), 61003);
	err = row_try_range_be(test, tab, 14, be, &r, &conn);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		KUNIT_EXPECT_EQ(test, row_port(conn), 61004);
}

/* --- reclaiming a SNAT port from a row that no longer needs it -------- */

/* @n rows of @be on the ports lo, lo + 1, ... in order, all ESTABLISHED. */
static void fill_be(struct kunit *test, struct l4lb_conn_table *tab,
		    struct l4lb_backend *be, u16 lo, unsigned int n,
		    struct l4lb_conn **rows)
{
	unsigned int i;

	atomic_set(&be->snat_next, 0);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, row_try_be(test, tab, i, be, lo,
						 lo + n - 1, &rows[i]), 0);
		KUNIT_ASSERT_EQ(test, row_port(rows[i]), lo + i);
		rows[i]->state = L4LB_CONN_ESTABLISHED;
	}
}

/* One more row of @be, when every port is taken: the allocator offers the
 * first reclaimable row from the cursor, and once that is unlinked the
 * second try takes its port. Returns the new row's port, or 0.
 */
static u16 insert_reclaiming(struct kunit *test, struct l4lb_conn_table *tab,
			     struct l4lb_backend *be, u16 lo, u16 hi,
			     struct l4lb_conn *expect_victim)
{
	const union nf_inet_addr snat = { .ip = SNAT };
	const struct l4lb_snat_space sp = {
		.addrs = &snat, .naddr = 1,
		.ports = { .lo = { lo, 1 }, .hi = { hi, 0 } },
	};
	static unsigned int cl = 900;	/* a new client each time */
	struct l4lb_conn *conn = row_alloc_be(test, tab, client(cl++), be);
	struct l4lb_tuple_hash *old = NULL;
	u16 port = 0;
	int err;

	rcu_read_lock();
	err = l4lb_conn_insert_range(tab, conn, &sp, &be->snat_next, NULL,
				     &old);
	KUNIT_EXPECT_EQ(test, err, expect_victim ? -EBUSY : -EADDRNOTAVAIL);
	if (err == -EBUSY) {
		KUNIT_EXPECT_PTR_EQ(test, l4lb_tuplehash_to_conn(old),
				    expect_victim);
		KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink_if(tab,
				  l4lb_tuplehash_to_conn(old),
				  l4lb_conn_reclaimable));
		err = l4lb_conn_insert_range(tab, conn, &sp, &be->snat_next,
					     NULL, &old);
		KUNIT_EXPECT_EQ(test, err, 0);
	}
	rcu_read_unlock();
	if (err) {
		atomic_dec(&be->inactive);
		refcount_dec(&be->refcnt);
		l4lb_conn_free_unhashed(tab, conn);
		return 0;
	}
	port = row_port(conn);
	return port;
}

static void snat_full_range_reclaims_the_oldest_unconfirmed_row(struct kunit *test)
{
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N];

	tab->reclaimable = l4lb_conn_reclaimable;
	fill_be(test, tab, be, SMALL_LO, SMALL_N, rows);
	/* Two handshakes never completed, at the third and sixth ports. */
	rows[2]->state = L4LB_CONN_SYN_RECV;
	KUNIT_ASSERT_TRUE(test, l4lb_conn_half_open_get(tab, rows[2]));
	rows[5]->state = L4LB_CONN_SYN_SENT;
	KUNIT_ASSERT_TRUE(test, l4lb_conn_half_open_get(tab, rows[5]));
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 2);

	/* The cursor has come round to the first port: the oldest. */
	KUNIT_EXPECT_EQ(test, insert_reclaiming(test, tab, be, SMALL_LO,
						SMALL_HI, rows[2]),
			SMALL_LO + 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 1);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), SMALL_N);
	/* The next one takes the other, further on. */
	KUNIT_EXPECT_EQ(test, insert_reclaiming(test, tab, be, SMALL_LO,
						SMALL_HI, rows[5]),
			SMALL_LO + 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&tab->half_open), 0);
	/* Then only live connections are left: no port. */
	insert_reclaiming(test, tab, be, SMALL_LO, SMALL_HI, NULL);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), SMALL_N);
}

static void snat_full_range_reclaims_closed_rows_only(struct kunit *test)
{
	static const u8 states[] = {
		L4LB_CONN_ESTABLISHED, L4LB_CONN_FIN_WAIT,
		L4LB_CONN_CLOSE_WAIT, L4LB_CONN_LAST_ACK,
		L4LB_CONN_ESTABLISHED, L4LB_CONN_TIME_WAIT,
		L4LB_CONN_ESTABLISHED, L4LB_CONN_CLOSE,
	};
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N];
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(states) != SMALL_N);
	tab->reclaimable = l4lb_conn_reclaimable;
	fill_be(test, tab, be, SMALL_LO, SMALL_N, rows);
	for (i = 0; i < SMALL_N; i++)
		rows[i]->state = states[i];
	KUNIT_EXPECT_EQ(test, insert_reclaiming(test, tab, be, SMALL_LO,
						SMALL_HI, rows[5]),
			SMALL_LO + 5);
	KUNIT_EXPECT_EQ(test, insert_reclaiming(test, tab, be, SMALL_LO,
						SMALL_HI, rows[7]),
			SMALL_LO + 7);
	insert_reclaiming(test, tab, be, SMALL_LO, SMALL_HI, NULL);
}

static void snat_no_reclaim_without_the_callback(struct kunit *test)
{
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N];

	fill_be(test, tab, be, SMALL_LO, SMALL_N, rows);
	rows[0]->state = L4LB_CONN_TIME_WAIT;
	insert_reclaiming(test, tab, be, SMALL_LO, SMALL_HI, NULL);
}

static void snat_reclaim_skips_templates_and_rows_changed_meanwhile(struct kunit *test)
{
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_conn *rows[SMALL_N];

	tab->reclaimable = l4lb_conn_reclaimable;
	fill_be(test, tab, be, SMALL_LO, SMALL_N, rows);
	rows[1]->state = L4LB_CONN_TIME_WAIT;
	rows[1]->flags |= L4LB_CONN_F_TEMPLATE;
	KUNIT_EXPECT_FALSE(test, l4lb_conn_reclaimable(rows[1]));
	rows[1]->flags &= ~L4LB_CONN_F_TEMPLATE;
	/* Found reclaimable, but a packet revived it before the unlink. */
	rows[1]->state = L4LB_CONN_ESTABLISHED;
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, l4lb_conn_unlink_if(tab, rows[1],
						     l4lb_conn_reclaimable));
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, find(tab, &rows[1]->th[ORIG].tuple));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), SMALL_N);
}

/* --- several SNAT addresses: index i is address i % n, port i / n ------ */

static const union nf_inet_addr two_snat[] = { { .ip = SNAT }, { .ip = SNAT2 } };

/* The SMALL_LO-SMALL_HI ports of the first @naddr addresses of two_snat[]. */
static struct l4lb_snat_space small_space(unsigned int naddr)
{
	return (struct l4lb_snat_space) {
		.addrs = two_snat,
		.naddr = naddr,
		.ports = { .lo = { SMALL_LO, 1 }, .hi = { SMALL_HI, 0 } },
	};
}

/*
 * Fill @sp towards @be until the allocator refuses; expect exactly @want
 * rows, every (address, port) once, the same number of ports on each
 * address, then -EADDRNOTAVAIL for more.
 */
static void fill_space(struct kunit *test, struct l4lb_conn_table *tab,
		       struct l4lb_backend *be, const struct l4lb_snat_space *sp,
		       unsigned int first, unsigned int want)
{
	DECLARE_BITMAP(seen, 2 * SMALL_N) = {};
	unsigned int per[ARRAY_SIZE(two_snat)] = {};
	struct l4lb_conn *conn;
	unsigned int i, a;

	for (i = 0; i < want; i++) {
		u16 port;

		KUNIT_ASSERT_EQ_MSG(test, row_try_space_be(test, tab, first + i,
							   be, sp, &conn), 0,
				    "row %u of %u", i + 1, want);
		for (a = 0; a < sp->naddr; a++)
			if (conn->th[REPLY].tuple.daddr == sp->addrs[a].ip)
				break;
		KUNIT_ASSERT_LT_MSG(test, a, sp->naddr, "address not in the pool");
		port = row_port(conn);
		KUNIT_ASSERT_TRUE_MSG(test, port >= SMALL_LO && port <= SMALL_HI,
				      "port %u outside %u-%u", port, SMALL_LO,
				      SMALL_HI);
		KUNIT_EXPECT_FALSE_MSG(test,
				       __test_and_set_bit(a * SMALL_N + port - SMALL_LO,
							  seen),
				       "address %u port %u handed out twice", a,
				       port);
		per[a]++;
		expect_row_found(test, tab, conn);
	}
	for (a = 0; a < sp->naddr; a++)
		KUNIT_EXPECT_EQ_MSG(test, per[a], want / sp->naddr,
				    "rows on address %u", a);
	/* The search starts where the last one ended: try several times. */
	for (i = 0; i < 2 * want; i++)
		KUNIT_EXPECT_EQ(test, row_try_space_be(test, tab, first + 1000 + i,
						       be, sp, &conn),
				-EADDRNOTAVAIL);
}

/* Two addresses take exactly twice the rows of one towards a backend. */
static void snat_two_addresses_double_the_capacity(struct kunit *test)
{
	struct l4lb_backend *one = backend_new(test, 0);
	struct l4lb_backend *two = backend_new(test, 1);
	struct l4lb_conn_table *tab = tab_new(test, 6, 256);
	struct l4lb_snat_space sp1 = small_space(1), sp2 = small_space(2);

	atomic_set(&one->snat_next, 5);
	atomic_set(&two->snat_next, 11);
	fill_space(test, tab, one, &sp1, 0, SMALL_N);
	fill_space(test, tab, two, &sp2, 100, 2 * SMALL_N);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 3U * SMALL_N);
}

/* Consecutive rows towards a backend alternate between the addresses,
 * each taking the ports in order; a held choice is skipped.
 */
static void snat_two_addresses_spread_in_turn(struct kunit *test)
{
	static const struct {
		__be32 addr;
		u16 port;
	} want[] = {
		{ SNAT, SMALL_LO }, { SNAT2, SMALL_LO },
		{ SNAT, SMALL_LO + 1 }, { SNAT2, SMALL_LO + 1 },
		{ SNAT, SMALL_LO + 2 },
	};
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 64);
	struct l4lb_snat_space sp = small_space(2);
	struct l4lb_conn *conn;
	unsigned int i;

	atomic_set(&be->snat_next, 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_ASSERT_EQ(test, row_try_space_be(test, tab, i, be, &sp,
						       &conn), 0);
		KUNIT_EXPECT_EQ_MSG(test, ntohl(conn->th[REPLY].tuple.daddr),
				    ntohl(want[i].addr), "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, row_port(conn), want[i].port,
				    "row %u", i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&be->snat_next), 5);
	/* The cursor is an index into 2 x 8 choices: 16 + 3 is index 3,
	 * (SNAT2, SMALL_LO + 1); it and index 4 are held, index 5 is free.
	 */
	atomic_set(&be->snat_next, 2 * SMALL_N + 3);
	KUNIT_ASSERT_EQ(test, row_try_space_be(test, tab, 10, be, &sp, &conn), 0);
	KUNIT_EXPECT_EQ(test, ntohl(conn->th[REPLY].tuple.daddr), ntohl(SNAT2));
	KUNIT_EXPECT_EQ(test, row_port(conn), SMALL_LO + 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->snat_next), 6);
}

/* --- the rows of a service by SNAT address (l4lb_snat.c) --------------- */

/* @n rows of clients from @first to @be, from SNAT address @snat. */
static void rows_on(struct kunit *test, struct l4lb_conn_table *tab,
		    struct l4lb_backend *be, __be32 snat, unsigned int first,
		    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct rowspec rs = client(first + i);

		rs.snat = snat;
		row_insert(test, tab, row_alloc_be(test, tab, rs, be),
			   ALL_PORTS_LO, ALL_PORTS_HI);
	}
}

static void expect_use(struct kunit *test, const struct l4lb_snat_usage *u,
		       unsigned int i, __be32 addr, u32 ports)
{
	KUNIT_ASSERT_LT(test, i, u->n);
	KUNIT_EXPECT_EQ_MSG(test, ntohl(u->e[i].addr.ip), ntohl(addr),
			    "entry %u", i);
	KUNIT_EXPECT_EQ_MSG(test, u->e[i].ports, ports, "entry %u", i);
}

/*
 * Each service counts its own rows by SNAT address: every pool address
 * (unused ones with 0), then the others its rows hold, ascending;
 * persistence templates and the other service's rows left out.
 */
static void snat_usage_counts_a_services_rows_by_address(struct kunit *test)
{
	const __be32 other = IP4(198, 51, 100, 7), unused = IP4(192, 0, 2, 4);
	const union nf_inet_addr pool[] = {
		{ .ip = SNAT }, { .ip = SNAT2 }, { .ip = unused },
	};
	struct l4lb_service *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct l4lb_service *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct l4lb_snat_usage *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct l4lb_backend *be_a = backend_new(test, 0);
	struct l4lb_backend *be_b = backend_new(test, 1);
	struct l4lb_conn_table *tab = tab_new(test, 8, 64);
	struct l4lb_tuple t = {
		.saddr = htonl(0x0a000002), .daddr = VIP,
		.sport = htons(40000), .dport = VPORT, .proto = IPPROTO_TCP,
	};

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, u);
	be_a->svc = a;
	be_b->svc = b;
	rows_on(test, tab, be_a, SNAT2, 0, 2);
	rows_on(test, tab, be_a, other, 10, 1);	/* left the pool since */
	rows_on(test, tab, be_a, SNAT, 20, 3);
	rows_on(test, tab, be_b, SNAT, 30, 4);
	rcu_read_lock();
	l4lb_persist_add(tab, &t, NULL, be_a, 60 * HZ);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, l4lb_conn_count(tab), 11U);

	l4lb_snat_usage_count(tab, a, pool, ARRAY_SIZE(pool), u);
	KUNIT_EXPECT_EQ(test, u->n, 4U);
	expect_use(test, u, 0, SNAT, 3);
	expect_use(test, u, 1, SNAT2, 2);
	expect_use(test, u, 2, unused, 0);
	expect_use(test, u, 3, other, 1);

	/* "auto": the addresses the rows hold. */
	l4lb_snat_usage_count(tab, b, NULL, 0, u);
	KUNIT_EXPECT_EQ(test, u->n, 1U);
	expect_use(test, u, 0, SNAT, 4);

	/* No table yet: the pool, all 0. */
	l4lb_snat_usage_count(NULL, a, pool, 2, u);
	KUNIT_EXPECT_EQ(test, u->n, 2U);
	expect_use(test, u, 0, SNAT, 0);
	expect_use(test, u, 1, SNAT2, 0);
}

/* Past L4LB_SNAT_USAGE_MAX addresses, the rest go uncounted. */
static void snat_usage_keeps_at_most_usage_max_addresses(struct kunit *test)
{
	const unsigned int n = L4LB_SNAT_USAGE_MAX + 8;
	struct l4lb_service *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct l4lb_snat_usage *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct l4lb_backend *be = backend_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 8, n);
	unsigned int i, total = 0;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, u);
	be->svc = a;
	for (i = 0; i < n; i++)
		rows_on(test, tab, be, IP4(10, 9, i / 256, i % 256), i, 1);
	l4lb_snat_usage_count(tab, a, NULL, 0, u);
	KUNIT_EXPECT_EQ(test, u->n, (unsigned int)L4LB_SNAT_USAGE_MAX);
	for (i = 0; i < u->n; i++) {
		total += u->e[i].ports;
		if (i)
			KUNIT_EXPECT_LT(test, ntohl(u->e[i - 1].addr.ip),
					ntohl(u->e[i].addr.ip));
	}
	KUNIT_EXPECT_EQ(test, total, (unsigned int)L4LB_SNAT_USAGE_MAX);
}

static struct kunit_case l4lb_snat_cases[] = {
	KUNIT_CASE(snat_ports_unique_per_snat_and_backend),
	KUNIT_CASE(snat_small_range_exhaustion_is_eaddrnotavail),
	KUNIT_CASE(snat_freed_port_is_reused),
	KUNIT_CASE(snat_ports_are_per_backend_snat_address_and_protocol),
	KUNIT_CASE(snat_same_original_tuple_is_eexist_with_old),
	KUNIT_CASE(snat_eexist_wins_over_a_full_range),
	KUNIT_CASE(snat_single_port_range),
	KUNIT_CASE(snat_top_of_port_space_does_not_wrap),
	KUNIT_CASE(snat_cursor_moves_past_a_full_block),
	KUNIT_CASE(snat_ports_are_every_port_outside_the_local_range),
	KUNIT_CASE(snat_two_parts_fill_then_exhaust),
	KUNIT_CASE(snat_cursor_sequential_across_both_parts),
	KUNIT_CASE(snat_full_range_reclaims_the_oldest_unconfirmed_row),
	KUNIT_CASE(snat_full_range_reclaims_closed_rows_only),
	KUNIT_CASE(snat_no_reclaim_without_the_callback),
	KUNIT_CASE(snat_reclaim_skips_templates_and_rows_changed_meanwhile),
	KUNIT_CASE(snat_two_addresses_double_the_capacity),
	KUNIT_CASE(snat_two_addresses_spread_in_turn),
	KUNIT_CASE(snat_usage_counts_a_services_rows_by_address),
	KUNIT_CASE(snat_usage_keeps_at_most_usage_max_addresses),
	{}
};

static struct kunit_suite l4lb_snat_suite = {
	.name = "l4lb_snat",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_snat_cases,
};

/* --- l4lb_conn6: rows of IPv6 services ------------------------------------ */

/*
 * An IPv6 row keeps 32-bit folds of its addresses in its tuples
 * (l4lb_addr6_fold()) and the addresses themselves beside them (struct
 * l4lb_conn6). Folds are for the hash and a first compare; a lookup must
 * still tell apart two addresses of equal fold, and rows of either family
 * must never match each other.
 */

#define A6(a, b, c, d)	((struct in6_addr){ .s6_addr32 = {		\
				htonl(a), htonl(b), htonl(c), htonl(d) } })
#define VIP6		A6(0x20010db8, 0, 0, 1)
#define SNAT6(i)	A6(0x20010db8, 0, 0, 2 + (i))
#define BACKEND6(i)	A6(0x20010db8, 0x01130000, 0, 10 + (i))

/* The IPv6 twin of struct rowspec. */
struct rowspec6 {
	struct in6_addr caddr;
	__be16 cport;
	u8 proto;
	struct in6_addr baddr;
	__be16 bport;
};

/* 2001:db8:c000::<n>, port 10000 + n. */
static struct rowspec6 client6(unsigned int n)
{
	return (struct rowspec6){
		.caddr = A6(0x20010db8, 0xc0000000, 0, n),
		.cport = htons(10000 + n % 50000),
		.proto = IPPROTO_TCP,
		.baddr = BACKEND6(0),
		.bport = BPORT,
	};
}

/* @a with words 2 and 3 changed alike: another address, the same fold. */
static struct in6_addr same_fold(const struct in6_addr *a, u32 mask)
{
	struct in6_addr b = *a;

	b.s6_addr32[2] ^= htonl(mask);
	b.s6_addr32[3] ^= htonl(mask);
	return b;
}

static struct l4lb_conn6 *to_c6(struct l4lb_conn *conn)
{
	return container_of(conn, struct l4lb_conn6, conn);
}

/*
 * A row from l4lb_conn_alloc6(), filled in as the packet path does (its
 * addresses and their folds) but for the SNAT address and port, which the
 * allocator chooses; towards @be if not NULL (a reference, counted
 * inactive).
 */
static struct l4lb_conn *row6_alloc(struct kunit *test,
				    struct l4lb_conn_table *tab,
				    const struct rowspec6 *rs,
				    struct l4lb_backend *be, bool ca)
{
	struct l4lb_conn *conn = l4lb_conn_alloc6(tab, GFP_KERNEL, ca);
	const struct in6_addr vip = VIP6;
	struct l4lb_conn6 *c6;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, conn);
	KUNIT_EXPECT_EQ(test, conn->th[ORIG].tuple.v6, 1);
	KUNIT_EXPECT_EQ(test, conn->th[REPLY].tuple.v6, 1);
	KUNIT_EXPECT_EQ(test, l4lb_conn_af(conn), AF_INET6);
	c6 = to_c6(conn);
	c6->addr[ORIG][0] = rs->caddr;
	c6->addr[ORIG][1] = vip;
	c6->addr[REPLY][0] = be ? be->addr.in6 : rs->baddr;
	conn->th[ORIG].tuple = (struct l4lb_tuple){
		.saddr = l4lb_addr6_fold(&rs->caddr),
		.daddr = l4lb_addr6_fold(&vip),
		.sport = rs->cport,
		.dport = VPORT,
		.proto = rs->proto,
		.dir = ORIG,
		.v6 = 1,
	};
	conn->th[REPLY].tuple = (struct l4lb_tuple){
		.saddr = l4lb_addr6_fold(&c6->addr[REPLY][0]),
		.sport = be ? be->port : rs->bport,
		.proto = rs->proto,
		.dir = REPLY,
		.v6 = 1,
	};
	conn->state = rs->proto == IPPROTO_TCP ? L4LB_CONN_SYN_SENT :
						 L4LB_CONN_UDP_UNREPLIED;
	if (be) {
		refcount_inc(&be->refcnt);
		atomic_inc(&be->inactive);
		conn->backend = be;
	}
	return conn;
}

/*
 * Insert @conn with a SNAT address of @pool (@naddr of them) and a port of
 * @lo-@hi, from its backend's cursor; on failure give everything back.
 */
static int row6_try(struct kunit *test, struct l4lb_conn_table *tab,
		    struct l4lb_conn *conn, const union nf_inet_addr *pool,
		    unsigned int naddr, u16 lo, u16 hi)
{
	const struct l4lb_snat_space sp = {
		.addrs = pool, .naddr = naddr,
		.ports = { .lo = { lo, 1 }, .hi = { hi, 0 } },
	};
	struct l4lb_tuple_hash *old = NULL;
	int err;

	err = l4lb_conn_insert_range(tab, conn, &sp, l4lb_kunit_cursor(conn),
				     NULL, &old);
	if (err) {
		if (conn->backend) {
			atomic_dec(&conn->backend->inactive);
			refcount_dec(&conn->backend->refcnt);
		}
		l4lb_conn_free_unhashed(tab, conn);
	}
	return err;
}

/* row6_alloc() and row6_try() with the one SNAT address @snat, or fail. */
static struct l4lb_conn *row6_add(struct kunit *test,
				  struct l4lb_conn_table *tab,
				  const struct rowspec6 *rs,
				  const struct in6_addr *snat, u16 lo, u16 hi)
{
	const union nf_inet_addr pool = { .in6 = *snat };
	struct l4lb_conn *conn = row6_alloc(test, tab, rs, NULL, false);

	KUNIT_ASSERT_EQ_MSG(test, row6_try(test, tab, conn, &pool, 1, lo, hi),
			    0, "l4lb_conn_insert_range() of an IPv6 row");
	return conn;
}

static struct l4lb_tuple_hash *find6(struct l4lb_conn_table *tab,
				     const struct l4lb_tuple *t,
				     const struct in6_addr *src,
				     const struct in6_addr *dst)
{
	const struct in6_addr a6[2] = { *src, *dst };
	struct l4lb_tuple_hash *th;

	rcu_read_lock();
	th = l4lb_conn_find(tab, t, a6);
	rcu_read_unlock();
	return th;
}

/* Both directions of an IPv6 row are found by their full addresses. */
static void expect_row6_found(struct kunit *test, struct l4lb_conn_table *tab,
			      struct l4lb_conn *conn)
{
	struct l4lb_conn6 *c6 = to_c6(conn);

	KUNIT_EXPECT_PTR_EQ(test, find6(tab, &conn->th[ORIG].tuple,
					&c6->addr[ORIG][0], &c6->addr[ORIG][1]),
			    &conn->th[ORIG]);
	KUNIT_EXPECT_PTR_EQ(test, find6(tab, &conn->th[REPLY].tuple,
					&c6->addr[REPLY][0],
					&c6->addr[REPLY][1]),
			    &conn->th[REPLY]);
}

static struct l4lb_backend *backend6_new(struct kunit *test, unsigned int i)
{
	struct l4lb_backend *be = backend_new(test, i);

	be->addr.in6 = BACKEND6(i);
	return be;
}

static void conn6_insert_then_find_by_full_address(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 64);
	const struct in6_addr vip = VIP6, snat = SNAT6(0);
	struct rowspec6 rs = client6(1);
	struct l4lb_conn *conn = row6_add(test, tab, &rs, &snat, ALL_PORTS_LO,
					  ALL_PORTS_HI);
	struct l4lb_tuple orig = conn->th[ORIG].tuple;
	struct l4lb_tuple reply = conn->th[REPLY].tuple;
	union nf_inet_addr s, d;
	struct in6_addr other;
	struct l4lb_tuple t;

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
	expect_row6_found(test, tab, conn);

	/* The allocator set the SNAT address and its fold. */
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&to_c6(conn)->addr[REPLY][1],
						&snat));
	KUNIT_EXPECT_EQ(test, reply.daddr, l4lb_addr6_fold(&snat));
	KUNIT_EXPECT_GE(test, ntohs(reply.dport), ALL_PORTS_LO);
	l4lb_conn_addrs(conn, ORIG, &s, &d);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&s.in6, &rs.caddr));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&d.in6, &vip));
	l4lb_conn_addrs(conn, REPLY, &s, &d);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&s.in6, &rs.baddr));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&d.in6, &snat));

	/* dir is not part of the key. */
	t = orig;
	t.dir = REPLY;
	KUNIT_EXPECT_PTR_EQ(test, find6(tab, &t, &rs.caddr, &vip),
			    &conn->th[ORIG]);

	/* Another address, in either place, of either fold: no match. */
	other = rs.caddr;
	other.s6_addr32[1] ^= htonl(0x100);
	KUNIT_EXPECT_NULL(test, find6(tab, &orig, &other, &vip));
	KUNIT_EXPECT_NULL(test, find6(tab, &orig, &rs.caddr, &other));
	t = orig;
	t.saddr = l4lb_addr6_fold(&other);
	KUNIT_EXPECT_NULL(test, find6(tab, &t, &other, &vip));
	KUNIT_EXPECT_NULL(test, find6(tab, &reply, &rs.baddr, &vip));
	/* The addresses turned around. */
	KUNIT_EXPECT_NULL(test, find6(tab, &orig, &vip, &rs.caddr));
	/* The ports or the protocol. */
	t = orig;
	t.sport ^= htons(1);
	KUNIT_EXPECT_NULL(test, find6(tab, &t, &rs.caddr, &vip));
	t = orig;
	t.proto = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, find6(tab, &t, &rs.caddr, &vip));
	/* The same key as an IPv4 one. */
	t = orig;
	t.v6 = 0;
	KUNIT_EXPECT_NULL(test, find(tab, &t));
}

static void conn6_same_fold_other_address_is_another_row(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 64);
	const struct in6_addr vip = VIP6, snat = SNAT6(0);
	struct rowspec6 ra = client6(7), rb = ra, rc, rd;
	struct l4lb_conn *a, *b, *c, *d;

	/* Clients A and B: the same fold, the same port. */
	rb.caddr = same_fold(&ra.caddr, 0x00010000);
	KUNIT_ASSERT_FALSE(test, ipv6_addr_equal(&ra.caddr, &rb.caddr));
	KUNIT_ASSERT_EQ(test, l4lb_addr6_fold(&ra.caddr),
			l4lb_addr6_fold(&rb.caddr));

	a = row6_add(test, tab, &ra, &snat, 40000, 40000);
	/* Before B has a row, its key (same tuple, other address) finds
	 * nothing: not A's row.
	 */
	KUNIT_EXPECT_PTR_EQ(test, find6(tab, &a->th[ORIG].tuple, &ra.caddr,
					&vip), &a->th[ORIG]);
	KUNIT_EXPECT_NULL(test, find6(tab, &a->th[ORIG].tuple, &rb.caddr,
				      &vip));
	/* B's row is not "the same original tuple" (-EEXIST). */
	b = row6_add(test, tab, &rb, &snat, 40001, 40001);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
	KUNIT_EXPECT_EQ(test, memcmp(&a->th[ORIG].tuple, &b->th[ORIG].tuple,
				     sizeof(struct l4lb_tuple)), 0);
	expect_row6_found(test, tab, a);
	expect_row6_found(test, tab, b);

	/*
	 * Backends C and D: the same fold, port and SNAT port; their reply
	 * tuples differ in the backend's address only, so both rows may
	 * hold the one SNAT address and port.
	 */
	rc = client6(100);
	rd = client6(101);
	rd.baddr = same_fold(&rc.baddr, 0x12345678);
	KUNIT_ASSERT_EQ(test, l4lb_addr6_fold(&rc.baddr),
			l4lb_addr6_fold(&rd.baddr));
	c = row6_add(test, tab, &rc, &snat, 50000, 50000);
	d = row6_add(test, tab, &rd, &snat, 50000, 50000);
	KUNIT_EXPECT_EQ(test, memcmp(&c->th[REPLY].tuple, &d->th[REPLY].tuple,
				     sizeof(struct l4lb_tuple)), 0);
	expect_row6_found(test, tab, c);
	expect_row6_found(test, tab, d);
	/* ... while a third row to C from that port is refused. */
	rc = client6(102);
	KUNIT_EXPECT_EQ(test, row6_try(test, tab,
				       row6_alloc(test, tab, &rc, NULL, false),
				       &(union nf_inet_addr){ .in6 = snat }, 1,
				       50000, 50000),
			-EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 4U);

	/* Unlinking one leaves its twin. */
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, a));
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, d));
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, find6(tab, &b->th[ORIG].tuple, &ra.caddr,
				      &vip));
	expect_row6_found(test, tab, b);
	expect_row6_found(test, tab, c);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
}

static void conn6_v4_and_v6_rows_with_equal_keys_coexist(struct kunit *test)
{
	struct l4lb_conn_table *tab = tab_new(test, 8, 64);
	const struct in6_addr vip6 = VIP6, snat6 = SNAT6(0);
	struct rowspec6 r6 = client6(3);
	struct rowspec r4 = client(3);
	struct l4lb_conn *c4, *c6;
	struct l4lb_tuple t;

	/* An IPv4 row whose addresses are the folds of the IPv6 row's,
	 * ports and protocol the same: every key field equal but v6.
	 */
	r4.caddr = l4lb_addr6_fold(&r6.caddr);
	r4.cport = r6.cport;
	r4.baddr = l4lb_addr6_fold(&r6.baddr);
	r4.snat = l4lb_addr6_fold(&snat6);
	c4 = row_alloc(test, tab, &r4);
	c4->th[ORIG].tuple.daddr = l4lb_addr6_fold(&vip6);
	row_insert(test, tab, c4, 45000, 45000);
	c6 = row6_add(test, tab, &r6, &snat6, 45000, 45000);

	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 2U);
	t = c6->th[ORIG].tuple;
	t.v6 = 0;
	KUNIT_EXPECT_EQ(test, memcmp(&t, &c4->th[ORIG].tuple, sizeof(t)), 0);
	t = c6->th[REPLY].tuple;
	t.v6 = 0;
	KUNIT_EXPECT_EQ(test, memcmp(&t, &c4->th[REPLY].tuple, sizeof(t)), 0);
	expect_row_found(test, tab, c4);
	expect_row6_found(test, tab, c6);

	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, c4));
	rcu_read_unlock();
	/* The IPv4 key is gone, the IPv6 row stays. */
	t = c6->th[ORIG].tuple;
	t.v6 = 0;
	KUNIT_EXPECT_NULL(test, find(tab, &t));
	expect_row6_found(test, tab, c6);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);
}

static void conn6_insert_range_spreads_over_a_v6_snat_pool(struct kunit *test)
{
	/* Four addresses, the last of the first's fold: 4 x 8 choices. */
	union nf_inet_addr pool[4] = {
		{ .in6 = SNAT6(0) }, { .in6 = SNAT6(1) }, { .in6 = SNAT6(2) },
	};
	struct l4lb_backend *be = backend6_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 6, 256);
	DECLARE_BITMAP(seen, 4 * SMALL_N) = {};
	unsigned int i, a, per[4] = {};
	struct l4lb_conn *conn;

	pool[3].in6 = same_fold(&pool[0].in6, 0xff);
	atomic_set(&be->snat_next, 0);
	for (i = 0; i < 4 * SMALL_N; i++) {
		struct rowspec6 rs = client6(i);
		struct l4lb_conn6 *c6;
		u16 port;

		conn = row6_alloc(test, tab, &rs, be, false);
		KUNIT_ASSERT_EQ_MSG(test, row6_try(test, tab, conn, pool, 4,
						   SMALL_LO, SMALL_HI),
				    0, "row %u", i);
		c6 = to_c6(conn);
		for (a = 0; a < 4; a++)
			if (ipv6_addr_equal(&c6->addr[REPLY][1], &pool[a].in6))
				break;
		KUNIT_ASSERT_LT_MSG(test, a, 4U, "row %u: address not in the pool",
				    i);
		KUNIT_EXPECT_EQ(test, conn->th[REPLY].tuple.daddr,
				l4lb_addr6_fold(&pool[a].in6));
		/* In turn, from the cursor at 0: address i % 4, port i / 4. */
		KUNIT_EXPECT_EQ_MSG(test, a, i % 4, "row %u", i);
		port = row_port(conn);
		KUNIT_EXPECT_EQ_MSG(test, port, SMALL_LO + i / 4, "row %u", i);
		KUNIT_EXPECT_FALSE_MSG(test,
				       __test_and_set_bit(a * SMALL_N + port - SMALL_LO,
							  seen),
				       "address %u port %u twice", a, port);
		per[a]++;
		expect_row6_found(test, tab, conn);
	}
	for (a = 0; a < 4; a++)
		KUNIT_EXPECT_EQ_MSG(test, per[a], SMALL_N, "address %u", a);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 1 + 4 * SMALL_N);
	/* Every choice is held now. */
	for (i = 0; i < 8; i++) {
		struct rowspec6 rs = client6(1000 + i);

		conn = row6_alloc(test, tab, &rs, be, false);
		KUNIT_EXPECT_EQ(test, row6_try(test, tab, conn, pool, 4,
					       SMALL_LO, SMALL_HI),
				-EADDRNOTAVAIL);
	}
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 4U * SMALL_N);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 1 + 4 * SMALL_N);
}

static void conn6_rows_come_from_their_own_cache_and_go_back(struct kunit *test)
{
	struct l4lb_backend *be = backend6_new(test, 0);
	struct l4lb_conn_table *tab = tab_new(test, 8, 6);
	const struct in6_addr snat = SNAT6(0);
	const union nf_inet_addr pool = { .in6 = snat };
	struct rowspec rs4 = client(1);
	struct l4lb_conn *rows[6], *v4, *err;
	unsigned int i;

	/* Plain and with client address state, towards a backend. */
	for (i = 0; i < 5; i++) {
		struct rowspec6 rs = client6(i);

		rows[i] = row6_alloc(test, tab, &rs, be, i & 1);
		KUNIT_EXPECT_GE(test, ksize(rows[i]), sizeof(struct l4lb_conn6));
		if (i & 1) {
			KUNIT_EXPECT_TRUE(test, rows[i]->flags & L4LB_CONN_F_CA);
			KUNIT_EXPECT_PTR_EQ(test, l4lb_conn_ca(rows[i]),
					    &to_c6(rows[i])->ca);
		} else {
			KUNIT_EXPECT_NULL(test, l4lb_conn_ca(rows[i]));
		}
		KUNIT_ASSERT_EQ(test, row6_try(test, tab, rows[i], &pool, 1,
					       ALL_PORTS_LO, ALL_PORTS_HI), 0);
	}
	/* An IPv4 row stays small beside them. */
	v4 = row_add(test, tab, &rs4, ALL_PORTS_LO, ALL_PORTS_HI);
	KUNIT_EXPECT_LT(test, ksize(v4), sizeof(struct l4lb_conn6));
	KUNIT_EXPECT_EQ(test, l4lb_conn_af(v4), AF_INET);

	/* conn_max counts IPv6 rows too. */
	err = l4lb_conn_alloc6(tab, GFP_KERNEL, false);
	KUNIT_EXPECT_PTR_EQ(test, err, ERR_PTR(-ENOSPC));
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 6U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 6);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 5);

	/* Unlinked rows are gone, their backend references given back. */
	rcu_read_lock();
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, rows[0]));
	KUNIT_EXPECT_TRUE(test, l4lb_conn_unlink(tab, rows[1]));
	KUNIT_EXPECT_FALSE(test, l4lb_conn_unlink(tab, rows[1]));
	KUNIT_EXPECT_NULL(test, find6(tab, &rows[0]->th[ORIG].tuple,
				      &to_c6(rows[0])->addr[ORIG][0],
				      &to_c6(rows[0])->addr[ORIG][1]));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 4U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 4);
	for (i = 2; i < 5; i++)
		expect_row6_found(test, tab, rows[i]);

	/* A slot freed: one more fits, given back unhashed. */
	err = l4lb_conn_alloc6(tab, GFP_KERNEL, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, err);
	l4lb_conn_free_unhashed(tab, err);

	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, be), 3U);
	KUNIT_EXPECT_EQ(test, l4lb_conn_flush(tab, NULL), 1U);
	rcu_barrier();	/* the frees (KASAN and slab debugging watch them) */
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 0U);
	KUNIT_EXPECT_EQ(test, refcount_read(&be->refcnt), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&be->inactive), 0);
}

static void conn6_templates_pin_v6_clients_by_full_address(struct kunit *test)
{
	struct l4lb_backend *be_a = backend6_new(test, 0);
	struct l4lb_backend *be_b = backend6_new(test, 1);
	struct l4lb_backend *be_4 = backend_new(test, 2);
	struct l4lb_backend *be_u = backend6_new(test, 3);
	struct l4lb_conn_table *tab = tab_new(test, 8, 16);
	const struct in6_addr vip = VIP6;
	struct rowspec6 ra = client6(20);
	const struct in6_addr a6[2] = { ra.caddr, vip };
	const struct in6_addr b6[2] = { same_fold(&ra.caddr, 0x4000), vip };
	struct l4lb_tuple t = {
		.saddr = l4lb_addr6_fold(&ra.caddr),
		.daddr = l4lb_addr6_fold(&vip),
		.sport = ra.cport, .dport = VPORT, .proto = IPPROTO_TCP,
		.v6 = 1,
	};
	const struct l4lb_tuple tpl = {
		.saddr = t.saddr, .daddr = t.daddr,
		.sport = htons(IPPROTO_TCP), .dport = VPORT, .v6 = 1,
	};
	struct l4lb_tuple t4 = t, u = t;
	struct l4lb_tuple_hash *th;
	struct l4lb_backend *got;

	t4.v6 = 0;
	u.proto = IPPROTO_UDP;
	rcu_read_lock();
	l4lb_persist_add(tab, &t, a6, be_a, 60 * HZ);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 1U);

	/* The template is an IPv6 row keeping both addresses (its key:
	 * protocol 0, the service's in the client port).
	 */
	th = l4lb_conn_find(tab, &tpl, a6);
	KUNIT_ASSERT_NOT_NULL(test, th);
	KUNIT_EXPECT_TRUE(test, l4lb_tuplehash_to_conn(th)->flags &
				L4LB_CONN_F_TEMPLATE);
	KUNIT_EXPECT_EQ(test, l4lb_conn_af(l4lb_tuplehash_to_conn(th)),
			AF_INET6);
	KUNIT_EXPECT_GE(test, ksize(l4lb_tuplehash_to_conn(th)),
			sizeof(struct l4lb_conn6));

	/* Another port of the client: the same backend. */
	t.sport = htons(ntohs(t.sport) + 1);
	got = l4lb_persist_find(tab, &t, a6, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, be_a);
	if (got)
		l4lb_backend_put(got);
	/* A client of the same fold is not pinned by it, nor is an IPv4
	 * client of the same key.
	 */
	KUNIT_EXPECT_NULL(test, l4lb_persist_find(tab, &t, b6, 60 * HZ));
	KUNIT_EXPECT_NULL(test, l4lb_persist_find(tab, &t4, NULL, 60 * HZ));

	/* Each gets a template of its own; and UDP too. */
	l4lb_persist_add(tab, &t, b6, be_b, 60 * HZ);
	l4lb_persist_add(tab, &t4, NULL, be_4, 60 * HZ);
	l4lb_persist_add(tab, &u, a6, be_u, 60 * HZ);
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 4U);
	got = l4lb_persist_find(tab, &t, a6, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, be_a);
	if (got)
		l4lb_backend_put(got);
	got = l4lb_persist_find(tab, &t, b6, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, be_b);
	if (got)
		l4lb_backend_put(got);
	got = l4lb_persist_find(tab, &t4, NULL, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, be_4);
	if (got)
		l4lb_backend_put(got);
	got = l4lb_persist_find(tab, &u, a6, 60 * HZ);
	KUNIT_EXPECT_PTR_EQ(test, got, be_u);
	if (got)
		l4lb_backend_put(got);

	/* A backend gone down: its template is dropped on the next find. */
	WRITE_ONCE(be_b->state, L4LB_BE_STATE_DOWN);
	KUNIT_EXPECT_NULL(test, l4lb_persist_find(tab, &t, b6, 60 * HZ));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, l4lb_conn_count(tab), 3U);

	l4lb_conn_flush(tab, NULL);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&be_a->refcnt), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&be_b->refcnt), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&be_4->refcnt), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&be_u->refcnt), 1);
}

/*
 * What a row costs (README): reported, and checked less its lock, which
 * lock debugging (lockdep, in this kernel) makes grow from 4 bytes to
 * tens. The limits are those of x86_64 without lock debugging, which
 * l4lb_conn.c's BUILD_BUG_ON()s hold the module build to: 128 bytes for
 * an IPv4 row, with client address state or not, 192 for an IPv6 row.
 */
static void conn6_row_sizes(struct kunit *test)
{
	size_t lock = sizeof(spinlock_t);

	kunit_info(test, "struct l4lb_conn %zu, l4lb_conn_ca %zu, l4lb_conn6 %zu bytes; less spinlock_t (%zu): %zu, %zu, %zu\n",
		   sizeof(struct l4lb_conn), sizeof(struct l4lb_conn_ca),
		   sizeof(struct l4lb_conn6), lock,
		   sizeof(struct l4lb_conn) - lock,
		   sizeof(struct l4lb_conn_ca) - lock,
		   sizeof(struct l4lb_conn6) - lock);
	/* The row is the first member of each; the rest follows it. */
	KUNIT_EXPECT_EQ(test, offsetof(struct l4lb_conn6, conn), 0);
	KUNIT_EXPECT_EQ(test, offsetof(struct l4lb_conn_ca, conn), 0);
	KUNIT_EXPECT_EQ(test, offsetof(struct l4lb_conn6, addr),
			sizeof(struct l4lb_conn));
	KUNIT_EXPECT_EQ(test, sizeof(struct l4lb_tuple), 16);
	KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn) - lock, 128);
	KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn_ca) - lock, 128);
	KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn6) - lock, 192);
	if (!IS_ENABLED(CONFIG_DEBUG_SPINLOCK) &&
	    !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC)) {
		KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn), 128);
		KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn_ca), 128);
		KUNIT_EXPECT_LE(test, sizeof(struct l4lb_conn6), 192);
	}
}

static struct kunit_case l4lb_conn6_cases[] = {
	KUNIT_CASE(conn6_insert_then_find_by_full_address),
	KUNIT_CASE(conn6_same_fold_other_address_is_another_row),
	KUNIT_CASE(conn6_v4_and_v6_rows_with_equal_keys_coexist),
	KUNIT_CASE(conn6_insert_range_spreads_over_a_v6_snat_pool),
	KUNIT_CASE(conn6_rows_come_from_their_own_cache_and_go_back),
	KUNIT_CASE(conn6_templates_pin_v6_clients_by_full_address),
	KUNIT_CASE(conn6_row_sizes),
	{}
};

static struct kunit_suite l4lb_conn6_suite = {
	.name = "l4lb_conn6",
	.suite_init = l4lb_kunit_need_module_init,
	.test_cases = l4lb_conn6_cases,
};

kunit_test_suites(&l4lb_conn_suite, &l4lb_snat_suite, &l4lb_conn6_suite);
