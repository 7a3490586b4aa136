#!/bin/sh
# ctl_nlbad: malformed netlink requests get an errno and change nothing.
#
# l4lbctl never sends a malformed request, so tests/apps/nlbad builds them
# by hand (see nlbad.c for what each case breaks). Each one goes to the
# "l4lb" family with NLM_F_ACK on a socket with NETLINK_EXT_ACK and
# NETLINK_CAP_ACK, and must be answered with its errno and its extended ACK
# message (NLMSGERR_ATTR_MSG): from genetlink's header check, from the
# attribute policies (lib/nlattr.c, strict validation) or from l4lb's own
# checks. Each request would change the reference service if it got
# through, so after each one `l4lbctl -j service`, `l4lbctl -j list` and
# `l4lbctl count` must read as before.
#
# Three answers come from the genetlink core before the family's code runs,
# and the 6.1 core gives them no message: an unknown command and
# L4LB_CMD_EVENT, a notification sent as a request (EOPNOTSUPP), and a
# message shorter than the genetlink header (EINVAL). Their message
# is asserted empty, which is what the kernel does; a later kernel that
# adds one makes these three fail, on purpose, so the expectation is updated.
#
# A control case, "valid", sends a well-formed STATS_GET built the same
# way and must be accepted. Then nlbad runs all cases in one go, the
# module must still answer (`l4lbctl stats`) and unload, and the kernel log
# must be clean (the 2-byte VIP makes lib/nlattr.c log "attribute type 3
# has an invalid length", a ratelimited warning, not a splat).
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 45
require_l4lbctl

# _snap FILE: the state no bad request may change.
_snap() {
	{
		l4lbctl -j service
		l4lbctl -j list
		l4lbctl count
	} >"$1" 2>&1
}

# _case NAME ERRNO MSG WHY: `nlbad NAME` prints the one line
# 'case NAME errno ERRNO msg "MSG"' and nothing on stderr, exits 0, and
# the snapshot is unchanged. WHY names the rule, for the description.
_case() {
	_want="case $1 errno $2 msg \"$3\""
	_desc="$1 ($4): errno $2, \"$3\""
	echo "$_want" >>/tmp/nlbad.want
	step "nlbad $1"
	_ctl nlbad "$1"
	_why=
	[ "$CTL_RC" = 0 ] || _why="$_why exit $CTL_RC;"
	[ -s "$CTL_ERR" ] && _why="$_why stderr not empty;"
	[ "$(cat "$CTL_OUT")" = "$_want" ] || _why="$_why other answer;"
	_snap /tmp/nlbad.snap1
	cmp -s /tmp/nlbad.snap0 /tmp/nlbad.snap1 || _why="$_why state changed;"
	if [ -z "$_why" ]; then
		ok "$_desc"
		diag "$(cat "$CTL_OUT")"
	else
		fail "$_desc" "wrong:$_why" "want: $_want"
		_ctl_show
		if ! cmp -s /tmp/nlbad.snap0 /tmp/nlbad.snap1; then
			diag "before:"; sed 's/^/#   /' /tmp/nlbad.snap0
			diag "after:"; sed 's/^/#   /' /tmp/nlbad.snap1
			cp /tmp/nlbad.snap1 /tmp/nlbad.snap0	# report each change once
		fi
	fi
}

step "l4lb up"
topo_up || die "topology up"
kmsg_mark "ctl_nlbad"
load_l4lb || die "l4lb up with the reference service"
ok "l4lb up with the reference service"
_snap /tmp/nlbad.snap0
cp /tmp/nlbad.snap0 /tmp/nlbad.first
diag "state before the bad requests:"
sed 's/^/#   /' /tmp/nlbad.snap0
: >/tmp/nlbad.want

# errno values of x86-64 Linux: E2BIG 7, EINVAL 22, EPROTONOSUPPORT 93,
# EOPNOTSUPP 95, EAFNOSUPPORT 97, EADDRNOTAVAIL 99. Order: nlbad's own
# (nlbad.c's table).
_case valid 0 "" "control: well-formed STATS_GET"
_case reserved 22 "genlmsghdr.reserved field is not 0" "reserved header byte 1"
_case unknown_cmd 95 "" "command 200, no message from the genetlink core"
_case unknown_attr 22 "Unknown attribute type" "top-level attribute 99"
_case short_vip 22 "invalid attribute length" "2-byte VIP in the service nest"
_case bad_proto 93 "protocol must be TCP or UDP" "selector protocol 47"
_case zero_port 22 "port must be 1-65535" "selector port 0"
_case reply_only 22 "Attribute failed policy validation" "reply-only ACTIVE_CONNS"
_case long_sched 22 "Attribute failed policy validation" "40-byte scheduler name"
_case unterminated_sched 22 "Attribute failed policy validation" "scheduler without NUL"
_case bad_flags 22 "reserved bit set" "flag 0x80"
_case missing_backend 22 "missing backend attributes" "BACKEND_ADD without backend"
_case af6 22 "VIP is IPv4: an AF_INET6 service has VIP6" \
	"AF_INET6 with the reference service's IPv4 VIP"
