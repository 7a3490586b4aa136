#!/bin/sh
# ecmp: three l4lb nodes behind a router's ECMP, announced by BIRD over BGP
# (issue #20).
#
#   cli 192.168.0.2 -- rtr 192.168.0.1       rtr: BIRD, BGP + BFD (100 ms x 5)
#                      rtr br0 10.1.0.1/24   to each node, kernel protocol
#                        |  |  |             with "merge paths on", ECMP
#           n1 .11   n2 .12   n3 .13         by the 5-tuple (see below)
#           (eth0 10.1.0.1N/24, l4lbvip0 10.9.9.9/32, bk0 10.2.0.1N/24)
#                        |  |  |
#                  bsw br0 (a switch)
#                        |  |  |
#        be1 10.2.0.101  be2 .102  be3 .103   greetd -e 8080 beN
#
#   dirN 192.168.9.2 -- nN 192.168.9.1: a client wired to one node only.
#
# Each node's namespace has its own service 10.9.9.9:80/tcp, scheduler mh
# (one module, so one mh_seed), the same three backends, and its own SNAT
# address 10.2.0.1N; BIRD's direct protocol exports the VIP from the dummy
# l4lbvip0, which `l4lb-health --interval 0.2 --announce l4lbvip0
# --drain-file /tmp/drainN` sets up and down. rtr learns 10.9.9.9/32 from
# all three and installs one route with three nexthops.
#
# rtr hashes the 5-tuple of each packet (fib_multipath_hash_policy=3,
# fields 0x37), as a router does with packets from a wire. Not policy 1:
# it takes a packet's L4 hash when it has one, and a packet that comes over
# veth from a local socket carries that socket's hash, which TCP changes
# on a retransmission timeout or a spurious retransmission (tx rehash):
# the flow would move to another node in mid-connection.
#
#  1. The three BGP sessions are Established; rtr's route has 3 nexthops.
#  2. Spread: 300 new connections from cli all answered; every node's l4lb
#     created some of them.
#  3. Agreement: dir1..dir3 open the same 100 tuples (ports 40000-40099)
#     straight to their node: all three nodes pick the same backend.
#  4. Health withdrawal: a node loses its backends (bk0 down): the checks
#     mark them down, l4lbvip0 goes down, 2 nexthops; bk0 up: 3 again.
#  5. Drain: dirN holds 5 connections through node N (wired to it, so not
#     moved by rtr); touch /tmp/drainN: withdrawn, "drain: 5 connections
#     left", new connections from cli avoid N, the held ones still echo;
#     released: "drain: node empty"; rm: 3 nexthops again.
#  6. Node failure: cli holds 30 connections; while cli makes new ones
#     one after another, the link of the node that is the middle nexthop
#     goes down. BFD drops the session, the route has 2 nexthops; the
#     outage seen by new connections is reported (bound: 10 s); the held
#     connections through the other nodes still echo (Linux's
#     hash-threshold moves only the removed middle nexthop's flows), those
#     through the failed node are lost (reported).
#  7. Node addition: one node's BGP session disabled (2 nexthops), cli
#     holds 60 connections, the session enabled again (3 nexthops): the
#     number of held connections that break is reported (hash-threshold
#     moves 1/3 of the flows when the node comes back in the middle, 1/2
#     at an end; nothing here keeps them); assert only that at least a
#     third still work.
#  8. The same with peers (daisy chaining): every node gets the same peer
#     list, tunl0 is up; the node that comes back sends the flows it has
#     no row for on to the others in IPIP: all 60 held connections work.
#  9. Drain with peers: cli holds 30 connections, the middle node is
#     drained (withdrawn); rtr moves its flows to the others, which send
#     them back to it in IPIP: all 30 still work.
#
# Needs bird and birdc (bird2) and the bridge and dummy modules in the
# image (mkinitramfs.sh); skips without them (step 8 without ipip).
. /vm/lib/common.sh
. /vm/lib/sched.sh
plan 29
require_l4lbctl

EVIP=10.9.9.9
EPORT=80
BPORT=8080
SEED=4242
NODES="n1 n2 n3"
NSES="cli rtr bsw n1 n2 n3 be1 be2 be3 dir1 dir2 dir3"
IF=l4lbvip0

HEALTH=$(command -v l4lb-health 2>/dev/null)
if [ -z "$HEALTH" ] || ! command -v bird >/dev/null 2>&1 ||
	! command -v birdc >/dev/null 2>&1; then
	skip_rest "needs l4lb-health, bird and birdc (bird2) in the VM image"
	exit 0
