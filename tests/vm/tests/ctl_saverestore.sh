#!/bin/sh
# ctl_saverestore: `l4lbctl save` and `l4lbctl restore` round-trip the
# namespace's whole configuration.
#
# Three services, each with other settings: the reference TCP service
# 10.0.0.1:20000 (wrr, a SNAT pool, timeouts, persistence; be1 weight 3,
# be2 down, be3 drain), a UDP one 10.0.0.1:53 (rr, udp timeouts; two
# backends of weights 2 and 1) and a TCP one 10.0.0.5:80 (lc, client-addr
# proxy-v2; one backend of weight 0). Checked:
#   - save exits 0, every line of its output is an l4lbctl command line;
#   - after every service is deleted, restore brings back the same
#     `-j service` and `-j list` (counters left out);
#   - restoring the same file again changes nothing, and `-f FILE` is
#     restore; save then prints the same file;
#   - a file whose last line is bad changes nothing, though its other lines
#     would: exit 2 and one line "l4lbctl: FILE:LINE: ...";
#   - a line the kernel refuses (unknown scheduler) names its line, exit 1;
#   - restore --replace with a file without be1 and without 10.0.0.5:80
#     drains be1 (gone from the list or draining) and deletes that
#     service, the rest unchanged; restoring the full file brings both back;
#   - the weight percentage, load feedback set at run time: save leaves it
#     out, restore --replace keeps be2's 40 (set by hand, as an agent
#     check would), a line with "weight-pct 50" sets it, and a line with
#     "weight-pct 300" is refused with its line number, exit 2, nothing
#     changed. `-j list`'s weight_pct and weight_eff are compared with the
#     rest of the configuration above (all at 100 there);
#   - at boot, as l4lb.service does: the module loaded without vip= has no
#     service, and restore of the file brings the whole configuration.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 32
require_l4lbctl

CONF=/tmp/l4lb.conf
TCP=10.0.0.1:20000/tcp
UDP=10.0.0.1:53/udp
WEB=10.0.0.5:80/tcp

# _snap FILE: the configuration as l4lbctl shows it, without counters, one
# JSON object a line, services then backends.
_snap() {
	_norm='map(with_entries(select(.key | test("conns$|^pkts_|^bytes_|^snat_usage$|^snat_fail$") | not))) | .[]'
	{
		l4lbctl -j service | jq -c "$_norm"
		l4lbctl -j list | jq -c "$_norm"
	} >"$1" 2>&1
}

# _same DESC FILE [sorted]: ok if the configuration is the one in FILE
# (with "sorted", in any order).
_same() {
	_snap /tmp/sr.now
	if [ "${3:-}" = sorted ]; then
		sort "$2" >/tmp/sr.a
		sort /tmp/sr.now >/tmp/sr.b
	else
		cp "$2" /tmp/sr.a
		cp /tmp/sr.now /tmp/sr.b
	fi
	if cmp -s /tmp/sr.a /tmp/sr.b; then
		ok "$1"
	else
		fail "$1"
		diff /tmp/sr.a /tmp/sr.b | sed 's/^/#   /'
	fi
}

