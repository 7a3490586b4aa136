#!/bin/sh
# ca_proxy_v6: PROXY protocol towards the backends of an IPv6 service
# (client-addr proxy-v2 and proxy-v1, issues #16 and #18): ca_proxy.sh over
# the IPv6 topology of lib/v6.sh.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp \
#       client-addr proxy-v2
#   l4lbctl backend add [2001:db8:1::1]:10000 service [2001:db8::1]:20000/tcp
#
#  1. nginx on be1 (`listen [::]:10000 proxy_protocol`, logging
#     [$proxy_protocol_addr]:$proxy_protocol_port [$remote_addr]): two
#     clients (cli's 2001:db8::2 and 2001:db8::3, fixed source ports) are
#     logged with their own address and port, for v2, then for v1 after
#     `l4lbctl service set ... client-addr proxy-v1`; nginx's peer is still
#     the balancer (2001:db8:1::fe).
#  2. 20 MB from the client to be1 (socat): be1 receives exactly the v2
#     header of that connection (52 bytes: family 0x21, 36 bytes of
#     addresses and ports), byte for byte, then the 20 MB (sha256).
#  3. 20 MB from be1 to the client, be1 sending first without reading:
#     the client gets the 20 MB (sha256), and be1 then reads the header,
#     which rode on the client's ACK.
#  4. A 2 MB upload from a process on lb itself, from 2001:db8::fe
#     (LOCAL_OUT: GSO, CHECKSUM_PARTIAL, so the header goes in a segment
#     of its own, routed with ip6_route_output()): header once, data intact.
#  5. With proxy-v1: a 2 MB upload starts with exactly the line
#     "PROXY TCP6 2001:db8::2 2001:db8::1 41030 20000\r\n", then the data.
#  6. With tc netem loss 5% both ways on the lb<->be1 link, proxy-v2: ten
#     200 KB uploads and a 4 MB download, each intact, each upload starting
#     with its header exactly once. Skipped without tc or sch_netem.
#  7. proxy_syn_data stays 0; the kernel log is clean; rmmod leaves no slab
#     cache.
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 17
require_l4lbctl

BIG=20971520
CLI6B=2001:db8::3
SVC=[$VIP6]:$VPORT/tcp
PP2LEN=52

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

# pp_hex SRC SPORT: the v2 header of a connection from [SRC]:SPORT to the
# VIP, as hex (proxy-protocol.txt 2.2: signature, 0x21 PROXY, 0x21 TCP
# over IPv6, length 36, addresses, ports).
pp_hex() {
	printf '0d0a0d0a000d0a515549540a21210024%s%s%04x%04x' \
		"$(hex6 "$1")" "$(hex6 "$VIP6")" "$2" "$VPORT"
}

# pp1_line SRC SPORT: the v1 line of a connection from [SRC]:SPORT.
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

