#!/bin/sh
# badparams: insmod with a bad parameter fails with EINVAL, says why in the
# kernel log (a line starting "l4lb: " naming the parameter and the bad
# text), and leaves no module behind. Then the good parameters still load,
# and so do none at all: without vip= the module starts with no service,
# for "l4lbctl restore" to fill (l4lb.service).
. /vm/lib/common.sh
plan 33
require_l4lb

GOOD_VIP="vip=$VIP"
GOOD_PORT="port=$VPORT"
GOOD_BE="backends=$BACKENDS"

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

step "the good parameters load"
if load_l4lb && l4lb_loaded && unload_l4lb; then
	ok "insmod with good parameters works, then rmmod"
else
	fail "insmod with good parameters works, then rmmod"
	dmesg_since "badparams" | grep 'l4lb' | tail -n 5 | sed 's/^/#   /'
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