fi

_ecmp_down() {
	bg_kill_all
	for _n in $NSES; do ip netns del "$_n" 2>/dev/null; done
	return 0
}
trap _ecmp_down EXIT

# ------------------------------------------------------------ helpers ----

# nnum NODE: 1 for n1, ...
nnum() { echo "${1#n}"; }

# birdc_in NS CMD...: birdc of the BIRD in NS.
birdc_in() {
	_bns=$1
	shift
	n "$_bns" birdc -s "/tmp/bird.$_bns.ctl" "$@"
}

# nexthops: rtr's nexthops for the VIP, in the kernel's order, one line.
nexthops() {
	ip -n rtr route show "$EVIP/32" 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "via") { printf "%s%s", s, $(i + 1); s = " " } } END { print "" }' |
		sed 's/10\.1\.0\.1\([1-3]\)/n\1/g'
}

# nh_count: how many nexthops rtr has for the VIP.
nh_count() { nexthops | wc -w | tr -d ' '; }

# established: the BGP sessions of rtr that are Established, one line.
established() {
	birdc_in rtr show protocols 2>/dev/null |
		awk '$2 == "BGP" && $NF == "Established" { printf "%s%s", s, $1; s = " " } END { print "" }'
}

# vip_up NODE: NODE's l4lbvip0 is up.
vip_up() { ip -n "$1" -o link show dev "$IF" 2>/dev/null | grep -q '[<,]UP[,>]'; }

# created NODE: the node's conns_created counter.
created() { n "$1" l4lbctl stats 2>/dev/null | sed -n 's/^conns_created //p'; }

# stray NODE: the node's stray counter.
stray() { n "$1" l4lbctl stats 2>/dev/null | sed -n 's/^stray //p'; }

# conns_of NODE: the node's NAT rows (l4lbctl count).
conns_of() { n "$1" l4lbctl count 2>/dev/null; }

# port_node NAME: "CLIENTPORT NODE" for each connection that NAME (conns,
# in cli) holds, by the ESTABLISHED rows of cli's flows on the nodes.
port_node() {
	for _pn in $NODES; do
		n "$_pn" cat /proc/l4lb/nat 2>/dev/null |
			awk -v nd="$_pn" '$1 == "TCP" && $6 == "ESTABLISHED" && $2 ~ /^192\.168\.0\.2:/ { split($2, c, ":"); print c[2], nd }'
	done | awk 'NR == FNR { if ($1 == "conn") held[$3] = 1; next } $1 in held' "/tmp/$1.out" - | sort -n
}

# probe NAME WORD: send WORD on every connection NAME (conns -w -e) holds;
# wait for its report.
probe() {
	echo "$2" >"/tmp/$1.in"
	wait_for 30 "grep -q '^probe $2 ' /tmp/$1.out"
}

# echoed NAME WORD: the client ports of NAME that echoed probe WORD.
# (The report of one probe is the "echo" lines before "probe WORD".)
echoed() {
	awk -v w="$2" '$1 == "echo" { e[$3] = $NF } $1 == "probe" && $2 == w { for (p in e) if (e[p] == "ok") print p; exit }' \
		"/tmp/$1.out" | sort -n
}

# hold NAME NS K: NS opens K connections to the VIP (conns -w -e) and holds
# them; returns once they answered.
hold() {
	bg_held "$1" "/tmp/$1.out" "$2" conns -w -e -t 60 "$EVIP" "$EPORT" "$3"
	wait_for 70 'grep -q "^holding" /tmp/'"$1"'.out'
}

# wait_nh N [SECS]: until rtr's route has N nexthops (default 20 s).
wait_nh() { wait_for "${2:-20}" '[ "$(nh_count)" = '"$1"' ]'; }

# hlog NODE: the node's l4lb-health log.
hlog() { echo "/tmp/health.$1.log"; }

# mid_nh: the middle one of rtr's nexthops (n2 if it has none): with
# hash-threshold, taking it away or adding it moves only its own flows.
mid_nh() {
	_mn=$(nexthops | awk '{ print $2 }')
	echo "${_mn:-n2}"
}

