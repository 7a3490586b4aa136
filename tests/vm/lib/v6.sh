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
# v6send take a v6 HOST as it is; v6send also sets a hop limit or a
# destination options header and reports ICMPv6 errors.

V6_VIP_LOCAL=${V6_VIP_LOCAL:-0}

VIP6=2001:db8::1
V6_VIP_FULL=2001:0db8:0000:0000:0000:0000:0000:0001	# as nf_conntrack writes it
CLI6=2001:db8::2
LB6=2001:db8::fe
# shellcheck disable=SC2034 # used by the tests
BE6_ADDRS="2001:db8:1::1 2001:db8:2::1 2001:db8:3::1"
# lb's address on each backend link: what backend k sees as its client.
# shellcheck disable=SC2034 # used by the tests
LB6_BE="2001:db8:1::fe 2001:db8:2::fe 2001:db8:3::fe"
# shellcheck disable=SC2034 # used by the tests
BE6_1='[2001:db8:1::1]:10000' BE6_2='[2001:db8:2::1]:10001' BE6_3='[2001:db8:3::1]:10002'
# shellcheck disable=SC2034 # used by the tests
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
		ip -n cli -6 route add "$VIP6/128" via "$LB6" dev eth0 || return 1
		# The VIP is in the client link's prefix: a packet l4lb passes
		# on (no service) is forwarded back out of that link, and lb's
		# redirect would send the client's next SYN on-link, to no one.
		/usr/sbin/ip netns exec cli sh -c \
			'echo 0 >/proc/sys/net/ipv6/conf/all/accept_redirects;
			 echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_redirects'
	fi
}

# dual_topo_up: the topology of a test that covers both families, set up
# once: v6_topo_up and v6_ready, or only topo_up if the run leaves IPv6
# out (has_family; its cases are then skipped, require_family).
dual_topo_up() {
	if has_family 6; then
		v6_topo_up && v6_ready
	else
		topo_up
	fi
}

# v6_vip_local on|off: make the VIP an address of lb (a /128 on lo) or
# not again; nothing with V6_VIP_LOCAL=1, where it is one anyway. Packets
# to a local VIP that l4lb passes on untranslated are delivered to lb's
# own stack instead of being forwarded, which tells the two apart.
v6_vip_local() {
	[ "$V6_VIP_LOCAL" = 1 ] && return 0
	case $1 in
	on) ip -6 addr add "$VIP6/128" dev lo nodad ;;
	*) ip -6 addr del "$VIP6/128" dev lo ;;
	esac
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
	for _vsb in "$BE6_1" "$BE6_2" "$BE6_3"; do
		pp l4lbctl backend add "$_vsb" service "[$VIP6]:$VPORT/$_vsp" ||
			return 1
	done
}

# v6_lb_up [tcp|udp] [SETTINGS...]: l4lb loaded with no service (its v4
# reference service left out), then v6_svc_up. LB_IMPL=nft: the nftables
# reference balancer instead (table ip6 reflb6: dnat numgen + masquerade,
# TCP only, no SETTINGS), as common.sh's lb_up builds it for IPv4.
v6_lb_up() {
	case $LB_IMPL in
	l4lb)
		load_l4lb svc_max=4096 || return 1
		v6_svc_up "$@"
		;;
	nft)
		kmod_load nft_numgen && kmod_load nft_nat && kmod_load nft_masq &&
			kmod_load nft_chain_nat && kmod_load nft_ct || return 1
		nft -f - <<EOF
table ip6 reflb6 {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip6 daddr $VIP6 tcp dport $VPORT dnat to numgen inc mod 3 map { 0 : 2001:db8:1::1 . 10000, 1 : 2001:db8:2::1 . 10001, 2 : 2001:db8:3::1 . 10002 }
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ct status dnat oifname { "veth-be1", "veth-be2", "veth-be3" } masquerade
	}
}
EOF
		;;
	*)
		echo "v6_lb_up: unknown LB_IMPL=$LB_IMPL" >&2
		return 1
		;;
	esac
}

# v6_lb_down: stop the balancer v6_lb_up started (l4lb: rmmod).
v6_lb_down() {
	case $LB_IMPL in
	l4lb) unload_l4lb ;;
	nft) nft delete table ip6 reflb6 ;;
	esac
}

# ---------------------------------------------------------- NAT table ----

