#!/bin/sh
# v6_sched: every scheduler over IPv6, with real TCP connections (issue
# #18: "Every scheduler works for v6, and Maglev hashes v6 tuples").
#
# lib/v6.sh's topology; l4lb is loaded without a service (mh_seed=2718),
# and l4lbctl makes [2001:db8::1]:20000/tcp over be1..be3,
# [2001:db8:k::1]:1000(k-1), greetd -6 answering its name. The scheduler
# is switched at run time (`service set ... scheduler`), weights set with
# `backend set ... weight`, as the sched_* tests do for IPv4:
#   - rr: 30 connections go be1 be2 be3 in turn, 10 each; backend k sees
#     only lb's 2001:db8:k::fe as its peer (full NAT66);
#   - wrr 5:1:1: 14 connections interleave a a b a c a a twice (as
#     sched_wrr), and `-j list` totals add up;
#   - lc: six held connections, two per backend; the two on be2 closed, the
#     next two go to be2 (fewest active rows), as sched_lc;
#   - wlc 2:1:0: six held connections, be1 4, be2 2, be3 none, as
#     sched_wlc;
#   - mh: instance A, the service re-created with scheduler mh and be1 be2
#     be3 added in that order; the client's ip_local_port_range is
#     61000-61199 (outside the default range, so no earlier connection
#     holds one of them), and it opens 200 held connections: the tuples
#     [2001:db8::2]:61000-61199 -> [2001:db8::1]:20000. Each NAT row's
#     backend is the one that answered; every backend has at least 20%.
#     Instance B: the topology rebuilt (the client's ports free again),
#     the module reloaded with the same mh_seed, the backends added in the
#     order be3 be2 be1; the same 200 tuples go to the same backends
#     ("two balancers with the same seed agree for v6").
# rmmod with rows in the table; the kernel log stays clean.
. /vm/lib/common.sh
. /vm/lib/sched.sh
. /vm/lib/v6.sh
plan 25
require_l4lbctl

SEED=2718
K_RR=30
K_WRR=14
WRR_PATTERN="be1 be1 be2 be1 be3 be1 be1"
K_MH=200
MH_LO=61000
MH_HI=61199

# _repeat N TEXT: TEXT N times, space separated, on one line.
_repeat() {
	_rpt_i=0 _rpt_s=
	while [ "$_rpt_i" -lt "$1" ]; do
		_rpt_s="$_rpt_s $2"
		_rpt_i=$((_rpt_i + 1))
	done
	echo "${_rpt_s# }"
}

# _sched6 SCHED W1 W2 W3: the v6 service's scheduler SCHED (set first, as
# sched_wrr and sched_wlc do), then be1, be2, be3 weights W1 W2 W3. One
# assertion: `-j service` and `-j list` say so.
_sched6() {
	step "scheduler $1, weights $2 $3 $4"
	{
		pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp scheduler "$1" &&
			pp l4lbctl backend set "$BE6_1" weight "$2" service "$SVC6" &&
			pp l4lbctl backend set "$BE6_2" weight "$3" service "$SVC6" &&
			pp l4lbctl backend set "$BE6_3" weight "$4" service "$SVC6"
	} >/tmp/sched6.out 2>&1
	expect_eq "service scheduler $1, weights $2 $3 $4" "$1|$2 $3 $4" \
		"$(_sched_service_sched)|$(_sched_list weight)" ||
		diag_file /tmp/sched6.out
}

# _mh_svc BACKEND...: the v6 service with scheduler mh, and BACKENDs added
# in the order given.
_mh_svc() {
	pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp scheduler mh ||
		return 1
	for _ms_b in "$@"; do
		pp l4lbctl backend add "$_ms_b" service "$SVC6" || return 1
	done
}

# _sorted_backends: the backends of `-j list`, sorted, on one line.
_sorted_backends() {
	_sched_list backend | tr ' ' '\n' | sort | xargs
}

# _mh_round X: the client picks its ports from MH_LO-MH_HI and holds K_MH
# connections to the VIP (until `release mhX`). Results: /tmp/mhX.out
# (conns), /tmp/mhX.pa ("PORT ANSWER"), /tmp/mhX.nat ("PORT BACKEND" of
# each v6 row), both sorted by port.
_mh_round() {
	n cli sh -c "echo '$MH_LO $MH_HI' >/proc/sys/net/ipv4/ip_local_port_range"
	bg_held "mh$1" "/tmp/mh$1.out" cli conns -w -t 90 "$VIP6" "$VPORT" "$K_MH"
	wait_for 100 'grep -q "^answered" /tmp/mh'"$1"'.out'
	_sched_port_answer "/tmp/mh$1.out" >"/tmp/mh$1.pa"
	v6_wait_nat_len "$K_MH" 10 || diag "v6 rows: $(v6_nat_len), want $K_MH"
	v6_nat_rows | awk '{ p = $2; sub(/^.*\]:/, "", p); print p, $5 }' |
		v6_be_names | sort -n >"/tmp/mh$1.nat"
}

