#!/bin/sh
# libs: the helper libraries of tests/vm/lib/ check themselves, on fixed
# strings and on a log this test writes; needs neither l4lb.ko nor the
# tools.
#
#   common.sh  the JSON helpers (jq), on `l4lbctl -j list|service` output
#   ctl.sh     its readers of `l4lbctl -j list|service|nat`
#   health.sh  logged_within
#   life.sh    common.sh's number helpers (num_sub, num_le)
#   sched.sh   the parsers of conns output and /proc/l4lb/nat
. /vm/lib/common.sh
. /vm/lib/ctl.sh
. /vm/lib/health.sh
. /vm/lib/life.sh
. /vm/lib/sched.sh
plan 19

# ------------------------------------------------ JSON: common.sh, ctl.sh ----
step "JSON: common.sh and ctl.sh"
j='[{"backend":"10.0.1.1:10000","state":"up","weight":1,"active":2,"inactive":0,"total":9,"pkts_in":120,"pkts_out":98,"bytes_in":9120,"bytes_out":131072,"vip":"10.0.0.1","vport":20000,"proto":"tcp"},{"backend":"10.0.2.1:10001","state":"draining","weight":65535,"active":0,"inactive":1,"total":3,"pkts_in":1,"pkts_out":2,"bytes_in":3,"bytes_out":4,"vip":"10.0.0.1","vport":20000,"proto":"udp"}]'
expect_eq "json_len: [] has no elements" 0 "$(echo '[]' | json_len)"
expect_eq "json_col: two objects give two rows" 2 "$(echo "$j" | json_col backend | wc -l)"
expect_eq "json_col: strings and numbers, first and later members" \
	"10.0.1.1:10000 up 2 131072 10.0.2.1:10001 draining 0 4" \
	"$(echo "$j" | json_col backend state active bytes_out | tr '\n' ' ' | sed 's/ $//')"
expect_eq "json_col: a missing member gives nothing" "" \
	"$(echo "$j" | json_col nosuch)"
l4lbctl_in() { echo "$j"; }
expect_eq "_ctl_backends (via -j list): backend and state of each" \
	"10.0.1.1:10000 up,10.0.2.1:10001 draining" \
	"$(_ctl_backends | tr '\n' , | sed 's/,$//')"
expect_eq "_ctl_backends_svc: backend and its service" \
	"10.0.1.1:10000 10.0.0.1:20000/tcp,10.0.2.1:10001 10.0.0.1:20000/udp" \
	"$(_ctl_backends_svc | tr '\n' , | sed 's/,$//')"
s='[{"vip":"10.0.0.1","port":20000,"proto":"tcp","scheduler":"rr","snat":"auto","timeout_tcp":900,"timeout_tcpfin":120,"timeout_tcpclose":3,"timeout_udp":300,"timeout_udpunreplied":30,"timeout_syn":60,"persistence":0,"conn_max":1048576},{"vip":"10.0.0.1","port":20000,"proto":"udp","scheduler":"wrr","snat":"auto","timeout_tcp":900,"timeout_tcpfin":120,"timeout_tcpclose":3,"timeout_udp":300,"timeout_udpunreplied":30,"timeout_syn":60,"persistence":0,"conn_max":1048576}]'
l4lbctl_in() { echo "$s"; }
expect_eq "_ctl_svcs: VIP:PORT/PROTO of each service of -j service" \
	"10.0.0.1:20000/tcp,10.0.0.1:20000/udp" "$(_ctl_svcs | tr '\n' , | sed 's/,$//')"
expect_eq "json_col on a one-service array reads its members" "10.0.0.1 20000 tcp rr" \
	"$(echo "$s" | jq -c '.[:1]' | json_col vip port proto scheduler)"
