# shellcheck shell=sh
# ctl.sh - helpers shared by the l4lbctl tests (ctl_*.sh), on top of
# common.sh. A test sources both, then says its plan:
#
#     . /vm/lib/common.sh
#     . /vm/lib/ctl.sh
#     plan 7
#     require_l4lbctl
#
# tests/libs.sh checks its JSON helpers on fixed strings.
#
# Everything here is prefixed _ctl_ (or CTL_) so it cannot clash with
# common.sh. JSON (`l4lbctl -j`) is read with jq, directly or with
# common.sh's json_col, json_line and json_len; `-j list`, `-j nat` and
# `-j service` are arrays of flat objects (l4lbctl(8), JSON OUTPUT).

CTL_OUT=/tmp/ctl.out
CTL_ERR=/tmp/ctl.err
CTL_RC=0
# shellcheck disable=SC2034 # used by the tests
CTL_PERM_MSG='l4lbctl: permission denied (CAP_NET_ADMIN required)'
# shellcheck disable=SC2034 # used by the tests
CTL_NOMOD_MSG='l4lbctl: l4lb module not loaded (generic netlink family "l4lb" not found)'

# _ctl CMD...: run CMD with stdout in $CTL_OUT, stderr in $CTL_ERR; its
# exit status is returned and kept in CTL_RC.
_ctl() {
	"$@" >"$CTL_OUT" 2>"$CTL_ERR"
	CTL_RC=$?
	return "$CTL_RC"
}

# _ctl_show: the last _ctl's status and output, as diagnostics.
_ctl_show() {
	diag "exit status $CTL_RC"
	sed 's/^/#   out: /' "$CTL_OUT"
	sed 's/^/#   err: /' "$CTL_ERR"
}

# _ctl_ok DESC CMD...: assert that CMD exits 0 with nothing on stderr.
_ctl_ok() {
	_cd=$1
	shift
	step "$_cd"
	if _ctl "$@" && ! [ -s "$CTL_ERR" ]; then
		ok "$_cd"
	else
		fail "$_cd" "command: $*"
		_ctl_show
		return 1
	fi
}

# _ctl_fails DESC RC MSG CMD...: assert that CMD exits RC, prints nothing
# on stdout and exactly the one line MSG on stderr.
_ctl_fails() {
	_cd=$1 _cwant=$2 _cmsg=$3
	shift 3
	step "$_cd"
	_ctl "$@"
	if [ "$CTL_RC" = "$_cwant" ] && ! [ -s "$CTL_OUT" ] &&
		[ "$(wc -l <"$CTL_ERR")" = 1 ] && [ "$(cat "$CTL_ERR")" = "$_cmsg" ]; then
		ok "$_cd"
	else
		fail "$_cd" "command: $*" "want: exit $_cwant, stderr: $_cmsg"
		_ctl_show
		return 1
	fi
}

# ------------------------------------------------------------- JSON ----

# _ctl_be BACKEND KEY [NS]: member KEY of BACKEND (IP:PORT) in
# `l4lbctl -j list` of NS; empty if BACKEND is not listed.
_ctl_be() {
	l4lbctl_in "${3:-}" -j list 2>/dev/null |
		jq -r --arg b "$1" --arg k "$2" '.[] | select(.backend == $b) | .[$k] | values'
}

# _ctl_svcs [NS]: "VIP:PORT/PROTO" per service of NS (`l4lbctl -j
# service`), in the kernel's order (creation).
_ctl_svcs() {
	l4lbctl_in "${1:-}" -j service 2>/dev/null | jq -r '.[] | "\(.vip):\(.port)/\(.proto)"'
}

# _ctl_backends_svc [NS]: "BACKEND VIP:PORT/PROTO" per backend of NS (the
# service it belongs to), in list order.
_ctl_backends_svc() {
	l4lbctl_in "${1:-}" -j list 2>/dev/null |
		jq -r '.[] | "\(.backend) \(.vip):\(.vport)/\(.proto)"'
}

# _ctl_backends [NS]: "BACKEND STATE" per backend of NS, in list order.
_ctl_backends() {
	l4lbctl_in "${1:-}" -j list 2>/dev/null | json_col backend state
}

# _ctl_nat_map [NS]: "CLIENT BACKEND" per row of `l4lbctl -j nat` of NS,
# sorted.
_ctl_nat_map() {
	l4lbctl_in "${1:-}" -j nat 2>/dev/null | _ctl_nat_pairs
}

# _ctl_nat_pairs: `l4lbctl -j nat` on stdin -> "CLIENT BACKEND" per row,
# sorted.
_ctl_nat_pairs() {
	jq -r '.[] | "\(.client) \(.backend)"' | sort
}

# _ctl_proc_pairs [NS]: "CLIENT BACKEND" per row of /proc/l4lb/nat as NS
# sees it, sorted.
_ctl_proc_pairs() {
	if [ -n "${1:-}" ]; then
		/usr/sbin/ip netns exec "$1" cat /proc/l4lb/nat
	else
		cat /proc/l4lb/nat
	fi | awk '$1 == "TCP" || $1 == "UDP" { print $2, $5 }' | sort
}

# _ctl_snapshot FILE [NS]: `l4lbctl -j list` and `l4lbctl count` of NS
# into FILE, to compare before/after a command that must change nothing.
_ctl_snapshot() {
	{
		l4lbctl_in "${2:-}" -j list 2>&1
		l4lbctl_in "${2:-}" count 2>&1
	} >"$1"
}

# --------------------------------------------------------- talkers ----

# _ctl_lines NAME: how many lines chat client NAME has received.
_ctl_lines() {
	wc -l <"/tmp/chat.$1.out" 2>/dev/null || echo 0
}

# _ctl_join NAME...: start chat clients one after another, each only once
# chatd logged the previous one's "NAME joined" (so round robin sees them
# in this order). Returns non-zero if one did not join within 15 s.
_ctl_join() {
	for _cj in "$@"; do
		chat_start "$_cj"
		wait_for 15 '[ "$(backend_of '"$_cj"')" != none ]' || return 1
	done
}

# _ctl_wait_gone BACKEND SECS [NS]: wait until BACKEND is not listed.
_ctl_wait_gone() {
	_cwg_be=$1 _cwg_ns=${3:-}
	wait_for "$2" '[ -z "$(_ctl_be "$_cwg_be" state "$_cwg_ns")" ]'
}
