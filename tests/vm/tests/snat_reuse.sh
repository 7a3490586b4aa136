#!/bin/sh
# snat_reuse: sustained short connections over a deliberately small SNAT
# port budget, with the default timeouts (issue #14).
#
# The balancer keeps 8 SNAT ports per backend (ip_local_port_range
# 1032-65535 leaves 1024-1031). 600 sequential short connections, 200 per
# backend, each holding its port for its linger: far more than 8 per
# backend, so ports must come back as soon as their tuple is safe to reuse.
# The cursor comes back to a port after 24 connections, well within the
# 3 s a closed row lingers even on a slow VM (with 30 ports, a run below
# 30 connections a second saw every closed row expire before its port was
# wanted, and nothing to reclaim):
#   - the server closes first (cycle reads until the server's FIN): the
#     backend holds TIME_WAIT on the tuple, so the balancer resets it
#     before reusing the port (resets_sent);
#   - the client closes first (cycle -c, a server that waits for the
#     client's FIN): the backend holds nothing. Before it, the first
#     round's rows expire, and the expiry resets the backends' TIME_WAIT
#     on their tuples, so the second round can reuse those ports at once.
# Both rounds: every connection answered, none taking 1 s or more, and the
# ports reused from closed rows (reclaim_closed), none refused.
. /vm/lib/common.sh
plan 14
require_l4lbctl

N=600

stat() { l4lbctl -j stats | jq -r ".$1"; }

# round NAME CYCLE_ARGS: N connections; checks all answered and none slow.
round() {
	_r=$1
	shift
	_drops=$(stat drop_no_snat_port)
	n cli timeout 600 cycle -t 5000 "$@" "$VIP" "$VPORT" "$N" \
		>"/tmp/sr.$_r" 2>&1
	_done=$(awk '$1 == "done"' "/tmp/sr.$_r")
	diag "$_r: $_done"
	awk '$1 == "conn" && $5 == "-"' "/tmp/sr.$_r" | head -5 | sed 's/^/# /'
	expect_eq "$_r: all $N connections answered" "$N" \
		"$(echo "$_done" | awk '{ print $4 }')"
	check "$_r: none took 1 s or more (max $(echo "$_done" | awk '{ print $6 }') ms)" \
		[ "$(echo "$_done" | awk '{ print $6 }')" -lt 1000 ]
	expect_eq "$_r: no new connection was refused for want of a port" \
		"$_drops" "$(stat drop_no_snat_port)"
}

step "topology, 8 SNAT ports per backend"
topo_up || die "topology up"
kmsg_mark "snat_reuse"
lb_port_range 1032 65535
load_l4lb "vip=$VIP" "port=$VPORT" "backends=$BACKENDS" || die "insmod"
ok "l4lb up with default timeouts"

step "the server closes first"
serve_fork sr 'echo $BE'
reclaimed=$(stat reclaim_closed)
resets=$(stat resets_sent)
round server_first
check "closed rows gave their ports up ($(stat reclaim_closed))" \
	[ "$(stat reclaim_closed)" -gt "$reclaimed" ]
check "the backends' TIME_WAIT was reset ($(stat resets_sent))" \
	[ "$(stat resets_sent)" -gt "$resets" ]
bg_kill_all

step "the rows of the first round expire"
# Their ports come back free, but the backends still hold TIME_WAIT on
# the last 8 tuples of each: the expiry resets them as reclaim does. On a
# slow VM some expire before this step starts, so count from the start
# of the round: every reclaim sent one reset, and expiry the rest.
wait_for 20 '[ "$(nat_len)" = 0 ]' || diag "rows left: $(nat_len)"
by_reclaim=$(($(stat reclaim_closed) - reclaimed))
by_expiry=$(($(stat resets_sent) - resets - by_reclaim))
check "expiry reset the backends' TIME_WAIT ($by_expiry, beside $by_reclaim by reclaim)" \
	[ "$by_expiry" -gt 0 ]

step "the client closes first"
serve_fork sr2 'echo $BE; cat >/dev/null'
reclaimed=$(stat reclaim_closed)
resets=$(stat resets_sent)
round client_first -c
check "closed rows gave their ports up ($(stat reclaim_closed))" \
	[ "$(stat reclaim_closed)" -gt "$reclaimed" ]
expect_eq "no reset was needed: the backends hold nothing" \
	"$resets" "$(stat resets_sent)"
bg_kill_all

lb_port_range_restore
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "snat_reuse"
