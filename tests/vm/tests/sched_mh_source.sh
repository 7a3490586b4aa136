#!/bin/sh
# sched_mh_source: Maglev hashing of the client address only (mh_source=1).
#
# l4lb is loaded with scheduler=mh mh_source=1 over be1, be2, be3 (greetd,
# answering its name).
#   - 100 connections from 10.0.0.2, held open: all land on one backend
#     (answers, NAT rows, `l4lbctl list` totals), from 100 client ports;
#   - eight more client addresses (10.0.0.11-18, chosen as the source by a
#     host route to the VIP), five connections each: each address's
#     connections land on one backend, and the nine addresses together use
#     more than one backend (the key is the address, not a constant).
. /vm/lib/common.sh
. /vm/lib/sched.sh
plan 11
require_l4lbctl

K=100
EXTRA="11 12 13 14 15 16 17 18"

step "topology"
topo_up || die "topology up"
kmsg_mark "sched_mh_source"
load_l4lb $L4LB_ARGS scheduler=mh mh_source=1 || die "l4lb up with scheduler=mh mh_source=1"
expect_eq "l4lb up: scheduler mh, parameter mh_source Y" "mh Y" \
	"$(_sched_service_sched) $(cat /sys/module/l4lb/parameters/mh_source)"
if _sched_greet; then ok "greetd answers be1, be2, be3"
else fail "greetd answers be1, be2, be3"; diag_file /tmp/be1.log; fi

step "$K connections from 10.0.0.2"
bg_held mhs /tmp/mhs.out cli conns -w -t 60 "$VIP" "$VPORT" "$K"
wait_for 90 'grep -q "^answered" /tmp/mhs.out'
expect_eq "conns: all $K connections answered" "answered $K of $K" \
	"$(grep '^answered' /tmp/mhs.out)"
answers=$(_sched_answers /tmp/mhs.out)
tally=$(echo "$answers" | _sched_tally)
diag "answers: $tally"
one=$(echo "$answers" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
case $one in
be[123]) ok "all $K connections from 10.0.0.2 answered by one backend ($one)" ;;
*) fail "all $K connections from 10.0.0.2 answered by one backend" "answers: $tally" ;;
esac
wait_for 10 '[ "$(nat_len)" = '"$K"' ]'
_sched_nat >/tmp/mhs.nat
expect_eq "NAT: $K rows of 10.0.0.2 from $K client ports, all to $one" \
	"$K 10.0.0.2 $K $one" \
	"$(wc -l </tmp/mhs.nat | tr -d ' ') $(awk '{ print $1 }' /tmp/mhs.nat | sort -u | tr '\n' ' ' | sed 's/ $//') $(awk '{ print $2 }' /tmp/mhs.nat | sort -u | wc -l | tr -d ' ') $(awk '{ print $3 }' /tmp/mhs.nat | sort -u | tr '\n' ' ' | sed 's/ $//')"
want_total=$(for b in be1 be2 be3; do [ "$b" = "$one" ] && printf '%s ' "$K" || printf '0 '; done | sed 's/ $//')
expect_eq "list: total $want_total" "$want_total" "$(_sched_list total)"

step "eight more client addresses"
addr_ok=1
for a in $EXTRA; do
	ip -n cli addr add "10.0.0.$a/24" dev eth0 || addr_ok=0
done
if [ "$addr_ok" = 1 ]; then ok "cli has addresses 10.0.0.11-18 as well"
else fail "cli has addresses 10.0.0.11-18 as well"; fi
per_addr=
for a in $EXTRA; do
	ip -n cli route replace "$VIP/32" dev eth0 src "10.0.0.$a"
	bg_held "mhs$a" "/tmp/mhs$a.out" cli conns -w -t 20 "$VIP" "$VPORT" 5
	wait_for 30 'grep -q "^answered" /tmp/mhs'"$a"'.out'
	per_addr="$per_addr 10.0.0.$a:$(_sched_answers "/tmp/mhs$a.out" | tr ' ' '\n' | sort -u | tr '\n' '+' | sed 's/+$//')"
done
ip -n cli route del "$VIP/32" 2>/dev/null
diag "backends per address:$per_addr"
_sched_nat >/tmp/mhs.nat
# Per source address: rows and distinct backends.
bad=$(awk '!seen[$1 " " $3]++ { b[$1]++ } END { for (a in b) if (b[a] != 1) print a }' \
	/tmp/mhs.nat | sort | tr '\n' ' ' | sed 's/ $//')
nrows=$(wc -l </tmp/mhs.nat | tr -d ' ')
nsrc=$(awk '{ print $1 }' /tmp/mhs.nat | sort -u | wc -l | tr -d ' ')
expect_eq "NAT: $((K + 40)) rows from 9 addresses, each address on one backend" \
	"$((K + 40)) rows, 9 addresses, none on more than one backend" \
	"$nrows rows, $nsrc addresses, ${bad:-none} on more than one backend"
nbe=$(awk '{ print $3 }' /tmp/mhs.nat | sort -u | wc -l | tr -d ' ')
if [ "$nbe" -ge 2 ]; then ok "the nine addresses use $nbe backends, not one"
else fail "the nine addresses use more than one backend" "backends per address:$per_addr"; fi

step "clean up"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "sched_mh_source"