# _mh_checks X: two assertions on _mh_round X: all answered from the
# K_MH ports; the NAT rows are the answers.
_mh_checks() {
	expect_eq "$1: all $K_MH answered, from the $K_MH ports $MH_LO-$MH_HI" \
		"answered $K_MH of $K_MH|$K_MH $MH_LO $MH_HI" \
		"$(grep '^answered' "/tmp/mh$1.out")|$(awk 'NR == 1 { lo = $1 } { n++; hi = $1 }
			END { print n + 0, lo, hi }' "/tmp/mh$1.pa")"
	if cmp -s "/tmp/mh$1.pa" "/tmp/mh$1.nat"; then
		ok "$1: a v6 row per connection, each to the backend that answered"
	else
		fail "$1: a v6 row per connection, each to the backend that answered" \
			"$(wc -l <"/tmp/mh$1.pa") answers, $(wc -l <"/tmp/mh$1.nat") rows; first differences (-answer +row):"
		diff -u "/tmp/mh$1.pa" "/tmp/mh$1.nat" | grep '^[-+][0-9]' | head -n 10 | sed 's/^/#   /'
	fi
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_sched"
load_l4lb svc_max=4096 mh_seed=$SEED || die "l4lb up with mh_seed=$SEED"
v6_svc_up >/tmp/svc.out 2>&1 || { diag_file /tmp/svc.out; die "the v6 service and its three backends"; }
expect_eq "l4lb up (mh_seed $SEED); v6 service, rr over be1 be2 be3" \
	"$SEED|rr|$BE6_1 $BE6_2 $BE6_3" \
	"$(cat /sys/module/l4lb/parameters/mh_seed)|$(_sched_service_sched)|$(_sched_list backend)"
if v6_greet_all; then ok "greetd -6 answers be1, be2, be3"
else fail "greetd -6 answers be1, be2, be3"; diag_file /tmp/be1.log; fi

# ----------------------------------------------------------------- rr ----
step "rr: $K_RR connections"
n cli conns -t 60 "$VIP6" "$VPORT" "$K_RR" >/tmp/rr.out 2>&1
rr=$(_sched_answers /tmp/rr.out)
expect_eq "rr: all $K_RR answered, be1 10, be2 10, be3 10" \
	"answered $K_RR of $K_RR|be1 10 be2 10 be3 10" \
	"$(grep '^answered' /tmp/rr.out)|$(echo "$rr" | _sched_tally)"
expect_eq "rr: in turn, be1 be2 be3 ten times" "$(_repeat 10 "be1 be2 be3")" "$rr"
expect_eq "full NAT66: backend k saw only 2001:db8:k::fe as its peer" \
	"2001:db8:1::fe|2001:db8:2::fe|2001:db8:3::fe" \
	"$(v6_peers be1)|$(v6_peers be2)|$(v6_peers be3)"

# ---------------------------------------------------------------- wrr ----
_sched6 wrr 5 1 1
step "wrr: $K_WRR connections"
n cli conns -t 60 "$VIP6" "$VPORT" "$K_WRR" >/tmp/wrr.out 2>&1
expect_eq "wrr 5:1:1: all $K_WRR answered, a a b a c a a twice" \
	"answered $K_WRR of $K_WRR|$(_repeat 2 "$WRR_PATTERN")" \
	"$(grep '^answered' /tmp/wrr.out)|$(_sched_answers /tmp/wrr.out)"
expect_eq "list: totals 20 12 12 (rr's 10 10 10, then wrr's 10 2 2)" "20 12 12" \
	"$(_sched_list total)"

# ----------------------------------------------------------------- lc ----
_sched6 lc 1 1 1
step "lc: six held connections"
first=$(_sched_hold_many lc 6 cli "$VIP6")
diag "placement of lc1..lc6: $first"
wait_for 10 '[ "$(_sched_list active)" = "2 2 2" ]'
expect_eq "lc: six held connections, two per backend; list: active 2 2 2" \
	"be1 2 be2 2 be3 2|2 2 2" "$(echo "$first" | _sched_tally)|$(_sched_list active)"
step "lc: close the two on be2"
i=1 held=
for b in $first; do
	if [ "$b" = be2 ]; then release "lc$i" 10 >/dev/null
	else held="$held lc$i"; fi
	i=$((i + 1))
done
if wait_for 20 '[ "$(_sched_list active)" = "2 0 2" ]'; then
	ok "lc: after the close, active 2 0 2"
else
	fail "lc: after the close, active 2 0 2" "active $(_sched_list active)"
	v6_nat_show
fi
step "lc: two new connections"
refill=$(_sched_hold_many lcr 2 cli "$VIP6")
expect_eq "lc: the next two go to be2 (fewest active rows); then active 2 2 2" \
	"be2 be2|2 2 2" "$refill|$(_sched_list active)"
for h in $held lcr1 lcr2; do release "$h" 10 >/dev/null; done
wait_for 20 '[ "$(_sched_list active)" = "0 0 0" ]' ||
	diag "active rows left: $(_sched_list active)"

# ---------------------------------------------------------------- wlc ----
_sched6 wlc 2 1 0
step "wlc: six held connections"
w=$(_sched_hold_many w 6 cli "$VIP6")
diag "placement of w1..w6: $w"
expect_eq "wlc 2:1:0: six held, be1 4, be2 2, be3 (weight 0) none; list: active 4 2 0" \
	"be1 4 be2 2 be3 0|4 2 0" "$(echo "$w" | _sched_tally)|$(_sched_list active)"
for h in w1 w2 w3 w4 w5 w6; do release "$h" 10 >/dev/null; done

# ----------------------------------------------------------------- mh ----
step "mh: instance A"
v6_wait_nat_len 0 30 || diag "v6 rows left: $(v6_nat_len)"
{
	pp l4lbctl service del "$SVC6" && _mh_svc "$BE6_1" "$BE6_2" "$BE6_3"
} >/tmp/mhA.cfg 2>&1
expect_eq "A: the service re-created, scheduler mh, be1 be2 be3 added in that order, no rows" \
	"mh|$BE6_1 $BE6_2 $BE6_3|0" \
	"$(_sched_service_sched)|$(_sched_list backend)|$(v6_nat_len)" ||
	diag_file /tmp/mhA.cfg
_mh_round A
_mh_checks A
_sched_spread_ok A "$K_MH" /tmp/mhA.pa

step "mh: instance B"
release mhA 30 >/dev/null
v6_topo_down
unload_l4lb || die "rmmod l4lb (instance A, with its rows)"
v6_topo_up || die "v6 topology up again"
v6_ready || die "v6 addresses usable again, cli reaches the backends"
load_l4lb svc_max=4096 mh_seed=$SEED || die "l4lb loaded again with mh_seed=$SEED"
_mh_svc "$BE6_3" "$BE6_2" "$BE6_1" >/tmp/mhB.cfg 2>&1
diag "B lists: $(_sched_list backend)"
expect_eq "B: module reloaded (mh_seed $SEED), scheduler mh, be3 be2 be1 added, no rows" \
	"$SEED|mh|$BE6_1 $BE6_2 $BE6_3|0" \
	"$(cat /sys/module/l4lb/parameters/mh_seed)|$(_sched_service_sched)|$(_sorted_backends)|$(v6_nat_len)" ||
	diag_file /tmp/mhB.cfg
if v6_greet_all; then ok "B: greetd -6 answers be1, be2, be3"
else fail "B: greetd -6 answers be1, be2, be3"; diag_file /tmp/be1.log; fi
_mh_round B
_mh_checks B
agree=$(paste -d ' ' /tmp/mhA.pa /tmp/mhB.pa |
	awk '$1 == $3 && $2 == $4 && $2 != "-"' | wc -l | tr -d ' ')
expect_eq "A and B chose the same backend for all $K_MH tuples" "$K_MH" "$agree"
if [ "$agree" != "$K_MH" ]; then
	diag "first disagreements (port A, port B):"
	paste -d ' ' /tmp/mhA.pa /tmp/mhB.pa | awk '$1 != $3 || $2 != $4' |
		head -n 10 | sed 's/^/#   /'
fi

step "clean up"
release mhB 30 >/dev/null
v6_topo_down
if unload_l4lb; then ok "rmmod l4lb"
else fail "rmmod l4lb"; fi
kernel_clean_since "v6_sched"
