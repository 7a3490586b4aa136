#!/bin/sh
# health: l4lb-health, the health-check daemon, against l4lb: first for
# the IPv4 reference service, then for an IPv6 service (issue #18), on one
# topology (lib/v6.sh's, which is common.sh's plus a v6 address on each
# link).
#
# IPv4:
#   insmod l4lb.ko vip=10.0.0.1 port=20000 \
#       backends=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002
#   l4lb-health --interval 1 --fall 2 --rise 2      (in lb, the root netns)
# IPv6 ("v6: " before each result):
#   insmod l4lb.ko svc_max=4096          (no service)
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) ...   (lib/v6.sh)
#   l4lb-health --interval 1 --fall 2 --rise 2          (in lb)
#
# greetd (-6 for IPv6) on be1..be3 answers "alive beN". A client in cli
# opens a stream of short connections through the VIP (about ten a
# second) and records the start time and the answer (or the error) of each
# one. For each family:
#
#  1. --once checks the three backends (v6: and names each [ADDR]:PORT).
#  2. be2's server is killed: within interval x fall + 1 = 3 s the daemon
#     marks it down (v6: its log names it [2001:db8:2::1]:10001), and from
#     then on no connection attempt goes to be2 or fails (from the stream,
#     and from be2's connection counter).
#  3. be2's server comes back: within interval x rise + 1 = 3 s the stream
#     reaches be2 again, and no attempt fails meanwhile.
#  4. be3 accepts but answers "busy be3": a send/expect check (from a
#     config file, with on-down expire) marks it down, `l4lbctl list` says
#     so, the log line gives the reason, and be3's NAT rows are gone while
#     be1's and be2's stay. --once reports the same and exits 1.
#
# IPv4 only: a bad configuration exits 2 with one line. The daemon stops
# with 0 on SIGTERM, lives through an rmmod/insmod of l4lb (logging the
# error once, not every round, and without making the kernel run modprobe
# every round), and without the module it exits 3.
#
# The image must contain l4lb-health: on PATH, or anywhere in the root
# file system (mkinitramfs.sh EXTRA_BINS=/path/to/tools/l4lb-health/l4lb-health).
. /vm/lib/common.sh
. /vm/lib/health.sh
. /vm/lib/ctl.sh
. /vm/lib/v6.sh
. /vm/lib/v6ctl.sh
plan 52	# IPv4 29, IPv6 23
require_l4lb

require_health

INTERVAL=1 FALL=2 RISE=2
LIMIT_DOWN=$((INTERVAL * FALL + 1))	# seconds
LIMIT_UP=$((INTERVAL * RISE + 1))
LOG=/tmp/health.log
NOT_LOADED='l4lb-health: l4lb module not loaded (generic netlink family "l4lb" not found)'

# ------------------------------------------------------------- family ----

# family 4|6: the family the helpers below work in, from now on. Sets P,
# the prefix of each result ("" for IPv4, "v6: " for IPv6), and the
# addresses, backend keys and words that differ between the families.
# shellcheck disable=SC2034 # GREP_F: used in wait_for's expressions
family() {
	FAM=$1
	case $FAM in
	4)
		P=
		FVIP=$VIP
		GREETD_OPT=			# greetd's option: none, or -6
		GREP_F=				# how the log is searched for a backend
		BE2K=10.0.2.1:10001		# be2 and be3 as l4lb-health names them
		BE2RE=10.0.2.1:10001		# ... as a grep pattern
		BE3K=10.0.3.1:10002
		LIST='l4lbctl list'		# where the states are read
		OVER=
		;;
	6)
		P='v6: '
		FVIP=$VIP6
		GREETD_OPT=-6
		GREP_F=-F
		BE2K='[2001:db8:2::1]:10001'
		BE2RE='\[2001:db8:2::1\]:10001'
		BE3K='[2001:db8:3::1]:10002'
		LIST='backend show'
		OVER=' over v6'
		;;
	esac
}

# ------------------------------------------------------------- helpers ----

