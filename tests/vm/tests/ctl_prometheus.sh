#!/bin/sh
# ctl_prometheus: `l4lbctl stats --prometheus` says what the JSON says.
#
# The reference service (10.0.0.1:20000/tcp, rr, over be1, be2, be3) with
# be2 at weight 3 and weight-pct 50 and be3 down, and a UDP service on the
# same VIP:port over be1:10100 (udpecho), so that labels must tell two
# services and two backends on one address apart. Traffic: 12 TCP
# connections held open and idle (conns -w), and one UDP datagram,
# answered. The counters then stay still, and:
#   - the metrics show it: 12 active connections in all, be2's weight
#     ratio 0.5, be3 down, the UDP backend a packet each way;
#   - every l4lb_backend_* sample is what `l4lbctl -j list` says of that
#     backend (state one-hot, weight, weight-pct / 100, effective weight,
#     connections, packets and bytes), every l4lb_service_* sample what
#     `-j service` says (scheduler, SNAT ports in use, SNAT failures), and
#     the other samples what `-j stats` says, computed here with jq from
#     the JSON and compared line by line;
#   - every sample follows its family's HELP and TYPE lines, counters and
#     only they end in _total; and `promtool check metrics` passes, where
#     run.sh put promtool (Debian's prometheus) in the image;
#   - `stats --prometheus -o FILE` writes the same text into FILE, mode
#     0644, leaving nothing else in its directory.
# After the connections close, every backend has 0 active connections.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 14
require_l4lbctl

K=12
TCP=$VIP:$VPORT/tcp
UDP=$VIP:$VPORT/udp
UBE=10.0.1.1:10100
PROM=/tmp/prom.txt

# _be_want: the l4lb_backend_* samples `l4lbctl -j list` implies, sorted.
_be_want() {
	l4lbctl -j list | jq -r '.[] |
		"{vip=\"\(.vip)\",port=\"\(.vport)\",proto=\"\(.proto)\",backend=\"\(.backend)\"" as $l |
		(["up", "down", "drain", "draining"][] as $s |
			"l4lb_backend_state\($l),state=\"\($s)\"} \(if .state == $s then 1 else 0 end)"),
		"l4lb_backend_weight\($l)} \(.weight)",
		"l4lb_backend_weight_ratio\($l)} \(.weight_pct / 100)",
		"l4lb_backend_weight_effective\($l)} \(.weight_eff)",
		"l4lb_backend_connections_active\($l)} \(.active)",
		"l4lb_backend_connections_inactive\($l)} \(.inactive)",
		"l4lb_backend_connections_total\($l)} \(.total)",
		"l4lb_backend_incoming_packets_total\($l)} \(.pkts_in)",
		"l4lb_backend_outgoing_packets_total\($l)} \(.pkts_out)",
		"l4lb_backend_incoming_bytes_total\($l)} \(.bytes_in)",
		"l4lb_backend_outgoing_bytes_total\($l)} \(.bytes_out)"' | sort
}

# _svc_want: the l4lb_service_* samples `l4lbctl -j service` implies,
# sorted (the scheduler escaped as a label value).
_svc_want() {
	l4lbctl -j service | jq -r 'def esc: gsub("\\\\"; "\\\\") | gsub("\""; "\\\"");
		.[] | "vip=\"\(.vip)\",port=\"\(.port)\",proto=\"\(.proto)\"" as $k |
		"l4lb_service_info{\($k),scheduler=\"\(.scheduler | esc)\"} 1",
		(.snat_usage[]? |
			"l4lb_service_snat_ports_in_use{\($k),address=\"\(.address)\"} \(.ports_in_use)"),
		"l4lb_service_snat_failures_total{\($k)} \(.snat_fail)"' | sort
}

