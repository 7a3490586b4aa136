#!/bin/sh
# svc_multi: a TCP and a UDP service on one VIP:port, 10.0.0.1:20000.
#
# The module parameters make the reference TCP service (be1:10000,
# be2:10001, be3:10002, greetd answering t-be1, t-be2, t-be3). l4lbctl adds
# a UDP service on the same VIP:port, with its own backends on other ports:
# be1:10100 and be2:10101, udpecho answering "u-be1 ..." and "u-be2 ...".
# Checked:
#   - both services are listed (`l4lbctl service`, text and JSON), each
#     with its own backends (`l4lbctl -j list`, `list service SEL`);
#   - TCP connections to 10.0.0.1:20000 go to the TCP backends, round
#     robin; UDP datagrams to 10.0.0.1:20000 go to the UDP backends, round
#     robin; each row of the NAT table goes to a backend of its protocol;
#   - a command without a selector, or with one that matches both, fails
#     with exit 1 and "several services match ...", and changes nothing;
#   - `service show SEL` picks one; malformed selectors fail with exit 2;
#   - `flush service 10.0.0.1/udp` removes the UDP rows only;
#   - `service del 10.0.0.1:20000/udp` removes the UDP service, its
#     backends and its rows at once; the TCP service, its backends and its
#     connections stay and new TCP connections still work; UDP to the VIP
#     reaches no UDP backend any more; with one service left, commands
#     need no selector again.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 38
require_l4lbctl

SEVERAL='l4lbctl: several services match: give VIP, port and protocol'
SEL_SYNTAX='(expected VIP[:PORT][/tcp|/udp])'
UDP_BES="10.0.1.1:10100 10.0.2.1:10101"

# _udp_send NAME...: one datagram "NAME" from cli to the VIP per NAME, each
# from a new socket (so a new flow), one after another; each reply line
# (or nothing) goes to /tmp/udp.NAME.out.
_udp_send() {
	for _un in "$@"; do
		echo "$_un" | n cli socat -t 2 - "UDP4:$VIP:$VPORT" \
			>"/tmp/udp.$_un.out" 2>/dev/null
	done
}

# _udp_answers NAME...: the first word of each reply ("u-be1", ...; "-"
# for no reply), one line.
_udp_answers() {
	for _un in "$@"; do
		_ua=$(awk 'NR == 1 { print $1 }' "/tmp/udp.$_un.out" 2>/dev/null)
		printf '%s ' "${_ua:--}"
	done | sed 's/ $//'
}

# _rows PROTO: NAT rows of PROTO (TCP or UDP), as "BACKEND" lines, sorted.
_rows() {
	awk -v p="$1" '$1 == p { print $5 }' /proc/l4lb/nat | sort
}

# _row_count PROTO
_row_count() {
	awk -v p="$1" '$1 == p' /proc/l4lb/nat | wc -l
}

# _snap FILE: what the refused commands must not change.
_snap() {
	{
		l4lbctl -j service
		l4lbctl -j list
		l4lbctl count
	} >"$1" 2>&1
}