# sleep_until T: sleep until uptime T (no-op if it has passed).
sleep_until() {
	_d=$(num_sub "$1" "$(now_s)")
	num_le "$_d" 0 || sleep "$_d"
}

# be_col BACKEND COL: column COL of BACKEND's row in `l4lbctl list`
# (2: state, 8: total connections).
be_col() {
	l4lbctl list 2>/dev/null | awk -v b="$1" -v c="$2" '$1 == b { print $c }'
}

# states: "be1state be2state be3state" from `l4lbctl list`.
states() {
	echo "$(be_col 10.0.1.1:10000 2) $(be_col 10.0.2.1:10001 2) $(be_col 10.0.3.1:10002 2)"
}

# fam_states: the states of be1, be2, be3 of the family's service (v4:
# states, v6: v6ctl_states).
fam_states() {
	case $FAM in
	4) states ;;
	6) v6ctl_states ;;
	esac
}

# be2_total: be2's total connections (v4: `l4lbctl list`, v6: its -j).
be2_total() {
	case $FAM in
	4) be_col 10.0.2.1:10001 8 ;;
	6) _ctl_be "$BE6_2" total ;;
	esac
}

# serve I TEXT: greetd on beI, answering TEXT; its pid in SERVER_PID.
serve() {
	rm -f "/tmp/be$1.log"
	# shellcheck disable=SC2086 # an option or nothing
	bg "/tmp/be$1.log" "be$1" greetd $GREETD_OPT "$((9999 + $1))" "$2"
	SERVER_PID=$BG_PID
}

# serve_stamped I TEXT: like serve, but each line of /tmp/beI.log starts
# with the uptime at which greetd printed it (its stdout is line-buffered),
# so "listen" tells when the server was back.
serve_stamped() {
	rm -f "/tmp/be$1.log"
	bg "/tmp/be$1.log" "be$1" sh -c 'greetd '"$GREETD_OPT"' "$0" "$1" | while read -r l; do
		read -r t _ </proc/uptime
		echo "$t $l"
	done' "$((9999 + $1))" "$2"
	SERVER_PID=$BG_PID
}

# The stream: one connection through the VIP at a time, every 0.05 s
# after the last one ended (5-10 a second under TCG, ~20 with KVM). Each
# line of /tmp/stream.log is "UPTIME ANSWER", the answer being greetd's
# ("alive be2") or "- REASON" when the attempt failed.
stream_start() {
	rm -f /tmp/stream.stop /tmp/stream.log
	bg /tmp/stream.err cli sh -c '
		while [ ! -e /tmp/stream.stop ]; do
			read -r t _ </proc/uptime
			conns -t 2 '"$FVIP $VPORT"' 1 >/tmp/stream.one 2>&1
			ans=
			read -r _ _ _ ans </tmp/stream.one
			echo "$t ${ans:-- no output}" >>/tmp/stream.log
			sleep 0.05
		done'
	STREAM_PID=$BG_PID
}

stream_stop() {
	touch /tmp/stream.stop
	wait_exit 10 "$STREAM_PID" >/dev/null
}

# stream_stats FROM [TO]: "attempts failed to_be2" for the attempts that
# started after FROM (and not after TO).
stream_stats() {
	awk -v t0="$1" -v t1="${2:-1e12}" '$1 > t0 && $1 <= t1 {
		n++
		if ($2 != "alive") f++
		else if ($3 == "be2") b2++
	} END { printf "%d %d %d\n", n, f, b2 }' /tmp/stream.log
}

# stream_failures FROM: the failed attempts after FROM, as diagnostics.
stream_failures() {
	awk -v t0="$1" '$1 > t0 && $2 != "alive"' /tmp/stream.log | head -n 10 | sed 's/^/#   /'
}

# first_be2 FROM: uptime of the first attempt after FROM that reached be2.
first_be2() {
	awk -v t0="$1" '$1 > t0 && $3 == "be2" { print $1; exit }' /tmp/stream.log
}

# ------------------------------------------------ shared parts ----