n='[{"proto":"TCP","client":"10.0.0.2:40002","vip":"10.0.0.1:20000","local":"10.0.2.254:40002","backend":"10.0.2.1:10001","state":"ESTABLISHED","expires":899},{"proto":"TCP","client":"10.0.0.2:40001","vip":"10.0.0.1:20000","local":"10.0.1.254:40001","backend":"10.0.1.1:10000","state":"TIME_WAIT","expires":2}]'
expect_eq "_ctl_nat_pairs: client and backend of each row, sorted" \
	"10.0.0.2:40001 10.0.1.1:10000,10.0.0.2:40002 10.0.2.1:10001" \
	"$(echo "$n" | _ctl_nat_pairs | tr '\n' , | sed 's/,$//')"
p='Pro Client                VIP                   Local                 Backend               State       Expires
TCP        10.0.0.2:40002        10.0.0.1:20000      10.0.2.254:40002        10.0.2.1:10001  ESTABLISHED 899
Current NAT table length: 1'
expect_eq "/proc/l4lb/nat rows parse the same way" "10.0.0.2:40002 10.0.2.1:10001" \
	"$(echo "$p" | awk '$1 == "TCP" || $1 == "UDP" { print $2, $5 }')"

# ------------------------------------------------------------ health ----
step "health.sh"
LOG=/tmp/libs.health.log
t0=$(now_s)
echo "l4lb-health: backend 192.0.2.1:80 down: test" >"$LOG"
logged_within "logged_within: a line already there is within 1 s" \
	"backend 192.0.2.1:80 down" "$t0" 1

# -------------------------------------------------------------- life ----
step "life.sh"
expect_eq "num_sub: 3 - 1.5" 1.50 "$(num_sub 3 1.5)"
if num_le 2.5 2.50 && ! num_le 2.51 2.5; then ok "num_le: decimals"
else fail "num_le: decimals"; fi

# ------------------------------------------------------------- sched ----
step "sched.sh"
cat >/tmp/sched.conns <<'EOF'
conn 1 40002 be1
conn 2 40001 be2
conn 3 40005 - connect timed out
answered 2 of 3
holding
EOF
expect_eq "_sched_answers: answers in connection order, - for a failure" \
	"be1 be2 -" "$(_sched_answers /tmp/sched.conns)"
expect_eq "_sched_port_answer: port and answer, sorted by port" \
	"40001 be2,40002 be1,40005 -" "$(_sched_port_answer /tmp/sched.conns | tr '\n' , | sed 's/,$//')"
expect_eq "_sched_tally: counts per backend" "be1 2 be2 0 be3 1" \
	"$(echo "be3 be1  be1" | _sched_tally)"
j='[{"backend":"10.0.1.1:10000","state":"up","weight":5,"active":2,"inactive":0,"total":9,"pkts_in":1,"pkts_out":2,"bytes_in":3,"bytes_out":4},{"backend":"10.0.2.1:10001","state":"draining","weight":0,"active":0,"inactive":1,"total":3,"pkts_in":1,"pkts_out":2,"bytes_in":3,"bytes_out":4}]'
expect_eq "json_line: a member of each backend, in list order" \
	"10.0.1.1:10000 10.0.2.1:10001|5 0|2 0|0 1|up draining" \
	"$(for k in backend weight active inactive state; do echo "$j" | json_line "$k"; done | tr '\n' '|' | sed 's/|$//')"
p='Pro Client                VIP                   Local                 Backend               State       Expires
TCP        10.0.0.2:40010        10.0.0.1:20000      10.0.2.254:50002        10.0.2.1:10001  ESTABLISHED 299
TCP        10.0.0.2:40002        10.0.0.1:20000      10.0.1.254:50001        10.0.1.1:10000  TIME_WAIT   2
Current NAT table length: 2'
expect_eq "_sched_nat_rows: client, port, backend name, state; by port" \
	"10.0.0.2 40002 be1 TIME_WAIT,10.0.0.2 40010 be2 ESTABLISHED" \
	"$(echo "$p" | _sched_nat_rows | tr '\n' , | sed 's/,$//')"
expect_eq "be_names: IP:PORT to be1/be2/be3" "be1 be2 be3 10.0.4.1:10003" \
	"$(echo "$BE1 $BE2 $BE3 10.0.4.1:10003" | be_names)"