# vip_nh NODE up|down N DESC [T0]: within 20 s NODE's $IF is up (down) and
# then, within 20 s more, rtr's route has N nexthops: ok "DESC (NEXTHOPS)",
# with " after S s" since now_s T0 if given; else not ok, with the
# nexthops and the node's health log.
vip_nh() {
	_vn=$1 _vk=$3 _vd=$4 _vt=$5
	_ve='vip_up $_vn'
	[ "$2" = down ] && _ve="! $_ve"
	if wait_for 20 "$_ve" && wait_nh "$_vk" 20; then
		ok "$_vd ($(nexthops))${_vt:+ after $(num_sub "$(now_s)" "$_vt") s}"
	else
		fail "$_vd" "nexthops: $(nexthops)"
		diag_file "$(hlog "$_vn")" 20
	fi
}

# ----------------------------------------------------------- topology ----

_node() {	# _node N
	_nd=n$1
	ip netns add "$_nd" && ip -n "$_nd" link set lo up &&
		ip -n rtr link add "p$1" type veth peer name eth0 netns "$_nd" &&
		ip -n rtr link set "p$1" master br0 && ip -n rtr link set "p$1" up &&
		ip -n "$_nd" addr add "10.1.0.1$1/24" dev eth0 &&
		ip -n "$_nd" link set eth0 up &&
		ip -n "$_nd" route add default via 10.1.0.1 &&
		ip -n bsw link add "n$1" type veth peer name bk0 netns "$_nd" &&
		ip -n bsw link set "n$1" master br0 && ip -n bsw link set "n$1" up &&
		ip -n "$_nd" addr add "10.2.0.1$1/24" dev bk0 &&
		ip -n "$_nd" link set bk0 up &&
		ip -n "$_nd" link add "$IF" type dummy &&
		ip -n "$_nd" addr add "$EVIP/32" dev "$IF" &&
		ip netns add "dir$1" && ip -n "dir$1" link set lo up &&
		ip -n "$_nd" link add dir0 type veth peer name eth0 netns "dir$1" &&
		ip -n "$_nd" addr add 192.168.9.1/24 dev dir0 &&
		ip -n "$_nd" link set dir0 up &&
		ip -n "dir$1" addr add 192.168.9.2/24 dev eth0 &&
		ip -n "dir$1" link set eth0 up &&
		ip -n "dir$1" route add default via 192.168.9.1 &&
		n "$_nd" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
}

_backend() {	# _backend N
	ip netns add "be$1" && ip -n "be$1" link set lo up &&
		ip -n bsw link add "b$1" type veth peer name eth0 netns "be$1" &&
		ip -n bsw link set "b$1" master br0 && ip -n bsw link set "b$1" up &&
		ip -n "be$1" addr add "10.2.0.10$1/24" dev eth0 &&
		ip -n "be$1" link set eth0 up
}

ecmp_topo() {
	ip netns add cli && ip netns add rtr && ip netns add bsw &&
		ip -n cli link set lo up && ip -n rtr link set lo up &&
		ip -n bsw link set lo up &&
		ip -n rtr link add cli type veth peer name eth0 netns cli &&
		ip -n rtr addr add 192.168.0.1/24 dev cli && ip -n rtr link set cli up &&
		ip -n cli addr add 192.168.0.2/24 dev eth0 && ip -n cli link set eth0 up &&
		ip -n cli route add default via 192.168.0.1 &&
		ip -n rtr link add br0 type bridge && ip -n rtr link set br0 up &&
		ip -n rtr addr add 10.1.0.1/24 dev br0 &&
		ip -n bsw link add br0 type bridge && ip -n bsw link set br0 up &&
		n rtr sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward &&
			echo 3 >/proc/sys/net/ipv4/fib_multipath_hash_policy &&
			echo 55 >/proc/sys/net/ipv4/fib_multipath_hash_fields' &&
		_node 1 && _node 2 && _node 3 &&
		_backend 1 && _backend 2 && _backend 3
}

# bird_node N: the BIRD of node N (its config in /tmp/bird.nN.conf).
bird_node() {
	cat >"/tmp/bird.n$1.conf" <<EOF
log "/tmp/bird.n$1.log" all;
router id 10.1.0.1$1;
protocol device { scan time 10; }
protocol direct vip {
	ipv4;
	interface "$IF";
}
protocol bfd {
	interface "eth0" {
		min rx interval 100 ms;
		min tx interval 100 ms;
		multiplier 5;
	};
}
protocol bgp rtr {
	local 10.1.0.1$1 as 65001;
	neighbor 10.1.0.1 as 65000;
	bfd on;
	hold time 3;
	keepalive time 1;
	connect delay time 1;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 {
		import none;
		export where proto = "vip";
	};
}
EOF
	bg "/tmp/bird.n$1.out" "n$1" bird -f -c "/tmp/bird.n$1.conf" \
		-s "/tmp/bird.n$1.ctl" -P "/tmp/bird.n$1.pid"
}

