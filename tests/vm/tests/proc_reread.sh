#!/bin/sh
# proc_reread: /proc/l4lb/nat, read again on the same descriptor after
# lseek(0), shows the whole table, however it grew in between.
#
# A UDP service; flood makes 1,000 rows. tests/apps/reread reads the file
# to its end, waits while flood adds 1,000 more rows, seeks back to 0 and
# reads again: the second read must have the header, 2,000 rows and the
# length line. The seq_file iterator once kept where its first read had
# found the end across the seek, and the second read stopped there
# (about 1,030 lines).
. /vm/lib/common.sh
plan 7
require_l4lb

step "topology"
topo_up || die "topology up"
kmsg_mark "proc_reread"
if udp_lb_up; then
	ok "l4lb up with a UDP service"
else
	die "l4lb up with a UDP service"
fi

# _fill FIRST_ADDR ROWS: 10 sources from FIRST_ADDR x 100 ports, sent again
# until the table has ROWS rows (a busy host may drop datagrams).
_fill() {
	_round=0
	while [ "$_round" -lt 3 ]; do
		n cli flood -p udp -a 10 -P 100 -b "$1" -r 5000 "$VIP" "$VPORT" >/dev/null
		wait_nat_len "$2" 10 && return 0
		_round=$((_round + 1))
	done
	return 1
}

step "1,000 rows"
if _fill 10.0.0.10 1000; then ok "NAT table length reaches 1000"
else fail "NAT table length reaches 1000" "length: $(nat_len)"; fi

step "read, grow to 2,000 rows, lseek(0), read again"
rm -f /tmp/go
reread /proc/l4lb/nat /tmp/go >/tmp/rr.out 2>&1 &
rr=$!
wait_for 10 'grep -q "^first " /tmp/rr.out'
if _fill 10.0.0.30 2000; then ok "NAT table length reaches 2000"
else fail "NAT table length reaches 2000" "length: $(nat_len)"; fi
touch /tmp/go
wait "$rr"
diag_file /tmp/rr.out
expect_eq "first read: the header, 1,000 rows and the length line" \
	"first 1002" "$(grep '^first ' /tmp/rr.out)"
expect_eq "second read, after lseek(0): the header, 2,000 rows and the length line" \
	"second 2002" "$(grep '^second ' /tmp/rr.out)"

if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "proc_reread"
