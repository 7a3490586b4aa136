// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the NAT table.
 *
 * Design (see also l4lb_conn.h for the locking rules):
 *  - One fixed-size table per network namespace, 1 << conn_tab_bits buckets,
 *    set at load time. A fixed power-of-two table is predictable and needs no
 *    resize machinery on the packet path; rhashtable's automatic resizing was
 *    not worth its per-lookup cost here since conn_max bounds the load.
 *  - Each row is linked twice, once per direction, and hashed with jhash over
 *    the tuple and a random per-table seed (as IPVS and nf_conntrack do).
 *  - Expiry is done by l4lb_conn_gc_tick(), called from a deferrable
 *    worker, which looks at a slice of the buckets per run; the packet path
 *    never scans. See "Expiry" below for its pace.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "l4lb_conn.h"
#include "l4lb_service.h"

static struct kmem_cache *l4lb_conn_cachep __read_mostly;

/*
 * Expiry. The GC worker calls l4lb_conn_gc_tick() every few hundred
 * milliseconds. Two passes run in it, each at its own pace, worked out from
 * the time since the last tick:
 *
 *  - The full pass looks at every bucket once per tab->gc_period. That is a
 *    quarter of the shortest row timeout the service uses that is longer
 *    than L4LB_GC_SHORT, within 1-30 s, over every service of the table
 *    (l4lb_conn_gc_period()): 15 s with IPVS's default timeouts, whose
 *    shortest such one is timeout_syn's 60 s.
 *  - The marked pass looks at the marked buckets once per L4LB_GC_MARKED
 *    (1 s). A bucket is marked when a row is inserted into it, or found in
 *    it by a lookup, that is on every packet of its rows. A mark lasts from
 *    L4LB_GC_RECENT to twice that: marks go into one of two bitmaps, and
 *    every L4LB_GC_RECENT the older bitmap is cleared and takes the new
 *    marks. It runs only when the full pass is slower than 2 s.
 *
 * A row's expiry time changes only on a packet of it, and that packet marks
 * one of the row's two buckets; the marked pass looks at the rows of a
 * marked bucket in both directions. A row with a timeout of at most
 * L4LB_GC_SHORT is therefore still in a marked bucket when it expires, and
 * goes within about a second: a reset row's 10 s, short lingers after a
 * FIN (as with timeout_tcp_fin=2), or any timeout a test sets to a few
 * seconds. L4LB_GC_SHORT must stay below L4LB_GC_RECENT. Any other row
 * goes within the full pass's period of its expiry: at most a quarter of
 * its timeout late, and at most 30 s. The full pass skips the buckets marked
 * in the current bitmap, which the marked pass will see for L4LB_GC_RECENT
 * more. The busy part of the table costs what it did, one look per second;
 * the idle rows, most of a large table, are looked at every gc_period.
 */
#define L4LB_GC_MARKED		HZ
#define L4LB_GC_RECENT		(12 * HZ)
#define L4LB_GC_SHORT		(10 * HZ)
#define L4LB_GC_PERIOD_MIN	HZ
#define L4LB_GC_PERIOD_MAX	(30 * HZ)

/**
 * l4lb_conn_endpoints() - the Local and Backend columns of a row
 * @conn: the row
 * @local: out, SNAT address (0 for a persistence template)
 * @local_port: out, SNAT port (0 for a persistence template)
 * @backend: out, backend address
 * @backend_port: out, backend port
 *
 * All network byte order. A persistence template has no reply tuple of
 * its own: its backend is the one it pins.
 *
 * Context: any; RCU read side or ownership of @conn.
 */
void l4lb_conn_endpoints(const struct l4lb_conn *conn, __be32 *local,
			 __be16 *local_port, __be32 *backend,
			 __be16 *backend_port)
{
	const struct l4lb_tuple *r = &conn->th[L4LB_DIR_REPLY].tuple;

	if (conn->flags & L4LB_CONN_F_TEMPLATE) {
		*local = 0;
		*local_port = 0;
		*backend = conn->backend->addr;
		*backend_port = conn->backend->port;
		return;
	}
	*local = r->daddr;
	*local_port = r->dport;
	*backend = r->saddr;
	*backend_port = r->sport;
}

