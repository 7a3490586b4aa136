#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_cli.sh - the command-line layer of l4lbctl, without the kernel module:
# bad arguments give exit 2 and exactly one line "l4lbctl: ..." on stderr
# and nothing on stdout; help and version go to stdout with exit 0; a valid
# command on a host without the l4lb module gives exit 3.
#
# usage: tests/test_cli.sh PATH/TO/l4lbctl

PROG=${1:?usage: $0 PATH/TO/l4lbctl}
NAME=l4lbctl
. "$(dirname "$0")/cli_lib.sh"

# Global options and commands
usage 'missing command (try "l4lbctl help")'
usage 'missing command (try "l4lbctl help")' -j
usage 'unknown command "frob"' frob
usage 'unknown command "LIST"' LIST
usage 'unknown option "-x"' -x list
usage 'unknown option "--json=1"' --json=1 list
usage 'unknown option "-"' - list
usage 'unknown argument "-j"' list -j
usage 'unknown argument "extra"' list extra
usage 'unknown argument "now"' count now
usage 'unknown argument "x"' stats x
usage 'unknown argument "x"' stats --prometheus x
usage '"-o" needs "--prometheus"' stats -o /tmp/l4lb.prom
usage '"--prometheus" and "-j" exclude each other' -j stats --prometheus
usage '"--prometheus" given twice' stats --prometheus --prometheus
usage 'missing value after "-o"' stats --prometheus -o
usage '"-o" given twice' stats --prometheus -o a -o b
usage 'unknown argument "all"' flush all
usage 'unknown argument "10.0.0.1"' flush 10.0.0.1
usage 'unknown argument "-v"' nat -v
usage 'unknown argument "x"' monitor x
usage 'unknown argument "-t"' monitor -j -t

# add
usage 'missing IP:PORT' add
usage 'invalid address "10.0.0.300:80"' add 10.0.0.300:80
usage 'invalid address "10.0.0.1"' add 10.0.0.1
usage 'invalid address "10.0.0.1:0"' add 10.0.0.1:0
usage 'invalid address "10.0.0.1:65536"' add 10.0.0.1:65536
usage 'invalid address "10.0.1:80"' add 10.0.1:80
usage 'invalid address ""' add ''
usage 'invalid address " 10.0.0.1:80"' add ' 10.0.0.1:80'
usage 'invalid address "web:80"' add web:80
usage 'missing value after "weight"' add 10.0.0.1:80 weight
usage 'invalid weight "65536" (expected 0-65535)' add 10.0.0.1:80 weight 65536
usage 'invalid weight "-1" (expected 0-65535)' add 10.0.0.1:80 weight -1
usage 'invalid weight "abc" (expected 0-65535)' add 10.0.0.1:80 weight abc
usage '"weight" given twice' add 10.0.0.1:80 weight 1 weight 2
usage 'more than one state given (up, down, drain)' add 10.0.0.1:80 down drain
usage 'unknown argument "draining"' add 10.0.0.1:80 draining
usage 'invalid weight-pct "300" (expected 0-256)' add 10.0.0.1:80 down weight-pct 300
# A newline in an argument must not break the one-line rule.
usage 'invalid address "10.0.0.1:80?x"' add '10.0.0.1:80
x'

# remove
usage 'missing IP:PORT' remove
usage 'unknown argument "--later"' remove 10.0.0.1:80 --later
usage 'unknown argument "now"' remove 10.0.0.1:80 now
usage '"--now" given twice' remove 10.0.0.1:80 --now --now

# set
usage 'missing IP:PORT' set
usage 'missing weight N, weight-pct N or up|down|drain' set 10.0.0.1:80
usage 'unknown argument "draining"' set 10.0.0.1:80 draining
usage 'more than one state given (up, down, drain)' set 10.0.0.1:80 up down
usage 'invalid weight "1x" (expected 0-65535)' set 10.0.0.1:80 weight 1x