# servers: greetd on be1..be3 ("alive beN"); BE2_PID, BE3_PID. 1 result.
servers() {
	step "servers"
	serve 1 "alive be1"
	serve 2 "alive be2"
	BE2_PID=$SERVER_PID
	serve 3 "alive be3"
	BE3_PID=$SERVER_PID
	if serve_ready; then ok "${P}greetd${GREETD_OPT:+ $GREETD_OPT} listens on be1, be2, be3"
	else fail "${P}greetd${GREETD_OPT:+ $GREETD_OPT} listens on be1, be2, be3"; diag_file /tmp/be2.log; fi
}

# down_and_up: the daemon and the stream; be2 dies (1.) and comes back
# (2.); the daemon stops on SIGTERM. 12 results.
down_and_up() {
	step "daemon"
	daemon_start --interval "$INTERVAL" --fall "$FALL" --rise "$RISE"
	if alive "$DAEMON_PID" && grep -q "^l4lb-health: started: every 1 s, timeout 1 s, rise 2, fall 2" "$LOG"; then
		ok "${P}l4lb-health runs and logged its start"
	else
		fail "${P}l4lb-health runs and logged its start"; diag_file "$LOG"
	fi

	step "stream of connections"
	stream_start
	if wait_for 20 'grep -q "alive be1" /tmp/stream.log 2>/dev/null &&
		grep -q "alive be2" /tmp/stream.log && grep -q "alive be3" /tmp/stream.log'; then
		ok "${P}the stream reaches be1, be2 and be3$OVER"
	else
		fail "${P}the stream reaches be1, be2 and be3$OVER"; diag_file /tmp/stream.log 20
	fi
	sleep 1
	diag "stream: $(stream_stats 0) (attempts failed to_be2) so far"

	# -------------------------------------------- 1. a backend dies ----

	step "kill be2's server"
	T_KILL=$(now_s)
	kill -9 "$BE2_PID"
	T_LIMIT=$(awk -v t="$T_KILL" -v l="$LIMIT_DOWN" 'BEGIN { printf "%.2f", t + l }')
	logged_within "${P}be2 marked down within $LIMIT_DOWN s" \
		"backend $BE2RE down" "$T_KILL" "$LIMIT_DOWN"
	check "${P}log: one line, 'backend $BE2K down: 2 consecutive failures (connect: Connection refused)'" \
		grep -qxF "l4lb-health: backend $BE2K down: 2 consecutive failures (connect: Connection refused)" "$LOG"
	expect_eq "${P}$LIST: be2 down, be1 and be3 up" "up down up" "$(fam_states)"

	# From T_KILL + 3 s on: nothing to be2, no failure. Count it on the
	# kernel's side too: be2's connection counter must not move.
	sleep_until "$T_LIMIT"
	TOTAL_BE2=$(be2_total)
	sleep 5
	read -r n_att n_fail n_be2 <<EOT
$(stream_stats "$T_LIMIT")
EOT
	diag "after kill + $LIMIT_DOWN s: $n_att attempts, $n_fail failed, $n_be2 to be2"
	diag "before that: $(stream_stats "$T_KILL" "$T_LIMIT") (attempts failed to_be2) between the kill and kill + $LIMIT_DOWN s"
	if [ "$n_att" -ge 10 ] && [ "$n_fail" = 0 ] && [ "$n_be2" = 0 ]; then
		ok "${P}from kill + $LIMIT_DOWN s: $n_att attempts, none failed, none to be2"
	else
		fail "${P}from kill + $LIMIT_DOWN s: $n_att attempts, none failed, none to be2" \
			"attempts $n_att, failed $n_fail, to be2 $n_be2"
		stream_failures "$T_LIMIT"
	fi
	expect_eq "${P}be2's connection counter did not move after kill + $LIMIT_DOWN s" \
		"$TOTAL_BE2" "$(be2_total)"

	# ----------------------------------------------- 2. it comes back ----

	# Measured from the moment greetd listens again: starting a program
	# in a namespace takes a good part of a second under TCG, and is not
	# the daemon's doing.
	step "restart be2's server"
	serve_stamped 2 "alive be2"
	wait_for 10 'grep -q " listen" /tmp/be2.log'
	T_RESTART=$(awk '$2 == "listen" { print $1; exit }' /tmp/be2.log)
	T_RESTART=${T_RESTART:-$(now_s)}
	wait_for 15 '[ -n "$(first_be2 "$T_RESTART")" ]'
	T_FIRST=$(first_be2 "$T_RESTART")
	if [ -n "$T_FIRST" ]; then
		diag "be2 got its first connection $(num_sub "$T_FIRST" "$T_RESTART") s after it listened again"
	fi
	if [ -n "$T_FIRST" ] && num_le "$(num_sub "$T_FIRST" "$T_RESTART")" "$LIMIT_UP"; then
		ok "${P}be2 gets new connections again within $LIMIT_UP s"
	else
		fail "${P}be2 gets new connections again within $LIMIT_UP s" \
			"listening at $T_RESTART, first be2 answer at ${T_FIRST:-never}"
		diag_file "$LOG"
	fi
	wait_for 5 'grep -q $GREP_F "backend $BE2K up" "$LOG"'
	check "${P}log: 'backend $BE2K up: 2 consecutive successes'" \
		grep -qxF "l4lb-health: backend $BE2K up: 2 consecutive successes" "$LOG"
	expect_eq "${P}$LIST: all up again" "up up up" "$(fam_states)"
	sleep 2
	stream_stop
	read -r n_att n_fail n_be2 <<EOT
$(stream_stats "$T_LIMIT")
EOT
	if [ "$n_fail" = 0 ]; then
		ok "${P}no attempt failed from kill + $LIMIT_DOWN s to the end ($n_att attempts)"
	else
		fail "${P}no attempt failed from kill + $LIMIT_DOWN s to the end ($n_att attempts)" "$n_fail failed:"
		stream_failures "$T_LIMIT"
	fi

	daemon_stop
	rc=$?
	if [ "$rc" = 0 ] && grep -qxF "l4lb-health: stopping on SIGTERM" "$LOG"; then
		ok "${P}SIGTERM: the daemon logs it and exits 0"
	else
		fail "${P}SIGTERM: the daemon logs it and exits 0" "exit $rc"; diag_file "$LOG"
	fi
}

