#!/bin/sh
# snat_flood: a spoofed SYN flood far beyond the SNAT port capacity must
# not stop real clients (issue #14).
#
# The balancer keeps 100 SNAT ports per backend (ip_local_port_range
# 1124-65535 leaves 1024-1123), 300 in all, and the default timeout_syn
# (60 s): a capacity of 5 half-open connections a second. From cli:
#
#   flood -p tcp -a 30 -P 1000 -b 10.0.0.10 -r 300 10.0.0.1 20000
#
# 30,000 SYNs, a new tuple each, from 10.0.0.10-39, which never answer:
# 60 times that capacity, for about 100 s. Meanwhile cli makes 100
# sequential connections; at least 99 must be answered. Each port a flood
# row holds is taken back, oldest first, when a new connection finds every
# port taken (reclaim_unconfirmed), and the backend's request socket on
# the tuple is reset first (resets_sent).
#
# Then the same for UDP, with backends that answer (udpecho), as DNS
# servers would: a reply does not confirm a flow from a spoofed source,
# which never sends again, so its row stays unconfirmed and gives its port
# up. 15,000 datagrams from new tuples at 150 a second, and 100 UDP
# exchanges from cli (cycle -u), each from a new port: at least 99
# answered. A real flow's row is as unconfirmed as a flood row until its
# client sends again, so it keeps its port for about 300 ports / 150 a
# second = 2 s; at 300 a second it was 1 s, and a reply that TCG held up
# longer was lost (98 of 100, in one run).
. /vm/lib/common.sh
plan 11
require_l4lbctl

stat() { l4lbctl -j stats | jq -r ".$1"; }

step "topology, 100 SNAT ports per backend"
topo_up || die "topology up"
kmsg_mark "snat_flood"
lb_port_range 1124 65535
load_l4lb "vip=$VIP" "port=$VPORT" "backends=$BACKENDS" || die "insmod"
ok "l4lb up with default timeouts"
serve_fork sf 'echo $BE'

step "SYN flood at 60 times the port capacity, 100 real connections"
bg /tmp/sf.flood cli flood -p tcp -a 30 -P 1000 -b 10.0.0.10 -r 300 \
	"$VIP" "$VPORT"
fp=$BG_PID
wait_for 30 '[ "$(stat half_open)" -ge 250 ]' ||
	diag "half_open only $(stat half_open) after 30 s"
n cli timeout 900 cycle -t 5000 "$VIP" "$VPORT" 100 >/tmp/sf.cycle 2>&1
answered=$(awk '$1 == "done" { print $4 }' /tmp/sf.cycle)
flooding=no
alive "$fp" && flooding=yes
diag "real clients: $(awk '$1 == "done"' /tmp/sf.cycle); flood still running: $flooding"
diag "stats: half_open $(stat half_open) reclaim_unconfirmed $(stat reclaim_unconfirmed) resets_sent $(stat resets_sent) drop_no_snat_port $(stat drop_no_snat_port)"
awk '$1 == "conn" && $5 == "-"' /tmp/sf.cycle | head -5 | sed 's/^/# /'
check "at least 99 of 100 real connections answered ($answered)" \
	[ "${answered:-0}" -ge 99 ]
expect_eq "the flood outlasted the real connections" yes "$flooding"
check "flood rows gave their ports up ($(stat reclaim_unconfirmed))" \
	[ "$(stat reclaim_unconfirmed)" -gt 0 ]
bg_kill_all
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi

step "UDP: answering backends, a spoofed flood, 100 real exchanges"
load_l4lb "vip=$VIP" "port=$VPORT" proto=udp "backends=$BACKENDS" ||
	die "insmod (UDP)"
ok "l4lb up: a UDP service, default timeouts"
i=1
for port in $BE_PORTS; do
	bg "/tmp/sfu.be$i.log" "be$i" udpecho "$port" "be$i"
	i=$((i + 1))
done
wait_for 10 'listens be1 udp 10000 && listens be2 udp 10001 &&
	listens be3 udp 10002' || diag "the UDP echo servers do not listen"
bg /tmp/sfu.flood cli flood -p udp -a 15 -P 1000 -b 10.0.0.10 -r 150 \
	"$VIP" "$VPORT"
fp=$BG_PID
wait_for 30 '[ "$(stat half_open)" -ge 250 ]' ||
	diag "half_open only $(stat half_open) after 30 s"
n cli timeout 900 cycle -u -t 3000 "$VIP" "$VPORT" 100 >/tmp/sfu.cycle 2>&1
answered=$(awk '$1 == "done" { print $4 }' /tmp/sfu.cycle)
flooding=no
alive "$fp" && flooding=yes
diag "real clients: $(awk '$1 == "done"' /tmp/sfu.cycle); flood still running: $flooding"
diag "stats: half_open $(stat half_open) reclaim_unconfirmed $(stat reclaim_unconfirmed) drop_no_snat_port $(stat drop_no_snat_port)"
awk '$1 == "conn" && $5 == "-"' /tmp/sfu.cycle | head -5 | sed 's/^/# /'
check "UDP: at least 99 of 100 real exchanges answered ($answered)" \
	[ "${answered:-0}" -ge 99 ]
expect_eq "UDP: the flood outlasted the real exchanges" yes "$flooding"
check "UDP: answered flood rows gave their ports up ($(stat reclaim_unconfirmed))" \
	[ "$(stat reclaim_unconfirmed)" -gt 0 ]
bg_kill_all

lb_port_range_restore
if unload_l4lb; then ok "rmmod l4lb (UDP)"; else fail "rmmod l4lb (UDP)"; fi
kernel_clean_since "snat_flood"
