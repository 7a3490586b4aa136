#!/bin/sh
# ctl_remove_now: `l4lbctl remove IP:PORT --now` under traffic.
#
# Each backend runs a streaming server (socat, one shell per connection
# printing "beN tick" every 0.5 s). Six chat clients connect (round robin:
# test2 and test5 on be2). Then `l4lbctl remove 10.0.2.1:10001 --now`:
#   - be2's rows are gone from /proc/l4lb/nat at once (right when l4lbctl
#     returns), the other four are untouched, and be2 leaves the list;
#   - l4lb itself sends nothing. The next packet of either end finds no row
#     and goes to the balancer's own stack, which owns the VIP (10.0.0.1)
#     and the SNAT address (10.0.2.254) but has no socket for them, so it
#     answers with a TCP RST:
#       * be2's server learns at its next tick: its connections end;
#       * test2 and test5 learn when they send a line: chat's read fails
#         with "Connection reset by peer" (an EOF would do too) and it
#         exits within a few seconds;
#   - the clients on be1 and be3 keep receiving their ticks.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 13
require_l4lbctl

ALL="test1 test2 test3 test4 test5 test6"
KEEP="test1 test3 test4 test6"

# _ticks NAME: which backend's ticks chat client NAME gets ("none" yet).
_ticks() {
	_t=$(sed -n 's/^\(be[123]\) tick$/\1/p' "/tmp/chat.$1.out" 2>/dev/null | sort -u | tr '\n' ' ')
	echo "${_t% }" | sed 's/^$/none/'
}

# _be2_established: established TCP connections of be2's server.
_be2_established() {
	n be2 ss -Htn state established 2>/dev/null | grep -c ':10001 '
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_remove_now"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"

step "streaming servers on the backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/be$i.log" "be$i" socat -d -d TCP-LISTEN:$port,reuseaddr,fork \
		SYSTEM:"while echo be$i tick; do sleep 0.5; done"
	i=$((i + 1))
done
if backends_listen; then ok "streaming servers listen on be1, be2, be3"
else fail "streaming servers listen on be1, be2, be3"; diag_file /tmp/be1.log; fi

step "six clients connect"
for c in $ALL; do
	chat_start "$c"
	wait_for 15 '[ "$(_ticks '"$c"')" != none ]' || diag "$c gets no ticks"
done
expect_eq "round robin: be1 be2 be3 be1 be2 be3" "be1 be2 be3 be1 be2 be3" \
	"$(for c in $ALL; do printf '%s ' "$(_ticks "$c")"; done | sed 's/ $//')"
if wait_nat_len 6 10; then ok "NAT table has 6 rows"
else fail "NAT table has 6 rows" "got: $(nat_len)"; fi
_ctl_nat_map | grep -v " $BE2\$" >/tmp/ctl.keep
nat_show "before remove --now"
diag "be2 server connections: $(_be2_established)"

step "remove be2 --now"
_ctl l4lbctl remove "$BE2" --now
rc=$CTL_RC
proc_be2=$(_ctl_proc_pairs | grep -c " $BE2\$")
len=$(nat_len)
if [ "$rc" = 0 ] && ! [ -s "$CTL_ERR" ]; then ok "l4lbctl remove $BE2 --now exits 0"
else fail "l4lbctl remove $BE2 --now exits 0"; _ctl_show; fi
expect_eq "at once: no be2 row left in /proc/l4lb/nat, 4 rows in all" "0 4" "$proc_be2 $len"
nat_show "right after remove --now"
expect_eq "l4lbctl -j nat: the other four rows are untouched" \
	"$(cat /tmp/ctl.keep)" "$(_ctl_nat_map)"
if _ctl_wait_gone "$BE2" 3; then ok "be2 is no longer listed"
else fail "be2 is no longer listed"; l4lbctl list | sed 's/^/#   /'; fi

step "be2's server learns at its next packet"
# Its next tick finds no row; the balancer's stack resets it.
if wait_for 10 '[ "$(_be2_established)" = 0 ]'; then
	ok "be2's server connections end (its next tick is answered with RST)"
else
	fail "be2's server connections end (its next tick is answered with RST)" \
		"still established: $(_be2_established)"
	n be2 ss -tn | sed 's/^/#   /'
fi

step "the clients of be2 learn when they send"
diag "before sending: test2 $(chat_alive test2 && echo alive || echo gone), test5 $(chat_alive test5 && echo alive || echo gone)"
chat_say test2 "anyone there?"
chat_say test5 "anyone there?"
if wait_for 10 '! chat_alive test2 && ! chat_alive test5'; then
	why=""
	for c in test2 test5; do
		grep -qiE 'reset|closed' "/tmp/chat.$c.err" && why="$why $c"
		diag "$c: $(cat "/tmp/chat.$c.err")"
	done
	expect_eq "test2 and test5 end with a reset or EOF within 10 s of sending" \
		" test2 test5" "$why"
else
	fail "test2 and test5 end with a reset or EOF within 10 s of sending" \
		"alive: test2 $(chat_alive test2 && echo yes || echo no), test5 $(chat_alive test5 && echo yes || echo no)"
fi
l4lbctl stats | grep -E '^(conns|stray) ' | sed 's/^/#   /'

step "the other clients keep receiving"
# shellcheck disable=SC2086
lines0=$(for c in $KEEP; do printf '%s ' "$(_ctl_lines "$c")"; done)
sleep 2
# shellcheck disable=SC2086
lines1=$(for c in $KEEP; do printf '%s ' "$(_ctl_lines "$c")"; done)
alive=0
for c in $KEEP; do chat_alive "$c" && alive=$((alive + 1)); done
if [ "$alive" = 4 ] && echo "$lines0| $lines1" | awk -F'|' '{
	n = split($1, a, " "); split($2, b, " ")
	for (i = 1; i <= n; i++) if (b[i] + 0 <= a[i] + 0) exit 1
	exit n == 4 ? 0 : 1 }'; then
	ok "test1, test3, test4, test6 are still connected and receiving"
else
	fail "test1, test3, test4, test6 are still connected and receiving" \
		"alive: $alive of 4; lines 2 s apart: $lines0 -> $lines1"
fi

step "clean up"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_remove_now"
