#!/bin/sh
# unload: rmmod l4lb while ~50 connections through it are open. The kernel
# must not warn (checked here and by run.sh on the whole log), l4lb's slab
# caches must be gone, and a fresh insmod must serve a new connection.
. /vm/lib/common.sh
plan 9
require_l4lb

K=50

step "topology"
topo_up || die "topology up"
kmsg_mark "unload"
lb_up || die "l4lb up"
ok "l4lb up"
greet_all
serve_ready || diag "greetd not ready"

step "open $K connections"
bg_held conns /tmp/conns.out cli conns -w -t 60 "$VIP" "$VPORT" "$K"
wait_for 90 'grep -q "^holding" /tmp/conns.out'
expect_eq "$K connections open and answered" "answered $K of $K" \
	"$(grep '^answered' /tmp/conns.out)"
diag "NAT table length: $(nat_len)"
grep -i l4lb /proc/slabinfo | sed 's/^/#   slab: /'

step "rmmod with $K connections open"
if unload_l4lb; then ok "rmmod l4lb succeeds with $K connections open"
else fail "rmmod l4lb succeeds with $K connections open"; lsmod | sed 's/^/#   /'; fi
check "no l4lb slab cache left" slab_check
check "no /proc/net/l4lb or /proc/l4lb left" sh -c '! [ -e /proc/net/l4lb ] && ! [ -e /proc/l4lb ]'

step "close the orphaned connections"
release conns 30 || diag "conns exit $?"

step "insmod again"
kmsg_mark "unload reload"
if load_l4lb; then ok "insmod l4lb again"; else fail "insmod l4lb again"; fi
n cli conns -t 30 "$VIP" "$VPORT" 1 >/tmp/conns2.out 2>&1
if grep -q '^conn 1 [0-9]* be1$' /tmp/conns2.out; then
	ok "a new connection works after reload (and goes to be1)"
else
	fail "a new connection works after reload (and goes to be1)"; diag_file /tmp/conns2.out
fi
if wait_nat_len 0 20; then ok "NAT table empty again"
else fail "NAT table empty again" "length: $(nat_len)"; nat_show; fi

topo_down
unload_l4lb || diag "final rmmod failed"
kernel_clean_since "unload"
