#!/bin/sh
# ctl_v6: l4lbctl on an IPv6 service, end to end (issue #18).
#
# l4lb is loaded without a service (lib/v6.sh's topology). l4lbctl creates
# [2001:db8::1]:20000/tcp and adds be1..be3, [2001:db8:k::1]:1000(k-1),
# naming the service three ways: no selector, [VIP]:PORT/tcp, the bare
# VIP. greetd -6 -e on the backends answers beK and echoes. Checked:
#   - `service`, `backend show` and `conn show`, as text and with -j: a v6
#     endpoint is [ADDR]:PORT, a lone address (vip, the SNAT pool) has no
#     brackets; /proc/l4lb/nat likewise, and conn show has its rows;
#   - full NAT66: backend k sees lb's address on its link, 2001:db8:k::fe;
#     stats and the backends' counters move, the connections echo;
#   - drain (backend del): be2 draining, its held connection still echoes,
#     new ones skip it, and it leaves the list once its row has ended;
#   - backend del --now: be2's row goes at once, the others stay and echo,
#     be2's does not;
#   - persistence 30: six connections from one client on one backend, and
#     a TPL row for the client naming it;
#   - a SNAT pool of two local v6 addresses: both carry rows, the backends
#     see only them;
#   - save, service del, restore: save prints the same file again;
#   - refused, and nothing changes (`save` and the backends the same): a
#     backend or SNAT address of the other family (exit 1 from the kernel,
#     or 2 where l4lbctl sees it first), a link-local VIP or backend, peers
#     or client-addr toa on a v6 service (exit 1, the kernel's message),
#     malformed addresses and selectors (exit 2);
#   - conn_max=3: a fourth connection is dropped and drop_table_full
#     counts it.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
. /vm/lib/v6.sh
. /vm/lib/v6ctl.sh
plan 71
require_l4lbctl

POOL6=2001:db8:1::250-2001:db8:1::251

# _mark_logs: remember how long each backend's log is (_new_peers).
_mark_logs() {
	for _b in be1 be2 be3; do
		wc -l <"/tmp/$_b.log" >"/tmp/$_b.mark"
	done
}

# _new_peers: the peer addresses the backends accepted since _mark_logs,
# sorted, unique, on one line.
_new_peers() {
	for _b in be1 be2 be3; do
		tail -n "+$(($(cat "/tmp/$_b.mark") + 1))" "/tmp/$_b.log"
	done | sed -n 's/^accept \[\([0-9a-f:]*\)\]:[0-9]*$/\1/p' | sort -u | xargs
}