# service selectors: "service SEL" in add, remove, set, list, flush
sel='(expected VIP[:PORT][/tcp|/udp])'
usage "invalid service \"10.0.0.1:0/udp\" $sel" add 10.0.1.1:80 service 10.0.0.1:0/udp
usage "invalid service \"10.0.0.1:65536\" $sel" add 10.0.1.1:80 service 10.0.0.1:65536
usage "invalid service \"10.0.0.1:\" $sel" add 10.0.1.1:80 service 10.0.0.1:
usage "invalid service \"10.0.0.1/\" $sel" add 10.0.1.1:80 service 10.0.0.1/
usage "invalid service \"10.0.0.1/sctp\" $sel" remove 10.0.1.1:80 service 10.0.0.1/sctp
usage "invalid service \"10.0.0.1:20000/UDP\" $sel" remove 10.0.1.1:80 --now service 10.0.0.1:20000/UDP
usage "invalid service \"10.0.0.1/udp/tcp\" $sel" set 10.0.1.1:80 down service 10.0.0.1/udp/tcp
usage "invalid service \"10.0.0.1/udp:20000\" $sel" set 10.0.1.1:80 service 10.0.0.1/udp:20000 up
usage "invalid service \"10.0.0.300\" $sel" list service 10.0.0.300
usage "invalid service \":20000/udp\" $sel" list service :20000/udp
usage "invalid service \"udp\" $sel" flush service udp
usage "invalid service \"\" $sel" flush service ''
usage "invalid service \" 10.0.0.1\" $sel" flush service ' 10.0.0.1'
usage "invalid service \"10.0.0.1/udp?\" $sel" flush service '10.0.0.1/udp
'
usage 'missing value after "service"' add 10.0.1.1:80 service
usage 'missing value after "service"' list service
usage '"service" given twice' add 10.0.1.1:80 service 10.0.0.1 service 10.0.0.1
usage '"service" given twice' flush service 10.0.0.1/tcp service 10.0.0.1/udp
usage 'unknown argument "10.0.0.1:20000/udp"' list 10.0.0.1:20000/udp
# The endpoint comes first.
usage 'invalid address "service"' add service 10.0.0.1 10.0.1.1:80

# service
usage 'unknown service command "frob" (expected show, set or del)' service frob
usage 'unknown service command "rm" (expected show, set or del)' service rm 10.0.0.1
usage "invalid service \"x\" $sel" service show x
usage 'unknown argument "x"' service show 10.0.0.1 x
usage "invalid service \"10.0.0.1:0\" $sel" service show 10.0.0.1:0
usage 'missing service (VIP[:PORT][/tcp|/udp])' service del
usage 'missing service (VIP[:PORT][/tcp|/udp])' service delete
usage "invalid service \"10.0.0.1:20000/icmp\" $sel" service del 10.0.0.1:20000/icmp
usage "invalid service \"all\" $sel" service delete all
usage 'unknown argument "10.0.0.2"' service del 10.0.0.1 10.0.0.2
usage 'unknown argument "--now"' service del 10.0.0.1:20000/udp --now
usage 'service set: nothing to set' service set
usage 'unknown argument "address"' service set address 1.2.3.4
usage 'invalid address "1.2.3"' service set vip 1.2.3
usage 'invalid port "0" (expected 1-65535)' service set port 0
usage 'unknown protocol "sctp" (expected tcp or udp)' service set proto sctp
usage 'scheduler name "abcdefghijklmnop" too long (at most 15 characters)' \
	service set scheduler abcdefghijklmnop
usage 'invalid scheduler name "r r"' service set scheduler 'r r'
snat='(expected auto, or IP and IP-IP, comma-separated)'
usage "invalid snat \"none\" $snat" service set snat none
usage "invalid snat \"\" $snat" service set snat ''
usage "invalid snat \"AUTO\" $snat" service set snat AUTO
usage "invalid snat \"10.0.1.250-\" $snat" service set snat 10.0.1.250-
usage "invalid snat \"10.0.1.250-251\" $snat" service set snat 10.0.1.250-251
usage "invalid snat \"10.0.1.250,,10.0.1.251\" $snat" service set snat 10.0.1.250,,10.0.1.251
usage "invalid snat \"10.0.1.250,\" $snat" service set snat 10.0.1.250,
usage "invalid snat \"10.0.1.0/24\" $snat" service set snat 10.0.1.0/24
usage "invalid snat \"10.0.1.250, 10.0.1.251\" $snat" service set snat '10.0.1.250, 10.0.1.251'
usage 'invalid snat "10.0.1.253-10.0.1.250": a range ends below its start' \
	service set snat 10.0.1.253-10.0.1.250
