/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - how l4lbctl prints what the kernel sent: aligned tables or
 * "name value" lines for people, JSON (-j) for programs. Each object's
 * fields are described once, in a field table of output.c (print.h), which
 * gives both views: a table header, lowercased, is the JSON member name.
 *
 * Tables are streamed: rows are printed as dump messages arrive, and the
 * header (or the JSON "[") is printed just before the first row, or by the
 * matching *_end() call if there were no rows. Nothing is printed before
 * the kernel answered, so an error leaves stdout empty.
 */
#ifndef L4LBCTL_OUTPUT_H
#define L4LBCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt.h"
#include "msg.h"
#include "parse.h"
#include "print.h"

/**
 * struct out - an output stream in table or JSON form
 * @p: where and how to print
 * @started: the table header (or the first service block) or the JSON "["
 *	was printed
 * @group: the service (fmt_svc()) whose heading "list" printed last
 */
struct out {
	struct printer p;
	bool started;
	char group[SVC_STRLEN];
};

/**
 * out_init() - prepare an output stream
 * @o: output state
 * @f: destination (stdout, or a memstream in tests)
 * @json: JSON instead of text
 */
void out_init(struct out *o, FILE *f, bool json);

/**
 * out_backend() - print one row of "list"
 * @o: output
 * @be: the backend (decoded reply), with the key of its service
 *
 * Text: backends are grouped by service, in the kernel's order. Each time
 * the service changes, a group starts: a blank line (but before the
 * first), the line "service VIP:PORT/PROTO", and the column header.
 * Columns: BACKEND STATE WEIGHT PCT EFF ACTIVE INACTIVE TOTAL PKTS_IN
 * PKTS_OUT BYTES_IN BYTES_OUT. STATE is "draining" for a removed backend;
 * WEIGHT is the configured weight, PCT the percentage of it a load
 * feedback agent set, EFF the effective weight the schedulers use.
 *
 * JSON: one flat object per backend with the columns in that order
 * (lowercased; PCT and EFF are "weight_pct" and "weight_eff"), then its service's "vip" (string), "vport" (number) and
 * "proto" ("tcp" or "udp").
 */
void out_backend(struct out *o, const struct be_info *be);

/**
 * out_backends_end() - finish "list": the column header alone if there
 * were no rows, JSON "]" and newline
 * @o: output
 */
void out_backends_end(struct out *o);

/**
 * out_conn() - print one row of "nat"
 * @o: output
 * @c: the NAT row (decoded reply)
 *
 * Columns: PROTO CLIENT VIP LOCAL BACKEND STATE EXPIRES (seconds), in the
 * order and with the words of /proc/l4lb/nat (PROTO is "TCP" or "UDP").
 */
void out_conn(struct out *o, const struct conn_info *c);

/**
 * out_conns_end() - finish "nat": header if no rows, JSON "]" and newline
 * @o: output
 */
void out_conns_end(struct out *o);

/**
 * out_service() - print one service of "service"
 * @o: output
 * @svc: the service (decoded reply)
 *
 * Text: a block, separated from the one before by a blank line: the line
 * "service VIP:PORT/PROTO", then one "name value" line per attribute the
 * kernel sent (vip, port, proto, scheduler, snat, snat_usage, snat_fail,
 * timeout_tcp, timeout_tcpfin, timeout_tcpclose, timeout_udp,
 * timeout_udpunreplied, timeout_syn, persistence, client_addr, peers,
 * conn_max). snat is the pool as "service set snat" takes it: "auto", or
 * ranges and addresses ("10.0.1.250-10.0.1.253,10.0.2.9"); snat_usage is
 * "ADDR=N ..." (the service's rows per SNAT address) or "none"; peers is
 * "A,B,..." or "none", as "service set peers" takes it.
 * JSON: one element of an array, an object with the same names (without
 * the "service" heading); snat_usage is an array of {"address",
 * "ports_in_use"} objects, "snat_pool" (JSON only) the pool's addresses
 * and "peers" the peers' addresses, arrays of strings ([] for none).
 */
void out_service(struct out *o, const struct svc_info *svc);

/**
 * out_services_end() - finish "service": JSON "]" (or "[]" if there were
 * no services) and newline; nothing in text
 * @o: output
 */
void out_services_end(struct out *o);

/**
 * out_stats() - print every counter the kernel sent as "name value" lines
 * (the attribute's name without its prefix, lowercased: "conns",
 * "drop_no_route", ...), or one JSON object with the same names
 * @o: output
 * @st: the counters (decoded reply)
 */
void out_stats(struct out *o, const struct stats_info *st);

/**
 * out_count() - print the NAT table length: "N" or {"conns":N}
 * @o: output
 * @conns: number of rows
 */
void out_count(struct out *o, uint64_t conns);

/**
 * out_event() - print one event of "monitor" as one line
 * @o: output
 * @ev: the event (decoded notification)
 *
 * Text: the event's word (event_name()), then what it names:
 *  - a backend: its service "VIP:PORT/PROTO", "IP:PORT", then "state S
 *    weight W weight_pct P weight_eff E active A inactive I total T"
 *    (state "draining" for a removed backend);
 *  - a service: "VIP:PORT/PROTO", then, for the service events, its
 *    settings as "name value" pairs with the names of "service" (scheduler,
 *    snat, timeout_*, persistence, client_addr, peers);
 *  - counters: "name value" pairs with the names of "stats".
 * "flush" without a service flushed every row.
 * JSON: one object, "event" then the members "list -j" gives a backend,
 * or those "service -j" gives a service, then the counters as "stats -j"
 * names them.
 */
void out_event(struct out *o, const struct event_info *ev);

/**
 * out_event_word() - print an event of "monitor" that is a word alone
 * @o: output
 * @word: the event, e.g. "module-gone"
 *
 * Text: "WORD"; JSON: {"event":"WORD"}. Each one line.
 */
void out_event_word(struct out *o, const char *word);

#endif /* L4LBCTL_OUTPUT_H */
