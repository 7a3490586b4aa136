#!/bin/sh
# ca_toa: the client's address in TCP option 254 (client-addr toa, issue
# #16), as LVS FULLNAT and DPVS send it: kind 254, length 8, the client's
# port and IPv4 address.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=10.0.1.1:10000 \
#       client_addr=toa
#
# No toa module on the backend: tcpopt (tests/apps, an AF_PACKET reader)
# prints the options of every segment in be1's and in cli's namespace
# while cli (10.0.0.2, port 42001) sends "one", waits, sends "two" to an
# echo server on be1. Checked:
#  - the SYN carries no option 254; the ACK that completes the handshake
#    and the first data segment carry 10.0.0.2:42001; the second data
#    segment, sent after be1 acknowledged the first, carries none;
#  - the MSS cli sees in the SYN-ACK is the one be1 sent less 8;
#  - the echo comes back whole; toa_no_room stays 0;
#  - a 5 MB upload arrives intact (sha256);
#  - rmmod leaves no slab cache; the kernel log is clean.
. /vm/lib/common.sh
plan 11
require_l4lbctl

CPORT=42001

# tcpopt reads an AF_PACKET socket; the debug kernel is built without one.
if [ ! -e /proc/net/packet ]; then
	skip_rest "no AF_PACKET sockets in this kernel (CONFIG_PACKET)"
	exit 0
fi

step "topology"
topo_up || die "topology up"
kmsg_mark "ca_toa"
load_l4lb vip="$VIP" port="$VPORT" backends="$BE1" client_addr=toa ||
	die "l4lb up with client_addr=toa"
bg /tmp/echo.log be1 socat TCP-LISTEN:10000,reuseaddr,fork SYSTEM:cat
echo_srv=$BG_PID
wait_for 10 'listens be1 tcp 10000' || die "echo server on be1"

step "capture"
bg /tmp/cap.be1 be1 tcpopt -t 8 10000
cap_be=$BG_PID
bg /tmp/cap.cli cli tcpopt -t 8 "$VPORT"
cap_cli=$BG_PID
wait_for 5 'grep -q ^ready /tmp/cap.be1 && grep -q ^ready /tmp/cap.cli' ||
	die "tcpopt runs in be1 and cli"
(echo one; sleep 1; echo two; sleep 1) |
	n cli timeout 10 socat -t 2 - "TCP:$VIP:$VPORT,bind=10.0.0.2:$CPORT,connect-timeout=5" \
	>/tmp/echo.out 2>/tmp/echo.err
wait_exit 15 "$cap_be"
wait_exit 15 "$cap_cli"
diag_file /tmp/cap.be1 30
diag_file /tmp/cap.cli 30

# What cli sent to be1, as be1 got it.
grep '> 10\.0\.1\.1:10000 ' /tmp/cap.be1 >/tmp/to_be1
syn=$(grep -m 1 ' flags=S ' /tmp/to_be1)
ack=$(grep -m 1 ' flags=A len=0' /tmp/to_be1)
data1=$(grep -v ' len=0' /tmp/to_be1 | sed -n 1p)
data2=$(grep -v ' len=0' /tmp/to_be1 | sed -n 2p)
want="toa=10.0.0.2:$CPORT"

case $syn in
"") fail "the SYN carries no option 254" "no SYN captured" ;;
*toa=*) fail "the SYN carries no option 254" "$syn" ;;
*) ok "the SYN carries no option 254" ;;
esac
case $ack in
*" $want"*) ok "the handshake's ACK carries $want" ;;
*) fail "the handshake's ACK carries $want" "got: $ack" ;;
esac
case $data1 in
*" len=4"*" $want"*) ok "the first data segment carries $want" ;;
*) fail "the first data segment carries $want" "got: $data1" ;;
esac
case $data2 in
"") fail "the second data segment carries no option 254" "no second segment" ;;
*toa=*) fail "the second data segment carries no option 254" "got: $data2" ;;
*) ok "the second data segment carries no option 254" ;;
esac

mss_of() { sed -n 's/.* mss=\([0-9]*\).*/\1/p' | head -n 1; }
be_mss=$(grep "^tcp 10\.0\.1\.1:10000 > .* flags=SA " /tmp/cap.be1 | mss_of)
cli_mss=$(grep "^tcp $VIP:$VPORT > 10\.0\.0\.2:$CPORT flags=SA " /tmp/cap.cli | mss_of)
diag "SYN-ACK MSS: be1 sent ${be_mss:-none}, cli got ${cli_mss:-none}"
if [ -n "$be_mss" ] && [ -n "$cli_mss" ] && [ "$cli_mss" = $((be_mss - 8)) ]; then
	ok "the client sees the backend's MSS less 8 ($be_mss -> $cli_mss)"
else
	fail "the client sees the backend's MSS less 8"
fi

expect_eq "the echo comes back whole" "one two" "$(tr '\n' ' ' </tmp/echo.out | sed 's/ $//')"
expect_eq "no segment went without the option for want of room" 0 \
	"$(l4lbctl -j stats | jq -r '.toa_no_room')"
kill "$echo_srv"
wait_exit 10 "$echo_srv"

step "5 MB upload"
head -c 5242880 /dev/urandom >/tmp/data || die "5 MB of random data"
rm -f /tmp/got
bg /tmp/sink.log be1 socat -u TCP-LISTEN:10000,reuseaddr CREATE:/tmp/got
sink=$BG_PID
wait_for 10 'listens be1 tcp 10000' || die "sink on be1"
n cli timeout 60 socat -u OPEN:/tmp/data "TCP:$VIP:$VPORT,connect-timeout=5" 2>/tmp/up.err
wait_exit 30 "$sink"
expect_eq "5 MB from the client arrive intact" \
	"$(sha256sum </tmp/data | awk '{ print $1 }')" \
	"$(sha256sum </tmp/got | awk '{ print $1 }')"

step "teardown"
diag "stats: $(l4lbctl stats | tr '\n' ' ')"
topo_down
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "ca_toa"
