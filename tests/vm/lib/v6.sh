# shellcheck shell=sh
# v6.sh - helpers shared by the IPv6 tests (v6_*.sh), on top of common.sh.
# A test sources both, then says its plan:
#
#     . /vm/lib/common.sh
#     . /vm/lib/v6.sh
#     plan 9
#     require_l4lbctl
#     v6_topo_up || die "topology up"
#     v6_lb_up   || die "balancer up"
#
# Everything here is prefixed v6_ (or V6) so it cannot clash with the other
# libraries.
#
# Topology (v6_topo_up): common.sh's topology (topo_up, IPv4 as before),
# plus an IPv6 address on each link, added with nodad so that no address
# waits for duplicate address detection:
#
#   cli 2001:db8::2/64   --- veth-cli 2001:db8::fe/64     \
#   be1 2001:db8:1::1/64 --- veth-be1 2001:db8:1::fe/64    > lb (root netns,
#   be2 2001:db8:2::1/64 --- veth-be2 2001:db8:2::fe/64    |  v6 forwarding=1)
#   be3 2001:db8:3::1/64 --- veth-be3 2001:db8:3::fe/64   /
#
# Each of cli/beN routes by default via lb's address on its link. The VIP
# 2001:db8::1 is not an address of lb: the client routes it (a /128) via
# 2001:db8::fe, and l4lb takes its packets in PRE_ROUTING. V6_VIP_LOCAL=1
# makes it lb's address on veth-cli instead, as the IPv4 VIP 10.0.0.1 is.
# The backends see lb's address on their link, 2001:db8:k::fe, as their
# client (source address selection towards the backend), as IPv4 backends
# see 10.0.k.254.
#
# NAT table. /proc/l4lb/nat prints a v6 endpoint as [ADDR]:PORT, in the
# columns of a v4 row:
#
#   $1 Pro  $2 Client  $3 VIP  $4 Local  $5 Backend  $6 State  $7 Expires
#
# v6_nat_* read only the rows whose client is a v6 endpoint, so a v4
# service beside the v6 one (v6_dual) does not count.
#
# tests/apps speak IPv6 where the tests need it: chatd, greetd and udpecho
# take -6 (listen on [::], log peers as [ADDR]:PORT); chat, conns and
# cycle take a v6 HOST as it is; v6send sends with a hop limit or a
# destination options header.

V6_VIP_LOCAL=${V6_VIP_LOCAL:-0}

VIP6=2001:db8::1
CLI6=2001:db8::2
LB6=2001:db8::fe
# shellcheck disable=SC2034 # used by the tests
BE6_ADDRS="2001:db8:1::1 2001:db8:2::1 2001:db8:3::1"
# lb's address on each backend link: what backend k sees as its client.
# shellcheck disable=SC2034 # used by the tests
LB6_BE="2001:db8:1::fe 2001:db8:2::fe 2001:db8:3::fe"
# shellcheck disable=SC2034 # used by the tests
BE6_1=[2001:db8:1::1]:10000 BE6_2=[2001:db8:2::1]:10001 BE6_3=[2001:db8:3::1]:10002
BACKENDS6="[2001:db8:1::1]:10000,[2001:db8:2::1]:10001,[2001:db8:3::1]:10002"
# The v6 services' selectors.
# shellcheck disable=SC2034 # used by the tests
SVC6="[$VIP6]:$VPORT/tcp" SVC6_UDP="[$VIP6]:$VPORT/udp"

# ---------------------------------------------------------- topology ----

# _v6_nodad NS IF: no duplicate address detection on IF of NS ("" = lb),
# for the addresses added from now on (the link-local one is already there).
_v6_nodad() {
	if [ -n "$1" ]; then
		/usr/sbin/ip netns exec "$1" sh -c "echo 0 >/proc/sys/net/ipv6/conf/$2/accept_dad"
	else
		echo 0 >"/proc/sys/net/ipv6/conf/$2/accept_dad"
	fi
}