usage 'invalid snat "10.0.1.1,10.0.2.9-10.0.2.1": a range ends below its start' \
	service set snat 10.0.1.1,10.0.2.9-10.0.2.1
usage 'invalid snat "10.0.1.0-10.0.1.64": more than 64 addresses' \
	service set snat 10.0.1.0-10.0.1.64
usage 'invalid snat "10.0.0.0-10.255.255.255": more than 64 addresses' \
	service set snat 10.0.0.0-10.255.255.255
usage 'invalid snat "10.0.1.250-10.0.1.253,10.0.1.251": an address is given twice' \
	service set snat 10.0.1.250-10.0.1.253,10.0.1.251
usage '"snat" given twice' service set snat auto snat 10.0.1.250
# A newline in the value must not break the one-line rule.
usage "invalid snat \"10.0.1.250?\" $snat" service set snat '10.0.1.250
'
usage 'missing value after "timeout"' service set timeout
kinds='(expected tcp, tcpfin, tcpclose, udp, udpunreplied or syn)'
usage "unknown timeout \"fin\" $kinds" service set timeout fin 10
usage "unknown timeout \"close\" $kinds" service set timeout close 3
usage "unknown timeout \"unreplied\" $kinds" service set timeout unreplied 30
usage "unknown timeout \"tcp_close\" $kinds" service set timeout tcp_close 3
usage "unknown timeout \"TCPCLOSE\" $kinds" service set timeout TCPCLOSE 3
usage 'missing value after "tcp"' service set timeout tcp
usage 'missing value after "tcpclose"' service set timeout tcpclose
usage 'missing value after "udpunreplied"' service set timeout udpunreplied
usage 'invalid timeout "10s" (expected seconds)' service set timeout tcp 10s
usage 'invalid timeout "-1" (expected seconds)' service set timeout tcpclose -1
usage 'invalid timeout "3.5" (expected seconds)' service set timeout tcpclose 3.5
usage 'invalid timeout "4294967296" (expected seconds)' service set timeout tcpclose 4294967296
usage 'invalid timeout "30s" (expected seconds)' service set timeout udpunreplied 30s
usage 'invalid timeout "" (expected seconds)' service set timeout udpunreplied ''
usage '"timeout udp" given twice' service set timeout udp 1 timeout udp 2
usage '"timeout tcpclose" given twice' service set timeout tcpclose 1 timeout tcpclose 2
usage '"timeout udpunreplied" given twice' service set timeout udpunreplied 1 timeout udpunreplied 2
usage 'invalid persistence "4294967296" (expected seconds)' service set persistence 4294967296
usage 'invalid client-addr "proxy" (expected none, proxy-v2, proxy-v1 or toa)' service set client-addr proxy
usage '"client-addr" given twice' service set client-addr toa client-addr none
peers='(expected none, or IP[,IP...])'
usage "invalid peers \"10.0.0.300\" $peers" service set peers 10.0.0.300
usage "invalid peers \"\" $peers" service set peers ''
usage "invalid peers \"auto\" $peers" service set peers auto
usage "invalid peers \"none,10.0.0.1\" $peers" service set peers none,10.0.0.1
usage 'invalid peers "10.0.0.1-10.0.0.17": more than 16 addresses' service set peers 10.0.0.1-10.0.0.17
usage 'invalid peers "10.0.0.1,10.0.0.1": an address is given twice' service set peers 10.0.0.1,10.0.0.1
usage 'invalid peers "10.0.0.2-10.0.0.1": a range ends below its start' service set peers 10.0.0.2-10.0.0.1
usage 'invalid peers "0.0.0.0": 0.0.0.0 or a multicast address' service set peers 0.0.0.0
usage 'invalid peers "10.0.0.1,224.0.0.5": 0.0.0.0 or a multicast address' service set peers 10.0.0.1,224.0.0.5
usage 'missing value after "peers"' service set peers
usage '"peers" given twice' service set peers none peers 10.0.0.1
usage '"vip" given twice' service set vip 1.2.3.4 vip 1.2.3.5