_case trunc 22 "" "nlmsg_len short of the genetlink header, no message"
# The 6.1 kernel cannot format the address into the message; from 6.2
# l4lb says "SNAT address 10.9.9.9 is not local".
_case snat_twice 22 "SNAT address given twice" "10.0.1.254 twice in a SNAT pool"
_case snat_too_many 7 "SNAT pool has more than 64 addresses" "65 SNAT addresses"
_case snat_not_local 99 "SNAT address is not local" "10.9.9.9 in a SNAT pool"
_case snat_both 22 "give the SNAT pool or one SNAT address, not both" \
	"SNAT_ADDR and SNAT_POOL"
_case snat_reply_only 22 "Attribute failed policy validation" \
	"PORTS_IN_USE in a request's SNAT pool"
# ERANGE 34: the policy's range check of the weight percentage (0-256).
_case weight_pct_range 34 "integer out of range" "WEIGHT_PCT 257"
_case weight_eff_reply_only 22 "Attribute failed policy validation" \
	"reply-only WEIGHT_EFF"
_case event_attr 22 "Attribute failed policy validation" \
	"L4LB_ATTR_EVENT, notifications only, in a BACKEND_ADD"
_case event_cmd 95 "" "L4LB_CMD_EVENT as a request, no message from the core"
_case peers_twice 22 "peer given twice" "10.9.0.1 twice among the peers"
_case peers_too_many 7 "more than 16 peers" "17 peers"
_case peers_multicast 22 "a peer must be a unicast address" "224.0.0.1 as a peer"
# IPv6 (issue #18): a family of neither kind, malformed or unscoped
# addresses, and addresses of the other family than the service's. The
# v6_* cases would each create the service [2001:db8::1]:20000/tcp.
_case af_unix 97 "address family must be AF_INET or AF_INET6" "AF_UNIX"
# ERANGE 34: the policy's exact length of a struct in6_addr.
_case vip6_short 34 "binary attribute size out of range" "15-byte VIP6"
_case vip6_af4 22 "VIP6 is IPv6: an AF_INET service has VIP" \
	"AF_INET with a VIP6"
_case vip6_linklocal 22 "link-local address needs a scope; not supported" \
	"fe80::1 as a VIP"
_case vip6_mapped 22 \
	"VIP cannot be a v4-mapped address: use an AF_INET service" \
	"::ffff:10.0.0.1 as a VIP"
_case v6_snat4 22 "SNAT address is IPv4: an AF_INET6 service has IPv6 ones" \
	"an IPv4 SNAT address in an IPv6 service's pool"
_case v6_snat_not_local 99 "SNAT address is not local" \
	"2001:db8:9::9 in a SNAT pool"
_case v6_peers 97 "an IPv6 service cannot have peers yet" \
	"peers on an IPv6 service"
_case v6_toa 22 "toa has no IPv6 form; use proxy-v1 or proxy-v2" \
	"client-addr toa on an IPv6 service"
_case snat6_on_v4 22 \
	"SNAT address is IPv6: an AF_INET service has IPv4 ones" \
	"an IPv6 SNAT address in the reference service's pool"
_case be6_on_v4 22 "backend is IPv6: an AF_INET service has IPv4 backends" \
	"an IPv6 backend added to the reference service"
_case be_af_mismatch 22 "backend address is IPv4: AF_INET6 needs ADDR6" \
	"BE_ATTR_AF AF_INET6 with an IPv4 ADDR"
_case be6_linklocal 22 "link-local address needs a scope; not supported" \
	"fe80::9 as a backend"

step "all cases in one run"
_ctl nlbad
if [ "$CTL_RC" = 0 ] && ! [ -s "$CTL_ERR" ] && cmp -s /tmp/nlbad.want "$CTL_OUT"; then
	ok "nlbad without arguments gives the same answers, in order"
else
	fail "nlbad without arguments gives the same answers, in order"
	_ctl_show
	diag "want:"; sed 's/^/#   /' /tmp/nlbad.want
fi

step "nothing changed"
_snap /tmp/nlbad.snap1
expect_eq "service, list and count are as before all the bad requests" \
	"$(cat /tmp/nlbad.first)" "$(cat /tmp/nlbad.snap1)"
_ctl_ok "the module still answers: l4lbctl stats" l4lbctl stats
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_nlbad"
