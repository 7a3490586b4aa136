#!/bin/sh
# life_udp: a UDP service.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 proto=udp backends=... timeout_udp=3
#
# A UDP echo server on each backend (tests/apps/udpecho, one socket bound
# once) answers each datagram as "beK DATAGRAM". (socat's UDP-LISTEN,fork
# has windows without a bound socket, in which a client's datagram got a
# port-unreachable on a busy host.) The clients' first datagrams are still
# 0.15 s apart, so the round robin order is the clients' order. 30 clients in
# cli each send 5 datagrams, 1 s apart, from one socket and must get 5
# replies, all from the same backend. At the peak there are 30 rows, in
# state UDP (answered; life_udp_unreplied covers UDP_UNREPLIED), spread
# 10/10/10 by round robin; 3 s after the last datagram they have expired.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 10
require_l4lbctl
_life_up proto=udp timeout_udp=3
expect_eq "l4lbctl service: proto udp" udp "$(l4lbctl service | awk '$1 == "proto" { print $2 }')"

step "UDP echo servers"
k=1
for port in $BE_PORTS; do
	bg "/tmp/be$k.log" "be$k" udpecho "$port" "be$k"
	k=$((k + 1))
done
backends_listen udp || die "UDP servers listen"

step "30 clients, 5 datagrams each"
cat >/tmp/udp_client.sh <<'EOF'
{
	while [ ! -e /tmp/udp.go ]; do sleep 0.1; done
	sleep "$2"
	i=1
	while [ $i -le 5 ]; do
		echo "c$1 m$i"
		sleep 1
		i=$((i + 1))
	done
} | socat -t 3 - UDP4:10.0.0.1:20000
EOF
rm -f /tmp/udp.go
c=1
while [ $c -le 30 ]; do
	bg "/tmp/udpc.$c.out" cli sh /tmp/udp_client.sh "$c" "$(awk -v c=$c 'BEGIN { print c * 0.15 }')"
	echo "$BG_PID" >"/tmp/udpc.$c.pid"
	c=$((c + 1))
done
# Every socat is up (its socket connected to the VIP) and waits for its
# first line.
wait_for 15 '[ "$(n cli ss -Hun dst "$VIP:$VPORT" | wc -l)" -ge 30 ]' ||
	diag "only $(n cli ss -Hun dst "$VIP:$VPORT" | wc -l) of 30 clients are up"
touch /tmp/udp.go
# The rows while the clients still talk.
wait_for 15 '[ "$(_life_count UDP)" -ge 30 ]'
rows=$(_life_count UDP)
l4lbctl -j nat >/tmp/udp.json
emax=$(awk '$1 == "UDP" { if ($7 > m) m = $7 } END { print m + 0 }' /proc/l4lb/nat)
nat_show "30 UDP clients" | head -n 12
# The last replies: from then on the rows are idle.
wait_for 20 '[ "$(cat /tmp/udpc.*.out | grep -c "^be")" -ge 150 ]'
t_last=$(now_s)
rows_idle=$(_life_count UDP)
step "the rows expire"
diag "rows when the last reply came: $rows_idle"
# Sample every 0.5 s: rows left, and how many of them show Expires 0
# (timed out, not yet reaped).
: >/tmp/udp.expiry
while :; do
	g=$(num_sub "$(now_s)" "$t_last")
	echo "t+$g rows $(nat_len) expired-but-listed $(awk '$1 == "UDP" && $7 == 0' /proc/l4lb/nat | wc -l)" >>/tmp/udp.expiry
	[ "$(nat_len)" = 0 ] && break
	num_le 12 "$g" && break
	sleep 0.5
done
diag_file /tmp/udp.expiry 30
if [ "$(nat_len)" = 0 ]; then ok "all rows gone ${g} s after the last reply"
else fail "all rows gone within 12 s" "rows: $(nat_len)"; nat_show; fi
if num_le 2 "$g"; then ok "not before the timeout: rows lived 2 s and more after the last reply"
else fail "not before the timeout: rows lived 2 s and more after the last reply" "gone after $g s"; fi
# timeout_udp 3 + the reaper's ~1 s pass + slack for TCG.
if num_le "$g" 5.5; then ok "gone within 5.5 s of the last reply (timeout_udp 3 + 1 s reaper pass)"
else fail "gone within 5.5 s of the last reply (timeout_udp 3 + 1 s reaper pass)" "gone after $g s"; fi
c=1
while [ $c -le 30 ]; do
	read -r p <"/tmp/udpc.$c.pid"
	wait_exit 20 "$p"
	c=$((c + 1))
done
expect_eq "30 rows in state UDP at the peak" 30 "$rows"
good=0 bad=
c=1
while [ $c -le 30 ]; do
	f=/tmp/udpc.$c.out
	n=$(grep -c "^be[123] c$c m[1-5]\$" "$f")
	b=$(awk '{ print $1 }' "$f" | sort -u | tr '\n' ' ')
	if [ "$n" = 5 ] && [ "$(echo $b | wc -w)" = 1 ]; then good=$((good + 1))
	else bad="$bad c$c($n replies from $b)"; fi
	c=$((c + 1))
done
if [ "$good" = 30 ]; then ok "each of 30 clients got its 5 replies, all from one backend"
else fail "each of 30 clients got its 5 replies, all from one backend" "only $good; bad:$bad"; fi
spread=$(cat /tmp/udpc.*.out | awk '{ print $1 }' | sort | uniq -c | awk '{ printf "%s=%d ", $2, $1 / 5 }')
diag "clients per backend: $spread"
expect_eq "round robin: 10 clients on each backend" "be1=10 be2=10 be3=10 " "$spread"
t=$(jq -r '[.[].proto] | unique | join(" ")' /tmp/udp.json)
expect_eq "l4lbctl -j nat: every row is proto UDP" UDP "$t"
if [ "$emax" -le 3 ] && [ "$emax" -ge 2 ]; then ok "rows expire in timeout_udp (max $emax s)"
else fail "rows expire in timeout_udp" "max expires $emax"; fi

diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