# IPv6: in brackets before a port; no zone index; one family per request.
nat64='(l4lb does no NAT64)'
usage 'invalid address "2001:db8::2:80" (expected [IPv6]:PORT)' add 2001:db8::2:80
usage 'invalid address "[2001:db8::2]" (expected [IPv6]:PORT)' add '[2001:db8::2]'
usage 'invalid address "[2001:db8::2]:0"' add '[2001:db8::2]:0'
usage 'invalid address "[2001:db8::2]80"' add '[2001:db8::2]80'
usage 'invalid address "[10.0.0.2]:80"' add '[10.0.0.2]:80'
usage 'invalid address "[2001:db8:::2]:80"' set '[2001:db8:::2]:80' up
usage 'invalid address "[fe80::2%eth0]:80" (a zone index is not supported)' \
	remove '[fe80::2%eth0]:80'
usage 'invalid address "fe80::1%eth0" (a zone index is not supported)' \
	service set vip fe80::1%eth0
usage 'invalid address "2001:db8::1::"' service set vip 2001:db8::1::
usage "backend [2001:db8::2]:80 is IPv6 but service 10.0.0.1:80/tcp is IPv4 $nat64" \
	add '[2001:db8::2]:80' service 10.0.0.1:80/tcp
usage "backend 10.0.0.2:80 is IPv4 but service [2001:db8::1]:80/tcp is IPv6 $nat64" \
	add 10.0.0.2:80 service '[2001:db8::1]:80/tcp'
usage "snat is IPv4 but vip 2001:db8::1 is IPv6 $nat64" \
	service set vip 2001:db8::1 snat 10.0.1.250
usage 'invalid snat "2001:db8::5,10.0.1.250": IPv4 and IPv6 addresses mixed' \
	service set snat 2001:db8::5,10.0.1.250
usage 'invalid snat "2001:db8::0-2001:db8::40": more than 64 addresses' \
	service set snat 2001:db8::0-2001:db8::40
usage 'invalid peers "2001:db8::11": peers are IPv4 addresses' \
	service set peers 2001:db8::11
usage "invalid service \"[2001:db8::1]:0/udp\" $sel" list service '[2001:db8::1]:0/udp'
usage "invalid service \"[2001:db8::1]443\" $sel" flush service '[2001:db8::1]443'
usage 'invalid service "fe80::1%eth0" (a zone index is not supported)' \
	service del fe80::1%eth0

# The iproute2-style forms: "backend add|del|set|show", "conn
# show|flush|count"; each is its earlier verb under another name.
usage 'unknown backend command "frob" (expected add, del, set or show)' backend frob
usage 'unknown backend command "remove" (expected add, del, set or show)' backend remove
usage 'unknown conn command "list" (expected show, flush or count)' conn list
same 'backend add' 'add'
same 'backend add 10.0.0.300:80' 'add 10.0.0.300:80'
same 'backend add 10.0.0.1:80 weight 65536' 'add 10.0.0.1:80 weight 65536'
same 'backend add 10.0.0.1:80 down' 'add 10.0.0.1:80 down'
same 'backend del' 'remove'
same 'backend del 10.0.0.1:80 --later' 'remove 10.0.0.1:80 --later'
same 'backend delete 10.0.0.1:80 --now --now' 'remove 10.0.0.1:80 --now --now'
same 'backend set 10.0.0.1:80' 'set 10.0.0.1:80'
same 'backend set 10.0.0.1:80 up down' 'set 10.0.0.1:80 up down'
same 'backend show extra' 'list extra'
same 'backend show service 10.0.0.300' 'list service 10.0.0.300'
same 'conn show -v' 'nat -v'
usage 'unknown conn command "-v" (expected show, flush or count)' conn -v
same 'conn flush all' 'flush all'
same 'conn flush service udp' 'flush service udp'
same 'conn count now' 'count now'
prints 'l4lbctl backend add IP:PORT \[weight N\] \[weight-pct N\] \[up|down|drain\] \[service SEL\]' help
prints 'l4lbctl conn flush \[service SEL\]' help
prints 'l4lbctl backend del IP:PORT \[--now\]' help backend
prints 'l4lbctl backend del IP:PORT \[--now\]' help backend delete
prints 'same as "backend del"' help remove
prints 'l4lbctl conn count' help conn count
usage 'unknown conn command "frob"' help conn frob
usage 'unknown argument "x"' help backend show x

