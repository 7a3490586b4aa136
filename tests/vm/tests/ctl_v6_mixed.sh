#!/bin/sh
# ctl_v6_mixed: a v4 and a v6 service on one port, side by side (issue #18).
#
# The module parameters make the v4 reference service 10.0.0.1:20000/tcp
# (be1:10000, be2:10001, be3:10002); l4lbctl adds the v6 service
# [2001:db8::1]:20000/tcp with be1..be3's v6 addresses on the same ports
# (lib/v6.sh). On each backend port a greetd answers v4 ("v4-beK") and a
# greetd -6 answers v6 ("v6-beK"), both echoing. Checked:
#   - `service` and `-j service` list both; selectors pick one: [VIP]:PORT/
#     PROTO, [VIP]:PORT, the bare VIP, of either family; `backend show
#     service SEL` shows that service's backends;
#   - three held connections of each family at once: each reaches its
#     family's servers; /proc/l4lb/nat and `-j conn show` have rows of both
#     families, each with its VIP; each backend sees lb's address of the
#     connection's family on its link;
#   - `backend set ... service SEL` changes the backend of that service
#     only, though both have the same port;
#   - `service del` of the v6 service: its rows go at once, the v4 rows
#     and connections stay and new v4 connections work; v6 to the VIP gets
#     no answer and makes no row;
#   - the v6 service again, then `service del` of the v4 one: the v6
#     connections and rows stay, and with one service left a command needs
#     no selector.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
. /vm/lib/v6.sh
. /vm/lib/v6ctl.sh
plan 42
require_l4lbctl

SVC4=$VIP:$VPORT/tcp

# _svcs: "VIP PORT PROTO" of each service (-j service), joined by "|".
_svcs() {
	l4lbctl -j service 2>/dev/null | json_col vip port proto | tr '\n' '|' | sed 's/|$//'
}

# _show SEL: "N|VIP PORT PROTO" of `-j service show SEL` (N: how many).
_show() {
	_r=$(l4lbctl -j service show "$1" 2>&1)
	echo "$(echo "$_r" | json_len)|$(echo "$_r" | json_col vip port proto | tr '\n' '|' | sed 's/|$//')"
}

# _rows4: the TCP rows of /proc/l4lb/nat whose client is a v4 endpoint.
_rows4() {
	awk '$1 == "TCP" && substr($2, 1, 1) != "["' "$(nat_file)"
}

# _rows_by_family: "V4 V6", the TCP rows of `-j conn show` whose client
# is 10.0.0.2:PORT and [2001:db8::2]:PORT.
_rows_by_family() {
	l4lbctl -j conn show | jq -r '[.[] | select(.proto == "TCP") | .client] |
		"\(map(select(startswith("10.0.0.2:"))) | length) \(map(select(startswith("[2001:db8::2]:"))) | length)"'
}

