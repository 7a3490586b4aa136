/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the NAT table (connection table).
 *
 * A row (struct l4lb_conn) pairs two tuples, as nf_conntrack's tuplehash[2]
 * does:
 *   original: client ip:port -> VIP:port
 *   reply:    backend ip:port -> SNAT ip:port
 * and is hashed into one table under both, so a packet in either direction
 * finds its row with one lookup.
 *
 * Locking:
 *  - Readers (the packet path, /proc, netlink dumps) walk buckets under
 *    rcu_read_lock() and take no lock.
 *  - Writers (insert, unlink) take the bucket locks of both tuples, from an
 *    array of L4LB_CONN_LOCKS striped spinlocks, lower index first, with BHs
 *    disabled.
 *  - A row is freed with call_rcu() after it has been unhashed, so a reader
 *    that found it may keep using it until rcu_read_unlock().
 *  - conn->state, conn->flags and conn->expires change under conn->lock;
 *    conn->expires is read locklessly with READ_ONCE().
 */
#ifndef _L4LB_CONN_H
#define _L4LB_CONN_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "l4lb_clientaddr.h"

struct l4lb_backend;
struct l4lb_conn;
struct mem_cgroup;

/** L4LB_CONN_LOCKS - number of striped bucket locks (a power of two) */
#define L4LB_CONN_LOCKS		1024

/*
 * L4LB_GC_SHORT - the longest timeout the expiry's marked pass serves
 * (l4lb_conn_gc.c), jiffies: only a row due to expire within it has its
 * bucket marked (l4lb_conn_mark()). Below the 12 s a mark lasts at least.
 */
#define L4LB_GC_SHORT		(10 * HZ)

/* The SNAT ports, host byte order, less the local ephemeral range. */
#define L4LB_SNAT_PORT_LO	1024
#define L4LB_SNAT_PORT_HI	65535

enum l4lb_dir {
	L4LB_DIR_ORIG,		/* client -> VIP */
	L4LB_DIR_REPLY,		/* backend -> SNAT address */
	L4LB_DIR_MAX,
};

/**
 * struct l4lb_tuple - the key of one direction of a row
 * @saddr: source address, network byte order; of an AF_INET6 row (@v6), the
 *	fold of its IPv6 source (l4lb_addr6_fold()), the address itself
 *	being in struct l4lb_conn6
 * @daddr: destination address, as @saddr
 * @sport: source port, network byte order
 * @dport: destination port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @dir: enum l4lb_dir of this tuple inside its row; not part of the key
 * @v6: 1 for an AF_INET6 row, 0 for an AF_INET one
 *
 * 16 bytes of either family, so that an IPv4 row stays small.
 */
struct l4lb_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
	u8 dir;
	u8 v6;
};

/**
 * l4lb_addr6_fold() - the 32 bits of an IPv6 address a tuple keeps
 * @a: the address
 *
 * Context: any.
 * Return: a fold of @a, for hashing and a first compare only.
 */
static inline __be32 l4lb_addr6_fold(const struct in6_addr *a)
{
	return a->s6_addr32[0] ^ a->s6_addr32[1] ^ a->s6_addr32[2] ^
	       a->s6_addr32[3];
}

/**
 * struct l4lb_tuple_hash - one direction of a row, as linked in a bucket
 * @node: bucket linkage (RCU)
 * @tuple: the key
 */
struct l4lb_tuple_hash {
	struct hlist_node node;
	struct l4lb_tuple tuple;
};

/* conn->flags */
#define L4LB_CONN_F_FIN_ORIG	BIT(0)	/* FIN seen from the client */
#define L4LB_CONN_F_FIN_REPLY	BIT(1)	/* FIN seen from the backend */
#define L4LB_CONN_F_ACTIVE	BIT(2)	/* counted in backend->active */
#define L4LB_CONN_F_HALF_OPEN	BIT(3)	/* counted in tab->half_open */
#define L4LB_CONN_F_TEMPLATE	BIT(4)	/* a persistence template */
#define L4LB_CONN_F_DEAD	BIT(5)	/* unlinked: its state is final */
#define L4LB_CONN_F_REPLY_FIRST	BIT(6)	/* the backend sent the first FIN */
#define L4LB_CONN_F_CA		BIT(7)	/* a struct l4lb_conn_ca; never changes */