bird_rtr() {
	cat >/tmp/bird.rtr.conf <<EOF
log "/tmp/bird.rtr.log" all;
router id 10.1.0.1;
protocol device { scan time 10; }
protocol kernel {
	merge paths on;
	ipv4 {
		import none;
		export all;
	};
}
protocol bfd {
	interface "br0" {
		min rx interval 100 ms;
		min tx interval 100 ms;
		multiplier 5;
	};
}
template bgp node {
	local 10.1.0.1 as 65000;
	bfd on;
	hold time 3;
	keepalive time 1;
	connect delay time 1;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 {
		import all;
		export none;
	};
}
protocol bgp n1 from node { neighbor 10.1.0.11 as 65001; }
protocol bgp n2 from node { neighbor 10.1.0.12 as 65001; }
protocol bgp n3 from node { neighbor 10.1.0.13 as 65001; }
EOF
	bg /tmp/bird.rtr.out rtr bird -f -c /tmp/bird.rtr.conf \
		-s /tmp/bird.rtr.ctl -P /tmp/bird.rtr.pid
}

# ------------------------------------------------------------- set up ----

step "modules"
kmsg_mark "ecmp"
_ecmp_down
for m in bridge dummy; do
	[ -e "/sys/module/$m" ] || kmod_load "$m" 2>/dev/null
done
if ! ip link add ecmpbr type bridge 2>/dev/null || ! ip link add ecmpdum type dummy 2>/dev/null; then
	ip link del ecmpbr 2>/dev/null
	skip_rest "no bridge or dummy interfaces in this kernel"
	exit 0
fi
ip link del ecmpbr
ip link del ecmpdum
load_l4lb mh_seed=$SEED || die "l4lb up with mh_seed=$SEED"

step "topology"
ecmp_topo || die "namespaces: cli, rtr, three nodes, the backends' switch, be1..be3"
svc_ok=1
for nd in $NODES; do
	i=$(nnum "$nd")
	n "$nd" l4lbctl service set vip "$EVIP" port "$EPORT" scheduler mh snat "10.2.0.1$i" &&
		n "$nd" l4lbctl add "10.2.0.101:$BPORT" &&
		n "$nd" l4lbctl add "10.2.0.102:$BPORT" &&
		n "$nd" l4lbctl add "10.2.0.103:$BPORT" || svc_ok=0
done
for i in 1 2 3; do
	bg "/tmp/be$i.log" "be$i" greetd -e "$BPORT" "be$i"
done
if [ "$svc_ok" = 1 ] && serve_ready; then
	ok "n1..n3: service $EVIP:$EPORT mh, own SNAT, be1..be3; greetd -e answers"
else
	die "n1..n3: service $EVIP:$EPORT mh, own SNAT, be1..be3; greetd -e answers"
fi

step "l4lb-health and bird"
for nd in $NODES; do
	i=$(nnum "$nd")
	rm -f "/tmp/drain$i"
	bg "$(hlog "$nd")" "$nd" "$HEALTH" --interval 0.2 --fall 2 --rise 1 \
		--announce "$IF" --drain-file "/tmp/drain$i"
	bird_node "$i"
done
bird_rtr
if wait_for 15 'vip_up n1 && vip_up n2 && vip_up n3'; then
	ok "l4lb-health sets $IF up on every node"
else
	fail "l4lb-health sets $IF up on every node"; diag_file "$(hlog n1)" 10
fi

# ------------------------------------------------------- 1. sessions ----

step "BGP"
if wait_for 40 '[ "$(established)" = "n1 n2 n3" ]'; then
	ok "rtr: BGP sessions to n1 n2 n3 Established"
else
	fail "rtr: BGP sessions to n1 n2 n3 Established" "got: $(established)"
	birdc_in rtr show protocols >/tmp/bc.out 2>&1; diag_file /tmp/bc.out
	diag_file /tmp/bird.rtr.log 30; diag_file /tmp/bird.rtr.out 10
fi
birdc_in rtr show bfd sessions >/tmp/bfd.out 2>&1
diag "$(grep -c ' Up ' /tmp/bfd.out) BFD sessions Up on rtr"
if wait_nh 3; then
	ok "rtr: $EVIP/32 is one route with 3 nexthops ($(nexthops))"
else
	fail "rtr: $EVIP/32 is one route with 3 nexthops" "got: $(nexthops)"
	ip -n rtr route >/tmp/rt.out; diag_file /tmp/rt.out
	birdc_in rtr show route all >/tmp/bc.out 2>&1; diag_file /tmp/bc.out
