#!/bin/sh
# ca_proxy: PROXY protocol towards the backends (client-addr proxy-v2 and
# proxy-v1, issue #16), first for an IPv4 service, then for an IPv6 one
# (issue #18, "v6: " before each result), on one topology (lib/v6.sh's,
# which is common.sh's plus a v6 address on each link).
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=10.0.1.1:10000 \
#       client_addr=proxy-v2
#   rmmod l4lb, then for IPv6:
#   insmod l4lb.ko svc_max=4096
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp \
#       client-addr proxy-v2
#   l4lbctl backend add [2001:db8:1::1]:10000 service [2001:db8::1]:20000/tcp
#
# For each family:
#  1. nginx on be1 (`listen 10000 proxy_protocol`, v6: `listen [::]:10000`,
#     logging $proxy_protocol_addr:$proxy_protocol_port $remote_addr, v6
#     with the addresses in brackets): two clients (cli's 10.0.0.2 and
#     10.0.0.3, v6: 2001:db8::2 and 2001:db8::3, fixed source ports) are
#     logged with their own address and port, for v2, then for v1 after
#     `l4lbctl service set ... client-addr proxy-v1`; nginx's peer is still
#     the balancer (10.0.1.254, v6: 2001:db8:1::fe).
#  2. 20 MB from the client to be1 (socat): be1 receives exactly the v2
#     header of that connection (28 bytes, v6: 52 bytes: family 0x21, 36
#     bytes of addresses and ports), byte for byte, then the 20 MB
#     (sha256).
#  3. 20 MB from be1 to the client, be1 sending first without reading:
#     the client gets the 20 MB (sha256), and be1 then reads the header,
#     which rode on the client's ACK.
#  4. A 2 MB upload from a process on lb itself, from the VIP's address
#     (v6: from 2001:db8::fe) (LOCAL_OUT: GSO, CHECKSUM_PARTIAL, so the
#     header goes in a segment of its own, v6: routed with
#     ip6_route_output()): header once, data intact.
#  5. IPv4: a server that speaks first (chatd -p -g): the client sends
#     nothing, gets the greeting, and chatd logs the client's address from
#     the header, which rode on the handshake's ACK.
#     IPv6: with proxy-v1, a 2 MB upload starts with exactly the line
#     "PROXY TCP6 2001:db8::2 2001:db8::1 41030 20000\r\n", then the data.
#  6. With tc netem loss 5% both ways on the lb<->be1 link, proxy-v2: ten
#     200 KB uploads and a 4 MB download, each intact, each upload starting
#     with its header exactly once, so lost first segments are sent again
#     with the header and SACKed data is shifted right. Skipped without tc
#     or sch_netem in the image.
#  7. proxy_syn_data stays 0; the kernel log is clean; rmmod leaves no slab
#     cache (l4lb_conn_ca included).
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 35	# IPv4 18, IPv6 17
require_l4lbctl

BIG=20971520
CLI6B=2001:db8::3
SVC=[$VIP6]:$VPORT/tcp

# family 4|6: the family the helpers below work in, from now on. Sets P,
# the prefix of each result ("" for IPv4, "v6: " for IPv6), the client
# addresses CLIA and CLIB, the v2 header's length PP2LEN, and the words
# and forms that differ between the families.
family() {
	FAM=$1
	case $FAM in
	4)
		P=
		FVIP=$VIP
		CLIA=10.0.0.2 CLIB=10.0.0.3
		PP2LEN=28
		HDR_SHOW=40		# bytes of a bad header to show
		LISTEN=TCP-LISTEN	# socat's server address type
		NGX_LISTEN=10000
		NGX_FORMAT='$proxy_protocol_addr:$proxy_protocol_port $remote_addr'
		NGX_PEER=10.0.1.254
		CLIENT_W=client
		HDR_W='the v2 header'
		;;
	6)
		P='v6: '
		FVIP=$VIP6
		CLIA=$CLI6 CLIB=$CLI6B
		PP2LEN=52
		HDR_SHOW=60
		LISTEN=TCP6-LISTEN
		NGX_LISTEN='[::]:10000'
		NGX_FORMAT='[$proxy_protocol_addr]:$proxy_protocol_port [$remote_addr]'
		NGX_PEER='[2001:db8:1::fe]'
		CLIENT_W='v6 client'
		HDR_W='the 52-byte TCP6 v2 header'
		;;
	esac
}