/* l4lb_conn::wscale of a side whose SYN offered no window scale */
#define L4LB_WSCALE_NONE	0xff

/**
 * struct l4lb_conn - a row of the NAT table
 * @th: the two directions, indexed by enum l4lb_dir
 * @backend: the backend this row was scheduled to; holds a reference
 * @expires: jiffies at which the row is idle-expired
 * @lock: protects @state, @flags and writes of @expires
 * @state: enum l4lb_conn_state (uapi)
 * @flags: L4LB_CONN_F_*
 * @wscale: TCP: the window scale each side's SYN offered, indexed by
 *	enum l4lb_dir; L4LB_WSCALE_NONE if none
 * @seq_end: TCP: how far each side's sequence numbers have come, host byte
 *	order, at most an eighth of the other side's window behind
 * @win: TCP: the largest window field each side sent, unscaled
 * @seen: TCP: BIT(dir) once @seq_end[dir] and @win[dir] are known;
 *	UDP_UNREPLIED: BIT(L4LB_DIR_REPLY) once the backend answered
 * @rcu: deferred free
 *
 * @seq_end, @win and @seen tell whether a RST's sequence number is in the
 * receiver's window (l4lb_proto_tcp.c); they are written with WRITE_ONCE()
 * without a lock, by the packets of their side.
 *
 * 120 bytes on x86_64 without lock debugging, within the 128 we aim at.
 * A connection of a service that passes the client's address has a
 * struct l4lb_conn_ca instead (L4LB_CONN_F_CA): 8 bytes more.
 */
struct l4lb_conn {
	struct l4lb_tuple_hash th[L4LB_DIR_MAX];
	struct l4lb_backend *backend;
	unsigned long expires;
	spinlock_t lock;	/* state, flags, expires writes */
	u8 state;
	u8 flags;
	u8 wscale[L4LB_DIR_MAX];
	u32 seq_end[L4LB_DIR_MAX];
	u16 win[L4LB_DIR_MAX];
	u8 seen;
	struct rcu_head rcu;
};

/**
 * struct l4lb_conn_ca - a row that passes the client's address (issue #16)
 * @conn: the row
 * @ca: the PROXY protocol or TOA state of its connection
 *	(l4lb_clientaddr.h): set when the row is built, from the client's
 *	SYN; then its @ca.flags and @ca.mss change as l4lb_clientaddr.c
 *	says, the rest stays
 *
 * From a slab cache of its own, so that no other row grows: 128 bytes on
 * x86_64 without lock debugging. Allocated with l4lb_conn_alloc_ca(); the
 * free paths look at L4LB_CONN_F_CA to give it back to its cache.
 */
struct l4lb_conn_ca {
	struct l4lb_conn conn;
	struct l4lb_clientaddr_state ca;
};

/**
 * struct l4lb_conn6 - a row of an AF_INET6 service
 * @conn: the row; its tuples keep folds of the addresses below
 * @addr: the IPv6 source ([0]) and destination ([1]) of each tuple,
 *	indexed by enum l4lb_dir
 * @ca: as struct l4lb_conn_ca's, valid with L4LB_CONN_F_CA
 *
 * From a slab cache of its own, so that IPv4 rows do not grow: 192 bytes
 * on x86_64 without lock debugging. Every AF_INET6 row is one, with or
 * without L4LB_CONN_F_CA.
 */
struct l4lb_conn6 {
	struct l4lb_conn conn;
	struct in6_addr addr[L4LB_DIR_MAX][2];
	struct l4lb_clientaddr_state ca;
};

/**
 * l4lb_conn_ca() - the client address state of a row, if it has one
 * @conn: the row
 *
 * Context: any; L4LB_CONN_F_CA is set before the row is hashed and never
 * changes, so it may be read without conn->lock.
 * Return: the state, or NULL for a row without it.
 */