# _stat NAME: counter NAME of `l4lbctl -j stats`.
_stat() {
	l4lbctl -j stats | jq -r --arg k "$1" '.[$k]'
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "ctl_v6"
load_l4lb svc_max=4096 || die "l4lb up without a service"

# ------------------------------------------------- service, backends ----
step "a v6 service and three backends"
_ctl_ok "service set vip $VIP6 port $VPORT proto tcp: creates the v6 service" \
	l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp
added=0
# _add ARGS...: `l4lbctl backend add ARGS`; counts in $added if it exits
# 0 with nothing on stderr.
_add() {
	if _ctl l4lbctl backend add "$@" && ! [ -s "$CTL_ERR" ]; then
		added=$((added + 1))
	else
		diag "l4lbctl backend add $*:"
		_ctl_show
	fi
}
_add "$BE6_1"
_add "$BE6_2" service "$SVC6"
_add "$BE6_3" service "$VIP6"
expect_eq "backend add, without a selector, with $SVC6, with $VIP6: all exit 0" 3 "$added"

l4lbctl service >/tmp/svc.txt 2>&1
sed 's/^/#   /' /tmp/svc.txt
expect_eq "service: headed [VIP]:PORT/tcp; vip without brackets" \
	"service [2001:db8::1]:20000/tcp|vip 2001:db8::1|port 20000|proto tcp" \
	"$(grep -E '^(service|vip|port|proto) ' /tmp/svc.txt | tr '\n' '|' | sed 's/|$//')"
expect_eq "-j service: one service, vip 2001:db8::1 (no brackets), port 20000, tcp" \
	"1|2001:db8::1 20000 tcp" \
	"$(l4lbctl -j service | json_len)|$(l4lbctl -j service | json_col vip port proto)"
l4lbctl backend show >/tmp/be.txt 2>&1
sed 's/^/#   /' /tmp/be.txt
expect_eq "backend show: headed by the service, each backend [ADDR]:PORT, up" \
	"service [2001:db8::1]:20000/tcp|[2001:db8:1::1]:10000 up|[2001:db8:2::1]:10001 up|[2001:db8:3::1]:10002 up" \
	"$(awk '$1 == "service" { print; next } substr($1, 1, 1) == "[" { print $1, $2 }' /tmp/be.txt |
		tr '\n' '|' | sed 's/|$//')"
expect_eq "-j backend show: backend [ADDR]:PORT, its service's vip without brackets" \
	"[2001:db8:1::1]:10000 2001:db8::1 20000 tcp|[2001:db8:2::1]:10001 2001:db8::1 20000 tcp|[2001:db8:3::1]:10002 2001:db8::1 20000 tcp" \
	"$(l4lbctl -j list | json_col backend vip vport proto | tr '\n' '|' | sed 's/|$//')"

# ------------------------------------------------------------ traffic ----
step "greetd -6 -e on the backends"
if v6ctl_greet_all -e; then ok "greetd -6 -e listens on be1, be2, be3"
else fail "greetd -6 -e listens on be1, be2, be3"; diag_file /tmp/be1.log; fi
created0=$(_stat conns_created)

step "three held connections"
v6ctl_hold h1 3 || diag_file /tmp/h1.out
expect_eq "3 connections to [$VIP6]:$VPORT held: answered by be1, be2, be3" \
	"be1 be2 be3" "$(v6ctl_answers h1)"
v6_wait_nat_len 3 10 || diag "v6 rows: $(v6_nat_len)"
v6_nat_show "three held connections"
expect_eq "/proc/l4lb/nat: 3 v6 rows, client [2001:db8::2]:PORT, VIP [2001:db8::1]:20000" \
	"3 2001:db8::2 [2001:db8::1]:20000" \
	"$(v6_nat_len) $(v6_nat_col 2 | v6_ep_addr | sort -u | xargs) $(v6_nat_col 3 | sort -u | xargs)"
expect_eq "/proc/l4lb/nat: each row's Local is lb's address on its backend's link" \
	"be1 2001:db8:1::fe|be2 2001:db8:2::fe|be3 2001:db8:3::fe" \
	"$(v6_nat_rows | awk '{ l = $4; sub(/^\[/, "", l); sub(/\]:[0-9]+$/, "", l); print $5, l }' |
		v6_be_names | sort | tr '\n' '|' | sed 's/|$//')"
expect_eq "full NAT66: backend k saw only 2001:db8:k::fe as its peer" \
	"2001:db8:1::fe|2001:db8:2::fe|2001:db8:3::fe" \
	"$(v6_peers be1)|$(v6_peers be2)|$(v6_peers be3)"
l4lbctl conn show | sed 's/^/#   /'
expect_eq "conn show (text): the rows of /proc/l4lb/nat, same columns" \
	"$(v6_nat_rows | awk '{ print $1, $2, $3, $4, $5, $6 }' | sort)" \
	"$(l4lbctl conn show | awk '$1 == "TCP" && substr($2, 1, 1) == "[" { print $1, $2, $3, $4, $5, $6 }' | sort)"
expect_eq "-j conn show: client, vip, local, backend as [ADDR]:PORT, as in /proc" \
	"$(v6_nat_rows | awk '{ print $2, $3, $4, $5 }' | sort)" \
	"$(l4lbctl -j conn show | jq -r '.[] | select(.proto == "TCP") | "\(.client) \(.vip) \(.local) \(.backend)"' | sort)"
expect_eq "stats: conns_created grew by 3, conns 3" "3 3" \
	"$(($(_stat conns_created) - created0)) $(_stat conns)"
v6ctl_probe h1 p1
expect_eq "the three held connections echo a line" "alive 3 of 3" "$(v6ctl_alive h1 p1)"
l4lbctl backend show | sed 's/^/#   /'
expect_eq "-j backend show: each backend 1 active, 1 in total, packets and bytes both ways" \
	"1 1 true|1 1 true|1 1 true" \
	"$(l4lbctl -j list | jq -r '.[] | "\(.active) \(.total) \(.pkts_in > 0 and .pkts_out > 0 and .bytes_in > 0 and .bytes_out > 0)"' |
		tr '\n' '|' | sed 's/|$//')"