# _v6_link NS LBIF LBADDR NSADDR: a v6 address on each end of the veth pair
# LBIF (lb) / eth0 (NS), both /64, and NS's default route via LBADDR.
_v6_link() {
	_v6_nodad "" "$2" && _v6_nodad "$1" eth0 &&
		ip -6 addr add "$3/64" dev "$2" nodad &&
		ip -n "$1" -6 addr add "$4/64" dev eth0 nodad &&
		ip -n "$1" -6 route add default via "$3" dev eth0
}

# v6_topo_up: topo_up, then the v6 addresses and routes above, and v6
# forwarding on lb. Returns non-zero and prints why if any step fails.
v6_topo_up() {
	topo_up || return 1
	echo 1 >/proc/sys/net/ipv6/conf/all/forwarding &&
		_v6_link cli veth-cli "$LB6" "$CLI6" &&
		_v6_link be1 veth-be1 2001:db8:1::fe 2001:db8:1::1 &&
		_v6_link be2 veth-be2 2001:db8:2::fe 2001:db8:2::1 &&
		_v6_link be3 veth-be3 2001:db8:3::fe 2001:db8:3::1 || return 1
	if [ "$V6_VIP_LOCAL" = 1 ]; then
		ip -6 addr add "$VIP6/64" dev veth-cli nodad
	else
		ip -n cli -6 route add "$VIP6/128" via "$LB6" dev eth0
	fi
}

# v6_topo_down: topo_down, and v6 forwarding off again on lb.
v6_topo_down() {
	topo_down
	echo 0 >/proc/sys/net/ipv6/conf/all/forwarding
	return 0
}

# v6_ready: every v6 address of the topology is usable (none tentative)
# and cli reaches each backend through lb (ping, bounded). For a test to
# call once after v6_topo_up, before it counts on the v6 links.
v6_ready() {
	wait_for 10 '[ -z "$(ip -6 addr show tentative)" ] &&
		[ -z "$(ip -n cli -6 addr show tentative)" ] &&
		[ -z "$(ip -n be1 -6 addr show tentative)" ] &&
		[ -z "$(ip -n be2 -6 addr show tentative)" ] &&
		[ -z "$(ip -n be3 -6 addr show tentative)" ]' || return 1
	for _va in $BE6_ADDRS; do
		n cli ping -6 -c 1 -W 5 "$_va" >/dev/null 2>&1 ||
			{ echo "cli cannot ping $_va through lb"; return 1; }
	done
}

# --------------------------------------------------------------- l4lb ----

