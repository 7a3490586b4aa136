#!/bin/sh
# ctl_monitor: `l4lbctl monitor` prints each change as it happens, in order.
#
# Reference service (be1, be2, be3; chatd on each). Three monitors run in
# lb: `l4lbctl monitor` (text), `l4lbctl -j monitor` (JSON) and
# `l4lbctl monitor` as user nobody (no privilege needed), each into its
# own file. A monitor that has not joined the events group yet would miss
# events, so `l4lbctl flush` is repeated until each printed a flush.
#
# Then a scripted series on a second service S = 10.0.0.1:20001/tcp, each
# step's event checked in turn as the text monitor's next line:
#   service set S (service-new), scheduler wrr (service-change), the same
#   again (nothing: the next line is the backend's), backend add be1
#   (backend-new), weight 3, down, up (backend-change each), a chat client
#   connects through S to be1 (no event), backend del be1 (backend-del,
#   draining), the client quits: its row ends (TIME_WAIT, 3 s) and be1 is
#   gone (backend-gone), service del S (service-del), conn flush (flush),
#   conn flush service VIP:20000/tcp (flush VIP:20000/tcp).
# The JSON and nobody's monitors say the same, line for line.
#
# Events stay in their namespace: a service made in another namespace
# shows in a monitor there and in none of lb's. l4lb-health marks be2 of
# the reference service down when its server is killed and up when it is
# back: two backend-change lines.
#
# rmmod and insmod under the three monitors: each prints module-gone,
# then module-new once it has joined the new module's events, then
# service-new for S made after that. SIGTERM and SIGINT end a monitor
# with exit 0 and nothing on stderr (no "events lost"); the JSON monitor
# stays joined across a last rmmod, which must not mind it, and prints
# module-gone.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 35
require_l4lbctl

S=10.0.0.1:20001/tcp
REF=$VIP:$VPORT/tcp
TXT=/tmp/mon.txt JSON=/tmp/mon.json NOBODY=/tmp/mon.nobody
EVNS=evmon

LOG=/tmp/health.log
. /vm/lib/health.sh
health_find

# _mon FILE PIDVAR CMD...: start a monitor CMD, its stdout in FILE and its
# stderr in FILE.err; its pid in the variable PIDVAR.
_mon() {
	_mf=$1 _mv=$2
	shift 2
	"$@" >"$_mf" 2>"$_mf.err" </dev/null &
	eval "$_mv=\$!"
	echo $! >>"$TAP_DIR/bg.pids"
}

# _reduce: monitor text lines -> "EVENT SERVICE SCHEDULER" for services,
# "EVENT SERVICE BACKEND STATE WEIGHT" for backends, the rest as it is.
_reduce() {
	awk '$1 ~ /^service-/ { print $1, $2, $4; next }
		$1 ~ /^backend-/ { print $1, $2, $3, $5, $7; next }
		{ print }'
}

# _reduce_json: monitor JSON lines -> the same as _reduce.
_reduce_json() {
	jq -r 'if (.event | startswith("service-")) then
			"\(.event) \(.vip):\(.port)/\(.proto) \(.scheduler)"
		elif (.event | startswith("backend-")) then
			"\(.event) \(.vip):\(.vport)/\(.proto) \(.backend) \(.state) \(.weight)"
		elif .vip then "\(.event) \(.vip):\(.port)/\(.proto)"
		else .event end'
}

# _mark: remember how many lines each of lb's monitors printed so far.
_mark() {
	M_TXT=$(wc -l <"$TXT") M_JSON=$(wc -l <"$JSON") M_NOBODY=$(wc -l <"$NOBODY")
}

# _new FILE MARK: the lines of FILE after the first MARK.
_new() {
	tail -n +$(($2 + 1)) "$1"
}

_counts() {
	echo "$(wc -l <"$TXT") $(wc -l <"$JSON") $(wc -l <"$NOBODY")"
}

# _show_settled: print the text monitor's lines since the mark, then wait
# until no monitor's output grows for a second.
_show_settled() {
	diag "the text monitor's lines:"
	_new "$TXT" "$M_TXT" | sed 's/^/#   /'
	wait_still 10 1 _counts >/dev/null
}

# _same_json: one assertion, that the JSON monitor printed the text
# monitor's events since the marks, line for line.
_same_json() {
	expect_eq "the JSON monitor printed the same events, line for line" \
		"$(_new "$TXT" "$M_TXT" | _reduce)" "$(_new "$JSON" "$M_JSON" | _reduce_json)"
}