# upload NS SRC SPORT SIZE OUT: SIZE bytes of /tmp/data from [SRC]:SPORT in
# namespace NS to the VIP; be1 writes what it receives to OUT.
upload() {
	rm -f "$5"
	bg /tmp/up.log be1 socat -u TCP6-LISTEN:10000,reuseaddr CREATE:"$5"
	_srv=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || return 1
	head -c "$4" /tmp/data >/tmp/up.src
	n "$1" timeout 90 socat -u OPEN:/tmp/up.src \
		"TCP6:[$VIP6]:$VPORT,bind=[$2]:$3,connect-timeout=10" 2>/tmp/up.err
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

# set_mode MODE: the v6 service's client-addr.
set_mode() {
	l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp client-addr "$1"
}

step "topology"
v6_topo_up || die "v6 topology up"
ip -n cli -6 addr add "$CLI6B/64" dev eth0 nodad || die "a second client address"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "ca_proxy_v6"
load_l4lb svc_max=4096 || die "l4lb loaded"
pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp client-addr proxy-v2 ||
	die "the v6 service with client-addr proxy-v2"
pp l4lbctl backend add "$BE6_1" service "$SVC" || die "be1 in the v6 service"
expect_eq "the v6 service passes client addresses as proxy-v2" "proxy-v2" \
	"$(l4lbctl -j service | jq -r '.[0].client_addr')"
head -c "$BIG" /dev/urandom >/tmp/data || die "20 MB of random data"

step "nginx with proxy_protocol over IPv6"
if ! command -v nginx >/dev/null 2>&1; then
	skip "nginx logs each v6 client's own address and port (v2)" "no nginx in the image"
	skip "service set client-addr proxy-v1" "no nginx in the image"
	skip "nginx logs each v6 client's own address and port (v1)" "no nginx in the image"
	skip "every request was answered" "no nginx in the image"
else
	mkdir -p /tmp/ngx /var/lib/nginx /var/log/nginx
	cat >/tmp/ngx/nginx.conf <<EOF
user root root;
worker_processes 1;
daemon off;
pid /tmp/ngx/nginx.pid;
error_log /tmp/ngx/error.log info;
events { worker_connections 64; }
http {
	log_format pp '[\$proxy_protocol_addr]:\$proxy_protocol_port [\$remote_addr]';
	access_log /tmp/ngx/access.log pp;
	server {
		listen [::]:10000 proxy_protocol;
		location / { return 200 "ok\n"; }
	}
}
EOF
	: >/tmp/ngx/access.log
	: >/tmp/ngx/answers
	bg /tmp/ngx.log be1 nginx -p /tmp/ngx -e /tmp/ngx/error.log -c /tmp/ngx/nginx.conf
	ngx=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || die "nginx listens on be1:10000"
	# get SRC SPORT: one request from [SRC]:SPORT through the VIP.
	get() {
		printf 'GET / HTTP/1.0\r\nHost: vip\r\n\r\n' |
			n cli timeout 10 socat -t 5 - \
			"TCP6:[$VIP6]:$VPORT,bind=[$1]:$2,connect-timeout=5" \
			>>/tmp/ngx/answers 2>&1
	}
	get "$CLI6" 41001
	get "$CLI6B" 41002
	diag_file /tmp/ngx/access.log
	expect_eq "nginx logs each v6 client's own address and port (v2)" \
		"[$CLI6]:41001 [2001:db8:1::fe],[$CLI6B]:41002 [2001:db8:1::fe]" \
		"$(head -n 2 /tmp/ngx/access.log | tr '\n' ',' | sed 's/,$//')"
	check "service set client-addr proxy-v1" set_mode proxy-v1
	get "$CLI6" 41003
	get "$CLI6B" 41004
	diag_file /tmp/ngx/access.log
	expect_eq "nginx logs each v6 client's own address and port (v1)" \
		"[$CLI6]:41003 [2001:db8:1::fe],[$CLI6B]:41004 [2001:db8:1::fe]" \
		"$(sed -n '3,4p' /tmp/ngx/access.log | tr '\n' ',' | sed 's/,$//')"
	expect_eq "every request was answered" 4 "$(grep -c '^ok' /tmp/ngx/answers)"
	diag_file /tmp/ngx/error.log 10
	kill "$ngx"
	wait_exit 10 "$ngx"
	set_mode proxy-v2 || die "back to proxy-v2"
fi

step "20 MB from the client"
upload cli "$CLI6" 41010 "$BIG" /tmp/up1.got || die "upload server"
upload_ok "be1 gets the 52-byte TCP6 v2 header once, then 20 MB intact" \
	"$(pp_hex "$CLI6" 41010)" /tmp/up1.got

step "20 MB to the client, the server first"
rm -f /tmp/down.got /tmp/down.hdr
bg /tmp/down.log be1 socat -t 10 TCP6-LISTEN:10000,reuseaddr \
	SYSTEM:"cat /tmp/data; head -c $PP2LEN >/tmp/down.hdr"
srv=$BG_PID
wait_for 10 'listens be1 tcp 10000' || die "download server"
n cli timeout 90 socat -u "TCP6:[$VIP6]:$VPORT,bind=[$CLI6]:41011,connect-timeout=10" \
	CREATE:/tmp/down.got 2>/tmp/down.err
wait_exit 30 "$srv"
if [ "$(sha /tmp/down.got)" = "$(sha /tmp/data)" ]; then
	ok "the client gets 20 MB intact from be1"
else
	fail "the client gets 20 MB intact from be1" "got $(wc -c </tmp/down.got) bytes"
	diag_file /tmp/down.err 5
fi
expect_eq "be1 then reads the header the client's ACK carried" \
	"$(pp_hex "$CLI6" 41011)" "$(hex_head $PP2LEN /tmp/down.hdr)"

step "a local client (LOCAL_OUT, GSO)"
upload lb "$LB6" 41012 2097152 /tmp/up2.got || die "upload server"
upload_ok "a local client's 2 MB: header once (a segment of its own), data intact" \
	"$(pp_hex "$LB6" 41012)" /tmp/up2.got

step "proxy-v1: the TCP6 line"
set_mode proxy-v1 || die "client-addr proxy-v1"
upload cli "$CLI6" 41030 2097152 /tmp/up3.got || die "upload server"
upload_ok "be1 gets the line PROXY TCP6 once, then 2 MB intact" \
	"$(pp1_line "$CLI6" 41030 | od -An -v -tx1 | tr -d ' \n')" /tmp/up3.got
set_mode proxy-v2 || die "back to proxy-v2"

step "a lossy backend link"
# iproute2's tc by its path: busybox has a tc applet without netem.
TC=/usr/sbin/tc
if ! [ -x $TC ] || ! kmod_load sch_netem 2>/dev/null; then
	skip "10 uploads over a lossy link, each header once and intact" "no tc or sch_netem"
	skip "4 MB download over a lossy link intact" "no tc or sch_netem"
	skip "be1 retransmitted segments: the loss was real" "no tc or sch_netem"
else
	if ! $TC qdisc add dev veth-be1 root netem loss 5% ||
		! n be1 $TC qdisc add dev eth0 root netem loss 5%; then
		die "netem loss 5% on both ends of the lb<->be1 link"
	fi
	retr0=$(retrans be1)
	good=0
	i=0
	while [ $i -lt 10 ]; do
		upload cli "$CLI6" $((41100 + i)) 204800 /tmp/lossy.got
		if [ "$(hex_head $PP2LEN /tmp/lossy.got)" = "$(pp_hex "$CLI6" $((41100 + i)))" ] &&
			tail -c +$((PP2LEN + 1)) /tmp/lossy.got >/tmp/lossy.data &&
			[ "$(sha /tmp/lossy.data)" = "$(sha /tmp/up.src)" ]; then
			good=$((good + 1))
		else
			diag "upload $i: header $(hex_head 60 /tmp/lossy.got), $(wc -c </tmp/lossy.got) bytes"
		fi
		i=$((i + 1))
	done
	expect_eq "10 uploads over a lossy link, each header once and intact" 10 "$good"
	head -c 4194304 /tmp/data >/tmp/data4
	rm -f /tmp/down4.got
	bg /tmp/down4.log be1 socat -t 10 TCP6-LISTEN:10000,reuseaddr \
		SYSTEM:"cat /tmp/data4; head -c $PP2LEN >/tmp/down4.hdr"
	srv=$BG_PID
	wait_for 10 'listens be1 tcp 10000' || die "lossy download server"
	n cli timeout 120 socat -u "TCP6:[$VIP6]:$VPORT,bind=[$CLI6]:41199,connect-timeout=10" \
		CREATE:/tmp/down4.got 2>/tmp/down4.err
	wait_exit 30 "$srv"
	if [ "$(sha /tmp/down4.got)" = "$(sha /tmp/data4)" ] &&
		[ "$(hex_head $PP2LEN /tmp/down4.hdr)" = "$(pp_hex "$CLI6" 41199)" ]; then
		ok "4 MB download over a lossy link intact"
	else
		fail "4 MB download over a lossy link intact" \
			"got $(wc -c </tmp/down4.got) bytes, header $(hex_head $PP2LEN /tmp/down4.hdr)"
	fi
	retr1=$(retrans be1)
	diag "be1 RetransSegs: ${retr0:-?} -> ${retr1:-?}"
	check "be1 retransmitted segments: the loss was real" \
		[ "${retr1:-0}" -gt "${retr0:-0}" ]
	$TC qdisc del dev veth-be1 root
	n be1 $TC qdisc del dev eth0 root
fi

step "counters and teardown"
diag "stats: $(l4lbctl stats | tr '\n' ' ')"
expect_eq "no SYN data was dropped" 0 "$(l4lbctl -j stats | jq -r '.proxy_syn_data')"
v6_topo_down
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "ca_proxy_v6"
