#!/bin/sh
# svc_churn: deleting and re-creating a service under load.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (default timeouts)
#
#  1. 30 connections are held open through the service; `l4lbctl service
#     del 10.0.0.1:20000/tcp` removes the service and its 30 rows at once.
#  2. The backends now answer and close (socat). While `cycle` opens 200
#     short connections one after another, the service is deleted and
#     re-created (set, add be1..be3) 20 times. Some
#     of those connections are refused or reset, as they must be; none may
#     hang, the kernel must not warn, and every row must be gone at the
#     end.
#  3. After the churn a new connection works, the table drains to 0, and
#     rmmod leaves no slab object behind.
. /vm/lib/common.sh
plan 10
require_l4lbctl

K=30
SEL=$VIP:$VPORT/tcp

# _svc_up: the reference service again, by l4lbctl.
_svc_up() {
	l4lbctl service set vip $VIP port $VPORT proto tcp &&
		l4lbctl add 10.0.1.1:10000 && l4lbctl add 10.0.2.1:10001 &&
		l4lbctl add 10.0.3.1:10002
}

step "topology, l4lb, greetd"
topo_up || die "topology up"
kmsg_mark "svc_churn"
lb_up || die "l4lb up"
greet_all
serve_ready || diag "greetd not ready"

step "hold $K connections, then delete the service"
bg_held conns /tmp/conns.out cli conns -w -t 60 "$VIP" "$VPORT" "$K"
wait_for 90 'grep -q "^holding" /tmp/conns.out'
expect_eq "$K connections open and answered" "answered $K of $K" \
	"$(grep '^answered' /tmp/conns.out)"
expect_eq "NAT table length $K" "$K" "$(nat_len)"
if l4lbctl service del "$SEL"; then ok "l4lbctl service del $SEL"
else fail "l4lbctl service del $SEL"; fi
expect_eq "its $K rows are gone at once; no service left" "0 0" \
	"$(nat_len) $(l4lbctl -j service | json_len)"
release conns 30 || diag "conns exit $?"

step "churn: 20 deletions and re-creations under 200 connections"
bg_kill_all
i=1
for port in $BE_PORTS; do
	bg "/tmp/be$i.log" "be$i" socat TCP-LISTEN:$port,reuseaddr,fork,backlog=128 EXEC:"echo be$i"
	i=$((i + 1))
done
backends_listen || diag "socat not ready"
_svc_up || die "service re-created"
bg /tmp/cycle.out cli timeout 100 cycle -t 2000 "$VIP" "$VPORT" 200
churn_ok=0
for round in $(seq 1 20); do
	sleep 0.3
	l4lbctl service del "$SEL" || { diag "round $round: del failed"; continue; }
	sleep 0.1
	_svc_up && churn_ok=$((churn_ok + 1))
done
expect_eq "20 rounds of del + set + add" 20 "$churn_ok"
if wait_for 100 'grep -q "^done" /tmp/cycle.out'; then
	ok "200 connections finished during the churn: $(grep '^done' /tmp/cycle.out)"
else
	fail "200 connections finished during the churn" "$(tail -n 3 /tmp/cycle.out)"
fi

diag "how the churn's connections ended (cycle's answer column):"
awk '$1 == "conn" { print ($5 == "-" ? "-" $6 : "answered") }' /tmp/cycle.out |
	sort | uniq -c | sed 's/^/#   /'
diag "stats: $(l4lbctl stats 2>/dev/null | tr '\n' ' ')"

step "after the churn"
n cli cycle -t 5000 "$VIP" "$VPORT" 1 >/tmp/cycle2.out 2>&1
if grep -q '^done 1 ok 1 ' /tmp/cycle2.out; then
	ok "a new connection works after the churn"
else
	fail "a new connection works after the churn"; diag_file /tmp/cycle2.out
fi
if wait_nat_len 0 20; then ok "NAT table drains to 0"
else fail "NAT table drains to 0" "length: $(nat_len)"; nat_show; fi

bg_kill_all
topo_down
unload_l4lb || diag "rmmod failed"
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "svc_churn"