fi

# --------------------------------------------------------- 2. spread ----

step "spread"
c0="$(created n1) $(created n2) $(created n3)"
n cli cycle -c -t 5000 "$EVIP" "$EPORT" 300 >/tmp/spread.out 2>&1
c1="$(created n1) $(created n2) $(created n3)"
per=$(echo "$c0 $c1" | awk '{ printf "n1 %d n2 %d n3 %d", $4 - $1, $5 - $2, $6 - $3 }')
diag "new connections per node: $per; per backend: $(awk '$1 == "conn" { print $5 }' /tmp/spread.out | _sched_tally)"
expect_eq "300 new connections from cli, all answered" "done 300 ok 300" \
	"$(grep '^done' /tmp/spread.out | cut -d' ' -f1-4)"
if echo "$per" | awk '{ exit !($2 > 0 && $4 > 0 && $6 > 0 && $2 + $4 + $6 == 300) }'; then
	ok "every node's l4lb created some of them ($per)"
else
	fail "every node's l4lb created some of them" "got: $per"
fi

# ------------------------------------------------------ 3. agreement ----

for nd in $NODES; do
	diag "$nd after the spread: $(n "$nd" cat /proc/l4lb/nat | awk '$1 == "TCP" { print $6 }' | sort | uniq -c | tr '\n' ' ')"
done
step "agreement"
for i in 1 2 3; do
	n "dir$i" sh -c "echo '40000 40099' >/proc/sys/net/ipv4/ip_local_port_range"
	bg_held "ag$i" "/tmp/ag$i.out" "dir$i" conns -w -t 60 "$EVIP" "$EPORT" 100
done
wait_for 70 'grep -q "^answered" /tmp/ag1.out && grep -q "^answered" /tmp/ag2.out && grep -q "^answered" /tmp/ag3.out'
for i in 1 2 3; do _sched_port_answer "/tmp/ag$i.out" >"/tmp/ag$i.pa"; done
expect_eq "dir1..dir3: 100 connections each, answered, from ports 40000-40099" \
	"100 100 100|4950" \
	"$(grep -h '^answered' /tmp/ag1.out /tmp/ag2.out /tmp/ag3.out | awk '{ printf "%s%s", s, $2; s = " " }')|$(awk '$2 != "-" { s += $1 - 40000 } END { print s }' /tmp/ag1.pa)"
# _agree: "PORT N1 N2 N3", the three nodes' answers per port.
_agree() {
	awk 'FNR == 1 { f++ } { a[f, $1] = $2; p[$1] = 1 } END { for (k in p) print k, a[1, k], a[2, k], a[3, k] }' \
		/tmp/ag1.pa /tmp/ag2.pa /tmp/ag3.pa | sort -n
}
same=$(_agree | awk '$2 != "-" && $2 == $3 && $3 == $4' | wc -l | tr -d ' ')
diag "spread of the 100 tuples: $(awk '{ print $2 }' /tmp/ag1.pa | _sched_tally)"
if [ "$same" = 100 ] && [ "$(awk '{ print $2 }' /tmp/ag1.pa | sort -u | wc -l)" -ge 2 ]; then
	ok "n1, n2, n3 chose the same backend for all 100 tuples (over 2+ backends)"
else
	fail "n1, n2, n3 chose the same backend for all 100 tuples" "agree: $same"
	_agree | awk '!($2 == $3 && $3 == $4)' |
		head -n 5 | sed 's/^/#   port n1 n2 n3: /'
fi
for i in 1 2 3; do
	release "ag$i" 20 >/dev/null
	# Those 100 ports stay in TIME_WAIT for 60 s.
	n "dir$i" sh -c "echo '41000 41999' >/proc/sys/net/ipv4/ip_local_port_range"
done

# ----------------------------------------------- 4. health withdrawal ----

step "health withdrawal"
H=n1
t0=$(now_s)
ip -n "$H" link set bk0 down
vip_nh "$H" down 2 "$H's backends unreachable: $IF down, 2 nexthops" "$t0"
diag "$H: $(n "$H" l4lbctl list 2>/dev/null | awk '$2 == "down"' | wc -l) backends down; log: $(grep "announce $IF down" "$(hlog "$H")" | tail -n 1)"
ip -n "$H" link set bk0 up
vip_nh "$H" up 3 "$H's backends back: $IF up, 3 nexthops"

