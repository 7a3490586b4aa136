# shellcheck shell=sh
# sched.sh - helpers shared by the scheduler tests (sched_*.sh), on top of
# common.sh. A test sources both, then says its plan:
#
#     . /vm/lib/common.sh
#     . /vm/lib/sched.sh
#     plan 9
#     require_l4lbctl
#
# tests/libs.sh checks its parsers on fixed strings.
#
# Everything here is prefixed _sched_ so it cannot clash with
# common.sh or ctl.sh. Backends are named by greetd's answer: be1, be2,
# be3 for 10.0.1.1:10000, 10.0.2.1:10001, 10.0.3.1:10002 (common.sh's
# topology, and the same addresses in sched_mh_agree's instances).

# _sched_run DESC CMD...: assert that CMD exits 0; its output becomes
# diagnostics if it does not.
_sched_run() {
	_sr_d=$1
	shift
	step "$_sr_d"
	if "$@" >/tmp/sched.run 2>&1; then
		ok "$_sr_d"
	else
		fail "$_sr_d" "command failed (rc=$?): $*"
		diag_file /tmp/sched.run 10
		return 1
	fi
}

# _sched_greet: greetd on be1:10000, be2:10001, be3:10002 answering be1,
# be2, be3 (logs /tmp/beN.log); waits until all three listen.
_sched_greet() {
	bg /tmp/be1.log be1 greetd 10000 be1
	bg /tmp/be2.log be2 greetd 10001 be2
	bg /tmp/be3.log be3 greetd 10002 be3
	serve_ready
}

# ---------------------------------------------------------- parsers ----

# _sched_answers FILE: the answers of a conns output, in connection order,
# one line ("-" for a connection that failed).
_sched_answers() {
	awk '$1 == "conn" { printf "%s%s", sep, $4; sep = " " } END { print "" }' "$1"
}

# _sched_port_answer FILE: "LOCALPORT ANSWER" per connection of a conns
# output, sorted by port.
_sched_port_answer() {
	awk '$1 == "conn" { print $3, $4 }' "$1" | sort -n
}

# _sched_tally: words on stdin (any spacing) -> "be1 N be2 N be3 N".
_sched_tally() {
	tr ' ' '\n' | awk '{ c[$1]++ } END { printf "be1 %d be2 %d be3 %d\n", c["be1"], c["be2"], c["be3"] }'
}

# _sched_spread_ok LABEL K FILE: one assertion, that each backend has at
# least a fifth of the K keys whose backend is FILE's column 2.
_sched_spread_ok() {
	_spr=$(awk '{ print $2 }' "$3" | _sched_tally)
	diag "spread in $1: $_spr"
	if echo "$_spr" | awk -v min=$(($2 / 5)) '{ exit !($2 >= min && $4 >= min && $6 >= min) }'; then
		ok "$1: every backend has at least 20% of the $2 keys ($_spr)"
	else
		fail "$1: every backend has at least 20% of the $2 keys" "got: $_spr"
	fi
}

# _sched_list KEY [NS]: member KEY of every backend of NS's `l4lbctl -j
# list`, in list order, on one line.
_sched_list() {
	l4lbctl_in "${2:-}" -j list 2>/dev/null | json_line "$1"
}

# _sched_service_sched [NS]: the scheduler of NS's service.
_sched_service_sched() {
	l4lbctl_in "${1:-}" -j service 2>/dev/null | jq -r '.[].scheduler'
}

# _sched_nat_rows: the rows of a /proc/l4lb/nat on stdin -> "CLIENTIP
# CLIENTPORT BACKEND STATE", backend as be1/be2/be3, sorted by port.
_sched_nat_rows() {
	awk '$1 == "TCP" { split($2, c, ":"); print c[1], c[2], $5, $6 }' |
		be_names | sort -k2,2n
}

# _sched_nat [NS]: _sched_nat_rows of NS's /proc/l4lb/nat ("" = root).
_sched_nat() {
	if [ -n "${1:-}" ]; then
		/usr/sbin/ip netns exec "$1" cat /proc/l4lb/nat
	else
		cat /proc/l4lb/nat
	fi | _sched_nat_rows
}

# ------------------------------------------------------- connections ----

# _sched_hold NAME [NS [HOST PORT]]: one connection, opened by `conns -w`
# in NS (default cli) to HOST:PORT (default the VIP) and held open until
# `release NAME`. Waits (bounded) until it answered, then prints the
# answer (be1, be2, be3; "-" if it failed or did not answer).
_sched_hold() {
	bg_held "$1" "/tmp/$1.out" "${2:-cli}" conns -w -t 20 "${3:-$VIP}" "${4:-$VPORT}" 1
	wait_for 30 'grep -q "^answered" /tmp/'"$1"'.out' || { echo -; return 1; }
	_sh_a=$(_sched_answers "/tmp/$1.out")
	echo "${_sh_a:--}"
}

# _sched_hold_many PREFIX N [NS [HOST]]: N connections one after another
# with _sched_hold PREFIX1 ... PREFIXN (each answered before the next
# starts), from NS (default cli) to HOST:VPORT (default the VIP; v6_sched
# gives the v6 VIP); prints their answers in order on one line.
_sched_hold_many() {
	_shm_i=1
	while [ "$_shm_i" -le "$2" ]; do
		printf '%s%s' "$([ "$_shm_i" -gt 1 ] && echo ' ')" \
			"$(_sched_hold "$1$_shm_i" "${3:-cli}" "${4:-$VIP}" "$VPORT")"
		_shm_i=$((_shm_i + 1))
	done
	echo
}