# _be_state SVC BACKEND: its state in `-j list service SVC`, or "gone".
_be_state() {
	_s=$(l4lbctl -j list service "$1" |
		jq -r --arg b "$2" '.[] | select(.backend == $b) | .state')
	echo "${_s:-gone}"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_saverestore"
lb_up || die "l4lb up"

step "a configuration of three services"
if l4lbctl service set vip 10.0.0.1 port 20000 proto tcp scheduler wrr \
		snat 10.0.1.254,10.0.2.254 timeout tcp 600 timeout syn 20 \
		persistence 30 &&
	l4lbctl set "$BE1" weight 3 service "$TCP" &&
	l4lbctl set "$BE2" down service "$TCP" &&
	l4lbctl set "$BE3" drain service "$TCP" &&
	l4lbctl service set vip 10.0.0.1 port 53 proto udp scheduler rr \
		timeout udp 20 timeout udpunreplied 5 &&
	l4lbctl backend add 10.0.1.1:53 weight 2 service "$UDP" &&
	l4lbctl backend add 10.0.2.1:53 service "$UDP" &&
	l4lbctl service set vip 10.0.0.5 port 80 proto tcp scheduler lc \
		client-addr proxy-v2 &&
	l4lbctl backend add 10.0.3.1:80 weight 0 service "$WEB"; then
	ok "three services, six backends set up"
else
	fail "three services, six backends set up"
fi
_snap /tmp/sr.before
expect_eq "3 services, 6 backends shown" "3 6" \
	"$(l4lbctl -j service | json_len) $(l4lbctl -j list | json_len)"

_ctl_ok "save exits 0" l4lbctl save
cp "$CTL_OUT" "$CONF"
sed 's/^/#   /' "$CONF"
expect_eq "save: 3 service lines, 6 backend lines, nothing else" "3 6 0" \
	"$(grep -c '^service set ' "$CONF") $(grep -c '^backend add ' "$CONF") \
$(grep -vc -e '^service set ' -e '^backend add ' -e '^#' -e '^$' "$CONF")"

step "delete everything, restore"
for s in "$TCP" "$UDP" "$WEB"; do l4lbctl service del "$s"; done
expect_eq "no service left" "0" "$(l4lbctl -j service | json_len)"
_ctl_ok "restore exits 0" l4lbctl restore "$CONF"
_same "restore: -j service and -j list as before" /tmp/sr.before

step "idempotent"
_ctl_ok "restore of the same file again exits 0" l4lbctl restore "$CONF"
_ctl_ok "-f FILE, once more, exits 0" l4lbctl -f "$CONF"
_same "still as before" /tmp/sr.before
l4lbctl save >/tmp/sr.save2
if cmp -s "$CONF" /tmp/sr.save2; then ok "save prints the same file"
else fail "save prints the same file"; diff "$CONF" /tmp/sr.save2 | sed 's/^/#   /'; fi

step "a bad last line changes nothing"
sed -e "s/weight 3/weight 7/" -e "s/scheduler lc/scheduler rr/" "$CONF" >/tmp/bad.conf
echo "backend add 10.0.0.300:80 service $WEB" >>/tmp/bad.conf
N=$(wc -l </tmp/bad.conf)
_ctl_fails "bad last line: exit 2, one line naming it" 2 \
	"l4lbctl: /tmp/bad.conf:$N: invalid address \"10.0.0.300:80\"" \
	l4lbctl restore /tmp/bad.conf
_same "nothing changed" /tmp/sr.before

step "the kernel refuses a line"
printf '# one line\nservice set vip 10.0.0.1 port 20000 proto tcp scheduler foo\n' >/tmp/sched.conf
_ctl_fails "unknown scheduler: exit 1, the line named" 1 \
	"l4lbctl: /tmp/sched.conf:2: unknown scheduler" \
	l4lbctl restore /tmp/sched.conf

step "restore --replace"
grep -v -e "^backend add $BE1 " -e "^service set vip 10.0.0.5 " -e "$WEB" \
	"$CONF" >/tmp/replace.conf
expect_eq "the file for --replace: 2 services, 4 backends" "2 4" \
	"$(grep -c '^service set ' /tmp/replace.conf) $(grep -c '^backend add ' /tmp/replace.conf)"
_ctl_ok "restore --replace exits 0" l4lbctl restore --replace /tmp/replace.conf
expect_eq "be1 drains (no rows: gone), 10.0.0.5:80 deleted, 2 services" \
	"ok 2" \
	"$(case $(_be_state "$TCP" "$BE1") in gone|draining) echo ok ;; *) _be_state "$TCP" "$BE1" ;; esac) $(l4lbctl -j service | json_len)"
expect_eq "the other backends as they were" \
	"up:2 up:1 drain:1 down:1" \
	"$(l4lbctl -j list | jq -r '.[] | select(.backend != "'"$BE1"'") | "\(.state):\(.weight)"' | sort -r | xargs)"
_ctl_ok "restore of the full file" l4lbctl restore "$CONF"
_same "everything is back" /tmp/sr.before sorted

# _be_pct SVC BACKEND: its weight_pct in `-j list service SVC`.
_be_pct() {
	l4lbctl -j list service "$1" |
		jq -r --arg b "$2" '.[] | select(.backend == $b) | .weight_pct'
}

step "the weight percentage"
if l4lbctl set "$BE2" weight-pct 40 service "$TCP"; then
	ok "be2 set to 40%"
else
	fail "be2 set to 40%"
fi
l4lbctl save >/tmp/sr.pct
expect_eq "save leaves the weight percentage out" "0" \
	"$(grep -c weight-pct /tmp/sr.pct)"
_ctl_ok "restore --replace of the full file" l4lbctl restore --replace "$CONF"
expect_eq "be2 keeps its 40%" "40" "$(_be_pct "$TCP" "$BE2")"
sed "\\|^backend add $BE2 .* service $TCP\$|s| service | weight-pct 50 service |" \
	"$CONF" >/tmp/pct.conf
_ctl_ok "restore of a file with weight-pct 50 for be2" l4lbctl restore /tmp/pct.conf
expect_eq "be2 at 50%" "50" "$(_be_pct "$TCP" "$BE2")"
sed "s/ weight-pct 50 / weight-pct 300 /" /tmp/pct.conf >/tmp/pct.bad
N=$(grep -n 'weight-pct 300' /tmp/pct.bad | cut -d: -f1)
_ctl_fails "weight-pct 300: exit 2, its line named" 2 \
	"l4lbctl: /tmp/pct.bad:$N: invalid weight-pct \"300\" (expected 0-256)" \
	l4lbctl restore /tmp/pct.bad
expect_eq "be2 still at 50%" "50" "$(_be_pct "$TCP" "$BE2")"

step "at boot: a module without service parameters, then restore"
lb_down
if load_l4lb svc_max=4096 && l4lb_loaded; then
	ok "insmod without vip= loads the module"
else
	fail "insmod without vip= loads the module"
fi
expect_eq "no service" "0" "$(l4lbctl -j service | json_len)"
_ctl_ok "restore exits 0" l4lbctl restore "$CONF"
_same "restore after a reload: as before" /tmp/sr.before

lb_down
topo_down