# _v4_peers K: the peer addresses v4 greetd on beK accepted, on one line.
_v4_peers() {
	sed -n 's/^accept \([0-9.]*\):[0-9]*$/\1/p' "/tmp/v4be$1.log" 2>/dev/null | sort -u | xargs
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "ctl_v6_mixed"
load_l4lb || die "l4lb up with the v4 reference service"
if v6_svc_up; then ok "v4 service from the module parameters, v6 service and backends from l4lbctl"
else die "v4 service from the module parameters, v6 service and backends from l4lbctl"; fi

step "servers of both families on each backend port"
i=1
for port in $BE_PORTS; do
	rm -f "/tmp/v4be$i.log"
	bg "/tmp/v4be$i.log" "be$i" greetd -e "$port" "v4-be$i"
	i=$((i + 1))
done
if v6ctl_greet_all -e v6- &&
	wait_for 10 'grep -q "^listen" /tmp/v4be1.log && grep -q "^listen" /tmp/v4be2.log &&
		grep -q "^listen" /tmp/v4be3.log'; then
	ok "greetd and greetd -6 listen on each backend's one port"
else
	fail "greetd and greetd -6 listen on each backend's one port"
	diag_file /tmp/v4be1.log; diag_file /tmp/be1.log
fi

# ---------------------------------------------------- both are listed ----
step "both services, and selectors"
expect_eq "-j service: the v4 and the v6 service, both 20000/tcp" \
	"10.0.0.1 20000 tcp|2001:db8::1 20000 tcp" "$(_svcs)"
l4lbctl service >/tmp/svc.txt 2>&1
sed 's/^/#   /' /tmp/svc.txt
expect_eq "service (text): headed 10.0.0.1:20000/tcp and [2001:db8::1]:20000/tcp" \
	"service 10.0.0.1:20000/tcp|service [2001:db8::1]:20000/tcp" \
	"$(grep '^service ' /tmp/svc.txt | tr '\n' '|' | sed 's/|$//')"
expect_eq "service show $SVC6: the v6 one" "1|2001:db8::1 20000 tcp" "$(_show "$SVC6")"
expect_eq "service show [$VIP6]:$VPORT: the v6 one" "1|2001:db8::1 20000 tcp" \
	"$(_show "[$VIP6]:$VPORT")"
expect_eq "service show $VIP6 (bare): the v6 one" "1|2001:db8::1 20000 tcp" "$(_show "$VIP6")"
expect_eq "service show $SVC4: the v4 one" "1|10.0.0.1 20000 tcp" "$(_show "$SVC4")"
expect_eq "service show $VIP (bare): the v4 one" "1|10.0.0.1 20000 tcp" "$(_show "$VIP")"
expect_eq "backend show service $SVC6: the three v6 backends" \
	"$BE6_1 $BE6_2 $BE6_3" "$(l4lbctl -j list service "$SVC6" | json_line backend)"
expect_eq "backend show service $VIP: the three v4 backends" \
	"$BE1 $BE2 $BE3" "$(l4lbctl -j list service "$VIP" | json_line backend)"

# ------------------------------------------------------------ traffic ----
step "held connections of both families"
v6ctl_hold h4 3 "$VIP" || diag_file /tmp/h4.out
v6ctl_hold h6 3 || diag_file /tmp/h6.out
expect_eq "3 held connections to $VIP:$VPORT: answered by the v4 servers" \
	"v4-be1 v4-be2 v4-be3" "$(v6ctl_answers h4)"
expect_eq "3 held connections to [$VIP6]:$VPORT: answered by the v6 servers" \
	"v6-be1 v6-be2 v6-be3" "$(v6ctl_answers h6)"
wait_nat_len 6 10 || diag "NAT table length: $(nat_len)"
nat_show "three connections of each family"
expect_eq "/proc/l4lb/nat: v4 rows to the v4 backends, v6 rows to the v6 ones" \
	"$BE1 $BE2 $BE3|$BE6_1 $BE6_2 $BE6_3" \
	"$(_rows4 | awk '{ print $5 }' | sort | xargs)|$(v6_nat_col 5 | sort | xargs)"
l4lbctl conn show | sed 's/^/#   /'
expect_eq "-j conn show: 3 rows of each family" "3 3" "$(_rows_by_family)"
expect_eq "-j conn show: each row with its family's VIP" \
	"10.0.0.1:20000=3 [2001:db8::1]:20000=3" \
	"$(l4lbctl -j conn show | jq -r '.[] | select(.proto == "TCP") | .vip' | sort | uniq -c |
		awk '{ printf "%s%s=%s", sep, $2, $1; sep = " " } END { print "" }')"
expect_eq "backend k saw lb's v4 and v6 addresses on its link, one per family" \
	"10.0.1.254 2001:db8:1::fe|10.0.2.254 2001:db8:2::fe|10.0.3.254 2001:db8:3::fe" \
	"$(_v4_peers 1) $(v6_peers be1)|$(_v4_peers 2) $(v6_peers be2)|$(_v4_peers 3) $(v6_peers be3)"
v6ctl_probe h4 p1
v6ctl_probe h6 p1
expect_eq "the held connections of both families echo" "alive 3 of 3|alive 3 of 3" \
	"$(v6ctl_alive h4 p1)|$(v6ctl_alive h6 p1)"

