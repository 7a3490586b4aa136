#!/bin/sh
# sched_wlc_udp: wlc honours weights for UDP flows.
#
# UDP rows are never ESTABLISHED. When wlc counted only ESTABLISHED rows,
# every backend looked idle and wlc was a round robin that ignored the
# weights. With IPVS's overhead (256 per active row + 1 per other row),
# 400 new flows over two backends of weights 1 and 3 split about 100/300.
. /vm/lib/common.sh
plan 5
require_l4lbctl

step "topology"
topo_up || die "topology up"
kmsg_mark "sched_wlc_udp"
if load_l4lb vip="$VIP" port="$VPORT" proto=udp scheduler=wlc \
	backends="$BE1,$BE2" timeout_udp=600; then
	ok "l4lb up with a UDP service, wlc, two backends"
else
	die "l4lb up with a UDP service, wlc, two backends"
fi
l4lbctl set "$BE2" weight 3
expect_eq "weights 1 and 3" "1 3" \
	"$(l4lbctl -j list | json_col weight | tr '\n' ' ' | sed 's/ $//')"
udp_sinks 2

step "400 new flows"
n cli flood -p udp -a 4 -P 100 -b 10.0.0.10 -r 2000 "$VIP" "$VPORT" >/dev/null
wait_nat_len 400 20 || diag "table length $(nat_len)"
totals=$(l4lbctl -j list | json_col total | tr '\n' ' ' | sed 's/ $//')
diag "flows per backend: $totals"
set -- $totals
check "weight 1 took about a quarter: $1 of 400 (90-110)" \
	sh -c "[ ${1:-0} -ge 90 ] && [ ${1:-0} -le 110 ]"
check "weight 3 took about three quarters: $2 of 400 (290-310)" \
	sh -c "[ ${2:-0} -ge 290 ] && [ ${2:-0} -le 310 ]"
kernel_clean_since "sched_wlc_udp"