# ep ADDR PORT: the endpoint ADDR:PORT, v6: [ADDR]:PORT.
ep() {
	case $FAM in
	4) echo "$1:$2" ;;
	6) echo "[$1]:$2" ;;
	esac
}

# to SRC SPORT TIMEOUT: socat's address of a connection from SRC:SPORT to
# the VIP, with connect-timeout TIMEOUT.
to() {
	case $FAM in
	4) echo "TCP:$VIP:$VPORT,bind=$1:$2,connect-timeout=$3" ;;
	6) echo "TCP6:[$VIP6]:$VPORT,bind=[$1]:$2,connect-timeout=$3" ;;
	esac
}

# hex6 ADDR: the IPv6 address ADDR (lower case) as 32 hex digits.
hex6() {
	echo "$1" | awk -F: '{
		for (i = 1; i <= NF; i++) if ($i != "") g++
		for (i = 1; i <= NF; i++) {
			if ($i == "") {
				if (!z) for (j = 0; j < 8 - g; j++) out = out "0000"
				z = 1
				continue
			}
			out = out substr("0000" $i, length($i) + 1)
		}
		print out }'
}

# pp_hex SRC SPORT: the v2 header of a connection from SRC:SPORT to the
# VIP, as hex (proxy-protocol.txt 2.2: signature, 0x21 PROXY, 0x11 TCP
# over IPv4 with length 12, v6: 0x21 TCP over IPv6 with length 36,
# addresses, ports).
pp_hex() {
	case $FAM in
	4)
		_ph_ip=$(echo "$1" | awk -F. '{ printf "%02x%02x%02x%02x", $1, $2, $3, $4 }')
		printf '0d0a0d0a000d0a515549540a2111000c%s0a000001%04x%04x' \
			"$_ph_ip" "$2" "$VPORT"
		;;
	6)
		printf '0d0a0d0a000d0a515549540a21210024%s%s%04x%04x' \
			"$(hex6 "$1")" "$(hex6 "$VIP6")" "$2" "$VPORT"
		;;
	esac
}

# pp1_line SRC SPORT: the v1 line of a connection from [SRC]:SPORT (v6).
pp1_line() {
	printf 'PROXY TCP6 %s %s %s %s\r\n' "$1" "$VIP6" "$2" "$VPORT"
}

# hex_head N FILE: the first N bytes of FILE as hex, one string.
hex_head() { head -c "$1" "$2" | od -An -v -tx1 | tr -d ' \n'; }

# retrans NS: TCP segments retransmitted in namespace NS (/proc/net/snmp).
retrans() {
	n "$1" cat /proc/net/snmp | awk '$1 == "Tcp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "RetransSegs") c = i; next }
		print $c }'
}

# sha FILE: its sha256.
sha() { sha256sum <"$1" | awk '{ print $1 }'; }

# upload NS SRC SPORT SIZE OUT: SIZE bytes of /tmp/data from SRC:SPORT in
# namespace NS to the VIP; be1 writes what it receives to OUT.
upload() {
	rm -f "$5"
	bg /tmp/up.log be1 socat -u "$LISTEN":10000,reuseaddr CREATE:"$5"
	_srv=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || return 1
	head -c "$4" /tmp/data >/tmp/up.src
	n "$1" timeout 90 socat -u OPEN:/tmp/up.src \
		"$(to "$2" "$3" 10)" 2>/tmp/up.err
	wait_exit 60 "$_srv"
}

