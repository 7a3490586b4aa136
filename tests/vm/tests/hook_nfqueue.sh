#!/bin/sh
# hook_nfqueue: traffic that an NFQUEUE verdict hands back reaches l4lb's
# hook in process context, and is balanced as any other.
#
# An nft rule at priority -300 (before l4lb's hook at -250) queues every
# packet for the VIP to queue 0, where tests/apps/nfqaccept accepts it.
# nf_reinject() then runs the later hooks, l4lb's among them, from the
# verdict's sendmsg(): process context with BHs enabled. 60 short
# connections must all be answered. Under the debug kernel (make vm-debug)
# lockdep checks that l4lb takes no softirq-shared lock there with BHs on;
# before its hook disabled BHs, conn->lock and the wrr lock were taken so.
. /vm/lib/common.sh
plan 7
require_l4lbctl

N=60

step "topology"
topo_up || die "topology up"
kmsg_mark "hook_nfqueue"
kmod_load nft_queue && kmod_load nfnetlink_queue || die "nft_queue, nfnetlink_queue"
nft -f - <<EOF2
table ip nfq {
	chain pre {
		type filter hook prerouting priority -300;
		ip daddr $VIP tcp dport $VPORT queue num 0
	}
}
EOF2
check "an nft rule queues the VIP's packets before l4lb's hook" \
	sh -c 'nft list table ip nfq | grep -q "queue to 0\|queue num 0"'
bg /tmp/nfq.log lb nfqaccept 0
wait_for 10 'grep -q "^ready" /tmp/nfq.log' || diag_file /tmp/nfq.log
lb_up || die "l4lb up"
ok "l4lb up with the reference service"
l4lbctl service set scheduler wrr >/dev/null

serve_fork nfq 'echo $BE'

step "$N connections through the queue"
n cli timeout 150 cycle -t 5000 "$VIP" "$VPORT" "$N" >/tmp/nfq.cycle 2>&1
tail -n 1 /tmp/nfq.cycle | sed 's/^/# /'
expect_eq "all $N connections answered" "$N" \
	"$(awk '$1 == "done" { print $4 }' /tmp/nfq.cycle)"
expect_eq "l4lb created a row for each" "$N" \
	"$(l4lbctl -j list | jq '[.[].total] | add')"
for p in $(ps -o pid,args | grep "[n]fqaccept 0" | grep -v "ip netns" |
	awk '{ print $1 }'); do
	kill -TERM "$p"
done
wait_for 5 'grep -q "^accepted" /tmp/nfq.log'
acc=$(awk '$1 == "accepted" { print $2 }' /tmp/nfq.log)
check "nfqaccept handed back the packets ($acc)" [ "${acc:-0}" -ge "$N" ]

nft delete table ip nfq
# Let coexist unload nf_tables and nfnetlink later.
rmmod nft_queue nfnetlink_queue 2>/dev/null
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "hook_nfqueue"
