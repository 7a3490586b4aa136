#!/bin/sh
# life_stray: packets of a connection whose row is gone.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...
#
# chatd on be1..be3, chat client s1 joins (be1). `l4lbctl flush` removes
# its row. s1's next line is a data packet (ACK/PSH) for the VIP with no
# row: l4lb must not give it a backend. It counts it as `stray` and passes
# it on; the VIP is local and has no socket on port 20000, so the
# balancer's stack answers with a RST and the client sees the connection
# reset. No row is created and be1 never sees the line.
#
# The same for client s2 after rmmod + insmod. A new connection from the
# same client afterwards works.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 12
require_l4lbctl
_life_up

step "chatd on the backends"
serve_all chatd
serve_ready || die "chatd listens"

# stray_case NAME HOW: NAME joins, its row is removed by HOW ("flush" or
# "reload"), NAME says a line. Makes 5 assertions.
stray_case() {
	chat_start "$1"
	wait_for 15 '[ "$(backend_of '"$1"')" != none ] && nat_rows | grep -q " ESTABLISHED "' ||
		die "$1 joined, ESTABLISHED" "$(nat_show)"
	diag "$1 is on $(backend_of "$1")"
	case $2 in
	flush) pp l4lbctl flush ;;
	reload)
		unload_l4lb || die "rmmod l4lb"
		load_l4lb || die "insmod l4lb"
		;;
	esac
	stray0=$(_life_stat stray)
	expect_eq "$2: the table is empty" 0 "$(nat_len)"
	chat_say "$1" "$1 after $2"
	if wait_for 10 '! chat_alive '"$1"; then
		ok "$2: $1's next line is answered with a reset: the client gave up"
	else
		fail "$2: $1's next line is answered with a reset: the client gave up"
	fi
	diag_file "/tmp/chat.$1.err" 5
	st=$(_life_stat stray)
	if [ "$((st - stray0))" -ge 1 ]; then ok "$2: stray counted ($stray0 -> $st)"
	else fail "$2: stray counted" "stray $stray0 -> $st"; diag "$(_life_stats)"; fi
	expect_eq "$2: no new row for it" 0 "$(nat_len)"
	if grep -q "$1 after $2" /tmp/be1.log /tmp/be2.log /tmp/be3.log; then
		fail "$2: no backend got the line"; diag_file /tmp/be1.log
	else
		ok "$2: no backend got the line"
	fi
}

step "flush"
stray_case s1 flush
step "reload"
stray_case s2 reload

step "a new connection works"
chat_start s3
if wait_for 15 '[ "$(backend_of s3)" != none ]'; then ok "a new connection from cli gets a backend ($(backend_of s3))"
else fail "a new connection from cli gets a backend"; nat_show; fi
diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
