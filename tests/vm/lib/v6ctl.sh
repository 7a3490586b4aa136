# shellcheck shell=sh
# v6ctl.sh - helpers of the IPv6 control-plane tests (ctl_v6*.sh,
# health.sh), on top of common.sh, ctl.sh and v6.sh. A test sources
# them in this order, then says its plan:
#
#     . /vm/lib/common.sh
#     . /vm/lib/ctl.sh
#     . /vm/lib/v6.sh
#     . /vm/lib/v6ctl.sh
#     plan 9
#     require_l4lbctl
#
# Everything here is prefixed v6ctl_ (or _v6c_) so it cannot clash with
# the other libraries. Connections are held by `conns -w -e` (their
# answers in /tmp/NAME.out) and probed with a line each must echo back
# (greetd -e).

# v6ctl_greet_all [-e] [PREFIX]: greetd -6 on every backend, on its own
# port, answering each connection with PREFIX and the backend's name
# (be1, be2, be3); -e: echoing what the client sends. Logs in
# /tmp/beN.log; waits (bounded) until all three logged "listen".
v6ctl_greet_all() {
	_v6c_e=
	if [ "${1:-}" = -e ]; then
		_v6c_e=-e
		shift
	fi
	_v6c_i=1
	for _v6c_port in $BE_PORTS; do
		rm -f "/tmp/be$_v6c_i.log"
		# shellcheck disable=SC2086 # an option or nothing
		bg "/tmp/be$_v6c_i.log" "be$_v6c_i" greetd -6 $_v6c_e \
			"$_v6c_port" "${1:-}be$_v6c_i"
		_v6c_i=$((_v6c_i + 1))
	done
	serve_ready
}

# v6ctl_hold NAME K [HOST]: K connections from cli to HOST:VPORT (default
# the v6 VIP), opened one after another by `conns -w -e` and held until
# `release NAME`; returns once they answered (bounded), non-zero if they
# did not get that far.
v6ctl_hold() {
	bg_held "$1" "/tmp/$1.out" cli conns -w -e -t 30 "${3:-$VIP6}" "$VPORT" "$2"
	wait_for 40 'grep -q "^holding" /tmp/'"$1"'.out'
}

# v6ctl_answers NAME: the answers of NAME's connections, sorted, on one
# line ("-" for one that failed).
v6ctl_answers() {
	awk '$1 == "conn" { print $4 }' "/tmp/$1.out" 2>/dev/null | sort | xargs
}

# v6ctl_probe NAME WORD: send the line WORD on every connection NAME holds
# (never blocks: the fifo is opened read-write); wait (bounded) for its
# report. Each connection has 5 s to echo it.
v6ctl_probe() {
	echo "$2" 1<>"/tmp/$1.in"
	wait_for 30 "grep -q '^probe $2 ' /tmp/$1.out"
}

# v6ctl_alive NAME WORD: "alive N of K" of probe WORD.
v6ctl_alive() {
	sed -n "s/^probe $2 //p" "/tmp/$1.out"
}

# v6ctl_echoed NAME WORD: the answers (be1...) of the connections that
# echoed probe WORD, sorted, on one line. A probe's report is the "echo"
# lines before its "probe WORD" line.
v6ctl_echoed() {
	awk -v w="$2" '$1 == "echo" && NF == 5 && $5 == "ok" { s = s " " $4 }
		$1 == "probe" { if ($2 == w) { print s; exit } s = "" }' \
		"/tmp/$1.out" 2>/dev/null | xargs -n 1 | sort | xargs
}

# v6ctl_states: the states of be1, be2, be3 of the v6 service ($BE6_1..3)
# in `l4lbctl -j backend show`, on one line; "gone" for one not listed.
v6ctl_states() {
	l4lbctl -j list 2>/dev/null | jq -r --arg a "$BE6_1" --arg b "$BE6_2" \
		--arg c "$BE6_3" '. as $l | [$a, $b, $c | . as $k |
		([$l[] | select(.backend == $k) | .state][0] // "gone")] | join(" ")'
}

# v6ctl_snap FILE: what a refused command must not change: `l4lbctl save`,
# and each backend's key, service, state and weight (draining ones too),
# without counters.
v6ctl_snap() {
	{
		l4lbctl save
		l4lbctl -j list | jq -c '.[] | [.backend, .vip, .vport, .proto, .state, .weight]'
	} >"$1" 2>&1
}

# v6ctl_refused DESC RCS TEXT ARGS...: one check, that `l4lbctl ARGS`
# exits with one of the statuses RCS ("1", "2" or "1 2"), prints nothing
# on stdout and one line "l4lbctl: ..." on stderr that contains TEXT (if
# not empty), and leaves v6ctl_snap as it was in /tmp/v6ctl.snap0 (the
# caller takes it first).
v6ctl_refused() {
	_v6c_d=$1 _v6c_rcs=$2 _v6c_txt=$3
	shift 3
	step "$_v6c_d"
	_ctl l4lbctl "$@"
	_v6c_why=
	case " $_v6c_rcs " in
	*" $CTL_RC "*) ;;
	*) _v6c_why="$_v6c_why exit $CTL_RC;" ;;
	esac
	[ -s "$CTL_OUT" ] && _v6c_why="$_v6c_why stdout not empty;"
	[ "$(wc -l <"$CTL_ERR")" = 1 ] ||
		_v6c_why="$_v6c_why $(wc -l <"$CTL_ERR") stderr lines;"
	grep -q '^l4lbctl: ' "$CTL_ERR" || _v6c_why="$_v6c_why no \"l4lbctl: \" line;"
	[ -z "$_v6c_txt" ] || grep -qF -- "$_v6c_txt" "$CTL_ERR" ||
		_v6c_why="$_v6c_why the line lacks \"$_v6c_txt\";"
	v6ctl_snap /tmp/v6ctl.snap1
	cmp -s /tmp/v6ctl.snap0 /tmp/v6ctl.snap1 || _v6c_why="$_v6c_why state changed;"
	if [ -z "$_v6c_why" ]; then
		ok "$_v6c_d: exit $CTL_RC, $(cat "$CTL_ERR")"
	else
		fail "$_v6c_d" "command: l4lbctl $*" "want: exit $_v6c_rcs${_v6c_txt:+, \"$_v6c_txt\"}, nothing changed" \
			"wrong:$_v6c_why"
		_ctl_show
		if ! cmp -s /tmp/v6ctl.snap0 /tmp/v6ctl.snap1; then
			diff /tmp/v6ctl.snap0 /tmp/v6ctl.snap1 | sed 's/^/#   /'
			cp /tmp/v6ctl.snap1 /tmp/v6ctl.snap0	# report each change once
		fi
		return 1
	fi
}
