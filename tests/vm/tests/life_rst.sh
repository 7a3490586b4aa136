#!/bin/sh
# life_rst: a RST ends a connection only if its sequence number is in the
# receiver's window.
#
# Each backend sends 5 MB, paced over about 5 s, to a client that connects
# from port 40000 (then 40001). While it flows, tests/apps/rstinject, in
# the client's namespace, sees one of the client's segments and forges a
# RST with the client's tuple:
#   - first 2^30 beyond the client's sequence number, as an off-path
#     attacker who guessed only the tuple would: the transfer must arrive
#     whole, the row stays, and stats count it in rst_ignored;
#   - then exactly at the client's sequence number: the backend's socket
#     is reset, the row goes to CLOSE and the transfer ends short.
# With the default timeout_tcp_close (3 s), a row that the spoofed RST
# had closed would be gone 3 s later, mid-transfer.
. /vm/lib/common.sh
plan 8
require_l4lbctl

SIZE=5000000

# _transfer SPORT OFFSET: fetch from the VIP from SPORT and, once it flows,
# forge a RST at OFFSET. /tmp/rst.row gets the row a second later, and
# /tmp/rst.n the bytes received.
_transfer() {
	rm -f /tmp/rst.got
	n cli timeout 60 socat -u -t 10 \
		"TCP:$VIP:$VPORT,sourceport=$1,connect-timeout=10" \
		CREATE:/tmp/rst.got 2>/tmp/rst.err &
	_pid=$!
	wait_for 10 '[ -s /tmp/rst.got ]'
	n cli rstinject -o "$2" 10.0.0.2 "$1" "$VIP" "$VPORT" >/tmp/rst.inj 2>&1
	sleep 1
	nat_rows | grep "10.0.0.2:$1 " >/tmp/rst.row || true
	wait "$_pid"
	wc -c </tmp/rst.got | tr -d ' ' >/tmp/rst.n
	diag_file /tmp/rst.inj
	diag_file /tmp/rst.row
}

step "topology"
topo_up || die "topology up"
kmsg_mark "life_rst"
lb_up || die "l4lb up"
ok "l4lb up with the reference service"
# Every backend sends 5,000,000 bytes, 100 KB every 0.1 s.
serve_fork rst 'i=0; while [ $i -lt 50 ]; do head -c 100000 /dev/zero; sleep 0.1; i=$((i + 1)); done'

step "a RST outside the window"
_transfer 40000 1073741824
got=$(cat /tmp/rst.n)
expect_eq "the row is still ESTABLISHED after the forged RST" "ESTABLISHED" \
	"$(awk '{ print $6 }' /tmp/rst.row)"
expect_eq "the transfer arrives whole: $SIZE bytes" "$SIZE" "$got"
ign=$(l4lbctl -j stats | jq -r '.rst_ignored')
check "stats count the RST in rst_ignored ($ign)" [ "${ign:-0}" -ge 1 ]

step "a RST in the window"
_transfer 40001 0
got=$(cat /tmp/rst.n)
expect_eq "the row is in CLOSE after the RST" "CLOSE" \
	"$(awk '{ print $6 }' /tmp/rst.row)"
check "the transfer ends short ($got of $SIZE bytes)" [ "$got" -lt "$SIZE" ]

if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "life_rst"