# _several DESC ARGS...: `l4lbctl ARGS` fails with exit 1 and SEVERAL.
_several() {
	_d=$1
	shift
	_ctl_fails "$_d" 1 "$SEVERAL" l4lbctl "$@"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "svc_multi"
lb_up || die "l4lb up"
ok "l4lb up with the reference TCP service 10.0.0.1:20000"

step "the UDP service on the same VIP:port"
_ctl_ok "service set vip $VIP port $VPORT proto udp: creates a second service" \
	l4lbctl service set vip "$VIP" port "$VPORT" proto udp
added=0
for be in $UDP_BES; do
	if _ctl l4lbctl add "$be" service "$VIP:$VPORT/udp" && ! [ -s "$CTL_ERR" ]; then
		added=$((added + 1))
	else
		diag "l4lbctl add $be service $VIP:$VPORT/udp:"
		_ctl_show
	fi
done
expect_eq "add $UDP_BES service $VIP:$VPORT/udp: both exit 0" 2 "$added"

step "both services are listed"
expect_eq "-j service: two services, tcp then udp" \
	"10.0.0.1:20000/tcp,10.0.0.1:20000/udp" \
	"$(_ctl_svcs | tr '\n' , | sed 's/,$//')"
l4lbctl service >/tmp/svc.txt 2>&1
sed 's/^/#   /' /tmp/svc.txt
expect_eq "service (text): a block per service, headed 'service VIP:PORT/PROTO'" \
	"service 10.0.0.1:20000/tcp|proto tcp|service 10.0.0.1:20000/udp|proto udp" \
	"$(grep -E '^(service|proto) ' /tmp/svc.txt | tr '\n' '|' | sed 's/|$//')"
expect_eq "-j list: each backend with its service" \
	"10.0.1.1:10000 10.0.0.1:20000/tcp,10.0.2.1:10001 10.0.0.1:20000/tcp,10.0.3.1:10002 10.0.0.1:20000/tcp,10.0.1.1:10100 10.0.0.1:20000/udp,10.0.2.1:10101 10.0.0.1:20000/udp" \
	"$(_ctl_backends_svc | tr '\n' , | sed 's/,$//')"
l4lbctl list | sed 's/^/#   /'
expect_eq "list service $VIP/udp: only the UDP service's backends" \
	"10.0.1.1:10100,10.0.2.1:10101" \
	"$(l4lbctl -j list service "$VIP/udp" | jq -r '[.[].backend] | join(",")')"
r=$(l4lbctl -j service show "$VIP:$VPORT/tcp" 2>&1)
diag "l4lbctl -j service show $VIP:$VPORT/tcp: $r"
expect_eq "-j service show $VIP:$VPORT/tcp: an array of one, the TCP service" \
	"1|10.0.0.1 20000 tcp rr" \
	"$(echo "$r" | json_len)|$(echo "$r" | json_col vip port proto scheduler)"
expect_eq "service show $VIP/udp (text): the UDP service alone" \
	"service 10.0.0.1:20000/udp|proto udp" \
	"$(l4lbctl service show "$VIP/udp" 2>&1 | grep -E '^(service|proto) ' | tr '\n' '|' | sed 's/|$//')"

step "traffic: TCP to the TCP backends, UDP to the UDP backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/be$i.log" "be$i" greetd "$port" "t-be$i"
	i=$((i + 1))
done
bg /tmp/ube1.log be1 udpecho 10100 u-be1
bg /tmp/ube2.log be2 udpecho 10101 u-be2
wait_for 10 'serve_ready && grep -q ^listen /tmp/ube1.log && grep -q ^listen /tmp/ube2.log' ||
	diag "servers not ready"
bg_held conns /tmp/conns.out cli conns -w -t 30 "$VIP" "$VPORT" 3
wait_for 40 'grep -q "^holding" /tmp/conns.out'
answers() { awk '$1 == "conn" { printf "%s ", $4 }' "$1" | sed 's/ $//'; }
expect_eq "3 TCP connections to $VIP:$VPORT: answered by t-be1 t-be2 t-be3 (round robin)" \
	"t-be1 t-be2 t-be3" "$(answers /tmp/conns.out)"
_udp_send c1 c2 c3 c4
expect_eq "4 UDP flows to $VIP:$VPORT: answered by u-be1 u-be2 u-be1 u-be2 (round robin)" \
	"u-be1 u-be2 u-be1 u-be2" "$(_udp_answers c1 c2 c3 c4)"
nat_show "3 TCP and 4 UDP flows"
expect_eq "NAT rows: TCP ones to the TCP backends, UDP ones to the UDP backends" \
	"10.0.1.1:10000 10.0.2.1:10001 10.0.3.1:10002|10.0.1.1:10100 10.0.1.1:10100 10.0.2.1:10101 10.0.2.1:10101" \
	"$(_rows TCP | tr '\n' ' ' | sed 's/ $//')|$(_rows UDP | tr '\n' ' ' | sed 's/ $//')"

step "ambiguous commands are refused"
_snap /tmp/svc.snap0
_several "add without a selector: exit 1, several services match" add 10.0.3.1:10103
_several "service set without a selector: exit 1, several services match" service set scheduler wrr
_several "service show $VIP:$VPORT (both match): exit 1, several services match" \
	service show "$VIP:$VPORT"
_several "list service $VIP: exit 1, several services match" list service "$VIP"
_snap /tmp/svc.snap1
if cmp -s /tmp/svc.snap0 /tmp/svc.snap1; then ok "the refused commands changed nothing"
else
	fail "the refused commands changed nothing"
	diag "before:"; sed 's/^/#   /' /tmp/svc.snap0
	diag "after:"; sed 's/^/#   /' /tmp/svc.snap1
fi

step "malformed selectors: exit 2"
_ctl_fails "service del $VIP:$VPORT/sctp: exit 2" 2 \
	"l4lbctl: invalid service \"$VIP:$VPORT/sctp\" $SEL_SYNTAX" \
	l4lbctl service del "$VIP:$VPORT/sctp"
_ctl_fails "service del $VIP:0/udp: exit 2" 2 \
	"l4lbctl: invalid service \"$VIP:0/udp\" $SEL_SYNTAX" \
	l4lbctl service del "$VIP:0/udp"
_ctl_fails "list service $VIP: (empty port): exit 2" 2 \
	"l4lbctl: invalid service \"$VIP:\" $SEL_SYNTAX" \
	l4lbctl list service "$VIP:"
_ctl_fails "service del without a selector: exit 2" 2 \
	"l4lbctl: missing service (VIP[:PORT][/tcp|/udp])" \
	l4lbctl service del

step "flush one service's rows"
_ctl_ok "flush service $VIP/udp" l4lbctl flush service "$VIP/udp"
expect_eq "after flush service $VIP/udp: 0 UDP rows, the 3 TCP rows stay" \
	"0 3" "$(_row_count UDP) $(_row_count TCP)"

step "delete the UDP service"
_udp_send d1 d2
expect_eq "UDP flows again (u-be1 u-be2), 2 UDP rows" "u-be1 u-be2 2" \
	"$(_udp_answers d1 d2) $(_row_count UDP)"
_ctl_ok "service del $VIP:$VPORT/udp" l4lbctl service del "$VIP:$VPORT/udp"
expect_eq "at once: 0 UDP rows, the 3 TCP rows stay" "0 3" \
	"$(_row_count UDP) $(_row_count TCP)"
expect_eq "-j service: only the TCP service" "10.0.0.1:20000/tcp" \
	"$(_ctl_svcs | tr '\n' , | sed 's/,$//')"
expect_eq "-j list: only the TCP backends" \
	"10.0.1.1:10000 10.0.0.1:20000/tcp,10.0.2.1:10001 10.0.0.1:20000/tcp,10.0.3.1:10002 10.0.0.1:20000/tcp" \
	"$(_ctl_backends_svc | tr '\n' , | sed 's/,$//')"
_ctl_fails "service del $VIP:$VPORT/udp again: exit 1, no such service" 1 \
	"l4lbctl: no such service" l4lbctl service del "$VIP:$VPORT/udp"
_udp_send e1
expect_eq "UDP to $VIP:$VPORT reaches no UDP backend any more" "-" "$(_udp_answers e1)"
expect_eq "and makes no row" 0 "$(_row_count UDP)"

step "the TCP service still works"
bg_held conns2 /tmp/conns2.out cli conns -w -t 30 "$VIP" "$VPORT" 3
wait_for 40 'grep -q "^holding" /tmp/conns2.out'
expect_eq "3 new TCP connections: answered by t-be1 t-be2 t-be3" \
	"t-be1 t-be2 t-be3" "$(answers /tmp/conns2.out)"
expect_eq "6 TCP rows (the 3 old connections kept theirs)" 6 "$(_row_count TCP)"
_ctl_ok "one service left: set without a selector works again" \
	l4lbctl set 10.0.1.1:10000 weight 1
expect_eq "one service left: service show $VIP picks it" "tcp" \
	"$(l4lbctl service show "$VIP" | awk '$1 == "proto" { print $2 }')"

step "clean up"
release conns 15 >/dev/null
release conns2 15 >/dev/null
wait_nat_len 0 20 || diag "NAT table length: $(nat_len)"
expect_eq "the 6 TCP connections closed: table empty" 0 "$(nat_len)"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "svc_multi"
