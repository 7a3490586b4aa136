#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_agent_cli.sh - l4lb-agent on this host: a bad argument gives exit 2
# and one line "l4lb-agent: ..." on stderr; --help and --version go to
# stdout with exit 0. Then a live agent on 127.0.0.1, reading CPU times
# and memory from files this script writes (--stat-file, --meminfo-file),
# answers the figure the documented formula gives, "drain" while the drain
# file exists, and "ready" again once it is gone; it stops with 0 on
# SIGTERM. The live part needs socat (skipped without it).
#
# usage: tests/test_agent_cli.sh PATH/TO/l4lb-agent

PROG=${1:?usage: $0 PATH/TO/l4lb-agent}
NAME=l4lb-agent
. "$(dirname "$0")/cli_lib.sh"

prints '^Usage: l4lb-agent' --help
prints '^l4lb-agent [0-9]' --version
prints '--drain-file PATH' -h

usage 'invalid value "0" for --port' --port 0
usage 'invalid value "x" for -p' -p x
usage 'invalid value "1.2.3" for --listen' --listen 1.2.3
usage 'invalid value "fe80::1%eth0" for --listen' --listen 'fe80::1%eth0'
usage 'invalid value "2001:db8:::1" for -l' -l 2001:db8:::1
usage 'invalid value "avg" for --source' --source avg
usage 'invalid value "0" for --window' --window 0
usage 'invalid value "3601" for --window' --window 3601
usage 'invalid value "257" for --max' --max 257
usage '--min (50) must not be above --max (40)' --min 50 --max 40
usage 'option "--port" needs a value' --port
usage 'unknown option "--frob"' --frob
usage 'unexpected argument "extra"' extra

# check NAME EXPECTED [ADDRESS]: one agent answer (socat ADDRESS, by
# default TCP:127.0.0.1:$port) equals EXPECTED.
check() {
	got=$(socat -T 2 - "${3:-TCP:127.0.0.1:$port}" </dev/null 2>/dev/null)
	if [ "$got" = "$2" ]; then
		ok "$1"
	else
		fail=$((fail + 1))
		printf '[  FAILED  ] %s: got "%s", expected "%s"\n' "$1" "$got" "$2"
	fi
}

# start_agent ADDRESS ARGS...: run the agent with ARGS on $port, files of
# $tmp, in the background ($agent), and wait until socat ADDRESS answers.
start_agent() {
	addr=$1
	shift
	"$PROG" --port "$port" --stat-file "$tmp/stat" \
		--meminfo-file "$tmp/meminfo" --drain-file "$tmp/drain" \
		"$@" 2>"$tmp/agent.err" &
	agent=$!
	i=0
	while ! socat -T 1 - "$addr" </dev/null >/dev/null 2>&1 &&
	      [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

if command -v socat >/dev/null 2>&1; then
	port=$((20000 + $$ % 20000))
	# 30% idle (idle 20 + iowait 10 of 100) since "boot"; 60% memory.
	echo 'cpu  50 0 20 20 10 0 0 0 0 0' >"$tmp/stat"
	printf 'MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 600 kB\n' >"$tmp/meminfo"
	start_agent "TCP:127.0.0.1:$port" --listen 127.0.0.1 --window 1
	check 'the lower of idle CPU (30%) and memory (60%)' '30% ready'
	# The next window: 100 more ticks, 90 of them idle -> 90%; memory 60%.
	echo 'cpu  55 0 25 100 20 0 0 0 0 0' >"$tmp/stat"
	sleep 1.5
	check 'a window of 90% idle CPU: memory (60%) is lower' '60% ready'
	touch "$tmp/drain"
	check 'drain while the drain file exists' 'drain'
	rm -f "$tmp/drain"
	check 'ready again once it is gone' '60% ready'
	kill -TERM "$agent"
	wait "$agent"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok 'SIGTERM stops it with 0'; else
		fail=$((fail + 1)); printf '[  FAILED  ] SIGTERM: exit %s\n' "$rc"; fi
	# Without --listen: every address of both families, where there
	# is IPv6 (::1 on lo); --listen ::1 alone.
	if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
		start_agent "TCP:127.0.0.1:$port"
		check 'the default listens on IPv4' '60% ready'
		check 'the default listens on IPv6' '60% ready' \
			"TCP6:[::1]:$port"
		kill -TERM "$agent"
		wait "$agent"
		start_agent "TCP6:[::1]:$port" --listen ::1
		check '--listen ::1 answers on ::1' '60% ready' "TCP6:[::1]:$port"
		check '--listen ::1 only' '' "TCP:127.0.0.1:$port"
		kill -TERM "$agent"
		wait "$agent"
	else
		printf '[  SKIPPED ] live agent on IPv6: no ::1\n'
	fi
else
	printf '[  SKIPPED ] live agent: no socat\n'
fi

summary 'agent cli'
