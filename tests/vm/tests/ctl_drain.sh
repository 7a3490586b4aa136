#!/bin/sh
# ctl_drain: remove a backend under traffic; it drains.
#
# Reference service (be1, be2, be3). Six chat clients join (round robin:
# test2 and test5 on be2) and each sends a line every 0.2 s. Then
# `l4lbctl remove 10.0.2.1:10001` (no --now):
#   - l4lbctl list shows be2 as "draining";
#   - its two connections keep exchanging data (be2's byte counters and the
#     clients' received lines grow), and no row changes;
#   - new connections never reach be2 (they alternate be1, be3);
#   - with one of its connections closed be2 is still listed, draining;
#   - once the last one is closed and its row has ended (TIME_WAIT lingers
#     2-3 s), be2 disappears from the list within ~1 s (3 s allowed here).
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 19
require_l4lbctl

OLD="test1 test2 test3 test4 test5 test6"

# _be2_traffic: "BYTES_IN BYTES_OUT" of be2 from l4lbctl -j list.
_be2_traffic() {
	echo "$(_ctl_be "$BE2" bytes_in) $(_ctl_be "$BE2" bytes_out)"
}

# _received NAME...: lines received by each client.
_received() {
	for c in "$@"; do printf '%s ' "$(_ctl_lines "$c")"; done | sed 's/ $//'
}

# _received_at_least N: every old client has received N lines or more.
_received_at_least() {
	# shellcheck disable=SC2086
	echo "$(_received $OLD)" | awk -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i < n) exit 1 }'
}

# _all_grew BEFORE AFTER: each number in AFTER is larger than the one at
# the same place in BEFORE.
_all_grew() {
	echo "$1 | $2" | awk '{
		n = (NF - 1) / 2
		for (i = 1; i <= n; i++) if ($(n + 1 + i) + 0 <= $i + 0) exit 1
		exit n > 0 ? 0 : 1
	}'
}

# _be2_rows: NAT rows (l4lbctl -j nat) whose backend is be2.
_be2_rows() {
	_ctl_nat_map | grep -c " $BE2\$"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_drain"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"
serve_all chatd
if serve_ready; then ok "chatd listens on be1, be2, be3"
else fail "chatd listens on be1, be2, be3"; diag_file /tmp/be1.log; fi

step "six clients join and talk"
# shellcheck disable=SC2086
if _ctl_join $OLD; then ok "six clients joined through $VIP:$VPORT"
else fail "six clients joined through $VIP:$VPORT"; for c in $OLD; do diag_file "/tmp/chat.$c.err" 3; done; fi
expect_eq "round robin: be1 be2 be3 be1 be2 be3" "be1 be2 be3 be1 be2 be3" \
	"$(for c in $OLD; do printf '%s ' "$(backend_of "$c")"; done | sed 's/ $//')"
for c in $OLD; do chat_tick "$c"; done
if wait_nat_len 6 10 && wait_for 30 '_received_at_least 10'; then
	ok "6 rows, and every client receives lines"
else
	# shellcheck disable=SC2086
	fail "6 rows, and every client receives lines" \
		"NAT table length $(nat_len), lines received: $(_received $OLD)"
fi
_ctl_nat_map >/tmp/ctl.before

step "remove be2"
_ctl_ok "l4lbctl remove $BE2 (drain) exits 0" l4lbctl remove "$BE2"
l4lbctl list | sed 's/^/#   /'
expect_eq "list -j: be2 is draining with its 2 active rows" "draining 2" \
	"$(_ctl_be "$BE2" state) $(_ctl_be "$BE2" active)"
check "list: be2's line says draining" \
	sh -c 'l4lbctl list | grep -E "^10\.0\.2\.1:10001 +draining "'

step "be2's connections keep talking"
traffic0=$(_be2_traffic) recv0=$(_received test2 test5)
sleep 3
traffic1=$(_be2_traffic) recv1=$(_received test2 test5)
expect_eq "the six rows are unchanged by the remove" "$(cat /tmp/ctl.before)" "$(_ctl_nat_map)"
if _all_grew "$traffic0" "$traffic1"; then ok "be2's bytes_in and bytes_out keep growing while it drains"
else fail "be2's bytes_in and bytes_out keep growing while it drains" \
	"in out, 3 s apart: $traffic0 -> $traffic1"; fi
if _all_grew "$recv0" "$recv1"; then ok "test2 and test5 (on be2) keep receiving each other's lines"
else fail "test2 and test5 (on be2) keep receiving each other's lines" \
	"lines, 3 s apart: $recv0 -> $recv1"; diag_file /tmp/be2.log 10; fi
diag "be2 in out: $traffic0 -> $traffic1; test2 test5 received: $recv0 -> $recv1"

step "new connections skip be2"
if _ctl_join test7 test8 test9 test10; then ok "four more clients joined"
else fail "four more clients joined"; for c in test7 test8 test9 test10; do diag_file "/tmp/chat.$c.err" 3; done; fi
placement="$(backend_of test7) $(backend_of test8) $(backend_of test9) $(backend_of test10)"
diag "new connections: $placement"
expect_eq "no new connection reaches be2: two on be1, two on be3" "be1 be1 be3 be3" \
	"$(echo "$placement" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "be2 got nothing new: chatd accepts 2, list total 2" "2 2" \
	"$(grep -c '^accept ' /tmp/be2.log) $(_ctl_be "$BE2" total)"

step "close test2"
chat_hush test2
chat_quit test2 || diag "chat test2 exit $?"
if wait_for 15 '[ "$(_be2_rows)" = 1 ]'; then
	expect_eq "with test5 still open, be2 is still listed, draining" "draining" \
		"$(_ctl_be "$BE2" state)"
else
	fail "with test5 still open, be2 is still listed, draining" \
		"be2 rows: $(_be2_rows), want 1"
	nat_show
fi

step "close test5, be2's last connection"
chat_hush test5
chat_quit test5 || diag "chat test5 exit $?"
if wait_for 15 '[ "$(_be2_rows)" = 0 ]'; then
	t_rows=$(_now)
	diag "be2 still listed as: $(_ctl_be "$BE2" state) (right after its last row ended)"
	if _ctl_wait_gone "$BE2" 5; then
		delay=$(($(_now) - t_rows))
		diag "be2 left the list ${delay} s after its last row ended"
		if [ "$delay" -le 3 ]; then ok "be2 leaves the list within ~1 s (<= 3 s) of its last row ending"
		else fail "be2 leaves the list within ~1 s (<= 3 s) of its last row ending" "took $delay s"; fi
	else
		fail "be2 leaves the list within ~1 s (<= 3 s) of its last row ending" "still listed after 5 s"
		l4lbctl list | sed 's/^/#   /'
	fi
else
	fail "be2 leaves the list within ~1 s (<= 3 s) of its last row ending" \
		"its rows did not end: $(_be2_rows) left"
	nat_show
fi
expect_eq "the other eight connections are untouched (8 rows, none to be2)" "8 0" \
	"$(nat_len) $(_be2_rows)"

step "clean up"
for c in $OLD; do chat_hush "$c"; done
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_drain"