# ---------------------------------------------------------- 5. drain ----

step "drain"
# Before the failure and the addition: the flows they move away from a
# node leave its rows behind (until their timeout, 900 s), which would
# keep the node from getting empty.
D=n3
i=$(nnum "$D")
if ! wait_for 30 '[ "$(conns_of $D)" = 0 ]'; then
	diag "$D still has $(conns_of "$D") rows:"
	n "$D" cat /proc/l4lb/nat | head -n 20 | sed 's/^/#   /'
	for nd in $NODES; do diag "$nd: $(conns_of "$nd") rows"; done
fi
hold h6 "dir$i" 5
touch "/tmp/drain$i"
vip_nh "$D" down 2 "$D drained: $IF down, 2 nexthops"
wait_for 10 'grep -q "drain: " "$(hlog $D)"'
if grep -q '^answered 5 of 5$' /tmp/h6.out &&
	grep -qxF "l4lb-health: drain: 5 connections left" "$(hlog "$D")"; then
	ok "dir$i holds 5 connections through $D; its log: 'drain: 5 connections left'"
else
	fail "dir$i holds 5 connections through $D; its log: 'drain: 5 connections left'" \
		"dir$i: $(grep '^answered' /tmp/h6.out)"
	diag_file "$(hlog "$D")" 20
fi
cD=$(created "$D")
n cli cycle -c -t 5000 "$EVIP" "$EPORT" 60 >/tmp/drain.out 2>&1
expect_eq "60 new connections from cli answered, none by $D" \
	"done 60 ok 60|0" "$(grep '^done' /tmp/drain.out | cut -d' ' -f1-4)|$(($(created "$D") - cD))"
probe h6 p6
expect_eq "dir$i's 5 connections through the drained $D still echo" \
	"alive 5 of 5" "$(sed -n 's/^probe p6 //p' /tmp/h6.out)"
release h6 20 >/dev/null
if wait_for 30 'grep -qxF "l4lb-health: drain: node empty" "$(hlog $D)"'; then
	ok "dir$i's connections closed: 'drain: node empty'"
else
	fail "dir$i's connections closed: 'drain: node empty'" "rows: $(conns_of "$D")"
	diag_file "$(hlog "$D")" 20
fi
rm -f "/tmp/drain$i"
vip_nh "$D" up 3 "drain file removed: $D announced again, 3 nexthops"

# ---------------------------------------------------- 6. node failure ----

step "node failure"
# The middle nexthop: with hash-threshold its removal moves only its flows.
M=$(mid_nh)
OTHERS=$(echo "$NODES" | tr ' ' '\n' | grep -vx "$M" | tr '\n' ' ' | sed 's/ $//')
if hold h4 cli 30 && [ "$(grep -c '^conn .* be[123]$' /tmp/h4.out)" = 30 ]; then
	port_node h4 >/tmp/h4.pn
	ok "cli holds 30 connections (per node: $(awk '{ print $2 }' /tmp/h4.pn | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }'))"
else
	fail "cli holds 30 connections" "$(grep '^answered' /tmp/h4.out)"
	port_node h4 >/tmp/h4.pn
fi
# New connections one after another, from before the failure until 3 s
# (and 40 connections) after the withdrawal; then cycle is stopped.
bg /tmp/fail.out cli cycle -c -t 5000 "$EVIP" "$EPORT" 1000000
CYC=$BG_PID
wait_for 60 '[ "$(grep -c "^conn" /tmp/fail.out)" -ge 40 ]'
t0=$(now_s)
ip -n "$M" link set eth0 down
if wait_nh 2 20; then
	t1=$(now_s)
	ok "$M's link down: rtr's route drops to 2 nexthops ($(nexthops)) after $(num_sub "$t1" "$t0") s"
else
	fail "$M's link down: rtr's route drops to 2 nexthops" "got: $(nexthops)"
	diag_file /tmp/bird.rtr.log 20