# help
usage 'unknown command "frob"' help frob
usage 'unknown argument "set"' help add set
prints '^Usage: l4lbctl \[OPTIONS\] COMMAND' help
prints '^Usage: l4lbctl \[OPTIONS\] COMMAND' --help
prints '^Usage: l4lbctl \[OPTIONS\] COMMAND' -h
prints '^Usage: l4lbctl \[OPTIONS\] COMMAND' -j -h list
prints 'l4lbctl add IP:PORT \[weight N\]' help add
prints 'l4lbctl service set \[vip IP\]' help service
prints '\[snat auto|IP\[-IP\]\[,...\]\]' help service set
prints 'l4lbctl service del SEL' help service
prints 'l4lbctl add IP:PORT \[weight N\] \[weight-pct N\] \[up|down|drain\] \[service SEL\]' help add
prints 'l4lbctl flush \[service SEL\]' help
prints '^SEL names a virtual service: VIP\[:PORT\]\[/tcp|/udp\]' help
prints '^An IPv6 address is in brackets before a port: \[2001:db8::2\]:80' help
prints 'l4lb generic netlink version 2)$' -V
prints '^l4lbctl [0-9]' -V
prints '^l4lbctl [0-9]' --version

# Without the module, a well-formed command fails with exit 3. Skipped where
# the module is loaded (then the kernel answers instead).
nomod='l4lb module not loaded (generic netlink family "l4lb" not found)'
# save and restore: the file is checked whole, before any netlink traffic,
# and a bad line is named as FILE:LINE.
conf=$tmp/l4lb.conf
printf '%s\n' '# web' 'service set vip 10.0.0.1 port 80 proto tcp' \
	'backend add 10.0.0.2:80 weight 3 down service 10.0.0.1:80/tcp' \
	'backend add 10.0.0.3:80 weight x service 10.0.0.1:80/tcp' >"$conf"
usage "$conf:4: invalid weight \"x\" (expected 0-65535)" restore "$conf"
usage "$conf:4: invalid weight \"x\" (expected 0-65535)" -f "$conf"
usage "$conf:4: invalid weight \"x\" (expected 0-65535)" restore --replace -f "$conf"
printf '%s\n' 'service set vip 10.0.0.1 port 80 proto tcp' \
	'backend add 10.0.0.2:80 weight-pct 50 service 10.0.0.1:80/tcp' \
	'backend add 10.0.0.3:80 weight-pct 300 service 10.0.0.1:80/tcp' >"$conf"
usage "$conf:3: invalid weight-pct \"300\" (expected 0-256)" restore "$conf"
printf 'service set vip 10.0.0.1 port 80 proto tcp scheduler a/b\n' >"$conf"
usage "$conf:1: invalid scheduler name \"a/b\"" restore "$conf"
printf '\n\nfrob\n' >"$conf"
usage "$conf:3: unknown command \"frob\" (expected \"service set\" or \"backend add\")" restore "$conf"
printf 'backend del 10.0.0.2:80\n' >"$conf"
usage "$conf:1: \"backend del\" is not a configuration line (expected \"service set\" or \"backend add\")" restore "$conf"
usage "$tmp/none: No such file or directory" restore "$tmp/none"
usage 'missing FILE' restore
usage 'missing FILE' restore --replace
usage 'missing value after "-f"' -f
usage 'missing value after "-f"' restore -f
usage 'unknown argument "b"' -f a b
usage 'unknown argument "b"' restore a b
usage '"--replace" given twice' restore --replace --replace a
usage 'unknown argument "x"' save x
prints 'l4lbctl restore \[--replace\] \[-f\] FILE' help
prints 'l4lbctl save' help save
prints 'l4lbctl monitor \[-j\]' help monitor