/**
 * l4lb_conn_cache_init() - create the slab cache for rows
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int l4lb_conn_cache_init(void)
{
	l4lb_conn_cachep = KMEM_CACHE(l4lb_conn, 0);
	return l4lb_conn_cachep ? 0 : -ENOMEM;
}

/**
 * l4lb_conn_cache_exit() - destroy the slab cache for rows
 *
 * Every table must have been freed and an rcu_barrier() done before, so that
 * no row is left: a leftover row makes the slab allocator complain loudly.
 *
 * Context: process, module exit.
 */
void l4lb_conn_cache_exit(void)
{
	kmem_cache_destroy(l4lb_conn_cachep);
}

static u32 l4lb_tuple_hash(const struct l4lb_conn_table *tab,
			   const struct l4lb_tuple *t)
{
	u32 ports = ((__force u32)t->sport << 16) | (__force u32)t->dport;

	return jhash_3words((__force u32)t->saddr, (__force u32)t->daddr,
			    ports ^ t->proto, tab->seed) &
		((1U << tab->bits) - 1);
}

static bool l4lb_tuple_equal(const struct l4lb_tuple *a,
			     const struct l4lb_tuple *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->proto == b->proto;
}

static spinlock_t *l4lb_bucket_lock(struct l4lb_conn_table *tab, u32 h)
{
	return &tab->locks[h & (L4LB_CONN_LOCKS - 1)];
}

/* Lock the stripes of two buckets, lower lock first to avoid ABBA. */
static void l4lb_double_lock(struct l4lb_conn_table *tab, u32 h0, u32 h1)
	__acquires(lock0) __acquires(lock1)
{
	spinlock_t *a = l4lb_bucket_lock(tab, h0);
	spinlock_t *b = l4lb_bucket_lock(tab, h1);

	local_bh_disable();
	if (a == b) {
		spin_lock(a);
		__acquire(b);
		return;
	}
	if (a > b)
		swap(a, b);
	spin_lock(a);
	spin_lock_nested(b, SINGLE_DEPTH_NESTING);
}

static void l4lb_double_unlock(struct l4lb_conn_table *tab, u32 h0, u32 h1)
	__releases(lock0) __releases(lock1)
{
	spinlock_t *a = l4lb_bucket_lock(tab, h0);
	spinlock_t *b = l4lb_bucket_lock(tab, h1);

	if (a == b)
		__release(b);
	else
		spin_unlock(b);
	spin_unlock(a);
	local_bh_enable();
}

/**
 * l4lb_conn_table_alloc() - allocate an empty NAT table
 * @bits: log2 of the bucket count (the conn_tab_bits parameter)
 * @max: largest number of rows (the conn_max parameter)
 * @half_open_max: largest number of half-open TCP rows (syn_max)
 *
 * Context: process, may sleep.
 * Return: the table, or NULL if out of memory.
 */
struct l4lb_conn_table *l4lb_conn_table_alloc(unsigned int bits,
					      unsigned int max,
					      unsigned int half_open_max)
{
	struct l4lb_conn_table *tab;
	unsigned int i;

	tab = kzalloc(sizeof(*tab), GFP_KERNEL);
	if (!tab)
		return NULL;
	tab->buckets = kvcalloc(1U << bits, sizeof(*tab->buckets), GFP_KERNEL);
	if (!tab->buckets) {
		kfree(tab);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		tab->gc_mark[i] = kvcalloc(BITS_TO_LONGS(1U << bits),
					   sizeof(unsigned long), GFP_KERNEL);
		if (!tab->gc_mark[i]) {
			l4lb_conn_table_free(tab);
			return NULL;
		}
	}
	for (i = 0; i < (1U << bits); i++)
		INIT_HLIST_HEAD(&tab->buckets[i]);
	for (i = 0; i < L4LB_CONN_LOCKS; i++)
		spin_lock_init(&tab->locks[i]);
	tab->gc_period = L4LB_GC_PERIOD_MIN;
	tab->bits = bits;
	tab->max = max;
	tab->half_open_max = half_open_max;
	tab->seed = get_random_u32();
	atomic_set(&tab->count, 0);
	atomic_set(&tab->half_open, 0);
	return tab;
}

