# SPDX-License-Identifier: GPL-2.0
#
# cli_lib.sh - checks of a program's command line, shared by test_cli.sh
# (l4lbctl) and test_health_cli.sh (l4lb-health). Source it after setting
#   PROG  the binary to run
#   NAME  its name, the prefix of its one-line errors ("NAME: message")
# It provides run, error, usage, prints, same and summary, and counts
# results in $pass and $fail. Output follows cmocka's format.

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0

# run ARGS...: run the program, leaving $rc, $tmp/out and $tmp/err.
run() {
	"$PROG" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

ok() {
	pass=$((pass + 1))
	printf '[       OK ] %s\n' "$1"
}

ko() {
	fail=$((fail + 1))
	printf '[  FAILED  ] %s: %s\n' "$1" "$2"
	sed 's/^/    stdout: /' "$tmp/out"
	sed 's/^/    stderr: /' "$tmp/err"
}

# error CODE 'MESSAGE' ARGS...: expect exit CODE, stdout empty, and stderr
# exactly the line "NAME: MESSAGE".
error() {
	code=$1 msg=$2
	shift 2
	name=$(printf '%s %s -> %s' "$NAME" "$*" "$code" | tr '\n' '?')
	run "$@"
	if [ "$rc" -ne "$code" ]; then
		ko "$name" "exit $rc"
	elif [ -s "$tmp/out" ]; then
		ko "$name" "stdout not empty"
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		ko "$name" "stderr is not one line"
	elif [ "$(cat "$tmp/err")" != "$NAME: $msg" ]; then
		ko "$name" "expected '$NAME: $msg'"
	else
		ok "$name"
	fi
}

# usage 'MESSAGE' ARGS...: a usage error, exit 2.
usage() {
	error 2 "$@"
}

# prints PATTERN ARGS...: expect exit 0, nothing on stderr, and a stdout
# line matching the grep PATTERN.
prints() {
	pattern=$1
	shift
	name="$NAME $* prints '$pattern'"
	run "$@"
	if [ "$rc" -ne 0 ]; then
		ko "$name" "exit $rc"
	elif [ -s "$tmp/err" ]; then
		ko "$name" "stderr not empty"
	elif ! grep -q -e "$pattern" "$tmp/out"; then
		ko "$name" "no match"
	else
		ok "$name"
	fi
}

# same 'ARGS' 'OTHER ARGS': the two command lines (split at blanks) give
# the same exit code, stdout and stderr.
same() {
	name="$NAME $1 = $NAME $2"
	# Unquoted on purpose: each is a list of words.
	run $1
	first=$rc
	mv "$tmp/out" "$tmp/out1"
	mv "$tmp/err" "$tmp/err1"
	run $2
	if [ "$rc" -ne "$first" ]; then
		ko "$name" "exit $first, then $rc"
	elif ! cmp -s "$tmp/out1" "$tmp/out"; then
		ko "$name" "stdout differs"
	elif ! cmp -s "$tmp/err1" "$tmp/err"; then
		ko "$name" "stderr differs"
	else
		ok "$name"
	fi
}

# summary LABEL: print the closing line; exit status says if all passed.
summary() {
	printf '[==========] %s: %d passed, %d failed\n' "$1" "$pass" "$fail"
	[ "$fail" -eq 0 ]
}