# -------------------------------------------------------------- drain ----
step "drain be2"
_ctl_ok "backend del $BE6_2 (drain) exits 0" l4lbctl backend del "$BE6_2"
expect_eq "be2 is draining, with its 1 active row" "draining 1" \
	"$(_ctl_be "$BE6_2" state) $(_ctl_be "$BE6_2" active)"
n cli conns -t 20 "$VIP6" "$VPORT" 4 >/tmp/new.out 2>&1
expect_eq "4 new connections skip be2 (2 on be1, 2 on be3); be2's total stays 1" \
	"be1 be1 be3 be3 / 1" \
	"$(awk '$1 == "conn" { print $4 }' /tmp/new.out | sort | xargs) / $(_ctl_be "$BE6_2" total)"
v6ctl_probe h1 p2
expect_eq "be2's held connection still echoes, with the others" "be1 be2 be3" \
	"$(v6ctl_echoed h1 p2)"
release h1 15 || diag "conns h1 exit $?"
if _ctl_wait_gone "$BE6_2" 15; then ok "be2 leaves the list once its last row has ended"
else fail "be2 leaves the list once its last row has ended"; l4lbctl list | sed 's/^/#   /'; fi
_ctl_ok "backend add $BE6_2 service $SVC6: back" \
	l4lbctl backend add "$BE6_2" service "$SVC6"

# ------------------------------------------------------- remove --now ----
step "remove --now"
v6_wait_nat_len 0 20 || diag "v6 rows left: $(v6_nat_len)"
v6ctl_hold h2 3 || diag_file /tmp/h2.out
expect_eq "3 held connections again: one on each backend" "be1 be2 be3" \
	"$(v6ctl_answers h2)"
v6_wait_nat_len 3 10 || diag "v6 rows: $(v6_nat_len)"
v6_nat_pairs | grep -vF " $BE6_2" >/tmp/keep
_ctl l4lbctl backend del "$BE6_2" --now
be2_rows=$(v6_nat_col 5 | grep -cxF "$BE6_2")
pairs=$(v6_nat_pairs)
if [ "$CTL_RC" = 0 ] && ! [ -s "$CTL_ERR" ]; then ok "backend del $BE6_2 --now exits 0"
else fail "backend del $BE6_2 --now exits 0"; _ctl_show; fi
expect_eq "at once: no row to be2 left, the other two untouched" \
	"0|$(cat /tmp/keep)" "$be2_rows|$pairs"
if _ctl_wait_gone "$BE6_2" 3; then ok "be2 is no longer listed"
else fail "be2 is no longer listed"; l4lbctl list | sed 's/^/#   /'; fi
v6ctl_probe h2 p3
expect_eq "the connections on be1 and be3 still echo, be2's does not" \
	"alive 2 of 3: be1 be3" "$(v6ctl_alive h2 p3): $(v6ctl_echoed h2 p3)"
release h2 15 || diag "conns h2 exit $?"
_ctl_ok "backend add $BE6_2 service $VIP6: back" \
	l4lbctl backend add "$BE6_2" service "$VIP6"

# -------------------------------------------------------- persistence ----
step "persistence"
_ctl_ok "service set ... persistence 30" \
	l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp persistence 30
n cli conns -t 30 "$VIP6" "$VPORT" 6 >/tmp/pers.out 2>&1
pinned=$(awk '$1 == "conn" { print $4 }' /tmp/pers.out | sort -u | xargs)
diag "6 connections from $CLI6 went to: $pinned"
expect_eq "6 connections from $CLI6, all answered, all on one backend" \
	"answered 6 of 6 / 1" \
	"$(grep '^answered' /tmp/pers.out) / $(echo "$pinned" | wc -w | tr -d ' ')"
nat_show "persistence templates"
expect_eq "one TPL row for [$CLI6], naming that backend" "$pinned" \
	"$(awk '$1 == "TPL" && index($2, "[2001:db8::2]:") == 1 { print $5 }' "$(nat_file)" |
		v6_be_names | xargs)"
pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp persistence 0
_ctl_ok "conn flush" l4lbctl conn flush
expect_eq "after conn flush: no row, no template" "0 0" \
	"$(nat_len) $(awk '$1 == "TPL"' "$(nat_file)" | wc -l | tr -d ' ')"