# v6_svc_up [tcp|udp] [SETTINGS...]: with l4lbctl, the v6 service
# [VIP6]:VPORT of that protocol (default tcp), with SETTINGS (more words of
# `service set`, e.g. timeout udp 600), and be1..be3 as its backends
# ([2001:db8:k::1]:1000(k-1)).
v6_svc_up() {
	_vsp=${1:-tcp}
	[ $# -gt 0 ] && shift
	pp l4lbctl service set vip "$VIP6" port "$VPORT" proto "$_vsp" "$@" ||
		return 1
	for _vsb in $BE6_1 $BE6_2 $BE6_3; do
		pp l4lbctl backend add "$_vsb" service "[$VIP6]:$VPORT/$_vsp" ||
			return 1
	done
}

# v6_lb_up [tcp|udp] [SETTINGS...]: l4lb loaded with no service (its v4
# reference service left out), then v6_svc_up.
v6_lb_up() {
	load_l4lb svc_max=4096 || return 1
	v6_svc_up "$@"
}

# ---------------------------------------------------------- NAT table ----

# v6_nat_rows: the TCP/UDP rows of /proc/l4lb/nat whose client is a v6
# endpoint ([ADDR]:PORT).
v6_nat_rows() {
	_f=$(nat_file) || return 0
	awk '($1 == "TCP" || $1 == "UDP") && substr($2, 1, 1) == "["' "$_f"
}

# v6_nat_len: how many rows v6_nat_rows prints.
v6_nat_len() {
	v6_nat_rows | wc -l | tr -d ' '
}

# v6_wait_nat_len N [SECS]: wait (default 15 s) until v6_nat_len is N.
v6_wait_nat_len() {
	wait_for "${2:-15}" '[ "$(v6_nat_len)" = '"$1"' ]'
}

# v6_nat_pairs: "CLIENT BACKEND" per v6 row, sorted.
v6_nat_pairs() {
	v6_nat_rows | awk '{ print $2, $5 }' | sort
}

# v6_nat_col N: column N of every v6 row, one a line (e.g. 5: backends).
v6_nat_col() {
	v6_nat_rows | awk -v c="$1" '{ print $c }'
}

# v6_ep_addr: [ADDR]:PORT -> ADDR, per line of stdin.
v6_ep_addr() {
	sed -n 's/^\[\([0-9a-fA-F:.]*\)\]:[0-9]*$/\1/p'
}

# v6_be_names: backend [ADDR]:PORT -> be1/be2/be3, anywhere in stdin.
v6_be_names() {
	sed -e 's/\[2001:db8:1::1\]:10000/be1/g' \
		-e 's/\[2001:db8:2::1\]:10001/be2/g' \
		-e 's/\[2001:db8:3::1\]:10002/be3/g'
}

# v6_nat_show [TITLE]: the v6 rows as diagnostics, and the table length.
v6_nat_show() {
	diag "v6 rows of the NAT table${1:+ ($1)}:"
	v6_nat_rows | sed 's/^/#   /'
	diag "table length $(nat_len), v6 rows $(v6_nat_len)"
}

# ---------------------------------------------------------------- apps ----

# v6_serve_all CMD [ARGS]: CMD -6 ARGS PORT on every backend, on its own
# port (be1:10000, be2:10001, be3:10002); logs in /tmp/beN.log.
v6_serve_all() {
	_vsa_cmd=$1
	shift
	_vsa_i=1
	for _vsa_port in $BE_PORTS; do
		rm -f "/tmp/be$_vsa_i.log"
		bg "/tmp/be$_vsa_i.log" "be$_vsa_i" "$_vsa_cmd" -6 "$@" "$_vsa_port"
		_vsa_i=$((_vsa_i + 1))
	done
}

# v6_greet_all: greetd -6 on every backend, on its own port, answering each
# connection with the backend's name (be1, be2, be3); waits (bounded)
# until all three logged "listen".
v6_greet_all() {
	_vga_i=1
	for _vga_port in $BE_PORTS; do
		rm -f "/tmp/be$_vga_i.log"
		bg "/tmp/be$_vga_i.log" "be$_vga_i" greetd -6 "$_vga_port" "be$_vga_i"
		_vga_i=$((_vga_i + 1))
	done
	serve_ready
}

# v6_udpecho_all: udpecho -6 on every backend, on its own port, answering
# "beK DATAGRAM"; waits (bounded) until all three are bound.
v6_udpecho_all() {
	_vua_i=1
	for _vua_port in $BE_PORTS; do
		bg "/tmp/be$_vua_i.log" "be$_vua_i" udpecho -6 "$_vua_port" "be$_vua_i"
		_vua_i=$((_vua_i + 1))
	done
	backends_listen udp
}

# v6_backend_of NAME: which backend (be1/be2/be3) logged "NAME joined"
# (chatd -6 logs peers as [ADDR]:PORT).
v6_backend_of() {
	for _vbo in be1 be2 be3; do
		grep -q "^msg \[[0-9a-f:]*\]:[0-9]* $1 joined\$" "/tmp/$_vbo.log" 2>/dev/null &&
			{ echo "$_vbo"; return 0; }
	done
	echo none
}

# v6_peers BE: the peer addresses backend BE (be1..be3) logged as
# "accept [ADDR]:PORT", sorted, unique, space separated.
v6_peers() {
	sed -n 's/^accept \[\([0-9a-f:]*\)\]:[0-9]*$/\1/p' "/tmp/$1.log" 2>/dev/null |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}