# upload_ok DESC HEXHDR OUT: OUT is the header HEXHDR (hex), then
# /tmp/up.src.
upload_ok() {
	_uo_n=$((${#2} / 2))
	_uo_got=$(hex_head "$_uo_n" "$3")
	tail -c +$((_uo_n + 1)) "$3" >/tmp/up.data
	if [ "$_uo_got" = "$2" ] && [ "$(sha /tmp/up.data)" = "$(sha /tmp/up.src)" ]; then
		ok "$1"
	else
		fail "$1" "header: $_uo_got" "want:   $2" \
			"data: $(wc -c </tmp/up.data) bytes, sha $(sha /tmp/up.data)" \
			"sent: $(wc -c </tmp/up.src) bytes, sha $(sha /tmp/up.src)"
		diag_file /tmp/up.err 5
	fi
}

# set_mode MODE: the service's client-addr.
set_mode() {
	l4lbctl service set vip "$FVIP" port "$VPORT" proto tcp client-addr "$1"
}

# get SRC SPORT: one request from SRC:SPORT through the VIP, to nginx.
get() {
	printf 'GET / HTTP/1.0\r\nHost: vip\r\n\r\n' |
		n cli timeout 10 socat -t 5 - "$(to "$1" "$2" 5)" \
		>>/tmp/ngx/answers 2>&1
}

# ------------------------------------------------------ shared parts ----

# nginx_part: 1., with nginx if the image has it. 4 results.
nginx_part() {
	step "${P}nginx with proxy_protocol"
	if ! command -v nginx >/dev/null 2>&1; then
		skip "${P}nginx logs each $CLIENT_W's own address and port (v2)" "no nginx in the image"
		skip "${P}service set client-addr proxy-v1" "no nginx in the image"
		skip "${P}nginx logs each $CLIENT_W's own address and port (v1)" "no nginx in the image"
		skip "${P}every request was answered" "no nginx in the image"
		return 0
	fi
	mkdir -p /tmp/ngx /var/lib/nginx /var/log/nginx
	cat >/tmp/ngx/nginx.conf <<EOT
user root root;
worker_processes 1;
daemon off;
pid /tmp/ngx/nginx.pid;
error_log /tmp/ngx/error.log info;
events { worker_connections 64; }
http {
	log_format pp '$NGX_FORMAT';
	access_log /tmp/ngx/access.log pp;
	server {
		listen $NGX_LISTEN proxy_protocol;
		location / { return 200 "ok\n"; }
	}
}
EOT
	: >/tmp/ngx/access.log
	: >/tmp/ngx/answers
	bg /tmp/ngx.log be1 nginx -p /tmp/ngx -e /tmp/ngx/error.log -c /tmp/ngx/nginx.conf
	ngx=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || die "${P}nginx listens on be1:10000"
	get "$CLIA" 41001
	get "$CLIB" 41002
	diag_file /tmp/ngx/access.log
	expect_eq "${P}nginx logs each $CLIENT_W's own address and port (v2)" \
		"$(ep "$CLIA" 41001) $NGX_PEER,$(ep "$CLIB" 41002) $NGX_PEER" \
		"$(head -n 2 /tmp/ngx/access.log | tr '\n' ',' | sed 's/,$//')"
	check "${P}service set client-addr proxy-v1" set_mode proxy-v1
	get "$CLIA" 41003
	get "$CLIB" 41004
	diag_file /tmp/ngx/access.log
	expect_eq "${P}nginx logs each $CLIENT_W's own address and port (v1)" \
		"$(ep "$CLIA" 41003) $NGX_PEER,$(ep "$CLIB" 41004) $NGX_PEER" \
		"$(sed -n '3,4p' /tmp/ngx/access.log | tr '\n' ',' | sed 's/,$//')"
	expect_eq "${P}every request was answered" 4 "$(grep -c '^ok' /tmp/ngx/answers)"
	diag_file /tmp/ngx/error.log 10
	kill "$ngx"
	wait_exit 10 "$ngx"
	set_mode proxy-v2 || die "${P}back to proxy-v2"
}

# download FILE OUT CPORT SECS: be1 serves FILE first to one connection of
# the client from CLIA:CPORT, then keeps the first PP2LEN bytes it reads
# (the header the client's ACK carried) in OUT.hdr; the client's copy goes
# to OUT.got (its errors to OUT.err), within SECS. Fails if be1 does not
# listen.
download() {
	rm -f "$2.got" "$2.hdr"
	bg "$2.log" be1 socat -t 10 "$LISTEN":10000,reuseaddr \
		SYSTEM:"cat $1; head -c $PP2LEN >$2.hdr"
	srv=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || return 1
	n cli timeout "$4" socat -u "$(to "$CLIA" "$3" 10)" \
		CREATE:"$2.got" 2>"$2.err"
	wait_exit 30 "$srv"
}

# transfers: 2. and 3., 20 MB each way. 3 results.
transfers() {
	step "${P}20 MB from the client"
	upload cli "$CLIA" 41010 "$BIG" /tmp/up1.got || die "${P}upload server"
	upload_ok "${P}be1 gets $HDR_W once, then 20 MB intact" \
		"$(pp_hex "$CLIA" 41010)" /tmp/up1.got

	step "${P}20 MB to the client, the server first"
	download /tmp/data /tmp/down 41011 90 || die "${P}download server"
	if [ "$(sha /tmp/down.got)" = "$(sha /tmp/data)" ]; then
		ok "${P}the client gets 20 MB intact from be1"
	else
		fail "${P}the client gets 20 MB intact from be1" "got $(wc -c </tmp/down.got) bytes"
		diag_file /tmp/down.err 5
	fi
	expect_eq "${P}be1 then reads the header the client's ACK carried" \
		"$(pp_hex "$CLIA" 41011)" "$(hex_head "$PP2LEN" /tmp/down.hdr)"
}

# lossy: 6., over a lossy lb<->be1 link, with tc and sch_netem. 3 results.
lossy() {
	step "${P}a lossy backend link"
	# iproute2's tc by its path: busybox has a tc applet without netem.
	TC=/usr/sbin/tc
	if ! [ -x $TC ] || ! kmod_load sch_netem 2>/dev/null; then
		skip "${P}10 uploads over a lossy link, each header once and intact" "no tc or sch_netem"
		skip "${P}4 MB download over a lossy link intact" "no tc or sch_netem"
		skip "${P}be1 retransmitted segments: the loss was real" "no tc or sch_netem"
		return 0
	fi
	if ! $TC qdisc add dev veth-be1 root netem loss 5% ||
		! n be1 $TC qdisc add dev eth0 root netem loss 5%; then
		die "${P}netem loss 5% on both ends of the lb<->be1 link"
	fi
	retr0=$(retrans be1)
	good=0
	i=0
	while [ $i -lt 10 ]; do
		upload cli "$CLIA" $((41100 + i)) 204800 /tmp/lossy.got
		if [ "$(hex_head "$PP2LEN" /tmp/lossy.got)" = "$(pp_hex "$CLIA" $((41100 + i)))" ] &&
			tail -c +$((PP2LEN + 1)) /tmp/lossy.got >/tmp/lossy.data &&
			[ "$(sha /tmp/lossy.data)" = "$(sha /tmp/up.src)" ]; then
			good=$((good + 1))
		else
			diag "upload $i: header $(hex_head "$HDR_SHOW" /tmp/lossy.got), $(wc -c </tmp/lossy.got) bytes"
		fi
		i=$((i + 1))
	done
	expect_eq "${P}10 uploads over a lossy link, each header once and intact" 10 "$good"
	head -c 4194304 /tmp/data >/tmp/data4
	download /tmp/data4 /tmp/down4 41199 120 ||
		die "${P}lossy download server"
	if [ "$(sha /tmp/down4.got)" = "$(sha /tmp/data4)" ] &&
		[ "$(hex_head "$PP2LEN" /tmp/down4.hdr)" = "$(pp_hex "$CLIA" 41199)" ]; then
		ok "${P}4 MB download over a lossy link intact"
	else
		fail "${P}4 MB download over a lossy link intact" \
			"got $(wc -c </tmp/down4.got) bytes, header $(hex_head "$PP2LEN" /tmp/down4.hdr)"
	fi
	retr1=$(retrans be1)
	diag "be1 RetransSegs: ${retr0:-?} -> ${retr1:-?}"
	check "${P}be1 retransmitted segments: the loss was real" \
		[ "${retr1:-0}" -gt "${retr0:-0}" ]
	$TC qdisc del dev veth-be1 root
	n be1 $TC qdisc del dev eth0 root
}

# finish TAG: 7., the counters, rmmod and the kernel log since the mark
# TAG. IPv4 keeps the topology (its processes are killed), IPv6 removes
# it. 4 results.
finish() {
	step "${P}counters and teardown"
	diag "stats: $(l4lbctl stats | tr '\n' ' ')"
	expect_eq "${P}no SYN data was dropped" 0 "$(l4lbctl -j stats | jq -r '.proxy_syn_data')"
	case $FAM in
	4) bg_kill_all ;;
	6) v6_topo_down ;;
	esac
	if unload_l4lb; then ok "${P}rmmod l4lb"; else fail "${P}rmmod l4lb"; fi
	check "${P}no l4lb slab cache left after rmmod" slab_check
	kernel_clean_since "$1"
}

# ------------------------------------------------------------- set up ----

# One topology for both families (dual_topo_up: topo_up plus the v6
# addresses and routes, unless the run leaves IPv6 out); each family's
# second client address.
step "topology"
dual_topo_up || die "topology up (v4, and v6 unless left out)"
ip -n cli addr add 10.0.0.3/24 dev eth0 || die "a second client address"
if has_family 6; then
	ip -n cli -6 addr add "$CLI6B/64" dev eth0 nodad ||
		die "a second v6 client address"
fi

# ================================================================ IPv4 ====

family 4
kmsg_mark "ca_proxy"
load_l4lb vip="$VIP" port="$VPORT" backends="$BE1" client_addr=proxy-v2 ||
	die "l4lb up with client_addr=proxy-v2"
expect_eq "the service passes client addresses as proxy-v2" "proxy-v2" \
	"$(l4lbctl -j service | jq -r '.[0].client_addr')"
head -c "$BIG" /dev/urandom >/tmp/data || die "20 MB of random data"

nginx_part
transfers

step "a local client (LOCAL_OUT, GSO)"
upload lb 10.0.0.1 41012 2097152 /tmp/up2.got || die "upload server"
upload_ok "a local client's 2 MB: header once, data intact" \
	"$(pp_hex 10.0.0.1 41012)" /tmp/up2.got

step "a server that speaks first"
bg /tmp/greet.log be1 chatd -p -g hello 10000
greet=$BG_PID
wait_for 10 'listens be1 tcp 10000' || die "chatd -p -g listens"
n cli timeout 10 socat -T 3 -u "TCP:$VIP:$VPORT,bind=10.0.0.3:41020,connect-timeout=5" \
	- >/tmp/greet.out 2>&1
diag_file /tmp/greet.log
expect_eq "the client, sending nothing, gets the greeting" hello "$(head -n 1 /tmp/greet.out)"
check "chatd got the client's address from the header alone" \
	grep -q "^proxy v2 10.0.0.3:41020 10.0.0.1:$VPORT\$" /tmp/greet.log
kill "$greet"
wait_exit 10 "$greet"

lossy
finish "ca_proxy"

# ================================================================ IPv6 ====

require_family 6
family 6
kmsg_mark "ca_proxy_v6"
load_l4lb svc_max=4096 || die "v6: l4lb loaded"
pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp client-addr proxy-v2 ||
	die "v6: the v6 service with client-addr proxy-v2"
pp l4lbctl backend add "$BE6_1" service "$SVC" || die "v6: be1 in the v6 service"
expect_eq "v6: the v6 service passes client addresses as proxy-v2" "proxy-v2" \
	"$(l4lbctl -j service | jq -r '.[0].client_addr')"
head -c "$BIG" /dev/urandom >/tmp/data || die "v6: 20 MB of random data"

nginx_part
transfers

step "v6: a local client (LOCAL_OUT, GSO)"
upload lb "$LB6" 41012 2097152 /tmp/up2.got || die "v6: upload server"
upload_ok "v6: a local client's 2 MB: header once (a segment of its own), data intact" \
	"$(pp_hex "$LB6" 41012)" /tmp/up2.got

step "v6: proxy-v1: the TCP6 line"
set_mode proxy-v1 || die "v6: client-addr proxy-v1"
upload cli "$CLI6" 41030 2097152 /tmp/up3.got || die "v6: upload server"
upload_ok "v6: be1 gets the line PROXY TCP6 once, then 2 MB intact" \
	"$(pp1_line "$CLI6" 41030 | od -An -v -tx1 | tr -d ' \n')" /tmp/up3.got
set_mode proxy-v2 || die "v6: back to proxy-v2"

lossy
finish "ca_proxy_v6"