static inline struct l4lb_clientaddr_state *l4lb_conn_ca(struct l4lb_conn *conn)
{
	if (!(READ_ONCE(conn->flags) & L4LB_CONN_F_CA))
		return NULL;
	if (conn->th[L4LB_DIR_ORIG].tuple.v6)
		return &container_of(conn, struct l4lb_conn6, conn)->ca;
	return &container_of(conn, struct l4lb_conn_ca, conn)->ca;
}

/**
 * struct l4lb_conn_gc_state - where the expiry passes are (l4lb_conn_gc.c)
 * @period: how long the full pass over every bucket takes, in jiffies
 * @next: next bucket of the full pass
 * @mark_next: next bucket of the pass over marked buckets
 * @mark_since: jiffies when l4lb_conn_table::mark_cur became current
 * @last: jiffies of the last l4lb_conn_gc_tick()
 * @full_carry: remainder of the full pass's pacing, bucket-jiffies
 * @mark_carry: remainder of the marked pass's pacing, bucket-jiffies
 * @started: @last and @mark_since are set
 *
 * Written by the GC worker only, one at a time; @period also by
 * l4lb_conn_gc_set_period() with WRITE_ONCE().
 */
struct l4lb_conn_gc_state {
	unsigned long period;
	unsigned int next;
	unsigned int mark_next;
	unsigned long mark_since;
	unsigned long last;
	u64 full_carry;
	u64 mark_carry;
	bool started;
};

/**
 * struct l4lb_conn_table - the NAT table of one network namespace
 * @buckets: 1 << @bits hash chains (RCU)
 * @bits: log2 of the number of buckets
 * @seed: jhash seed, random per table
 * @count: number of rows hashed (the "table length")
 * @max: largest allowed @count (conn_max)
 * @half_open: rows not confirmed: TCP connections whose handshake has
 *	not completed, UDP flows in UDP_UNREPLIED
 * @half_open_max: largest allowed @half_open, so that a SYN (or UDP)
 *	flood cannot take the whole table from established connections
 * @release: called for an unlinked row that has a backend, to give back
 *	what the row holds of it (l4lb_backend_conn_release())
 * @reclaimable: may a row give its SNAT port up to a new connection when
 *	every port probed is taken (l4lb_conn_reclaimable())? Called under
 *	RCU, locklessly, and again under conn->lock; NULL: never. Set by the
 *	table's owner before the table is used.
 * @expired: called with @owner for each row the expiry unlinked, under
 *	RCU from the expiry worker (process context, must not sleep); may be
 *	NULL. Set with @owner before the expiry starts.
 * @owner: passed to @expired
 * @mark: two bitmaps with a bit per bucket, for the expiry: a bucket is
 *	marked when a row in it has a packet and is then due to expire
 *	within L4LB_GC_SHORT (l4lb_conn_mark())
 * @mark_cur: index of the bitmap that marks go to now
 * @gc: the expiry's position and pace
 * @memcg: the memory cgroup rows are charged to: that of the task that
 *	allocated the table, with a reference; NULL without memory cgroups
 * @locks: striped writer locks
 *
 * @count and @half_open, which every new row writes, and @gc, which the
 * GC worker writes, each start a cache line of their own, so that the
 * fields a lookup reads stay shared clean between CPUs.
 */
struct l4lb_conn_table {
	struct hlist_head *buckets;
	unsigned int bits;
	u32 seed;
	unsigned int max;
	unsigned int half_open_max;
	void (*release)(struct l4lb_conn *conn);
	bool (*reclaimable)(const struct l4lb_conn *conn);
	void (*expired)(void *owner, struct l4lb_conn *conn);
	void *owner;
	unsigned long *mark[2];
	unsigned int mark_cur;
	struct mem_cgroup *memcg;
	/* Written by every new row, on any CPU: kept off the line of
	 * @buckets, @bits and @seed, which every lookup reads.
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	atomic_t half_open;
	/* Written by the GC worker every tick. */
	struct l4lb_conn_gc_state gc ____cacheline_aligned_in_smp;
	spinlock_t locks[L4LB_CONN_LOCKS] ____cacheline_aligned_in_smp;
};