if [ -d /sys/module/l4lb ]; then
	printf '[  SKIPPED ] exit 3 tests: the l4lb module is loaded\n'
else
	error 3 "$nomod" list
	error 3 "$nomod" -j list
	error 3 "$nomod" -j nat
	error 3 "$nomod" count
	error 3 "$nomod" -j stats
	error 3 "$nomod" stats --prometheus
	# Nothing is written when the kernel cannot be read.
	mkdir "$tmp/prom"
	error 3 "$nomod" stats --prometheus -o "$tmp/prom/l4lb.prom"
	if [ -z "$(ls -A "$tmp/prom")" ]; then
		ok "stats --prometheus -o: no file without the module"
	else
		ko "stats --prometheus -o: no file without the module" \
			"$(ls -A "$tmp/prom")"
	fi
	error 3 "$nomod" service
	error 3 "$nomod" -j service show
	error 3 "$nomod" service show 10.0.0.1:20000/udp
	error 3 "$nomod" service del 10.0.0.1:20000/udp
	error 3 "$nomod" service delete 10.0.0.1
	error 3 "$nomod" list service 10.0.0.1/udp
	error 3 "$nomod" add 10.0.2.1:80 service 10.0.0.1:20000/tcp weight 2
	error 3 "$nomod" flush service 10.0.0.1:20000
	error 3 "$nomod" service set vip 192.0.2.1 port 80 proto tcp \
		scheduler rr snat auto timeout tcp 900 timeout tcpfin 10 \
		timeout tcpclose 3 timeout udp 300 timeout udpunreplied 30 \
		timeout syn 5 persistence 0
	error 3 "$nomod" service set snat 10.0.1.250-10.0.1.253,10.0.2.9
	error 3 "$nomod" service set vip 192.0.2.1 snat 10.0.1.0-10.0.1.63
	error 3 "$nomod" add 10.0.0.2:80 weight 0
	error 3 "$nomod" remove 10.0.0.2:80 --now
	error 3 "$nomod" set 10.0.0.2:80 weight 65535 drain
	error 3 "$nomod" flush
	error 3 "$nomod" -- flush
	error 3 "$nomod" add '[2001:db8:1::2]:8080' service '[2001:db8::10]:443/tcp'
	error 3 "$nomod" service set vip 2001:db8::10 port 443 snat 2001:db8:1::5
	error 3 "$nomod" service del 2001:db8::10/tcp
	same 'backend show' 'list'
	same 'backend' 'list'
	same '-j backend show service 10.0.0.1/udp' '-j list service 10.0.0.1/udp'
	same 'backend add 10.0.2.1:80 service 10.0.0.1:20000/tcp weight 2' \
		'add 10.0.2.1:80 service 10.0.0.1:20000/tcp weight 2'
	same 'backend del 10.0.0.2:80 --now' 'remove 10.0.0.2:80 --now'
	same 'backend delete 10.0.0.2:80' 'remove 10.0.0.2:80'
	same 'backend set 10.0.0.2:80 weight 65535 drain' \
		'set 10.0.0.2:80 weight 65535 drain'
	same 'conn show' 'nat'
	same '-j conn' '-j nat'
	same 'conn count' 'count'
	same '-j conn count' '-j count'
	same 'conn flush' 'flush'
	same 'conn flush service 10.0.0.1:20000' 'flush service 10.0.0.1:20000'
	# A good file reaches the kernel: the module is missing.
	printf '%s\n' 'service set vip 10.0.0.1 port 80 proto tcp' \
		'backend add 10.0.0.2:80 drain service 10.0.0.1:80/tcp' >"$conf"
	error 3 "$nomod" restore "$conf"
	error 3 "$nomod" save
	error 3 "$nomod" monitor
	error 3 "$nomod" -j monitor
	error 3 "$nomod" monitor -j
fi

summary 'cli'