# ondown_rows WHAT: after be3 went down with on-down expire, be3 has no
# row and be1 and be2 keep at least two ESTABLISHED ones (WHAT names the
# rows in the result). 1 result.
ondown_rows() {
	case $FAM in
	4)
		rows3=$(nat_rows | grep -c "10.0.3.1:10002")
		rows12=$(nat_rows | grep ESTABLISHED | grep -cE "10.0.1.1:10000|10.0.2.1:10001")
		;;
	6)
		v6_nat_show "after be3 went down with on-down expire"
		rows3=$(v6_nat_col 5 | grep -cxF "$BE6_3")
		rows12=$(v6_nat_rows | awk '$6 == "ESTABLISHED" { print $5 }' | grep -cxF -e "$BE6_1" -e "$BE6_2")
		;;
	esac
	if [ "$rows3" = 0 ] && [ "$rows12" -ge 2 ]; then
		ok "${P}on-down expire: be3's $1 are gone, be1's and be2's held ones stay"
	else
		fail "${P}on-down expire: be3's $1 are gone, be1's and be2's held ones stay" \
			"rows to be3: $rows3, established rows to be1/be2: $rows12"
		[ "$FAM" = 4 ] && nat_show
	fi
}

# answers_wrong: 3. be3 answers "busy be3": --once --send --expect, three
# held connections (held open until `release hold`), and the daemon from
# a config file with on-down expire marks be3 down. 5 results; the daemon
# keeps running.
answers_wrong() {
	step "be3 answers wrong"
	kill -9 "$BE3_PID"
	wait_exit 5 "$BE3_PID" >/dev/null
	serve 3 "busy be3"
	wait_for 10 'grep -q "^listen" /tmp/be3.log'

	n lb "$HEALTH" --once --send 'HEALTH CHECK\n' --expect alive >/tmp/once.out 2>/tmp/once.err
	rc=$?
	if [ "$rc" = 1 ] && grep -qxF "$BE3K"' failed: expect: no "alive" within 1 s (got "busy be3\n")' /tmp/once.out &&
		[ "$(grep -c ' ok$' /tmp/once.out)" = 2 ]; then
		ok "${P}--once --send --expect: be3 fails with the reply it got, exit 1"
	else
		fail "${P}--once --send --expect: be3 fails with the reply it got, exit 1" "exit $rc"
		diag_file /tmp/once.out; diag_file /tmp/once.err
	fi

	# Three held connections, one per backend, to see what expire removes.
	bg_held hold /tmp/hold.out cli conns -w -t 20 "$FVIP" "$VPORT" 3
	wait_for 30 'grep -q "^holding" /tmp/hold.out'
	held=$(sed -n 's/^conn [0-9]* [0-9]* //p' /tmp/hold.out | sort | tr '\n' ',')
	expect_eq "${P}three held connections, one on each backend" "alive be1,alive be2,busy be3," "$held"
	if [ "$FAM" = 6 ]; then
		v6_wait_nat_len 3 10 || diag "v6 rows: $(v6_nat_len)"
	fi

	cat >/tmp/health.conf <<'EOT'
# l4lb-health: the seed balancers' "HEALTH CHECK" line, and greetd's answer
interval = 1
rise = 2
fall = 2            # quick, for the test
send = "HEALTH CHECK\n"
expect = alive
on-down = expire
EOT
	daemon_start -c /tmp/health.conf
	wait_for 10 'grep -q $GREP_F "backend $BE3K down" "$LOG"'
	check "${P}log: be3 down, 2 consecutive failures, with the reply it got" \
		grep -qxF "l4lb-health: backend $BE3K down: 2 consecutive failures"' (expect: no "alive" within 1 s (got "busy be3\n")); its connections were removed' "$LOG"
	expect_eq "${P}$LIST: be3 down, be1 and be2 up" "up up down" "$(fam_states)"
}

