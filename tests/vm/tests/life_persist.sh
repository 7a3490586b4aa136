#!/bin/sh
# life_persist: persistence (sticky clients).
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=... persistence=30
#
# greetd on be1..be3 answers "beK". cli gets 10.0.0.3-5 besides 10.0.0.2.
#  1. 20 connections from 10.0.0.2 (held at once, then closed) all land on
#     one backend; then one each from 10.0.0.3, .4, .5 land on the three
#     backends (round robin goes on for new clients).
#  2. /proc/l4lb/nat shows one TPL row in state PERSIST per client address,
#     naming its backend, expiring in at most 30 s.
#  3. `l4lbctl set PINNED down`: 10.0.0.2's next connection goes to another
#     backend (not dropped), and the one after sticks to that one.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 9
require_l4lbctl
_life_up persistence=30
expect_eq "l4lbctl service: persistence 30" 30 "$(l4lbctl service | awk '$1 == "persistence" { print $2 }')"
for a in 3 4 5; do
	ip -n cli addr add 10.0.0.$a/24 dev eth0 || die "add 10.0.0.$a to cli"
done
bg /tmp/be1.log be1 greetd 10000 be1
bg /tmp/be2.log be2 greetd 10001 be2
bg /tmp/be3.log be3 greetd 10002 be3
serve_ready || die "greetd listens"

# one SRC: one connection from address SRC; prints the answer (or nothing).
one() {
	echo | n cli socat -t 3 -T 5 - TCP:$VIP:$VPORT,bind=$1,connect-timeout=5 2>/dev/null | head -n 1
}

step "20 connections from 10.0.0.2"
n cli conns -t 60 $VIP $VPORT 20 >/tmp/conns.out 2>&1
answers=$(awk '$1 == "conn" { print $4 }' /tmp/conns.out | sort | uniq -c | awk '{ printf "%s=%d ", $2, $1 }')
pinned=$(awk '$1 == "conn" { print $4 }' /tmp/conns.out | sort -u)
expect_eq "all 20 connections from 10.0.0.2 on one backend" "$pinned=20 " "$answers"
got=
for a in 3 4 5; do
	got="$got $(one 10.0.0.$a)"
done
diag "10.0.0.3, .4, .5 got:$got"
if [ "$(echo $got | tr ' ' '\n' | grep -c '^be[123]$')" = 3 ] &&
	[ "$(echo $got | tr ' ' '\n' | sort -u | wc -l)" = 3 ]; then
	ok "10.0.0.3, .4, .5 spread over the three backends"
else
	fail "10.0.0.3, .4, .5 spread over the three backends" "got:$got"
fi

step "templates"
nat_show "templates"
tpl=$(awk '$1 == "TPL" && $6 == "PERSIST" { split($2, c, ":"); print c[1] }' /proc/l4lb/nat | sort | tr '\n' ' ')
expect_eq "one TPL/PERSIST row per client address" "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 " "$tpl"
# uapi l4lb.h (L4LB_CONN_PERSIST) and l4lbctl(8): a template pins
# CLIENT_ADDR to BACKEND, so its BACKEND column should be the pinned backend.
bk=$(awk '$1 == "TPL" && $2 ~ /^10\.0\.0\.2:/ { print $5 }' /proc/l4lb/nat)
diag "l4lbctl -j nat templates: $(l4lbctl -j nat | jq -c '.[] | select(.proto == "TPL")' | tr '\n' ' ')"
expect_eq "10.0.0.2's template names its backend (/proc BACKEND column)" "$pinned" "$(echo "$bk" | be_names)"
e=$(awk '$1 == "TPL" { if ($7 > m) m = $7 } END { print m + 0 }' /proc/l4lb/nat)
if [ "$e" -le 30 ] && [ "$e" -ge 20 ]; then ok "templates expire in at most persistence ($e s)"
else fail "templates expire in at most persistence, and were renewed" "max expires $e"; fi

step "pinned backend down"
case $pinned in be1) pa=$BE1 ;; be2) pa=$BE2 ;; be3) pa=$BE3 ;; *) pa=none ;; esac
pp l4lbctl set "$pa" down
a1=$(one 10.0.0.2)
a2=$(one 10.0.0.2)
diag "10.0.0.2 after $pinned went down: $a1, then $a2"
if [ -n "$a1" ] && [ "$a1" != "$pinned" ]; then ok "10.0.0.2's next connection is rescheduled to $a1"
else fail "10.0.0.2's next connection is rescheduled to another backend" "got '$a1' (pinned $pinned)"; fi
expect_eq "and the one after sticks to it" "$a1" "$a2"
nat_show "after the reschedule"
diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
