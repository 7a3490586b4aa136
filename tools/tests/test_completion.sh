#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_completion.sh - the bash completion of l4lbctl: source it, set
# COMP_WORDS as bash would, and check COMPREPLY. The running system's
# services and backends come from a fake l4lbctl that prints a "save";
# a second fake fails as l4lbctl does without the module.
#
# usage: tests/test_completion.sh PATH/TO/l4lbctl.bash

COMPLETION=${1:?usage: $0 PATH/TO/l4lbctl.bash}
# shellcheck source=/dev/null
. "$COMPLETION"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/l4lbctl" <<'EOS'
#!/bin/sh
[ "$1" = save ] || exit 2
cat <<'EOC'
# l4lb configuration, written by "l4lbctl save";

service set vip 10.0.0.1 port 80 proto tcp scheduler wrr snat auto
backend add 10.0.0.2:80 weight 3 service 10.0.0.1:80/tcp
backend add 10.0.0.3:80 weight 1 down service 10.0.0.1:80/tcp

service set vip 10.0.0.1 port 53 proto udp scheduler rr
backend add 10.0.0.2:80 weight 1 service 10.0.0.1:53/udp
EOC
EOS
# An IPv6 service: its key and backends in brackets, as l4lbctl reads them.
cat >"$tmp/ctl6" <<'EOS'
#!/bin/sh
[ "$1" = save ] || exit 2
cat <<'EOC'
service set vip 2001:db8::10 port 443 proto tcp scheduler mh snat auto
backend add [2001:db8:1::2]:8080 weight 1 service [2001:db8::10]:443/tcp
EOC
EOS
printf '#!/bin/sh\necho "l4lbctl: l4lb module not loaded" >&2\nexit 3\n' \
	>"$tmp/nomod"
chmod +x "$tmp/l4lbctl" "$tmp/ctl6" "$tmp/nomod"

pass=0
fail=0

# expect 'WANT' PROG WORDS...: complete the last word of "PROG WORDS..."
# (empty: a new word) and expect COMPREPLY, sorted, joined by blanks.
expect() {
	local want=$1 got name
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_l4lbctl 2>"$tmp/err"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	name="complete '${*:2}'"
	if [ "$got" != "$want" ]; then
		fail=$((fail + 1))
		printf "[  FAILED  ] %s: got '%s', expected '%s'\n" "$name" "$got" "$want"
	elif [ -s "$tmp/err" ]; then
		fail=$((fail + 1))
		printf '[  FAILED  ] %s: stderr not empty\n' "$name"
	else
		pass=$((pass + 1))
		printf '[       OK ] %s\n' "$name"
	fi
}

P=$tmp/l4lbctl
expect 'backend' "$P" ba
expect 'save service set stats' "$P" s
expect '--file --help --json --version -V -f -h -j' "$P" -
expect 'service' "$P" -j serv
expect 'monitor' "$P" mon
expect '--json -j' "$P" monitor ''
expect '' "$P" monitor -j ''
expect 'monitor' "$P" help mo
expect 'add del set show' "$P" backend ''
expect 'count flush show' "$P" conn ''
expect 'del set show' "$P" -j service ''
expect 'tcp udp' "$P" service set vip 10.0.0.1 proto ''
expect 'scheduler' "$P" service set proto tcp sch
expect 'lc mh rr wlc wrr' "$P" service set scheduler ''
expect 'tcp tcpclose tcpfin' "$P" service set timeout tcp
expect '' "$P" service set timeout tcp ''
expect 'none proxy-v1 proxy-v2 toa' "$P" service set client-addr ''
expect 'peers persistence port proto' "$P" service set vip 10.0.0.1 p
expect 'none' "$P" service set peers ''
expect '' "$P" service set vip ''
# The running system's services and backends.
expect '10.0.0.1:53/udp 10.0.0.1:80/tcp' "$P" service del ''
expect '10.0.0.1:80/tcp' "$P" service show 10.0.0.1:8
expect '10.0.0.2:80 10.0.0.3:80' "$P" backend set ''
expect '10.0.0.2:80 10.0.0.3:80' "$P" remove ''
expect 'down drain' "$P" set 10.0.0.2:80 d
expect '--now service' "$P" backend del 10.0.0.2:80 ''
expect '10.0.0.1:53/udp 10.0.0.1:80/tcp' "$P" add 10.0.0.9:80 weight 2 service ''
expect 'service' "$P" list ''
expect '--replace -f' "$P" restore -
expect '--prometheus' "$P" stats ''
expect '--prometheus' "$P" -j stats --p
expect '-o' "$P" stats --prometheus ''
expect "$tmp/l4lbctl" "$P" stats --prometheus -o "$tmp/l4"
expect '' "$P" stats --prometheus -o /tmp/l4lb.prom ''
# IPv6: bracketed before a port.
P6=$tmp/ctl6
expect '[2001:db8::10]:443/tcp' "$P6" service del ''
expect '[2001:db8::10]:443/tcp' "$P6" add '[2001:db8:1::3]:80' service ''
expect '[2001:db8:1::2]:8080' "$P6" backend del ''
# Without the module: nothing, and nothing on stderr.
N=$tmp/nomod
expect '' "$N" backend set ''
expect '' "$N" service del ''
expect '' "$N" add 10.0.0.9:80 service ''
expect 'weight weight-pct' "$N" add 10.0.0.9:80 w
expect 'weight-pct' "$P" set 10.0.0.2:80 weight-
expect '' "$P" backend set 10.0.0.2:80 weight-pct ''

printf '[==========] completion: %d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
