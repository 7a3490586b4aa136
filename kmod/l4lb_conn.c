// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the NAT table and the SNAT port allocator.
 *
 * One fixed-size table per network namespace, 1 << conn_tab_bits buckets:
 * predictable, and no resize machinery on the packet path (conn_max bounds
 * the load). Each row is linked twice, once per direction, and hashed with
 * jhash over the tuple and a random per-table seed, as IPVS and nf_conntrack
 * do. Expiry is in l4lb_conn_gc.c; the locking rules are in l4lb_conn.h.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/math64.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "l4lb_conn.h"
#include "l4lb_fault.h"
#include "l4lb_mem.h"

static struct kmem_cache *l4lb_conn_cachep __read_mostly;
/* Rows that pass the client's address: struct l4lb_conn_ca. */
static struct kmem_cache *l4lb_conn_ca_cachep __read_mostly;
/* Rows of IPv6 services: struct l4lb_conn6. */
static struct kmem_cache *l4lb_conn6_cachep __read_mostly;

/**
 * l4lb_conn_cache_init() - create the slab caches for rows
 *
 * One for plain rows, one for rows with the client address state (struct
 * l4lb_conn_ca), one for IPv6 rows (struct l4lb_conn6). Their objects are
 * charged to a memory cgroup (SLAB_ACCOUNT): the table's, see
 * l4lb_conn_alloc().
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int l4lb_conn_cache_init(void)
{
	/* The memory a connection costs: keep a row within two cache lines,
	 * with the client address state too.
	 */
	BUILD_BUG_ON(sizeof(struct l4lb_conn) > 128 &&
		     !IS_ENABLED(CONFIG_DEBUG_SPINLOCK));
	BUILD_BUG_ON(sizeof(struct l4lb_conn_ca) > 128 &&
		     !IS_ENABLED(CONFIG_DEBUG_SPINLOCK));
	l4lb_conn_cachep = KMEM_CACHE(l4lb_conn, SLAB_ACCOUNT);
	if (!l4lb_conn_cachep)
		return -ENOMEM;
	BUILD_BUG_ON(sizeof(struct l4lb_conn6) > 192 &&
		     !IS_ENABLED(CONFIG_DEBUG_SPINLOCK));
	l4lb_conn_ca_cachep = KMEM_CACHE(l4lb_conn_ca, SLAB_ACCOUNT);
	if (!l4lb_conn_ca_cachep)
		goto err_ca;
	l4lb_conn6_cachep = KMEM_CACHE(l4lb_conn6, SLAB_ACCOUNT);
	if (!l4lb_conn6_cachep)
		goto err_6;
	return 0;
err_6:
	kmem_cache_destroy(l4lb_conn_ca_cachep);
err_ca:
	kmem_cache_destroy(l4lb_conn_cachep);
	return -ENOMEM;
}

/**
 * l4lb_conn_cache_exit() - destroy the slab caches for rows
 *
 * Every table must have been freed and an rcu_barrier() done before, so that
 * no row is left: a leftover row makes the slab allocator complain loudly.
 *
 * Context: process, module exit.
 */
void l4lb_conn_cache_exit(void)
{
	kmem_cache_destroy(l4lb_conn6_cachep);
	kmem_cache_destroy(l4lb_conn_ca_cachep);
	kmem_cache_destroy(l4lb_conn_cachep);
}

/* Give a row back to the cache it came from. */
static void l4lb_conn_kfree(struct l4lb_conn *conn)
{
	if (conn->th[L4LB_DIR_ORIG].tuple.v6)
		kmem_cache_free(l4lb_conn6_cachep,
				container_of(conn, struct l4lb_conn6, conn));
	else if (conn->flags & L4LB_CONN_F_CA)
		kmem_cache_free(l4lb_conn_ca_cachep,
				container_of(conn, struct l4lb_conn_ca, conn));
	else
		kmem_cache_free(l4lb_conn_cachep, conn);
}

static u32 l4lb_tuple_hash(const struct l4lb_conn_table *tab,
			   const struct l4lb_tuple *t)
{
	u32 ports = ((__force u32)t->sport << 16) | (__force u32)t->dport;

	return jhash_3words((__force u32)t->saddr, (__force u32)t->daddr,
			    ports ^ t->proto ^ (t->v6 << 8), tab->seed) &
		((1U << tab->bits) - 1);
}