# ---------------------------------------------------------- SNAT pool ----
step "a SNAT pool of two v6 addresses"
if ! ip -6 addr add 2001:db8:1::250/64 dev veth-be1 nodad ||
	! ip -6 addr add 2001:db8:1::251/64 dev veth-be1 nodad; then
	die "add 2001:db8:1::250 and ::251 to veth-be1"
fi
_ctl_ok "service set ... snat $POOL6" \
	l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp snat "$POOL6"
expect_eq "-j service: the pool as text and as addresses, without brackets" \
	"$POOL6 2001:db8:1::250,2001:db8:1::251" \
	"$(l4lbctl -j service | jq -r '.[0] | "\(.snat) \(.snat_pool | join(","))"')"
_mark_logs
v6ctl_hold h3 6 || diag_file /tmp/h3.out
expect_eq "6 held connections through the pool answered" "answered 6 of 6" \
	"$(grep '^answered' /tmp/h3.out)"
v6_wait_nat_len 6 10 || diag "v6 rows: $(v6_nat_len)"
v6_nat_show "six connections through the pool"
diag "rows by Local address: $(v6_nat_col 4 | v6_ep_addr | sort | uniq -c | xargs)"
expect_eq "/proc/l4lb/nat: the rows' Local addresses are the pool's two" \
	"2001:db8:1::250 2001:db8:1::251" "$(v6_nat_col 4 | v6_ep_addr | sort -u | xargs)"
expect_eq "-j service snat_usage: both pool addresses in use, 6 rows between them" \
	"2 true 6" \
	"$(l4lbctl -j service | jq -r '[.[0].snat_usage[] | select(.address == "2001:db8:1::250" or .address == "2001:db8:1::251") | .ports_in_use] | "\(length) \(all(. > 0)) \(add)"')"
expect_eq "the backends saw only the pool's addresses" \
	"2001:db8:1::250 2001:db8:1::251" "$(_new_peers)"
release h3 15 || diag "conns h3 exit $?"

# ---------------------------------------------------- save and restore ----
step "save, delete, restore"
if l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp scheduler wrr timeout tcp 600 &&
	l4lbctl backend set "$BE6_1" weight 3 service "$SVC6" &&
	l4lbctl backend set "$BE6_3" down service "$SVC6"; then
	ok "wrr, timeout tcp 600, be1 weight 3, be3 down"
else
	fail "wrr, timeout tcp 600, be1 weight 3, be3 down"
fi
_ctl_ok "save exits 0" l4lbctl save
cp "$CTL_OUT" /tmp/v6.conf
sed 's/^/#   /' /tmp/v6.conf
expect_eq "save: the service line starts with the v6 VIP, wrr and the pool" 1 \
	"$(grep -c "^service set vip 2001:db8::1 port 20000 proto tcp scheduler wrr snat $POOL6 " /tmp/v6.conf)"
expect_eq "save: a line per backend, [ADDR]:PORT, service [VIP]:PORT/tcp" \
	"backend add [2001:db8:1::1]:10000 weight 3 service [2001:db8::1]:20000/tcp|backend add [2001:db8:2::1]:10001 weight 1 service [2001:db8::1]:20000/tcp|backend add [2001:db8:3::1]:10002 weight 1 down service [2001:db8::1]:20000/tcp" \
	"$(grep '^backend ' /tmp/v6.conf | sort | tr '\n' '|' | sed 's/|$//')"
_ctl_ok "service del $SVC6" l4lbctl service del "$SVC6"
expect_eq "no service, no backend, no row left" "0 0 0" \
	"$(l4lbctl -j service | json_len) $(l4lbctl -j list | json_len) $(nat_len)"
_ctl_ok "restore of the saved file exits 0" l4lbctl restore /tmp/v6.conf
l4lbctl save >/tmp/v6.conf2 2>&1
if cmp -s /tmp/v6.conf /tmp/v6.conf2; then ok "save after restore prints the same file"
else fail "save after restore prints the same file"; diff /tmp/v6.conf /tmp/v6.conf2 | sed 's/^/#   /'; fi

# ------------------------------------------------------------ refusals ----
step "refusals"
_ctl_ok "a v4 service beside it: service set vip $VIP port $VPORT proto tcp" \
	l4lbctl service set vip "$VIP" port "$VPORT" proto tcp
