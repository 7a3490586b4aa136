#!/bin/sh
# health_announce: l4lb-health --announce and the drain file, on one node.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 \
#       backends=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002
#   ip link add l4lbvip0 type dummy                       (in lb)
#   l4lb-health --interval 0.5 --fall 2 --rise 1 \
#       --announce l4lbvip0 --drain-file /tmp/drain      (in lb)
#
# chatd on be1..be3. No BIRD and no router here: the test watches the
# interface's IFF_UP flag and the daemon's log, which is what BIRD's
# "direct" protocol would follow (l4lb-health(8), ANNOUNCING AND DRAINING).
#
#  1. The interface, down when created, goes up.
#  2. All three servers killed: the backends go down, and so does the
#     interface, with "no usable backend in 10.0.0.1:20000/tcp". Servers
#     back: up again.
#  3. A chat client holds a connection; touch /tmp/drain: the interface
#     goes down ("drained (/tmp/drain)"), the log says "drain: 1
#     connection left", and the held connection still carries a line to
#     its backend. The client quits: "drain: node empty" once its row is
#     gone (timeout_tcp_close, 3 s). rm /tmp/drain: up again.
#  4. The interface deleted: logged once; created again: up again.
#  5. rmmod l4lb: down, "l4lb module not loaded"; insmod: up again.
#  6. SIGTERM: the daemon exits 0 and leaves the interface up.
#
# The image must contain l4lb-health, as for health.sh.
. /vm/lib/common.sh
. /vm/lib/health.sh
plan 23
require_l4lb

HEALTH=$(command -v l4lb-health 2>/dev/null)
[ -n "$HEALTH" ] || HEALTH=$(find / -xdev -type f -name l4lb-health 2>/dev/null | head -n 1)
if [ -z "$HEALTH" ]; then
	skip_rest "l4lb-health is not in the VM image"
	exit 0
fi

LOG=/tmp/health.log
IF=l4lbvip0
DRAIN=/tmp/drain
SVC="$VIP:$VPORT/tcp"

# link_up: IF has IFF_UP (ip shows UP among the flags in <...>).
link_up() {
	n lb ip -o link show dev "$IF" 2>/dev/null | grep -q '[<,]UP[,>]'
}

# link_down: IF exists and has not IFF_UP.
link_down() {
	n lb ip -o link show dev "$IF" >/tmp/link.out 2>/dev/null &&
		! grep -q '[<,]UP[,>]' /tmp/link.out
}

# logged N TEXT: $LOG has exactly N lines "l4lb-health: TEXT".
logged() {
	[ "$(grep -cxF "l4lb-health: $2" "$LOG")" = "$1" ]
}

# serve_chat I: chatd on beI; its pid in BE_PID_I.
serve_chat() {
	rm -f "/tmp/be$1.log"
	bg "/tmp/be$1.log" "be$1" chatd "$((9999 + $1))"
	eval "BE_PID_$1=\$BG_PID"
}

step "set up"
topo_up || die "topology up"
kmsg_mark "health_announce"
lb_up || die "l4lb up"
rm -f "$DRAIN"
serve_chat 1
serve_chat 2
serve_chat 3
serve_ready || die "chatd listens on be1..be3"
# dummy may be built in, or a module in the initramfs (mkinitramfs.sh).
[ -e /sys/module/dummy ] || kmod_load dummy 2>/dev/null
if ! n lb ip link add "$IF" type dummy; then
	skip_rest "no dummy interfaces in this kernel (ip link add $IF type dummy)"
	topo_down
	exit 0
fi
if link_down; then ok "$IF created, down"
else fail "$IF created, down"; diag_file /tmp/link.out; fi

# ------------------------------------------------------ 1. announce ----

step "daemon"
daemon_start --interval 0.5 --fall 2 --rise 1 --announce "$IF" --drain-file "$DRAIN"
check "l4lb-health runs and logged its start with the announce settings" \
	grep -q "^l4lb-health: started: .*, announce $IF, drain-file $DRAIN" "$LOG"
if wait_for 10 link_up && wait_for 5 'logged 1 "announce $IF up"'; then
	ok "$IF goes up, logged once"
else
	fail "$IF goes up, logged once"; diag_file "$LOG"
fi

# ------------------------------------------- 2. no usable backend ----

step "kill every server"
kill -9 "$BE_PID_1" "$BE_PID_2" "$BE_PID_3"
if wait_for 15 link_down; then ok "no backend left: $IF goes down"
else fail "no backend left: $IF goes down"; diag_file "$LOG"; fi
check "log: 'announce $IF down: no usable backend in $SVC', once" \
	logged 1 "announce $IF down: no usable backend in $SVC"