# _stats_want: the global samples `l4lbctl -j stats` implies, sorted; a
# counter without a metric here comes out as "unmapped NAME". The expiry
# worker's counters move on their own: _gc checks them.
_stats_want() {
	l4lbctl -j stats | jq -r 'del(.gc_runs, .gc_nsecs) | {
		conns: "l4lb_nat_entries",
		conn_max: "l4lb_nat_entries_limit",
		half_open: "l4lb_nat_half_open_entries",
		conns_created: "l4lb_nat_entries_created_total",
		drop_no_backend: "l4lb_drops_total{reason=\"no_backend\"}",
		drop_table_full: "l4lb_drops_total{reason=\"table_full\"}",
		drop_no_snat_port: "l4lb_drops_total{reason=\"no_snat_port\"}",
		drop_syn_limit: "l4lb_drops_total{reason=\"syn_limit\"}",
		drop_no_memory: "l4lb_drops_total{reason=\"no_memory\"}",
		drop_no_route: "l4lb_drops_total{reason=\"no_route\"}",
		drop_malformed: "l4lb_drops_total{reason=\"malformed\"}",
		drop_mtu: "l4lb_drops_total{reason=\"mtu\"}",
		stray: "l4lb_stray_packets_total",
		fragments: "l4lb_fragments_total",
		icmp_translated: "l4lb_icmp_translated_total",
		rst_ignored: "l4lb_rst_ignored_total",
		reclaim_unconfirmed: "l4lb_snat_reclaims_total{state=\"unconfirmed\"}",
		reclaim_closed: "l4lb_snat_reclaims_total{state=\"closed\"}",
		resets_sent: "l4lb_resets_sent_total",
		toa_no_room: "l4lb_toa_no_room_total",
		proxy_syn_data: "l4lb_proxy_syn_data_dropped_total",
		peer_sent: "l4lb_peer_sent_total",
		peer_miss: "l4lb_peer_miss_dropped_total"
	} as $m | to_entries[] |
		if $m[.key] then "\($m[.key]) \(.value)" else "unmapped \(.key)" end' | sort
}

# _gc: the expiry worker's samples of $PROM are numbers (runs an integer
# >= 1, seconds a decimal), no larger than what -j stats says after them.
_gc() {
	_r=$(_got '^l4lb_gc_runs_total ' | awk '{ print $2 }')
	_s=$(_got '^l4lb_gc_seconds_total ' | awk '{ print $2 }')
	l4lbctl -j stats | jq -r '"\(.gc_runs) \(.gc_nsecs)"' >/tmp/gc.json
	read -r _jr _jn </tmp/gc.json
	diag "l4lb_gc_runs_total $_r, l4lb_gc_seconds_total $_s; then -j stats: gc_runs $_jr gc_nsecs $_jn"
	echo "$_r" | grep -qE '^[1-9][0-9]*$' &&
		echo "$_s" | grep -qE '^[0-9]+(\.[0-9]*[1-9])?$' &&
		awk -v r="$_r" -v s="$_s" -v jr="$_jr" -v jn="$_jn" \
			'BEGIN { exit !(r <= jr && s * 1e9 <= jn + 1000 && s > 0) }'
}

# _got [-v] PATTERN: the samples of $PROM that match PATTERN (with -v:
# that do not), sorted.
_got() {
	grep -v '^#' "$PROM" | grep -E "$@" | sort
}

# _active [FILE]: the sum of l4lb_backend_connections_active in FILE
# (default: a fresh reading).
_active() {
	if [ -n "${1:-}" ]; then cat "$1"; else l4lbctl stats --prometheus; fi |
		awk '/^l4lb_backend_connections_active\{/ { n += $2 } END { print n + 0 }'
}

# _same DESC WANT GOT: ok if equal, else both as diagnostics.
_same() {
	if [ "$2" = "$3" ] && [ -n "$2" ]; then
		ok "$1"
	else
		echo "$2" >/tmp/prom.want
		echo "$3" >/tmp/prom.got
		fail "$1"
		diag_file /tmp/prom.want 60
		diag_file /tmp/prom.got 60
	fi
}

# _well_formed FILE: every sample follows a HELP and a TYPE line of its
# name, no family comes twice, counters and only they end in _total.
_well_formed() {
	awk '
	/^# HELP / { if (seen[$3]++) { print "twice: " $3; bad = 1 } help = $3; next }
	/^# TYPE / {
		if ($3 != help) { print "TYPE without HELP: " $3; bad = 1 }
		fam = $3
		if (($4 == "counter") != ($3 ~ /_total$/)) { print "bad name for a " $4 ": " $3; bad = 1 }
		next
	}
	{
		name = $1; sub(/\{.*/, "", name)
		if (name != fam) { print "sample out of its family: " $0; bad = 1 }
		if (name !~ /^l4lb_[a-z_]+$/) { print "bad name: " name; bad = 1 }
	}
	END { exit bad }' "$1"
}

