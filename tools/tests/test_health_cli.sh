#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_health_cli.sh - l4lb-health's command line, without the kernel
# module: a bad configuration (flag or file) gives exit 2 and exactly one
# line "l4lb-health: ..." on stderr, nothing on stdout; --help and
# --version go to stdout with exit 0; a good configuration on a host
# without the l4lb module gives exit 3 and l4lbctl's message.
#
# usage: tests/test_health_cli.sh PATH/TO/l4lb-health

PROG=${1:?usage: $0 PATH/TO/l4lb-health}
NAME=l4lb-health
. "$(dirname "$0")/cli_lib.sh"

prints '^Usage: l4lb-health' --help
prints '^Usage: l4lb-health' -h
prints '^l4lb-health [0-9]' --version
prints '--on-down keep|expire' --help
prints '--udp-send STR' --help
prints '--agent-port PORT' --help

# Flags
error 2 'interval must be 0.1-3600 seconds, got "0"' --interval 0
error 2 'interval must be 0.1-3600 seconds, got "-1"' --interval=-1
error 2 'timeout must be 0.1-3600 seconds, got "1s"' --timeout 1s
error 2 'rise must be 1-100, got "0"' --rise 0
error 2 'fall must be 1-100, got "101"' --fall 101
error 2 'on-down must be keep or expire, got "drop"' --on-down drop
error 2 'send must not be empty' --send ''
error 2 'send: bad escape "\q" (known: \n \r \t \0 \\ \" \'"'"' \xHH)' --send 'a\q'
error 2 'unknown option "--intervall"' --intervall 2
error 2 'unexpected argument "extra"' extra
error 2 'option "--fall" needs a value' --fall
error 2 'option "--once" takes no value' --once=1
error 2 'option "--rise" given twice' --rise 2 --rise 3
error 2 'timeout (3 s) must not be longer than interval (2 s)' --timeout 3
# The UDP strings: udp-expect only goes with udp-send.
error 2 'udp-send must not be empty' --udp-send ''
error 2 'udp-expect needs udp-send' --udp-expect pong
# Agent checks
error 2 'agent-port must be 1-65535, got "0"' --agent-port 0
error 2 'agent-port must be 1-65535, got "http"' --agent-port http
error 2 'agent-send needs agent-port' --agent-send 'load?\n'
error 2 'agent-rtt needs agent-port' --agent-rtt
error 2 'agent-service must be VIP[:PORT][/tcp|/udp], got "udp"' --agent-port 1 --agent-service udp
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' --agent-port 10999 --agent-service 10.0.0.1:20000/tcp
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' --agent-port 10999 --agent-rtt
error 2 'udp-expect needs udp-send' --send ping --expect pong --udp-expect pong
error 2 'unknown option "--udp_send"' --udp_send ping
# getopt_long: unambiguous prefixes of long options, "--" ends the options.
error 2 'ambiguous option "--udp"' --udp ping
error 2 'ambiguous option "--on"' --on=keep
error 2 'option "--rise" given twice' --rise 2 --ri 3
error 2 'option "--config" needs a value' --conf
error 2 'unexpected argument "extra"' --once -- extra

# The config file
cat >"$tmp/good.conf" <<'EOF'
# checks for the chat servers
interval = 1      # seconds
timeout = 0.5
rise = 2
fall = 2
send = "HEALTH CHECK\n"
expect = alive
on-down = expire
EOF
printf 'interval = 1\nrise = 2\nintervall = 3\n' >"$tmp/typo.conf"
printf 'interval = 1\nfall = zero\n' >"$tmp/bad.conf"
printf 'interval = 1\ninterval = 2\n' >"$tmp/twice.conf"
printf 'interval = 1\ntimeout = 2\n' >"$tmp/slow.conf"
printf 'this is not a config file\n' >"$tmp/junk.conf"
printf 'send = "HEALTH CHECK\\n"\nudp-send = "\\x00\\x01ping"\nudp-expect = pong\n' >"$tmp/udp.conf"
printf 'send = ping\nudp-expect = pong\n' >"$tmp/udpexp.conf"
printf 'udp_send = ping\n' >"$tmp/udpkey.conf"
error 2 'config line 3: unknown key "intervall"' -c "$tmp/typo.conf"
error 2 'config line 2: fall must be 1-100, got "zero"' --config "$tmp/bad.conf"
error 2 'config line 2: "interval" given twice (first on line 1)' -c "$tmp/twice.conf"
error 2 'config line 1: expected "key = value"' -c "$tmp/junk.conf"
error 2 'timeout (2 s) must not be longer than interval (1 s)' -c "$tmp/slow.conf"
error 2 'udp-expect needs udp-send' -c "$tmp/udpexp.conf"
error 2 'config line 1: unknown key "udp_send"' -c "$tmp/udpkey.conf"
# ... and is fine once udp-send is given, in the file or as a flag.
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' -c "$tmp/udpexp.conf" --udp-send ping
# A flag overrides the file, so the same file is fine with a longer interval.
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' -c "$tmp/slow.conf" --interval 2
error 2 "cannot open config file \"$tmp/none.conf\": No such file or directory" -c "$tmp/none.conf"

# A good configuration, but no module on this host.
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)'
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' -c "$tmp/good.conf"
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' -c "$tmp/udp.conf"
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' --once --udp-send 'ping\n' --udp-expect pong
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' --once --interval 0.5 --send 'x\r\n'
error 3 'l4lb module not loaded (generic netlink family "l4lb" not found)' --once --int 0.5 --fa=2 --

summary 'health cli'