# ------------------------------------------------------------- set up ----

# One topology for both families (dual_topo_up: topo_up plus the v6
# addresses and routes, unless the run leaves IPv6 out).
step "topology"
dual_topo_up || die "topology up (v4, and v6 unless left out)"

# ================================================================ IPv4 ====

family 4
kmsg_mark "health"
lb_up || die "l4lb up"
ok "l4lb up with vip=$VIP:$VPORT backends=$BACKENDS"
diag "l4lb-health: $HEALTH"

# Bad configuration (first: it needs no backends).
step "bad configuration"
n lb "$HEALTH" --interval 0 >/tmp/bad.out 2>/tmp/bad.err
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l </tmp/bad.err)" = 1 ] && [ ! -s /tmp/bad.out ] &&
	grep -qxF 'l4lb-health: interval must be 0.1-3600 seconds, got "0"' /tmp/bad.err; then
	ok "--interval 0: exit 2 and one line"
else
	fail "--interval 0: exit 2 and one line" "exit $rc"; diag_file /tmp/bad.err
fi
printf 'interval = 1\nintervall = 2\n' >/tmp/bad.conf
n lb "$HEALTH" -c /tmp/bad.conf >/tmp/bad.out 2>/tmp/bad.err
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l </tmp/bad.err)" = 1 ] && [ ! -s /tmp/bad.out ] &&
	grep -qxF 'l4lb-health: config line 2: unknown key "intervall"' /tmp/bad.err; then
	ok "config file with an unknown key: exit 2 and one line naming the line"
else
	fail "config file with an unknown key: exit 2 and one line naming the line" "exit $rc"
	diag_file /tmp/bad.err
fi
expect_eq "a bad configuration changed no backend" "up up up" "$(states)"

servers

n lb "$HEALTH" --once >/tmp/once.out 2>/tmp/once.err
rc=$?
if [ "$rc" = 0 ] && [ "$(grep -c ' ok$' /tmp/once.out)" = 3 ]; then
	ok "--once: three backends ok, exit 0"
else
	fail "--once: three backends ok, exit 0" "exit $rc"
	diag_file /tmp/once.out; diag_file /tmp/once.err