step "a selector changes its service's backend only"
_ctl_ok "backend set $BE6_3 down service $SVC6" \
	l4lbctl backend set "$BE6_3" down service "$SVC6"
_ctl_ok "backend set $BE3 weight 5 service $SVC4" \
	l4lbctl backend set "$BE3" weight 5 service "$SVC4"
expect_eq "-j backend show: v4 be3 weight 5 and up, v6 be3 down and weight 1" \
	"$BE1 up 1|$BE2 up 1|$BE3 up 5|$BE6_1 up 1|$BE6_2 up 1|$BE6_3 down 1" \
	"$(l4lbctl -j list | json_col backend state weight | tr '\n' '|' | sed 's/|$//')"
if l4lbctl backend set "$BE6_3" up service "$SVC6" &&
	l4lbctl backend set "$BE3" weight 1 service "$SVC4"; then
	ok "both set back (v6 be3 up, v4 be3 weight 1)"
else
	fail "both set back (v6 be3 up, v4 be3 weight 1)"
fi

# ------------------------------------------------ delete the v6 service ----
step "delete the v6 service"
_ctl_ok "service del $SVC6" l4lbctl service del "$SVC6"
expect_eq "at once: no v6 row, the 3 v4 rows stay" "0 3" \
	"$(v6_nat_len) $(_rows4 | wc -l | tr -d ' ')"
expect_eq "-j service: the v4 one only" "10.0.0.1 20000 tcp" "$(_svcs)"
expect_eq "-j backend show: the v4 backends only" "$BE1 $BE2 $BE3" \
	"$(l4lbctl -j list | json_line backend)"
v6ctl_probe h4 p2
expect_eq "the v4 held connections still echo" "alive 3 of 3" "$(v6ctl_alive h4 p2)"
n cli conns -t 20 "$VIP" "$VPORT" 3 >/tmp/new4.out 2>&1
expect_eq "3 new v4 connections: answered by the v4 servers" "v4-be1 v4-be2 v4-be3" \
	"$(awk '$1 == "conn" { print $4 }' /tmp/new4.out | sort | xargs)"
if n cli conns -t 3 "$VIP6" "$VPORT" 1 >/tmp/c6.out 2>&1; then
	fail "a v6 connection to [$VIP6]:$VPORT gets no answer any more" "it did"
	diag_file /tmp/c6.out
else
	ok "a v6 connection to [$VIP6]:$VPORT gets no answer any more: $(grep '^conn' /tmp/c6.out)"
fi
expect_eq "and makes no row" 0 "$(v6_nat_len)"

# ------------------------------- the v6 service again; delete the v4 one ----
step "the v6 service again"
if v6_svc_up; then ok "v6 service and its backends added again"
else fail "v6 service and its backends added again"; fi
v6ctl_hold h6b 3 || diag_file /tmp/h6b.out
expect_eq "3 new held v6 connections: answered by the v6 servers" \
	"v6-be1 v6-be2 v6-be3" "$(v6ctl_answers h6b)"
v6_wait_nat_len 3 10 || diag "v6 rows: $(v6_nat_len)"

step "delete the v4 service"
_ctl_ok "service del $SVC4" l4lbctl service del "$SVC4"
expect_eq "at once: no v4 row, the 3 v6 rows stay" "0 3" \
	"$(_rows4 | wc -l | tr -d ' ') $(v6_nat_len)"
expect_eq "-j service: the v6 one only" "2001:db8::1 20000 tcp" "$(_svcs)"
expect_eq "-j conn show: v6 rows only" "0 3" "$(_rows_by_family)"
v6ctl_probe h6b p3
expect_eq "the v6 held connections still echo" "alive 3 of 3" "$(v6ctl_alive h6b p3)"
_ctl_ok "one service left: backend set $BE6_1 weight 2, no selector" \
	l4lbctl backend set "$BE6_1" weight 2
expect_eq "it changed the v6 backend" "2" "$(_ctl_be "$BE6_1" weight)"

step "clean up"
release h4 15 >/dev/null
release h6 15 >/dev/null
release h6b 15 >/dev/null
v6_topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "ctl_v6_mixed"