expect_eq "l4lbctl list: every backend down" "3" \
	"$(l4lbctl list 2>/dev/null | awk '$2 == "down"' | wc -l)"

step "servers back"
serve_chat 1
serve_chat 2
serve_chat 3
serve_ready || diag "chatd did not say listen"
if wait_for 15 link_up && wait_for 5 'logged 2 "announce $IF up"'; then
	ok "servers back: $IF up again, logged"
else
	fail "servers back: $IF up again, logged"; diag_file "$LOG"
fi

# ------------------------------------------------------- 3. drain ----

step "drain with a held connection"
wait_nat_len 0 30 >/dev/null || diag "NAT table not empty: $(nat_len) rows"
chat_start held
if wait_for 15 '[ "$(backend_of held)" != none ]'; then
	HELD_BE=$(backend_of held)
	ok "a chat client holds a connection (to $HELD_BE)"
else
	HELD_BE=none
	fail "a chat client holds a connection"; diag_file /tmp/chat.held.err
fi
touch "$DRAIN"
if wait_for 10 link_down; then ok "drain file: $IF goes down"
else fail "drain file: $IF goes down"; diag_file "$LOG"; fi
wait_for 5 'grep -q "drain: " "$LOG"'
check "log: 'announce $IF down: drained ($DRAIN)' and 'drain: 1 connection left'" \
	sh -c "grep -qxF 'l4lb-health: announce $IF down: drained ($DRAIN)' $LOG &&
		grep -qxF 'l4lb-health: drain: 1 connection left' $LOG"
chat_say held "still here while drained"
if wait_for 10 'grep -q "msg .* still here while drained" "/tmp/$HELD_BE.log"'; then
	ok "the held connection still carries a line to $HELD_BE"
else
	fail "the held connection still carries a line to $HELD_BE"
	nat_show; diag_file "/tmp/$HELD_BE.log" 10
fi
check "no 'node empty' while the connection is held" \
	logged 0 "drain: node empty"
chat_quit held >/dev/null
if wait_for 20 'logged 1 "drain: node empty"'; then
	ok "the client quit: 'drain: node empty' (after its row expired)"
else
	fail "the client quit: 'drain: node empty'" "NAT rows: $(nat_len)"
	diag_file "$LOG"
fi
check "still down while the drain file exists" link_down
rm -f "$DRAIN"
if wait_for 10 link_up && wait_for 5 'logged 3 "announce $IF up"' &&
	logged 1 "drain: ended ($DRAIN is gone)"; then
	ok "drain file removed: $IF up again, 'drain: ended' logged"
else
	fail "drain file removed: $IF up again, 'drain: ended' logged"
	diag_file "$LOG"
fi

# ------------------------------------------ 4. interface recreated ----

step "delete and recreate $IF"
n lb ip link del "$IF"
wait_for 5 'grep -q "announce $IF: no such interface" "$LOG"'
sleep 1.5	# three more rounds without the interface
check "a missing interface is logged once" \
	logged 1 "announce $IF: no such interface; trying again every round"
n lb ip link add "$IF" type dummy
if wait_for 10 link_up; then ok "recreated: $IF up again"
else fail "recreated: $IF up again"; diag_file "$LOG"; fi

# ----------------------------------------------- 5. module out, in ----

step "rmmod l4lb"
wait_nat_len 0 30 >/dev/null || diag "NAT table not empty: $(nat_len) rows"
lb_down || diag "rmmod failed"
if wait_for 10 link_down && wait_for 5 'logged 1 "announce $IF down: l4lb module not loaded"'; then
	ok "rmmod: $IF down, 'l4lb module not loaded' logged once"
else
	fail "rmmod: $IF down, 'l4lb module not loaded' logged once"
	diag_file "$LOG"
fi
check "the daemon keeps running without the module" alive "$DAEMON_PID"

step "insmod l4lb"
lb_up || diag "insmod failed"
if wait_for 15 link_up; then ok "insmod: $IF up again"
else fail "insmod: $IF up again"; diag_file "$LOG"; fi

# --------------------------------------------------------- 6. stop ----

step "SIGTERM"
daemon_stop
rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"
check "SIGTERM leaves $IF up" link_up

n lb ip link del "$IF" 2>/dev/null
topo_down
kernel_clean_since "health_announce"