/**
 * struct l4lb_conn_iter - a position in a walk over every row
 * @bucket: the bucket being walked
 * @idx: rows of @bucket already returned
 * @th: the row returned last, to continue from under the same RCU read
 *	section; NULL after l4lb_conn_iter_pause()
 */
struct l4lb_conn_iter {
	unsigned int bucket;
	unsigned int idx;
	struct l4lb_tuple_hash *th;
};

/**
 * struct l4lb_port_range - the SNAT ports a row may take
 * @lo: first port of each part, host byte order
 * @hi: last port of each part, host byte order; a part with @hi < @lo is
 *	empty
 *
 * Two parts, so that the ports below and above a hole (the local
 * ephemeral range) form one range. Its ports are numbered in order, the
 * first part's before the second's, and the numbering wraps around.
 */
struct l4lb_port_range {
	u16 lo[2];
	u16 hi[2];
};

/** L4LB_SNAT_ADDRS_MAX - most addresses in a SNAT pool */
#define L4LB_SNAT_ADDRS_MAX 64

/**
 * struct l4lb_snat_space - the SNAT addresses and ports a new row may take
 * @addrs: the addresses, of the row's family, network byte order; @naddr
 *	of them
 * @naddr: 1 to L4LB_SNAT_ADDRS_MAX
 * @ports: the ports of each address
 */
struct l4lb_snat_space {
	const union nf_inet_addr *addrs;
	unsigned int naddr;
	struct l4lb_port_range ports;
};

/**
 * struct l4lb_conn_miss - where a lookup of a new row's tuple looked
 * @h: the bucket of the tuple
 * @first: the bucket's first node when the lookup began (NULL if empty)
 *
 * Filled by l4lb_conn_find_miss(); l4lb_conn_insert_range() skips walking
 * bucket @h again while its first node is still @first. Rows are only
 * added at a bucket's head and never moved, and a node seen under RCU is
 * not freed and reused before rcu_read_unlock(), so an unchanged head
 * means no row was added there since. Valid only within the RCU read-side
 * section of the lookup, and only for the tuple looked up.
 */
struct l4lb_conn_miss {
	u32 h;
	const struct hlist_node *first;
};

/**
 * l4lb_conn_af() - the address family of a row
 * @conn: the row
 *
 * Context: any; fixed before the row is hashed.
 * Return: AF_INET or AF_INET6.
 */
static inline u8 l4lb_conn_af(const struct l4lb_conn *conn)
{
	return conn->th[L4LB_DIR_ORIG].tuple.v6 ? AF_INET6 : AF_INET;
}

/**
 * l4lb_conn_addrs() - the addresses of one tuple of a row, of either family
 * @conn: the row
 * @dir: which tuple
 * @saddr: out, its source address (.ip of an AF_INET row, the rest zero)
 * @daddr: out, its destination address
 *
 * Context: any; RCU read side or ownership of @conn.
 */
static inline void l4lb_conn_addrs(const struct l4lb_conn *conn,
				   enum l4lb_dir dir, union nf_inet_addr *saddr,
				   union nf_inet_addr *daddr)
{
	const struct l4lb_tuple *t = &conn->th[dir].tuple;

	if (t->v6) {
		const struct l4lb_conn6 *c6;

		c6 = container_of(conn, struct l4lb_conn6, conn);
		saddr->in6 = c6->addr[dir][0];
		daddr->in6 = c6->addr[dir][1];
		return;
	}
	*saddr = (union nf_inet_addr) { .ip = t->saddr };
	*daddr = (union nf_inet_addr) { .ip = t->daddr };
}

static inline struct l4lb_conn *l4lb_tuplehash_to_conn(const struct l4lb_tuple_hash *th)
{
	return container_of(th, struct l4lb_conn, th[th->tuple.dir]);
}

/**
 * l4lb_conn_client_port() - the client port of a row, as users see it
 * @conn: the row
 *
 * A persistence template keeps its service's protocol where a row keeps
 * the client port (see l4lb_core.c); it has no client port to show.
 *
 * Context: any.
 * Return: the port, network byte order; 0 for a template.
 */
