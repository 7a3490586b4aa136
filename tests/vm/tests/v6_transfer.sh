#!/bin/sh
# v6_transfer: 20 MB of random bytes through the balancer over IPv6 in each
# direction (client -> backend, then backend -> client), compared by
# sha256; integrity.sh's test over [2001:db8::1]:20000.
#
# Round robin sends the first connection to be1 and the second to be2, but
# every backend listens, so a wrong placement shows up as its own failure
# rather than as a hang. socat (-d -d) logs each accepted peer: backend k
# must see the balancer's 2001:db8:k::fe (socat writes it in full), never
# the client. At the end no v6 row is left.
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 9
require_lb
[ "$LB_IMPL" = l4lb ] && require_l4lbctl

SIZE_MB=20
BYTES=$((SIZE_MB * 1024 * 1024))

# _v6_listening: all three backends listen on their TCP port.
_v6_listening() {
	listens be1 tcp 10000 && listens be2 tcp 10001 && listens be3 tcp 10002
}

# _peer_is LOG K: socat's log LOG accepted a connection from lb's address
# on backend K's link, 2001:db8:k::fe, as socat writes it.
_peer_is() {
	grep -q "accepting connection from AF=10 \[2001:0db8:000$2:0000:0000:0000:0000:00fe]:" "$1"
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_transfer"
v6_lb_up || die "balancer ($LB_IMPL) up with [$VIP6]:$VPORT"
ok "balancer ($LB_IMPL) up with [$VIP6]:$VPORT"

step "make $SIZE_MB MB of random data"
head -c $BYTES /dev/urandom >/tmp/up.bin
head -c $BYTES /dev/urandom >/tmp/down.bin
want_up=$(sha256sum </tmp/up.bin)
want_down=$(sha256sum </tmp/down.bin)

# 1. client -> backend: each backend stores what it receives.
step "upload: receivers on the backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/up$i.log" "be$i" socat -d -d -u -t 10 TCP6-LISTEN:$port,reuseaddr CREATE:/tmp/up.be$i
	i=$((i + 1))
done
wait_for 10 _v6_listening || diag "receivers not listening"
step "upload $SIZE_MB MB cli -> [$VIP6]:$VPORT"
t0=$(_now)
n cli timeout 90 socat -u -t 10 OPEN:/tmp/up.bin "TCP6:[$VIP6]:$VPORT,connect-timeout=10" 2>/tmp/up.err
rc=$?
diag "upload: socat exit $rc after $(($(_now) - t0)) s"
[ "$rc" = 0 ] || diag_file /tmp/up.err
wait_for 30 '[ "$(stat -c %s /tmp/up.be1 2>/dev/null)" = $BYTES ]'
got=""
for b in 1 2 3; do
	[ -s "/tmp/up.be$b" ] && { got="$got be$b"; diag "be$b received $(stat -c %s /tmp/up.be$b) bytes"; }
done
expect_eq "upload went to be1 (first connection, round robin)" " be1" "$got"
expect_eq "upload: $SIZE_MB MB arrive intact (sha256)" "$want_up" "$(sha256sum </tmp/up.be1 2>/dev/null)"
grep -h "accepting connection" /tmp/up?.log | sed 's/^/#   /'
if _peer_is /tmp/up1.log 1; then ok "be1 saw the balancer's 2001:db8:1::fe as its peer"
else fail "be1 saw the balancer's 2001:db8:1::fe as its peer"; diag_file /tmp/up1.log; fi
bg_kill_all
rm -f /tmp/up.be* /tmp/up.bin

# 2. backend -> client: each backend serves the file.
step "download: senders on the backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/down$i.log" "be$i" socat -d -d -u -t 10 OPEN:/tmp/down.bin TCP6-LISTEN:$port,reuseaddr
	i=$((i + 1))
done
wait_for 10 _v6_listening || diag "senders not listening"
step "download $SIZE_MB MB [$VIP6]:$VPORT -> cli"
t0=$(_now)
n cli timeout 90 socat -u -t 10 "TCP6:[$VIP6]:$VPORT,connect-timeout=10" CREATE:/tmp/down.got 2>/tmp/down.err
rc=$?
diag "download: socat exit $rc after $(($(_now) - t0)) s, $(stat -c %s /tmp/down.got 2>/dev/null) bytes"
[ "$rc" = 0 ] || diag_file /tmp/down.err
expect_eq "download: $SIZE_MB MB arrive intact (sha256)" "$want_down" "$(sha256sum </tmp/down.got 2>/dev/null)"
# Which backend served it: its socat (-d -d) logged the accept.
served=""
for b in 1 2 3; do
	grep -q "accepting connection" "/tmp/down$b.log" && served="$served be$b"
done
grep -h "accepting connection" /tmp/down?.log | sed 's/^/#   /'
expect_eq "download came from be2 (second connection, round robin)" " be2" "$served"
if _peer_is /tmp/down2.log 2; then ok "be2 saw the balancer's 2001:db8:2::fe as its peer"
else fail "be2 saw the balancer's 2001:db8:2::fe as its peer"; diag_file /tmp/down2.log; fi
bg_kill_all
rm -f /tmp/down.got /tmp/down.bin

if v6_wait_nat_len 0 20; then ok "no v6 row left after both transfers"
else fail "no v6 row left after both transfers" "v6 rows: $(v6_nat_len)"; v6_nat_show; fi
v6_topo_down
v6_lb_down || diag "balancer down failed"
kernel_clean_since "v6_transfer"
