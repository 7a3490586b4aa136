#!/bin/sh
# ctl_perm: l4lbctl without CAP_NET_ADMIN.
#
# The mutating commands (add, remove, set, service set, service del, flush,
# with or without a service selector) need CAP_NET_ADMIN
# (GENL_UNS_ADMIN_PERM); without it l4lbctl must exit 4 with
# "l4lbctl: permission denied (CAP_NET_ADMIN required)" and nothing may
# change. The read commands (list, nat, count, stats, service, service
# show SEL, list service SEL) must work and show the same as with the
# capability.
#
# The process stays uid 0 and only loses CAP_NET_ADMIN, from its bounding
# and inheritable sets, so that it is not regained at exec:
#   /usr/bin/setpriv --bounding-set=-net_admin --inh-caps=-net_admin CMD
# (uid 0 rather than an unprivileged uid: those cannot read the VM's shared
# libraries. The full path: busybox has a setpriv applet of its own.)
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 25
require_l4lbctl

NOCAP="/usr/bin/setpriv --bounding-set=-net_admin --inh-caps=-net_admin"

# _snap FILE: the state the refused commands must not change.
_snap() {
	{
		l4lbctl -j list
		l4lbctl count
		l4lbctl -j service
		_ctl_nat_map
	} >"$1" 2>&1
}

# _read DESC ARGS...: `l4lbctl ARGS` works without CAP_NET_ADMIN and
# prints what it prints with it (the command FILTER is applied to both).
_read() {
	_rd=$1
	shift
	step "$_rd"
	l4lbctl "$@" 2>&1 | $FILTER >/tmp/ctl.want
	# shellcheck disable=SC2086
	_ctl $NOCAP l4lbctl "$@"
	$FILTER <"$CTL_OUT" >/tmp/ctl.got
	if [ "$CTL_RC" = 0 ] && ! [ -s "$CTL_ERR" ] && [ -s /tmp/ctl.got ] &&
		cmp -s /tmp/ctl.want /tmp/ctl.got; then
		ok "$_rd"
	else
		fail "$_rd" "l4lbctl $* without CAP_NET_ADMIN:"
		_ctl_show
		diag "with CAP_NET_ADMIN (filtered):"
		sed 's/^/#   /' /tmp/ctl.want
	fi
}

# _no_gc: stdin without the expiry worker's counters (gc_runs, gc_nsecs).
_no_gc() { grep -v '^gc_'; }

# _refused ARGS...: `l4lbctl ARGS` exits 4 with the permission line.
_refused() {
	# shellcheck disable=SC2086
	_ctl_fails "without CAP_NET_ADMIN: l4lbctl $* exits 4, permission denied" \
		4 "$CTL_PERM_MSG" $NOCAP l4lbctl "$@"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_perm"
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
# Idle from here on: the counters stay put.
wait_still 10 1 l4lbctl -j list || diag "the counters still move"

step "setpriv drops CAP_NET_ADMIN"
status=$($NOCAP cat /proc/self/status)
capeff=$(echo "$status" | sed -n 's/^CapEff:[[:space:]]*//p')
capbnd=$(echo "$status" | sed -n 's/^CapBnd:[[:space:]]*//p')
uid=$(echo "$status" | sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p')
diag "under setpriv: Uid $uid, CapEff $capeff, CapBnd $capbnd"
# CAP_NET_ADMIN is bit 12.
if [ -n "$capeff" ] && [ "$(( (0x$capeff >> 12) & 1 ))$(( (0x$capbnd >> 12) & 1 ))" = 00 ] &&
	[ "$(( (0x$capeff >> 21) & 1 ))" = 1 ] && [ "$uid" = 0 ]; then
	ok "under setpriv: uid 0, CAP_NET_ADMIN gone, other capabilities (CAP_SYS_ADMIN) kept"
else
	fail "under setpriv: uid 0, CAP_NET_ADMIN gone, other capabilities (CAP_SYS_ADMIN) kept"
fi

step "read commands without CAP_NET_ADMIN"
_snap /tmp/ctl.snap0
FILTER="cat"
_read "without CAP_NET_ADMIN: list works, same output" list
_read "without CAP_NET_ADMIN: -j list works, same output" -j list
# The rows' EXPIRES count down: compare client and backend only.
FILTER=_ctl_nat_pairs
_read "without CAP_NET_ADMIN: -j nat works, same rows" -j nat
FILTER="cat"
_read "without CAP_NET_ADMIN: count works, same output" count
# The expiry worker's counters move on their own, once a second.
FILTER=_no_gc
_read "without CAP_NET_ADMIN: stats works, same output" stats
FILTER="cat"
_read "without CAP_NET_ADMIN: -j service works, same output" -j service
_read "without CAP_NET_ADMIN: service show $VIP:$VPORT/tcp works, same output" \
	service show "$VIP:$VPORT/tcp"
_read "without CAP_NET_ADMIN: -j list service $VIP works, same output" \
	-j list service "$VIP"

step "mutating commands without CAP_NET_ADMIN"
_refused add 10.0.4.1:80
_refused remove 10.0.3.1:10002
_refused remove 10.0.1.1:10000 --now
_refused set 10.0.1.1:10000 weight 5
_refused service set timeout tcp 300
_refused flush
_refused flush service "$VIP:$VPORT/tcp"
_refused add 10.0.4.1:80 service "$VIP:$VPORT/tcp"
_refused service set vip "$VIP" port "$VPORT" proto udp
_refused service del "$VIP:$VPORT/tcp"
_snap /tmp/ctl.snap1
expect_eq "nothing changed: list, count, service, NAT rows" \
	"$(cat /tmp/ctl.snap0)" "$(cat /tmp/ctl.snap1)"

step "the same commands with CAP_NET_ADMIN"
okc=0
for cmd in "add 10.0.4.1:80" "set 10.0.1.1:10000 weight 5" "service set timeout tcp 300" \
	"remove 10.0.4.1:80" "remove 10.0.3.1:10002 --now" "flush"; do
	# shellcheck disable=SC2086
	if _ctl l4lbctl $cmd; then okc=$((okc + 1)); else diag "l4lbctl $cmd:"; _ctl_show; fi
done
expect_eq "with CAP_NET_ADMIN they succeed (and flush empties the table)" "6 0" "$okc $(l4lbctl count)"

step "clean up"
release conns 15 >/dev/null
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_perm"
