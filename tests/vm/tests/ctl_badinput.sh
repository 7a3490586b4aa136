#!/bin/sh
# ctl_badinput: l4lbctl's answers to bad commands (l4lbctl(8), EXIT STATUS).
#
# With the reference service up and three connections held open, each bad
# command must exit with its documented code (1: the kernel refused it,
# 2: usage error, nothing sent; 3: module not loaded), print nothing on
# stdout and exactly one line "l4lbctl: ..." on stderr, and change nothing:
# `l4lbctl -j list`, `l4lbctl count` and `l4lbctl -j service` read the same
# before and after each command (the connections are idle, so even the
# byte counters stay put). Service selectors are among the bad input: one
# that names no service (exit 1, "no such service") and malformed ones
# (exit 2). Last, with l4lb removed, l4lbctl exits 3 with the "module not
# loaded" line, while usage errors still exit 2.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 69
require_l4lbctl

# _snap FILE: what must not change.
_snap() {
	_ctl_snapshot "$1"
	l4lbctl -j service >>"$1" 2>&1
}

# _bad RC MSG ARGS...: `l4lbctl ARGS` exits RC with the one stderr line
# MSG, nothing on stdout, and leaves the snapshot unchanged.
_bad() {
	_want=$1 _msg=$2
	shift 2
	_desc="l4lbctl ${*:-(no command)}: exit $_want, $_msg"
	step "$_desc"
	_ctl l4lbctl "$@"
	_why=
	[ "$CTL_RC" = "$_want" ] || _why="$_why exit $CTL_RC;"
	[ -s "$CTL_OUT" ] && _why="$_why stdout not empty;"
	[ "$(wc -l <"$CTL_ERR")" = 1 ] || _why="$_why $(wc -l <"$CTL_ERR") stderr lines;"
	[ "$(cat "$CTL_ERR")" = "$_msg" ] || _why="$_why other message;"
	if l4lb_loaded; then
		_snap /tmp/ctl.snap1
		cmp -s /tmp/ctl.snap0 /tmp/ctl.snap1 || _why="$_why state changed;"
	fi
	if [ -z "$_why" ]; then
		ok "$_desc"
	else
		fail "$_desc" "wrong:$_why"
		_ctl_show
		if l4lb_loaded && ! cmp -s /tmp/ctl.snap0 /tmp/ctl.snap1; then
			diag "before:"; sed 's/^/#   /' /tmp/ctl.snap0
			diag "after:"; sed 's/^/#   /' /tmp/ctl.snap1
			cp /tmp/ctl.snap1 /tmp/ctl.snap0	# report each change once
		fi
	fi
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_badinput"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"
greet_all
serve_ready || diag "greetd not ready"
bg_held conns /tmp/conns.out cli conns -w -t 30 "$VIP" "$VPORT" 3
wait_for 40 'grep -q "^holding" /tmp/conns.out'
if grep -q '^answered 3 of 3$' /tmp/conns.out && wait_nat_len 3 10; then
	ok "three connections held open, 3 rows"
else
	fail "three connections held open, 3 rows" "nat_len: $(nat_len)"; diag_file /tmp/conns.out
fi
# Let the last ACKs pass, so the counters are still from here on.
wait_still 10 1 l4lbctl -j list || diag "the counters still move"
_snap /tmp/ctl.snap0
diag "state before the bad commands:"
sed 's/^/#   /' /tmp/ctl.snap0

step "refused by the kernel: exit 1"
_bad 1 "l4lbctl: backend already exists" add 10.0.1.1:10000
_bad 1 "l4lbctl: backend already exists" add 10.0.3.1:10002 weight 5
_bad 1 "l4lbctl: no such backend" remove 10.9.9.9:1234
_bad 1 "l4lbctl: no such backend" remove 10.9.9.9:1234 --now
_bad 1 "l4lbctl: no such backend" set 10.9.9.9:1234 weight 2
_bad 1 "l4lbctl: no such backend" set 10.0.1.1:10001 down
_bad 1 "l4lbctl: backend must be a unicast IPv4 address" add 224.0.0.1:80
_bad 1 "l4lbctl: backend must be a unicast IPv4 address" add 0.0.0.0:80
_bad 1 "l4lbctl: VIP must be a unicast IPv4 address" service set vip 255.255.255.255
_bad 1 "l4lbctl: unknown scheduler" service set scheduler nosuch
_bad 1 "l4lbctl: timeouts must be 1-604800 seconds" service set timeout tcp 0
_bad 1 "l4lbctl: timeouts must be 1-604800 seconds" service set timeout syn 604801
_bad 1 "l4lbctl: timeouts must be 1-604800 seconds" service set timeout tcpclose 0
_bad 1 "l4lbctl: timeouts must be 1-604800 seconds" service set timeout udpunreplied 604801
# Service selectors that name no service (the only one is $VIP:$VPORT/tcp).
_bad 1 "l4lbctl: no such service" service del 10.9.9.9:20000/tcp
_bad 1 "l4lbctl: no such service" service del "$VIP:$VPORT/udp"
_bad 1 "l4lbctl: no such service" service show "$VIP/udp"
_bad 1 "l4lbctl: no such service" add 10.0.4.1:80 service "$VIP:$VPORT/udp"
_bad 1 "l4lbctl: no such service" remove 10.0.1.1:10000 --now service "$VIP:20001"
_bad 1 "l4lbctl: no such service" set 10.0.1.1:10000 down service 10.9.9.9
_bad 1 "l4lbctl: no such service" list service "$VIP/udp"
_bad 1 "l4lbctl: no such service" flush service "$VIP:$VPORT/udp"

step "usage errors: exit 2"
_bad 2 'l4lbctl: invalid address "10.0.4.1:0"' add 10.0.4.1:0
_bad 2 'l4lbctl: invalid address "10.0.0.300:80"' add 10.0.0.300:80
_bad 2 'l4lbctl: invalid address "10.0.4.1:65536"' add 10.0.4.1:65536
_bad 2 'l4lbctl: invalid address "10.0.4.1"' add 10.0.4.1
_bad 2 'l4lbctl: invalid address "10.0.1.1:0"' remove 10.0.1.1:0
_bad 2 'l4lbctl: invalid weight "70000" (expected 0-65535)' add 10.0.4.1:80 weight 70000
_bad 2 'l4lbctl: invalid weight "-1" (expected 0-65535)' set 10.0.1.1:10000 weight -1
_bad 2 'l4lbctl: missing IP:PORT' add
_bad 2 'l4lbctl: missing IP:PORT' remove
_bad 2 'l4lbctl: missing value after "weight"' add 10.0.4.1:80 weight
_bad 2 'l4lbctl: unknown command "frobnicate"' frobnicate
_bad 2 'l4lbctl: unknown option "-x"' -x list
_bad 2 'l4lbctl: missing command (try "l4lbctl help")'
_bad 2 'l4lbctl: missing weight N, weight-pct N or up|down|drain' set 10.0.1.1:10000
_bad 2 'l4lbctl: service set: nothing to set' service set
_bad 2 'l4lbctl: unknown protocol "sctp" (expected tcp or udp)' service set proto sctp
_bad 2 'l4lbctl: more than one state given (up, down, drain)' set 10.0.1.1:10000 up down
_bad 2 'l4lbctl: more than one state given (up, down, drain)' add 10.0.4.1:80 down drain
# Would drop be1's rows if it were sent.
_bad 2 'l4lbctl: "--now" given twice' remove 10.0.1.1:10000 --now --now
_bad 2 'l4lbctl: invalid port "0" (expected 1-65535)' service set port 0
_bad 2 'l4lbctl: unknown timeout "foo" (expected tcp, tcpfin, tcpclose, udp, udpunreplied or syn)' service set timeout foo 5
_bad 2 'l4lbctl: invalid timeout "3s" (expected seconds)' service set timeout tcpclose 3s
_bad 2 'l4lbctl: missing value after "udpunreplied"' service set timeout udpunreplied
_bad 2 'l4lbctl: unknown service command "frob" (expected show, set or del)' service frob
_bad 2 'l4lbctl: unknown argument "extra"' list extra

step "malformed service selectors: exit 2"
sel='(expected VIP[:PORT][/tcp|/udp])'
_bad 2 "l4lbctl: invalid service \"$VIP:0/tcp\" $sel" service del "$VIP:0/tcp"
_bad 2 "l4lbctl: invalid service \"$VIP:$VPORT/sctp\" $sel" service del "$VIP:$VPORT/sctp"
_bad 2 "l4lbctl: invalid service \"$VIP:$VPORT/TCP\" $sel" service show "$VIP:$VPORT/TCP"
_bad 2 "l4lbctl: invalid service \"$VIP:\" $sel" flush service "$VIP:"
_bad 2 "l4lbctl: invalid service \"10.0.0:20000\" $sel" list service 10.0.0:20000
# Would drop be1's rows if it were sent.
_bad 2 "l4lbctl: invalid service \"$VIP/tcp/udp\" $sel" remove 10.0.1.1:10000 --now service "$VIP/tcp/udp"
_bad 2 "l4lbctl: invalid service \":$VPORT\" $sel" set 10.0.1.1:10000 down service ":$VPORT"
_bad 2 'l4lbctl: missing service (VIP[:PORT][/tcp|/udp])' service del
_bad 2 'l4lbctl: missing value after "service"' add 10.0.4.1:80 service
_bad 2 'l4lbctl: "service" given twice' flush service "$VIP" service "$VIP"
_bad 2 'l4lbctl: unknown argument "--now"' service del "$VIP:$VPORT/tcp" --now

step "nothing changed"
_snap /tmp/ctl.snap1
expect_eq "list, count and service are as before all the bad commands" \
	"$(cat /tmp/ctl.snap0)" "$(cat /tmp/ctl.snap1)"
expect_eq "the three rows are still there (/proc/l4lb/nat)" 3 "$(nat_len)"

step "module not loaded"
release conns 15 >/dev/null
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
_bad 3 "$CTL_NOMOD_MSG" list
_bad 3 "$CTL_NOMOD_MSG" add 10.0.4.1:80
_bad 3 "$CTL_NOMOD_MSG" -j count
_bad 3 "$CTL_NOMOD_MSG" service del "$VIP:$VPORT/tcp"
_bad 2 'l4lbctl: invalid address "10.0.0.300:80"' add 10.0.0.300:80
kernel_clean_since "ctl_badinput"