# v6_nat_rows: the TCP/UDP rows of /proc/l4lb/nat whose client is a v6
# endpoint ([ADDR]:PORT). LB_IMPL=nft: the conntrack rows to the v6 VIP
# (nf_conntrack writes addresses in full, 2001:0db8:...).
v6_nat_rows() {
	case $LB_IMPL in
	nft)
		grep "^ipv6 .* dst=$V6_VIP_FULL sport=[0-9]* dport=$VPORT " \
			/proc/net/nf_conntrack 2>/dev/null
		return 0
		;;
	esac
	_f=$(nat_file) || return 0
	awk '($1 == "TCP" || $1 == "UDP") && substr($2, 1, 1) == "["' "$_f"
}

# v6_nat_len: how many rows v6_nat_rows prints (LB_IMPL=nft: those
# ESTABLISHED, as common.sh's nat_len counts them).
v6_nat_len() {
	case $LB_IMPL in
	nft) v6_nat_rows | grep -c " ESTABLISHED " ;;
	*) v6_nat_rows | wc -l | tr -d ' ' ;;
	esac
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
	sed -n 's/^\[\([0-9a-fA-F:.]*\)]:[0-9]*$/\1/p'
}

# v6_be_names: backend [ADDR]:PORT -> be1/be2/be3, anywhere in stdin.
v6_be_names() {
	sed -e 's/\[2001:db8:1::1]:10000/be1/g' \
		-e 's/\[2001:db8:2::1]:10001/be2/g' \
		-e 's/\[2001:db8:3::1]:10002/be3/g'
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

# v6_udpecho_all [NAME]: udpecho -6 on every backend, on its own port,
# answering "beK DATAGRAM", logging to /tmp/NAMEk.log (default NAME: be,
# /tmp/be1.log ...); waits (bounded) until all three are bound.
v6_udpecho_all() {
	_vua_i=1
	for _vua_port in $BE_PORTS; do
		bg "/tmp/${1:-be}$_vua_i.log" "be$_vua_i" udpecho -6 "$_vua_port" "be$_vua_i"
		_vua_i=$((_vua_i + 1))
	done
	backends_listen udp
}

# v6_backend_of NAME: which backend (be1/be2/be3) logged "NAME joined"
# (chatd -6 logs peers as [ADDR]:PORT).
v6_backend_of() {
	for _vbo in be1 be2 be3; do
		grep -q "^msg \[[0-9a-f:]*]:[0-9]* $1 joined\$" "/tmp/$_vbo.log" 2>/dev/null &&
			{ echo "$_vbo"; return 0; }
	done
	echo none
}

# v6_peers BE: the peer addresses backend BE (be1..be3) logged as
# "accept [ADDR]:PORT", sorted, unique, space separated.
v6_peers() {
	sed -n 's/^accept \[\([0-9a-f:]*\)]:[0-9]*$/\1/p' "/tmp/$1.log" 2>/dev/null |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------- chat ----

# v6_chat_scenario: common.sh's chat_scenario over IPv6, against whatever
# balancer v6_lb_up started: chatd -6 on be1..be3, clients test1..test6
# join one after another through [VIP6]:VPORT, round robin puts
# test1+test4 on be1, test2+test5 on be2, test3+test6 on be3; messages stay
# within a server; server k sees only lb's 2001:db8:k::fe; the v6 rows grow
# to 6 and shrink back to 0 as the clients quit. Makes
# V6_CHAT_SCENARIO_TESTS assertions. CHATD_OPTS: more options for chatd.
# shellcheck disable=SC2034 # used by the tests
V6_CHAT_SCENARIO_TESTS=16
v6_chat_scenario() {
	step "start chatd -6 on the backends"
	# shellcheck disable=SC2086 # options, split on purpose
	v6_serve_all chatd ${CHATD_OPTS:-}
	if serve_ready; then ok "chatd -6 listens on be1:10000 be2:10001 be3:10002"
	else fail "chatd -6 listens on be1:10000 be2:10001 be3:10002"; diag_file /tmp/be1.log; fi
	expect_eq "no v6 rows at the start" 0 "$(v6_nat_len)"

	# Six clients join one after another: each waits until a backend
	# accepted the previous one, so the order is the connection order.
	_joined=0
	for _i in 1 2 3 4 5 6; do
		step "client test$_i joins"
		chat_start "test$_i" cli "$VIP6" "$VPORT"
		wait_for 15 '[ "$(accepts)" -ge '"$_i"' ] && [ "$(v6_backend_of test'"$_i"')" != none ]' &&
			_joined=$((_joined + 1))
		[ -n "${DEMO:-}" ] && { diag "test$_i joined -> $(v6_backend_of "test$_i")"; v6_nat_show "after test$_i joined"; }
	done
	if [ "$_joined" = 6 ]; then ok "six clients joined through [$VIP6]:$VPORT"
	else
		fail "six clients joined through [$VIP6]:$VPORT" "only $_joined joined"
		for _i in 1 2 3 4 5 6; do diag_file "/tmp/chat.test$_i.err" 5; done
	fi
	for _b in be1 be2 be3; do diag_file "/tmp/$_b.log" 20; done

	step "round robin placement"
	_b1=$(v6_backend_of test1) _b2=$(v6_backend_of test2) _b3=$(v6_backend_of test3)
	_b4=$(v6_backend_of test4) _b5=$(v6_backend_of test5) _b6=$(v6_backend_of test6)
	diag "placement: test1=$_b1 test2=$_b2 test3=$_b3 test4=$_b4 test5=$_b5 test6=$_b6"
	expect_eq "round robin: test1,test2,test3 on be1,be2,be3" "be1 be2 be3" "$_b1 $_b2 $_b3"
	expect_eq "round robin: test4 shares test1's backend" "$_b1" "$_b4"
	expect_eq "round robin: test5 shares test2's backend" "$_b2" "$_b5"
	expect_eq "round robin: test6 shares test3's backend" "$_b3" "$_b6"

	step "relay within a server"
	chat_say test1 "hello from test1"
	if wait_for 10 'chat_got test4 "hello from test1"'; then ok "a line from test1 reaches test4"
	else fail "a line from test1 reaches test4"; diag_file /tmp/chat.test4.out; fi
	sleep 1	# give a wrong relay time to show up
	if chat_got test2 "hello from test1" || chat_got test3 "hello from test1" ||
		chat_got test5 "hello from test1" || chat_got test6 "hello from test1"; then
		fail "the line from test1 reaches nobody on another server"
		diag_file /tmp/chat.test2.out
	else
		ok "the line from test1 reaches nobody on another server"
	fi
	if chat_got test1 "test4 joined" && ! chat_got test1 "test2 joined"; then
		ok "test1 saw test4 join, not test2"
	else
		fail "test1 saw test4 join, not test2"; diag_file /tmp/chat.test1.out
	fi

	step "full NAT: servers see the balancer"
	_peers_ok=1
	_k=1
	for _b in be1 be2 be3; do
		_want="2001:db8:$_k::fe"
		_got=$(v6_peers "$_b")
		[ "$_got" = "$_want" ] || { _peers_ok=0; diag "$_b saw peers: $_got (want $_want)"; }
		_k=$((_k + 1))
	done
	[ "$_peers_ok" = 1 ] && ok "each chatd saw only the balancer (2001:db8:k::fe) as peer" ||
		fail "each chatd saw only the balancer (2001:db8:k::fe) as peer"

	step "NAT table has six v6 rows"
	v6_nat_show "six clients"
	if v6_wait_nat_len 6 10; then ok "six v6 rows"
	else fail "six v6 rows" "got: $(v6_nat_len)"; fi

	# Clients quit one by one; each quit shrinks the table by one.
	_shrunk=1 _expect=5 _quit_ok=1
	for _i in 1 2 3 4 5 6; do
		step "client test$_i quits"
		chat_quit "test$_i" || { _quit_ok=0; diag "chat test$_i did not exit cleanly (rc=$?)"; }
		if v6_wait_nat_len "$_expect" 15; then
			diag "test$_i quit: $_expect v6 rows"
		else
			_shrunk=0
			diag "test$_i quit: $(v6_nat_len) v6 rows, want $_expect"
		fi
		[ -n "${DEMO:-}" ] && v6_nat_show "after test$_i quit"
		_expect=$((_expect - 1))
	done
	[ "$_quit_ok" = 1 ] && ok "all six clients quit cleanly" ||
		fail "all six clients quit cleanly"
	[ "$_shrunk" = 1 ] && ok "v6 rows shrank 5,4,3,2,1,0 as clients quit" ||
		fail "v6 rows shrank 5,4,3,2,1,0 as clients quit"
	expect_eq "no v6 rows at the end" 0 "$(v6_nat_len)"
	_closes=$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c '^close ')
	expect_eq "the servers logged six closes" 6 "$_closes"
	if [ -n "${DEMO:-}" ]; then
		for _i in 1 2 3 4 5 6; do diag_file "/tmp/chat.test$_i.out"; done
		for _b in be1 be2 be3; do diag_file "/tmp/$_b.log"; done
	fi
	bg_kill_all
}