/**
 * l4lb_conn_half_open_get() - count a new row as half-open
 * @tab: the table
 * @conn: the row, not yet hashed
 *
 * Context: any.
 * Return: true, or false if the half-open limit is reached (nothing counted).
 */
bool l4lb_conn_half_open_get(struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn)
{
	if (atomic_inc_return(&tab->half_open) > tab->half_open_max) {
		atomic_dec(&tab->half_open);
		return false;
	}
	conn->flags |= L4LB_CONN_F_HALF_OPEN;
	return true;
}

/**
 * l4lb_conn_half_open_put() - the row is no longer half-open
 * @tab: the table
 * @conn: the row
 *
 * Idempotent: only the first call after l4lb_conn_half_open_get() counts.
 *
 * Context: any; conn->lock held, or the row not yet hashed.
 */
void l4lb_conn_half_open_put(struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn)
{
	if (conn->flags & L4LB_CONN_F_HALF_OPEN) {
		conn->flags &= ~L4LB_CONN_F_HALF_OPEN;
		atomic_dec(&tab->half_open);
	}
}

/**
 * l4lb_conn_table_free() - free an empty NAT table
 * @tab: the table; may be NULL
 *
 * The caller flushes the table first (l4lb_conn_flush()).
 *
 * Context: process.
 */
void l4lb_conn_table_free(struct l4lb_conn_table *tab)
{
	if (!tab)
		return;
	WARN_ON_ONCE(atomic_read(&tab->count));
	WARN_ON_ONCE(atomic_read(&tab->half_open));
	kvfree(tab->gc_mark[0]);
	kvfree(tab->gc_mark[1]);
	kvfree(tab->buckets);
	kfree(tab);
}

/**
 * l4lb_conn_alloc() - reserve a slot in @tab and allocate an unhashed row
 * @tab: the table whose conn_max applies
 * @gfp: allocation flags (GFP_ATOMIC on the packet path)
 *
 * The row is counted in the table length from here on; give it back with
 * l4lb_conn_free_unhashed() if it is never inserted.
 *
 * Context: any.
 * Return: the row, zeroed but for its lock, or ERR_PTR(-ENOSPC) if the table
 * is full, ERR_PTR(-ENOMEM) if out of memory.
 */
struct l4lb_conn *l4lb_conn_alloc(struct l4lb_conn_table *tab, gfp_t gfp)
{
	struct l4lb_conn *conn;

	if (atomic_inc_return(&tab->count) > tab->max) {
		atomic_dec(&tab->count);
		return ERR_PTR(-ENOSPC);
	}
	conn = kmem_cache_zalloc(l4lb_conn_cachep, gfp);
	if (!conn) {
		atomic_dec(&tab->count);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&conn->lock);
	conn->th[L4LB_DIR_ORIG].tuple.dir = L4LB_DIR_ORIG;
	conn->th[L4LB_DIR_REPLY].tuple.dir = L4LB_DIR_REPLY;
	return conn;
}

/**
 * l4lb_conn_free_unhashed() - free a row that was never inserted
 * @tab: the table it was allocated against
 * @conn: the row; it holds no backend reference
 *
 * Context: any.
 */
void l4lb_conn_free_unhashed(struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn)
{
	kmem_cache_free(l4lb_conn_cachep, conn);
	atomic_dec(&tab->count);
}

/*
 * Mark bucket @h for the GC's marked pass (see "Expiry"): a row in it was
 * just inserted or found, and its expiry time may be about to change. The
 * bit is only written when it is not set yet, so the packets of busy rows
 * only read it. Any context; a mark lost to a bitmap switch only delays
 * expiry to the full pass.
 */
static void l4lb_gc_mark(struct l4lb_conn_table *tab, u32 h)
{
	unsigned long *map = tab->gc_mark[READ_ONCE(tab->gc_mark_cur) & 1];

	if (!test_bit(h, map))
		set_bit(h, map);
}