# _same_nobody: one assertion, that the unprivileged monitor printed the
# text monitor's lines since the marks.
_same_nobody() {
	expect_eq "nobody's monitor printed the same lines" \
		"$(_new "$TXT" "$M_TXT")" "$(_new "$NOBODY" "$M_NOBODY")"
}

# _saw WANT: the text monitor's next line since the mark, reduced, is
# WANT (waits for it up to 15 s).
N=0
_saw() {
	N=$((N + 1))
	step "monitor: $1"
	if wait_for 15 '[ "$(_new "$TXT" "$M_TXT" | wc -l)" -ge "$N" ]'; then
		expect_eq "line $N: $1" "$1" "$(_new "$TXT" "$M_TXT" | _reduce | sed -n "${N}p")"
	else
		fail "line $N: $1" "only $(_new "$TXT" "$M_TXT" | wc -l) lines since the mark"
		diag_file "$TXT" 20
	fi
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_monitor"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"
for i in 1 2 3; do
	rm -f "/tmp/be$i.log"
	bg "/tmp/be$i.log" "be$i" chatd "$((9999 + i))"
	[ "$i" = 2 ] && BE2_PID=$BG_PID
done
if serve_ready; then ok "chatd listens on be1, be2, be3"
else fail "chatd listens on be1, be2, be3"; diag_file /tmp/be1.log; fi

step "three monitors"
_mon "$TXT" TXT_PID l4lbctl monitor
_mon "$JSON" JSON_PID l4lbctl -j monitor
_mon "$NOBODY" NOBODY_PID /usr/bin/setpriv --reuid=65534 --regid=65534 \
	--clear-groups l4lbctl monitor
if wait_for 30 'l4lbctl flush; grep -q "^flush$" "$TXT" &&
		grep -q "\"event\":\"flush\"" "$JSON" && grep -q "^flush$" "$NOBODY"'; then
	ok "the three monitors (one as nobody) print a flush"
else
	fail "the three monitors (one as nobody) print a flush"
	diag_file "$TXT.err"; diag_file "$JSON.err"; diag_file "$NOBODY.err"
fi
wait_still 10 1 _counts >/dev/null
_mark

step "the scripted changes"
l4lbctl service set vip 10.0.0.1 port 20001 proto tcp
_saw "service-new $S rr"
l4lbctl service set vip 10.0.0.1 port 20001 proto tcp scheduler wrr
_saw "service-change $S wrr"
# Changes nothing: the next line must be the backend's.
l4lbctl service set vip 10.0.0.1 port 20001 proto tcp scheduler wrr
l4lbctl backend add "$BE1" service "$S"
_saw "backend-new $S $BE1 up 1"
l4lbctl backend set "$BE1" weight 3 service "$S"
_saw "backend-change $S $BE1 up 3"
l4lbctl backend set "$BE1" down service "$S"
_saw "backend-change $S $BE1 down 3"
l4lbctl backend set "$BE1" up service "$S"
_saw "backend-change $S $BE1 up 3"

step "a client through $S"
chat_start c1 cli 10.0.0.1 20001
if wait_for 15 '[ "$(backend_of c1)" = be1 ]'; then ok "client c1 joined be1 through $S"
else fail "client c1 joined be1 through $S" "on: $(backend_of c1)"; diag_file /tmp/chat.c1.err; fi

l4lbctl backend del "$BE1" service "$S"
_saw "backend-del $S $BE1 draining 3"
chat_quit c1 || diag "chat c1 exit $?"
_saw "backend-gone $S $BE1 draining 3"
l4lbctl service del "$S"
_saw "service-del $S wrr"
l4lbctl conn flush
_saw "flush"
l4lbctl conn flush service "$REF"
_saw "flush $REF"
_show_settled
_same_json
_same_nobody

step "events stay in their namespace"
ip netns add "$EVNS" && ip -n "$EVNS" link set lo up
_mon /tmp/mon.evns EVNS_PID /usr/sbin/ip netns exec "$EVNS" l4lbctl monitor
if wait_for 30 '/usr/sbin/ip netns exec "$EVNS" l4lbctl flush; grep -q "^flush$" /tmp/mon.evns'; then
	ok "a monitor in namespace $EVNS prints its flush"
else
	fail "a monitor in namespace $EVNS prints its flush"; diag_file /tmp/mon.evns.err
fi
wait_still 10 1 _counts >/dev/null
_mark
N=0
/usr/sbin/ip netns exec "$EVNS" l4lbctl service set vip 10.9.0.1 port 80 proto tcp
if wait_for 15 'grep -q "^service-new 10.9.0.1:80/tcp " /tmp/mon.evns'; then
	ok "the monitor in $EVNS sees the service made there"
else
	fail "the monitor in $EVNS sees the service made there"; diag_file /tmp/mon.evns
fi
# Sent before the request was answered: a flush in lb now comes after it.
l4lbctl conn flush
_saw "flush"
kill -TERM "$EVNS_PID"
wait_exit 10 "$EVNS_PID" >/dev/null
ip netns del "$EVNS"

step "l4lb-health marks be2 down and up"
if [ -z "$HEALTH" ]; then
	skip "backend-change: l4lb-health marks be2 down" "l4lb-health is not in the VM image"
	skip "backend-change: l4lb-health marks be2 up" "l4lb-health is not in the VM image"
else
	wait_still 10 1 _counts >/dev/null
	_mark
	N=0
	daemon_start --interval 1 --fall 2 --rise 2
	kill -9 "$BE2_PID"
	_saw "backend-change $REF $BE2 down 1"
	rm -f /tmp/be2.log
	bg /tmp/be2.log be2 chatd 10001
	_saw "backend-change $REF $BE2 up 1"
	daemon_stop >/dev/null
	diag "l4lb-health: $(grep -c 'backend 10.0.2.1:10001' "$LOG") lines on be2"
fi

step "rmmod and insmod under the monitors"
wait_still 10 1 _counts >/dev/null
_mark
N=0
unload_l4lb || die "rmmod l4lb"
_saw "module-gone"
load_l4lb || die "insmod l4lb.ko"
_saw "module-new"
# A monitor has joined once it says so: wait for all three before a change.
if wait_for 15 '_new "$JSON" "$M_JSON" | grep -q "module-new" &&
		_new "$NOBODY" "$M_NOBODY" | grep -qx "module-new"'; then
	ok "the JSON and nobody's monitors print module-new"
else
	fail "the JSON and nobody's monitors print module-new"
	diag_file "$JSON.err"; diag_file "$NOBODY.err"
fi
l4lbctl service set vip 10.0.0.1 port 20001 proto tcp
_saw "service-new $S rr"
_show_settled
_same_json
expect_eq "the JSON module-gone and module-new are the event alone" \
	'{"event":"module-gone"}
{"event":"module-new"}' "$(_new "$JSON" "$M_JSON" | grep '"module-')"
_same_nobody

step "stop the monitors"
kill -TERM "$TXT_PID"
wait_exit 10 "$TXT_PID"
rc=$?
if [ "$rc" = 0 ] && ! [ -s "$TXT.err" ]; then ok "SIGTERM: the text monitor exits 0, nothing on stderr"
else fail "SIGTERM: the text monitor exits 0, nothing on stderr" "exit $rc"; diag_file "$TXT.err"; fi
kill -INT "$NOBODY_PID"
wait_exit 10 "$NOBODY_PID"
rc=$?
if [ "$rc" = 0 ] && ! [ -s "$NOBODY.err" ]; then ok "SIGINT: nobody's monitor exits 0, nothing on stderr"
else fail "SIGINT: nobody's monitor exits 0, nothing on stderr" "exit $rc"; diag_file "$NOBODY.err"; fi

step "rmmod under a monitor"
if lb_down; then ok "rmmod l4lb with the JSON monitor still joined"; else fail "rmmod l4lb with the JSON monitor still joined"; fi
if wait_for 10 '[ "$(tail -n 1 "$JSON")" = "{\"event\":\"module-gone\"}" ]'; then
	ok "the JSON monitor prints module-gone"
else
	fail "the JSON monitor prints module-gone" "last line: $(tail -n 1 "$JSON")"
fi
if alive "$JSON_PID"; then
	kill -INT "$JSON_PID"
	wait_exit 10 "$JSON_PID"
	rc=$?
else
	rc="gone before"
fi
if [ "$rc" = 0 ] && ! [ -s "$JSON.err" ]; then ok "then SIGINT: the JSON monitor exits 0, nothing on stderr"
else fail "then SIGINT: the JSON monitor exits 0, nothing on stderr" "exit $rc"; diag_file "$JSON.err"; fi
topo_down
kernel_clean_since "ctl_monitor"
