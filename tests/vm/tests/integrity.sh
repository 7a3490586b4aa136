#!/bin/sh
# integrity: 20 MB of random bytes through the balancer in each direction
# (client -> backend, then backend -> client), compared by sha256.
#
# Round robin sends the first connection to be1 and the second to be2, but
# every backend listens, so a wrong placement shows up as its own failure
# rather than as a hang.
. /vm/lib/common.sh
plan 7
require_lb

SIZE_MB=20

step "topology"
topo_up || die "topology up"
kmsg_mark "integrity"
lb_up || die "balancer ($LB_IMPL) up"
ok "balancer ($LB_IMPL) up"

step "make $SIZE_MB MB of random data"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >/tmp/up.bin
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >/tmp/down.bin
want_up=$(sha256sum </tmp/up.bin)
want_down=$(sha256sum </tmp/down.bin)

# 1. client -> backend: each backend stores what it receives.
step "upload: receivers on the backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/up$i.log" "be$i" socat -u -t 10 TCP-LISTEN:$port,reuseaddr CREATE:/tmp/up.be$i
	i=$((i + 1))
done
wait_for 10 'n be1 ss -ltn | grep -q ":10000 " && n be2 ss -ltn | grep -q ":10001 " &&
	n be3 ss -ltn | grep -q ":10002 "' || diag "receivers not listening"
step "upload $SIZE_MB MB cli -> $VIP:$VPORT"
t0=$(_now)
n cli timeout 90 socat -u -t 10 OPEN:/tmp/up.bin TCP:$VIP:$VPORT,connect-timeout=10 2>/tmp/up.err
rc=$?
diag "upload: socat exit $rc after $(($(_now) - t0)) s"
[ "$rc" = 0 ] || diag_file /tmp/up.err
wait_for 30 '[ "$(stat -c %s /tmp/up.be1 2>/dev/null)" = $((SIZE_MB * 1024 * 1024)) ]'
got=""
for b in 1 2 3; do
	[ -s "/tmp/up.be$b" ] && { got="$got be$b"; diag "be$b received $(stat -c %s /tmp/up.be$b) bytes"; }
done
expect_eq "upload went to be1 (first connection, round robin)" " be1" "$got"
expect_eq "upload: $SIZE_MB MB arrive intact (sha256)" "$want_up" "$(sha256sum </tmp/up.be1 2>/dev/null)"
bg_kill_all
rm -f /tmp/up.be*

# 2. backend -> client: each backend serves the file.
step "download: senders on the backends"
i=1
for port in $BE_PORTS; do
	bg "/tmp/down$i.log" "be$i" socat -d -d -u -t 10 OPEN:/tmp/down.bin TCP-LISTEN:$port,reuseaddr
	i=$((i + 1))
done
wait_for 10 'n be1 ss -ltn | grep -q ":10000 " && n be2 ss -ltn | grep -q ":10001 " &&
	n be3 ss -ltn | grep -q ":10002 "' || diag "senders not listening"
step "download $SIZE_MB MB $VIP:$VPORT -> cli"
t0=$(_now)
n cli timeout 90 socat -u -t 10 TCP:$VIP:$VPORT,connect-timeout=10 CREATE:/tmp/down.got 2>/tmp/down.err
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
bg_kill_all

if wait_nat_len 0 20; then ok "NAT table is empty after both transfers"
else fail "NAT table is empty after both transfers" "length: $(nat_len)"; nat_show; fi
topo_down
lb_down || diag "balancer down failed"
kernel_clean_since "integrity"
