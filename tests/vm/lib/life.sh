# shellcheck shell=sh
# life.sh - helpers shared by the connection-lifecycle tests (life_*.sh),
# on top of common.sh. A test sources both, then says its plan:
#
#     . /vm/lib/common.sh
#     . /vm/lib/life.sh
#     plan 9
#     require_l4lbctl
#
# Everything here is prefixed _life_ so it cannot clash with common.sh,
# ctl.sh or sched.sh. Rows are picked by their backend column
# (each test knows where round robin put which connection), in the columns
# of /proc/l4lb/nat:
#
#   $1 Pro  $2 Client  $3 VIP  $4 Local  $5 Backend  $6 State  $7 Expires
#
# tests/libs.sh checks common.sh's number helpers, which these tests use.

# _life_up [PARAMS...]: topology, then l4lb with the reference service plus
# PARAMS (e.g. timeout_tcp=3). Dies if either fails.
_life_up() {
	topo_up || die "topology up"
	# shellcheck disable=SC2086
	load_l4lb $L4LB_ARGS "$@" || die "insmod l4lb.ko $*"
}

# _life_stat NAME: counter NAME of `l4lbctl stats` (empty if missing).
_life_stat() {
	l4lbctl stats 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'
}

# _life_stats: `l4lbctl stats` on one line (for diagnostics).
_life_stats() {
	l4lbctl stats 2>/dev/null | tr '\n' ' '
}

# _life_rows_to BACKEND: the TCP/UDP rows of /proc/l4lb/nat to BACKEND.
_life_rows_to() {
	awk -v b="$1" '($1 == "TCP" || $1 == "UDP") && $5 == b' /proc/l4lb/nat 2>/dev/null
}

# _life_state BACKEND: the state of the (first) row to BACKEND, or "none".
_life_state() {
	_ls=$(_life_rows_to "$1" | awk 'NR == 1 { print $6 }')
	echo "${_ls:-none}"
}

# _life_expires BACKEND: the expires column of the (first) row to BACKEND.
_life_expires() {
	_life_rows_to "$1" | awk 'NR == 1 { print $7 }'
}

# _life_json_row BACKEND: the object of `l4lbctl -j nat` for BACKEND, on
# one line.
_life_json_row() {
	l4lbctl -j nat 2>/dev/null | jq -c --arg b "$1" '.[] | select(.backend == $b)'
}

# _life_count STATE: rows of /proc/l4lb/nat in STATE (any protocol column).
_life_count() {
	awk -v s="$1" 'NF == 7 && $6 == s { n++ } END { print n + 0 }' /proc/l4lb/nat 2>/dev/null
}

# _life_wait_state BACKEND SECS STATE...: wait until the row to BACKEND is
# in one of STATEs ("none": no row); the state seen last is in LIFE_STATE.
_life_wait_state() {
	_lw_be=$1 _lw_secs=$2
	shift 2
	_lw_want=" $* "
	wait_for "$_lw_secs" 'LIFE_STATE=$(_life_state "$_lw_be"); case "$_lw_want" in *" $LIFE_STATE "*) true ;; *) false ;; esac'
}

# _life_ticks BENAME NAME: how many "NAME tick" lines backend BENAME logged.
_life_ticks() {
	grep -c "^msg [0-9.:]* $2 tick " "/tmp/$1.log" 2>/dev/null || echo 0
}