/**
 * l4lb_conn_find() - look a tuple up
 * @tab: the table
 * @t: the key (its @dir is ignored)
 *
 * A found row's bucket is marked for the garbage collector, since its
 * caller may change the row's state and expiry time (l4lb_conn_gc_tick()).
 *
 * Context: rcu_read_lock() held (softirq on the packet path); the result is
 * valid until rcu_read_unlock(). It may be concurrently unlinked.
 * Return: the matching direction of a row, or NULL.
 */
struct l4lb_tuple_hash *l4lb_conn_find(struct l4lb_conn_table *tab,
				       const struct l4lb_tuple *t)
{
	struct l4lb_tuple_hash *th;
	u32 h = l4lb_tuple_hash(tab, t);

	hlist_for_each_entry_rcu(th, &tab->buckets[h], node) {
		if (l4lb_tuple_equal(&th->tuple, t)) {
			l4lb_gc_mark(tab, h);
			return th;
		}
	}
	return NULL;
}

/* Like l4lb_conn_find() but with the bucket lock held instead of RCU. */
static bool l4lb_conn_exists_locked(struct l4lb_conn_table *tab, u32 h,
				    const struct l4lb_tuple *t,
				    struct l4lb_tuple_hash **found)
{
	struct l4lb_tuple_hash *th;

	hlist_for_each_entry(th, &tab->buckets[h], node) {
		if (l4lb_tuple_equal(&th->tuple, t)) {
			if (found)
				*found = th;
			return true;
		}
	}
	return false;
}

/**
 * l4lb_port_range_outside() - the SNAT ports outside a local port range
 * @ports: out
 * @local_lo: first port of the local ephemeral range
 *	(net.ipv4.ip_local_port_range)
 * @local_hi: its last port
 *
 * Every port of L4LB_SNAT_PORT_LO-L4LB_SNAT_PORT_HI (1024-65535) that is
 * not in @local_lo-@local_hi: the part below the local range and the part
 * above it. A socket of the balancer's own then never has the tuple of a
 * NAT row. With the default local range 32768-60999 that is 1024-32767 and
 * 61000-65535, 36,280 ports. If the local range covers all of 1024-65535,
 * there is nothing to keep apart from it, and the whole of 1024-65535 is
 * shared with it.
 *
 * Context: any.
 */
void l4lb_port_range_outside(struct l4lb_port_range *ports, int local_lo,
			     int local_hi)
{
	/* Each part is empty (hi < lo) unless set below. */
	*ports = (struct l4lb_port_range) {
		.lo = { L4LB_SNAT_PORT_LO, L4LB_SNAT_PORT_LO },
		.hi = { L4LB_SNAT_PORT_LO - 1, L4LB_SNAT_PORT_LO - 1 },
	};
	if (local_lo > L4LB_SNAT_PORT_LO)
		ports->hi[0] = min(local_lo - 1, L4LB_SNAT_PORT_HI);
	if (local_hi < L4LB_SNAT_PORT_HI) {
		ports->lo[1] = max(local_hi + 1, L4LB_SNAT_PORT_LO);
		ports->hi[1] = L4LB_SNAT_PORT_HI;
	}
	if (ports->hi[0] < ports->lo[0] && ports->hi[1] < ports->lo[1])
		ports->hi[0] = L4LB_SNAT_PORT_HI;
}

static u32 l4lb_port_part_size(const struct l4lb_port_range *ports,
			       unsigned int part)
{
	return ports->hi[part] >= ports->lo[part] ?
		(u32)ports->hi[part] - ports->lo[part] + 1 : 0;
}

