# shellcheck shell=sh
# health.sh - helpers shared by the l4lb-health tests (health*.sh), on top
# of common.sh. A test sources both, says its plan, sets HEALTH (the
# daemon: require_health) and LOG (its log file):
#
#     . /vm/lib/common.sh
#     . /vm/lib/health.sh
#     plan 9
#
# tests/libs.sh checks logged_within on a log it writes.

# health_find: set HEALTH to the l4lb-health of the image (on PATH, or
# anywhere in the root file system), or to "" if it has none.
health_find() {
	HEALTH=$(command -v l4lb-health 2>/dev/null)
	[ -n "$HEALTH" ] ||
		HEALTH=$(find / -xdev -type f -name l4lb-health 2>/dev/null | head -n 1)
}

# require_health: health_find, or skip the rest of the test without it.
require_health() {
	health_find
	if [ -z "$HEALTH" ]; then
		skip_rest "l4lb-health is not in the VM image"
		exit 0
	fi
}

# daemon_start ARGS...: l4lb-health in lb, logging to $LOG; pid in DAEMON_PID.
daemon_start() {
	rm -f "$LOG"
	bg "$LOG" lb "$HEALTH" "$@"
	DAEMON_PID=$BG_PID
	wait_for 10 'grep -q "started" "$LOG"'
}

# daemon_stop: SIGTERM; returns the daemon's exit status (124: still running).
daemon_stop() {
	kill -TERM "$DAEMON_PID"
	wait_exit 10 "$DAEMON_PID"
}

# logged_within WHAT PATTERN T0 LIMIT: one check, "WHAT", that $LOG gets
# a line with PATTERN (grep, waiting up to 15 s) at most LIMIT s after
# uptime T0. The observer polls every 0.2 s and is slow under TCG, so it
# is allowed 0.5 s more. The time it took goes to the TAP diagnostics.
logged_within() {
	_lw_pat=$2
	if wait_for 15 'grep -q "$_lw_pat" "$LOG"'; then
		_lw_seen=$(now_s)
		diag "'$2' logged $(num_sub "$_lw_seen" "$3") s after $3 (seen by polling)"
	else
		_lw_seen=never
	fi
	if [ "$_lw_seen" != never ] && num_le "$(num_sub "$_lw_seen" "$3")" "$4.5"; then
		ok "$1"
	else
		fail "$1" "seen: $_lw_seen, since: $3"
		diag_file "$LOG"
	fi
}