# _snapshot: $PROM, with `-j list` taken before and after it the same
# (nothing moved meanwhile); up to 5 tries.
_snapshot() {
	for _t in 1 2 3 4 5; do
		_a=$(l4lbctl -j list)
		l4lbctl stats --prometheus >"$PROM" || return 1
		[ "$_a" = "$(l4lbctl -j list)" ] && return 0
		sleep 1
	done
	return 1
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_prometheus"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"

step "settings"
if l4lbctl backend set "$BE2" weight 3 weight-pct 50 service "$TCP" &&
	l4lbctl backend set "$BE3" down service "$TCP" &&
	l4lbctl service set vip "$VIP" port "$VPORT" proto udp &&
	l4lbctl backend add "$UBE" service "$UDP"; then
	ok "be2 weight 3 weight-pct 50, be3 down, a UDP service over $UBE"
else
	die "be2 weight 3 weight-pct 50, be3 down, a UDP service over $UBE"
fi

step "traffic"
greet_all
serve_ready || diag "greetd not ready"
bg /tmp/udpecho.log be1 udpecho 10100 u-be1
wait_for 10 'listens be1 udp 10100' || diag "udpecho not listening"
bg_held conns /tmp/conns.out cli conns -w -t 60 "$VIP" "$VPORT" "$K"
wait_for 70 'grep -q "^holding" /tmp/conns.out'
echo ping | n cli socat -t 2 - "UDP4:$VIP:$VPORT" >/tmp/udp.out 2>&1
if grep -q "^answered $K of $K\$" /tmp/conns.out && grep -q '^u-be1' /tmp/udp.out &&
	wait_nat_len $((K + 1)) 10; then
	ok "$K TCP connections open and answered, a UDP datagram answered"
else
	fail "$K TCP connections open and answered, a UDP datagram answered" \
		"nat_len: $(nat_len)"
	diag_file /tmp/conns.out 5
	diag_file /tmp/udp.out 5
fi

step "read"
_snapshot || diag "the counters kept moving"
diag "$(grep -vc '^#' "$PROM") samples"
_act=$(_active "$PROM")
_be2=$(grep -F "l4lb_backend_weight_ratio{vip=\"$VIP\",port=\"$VPORT\",proto=\"tcp\",backend=\"$BE2\"}" "$PROM" | awk '{ print $2 }')
_be3=$(grep -F "l4lb_backend_state{vip=\"$VIP\",port=\"$VPORT\",proto=\"tcp\",backend=\"$BE3\",state=\"down\"}" "$PROM" | awk '{ print $2 }')
_udp=$(grep -E "^l4lb_backend_(incoming|outgoing)_packets_total\{vip=\"$VIP\",port=\"$VPORT\",proto=\"udp\",backend=\"$UBE\"\}" "$PROM" |
	awk '{ print $2 }' | xargs)
expect_eq "metrics: $K active in all, be2 ratio 0.5, be3 down, UDP backend 1 packet each way" \
	"$K 0.5 1 1 1" "$_act $_be2 $_be3 $_udp"

_same "every l4lb_backend_* sample is what -j list says" \
	"$(_be_want)" "$(_got '^l4lb_backend_')"
_same "every l4lb_service_* sample is what -j service says" \
	"$(_svc_want)" "$(_got '^l4lb_service_')"
_same "the other samples are what -j stats says" \
	"$(_stats_want)" "$(_got -v '^l4lb_(backend|service|gc)_')"
check "the expiry worker's runs and seconds, as -j stats counts them" _gc

step "format"
if _well_formed "$PROM" >/tmp/prom.bad; then
	ok "families whole, HELP and TYPE first, _total on counters only"
else
	fail "families whole, HELP and TYPE first, _total on counters only"
	diag_file /tmp/prom.bad 20
fi
if command -v promtool >/dev/null 2>&1; then
	check "promtool check metrics passes, with nothing to say" \
		sh -c "promtool check metrics <$PROM >/tmp/promtool.out 2>&1 && ! [ -s /tmp/promtool.out ] || { cat /tmp/promtool.out; exit 1; }"
else
	skip "promtool check metrics" "promtool not in the image (run.sh adds /usr/bin/promtool, Debian's prometheus, when the host has it)"
fi

step "-o FILE"
mkdir -p /tmp/node-exporter
rm -f /tmp/node-exporter/*
# (Without the expiry worker's samples: they move on their own.)
l4lbctl stats --prometheus | grep -v '^l4lb_gc_' >/tmp/prom2.txt
if l4lbctl stats --prometheus -o /tmp/node-exporter/l4lb.prom 2>/tmp/prom.err &&
	! [ -s /tmp/prom.err ] &&
	grep -v '^l4lb_gc_' /tmp/node-exporter/l4lb.prom | cmp -s /tmp/prom2.txt - &&
	[ "$(ls -A /tmp/node-exporter)" = l4lb.prom ] &&
	[ "$(stat -c %a /tmp/node-exporter/l4lb.prom)" = 644 ]; then
	ok "-o FILE: the same text, mode 0644, nothing else beside it"
else
	fail "-o FILE: the same text, mode 0644, nothing else beside it" \
		"dir: $(ls -lA /tmp/node-exporter)" "stderr: $(cat /tmp/prom.err)"
fi

step "close"
release conns 30 >/dev/null
wait_for 30 '[ "$(_active)" = 0 ]'
expect_eq "after closing: 0 active connections in all" 0 "$(_active)"

topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_prometheus"