/**
 * l4lb_conn_insert_range() - choose a SNAT port and hash a new row
 * @tab: the table
 * @conn: the row from l4lb_conn_alloc(), both tuples filled in except the
 *	reply tuple's dport, which this function chooses
 * @ports: the SNAT ports to choose from; not empty
 * @old: set to the existing row's original direction on -EEXIST
 *
 * The SNAT port makes (SNAT address, SNAT port, backend address, backend
 * port, protocol) unique: the reply tuple is only inserted if no row has it.
 * Towards a backend, the search starts just after the port it found last
 * (conn->backend->snat_next, an index into @ports), so a port comes back
 * only after the whole range has been used: a backend that closed first
 * still holds the old tuple in TIME_WAIT for a while, and a SYN reusing it
 * too soon would be answered with an ACK instead of a SYN-ACK. The cursor
 * starts at random, since the old connections of a reloaded balancer may
 * still hold the first ports at the backend. Without a backend (tests)
 * each search starts at random. It probes at most 128 ports (every port
 * when the range is smaller), so exhaustion is detected, never papered
 * over. If all of them are taken, the cursor still moves past them: the
 * next search towards that backend starts at the following ports, so a
 * block of long-lived rows at the cursor cannot make every new connection
 * fail while the rest of the range is free.
 * The check and the insert happen under the bucket locks of both tuples, so
 * two CPUs can't pick the same port or insert the same client twice.
 *
 * Context: any; takes bucket locks with BHs disabled.
 * Return: 0 when hashed; -EEXIST if a row with the same original tuple
 * exists (a retransmitted SYN raced us), with *@old set, valid under RCU;
 * -EADDRNOTAVAIL if no free SNAT port was found.
 */
int l4lb_conn_insert_range(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
			   const struct l4lb_port_range *ports,
			   struct l4lb_tuple_hash **old)
{
	struct l4lb_tuple *orig = &conn->th[L4LB_DIR_ORIG].tuple;
	struct l4lb_tuple *reply = &conn->th[L4LB_DIR_REPLY].tuple;
	u32 n0 = l4lb_port_part_size(ports, 0);
	u32 range = n0 + l4lb_port_part_size(ports, 1);
	u32 attempts = min_t(u32, range, 128);
	atomic_t *next = conn->backend && range > 1 ?
		&conn->backend->snat_next : NULL;
	u32 h0 = l4lb_tuple_hash(tab, orig);
	u32 off, i, h1;

	if (WARN_ON_ONCE(!range))
		return -EADDRNOTAVAIL;
	off = next ? (u32)atomic_read(next) % range :
		get_random_u32_below(range);
	for (i = 0; i < attempts; i++) {
		u32 idx = (off + i) % range;

		reply->dport = htons(idx < n0 ? ports->lo[0] + idx :
				     ports->lo[1] + (idx - n0));
		h1 = l4lb_tuple_hash(tab, reply);

		l4lb_double_lock(tab, h0, h1);
		if (l4lb_conn_exists_locked(tab, h0, orig, old)) {
			l4lb_double_unlock(tab, h0, h1);
			l4lb_gc_mark(tab, h0);	/* the caller follows it */
			return -EEXIST;
		}
		if (!l4lb_conn_exists_locked(tab, h1, reply, NULL)) {
			hlist_add_head_rcu(&conn->th[L4LB_DIR_ORIG].node,
					   &tab->buckets[h0]);
			hlist_add_head_rcu(&conn->th[L4LB_DIR_REPLY].node,
					   &tab->buckets[h1]);
			l4lb_double_unlock(tab, h0, h1);
			l4lb_gc_mark(tab, h0);
			if (next)
				atomic_set(next, (off + i + 1) % range);
			return 0;
		}
		l4lb_double_unlock(tab, h0, h1);
	}
	if (next)
		atomic_set(next, (off + attempts) % range);
	return -EADDRNOTAVAIL;
}

/**
 * l4lb_conn_insert() - l4lb_conn_insert_range() with one part
 * @tab: the table
 * @conn: the row, as for l4lb_conn_insert_range()
 * @port_lo: lowest SNAT port to use (host byte order)
 * @port_hi: highest SNAT port to use (host byte order), >= @port_lo
 * @old: set to the existing row's original direction on -EEXIST
 *
 * A persistence template passes 0, 0: its reply tuple keeps port 0.
 *
 * Context: any; takes bucket locks with BHs disabled.
 * Return: as l4lb_conn_insert_range().
 */
int l4lb_conn_insert(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
		     u16 port_lo, u16 port_hi, struct l4lb_tuple_hash **old)
{
	const struct l4lb_port_range ports = {
		.lo = { port_lo, 1 },
		.hi = { port_hi, 0 },
	};

	return l4lb_conn_insert_range(tab, conn, &ports, old);
}

static void l4lb_conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(l4lb_conn_cachep,
			container_of(head, struct l4lb_conn, rcu));
}

