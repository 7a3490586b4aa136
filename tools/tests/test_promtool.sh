#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_promtool.sh - "promtool check metrics" (Debian's prometheus
# package) on what "l4lbctl stats --prometheus" prints for the fake kernel
# of test_prom ("test_prom --print": every counter, backends in every
# state, a label value to escape). promtool parses the exposition format
# and lints it (help on every metric, _total on counters only, ...).
# Without promtool it says so and passes.
#
# usage: tests/test_promtool.sh PATH/TO/test_prom

PROG=${1:?usage: $0 PATH/TO/test_prom}
NAME="promtool check metrics"

if ! command -v promtool >/dev/null 2>&1; then
	echo "[  SKIPPED ] $NAME: promtool not installed (Debian package prometheus)"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! "$PROG" --print >"$tmp/l4lb.prom" 2>"$tmp/err" || [ -s "$tmp/err" ] ||
	! grep -q '^l4lb_backend_state{' "$tmp/l4lb.prom"; then
	echo "[  FAILED  ] $NAME: $PROG --print failed"
	cat "$tmp/err"
	exit 1
fi
if promtool check metrics <"$tmp/l4lb.prom" >"$tmp/out" 2>&1 && ! [ -s "$tmp/out" ]; then
	echo "[       OK ] $NAME: $(grep -c '^# TYPE' "$tmp/l4lb.prom") metrics, $(grep -vc '^#' "$tmp/l4lb.prom") samples"
	exit 0
fi
echo "[  FAILED  ] $NAME"
sed 's/^/    /' "$tmp/out"
exit 1
