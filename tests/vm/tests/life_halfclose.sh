#!/bin/sh
# life_halfclose: a half-closed connection keeps its row while the server
# thinks.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (default timeouts)
#
# Each backend runs a socat server (fork) that reads a request to EOF, waits
# 10 s, answers "answer beK" and closes. 20 clients connect; then each
# sends one line and shuts down its sending side (socat -t 20: at stdin's
# EOF it waits up to 20 s for the answer). Their rows are half-closed
# (FIN_WAIT) for those 10 s: timeout_tcp_fin (120 s) must cover it, so all
# 20 answers arrive; then both sides have closed and the table drains
# within seconds (timeout_tcp_close, 3 s). (With the old timeout_tcp_fin=2
# linger the rows went 2 s after the client's FIN; the answers were lost.)
#
# Two rounds: the module loaded with no timeout parameters at all, then
# with the reference service's parameters ($L4LB_ARGS).
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 10
require_l4lbctl

N=20
WAIT=10

# _round DESC INSMOD-ARGS...: l4lb up with ARGS, N half-closing clients,
# their answers, the table drained. Four assertions.
_round() {
	_rd=$1
	shift
	step "$_rd: l4lb up"
	if load_l4lb "$@"; then ok "$_rd: l4lb up"
	else die "$_rd: l4lb up"; fi

	step "$_rd: $N clients connect"
	_i=1
	while [ $_i -le $N ]; do
		rm -f "/tmp/hc.$_i.out"
		bg_held "hc$_i" "/tmp/hc.$_i.out" cli socat -t 20 - "TCP:$VIP:$VPORT"
		_i=$((_i + 1))
	done
	wait_for 30 '[ "$(_life_count ESTABLISHED)" = $N ]' ||
		diag "$_rd: only $(_life_count ESTABLISHED) of $N rows ESTABLISHED"

	step "$_rd: each client sends a request and half-closes"
	_i=1
	while [ $_i -le $N ]; do
		echo "request $_i" 1<>"/tmp/hc$_i.in"
		read -r _h <"/tmp/hc$_i.holder"
		kill "$_h"	# stdin EOF: socat shuts down its sending side
		_i=$((_i + 1))
	done
	# The servers answer WAIT s after each client's FIN: meanwhile every
	# row is half-closed, with timeout_tcp_fin's 120 s.
	if wait_for 8 '[ "$(_life_count FIN_WAIT)" = $N ]'; then
		_emin=$(awk '$6 == "FIN_WAIT" { if (m == "" || $7 < m) m = $7 } END { print m + 0 }' /proc/l4lb/nat)
		if [ "$_emin" -ge 100 ]; then
			ok "$_rd: $N rows half-closed (FIN_WAIT), expiring in $_emin s or more"
		else
			fail "$_rd: $N rows half-closed (FIN_WAIT), expiring in 100 s or more" \
				"shortest expiry: $_emin s"; nat_show
		fi
	else
		fail "$_rd: $N rows half-closed (FIN_WAIT)" \
			"FIN_WAIT rows: $(_life_count FIN_WAIT)"; nat_show
	fi
	nat_show "$_rd: half-closed" | head -n 6

	step "$_rd: the answers"
	_i=1
	while [ $_i -le $N ]; do
		read -r _p <"/tmp/hc$_i.pid"
		wait_exit 40 "$_p" >/dev/null
		_i=$((_i + 1))
	done
	_got=0
	_i=1
	while [ $_i -le $N ]; do
		grep -q '^answer be[123]$' "/tmp/hc.$_i.out" && _got=$((_got + 1))
		_i=$((_i + 1))
	done
	if [ "$_got" = $N ]; then
		ok "$_rd: all $N answers arrived ${WAIT} s after the half-close"
	else
		fail "$_rd: all $N answers arrived ${WAIT} s after the half-close" \
			"only $_got"
		diag_file /tmp/hc.1.out 3
	fi

	step "$_rd: the table drains"
	if wait_nat_len 0 10; then ok "$_rd: both sides closed: the table drains to 0"
	else fail "$_rd: both sides closed: the table drains to 0" "length: $(nat_len)"; nat_show; fi
	diag "$_rd: stats: $(_life_stats)"
	unload_l4lb || die "$_rd: rmmod l4lb"
}

topo_up || die "topology up"
kmsg_mark "life_halfclose"

step "servers: read to EOF, answer $WAIT s later"
_k=1
for _port in $BE_PORTS; do
	# -t 30: after the client's FIN, wait for the answer (socat's
	# default is 0.5 s).
	bg "/tmp/be$_k.log" "be$_k" env "BE=be$_k" socat -t 30 \
		"TCP-LISTEN:$_port,reuseaddr,fork,backlog=64" \
		SYSTEM:"cat >/dev/null; sleep $WAIT; echo answer \$BE"
	_k=$((_k + 1))
done
if backends_listen; then ok "servers listen on be1, be2, be3"
else die "servers listen on be1, be2, be3"; fi

_round "default timeouts" vip="$VIP" port="$VPORT" backends="$BACKENDS"
# shellcheck disable=SC2086 # the parameters, one word each
_round "reference service" $L4LB_ARGS

bg_kill_all
kernel_clean_since "life_halfclose"