/**
 * l4lb_conn_unlink() - remove a row from the table and free it
 * @tab: the table
 * @conn: the row
 *
 * Only the first caller unlinks; later callers (the GC racing a flush, say)
 * see the row already gone. The row's backend reference is dropped and the
 * row is freed after an RCU grace period.
 *
 * Context: any; takes bucket locks with BHs disabled. The caller must keep
 * @conn alive (RCU read side, or being its only owner).
 * Return: true if this call unlinked the row.
 */
bool l4lb_conn_unlink(struct l4lb_conn_table *tab, struct l4lb_conn *conn)
{
	u32 h0 = l4lb_tuple_hash(tab, &conn->th[L4LB_DIR_ORIG].tuple);
	u32 h1 = l4lb_tuple_hash(tab, &conn->th[L4LB_DIR_REPLY].tuple);

	l4lb_double_lock(tab, h0, h1);
	if (hlist_unhashed(&conn->th[L4LB_DIR_ORIG].node)) {
		l4lb_double_unlock(tab, h0, h1);
		return false;
	}
	hlist_del_init_rcu(&conn->th[L4LB_DIR_ORIG].node);
	hlist_del_init_rcu(&conn->th[L4LB_DIR_REPLY].node);
	l4lb_double_unlock(tab, h0, h1);

	spin_lock_bh(&conn->lock);
	l4lb_conn_half_open_put(tab, conn);
	spin_unlock_bh(&conn->lock);

	if (conn->backend)
		l4lb_backend_conn_release(conn);
	atomic_dec(&tab->count);
	call_rcu(&conn->rcu, l4lb_conn_free_rcu);
	return true;
}

/*
 * Unlink the rows of bucket @b for which @match(conn, arg) is true. Each row
 * is linked in two buckets. Unless @both, it is looked at through its
 * original direction only, so a pass over every bucket sees every row once.
 */
static unsigned int l4lb_conn_sweep(struct l4lb_conn_table *tab,
				    unsigned int b, bool both,
				    bool (*match)(const struct l4lb_conn *conn,
						  const void *arg),
				    const void *arg)
{
	struct l4lb_tuple_hash *th;
	unsigned int removed = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(th, &tab->buckets[b], node) {
		struct l4lb_conn *conn;

		if (!both && th->tuple.dir != L4LB_DIR_ORIG)
			continue;
		conn = l4lb_tuplehash_to_conn(th);
		if (match(conn, arg) && l4lb_conn_unlink(tab, conn))
			removed++;
	}
	rcu_read_unlock();
	return removed;
}

static bool l4lb_conn_expired(const struct l4lb_conn *conn, const void *now)
{
	return time_after_eq(*(const unsigned long *)now,
			     READ_ONCE(conn->expires));
}

static bool l4lb_conn_of(const struct l4lb_conn *conn, const void *backend)
{
	return !backend || conn->backend == backend;
}

/* The full pass over @nbuckets buckets from tab->gc_next, skipping the
 * buckets marked in the current bitmap if @skip_marked.
 */
static unsigned int l4lb_conn_gc_full(struct l4lb_conn_table *tab,
				      unsigned int nbuckets, unsigned long now,
				      bool skip_marked)
{
	const unsigned long *cur = tab->gc_mark[tab->gc_mark_cur & 1];
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0, i, b;

	nbuckets = min(nbuckets, size);
	for (i = 0; i < nbuckets; i++) {
		b = tab->gc_next;
		tab->gc_next = (b + 1) & (size - 1);
		if (skip_marked && test_bit(b, cur))
			continue;
		removed += l4lb_conn_sweep(tab, b, false, l4lb_conn_expired,
					   &now);
		if ((i & 255) == 255)
			cond_resched();
	}
	return removed;
}

/* The marked pass over @nbuckets buckets from tab->gc_mark_next: the rows
 * of the buckets marked in either bitmap, in both directions.
 */