/*
 * Does the tuple @th of a row have the key @t, and, for an IPv6 key, the
 * source and destination @a6[0] and @a6[1]?
 */
static bool l4lb_tuple_equal(const struct l4lb_tuple_hash *th,
			     const struct l4lb_tuple *t,
			     const struct in6_addr *a6)
{
	const struct l4lb_tuple *a = &th->tuple;
	const struct l4lb_conn6 *c6;

	if (a->saddr != t->saddr || a->daddr != t->daddr ||
	    a->sport != t->sport || a->dport != t->dport ||
	    a->proto != t->proto || a->v6 != t->v6)
		return false;
	if (!t->v6)
		return true;
	c6 = container_of(l4lb_tuplehash_to_conn(th), struct l4lb_conn6, conn);
	return ipv6_addr_equal(&c6->addr[a->dir][0], &a6[0]) &&
	       ipv6_addr_equal(&c6->addr[a->dir][1], &a6[1]);
}

/* The IPv6 addresses of a row's tuple @dir, NULL for an IPv4 row. */
static struct in6_addr *l4lb_conn_a6(struct l4lb_conn *conn,
				     enum l4lb_dir dir)
{
	if (!conn->th[dir].tuple.v6)
		return NULL;
	return container_of(conn, struct l4lb_conn6, conn)->addr[dir];
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
 * @half_open_max: largest number of half-open rows (syn_max)
 * @release: called for each unlinked row that has a backend; may be NULL
 *
 * The table and, later, its rows are charged to the caller's memory cgroup
 * (l4lb_mem.h): the rows are allocated in softirq, on behalf of whoever
 * set the namespace's balancer up, so the table keeps a reference to that
 * cgroup until l4lb_conn_table_free().
 *
 * Context: process, may sleep.
 * Return: the table, or NULL if out of memory.
 */
struct l4lb_conn_table *l4lb_conn_table_alloc(unsigned int bits,
					      unsigned int max,
					      unsigned int half_open_max,
					      void (*release)(struct l4lb_conn *))
{
	struct l4lb_conn_table *tab;
	unsigned int i;

	tab = kzalloc(sizeof(*tab), L4LB_GFP_CTL);
	if (!tab)
		return NULL;
	tab->buckets = kvcalloc(1U << bits, sizeof(*tab->buckets),
				L4LB_GFP_CTL);
	if (!tab->buckets) {
		kfree(tab);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		tab->mark[i] = kvcalloc(BITS_TO_LONGS(1U << bits),
					sizeof(unsigned long), L4LB_GFP_CTL);
		if (!tab->mark[i]) {
			l4lb_conn_table_free(tab);
			return NULL;
		}
	}
	for (i = 0; i < (1U << bits); i++)
		INIT_HLIST_HEAD(&tab->buckets[i]);
	for (i = 0; i < L4LB_CONN_LOCKS; i++)
		spin_lock_init(&tab->locks[i]);
	tab->gc.period = HZ;
	tab->bits = bits;
	tab->release = release;
	tab->max = max;
	tab->half_open_max = half_open_max;
	tab->seed = get_random_u32();
	atomic_set(&tab->count, 0);
	atomic_set(&tab->half_open, 0);
	/* NULL: the caller's, that is its remote cgroup if it has one set,
	 * else its own (the root cgroup for a kernel thread).
	 */
	tab->memcg = get_mem_cgroup_from_mm(NULL);
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
	kvfree(tab->mark[0]);
	kvfree(tab->mark[1]);
	kvfree(tab->buckets);
	mem_cgroup_put(tab->memcg);
	kfree(tab);
}

static struct l4lb_conn *__l4lb_conn_alloc(struct l4lb_conn_table *tab,
					   gfp_t gfp, bool ca, bool v6)
{
	struct kmem_cache *cache = ca ? l4lb_conn_ca_cachep : l4lb_conn_cachep;
	size_t size = ca ? sizeof(struct l4lb_conn_ca) :
			   sizeof(struct l4lb_conn);
	struct mem_cgroup *old_memcg;
	struct l4lb_conn *conn = NULL;
	void *obj = NULL;

	if (v6) {
		cache = l4lb_conn6_cachep;
		size = sizeof(struct l4lb_conn6);
	}

	if (atomic_inc_return(&tab->count) > tab->max) {
		atomic_dec(&tab->count);
		return ERR_PTR(-ENOSPC);
	}
	if (!l4lb_fault_alloc(size)) {
		old_memcg = set_active_memcg(tab->memcg);
		obj = kmem_cache_zalloc(cache, gfp | __GFP_ACCOUNT);
		set_active_memcg(old_memcg);
	}
	/* The row is the first member of each of the three. */
	conn = obj;
	if (!conn) {
		atomic_dec(&tab->count);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&conn->lock);
	conn->th[L4LB_DIR_ORIG].tuple.dir = L4LB_DIR_ORIG;
	conn->th[L4LB_DIR_REPLY].tuple.dir = L4LB_DIR_REPLY;
	conn->th[L4LB_DIR_ORIG].tuple.v6 = v6;
	conn->th[L4LB_DIR_REPLY].tuple.v6 = v6;
	if (ca)
		conn->flags = L4LB_CONN_F_CA;
	return conn;
}

/**
 * l4lb_conn_alloc() - reserve a slot in @tab and allocate an unhashed row
 * @tab: the table whose conn_max applies
 * @gfp: allocation flags (L4LB_GFP_ROW on the packet path)
 *
 * The row is counted in the table length from here on; give it back with
 * l4lb_conn_free_unhashed() if it is never inserted. It is charged to the
 * table's memory cgroup, whatever the context: in softirq there is no
 * task to charge, and in a task it may be one that merely forwards.
 *
 * Context: any.
 * Return: the row, zeroed but for its lock, or ERR_PTR(-ENOSPC) if the table
 * is full, ERR_PTR(-ENOMEM) if out of memory.
 */
struct l4lb_conn *l4lb_conn_alloc(struct l4lb_conn_table *tab, gfp_t gfp)
{
	return __l4lb_conn_alloc(tab, gfp, false, false);
}

/**
 * l4lb_conn_alloc_ca() - like l4lb_conn_alloc(), with client address state
 * @tab: the table whose conn_max applies
 * @gfp: allocation flags (L4LB_GFP_ROW on the packet path)
 *
 * The row is the first member of a struct l4lb_conn_ca, from a cache of
 * its own, 8 bytes bigger; it has L4LB_CONN_F_CA set, so l4lb_conn_ca()
 * finds its state (zeroed: the caller sets it, l4lb_ca_init()) and every
 * free path gives it back to that cache. Charged like any row.
 *
 * Context: any.
 * Return: the row, or ERR_PTR(-ENOSPC) if the table is full,
 * ERR_PTR(-ENOMEM) if out of memory.
 */
struct l4lb_conn *l4lb_conn_alloc_ca(struct l4lb_conn_table *tab, gfp_t gfp)
{
	return __l4lb_conn_alloc(tab, gfp, true, false);
}

/**
 * l4lb_conn_alloc6() - like l4lb_conn_alloc(), for a row of an IPv6 service
 * @tab: the table whose conn_max applies
 * @gfp: allocation flags (L4LB_GFP_ROW on the packet path)
 * @ca: with client address state (L4LB_CONN_F_CA set)
 *
 * The row is the first member of a struct l4lb_conn6, from a cache of its
 * own; both its tuples have @v6 set. The caller fills in the addresses
 * (struct l4lb_conn6 @addr) and their folds in the tuples.
 *
 * Context: any.
 * Return: the row, or ERR_PTR(-ENOSPC) if the table is full,
 * ERR_PTR(-ENOMEM) if out of memory.
 */
struct l4lb_conn *l4lb_conn_alloc6(struct l4lb_conn_table *tab, gfp_t gfp,
				   bool ca)
{
	return __l4lb_conn_alloc(tab, gfp, ca, true);
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
	l4lb_conn_kfree(conn);
	atomic_dec(&tab->count);
}

/*
 * Mark bucket @h for the expiry's marked pass (l4lb_conn_gc.c). The bit is
 * only written when it is not set yet, so the packets of busy rows only
 * read it. A mark lost to a bitmap switch only delays expiry to the full
 * pass.
 */
static void l4lb_gc_mark(struct l4lb_conn_table *tab, u32 h)
{
	unsigned long *map = tab->mark[READ_ONCE(tab->mark_cur) & 1];

	if (!test_bit(h, map))
		set_bit(h, map);
}

/**
 * l4lb_conn_mark() - let the expiry see a row soon, if it is short-lived
 * @tab: the table
 * @th: a direction of the row, hashed in @tab
 * @now: the current time, jiffies
 *
 * Call after a packet has set the row's expiry time (a new row's first
 * packet included). If the row is due to expire within L4LB_GC_SHORT of
 * @now (a closing row, or a short timeout a user set), the bucket of @th
 * is marked, so the marked pass removes the row within about a second of
 * its expiry (l4lb_conn_gc.c); any other row is left to the full pass, at
 * most a quarter of its timeout late. The packets of long-lived rows,
 * nearly all of them, thus read no bitmap and write none; those of a
 * short-lived row cost a hash and a bit test.
 *
 * Context: RCU read side; lockless.
 */
void l4lb_conn_mark(struct l4lb_conn_table *tab,
		    const struct l4lb_tuple_hash *th, unsigned long now)
{
	const struct l4lb_conn *conn = l4lb_tuplehash_to_conn(th);

	if (time_before_eq(READ_ONCE(conn->expires), now + L4LB_GC_SHORT))
		l4lb_gc_mark(tab, l4lb_tuple_hash(tab, &th->tuple));
}

/**
 * l4lb_conn_find() - look a tuple up
 * @tab: the table
 * @t: the key (its @dir is ignored)
 * @a6: with an IPv6 key (@t->v6), its source [0] and destination [1]
 *	addresses, whose folds @t has; NULL otherwise
 *
 * A caller that then changes the row's expiry time calls l4lb_conn_mark().
 *
 * Context: rcu_read_lock() held (softirq on the packet path); the result is
 * valid until rcu_read_unlock(). It may be concurrently unlinked.
 * Return: the matching direction of a row, or NULL.
 */
struct l4lb_tuple_hash *l4lb_conn_find(struct l4lb_conn_table *tab,
				       const struct l4lb_tuple *t,
				       const struct in6_addr *a6)
{
	struct l4lb_tuple_hash *th;
	u32 h = l4lb_tuple_hash(tab, t);

	hlist_for_each_entry_rcu(th, &tab->buckets[h], node) {
		if (l4lb_tuple_equal(th, t, a6))
			return th;
	}
	return NULL;
}

/**
 * l4lb_conn_find_miss() - l4lb_conn_find(), noting where a miss looked
 * @tab: the table
 * @t: the key (its @dir is ignored)
 * @a6: as for l4lb_conn_find()
 * @miss: out: the bucket and its first node, for l4lb_conn_insert_range()
 *	to insert the row of @t without walking the bucket again; set on a
 *	hit too
 *
 * Context: as l4lb_conn_find(); @miss is valid until rcu_read_unlock().
 * Return: as l4lb_conn_find().
 */
struct l4lb_tuple_hash *l4lb_conn_find_miss(struct l4lb_conn_table *tab,
					    const struct l4lb_tuple *t,
					    const struct in6_addr *a6,
					    struct l4lb_conn_miss *miss)
{
	u32 h = l4lb_tuple_hash(tab, t);
	struct hlist_node *first = rcu_dereference(hlist_first_rcu(&tab->buckets[h]));
	struct l4lb_tuple_hash *th;

