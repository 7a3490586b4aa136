#!/bin/sh
# concurrency: 500 connections held open at once through the balancer,
# first to the IPv4 VIP 10.0.0.1:20000, then to the IPv6 VIP
# [2001:db8::1]:20000 (issue #18, "v6: " before each result), on one
# topology (lib/v6.sh's, which is common.sh's plus a v6 address on each
# link). For each family, greetd (-6 for IPv6) on each backend answers with
# its name; round robin must spread them exactly 167/167/166 in backend
# order, every one must be answered, backend k must accept each from the
# balancer's address on its link (10.0.k.254, v6: 2001:db8:k::fe), the
# NAT table must hold 500 rows (v6: 500 v6 rows), and drain to 0 after
# they close. The balancer is stopped between the two (l4lb: rmmod and
# insmod). Both run against nftables too (VM_LB=nft; its NAT66 for IPv6).
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 18	# IPv4 9, IPv6 9
require_lb

K=500

# family 4|6: the family the helpers below work in, from now on. Sets P,
# the prefix of each result ("" for IPv4, "v6: " for IPv6), and FVIP.
family() {
	FAM=$1
	case $FAM in
	4) P='' FVIP=$VIP ;;
	6) P='v6: ' FVIP=$VIP6 ;;
	esac
}

# conns_part: 500 connections held open by conns -w from cli, how they
# were answered and spread (round robin), until `release conns`. 3
# results.
conns_part() {
	step "${P}open $K connections from cli"
	t0=$(_now)
	bg_held conns /tmp/conns.out cli conns -w -t 120 "$FVIP" "$VPORT" "$K"
	if wait_for 150 'grep -q "^holding" /tmp/conns.out'; then
		diag "$K connections set up in $(($(_now) - t0)) s"
	else
		diag "conns did not finish setting up"
	fi
	answered=$(sed -n 's/^answered \([0-9]*\) of .*/\1/p' /tmp/conns.out)
	if [ "$answered" = "$K" ]; then ok "${P}all $K connections answered"
	else
		fail "${P}all $K connections answered" "answered: ${answered:-?}"
		grep ' - ' /tmp/conns.out | head -n 10 | sed 's/^/#   /'
	fi

	c1=$(grep -c '^conn [0-9]* [0-9]* be1$' /tmp/conns.out)
	c2=$(grep -c '^conn [0-9]* [0-9]* be2$' /tmp/conns.out)
	c3=$(grep -c '^conn [0-9]* [0-9]* be3$' /tmp/conns.out)
	expect_eq "${P}spread over be1/be2/be3 is 167/167/166" "167/167/166" "$c1/$c2/$c3"

	# Strict round robin: connection i went to backend ((i-1) mod 3) + 1.
	bad=$(awk '$1 == "conn" && $4 != "be" (($2 - 1) % 3 + 1) { print }' /tmp/conns.out | head -n 5)
	if [ -z "$bad" ]; then ok "${P}connection i reached backend ((i-1) mod 3)+1"
	else fail "${P}connection i reached backend ((i-1) mod 3)+1" "first out of order:" "$bad"; fi
}

# accepts_from WHO: the servers saw 167/167/166 accepts, each backend's
# all from the balancer's address on its link (10.0.k.254, v6:
# 2001:db8:k::fe; WHO says which in the result). 1 result.
accepts_from() {
	s_ok=1
	for b in 1 2 3; do
		want=$((b == 3 ? 166 : 167))
		got=$(grep -c '^accept ' "/tmp/be$b.log")
		case $FAM in
		4)
			others=$(grep '^accept ' "/tmp/be$b.log" | grep -vc "^accept 10.0.$b.254:")
			diag "be$b: $got accepts, $others not from 10.0.$b.254"
			;;
		6)
			others=$(grep '^accept ' "/tmp/be$b.log" | grep -vc "^accept \[2001:db8:$b::fe]:")
			diag "be$b: $got accepts, $others not from [2001:db8:$b::fe]"
			;;
		esac
		[ "$got" = "$want" ] && [ "$others" = 0 ] || s_ok=0
	done
	[ "$s_ok" = 1 ] && ok "${P}servers accepted 167/167/166, all from $1" ||
		fail "${P}servers accepted 167/167/166, all from $1"
}

# rows_part WHO OPEN CLOSED: the table holds the $K rows while they are
# open (result OPEN), the servers' accepts (accepts_from WHO), and no row
# of the family once they close (result CLOSED). 3 results.
rows_part() {
	case $FAM in
	4) _len=nat_len _wait=wait_nat_len _rows=nat_rows ;;
	6) _len=v6_nat_len _wait=v6_wait_nat_len _rows=v6_nat_rows ;;
	esac
	step "${P}NAT table while the connections are open"
	if $_wait "$K" 20; then ok "$P$2"
	else fail "$P$2" "got: $($_len)"; fi
	$_rows | head -n 6 | sed 's/^/#   /'

	# The servers saw 167/167/166 accepts, all from the balancer's address.
	accepts_from "$1"

	step "${P}close all $K connections"
	release conns 60
	rc=$?
	[ "$rc" = 0 ] || diag "conns exit $rc"
	if $_wait 0 60; then ok "$P$3"
	else fail "$P$3" "rows: $($_len)"; fi
}

# One topology for both families (dual_topo_up: topo_up plus the v6
# addresses and routes, unless the run leaves IPv6 out).
step "topology"
dual_topo_up || die "topology up (v4, and v6 unless left out)"

# ================================================================ IPv4 ====

family 4
kmsg_mark "concurrency"
lb_up || die "balancer ($LB_IMPL) up"
ok "balancer ($LB_IMPL) up"

step "greetd on the backends"
greet_all
if serve_ready; then ok "greetd answers on be1, be2, be3"
else fail "greetd answers on be1, be2, be3"; diag_file /tmp/be1.log; fi

conns_part

rows_part 10.0.k.254 "NAT table length is $K" \
	"NAT table drains to 0 after all $K closed"

# The v4 servers go, and the balancer; the topology stays for IPv6.
bg_kill_all
lb_down || diag "balancer down failed"
kernel_clean_since "concurrency"

# ================================================================ IPv6 ====

[ "$LB_IMPL" = l4lb ] && require_l4lbctl
require_family 6
family 6
kmsg_mark "v6_concurrent"
v6_lb_up || die "v6: balancer ($LB_IMPL) up with [$VIP6]:$VPORT"
ok "v6: balancer ($LB_IMPL) up with [$VIP6]:$VPORT"

step "greetd -6 on the backends"
if v6_greet_all; then ok "v6: greetd -6 answers on be1, be2, be3"
else fail "v6: greetd -6 answers on be1, be2, be3"; diag_file /tmp/be1.log; fi

conns_part

rows_part 2001:db8:k::fe "$K v6 rows" "no v6 row left after all $K closed"

v6_topo_down
v6_lb_down || diag "balancer down failed"
kernel_clean_since "v6_concurrent"