static unsigned int l4lb_conn_gc_marked(struct l4lb_conn_table *tab,
					unsigned int nbuckets,
					unsigned long now)
{
	const unsigned long *m0 = tab->gc_mark[0], *m1 = tab->gc_mark[1];
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0, swept = 0;
	unsigned int b = tab->gc_mark_next;

	nbuckets = min(nbuckets, size);
	while (nbuckets) {
		unsigned int k = BIT_WORD(b), off = b % BITS_PER_LONG;
		unsigned int n = min_t(unsigned int, nbuckets,
				       BITS_PER_LONG - off);
		unsigned long w = (READ_ONCE(m0[k]) | READ_ONCE(m1[k])) >> off;

		if (n < BITS_PER_LONG)
			w &= BIT(n) - 1;
		while (w) {
			removed += l4lb_conn_sweep(tab, b + __ffs(w), true,
						   l4lb_conn_expired, &now);
			w &= w - 1;
			if ((++swept & 255) == 0)
				cond_resched();
		}
		/* size is a multiple of BITS_PER_LONG: no word straddles
		 * the end of the table.
		 */
		b = (b + n) & (size - 1);
		nbuckets -= n;
	}
	tab->gc_mark_next = b;
	return removed;
}

/**
 * l4lb_conn_gc() - expire idle rows in the next slice of buckets
 * @tab: the table
 * @nbuckets: how many buckets to look at; the cursor wraps around
 * @now: the current time in jiffies
 *
 * One step of the full pass, marks or not: every expired row in the
 * @nbuckets buckets from the full pass's cursor goes. The GC worker calls
 * l4lb_conn_gc_tick() instead, which paces this.
 *
 * Context: process (the GC worker); may sleep between buckets.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_gc(struct l4lb_conn_table *tab, unsigned int nbuckets,
			  unsigned long now)
{
	return l4lb_conn_gc_full(tab, nbuckets, now, false);
}

/* Can rows of a service of @proto, with @timeout, be in @state? */
static bool l4lb_state_in_use(unsigned int state,
			      const unsigned long *timeout, u8 proto)
{
	switch (state) {
	case L4LB_CONN_PERSIST:
		return timeout[state];
	case L4LB_CONN_UDP:
		return proto != IPPROTO_TCP;
	default:	/* the TCP states */
		return proto != IPPROTO_UDP;
	}
}

/**
 * l4lb_conn_gc_timeouts() - set the garbage collector's pace from timeouts
 * @tab: the table
 * @timeout: the idle timeout of a row in each enum l4lb_conn_state, in
 *	jiffies, as struct l4lb_service's; timeout[L4LB_CONN_PERSIST] is 0
 *	when there are no persistence templates
 * @proto: IPPROTO_TCP or IPPROTO_UDP, the service's protocol: the states
 *	of the other one are not in use
 *
 * The full pass over every bucket then takes a quarter of the shortest
 * timeout in use that is longer than L4LB_GC_SHORT (4 s), within 1-30 s;
 * 30 s if there is none. Shorter timeouts are served by the marked pass
 * (see "Expiry" in l4lb_conn.c). It applies from the next
 * l4lb_conn_gc_tick() on.
 *
 * Context: any; the caller serialises changes of @timeout (the GC worker
 * reads them under l4lb_net::lock).
 */
void l4lb_conn_gc_timeouts(struct l4lb_conn_table *tab,
			   const unsigned long *timeout, u8 proto)
{
	l4lb_conn_gc_set_period(tab, l4lb_conn_gc_period(timeout, proto));
}

/**
 * l4lb_conn_gc_period() - the full pass's period one service asks for
 * @timeout: the service's idle timeouts, as for l4lb_conn_gc_timeouts()
 * @proto: the service's protocol, as for l4lb_conn_gc_timeouts()
 *
 * Context: any.
 * Return: a quarter of the shortest timeout in use longer than
 * L4LB_GC_SHORT, within 1-30 s, in jiffies; 30 s if there is none.
 */
unsigned long l4lb_conn_gc_period(const unsigned long *timeout, u8 proto)
{
	unsigned long shortest = ULONG_MAX;
	unsigned int s;

	for (s = L4LB_CONN_SYN_SENT; s <= L4LB_CONN_STATE_MAX; s++) {
		if (l4lb_state_in_use(s, timeout, proto) &&
		    timeout[s] > L4LB_GC_SHORT)
			shortest = min(shortest, timeout[s]);
	}
	return shortest == ULONG_MAX ? L4LB_GC_PERIOD_MAX :
		clamp(shortest / 4, (unsigned long)L4LB_GC_PERIOD_MIN,
		      (unsigned long)L4LB_GC_PERIOD_MAX);
}