fi

down_and_up
answers_wrong

ondown_rows "NAT rows"
release hold 15 >/dev/null

# ---------------------------------------- the module goes and comes ----

step "rmmod l4lb under the daemon"
wait_nat_len 0 30 >/dev/null
# Record what the kernel asks modprobe to load while the module is out.
read -r MODPROBE </proc/sys/kernel/modprobe
printf '#!/bin/sh\necho "$*" >>/tmp/modprobe.calls\nexec %s "$@"\n' "$MODPROBE" >/tmp/modprobe.sh
chmod 755 /tmp/modprobe.sh
rm -f /tmp/modprobe.calls
echo /tmp/modprobe.sh >/proc/sys/kernel/modprobe
lb_down || diag "rmmod failed"
sleep 4
echo "$MODPROBE" >/proc/sys/kernel/modprobe
if ! grep -q "family-l4lb" /tmp/modprobe.calls 2>/dev/null; then
	ok "while the module is out the daemon does not make the kernel load it every round"
else
	fail "while the module is out the daemon does not make the kernel load it every round" \
		"modprobe calls: $(grep -c family-l4lb /tmp/modprobe.calls)"
	diag_file /tmp/modprobe.calls
fi
n_err=$(grep -c "cannot list backends" "$LOG")
if alive "$DAEMON_PID" && [ "$n_err" -ge 1 ] && [ "$n_err" -le 2 ] &&
	grep -qF "cannot list backends: l4lb module not loaded" "$LOG"; then
	ok "without the module the daemon keeps running and logs the error once ($n_err lines in 4 rounds)"
else
	fail "without the module the daemon keeps running and logs the error once" "$n_err lines"
	diag_file "$LOG"
fi
step "insmod l4lb again"
lb_up || diag "insmod failed"
if wait_for 10 '[ "$(grep -c "backend 10.0.3.1:10002 down" "$LOG")" = 2 ]' &&
	[ "$(states)" = "up up down" ]; then
	ok "after insmod the daemon finds the new module and marks be3 down again"
else
	fail "after insmod the daemon finds the new module and marks be3 down again" "states: $(states)"
	diag_file "$LOG"
fi
daemon_stop
rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"

step "no module"
lb_down || diag "rmmod failed"
n lb "$HEALTH" >/tmp/nomod.out 2>/tmp/nomod.err
rc=$?
if [ "$rc" = 3 ] && [ "$(cat /tmp/nomod.err)" = "$NOT_LOADED" ]; then
	ok "without the module: exit 3 and l4lbctl's one line"
else
	fail "without the module: exit 3 and l4lbctl's one line" "exit $rc"; diag_file /tmp/nomod.err
fi

# The v4 servers go; the topology stays for IPv6.
bg_kill_all
kernel_clean_since "health"

# ================================================================ IPv6 ====

require_l4lbctl
require_family 6
family 6
kmsg_mark "health_v6"
if v6_lb_up; then ok "v6: l4lb up with the v6 service $SVC6 and three v6 backends"
else die "v6: l4lb up with the v6 service $SVC6 and three v6 backends"; fi
diag "l4lb-health: $HEALTH"

servers

n lb "$HEALTH" --once >/tmp/once.out 2>/tmp/once.err
rc=$?
expect_eq "v6: --once: the three v6 backends ok, named [ADDR]:PORT, exit 0" \
	"0|[2001:db8:1::1]:10000 ok|[2001:db8:2::1]:10001 ok|[2001:db8:3::1]:10002 ok" \
	"$rc|$(sort /tmp/once.out | tr '\n' '|' | sed 's/|$//')"
[ -s /tmp/once.err ] && diag_file /tmp/once.err

down_and_up
answers_wrong

ondown_rows "v6 rows"
daemon_stop
rc=$?
expect_eq "v6: SIGTERM: exit 0" 0 "$rc"
release hold 15 >/dev/null

step "clean up"
v6_topo_down
if lb_down; then ok "v6: rmmod l4lb"; else fail "v6: rmmod l4lb"; fi
kernel_clean_since "health_v6"