	miss->h = h;
	miss->first = first;
	th = hlist_entry_safe(first, struct l4lb_tuple_hash, node);
	hlist_for_each_entry_from_rcu(th, node) {
		if (l4lb_tuple_equal(th, t, a6))
			return th;
	}
	return NULL;
}

/* Like l4lb_conn_find() but with the bucket lock held instead of RCU. */
static bool l4lb_conn_exists_locked(struct l4lb_conn_table *tab, u32 h,
				    const struct l4lb_tuple *t,
				    const struct in6_addr *a6,
				    struct l4lb_tuple_hash **found)
{
	struct l4lb_tuple_hash *th;

	hlist_for_each_entry(th, &tab->buckets[h], node) {
		if (l4lb_tuple_equal(th, t, a6)) {
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
 * l4lb_conn_insert_range() - choose a SNAT address and port and hash a new row
 * @tab: the table
 * @conn: the row from l4lb_conn_alloc(), both tuples filled in except the
 *	reply tuple's daddr and dport, which this function chooses
 * @sp: the SNAT addresses and ports to choose from; neither empty
 * @cursor: where the search starts, as an index into @sp, moved on past
 *	the ones probed; the backend's, or NULL to start at random
 * @miss: where the lookup that missed @conn's original tuple looked
 *	(l4lb_conn_find_miss(), in the same RCU read-side section), or NULL
 * @old: set to the existing row's original direction on -EEXIST
 *
 * The choices are numbered: index i is address @sp->addrs[i % naddr] with
 * port number i / naddr of @sp->ports, so consecutive indexes spread over
 * the addresses and every address has every port: naddr times the ports
 * of one address in all.
 *
 * The SNAT address and port make (SNAT address, SNAT port, backend
 * address, backend port, protocol) unique: the reply tuple is only
 * inserted if no row has it. Towards a backend the search starts at
 * conn->backend's cursor (random at first), so a choice comes back only
 * after all the others have been used: a backend that closed first still
 * holds the old tuple in TIME_WAIT. At most 128 choices are probed; if all
 * are taken the cursor still moves past them, so a block of long-lived
 * rows cannot make every new connection fail while the rest is free.
 * Without a backend (tests) each search starts at random. The check and
 * the insert happen under the bucket locks of both tuples; the original
 * tuple's bucket is only walked if rows were added to it since @miss (or
 * since the last attempt) looked.
 *
 * If every choice probed is taken and @tab->reclaimable says that one of
 * their rows may give its port up, the first such row (the oldest, in the
 * cursor's order) is returned instead, and the cursor is left on its index:
 * the caller unlinks it (l4lb_conn_unlink_if()) and calls again, and the
 * search starts on the port just freed. This is what keeps a flood of
 * unconfirmed rows, or a crowd of closed ones, from taking every port.
 *
 * Context: RCU read side (for *@old); takes bucket locks with BHs disabled.
 * Return: 0 when hashed; -EEXIST if a row with the same original tuple
 * exists (a retransmitted SYN raced us), with *@old set, valid under RCU;
 * -EBUSY if every choice probed is taken but one row may be reclaimed,
 * with *@old set to that row's reply direction, valid under RCU;
 * -EADDRNOTAVAIL if no free SNAT address and port was found.
 */
int l4lb_conn_insert_range(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
			   const struct l4lb_snat_space *sp, atomic_t *cursor,
			   const struct l4lb_conn_miss *miss,
			   struct l4lb_tuple_hash **old)
{
	struct l4lb_tuple *orig = &conn->th[L4LB_DIR_ORIG].tuple;
	struct l4lb_tuple *reply = &conn->th[L4LB_DIR_REPLY].tuple;
	const struct in6_addr *a6o = l4lb_conn_a6(conn, L4LB_DIR_ORIG);
	struct in6_addr *a6r = l4lb_conn_a6(conn, L4LB_DIR_REPLY);
	const struct l4lb_port_range *ports = &sp->ports;
	u32 naddr = sp->naddr;
	u32 n0 = l4lb_port_part_size(ports, 0);
	u32 range = (n0 + l4lb_port_part_size(ports, 1)) * naddr;
	u32 attempts = min_t(u32, range, 128);
	atomic_t *next = cursor && range > 1 ? cursor : NULL;
	u32 h0 = l4lb_tuple_hash(tab, orig);
	/* The head of h0 when it last held no row of @orig, if known. */
	bool clear = miss && miss->h == h0;
	const struct hlist_node *seen = clear ? miss->first : NULL;
	struct l4lb_tuple_hash *victim = NULL;
	u32 off, i, h1, victim_idx = 0;

	if (WARN_ON_ONCE(!range || naddr > L4LB_SNAT_ADDRS_MAX))
		return -EADDRNOTAVAIL;
	off = next ? (u32)atomic_read(next) % range :
		get_random_u32_below(range);
	for (i = 0; i < attempts; i++) {
		u32 idx = (off + i) % range;
		u32 port = idx / naddr;
		struct l4lb_tuple_hash *taken;

		if (a6r) {
			const struct in6_addr *a = &sp->addrs[idx % naddr].in6;

			/* Not yet hashed: no reader sees it change. */
			a6r[1] = *a;
			reply->daddr = l4lb_addr6_fold(a);
		} else {
			reply->daddr = sp->addrs[idx % naddr].ip;
		}
		reply->dport = htons(port < n0 ? ports->lo[0] + port :
				     ports->lo[1] + (port - n0));
		h1 = l4lb_tuple_hash(tab, reply);

		l4lb_double_lock(tab, h0, h1);
		if (!clear || tab->buckets[h0].first != seen) {
			if (l4lb_conn_exists_locked(tab, h0, orig, a6o, old)) {
				l4lb_double_unlock(tab, h0, h1);
				return -EEXIST;
			}
			clear = true;
			seen = tab->buckets[h0].first;
		}
		if (!l4lb_conn_exists_locked(tab, h1, reply, a6r, &taken)) {
			hlist_add_head_rcu(&conn->th[L4LB_DIR_ORIG].node,
					   &tab->buckets[h0]);
			hlist_add_head_rcu(&conn->th[L4LB_DIR_REPLY].node,
					   &tab->buckets[h1]);
			l4lb_double_unlock(tab, h0, h1);
			if (next)
				atomic_set(next, (off + i + 1) % range);
			return 0;
		}
		l4lb_double_unlock(tab, h0, h1);
		if (!victim && tab->reclaimable &&
		    tab->reclaimable(l4lb_tuplehash_to_conn(taken))) {
			victim = taken;
			victim_idx = idx;
		}
	}
	if (victim) {
		if (next)
			atomic_set(next, victim_idx);
		*old = victim;
		return -EBUSY;
	}
	if (next)
		atomic_set(next, (off + attempts) % range);
	return -EADDRNOTAVAIL;
}

/**
 * l4lb_conn_insert() - l4lb_conn_insert_range() with one address, one part
 * @tab: the table
 * @conn: the row, as for l4lb_conn_insert_range(), but with the reply
 *	tuple's daddr set: the one SNAT address
 * @port_lo: lowest SNAT port to use (host byte order)
 * @port_hi: highest SNAT port to use (host byte order), >= @port_lo
 * @old: set to the existing row's original direction on -EEXIST
 *
 * A persistence template passes one port, which its reply tuple keeps.
 *
 * Context: any; takes bucket locks with BHs disabled.
 * Return: as l4lb_conn_insert_range().
 */
int l4lb_conn_insert(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
		     u16 port_lo, u16 port_hi, struct l4lb_tuple_hash **old)
{
	union nf_inet_addr addr;
	const struct l4lb_snat_space sp = {
		.addrs = &addr,
		.naddr = 1,
		.ports = {
			.lo = { port_lo, 1 },
			.hi = { port_hi, 0 },
		},
	};

	l4lb_conn_addrs(conn, L4LB_DIR_REPLY, &(union nf_inet_addr){}, &addr);
	return l4lb_conn_insert_range(tab, conn, &sp, NULL, NULL, old);
}

static void l4lb_conn_free_rcu(struct rcu_head *head)
{
	l4lb_conn_kfree(container_of(head, struct l4lb_conn, rcu));
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

	/* From here on nobody changes the row's state or flags, so what it
	 * holds of its backend (active or inactive) is given back once.
	 */
	spin_lock_bh(&conn->lock);
	conn->flags |= L4LB_CONN_F_DEAD;
	l4lb_conn_half_open_put(tab, conn);
	spin_unlock_bh(&conn->lock);

	if (conn->backend && tab->release)
		tab->release(conn);
	atomic_dec(&tab->count);
	call_rcu(&conn->rcu, l4lb_conn_free_rcu);
	return true;
}

/**
 * l4lb_conn_unlink_if() - unlink a row if a predicate still holds for it
 * @tab: the table
 * @conn: the row, found under RCU
 * @pred: called with conn->lock held, BHs disabled; must not sleep
 *
 * The check and the marking of the row as dead happen under conn->lock,
 * so a packet that changes the row's state (l4lb_conn_advance()) either
 * comes first, and @pred sees the new state, or finds the row dead.
 *
 * Context: RCU read side; takes conn->lock and bucket locks, BHs disabled.
 * Return: true if this call unlinked the row.
 */
bool l4lb_conn_unlink_if(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
			 bool (*pred)(const struct l4lb_conn *conn))
{
	bool ok;

	spin_lock_bh(&conn->lock);
	ok = !(conn->flags & L4LB_CONN_F_DEAD) && pred(conn);
	if (ok)
		conn->flags |= L4LB_CONN_F_DEAD;
	spin_unlock_bh(&conn->lock);
	return ok && l4lb_conn_unlink(tab, conn);
}

/**
 * l4lb_conn_sweep() - remove the rows of one bucket that a predicate picks
 * @tab: the table
 * @b: the bucket
 * @both: look at the rows linked in @b in either direction; otherwise in
 *	their original direction only, so a pass over every bucket sees every
 *	row once
 * @match: called under rcu_read_lock(), must not sleep; true to remove
 * @arg: passed to @match
 * @gone: if not NULL, called with @tab->owner, under rcu_read_lock(), for
 *	each row this call unlinked; must not sleep
 *
 * Context: any; takes bucket locks with BHs disabled.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_sweep(struct l4lb_conn_table *tab, unsigned int b,
			     bool both,
			     bool (*match)(const struct l4lb_conn *conn,
					   const void *arg),
			     const void *arg,
			     void (*gone)(void *owner, struct l4lb_conn *conn))
{
	struct l4lb_tuple_hash *th;
	unsigned int removed = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(th, &tab->buckets[b], node) {
		struct l4lb_conn *conn;

		if (!both && th->tuple.dir != L4LB_DIR_ORIG)
			continue;
		conn = l4lb_tuplehash_to_conn(th);
		if (match(conn, arg) && l4lb_conn_unlink(tab, conn)) {
			removed++;
			if (gone)
				gone(tab->owner, conn);
		}
	}
	rcu_read_unlock();
	return removed;
}

/**
 * l4lb_conn_iter_next() - the next row of a walk over every row
 * @tab: the table
 * @it: the position, from l4lb_conn_iter_init()
 *
 * Each row is returned once, through its original direction, bucket by
 * bucket. Within one RCU read section a step continues from the row
 * returned last; after l4lb_conn_iter_pause() it counts its way back into
 * the bucket, so rows that come or go meanwhile may be missed or, if they
 * move within a bucket, returned twice: a walk of a live table is a
 * snapshot of no single instant.
 *
 * Context: rcu_read_lock() held; the row is valid until rcu_read_unlock().
 * Return: the row, or NULL past the last one.
 */
struct l4lb_conn *l4lb_conn_iter_next(struct l4lb_conn_table *tab,
				      struct l4lb_conn_iter *it)
{
	struct l4lb_tuple_hash *th = it->th;
	unsigned int skip;

	if (th) {
		hlist_for_each_entry_continue_rcu(th, node)
			if (th->tuple.dir == L4LB_DIR_ORIG)
				goto found;
		it->bucket++;
		it->idx = 0;
	}
	for (; it->bucket < (1U << tab->bits); it->bucket++, it->idx = 0) {
		skip = it->idx;
		hlist_for_each_entry_rcu(th, &tab->buckets[it->bucket], node) {
			if (th->tuple.dir != L4LB_DIR_ORIG)
				continue;
			if (!skip)
				goto found;
			skip--;
		}
	}
	it->th = NULL;
	return NULL;
found:
	it->th = th;
	it->idx++;
	return l4lb_tuplehash_to_conn(th);
}

static bool l4lb_conn_of(const struct l4lb_conn *conn, const void *backend)
{
	return !backend || conn->backend == backend;
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
		removed += l4lb_conn_sweep(tab, b, false, match, arg, NULL);
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
