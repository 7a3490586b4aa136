#!/bin/sh
# ctl_add_traffic: add a backend while connections are carrying data.
#
# l4lb starts with two backends (be1, be2). Six chat clients join one after
# another (round robin: be1 be2 be1 be2 be1 be2) and each sends a line every
# 0.2 s, which chatd relays to the other two clients of its server, so every
# connection carries data both ways. Then `l4lbctl add 10.0.3.1:10002`:
#   - the six existing rows keep their client and backend (l4lbctl -j nat
#     and /proc/l4lb/nat), and their byte counters (l4lbctl -j list) and
#     the clients' received lines keep growing;
#   - the next three connections go round robin over all three backends,
#     one each, in backend order (be1 be2 be3: six picks over two backends
#     left the rotation at the first one).
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 17
require_l4lbctl

OLD="test1 test2 test3 test4 test5 test6"

# _bytes: "BYTES_IN BYTES_OUT" of be1 and be2, from l4lbctl -j list.
_bytes() {
	l4lbctl -j list | jq -r --arg a "$BE1" --arg b "$BE2" \
		'[.[] | select(.backend == $a or .backend == $b) | .bytes_in, .bytes_out | tostring] | join(" ")'
}

# _received: lines received by each old client.
_received() {
	for c in $OLD; do printf '%s ' "$(_ctl_lines "$c")"; done | sed 's/ $//'
}

# _all_grew BEFORE AFTER: every number in AFTER is larger than the one at
# the same place in BEFORE.
_all_grew() {
	echo "$1 | $2" | awk '{
		n = (NF - 1) / 2
		for (i = 1; i <= n; i++) if ($(n + 1 + i) + 0 <= $i + 0) exit 1
		exit n > 0 ? 0 : 1
	}'
}

# _received_at_least N: every old client has received N lines or more.
_received_at_least() {
	echo "$(_received)" | awk -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i < n) exit 1 }'
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_add_traffic"
load_l4lb vip="$VIP" port="$VPORT" backends="$BE1,$BE2" || die "l4lb up with be1, be2"
ok "l4lb up with two backends (be1, be2)"
serve_all chatd
if serve_ready; then ok "chatd listens on be1, be2, be3"
else fail "chatd listens on be1, be2, be3"; diag_file /tmp/be3.log; fi

step "six clients join"
# shellcheck disable=SC2086
if _ctl_join $OLD; then ok "six clients joined through $VIP:$VPORT"
else fail "six clients joined through $VIP:$VPORT"; for c in $OLD; do diag_file "/tmp/chat.$c.err" 3; done; fi
placement=$(for c in $OLD; do printf '%s ' "$(backend_of "$c")"; done | sed 's/ $//')
expect_eq "round robin over two backends: be1 be2 be1 be2 be1 be2" \
	"be1 be2 be1 be2 be1 be2" "$placement"

step "the six clients talk"
for c in $OLD; do chat_tick "$c"; done
if wait_nat_len 6 10 && wait_for 30 '_received_at_least 10'; then
	ok "6 rows, and every client receives the others' lines"
else
	fail "6 rows, and every client receives the others' lines" \
		"NAT table length $(nat_len), lines received: $(_received)"
fi
_ctl_nat_map >/tmp/ctl.before
before=$(cat /tmp/ctl.before)
diag "rows before the add (client backend):"
echo "$before" | sed 's/^/#   /'
[ "$(echo "$before" | grep -c " $BE1\$")/$(echo "$before" | grep -c " $BE2\$")" = 3/3 ] ||
	diag "rows are not 3 on be1 and 3 on be2"

step "add be3 under traffic"
_ctl_ok "l4lbctl add $BE3 while six connections talk" l4lbctl add "$BE3"
expect_eq "list: be1, be2, be3, all up" "$BE1 up,$BE2 up,$BE3 up" \
	"$(_ctl_backends | tr '\n' , | sed 's/,$//')"

step "the existing connections after the add"
bytes0=$(_bytes) recv0=$(_received)
sleep 3
bytes1=$(_bytes) recv1=$(_received)
expect_eq "l4lbctl -j nat: the six rows keep their client and backend" \
	"$before" "$(_ctl_nat_map)"
expect_eq "/proc/l4lb/nat: the six rows keep their client and backend" \
	"$before" "$(_ctl_proc_pairs)"
if _all_grew "$bytes0" "$bytes1"; then ok "be1, be2 bytes_in and bytes_out keep growing"
else fail "be1, be2 bytes_in and bytes_out keep growing" \
	"be1 in out, be2 in out, 3 s apart:" "  $bytes0" "  $bytes1"; fi
if _all_grew "$recv0" "$recv1"; then ok "each of the six clients keeps receiving lines"
else fail "each of the six clients keeps receiving lines" \
	"lines of test1..test6, 3 s apart:" "  $recv0" "  $recv1"; fi
diag "be1 in out, be2 in out: $bytes0 -> $bytes1; received: $recv0 -> $recv1"

step "three new connections"
if _ctl_join test7 test8 test9; then ok "three more clients joined"
else fail "three more clients joined"; for c in test7 test8 test9; do diag_file "/tmp/chat.$c.err" 3; done; fi
expect_eq "the three new connections go be1, be2, be3 (one each)" "be1 be2 be3" \
	"$(backend_of test7) $(backend_of test8) $(backend_of test9)"
after=$(_ctl_nat_map)
old_kept=$(echo "$after" | grep -cxFf /tmp/ctl.before)
new_rows=$(echo "$after" | grep -vxFf /tmp/ctl.before | awk '{ print $2 }' | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "NAT: the six old rows unchanged, three new rows on be1, be2, be3" \
	"6 / $BE1 $BE2 $BE3" "$old_kept / $new_rows"
l4lbctl list | sed 's/^/#   /'
expect_eq "list: total connections be1 4, be2 4, be3 1" "4 4 1" \
	"$(l4lbctl -j list | json_line total)"

step "clean up"
for c in $OLD; do chat_hush "$c"; done
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_add_traffic"
