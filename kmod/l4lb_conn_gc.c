// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: expiry of idle NAT table rows.
 *
 * The GC worker calls l4lb_conn_gc_tick() every few hundred milliseconds.
 * Two passes run in it, each at its own pace, worked out from the time
 * since the last tick:
 *
 *  - The full pass looks at every bucket once per tab->gc.period. That is a
 *    quarter of the shortest row timeout the service uses that is longer
 *    than L4LB_GC_SHORT, within 1-30 s, over every service of the table
 *    (l4lb_conn_gc_period()): with the default timeouts, 15 s for a TCP
 *    service (timeout_syn's 60 s) and 7.5 s for a UDP one
 *    (timeout_udp_unreplied's 30 s).
 *  - The marked pass looks at the marked buckets once per L4LB_GC_MARKED
 *    (1 s). A bucket is marked when a row in it has a packet (a new
 *    row's first one included) and is then due to expire within
 *    L4LB_GC_SHORT (l4lb_conn_mark()): a closing row, say. A mark lasts from
 *    L4LB_GC_RECENT to twice that: marks go into one of two bitmaps, and
 *    every L4LB_GC_RECENT the older bitmap is cleared and takes the new
 *    marks. It runs only when the full pass is slower than 2 s.
 *
 * A row's expiry time changes only on a packet of it, and that packet marks
 * one of the row's two buckets if the new time is at most L4LB_GC_SHORT
 * away; the marked pass looks at the rows of a marked bucket in both
 * directions. A row with a timeout of at most
 * L4LB_GC_SHORT is therefore still in a marked bucket when it expires, and
 * goes within about a second: a closed or reset row's linger
 * (timeout_tcp_close, 3 s), or any timeout a test sets to a few seconds.
 * L4LB_GC_SHORT must stay below L4LB_GC_RECENT. Any other row goes within
 * the full pass's period of its expiry: at most a quarter of its timeout
 * late, and at most 30 s. The full pass skips the buckets marked
 * in the current bitmap, which the marked pass will see for L4LB_GC_RECENT
 * more. Only the buckets of short-lived rows cost one look per second;
 * every other row, busy or idle, is looked at once per gc.period. (Marking
 * on every packet made a table of busy long-lived rows, or a stream of new
 * ones, cost a look per row and direction every second.)
 */
#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/sched.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_conn.h"
#include "l4lb_conn_gc.h"

#define L4LB_GC_MARKED		HZ
#define L4LB_GC_RECENT		(12 * HZ)
#define L4LB_GC_PERIOD_MIN	HZ
#define L4LB_GC_PERIOD_MAX	(30 * HZ)

static bool l4lb_conn_expired(const struct l4lb_conn *conn, const void *now)
{
	return time_after_eq(*(const unsigned long *)now,
			     READ_ONCE(conn->expires));
}

/* The full pass over @nbuckets buckets from tab->gc.next, skipping the
 * buckets marked in the current bitmap if @skip_marked.
 */
static unsigned int l4lb_conn_gc_full(struct l4lb_conn_table *tab,
				      unsigned int nbuckets, unsigned long now,
				      bool skip_marked)
{
	const unsigned long *cur = tab->mark[tab->mark_cur & 1];
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0, i, b;

	nbuckets = min(nbuckets, size);
	for (i = 0; i < nbuckets; i++) {
		b = tab->gc.next;
		tab->gc.next = (b + 1) & (size - 1);
		if (skip_marked && test_bit(b, cur))
			continue;
		removed += l4lb_conn_sweep(tab, b, false, l4lb_conn_expired,
					   &now, tab->expired);
		if ((i & 255) == 255)
			cond_resched();
	}
	return removed;
}

/* The marked pass over @nbuckets buckets from tab->gc.mark_next: the rows
 * of the buckets marked in either bitmap, in both directions.
 */
static unsigned int l4lb_conn_gc_marked(struct l4lb_conn_table *tab,
					unsigned int nbuckets,
					unsigned long now)
{
	const unsigned long *m0 = tab->mark[0], *m1 = tab->mark[1];
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0, swept = 0;
	unsigned int b = tab->gc.mark_next;

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
						   l4lb_conn_expired, &now,
						   tab->expired);
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
	tab->gc.mark_next = b;
	return removed;
}

#if IS_ENABLED(CONFIG_L4LB_KUNIT_TEST)
/**
 * l4lb_conn_gc() - expire idle rows in the next slice of buckets, for KUnit
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
#endif

/* Can rows of a service of @proto, with @timeout, be in @state? */
static bool l4lb_state_in_use(unsigned int state,
			      const unsigned long *timeout, u8 proto)
{
	switch (state) {
	case L4LB_CONN_PERSIST:
		return timeout[state];
	case L4LB_CONN_UDP:
	case L4LB_CONN_UDP_UNREPLIED:
		return proto != IPPROTO_TCP;
	default:	/* the TCP states */
		return proto != IPPROTO_UDP;
	}
}

#if IS_ENABLED(CONFIG_L4LB_KUNIT_TEST)
/**
 * l4lb_conn_gc_timeouts() - set the expiry's pace from one service's
 *	timeouts, for KUnit
 * @tab: the table
 * @timeout: the idle timeout of a row in each enum l4lb_conn_state, in
 *	jiffies, as struct l4lb_service's; timeout[L4LB_CONN_PERSIST] is 0
 *	when there are no persistence templates
 * @proto: IPPROTO_TCP or IPPROTO_UDP, the service's protocol: the states
 *	of the other one are not in use
 *
 * The full pass over every bucket then takes a quarter of the shortest
 * timeout in use that is longer than L4LB_GC_SHORT (10 s), within 1-30 s;
 * 30 s if there is none. Shorter timeouts are served by the marked pass
 * (see the top of l4lb_conn_gc.c). It applies from the next
 * l4lb_conn_gc_tick() on.
 *
 * Context: any; the caller serialises changes of @timeout (the GC worker
 * reads them under the services' lock).
 */
void l4lb_conn_gc_timeouts(struct l4lb_conn_table *tab,
			   const unsigned long *timeout, u8 proto)
{
	l4lb_conn_gc_set_period(tab, l4lb_conn_gc_period(timeout, proto));
}
#endif

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
	WRITE_ONCE(tab->gc.period, period);
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
 * new bitmap of marks (see the top of l4lb_conn_gc.c). The first call only
 * starts the clock. The GC worker calls it every few hundred milliseconds;
 * a call that comes late, as a deferrable worker's may, does more work.
 *
 * Context: process (the GC worker), one caller at a time; may sleep
 * between buckets.
 * Return: the number of rows removed.
 */
unsigned int l4lb_conn_gc_tick(struct l4lb_conn_table *tab, unsigned long now)
{
	unsigned long period = READ_ONCE(tab->gc.period);
	bool marked = period >= 2 * L4LB_GC_MARKED;
	unsigned int size = 1U << tab->bits;
	unsigned int removed = 0;
	unsigned long elapsed;

	BUILD_BUG_ON(L4LB_GC_SHORT >= L4LB_GC_RECENT);
	if (!tab->gc.started) {
		tab->gc.started = true;
		tab->gc.last = now;
		tab->gc.mark_since = now;
		return 0;
	}
	elapsed = min(now - tab->gc.last, period);
	tab->gc.last = now;

	if (time_after_eq(now, tab->gc.mark_since + L4LB_GC_RECENT)) {
		unsigned int next = !(tab->mark_cur & 1);

		bitmap_zero(tab->mark[next], size);
		/* Marks that see the new index find the bitmap cleared. */
		smp_store_release(&tab->mark_cur, next);
		tab->gc.mark_since = now;
	}

	if (marked)
		removed += l4lb_conn_gc_marked(tab,
					       l4lb_gc_pace(&tab->gc.mark_carry,
							    size, elapsed,
							    L4LB_GC_MARKED),
					       now);
	removed += l4lb_conn_gc_full(tab,
				     l4lb_gc_pace(&tab->gc.full_carry, size,
						  elapsed, period),
				     now, marked);
	return removed;
}