/**
 * l4lb_conn_gc_set_period() - set the full pass's period
 * @tab: the table
 * @period: jiffies, from l4lb_conn_gc_period(); the shortest that any
 *	service of the table asks for
 *
 * It applies from the next l4lb_conn_gc_tick() on.
 *
 * Context: any.
 */
void l4lb_conn_gc_set_period(struct l4lb_conn_table *tab, unsigned long period)
{
	WRITE_ONCE(tab->gc_period, period);
}

/* How many of @size buckets a pass of @period jiffies looks at in @elapsed;
 * *@carry keeps the remainder, so that short ticks add up.
 */
static unsigned int l4lb_gc_pace(u64 *carry, unsigned int size,
				 unsigned long elapsed, unsigned long period)
{
	u64 work = (u64)size * elapsed + *carry;
	u32 rem;
	u64 n = div_u64_rem(work, period, &rem);

	if (n >= size) {
		*carry = 0;
		return size;
	}
	*carry = rem;
	return n;
}

/**
 * l4lb_conn_gc_tick() - expire idle rows, at the pace the time since the
 *	last call asks for
 * @tab: the table
 * @now: the current time in jiffies
 *
 * Runs the full pass and the marked pass for the time elapsed since the
 * previous call (at most one full pass), and every L4LB_GC_RECENT starts a
 * new bitmap of marks (see "Expiry" in l4lb_conn.c). The first call only
 * starts the clock. The GC worker calls it every few hundred milliseconds;
 * a call that comes late, as a deferrable worker's may, does more work.
 *
 * Context: process (the GC worker), one caller at a time; may sleep
 * between buckets.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_gc_tick(struct l4lb_conn_table *tab, unsigned long now)
{
	unsigned long period = READ_ONCE(tab->gc_period);
	bool marked = period >= 2 * L4LB_GC_MARKED;
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0;
	unsigned long elapsed;

	if (!tab->gc_started) {
		tab->gc_started = true;
		tab->gc_last = now;
		tab->gc_mark_since = now;
		return 0;
	}
	elapsed = min(now - tab->gc_last, period);
	tab->gc_last = now;

	if (time_after_eq(now, tab->gc_mark_since + L4LB_GC_RECENT)) {
		unsigned int next = !(tab->gc_mark_cur & 1);

		bitmap_zero(tab->gc_mark[next], size);
		/* Marks that see the new index find the bitmap cleared. */
		smp_store_release(&tab->gc_mark_cur, next);
		tab->gc_mark_since = now;
	}

	if (marked)
		removed += l4lb_conn_gc_marked(tab,
					       l4lb_gc_pace(&tab->gc_mark_carry,
							    size, elapsed,
							    L4LB_GC_MARKED),
					       now);
	removed += l4lb_conn_gc_full(tab,
				     l4lb_gc_pace(&tab->gc_full_carry, size,
						  elapsed, period),
				     now, marked);
	return removed;
}

/**
 * l4lb_conn_flush_if() - remove the rows a predicate picks, at once
 * @tab: the table
 * @match: called for each row under rcu_read_lock(), must not sleep;
 *	returns true for the rows to remove
 * @arg: passed to @match
 *
 * Context: process; may sleep between buckets.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_flush_if(struct l4lb_conn_table *tab,
				bool (*match)(const struct l4lb_conn *conn,
					      const void *arg),
				const void *arg)
{
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0, b;

	for (b = 0; b < size; b++) {
		removed += l4lb_conn_sweep(tab, b, false, match, arg);
		if ((b & 255) == 255)
			cond_resched();
	}
	return removed;
}

/**
 * l4lb_conn_flush() - remove rows at once
 * @tab: the table
 * @backend: remove only the rows of this backend; NULL for every row
 *
 * Context: process; may sleep between buckets.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_flush(struct l4lb_conn_table *tab,
			     const struct l4lb_backend *backend)
{
	return l4lb_conn_flush_if(tab, l4lb_conn_of, backend);
}