fi
# shellcheck disable=SC2034 # read by wait_for's expression
n0=$(grep -c '^conn' /tmp/fail.out)
sleep 3
wait_for 60 '[ "$(grep -c "^conn" /tmp/fail.out)" -ge $((n0 + 40)) ]'
kill "$CYC" 2>/dev/null
wait_exit 10 "$CYC" >/dev/null
# Outage: from the first slow (>= 500 ms) or failed connection to the
# last, the sum of their times (they run one after another).
out=$(awk '$1 == "conn" { i++; ms[i] = $4; bad[i] = ($4 >= 500 || $5 == "-") }
	END { for (j = 1; j <= i; j++) if (bad[j]) { if (!f) f = j; l = j }
		if (f) for (j = f; j <= l; j++) s += ms[j]; print s + 0 }' /tmp/fail.out)
nc=$(grep -c '^conn' /tmp/fail.out)
nok=$(awk '$1 == "conn" && $5 != "-"' /tmp/fail.out | wc -l | tr -d ' ')
nslow=$(awk '$1 == "conn" && $4 >= 500' /tmp/fail.out | wc -l | tr -d ' ')
diag "new connections across the failure: $nok of $nc answered, $nslow took 500 ms or more (max $(awk '$1 == "conn" && $4 > m { m = $4 } END { print m + 0 }' /tmp/fail.out) ms); outage window $out ms"
if [ "$nc" -gt 0 ] && [ $((nok * 20)) -ge $((nc * 19)) ] && [ "$out" -le 10000 ]; then
	ok "new connections across the failure: $nok of $nc answered, outage ${out} ms (bounds: 95%, 10 s)"
else
	fail "new connections across the failure: 95% answered, outage at most 10 s" \
		"$nok of $nc answered, outage $out ms"
	grep '^conn' /tmp/fail.out | awk '$4 >= 500 || $5 == "-"' | head -n 10 | sed 's/^/#   /'
fi
probe h4 p4
echoed h4 p4 >/tmp/h4.alive
lostM=$(awk -v m="$M" '$2 == m' /tmp/h4.pn | wc -l | tr -d ' ')
bad=$(awk 'NR == FNR { a[$1] = 1; next } $2 != "'"$M"'" && !($1 in a)' /tmp/h4.alive /tmp/h4.pn | wc -l | tr -d ' ')
others=$(awk -v m="$M" '$2 != m' /tmp/h4.pn | wc -l | tr -d ' ')
diag "held connections alive: $(wc -l </tmp/h4.alive | tr -d ' ') of 30; through $M: $lostM, of which alive: $(awk 'NR == FNR { a[$1] = 1; next } $2 == "'"$M"'" && ($1 in a)' /tmp/h4.alive /tmp/h4.pn | wc -l | tr -d ' ')"
if [ "$others" -gt 0 ] && [ "$bad" = 0 ]; then
	ok "held connections through $OTHERS carry on ($others of $others echo); $lostM through $M lost"
else
	fail "held connections through $OTHERS carry on" "$bad of $others do not echo"
	grep '^echo' /tmp/h4.out | grep -v ' ok$' | head -n 10 | sed 's/^/#   /'
fi
release h4 20 >/dev/null
ip -n "$M" link set eth0 up
ip -n "$M" route replace default via 10.1.0.1
if wait_nh 3 30 && [ "$(established)" = "n1 n2 n3" ]; then
	ok "$M's link up: Established again, 3 nexthops ($(nexthops))"
else
	fail "$M's link up: Established again, 3 nexthops" "sessions: $(established), nexthops: $(nexthops)"
fi

# ------------------------------------------------------- 7. addition ----

step "node addition"
A=$(mid_nh)
NH=60
birdc_in "$A" disable rtr >/dev/null 2>&1
if wait_nh 2 20; then
	:
else
	diag "$A's session disabled, but rtr has: $(nexthops)"
fi
# Ports no earlier connection used: the failed node's rows of its lost
# flows stay (ESTABLISHED, 900 s) and must not be taken for these.
n cli sh -c "echo '61000 61999' >/proc/sys/net/ipv4/ip_local_port_range"
hold h7 cli "$NH" || diag "cli: $(grep '^answered' /tmp/h7.out)"
port_node h7 >/tmp/h7.pn
expect_eq "$A's session disabled: 2 nexthops; cli holds $NH connections, none through $A" \
	"2 answered $NH of $NH 0" \
	"$(nh_count) $(grep '^answered' /tmp/h7.out) $(awk -v a="$A" '$2 == a' /tmp/h7.pn | wc -l | tr -d ' ')"
s0="$(stray n1) $(stray n2) $(stray n3)"
birdc_in "$A" enable rtr >/dev/null 2>&1
if wait_nh 3 30; then
	ok "$A's session enabled: 3 nexthops again ($(nexthops))"
else
	fail "$A's session enabled: 3 nexthops again" "got: $(nexthops)"
fi
POS=$(nexthops | tr ' ' '\n' | grep -nx "$A" | cut -d: -f1)
probe h7 p7
alive=$(echoed h7 p7 | wc -l | tr -d ' ')
s1="$(stray n1) $(stray n2) $(stray n3)"
diag "node addition: $((NH - alive)) of $NH held connections broke ($A came back as nexthop $POS of 3; stray packets per node: $(echo "$s0 $s1" | awk '{ printf "n1 %d n2 %d n3 %d", $4 - $1, $5 - $2, $6 - $3 }'))"
if [ "$alive" -ge $((NH / 3)) ]; then
	ok "node addition: the flows rtr did not move still work ($alive of $NH echo)"
else
	fail "node addition: at least a third of the held connections still work" "$alive of $NH echo"
fi
release h7 20 >/dev/null

# ------------------------------------------- 8. addition, with peers ----

step "node addition with peers"
PEERS=10.1.0.11,10.1.0.12,10.1.0.13
if [ -e /sys/module/ipip ] || kmod_load ipip 2>/dev/null; then
	for nd in $NODES; do
		n "$nd" l4lbctl service set vip "$EVIP" port "$EPORT" proto tcp peers "$PEERS" &&
			ip -n "$nd" link set tunl0 up || fail "$nd: peers $PEERS, tunl0 up"
	done
	ok "every node: peers $PEERS (the same list), tunl0 up"
	birdc_in "$A" disable rtr >/dev/null 2>&1
	wait_nh 2 20 || diag "$A's session disabled, but rtr has: $(nexthops)"
	n cli sh -c "echo '62000 62999' >/proc/sys/net/ipv4/ip_local_port_range"
	hold h8 cli "$NH" || diag "cli: $(grep '^answered' /tmp/h8.out)"
	p0=$(n "$A" l4lbctl stats | sed -n 's/^peer_sent //p')
	birdc_in "$A" enable rtr >/dev/null 2>&1
	wait_nh 3 30 || diag "$A's session enabled, but rtr has: $(nexthops)"
	probe h8 p8
	alive=$(echoed h8 p8 | wc -l | tr -d ' ')
	p1=$(n "$A" l4lbctl stats | sed -n 's/^peer_sent //p')
	diag "node addition with peers: $((NH - alive)) of $NH held connections broke; $A sent $((p1 - p0)) segments on to its peers"
	if [ "$alive" = "$NH" ] && [ "$((p1 - p0))" -gt 0 ]; then
		ok "node addition with peers: all $NH held connections still work, $A sent the moved flows on"
	else
		fail "node addition with peers: all $NH held connections still work, $A sent the moved flows on" \
			"$alive of $NH echo; $A peer_sent $p0 -> $p1"
		for nd in $NODES; do diag "$nd: $(n "$nd" l4lbctl stats | grep peer_ | tr '\n' ' ')"; done
	fi
	release h8 20 >/dev/null

	step "drain with peers"
	# The middle nexthop again: withdrawing it moves only its flows.
	i=$(nnum "$A")
	n cli sh -c "echo '63000 63999' >/proc/sys/net/ipv4/ip_local_port_range"
	hold h9 cli 30 || diag "cli: $(grep '^answered' /tmp/h9.out)"
	on=$(port_node h9 | awk -v a="$A" '$2 == a' | wc -l | tr -d ' ')
	touch "/tmp/drain$i"
	wait_nh 2 20 || diag "$A drained, but rtr has: $(nexthops)"
	probe h9 p9
	alive=$(echoed h9 p9 | wc -l | tr -d ' ')
	diag "drain with peers: $on of 30 held connections were $A's; $alive of 30 echo after its withdrawal"
	if [ "$on" -gt 0 ] && [ "$alive" = 30 ]; then
		ok "drain with peers: $A withdrawn, its $on held connections (moved by rtr) still work through it"
	else
		fail "drain with peers: $A withdrawn, its held connections still work through it" \
			"$on were $A's; $alive of 30 echo; nexthops: $(nexthops)"
	fi
	release h9 20 >/dev/null
	rm -f "/tmp/drain$i"
	wait_nh 3 20 || diag "drain file removed, but rtr has: $(nexthops)"
else
	skip "every node: peers $PEERS (the same list), tunl0 up" "no ipip module"
	skip "node addition with peers: all $NH held connections still work" "no ipip module"
	skip "drain with peers: the drained node's connections still work" "no ipip module"
fi

step "clean up"
bg_kill_all
_ecmp_down
if lb_down; then ok "namespaces deleted, rmmod l4lb"; else fail "namespaces deleted, rmmod l4lb"; fi
kmod_unload ipip tunnel4 ip_tunnel
kernel_clean_since "ecmp"
