#!/bin/sh
# life_linger: with the default timeouts a row goes a few seconds after
# its connection closes.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (no timeout_*)
#
# chatd on be1..be3; six chat clients join (six ESTABLISHED rows). They
# quit one by one, the client closing first (chatd closes in turn): FIN
# both ways, then the closed row lingers timeout_tcp_close (3 s), and the
# expiry worker's marked pass removes it within about a second. So the
# table must read 5, 4, 3, 2, 1, 0, each within 5 s of its client's close
# (polled every 0.2 s; the time each took is reported).
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 9
require_l4lbctl

LIMIT=5

topo_up || die "topology up"
kmsg_mark "life_linger"
load_l4lb vip="$VIP" port="$VPORT" backends="$BACKENDS" ||
	die "insmod l4lb.ko with default timeouts"

step "six clients join"
serve_all chatd
if serve_ready; then ok "chatd listens on be1, be2, be3"
else die "chatd listens on be1, be2, be3"; fi
i=1
while [ $i -le 6 ]; do
	chat_start "c$i"
	wait_for 15 '[ "$(accepts)" -ge '"$i"' ]' || diag "c$i not accepted"
	i=$((i + 1))
done
if wait_for 15 '[ "$(_life_count ESTABLISHED)" = 6 ] && [ "$(nat_len)" = 6 ]'; then
	ok "six rows, all ESTABLISHED"
else
	fail "six rows, all ESTABLISHED" "length $(nat_len)"; nat_show
fi

# _gone_within SECS N: poll until the table length is N, at most SECS
# seconds from $t0 (fractions count); the time it took is in $took.
_gone_within() {
	_end=$(awk -v t="$t0" -v s="$1" 'BEGIN { printf "%.2f", t + s }')
	while :; do
		took=$(num_sub "$(now_s)" "$t0")
		[ "$(nat_len)" = "$2" ] && return 0
		num_le "$(now_s)" "$_end" || return 1
		sleep 0.2
	done
}

want=5
i=1
while [ $i -le 6 ]; do
	step "c$i quits"
	# As chat_quit, but the clock starts at the close.
	read -r h <"/tmp/chat.c$i.holder"
	t0=$(now_s)
	kill "$h"
	if _gone_within "$LIMIT" "$want"; then
		ok "c$i closed: table length $want after $took s (<= $LIMIT)"
	else
		fail "c$i closed: table length $want within $LIMIT s" \
			"length $(nat_len) after $took s"
		nat_show "after c$i quit"
	fi
	read -r p <"/tmp/chat.c$i.pid"
	wait_exit 15 "$p" || diag "chat c$i did not exit"
	want=$((want - 1))
	i=$((i + 1))
done
diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "life_linger"