SVC4=$VIP:$VPORT/tcp
v6ctl_snap /tmp/v6ctl.snap0
diag "state before the refused commands:"
sed 's/^/#   /' /tmp/v6ctl.snap0
# The other family: the kernel refuses it (1), or l4lbctl sees it in the
# command line itself (2).
v6ctl_refused "a v4 backend on the v6 service" "1 2" "" \
	backend add 10.0.1.1:10100 service "$SVC6"
v6ctl_refused "a v6 backend on the v4 service" "1 2" "" \
	backend add "[2001:db8:1::1]:10100" service "$SVC4"
v6ctl_refused "a v6 SNAT address on the v4 service" "1 2" "" \
	service set vip "$VIP" port "$VPORT" proto tcp snat 2001:db8:1::fe
v6ctl_refused "a v4 SNAT address on the v6 service" "1 2" "" \
	service set vip "$VIP6" port "$VPORT" proto tcp snat 10.0.1.254
# What only the kernel knows.
v6ctl_refused "a link-local VIP" 1 "" \
	service set vip fe80::1 port 80 proto tcp
v6ctl_refused "a link-local backend" 1 "" \
	backend add "[fe80::1]:80" service "$SVC6"
v6ctl_refused "peers on the v6 service" 1 "an IPv6 service cannot have peers yet" \
	service set vip "$VIP6" port "$VPORT" proto tcp peers 10.0.0.11
v6ctl_refused "client-addr toa on the v6 service" 1 \
	"toa has no IPv6 form; use proxy-v1 or proxy-v2" \
	service set vip "$VIP6" port "$VPORT" proto tcp client-addr toa
v6ctl_refused "a new v6 service with client-addr toa" 1 \
	"toa has no IPv6 form; use proxy-v1 or proxy-v2" \
	service set vip 2001:db8::5 port 80 proto tcp client-addr toa
# Malformed: l4lbctl sends nothing.
v6ctl_refused "a malformed v6 backend" 2 'invalid address "[2001:db8::zz]:80"' \
	backend add "[2001:db8::zz]:80" service "$SVC6"
v6ctl_refused "a v6 backend without brackets" 2 'invalid address "2001:db8:1::1:10100"' \
	backend add 2001:db8:1::1:10100 service "$SVC6"
v6ctl_refused "a v4 address in brackets" 2 'invalid address "[10.0.1.1]:10100"' \
	backend add "[10.0.1.1]:10100" service "$SVC4"
v6ctl_refused "a backend with a zone index" 2 'invalid address "[fe80::1%eth0]:80"' \
	backend add "[fe80::1%eth0]:80" service "$SVC6"
v6ctl_refused "a malformed v6 VIP" 2 'invalid address "2001:db8::1::2"' \
	service set vip 2001:db8::1::2 port 80 proto tcp
v6ctl_refused "a selector without its closing bracket" 2 \
	'invalid service "[2001:db8::1:20000/tcp"' \
	service show "[2001:db8::1:20000/tcp"

# ----------------------------------------------------------- conn_max ----
step "conn_max=3"
bg_kill_all
unload_l4lb || die "rmmod l4lb"
if load_l4lb svc_max=4096 conn_max=3 syn_max=3 && v6_svc_up; then
	ok "l4lb with conn_max=3, the v6 service and its three backends"
else
	die "l4lb with conn_max=3, the v6 service and its three backends"
fi
v6ctl_greet_all -e || diag "greetd not ready"
v6ctl_hold h4 3 || diag_file /tmp/h4.out
expect_eq "3 held connections answered; stats: conns 3, conn_max 3" \
	"answered 3 of 3 / 3 3" \
	"$(grep '^answered' /tmp/h4.out) / $(_stat conns) $(_stat conn_max)"
full0=$(_stat drop_table_full)
if n cli conns -t 4 "$VIP6" "$VPORT" 1 >/tmp/c4.out 2>&1; then
	fail "a fourth connection does not get through" "it did"
	diag_file /tmp/c4.out
else
	ok "a fourth connection does not get through: $(grep '^conn' /tmp/c4.out)"
fi
full1=$(_stat drop_table_full)
expect_eq "drop_table_full counts it; still 3 rows" "more 3" \
	"$([ "$full1" -gt "$full0" ] && echo more || echo "$full0 -> $full1") $(nat_len)"
v6ctl_probe h4 p4
expect_eq "the three held connections still echo" "alive 3 of 3" "$(v6ctl_alive h4 p4)"

step "clean up"
release h4 15 >/dev/null
v6_topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "ctl_v6"