static inline __be16 l4lb_conn_client_port(const struct l4lb_conn *conn)
{
	return conn->flags & L4LB_CONN_F_TEMPLATE ? 0 :
	       conn->th[L4LB_DIR_ORIG].tuple.sport;
}

int l4lb_conn_cache_init(void);
void l4lb_conn_cache_exit(void);

struct l4lb_conn_table *l4lb_conn_table_alloc(unsigned int bits,
					      unsigned int max,
					      unsigned int half_open_max,
					      void (*release)(struct l4lb_conn *));
bool l4lb_conn_half_open_get(struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn);
void l4lb_conn_half_open_put(struct l4lb_conn_table *tab,
			     struct l4lb_conn *conn);
void l4lb_conn_table_free(struct l4lb_conn_table *tab);

struct l4lb_conn *l4lb_conn_alloc(struct l4lb_conn_table *tab, gfp_t gfp);
struct l4lb_conn *l4lb_conn_alloc_ca(struct l4lb_conn_table *tab, gfp_t gfp);
struct l4lb_conn *l4lb_conn_alloc6(struct l4lb_conn_table *tab, gfp_t gfp,
				   bool ca);
void l4lb_conn_free_unhashed(struct l4lb_conn_table *tab, struct l4lb_conn *conn);

struct l4lb_tuple_hash *l4lb_conn_find(struct l4lb_conn_table *tab,
				       const struct l4lb_tuple *t,
				       const struct in6_addr *a6);
struct l4lb_tuple_hash *l4lb_conn_find_miss(struct l4lb_conn_table *tab,
					    const struct l4lb_tuple *t,
					    const struct in6_addr *a6,
					    struct l4lb_conn_miss *miss);
void l4lb_conn_mark(struct l4lb_conn_table *tab,
		    const struct l4lb_tuple_hash *th, unsigned long now);
void l4lb_port_range_outside(struct l4lb_port_range *ports, int local_lo,
			     int local_hi);
int l4lb_conn_insert_range(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
			   const struct l4lb_snat_space *sp, atomic_t *cursor,
			   const struct l4lb_conn_miss *miss,
			   struct l4lb_tuple_hash **old);
int l4lb_conn_insert(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
		     u16 port_lo, u16 port_hi, struct l4lb_tuple_hash **old);
bool l4lb_conn_unlink(struct l4lb_conn_table *tab, struct l4lb_conn *conn);
bool l4lb_conn_unlink_if(struct l4lb_conn_table *tab, struct l4lb_conn *conn,
			 bool (*pred)(const struct l4lb_conn *conn));

unsigned int l4lb_conn_sweep(struct l4lb_conn_table *tab, unsigned int b,
			     bool both,
			     bool (*match)(const struct l4lb_conn *conn,
					   const void *arg),
			     const void *arg,
			     void (*gone)(void *owner, struct l4lb_conn *conn));

/**
 * l4lb_conn_iter_init() - start a walk at the first row
 * @it: the position
 */
static inline void l4lb_conn_iter_init(struct l4lb_conn_iter *it)
{
	*it = (struct l4lb_conn_iter) {};
}

/**
 * l4lb_conn_iter_pause() - leave the RCU read section between two steps
 * @it: the position; the next step finds its place again by counting
 */
static inline void l4lb_conn_iter_pause(struct l4lb_conn_iter *it)
{
	it->th = NULL;
}

struct l4lb_conn *l4lb_conn_iter_next(struct l4lb_conn_table *tab,
				      struct l4lb_conn_iter *it);
unsigned int l4lb_conn_flush(struct l4lb_conn_table *tab,
			     const struct l4lb_backend *backend);
unsigned int l4lb_conn_flush_if(struct l4lb_conn_table *tab,
				bool (*match)(const struct l4lb_conn *conn,
					      const void *arg),
				const void *arg);

/**
 * l4lb_conn_count() - current number of rows in @tab
 * @tab: the table
 *
 * Context: any.
 * Return: the table length.
 */
static inline unsigned int l4lb_conn_count(const struct l4lb_conn_table *tab)
{
	return atomic_read(&tab->count);
}

#endif /* _L4LB_CONN_H */
