#!/bin/sh
# badparams: insmod with a bad parameter fails with EINVAL, says why in the
# kernel log (a line starting "l4lb: " naming the parameter and the bad
# text), and leaves no module behind; IPv6 ones too (issue #18): malformed,
# link-local, or of the other family than vip=. Then the good parameters
# still load, IPv6 ones too, and so do none at all: without vip= the
# module starts with no service, for "l4lbctl restore" to fill
# (l4lb.service).
. /vm/lib/common.sh
plan 58
require_l4lb

GOOD_VIP="vip=$VIP"
GOOD_PORT="port=$VPORT"
GOOD_BE="backends=$BACKENDS"
# An IPv6 first service (issue #18): no traffic, so any addresses do.
GOOD_VIP6="vip=2001:db8::1"
GOOD_BE6="backends=[2001:db8:1::1]:10000,[2001:db8:2::1]:10001"

# bad_case WHAT PARAM BADTEXT ARGS...: 3 assertions.
bad_case() {
	_what=$1 _param=$2 _bad=$3
	shift 3
	step "insmod with $_what"
	kmsg_mark "badparams $_what"
	load_l4lb "$@" 2>/tmp/insmod.err
	_rc=$?
	if [ "$_rc" != 0 ] && grep -q "Invalid argument" /tmp/insmod.err; then
		ok "$_what: insmod fails with EINVAL"
	else
		fail "$_what: insmod fails with EINVAL" "insmod exit $_rc"
		diag_file /tmp/insmod.err
	fi
	dmesg_since "badparams $_what" | grep 'l4lb: ' >/tmp/klog
	if grep -F -- "$_param" /tmp/klog | grep -qF -- "$_bad"; then
		ok "$_what: kernel log names $_param and '$_bad'"
		sed 's/^/#   /' /tmp/klog
	else
		fail "$_what: kernel log names $_param and '$_bad'" "l4lb lines in the kernel log:"
		diag_file /tmp/klog
	fi
	if ! lsmod | grep -q '^l4lb ' && [ ! -e /sys/module/l4lb ]; then
		ok "$_what: no l4lb module is loaded"
	else
		fail "$_what: no l4lb module is loaded"
		lsmod | sed 's/^/#   /'
		rmmod l4lb 2>/dev/null
	fi
}

kmsg_mark "badparams"
bad_case "bad vip" vip 10.0.0 vip=10.0.0 "$GOOD_PORT" "$GOOD_BE"
bad_case "backend without port" backends 10.0.1.1 "$GOOD_VIP" "$GOOD_PORT" backends=10.0.1.1
bad_case "backend port 99999" backends 10.0.1.1:99999 "$GOOD_VIP" "$GOOD_PORT" backends=10.0.1.1:99999
bad_case "port 0" port 0 "$GOOD_VIP" port=0 "$GOOD_BE"
bad_case "snat_ip reversed range" snat_ip 10.0.1.250-10.0.1.240 \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" snat_ip=10.0.1.250-10.0.1.240
bad_case "snat_ip of 65 addresses" snat_ip 10.0.1.0-10.0.1.64 \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" snat_ip=10.0.1.0-10.0.1.64
bad_case "snat_ip not local" snat_ip 10.9.9.9 \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" snat_ip=10.9.9.9
bad_case "svc_max 0" svc_max=0 "must be 1-" \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" svc_max=0
bad_case "backends without vip" vip= "backends=" "$GOOD_PORT" "$GOOD_BE"
bad_case "backend_max 16777217" backend_max=16777217 "must be 1-" \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" backend_max=16777217
# IPv6: malformed, unscoped (link-local) and mixed-family parameters.
bad_case "malformed IPv6 vip" vip 2001:db8::g vip=2001:db8::g "$GOOD_PORT"
bad_case "link-local vip" vip "link-local address needs a scope" \
	vip=fe80::1 "$GOOD_PORT"
bad_case "IPv4 backends of an IPv6 vip" backends "entry 1 is IPv4" \
	"$GOOD_VIP6" "$GOOD_PORT" "$GOOD_BE"
bad_case "IPv6 backend without brackets" backends 2001:db8:1::1:10000 \
	"$GOOD_VIP6" "$GOOD_PORT" backends=2001:db8:1::1:10000
bad_case "link-local backend" backends "link-local address needs a scope" \
	"$GOOD_VIP6" "$GOOD_PORT" "backends=[fe80::1]:10000"
bad_case "IPv6 snat_ip of an IPv4 vip" snat_ip 2001:db8::5 \
	"$GOOD_VIP" "$GOOD_PORT" "$GOOD_BE" snat_ip=2001:db8::5
bad_case "IPv6 snat_ip not local" snat_ip "2001:db8:9::9 is not a local" \
	"$GOOD_VIP6" "$GOOD_PORT" "$GOOD_BE6" snat_ip=2001:db8:9::9
bad_case "toa on an IPv6 vip" client_addr "toa has no IPv6 form" \
	"$GOOD_VIP6" "$GOOD_PORT" "$GOOD_BE6" client_addr=toa

step "the good parameters load"
if load_l4lb && l4lb_loaded && unload_l4lb; then
	ok "insmod with good parameters works, then rmmod"
else
	fail "insmod with good parameters works, then rmmod"
	dmesg_since "badparams" | grep 'l4lb' | tail -n 5 | sed 's/^/#   /'
fi
step "IPv6 parameters load"
# insmod creates the service and adds its backends, or fails.
if load_l4lb "$GOOD_VIP6" "$GOOD_PORT" "$GOOD_BE6" && l4lb_loaded &&
	unload_l4lb; then
	ok "insmod with an IPv6 vip= and backends= works, then rmmod"
else
	fail "insmod with an IPv6 vip= and backends= works, then rmmod"
	dmesg_since "badparams" | grep 'l4lb' | tail -n 5 | sed 's/^/#   /'
	unload_l4lb
fi
step "no service parameters: no service"
if load_l4lb svc_max=4096 && l4lb_loaded &&
	[ "$(l4lbctl -j service | json_len)" = 0 ] && unload_l4lb; then
	ok "insmod without vip= loads with no service, then rmmod"
else
	fail "insmod without vip= loads with no service, then rmmod"
	dmesg_since "badparams" | grep 'l4lb' | tail -n 5 | sed 's/^/#   /'
	unload_l4lb
fi
kernel_clean_since "badparams"
