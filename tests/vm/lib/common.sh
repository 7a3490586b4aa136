# shellcheck shell=sh
# common.sh - helpers for the l4lb VM tests (/vm/lib/common.sh in the VM).
# Sourced by /init and by every tests/vm/tests/*.sh inside the VM (busybox
# sh); the helpers of one family of tests (ctl.sh, health.sh, life.sh,
# sched.sh) build on it. The aim is that a test reads like a story:
#
#     plan 5
#     require_lb
#     topo_up || die "topology up"
#     lb_up   || die "balancer up"
#     bg /tmp/be1.log be1 chatd 10000
#     check "nat table is empty" [ "$(nat_len)" = 0 ]
#
# Topology (topo_up). The balancer "lb" is the VM's initial network
# namespace, because l4lb is loaded once into the kernel and the service of
# its module parameters lives in the initial namespace. The others are
# separate namespaces, each joined to lb by a veth pair (eth0 inside):
#
#   cli 10.0.0.2/24 ----- veth-cli 10.0.0.1/24 (the VIP)  \
#   be1 10.0.1.1/24 ----- veth-be1 10.0.1.254/24            > lb (root netns,
#   be2 10.0.2.1/24 ----- veth-be2 10.0.2.254/24            |  ip_forward=1)
#   be3 10.0.3.1/24 ----- veth-be3 10.0.3.254/24           /
#
# Each of cli/beN routes by default via lb. The name "lb" is attached to the
# root namespace too (ip netns attach lb 1), so `n lb CMD` works like the
# others.
#
# TAP. /init prints the overall plan; every assertion prints one
# "ok N - test: what" or "not ok N - test: what" line, with "# " lines of
# diagnostics. Counters live in files under /run/tap because assertions may
# run in subshells.
#
# Balancer under test. LB_IMPL=l4lb (default) loads kmod l4lb.ko with the
# reference parameters. LB_IMPL=nft builds the same round-robin full-NAT
# balancer from nftables (dnat numgen + masquerade), the reference that
# lets the tests themselves be checked without l4lb.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

TAP_DIR=/run/tap
KVER=$(cat /vm/kver 2>/dev/null || uname -r)
L4LB_KO=/lib/modules/$KVER/extra/l4lb.ko
LB_IMPL=${LB_IMPL:-l4lb}

VIP=10.0.0.1
VPORT=20000
BE_ADDRS="10.0.1.1 10.0.2.1 10.0.3.1"
BE_PORTS="10000 10001 10002"
BACKENDS=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002
# shellcheck disable=SC2034 # used by the tests
BE1=10.0.1.1:10000 BE2=10.0.2.1:10001 BE3=10.0.3.1:10002
# The reference service of seed-notes §1, with the default timeouts: its
# rows go a few seconds after a client quits (a closed row lingers
# timeout_tcp_close, 3 s; tests/vm/tests/life_defaults.sh checks the
# defaults themselves).
L4LB_ARGS="vip=$VIP port=$VPORT backends=$BACKENDS"

# Kernel log patterns that mean a kernel bug (run.sh greps for them too).
SPLAT_RE='Oops|WARNING:|BUG:|KASAN|general protection|Call Trace|kmem_cache_destroy|still has objects'

# busybox sh runs its own applets before PATH; its ip has no netns/veth.
ip() { /usr/sbin/ip "$@"; }

# ---------------------------------------------------------------- TAP ----

# The test's name, from the script's file name.
T_NAME=${0##*/}
T_NAME=${T_NAME%.sh}

_inc() {	# _inc FILE: add one to the number in FILE, print it
	_v=0
	[ -f "$1" ] && read -r _v <"$1"
	_v=$((_v + 1))
	echo "$_v" >"$1"
	echo "$_v"
}

# diag TEXT...: print each line of TEXT as a TAP diagnostic.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# diag_file FILE [MAX]: print FILE (at most MAX lines, default 40) as diagnostics.
diag_file() {
	[ -f "$1" ] || { diag "($1 missing)"; return 0; }
	_max=${2:-40}
	_lines=$(wc -l <"$1")
	diag "--- $1 ($_lines lines) ---"
	head -n "$_max" "$1" | sed 's/^/#   /'
	[ "$_lines" -gt "$_max" ] && diag "   ... ($((_lines - _max)) more)"
	return 0
}

# _tap "ok"|"not ok" DESC [DIRECTIVE]: "ok N - test: DESC # DIRECTIVE"
_tap() {
	_n=$(_inc "$TAP_DIR/n")
	_inc "$TAP_DIR/script_n" >/dev/null
	echo "$1 $_n - $T_NAME${2:+: $2}${3:+ # $3}"
}

# plan N: this script makes N assertions. Must come first: /init runs each
# script with VM_PLAN_ONLY=1 to add up the plan before running anything.
plan() {
	if [ -n "${VM_PLAN_ONLY:-}" ]; then
		echo "$1"
		exit 0
	fi
	mkdir -p "$TAP_DIR"
	echo "$1" >"$TAP_DIR/script_plan"
	[ -f "$TAP_DIR/script_n" ] || echo 0 >"$TAP_DIR/script_n"
	[ -f "$TAP_DIR/n" ] || echo 0 >"$TAP_DIR/n"
}

# step DESC: say what the script is doing now (named if the script dies).
step() {
	echo "$*" >"$TAP_DIR/step"
	[ -n "${VERBOSE:-}${DEMO:-}" ] && diag "step: $*"
	return 0
}

ok() { _tap ok "$*"; }

# fail DESC [DIAG...]: a failed assertion, with diagnostics.
fail() {
	_d=$1
	shift
	_tap "not ok" "$_d"
	for _l in "$@"; do
		diag "$_l"
	done
	return 1
}

# check DESC CMD...: ok if CMD succeeds, else not ok with CMD's output.
check() {
	_d=$1
	shift
	step "$_d"
	if "$@" >"$TAP_DIR/check.out" 2>&1; then
		ok "$_d"
	else
		_rc=$?
		_tap "not ok" "$_d"
		diag "command failed (rc=$_rc): $*"
		diag_file "$TAP_DIR/check.out" 20
		return 1
	fi
}

# expect_eq DESC WANT GOT: ok if the strings are equal.
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "want: $2" "got:  $3"
	fi
}

# skip DESC REASON
skip() { _tap ok "$1" "SKIP $2"; }

# skip_rest REASON: skip every assertion this script has not made yet.
skip_rest() {
	read -r _p <"$TAP_DIR/script_plan"
	read -r _s <"$TAP_DIR/script_n"
	while [ "$_s" -lt "$_p" ]; do
		skip "" "$1"
		_s=$((_s + 1))
	done
}

# die DESC [DIAG...]: a failed assertion the script cannot go on from. /init
# marks the rest of the plan "not ok", naming this step.
die() {
	fail "$@"
	echo "$1" >"$TAP_DIR/step"
	exit 1
}

# pp CMD...: print a command, then run it.
pp() {
	echo "# + $*"
	"$@"
}

# require_lb: skip the whole script if the balancer under test is missing.
require_lb() {
	if [ "$LB_IMPL" = l4lb ] && [ ! -f "$L4LB_KO" ]; then
		skip_rest "l4lb.ko not present"
		exit 0
	fi
}

# require_l4lb: skip the whole script unless it runs against l4lb.ko.
require_l4lb() {
	if [ "$LB_IMPL" != l4lb ]; then
		skip_rest "needs l4lb, LB_IMPL=$LB_IMPL"
		exit 0
	fi
	require_lb
}

# require_family 4|6: a test that covers both families calls this before
# the cases of one, which come last; they are skipped if the run leaves
# that family out (FAMILIES, from run.sh's VM_FAMILIES: make vm-debug runs
# the IPv4 cases only, and v6_scenario for IPv6).
require_family() {
	has_family "$1" && return 0
	skip_rest "IPv$1 cases left out of this run (VM_FAMILIES=$FAMILIES)"
	exit 0
}

# has_family 4|6: true unless the run leaves that family out (FAMILIES).
has_family() {
	case ",${FAMILIES:-4,6}," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

# require_l4lbctl: skip the whole script unless it runs against l4lb.ko
# and l4lbctl is in the image.
require_l4lbctl() {
	require_l4lb
	if ! command -v l4lbctl >/dev/null 2>&1; then
		skip_rest "l4lbctl not in the image (make -C tools)"
		exit 0
	fi
}

# ---------------------------------------------------------- waiting ----

# now_s: seconds since boot, with hundredths (no fork).
now_s() {
	read -r _ns _ </proc/uptime
	echo "$_ns"
}

# num_le A B: A <= B, for decimal numbers.
num_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# num_sub A B: A - B, two decimals.
num_sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

_now() {	# seconds since boot, no fork
	read -r _up _ </proc/uptime
	echo "${_up%.*}"
}

# wait_for SECS EXPR: poll the shell expression EXPR (every 0.2 s) until it
# is true; fail after SECS seconds. EXPR may use the libraries' functions.
wait_for() {
	_wf_end=$(($(_now) + $1))
	shift
	while ! eval "$*"; do
		[ "$(_now)" -ge "$_wf_end" ] && return 1
		sleep 0.2
	done
	return 0
}

# wait_still SECS GAP CMD...: wait until CMD prints the same twice in a row,
# GAP seconds apart (so GAP s at least), e.g. until counters stop moving;
# fail after SECS seconds.
wait_still() {
	_ws_end=$(($(_now) + $1)) _ws_gap=$2
	shift 2
	_ws_a=$("$@" 2>&1)
	while :; do
		sleep "$_ws_gap"
		_ws_b=$("$@" 2>&1)
		[ "$_ws_b" = "$_ws_a" ] && return 0
		[ "$(_now)" -ge "$_ws_end" ] && return 1
		_ws_a=$_ws_b
	done
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	read -r _st <"/proc/$1/stat" || return 1
	case $_st in *") Z "*) return 1 ;; esac
	return 0
}

# wait_exit SECS PID: wait until PID has exited (bounded), then reap it;
# returns its exit status, or 124 on timeout.
wait_exit() {
	wait_for "$1" "! alive $2" || return 124
	wait "$2" 2>/dev/null
}

# ----------------------------------------------------------- processes ----

# n NS CMD...: run a program in namespace NS (cli, lb, be1, be2, be3).
n() {
	_ns=$1
	shift
	/usr/sbin/ip netns exec "$_ns" "$@"
}

# bg LOG NS CMD...: start a program in NS in the background, output to LOG.
# Its pid is in $BG_PID, and it is killed by topo_down.
bg() {
	_log=$1 _ns=$2
	shift 2
	/usr/sbin/ip netns exec "$_ns" "$@" >"$_log" 2>&1 </dev/null &
	BG_PID=$!
	echo "$BG_PID" >>"$TAP_DIR/bg.pids"
}

# bg_kill_all: kill everything started with bg (and the chat helpers).
bg_kill_all() {
	local _p
	[ -f "$TAP_DIR/bg.pids" ] || return 0
	for _p in $(cat "$TAP_DIR/bg.pids"); do
		kill -9 "$_p" 2>/dev/null
	done
	for _p in $(cat "$TAP_DIR/bg.pids"); do
		wait_exit 5 "$_p" >/dev/null 2>&1
	done
	rm -f "$TAP_DIR/bg.pids"
}

# bg_held NAME LOG NS CMD...: like bg, but CMD's stdin is the fifo
# /tmp/NAME.in, held open by a helper until `release NAME`, so CMD can wait
# for stdin EOF as its cue to finish (e.g. conns -w).
bg_held() {
	_name=$1 _log=$2 _ns=$3
	shift 3
	rm -f "/tmp/$_name.in"
	mkfifo "/tmp/$_name.in"
	/usr/sbin/ip netns exec "$_ns" "$@" <"/tmp/$_name.in" >"$_log" 2>&1 &
	BG_PID=$!
	echo "$BG_PID" >"/tmp/$_name.pid"
	echo "$BG_PID" >>"$TAP_DIR/bg.pids"
	sleep 100000 >"/tmp/$_name.in" &
	echo $! >"/tmp/$_name.holder"
	echo $! >>"$TAP_DIR/bg.pids"
}

# release NAME [SECS]: close NAME's stdin; wait (default 15 s) until it
# exits; returns its exit status (124: still running).
release() {
	read -r _h <"/tmp/$1.holder"
	read -r _rp <"/tmp/$1.pid"
	kill "$_h" 2>/dev/null
	wait_exit "${2:-15}" "$_rp"
}

# kill_strays: kill every user process except /init and this shell (used by
# /init between tests, after a test timed out or left things running).
kill_strays() {
	local _d _p
	for _d in /proc/[0-9]*; do
		_p=${_d#/proc/}
		[ "$_p" = 1 ] || [ "$_p" = "$$" ] && continue
		[ -e "$_d/exe" ] || continue	# kernel thread
		kill -9 "$_p" 2>/dev/null
	done
	return 0
}

# serve_all CMD [ARGS]: start CMD PORT [ARGS] on every backend, on its own
# port (be1:10000, be2:10001, be3:10002). Logs go to /tmp/beN.log.
serve_all() {
	local _i=1 _port
	for _port in $BE_PORTS; do
		rm -f "/tmp/be$_i.log"
		bg "/tmp/be$_i.log" "be$_i" "$@" "$_port"
		_i=$((_i + 1))
	done
}

# greet_all: greetd on every backend, on its own port, answering each
# connection with the backend's name (be1, be2, be3) and holding it open.
greet_all() {
	local _i=1 _port
	for _port in $BE_PORTS; do
		rm -f "/tmp/be$_i.log"
		bg "/tmp/be$_i.log" "be$_i" greetd "$_port" "be$_i"
		_i=$((_i + 1))
	done
}

# udp_lb_up [ARGS...]: l4lb with a UDP service on the VIP over every
# backend (idle rows live 600 s, answered or not: the sinks never answer),
# ARGS more parameters, and a sink on each backend so that they do not
# answer with port-unreachable errors.
udp_lb_up() {
	load_l4lb vip="$VIP" port="$VPORT" proto=udp backends="$BACKENDS" \
		timeout_udp=600 timeout_udp_unreplied=600 "$@" || return 1
	udp_sinks
}

# udp_sinks [N]: a UDP sink (socat) on the first N backends (default all).
udp_sinks() {
	local _i=1 _port
	for _port in $BE_PORTS; do
		[ "$_i" -le "${1:-3}" ] || break
		bg "/tmp/sink$_i.log" "be$_i" socat -u "UDP-RECV:$_port" /dev/null
		_i=$((_i + 1))
	done
}

# serve_fork NAME CMD: on every backend a TCP server (socat, fork) that
# runs the shell command CMD for each connection, with BE set to the
# backend's name (be1..be3); logs in /tmp/NAME.beN.log. Returns once all
# three listen (bounded).
serve_fork() {
	local _i=1 _port
	for _port in $BE_PORTS; do
		bg "/tmp/$1.be$_i.log" "be$_i" env "BE=be$_i" socat -t 10 \
			"TCP-LISTEN:$_port,reuseaddr,fork" "SYSTEM:$2"
		_i=$((_i + 1))
	done
	backends_listen
}

# serve_ready: all three backend servers logged "listen" (bounded).
serve_ready() {
	wait_for 10 'grep -q "^listen" /tmp/be1.log 2>/dev/null &&
		grep -q "^listen" /tmp/be2.log 2>/dev/null &&
		grep -q "^listen" /tmp/be3.log 2>/dev/null'
}

# listens NS tcp|udp PORT: a socket of namespace NS listens on PORT (for
# UDP: is bound to it), by ss. For servers that log no "listen" (socat).
listens() {
	case $2 in
	udp) _lsf=-Hlun ;;
	*) _lsf=-Hltn ;;
	esac
	[ -n "$(/usr/sbin/ip netns exec "$1" ss "$_lsf" "sport = :$3" 2>/dev/null)" ]
}

# backends_listen [tcp|udp]: wait (bounded) until be1:10000, be2:10001 and
# be3:10002 all listen (TCP by default); serve_ready for servers that log
# no "listen".
backends_listen() {
	_blp=${1:-tcp}
	wait_for 10 'listens be1 $_blp 10000 && listens be2 $_blp 10001 && listens be3 $_blp 10002'
}

# ---------------------------------------------------------- topology ----

_veth() {	# _veth NS LBIF LBADDR NSADDR GATEWAY
	ip link add "$2" type veth peer name eth0 netns "$1" &&
		ip addr add "$3" dev "$2" &&
		ip link set "$2" up &&
		ip -n "$1" addr add "$4" dev eth0 &&
		ip -n "$1" link set eth0 up &&
		ip -n "$1" route add default via "$5"
}

# topo_up: build the topology above (from scratch). Returns non-zero and
# prints why if any step fails.
topo_up() {
	topo_down
	ip link set lo up &&
		echo 1 >/proc/sys/net/ipv4/ip_forward &&
		ip netns attach lb 1 &&
		ip netns add cli && ip netns add be1 &&
		ip netns add be2 && ip netns add be3 &&
		ip -n cli link set lo up && ip -n be1 link set lo up &&
		ip -n be2 link set lo up && ip -n be3 link set lo up &&
		_veth cli veth-cli 10.0.0.1/24 10.0.0.2/24 10.0.0.1 &&
		_veth be1 veth-be1 10.0.1.254/24 10.0.1.1/24 10.0.1.254 &&
		_veth be2 veth-be2 10.0.2.254/24 10.0.2.1/24 10.0.2.254 &&
		_veth be3 veth-be3 10.0.3.254/24 10.0.3.1/24 10.0.3.254
}

# topo_down: kill background programs, remove namespaces and links.
topo_down() {
	bg_kill_all
	for _ns in cli be1 be2 be3 lb; do
		ip netns del "$_ns" 2>/dev/null
	done
	for _l in veth-cli veth-be1 veth-be2 veth-be3; do
		ip link del "$_l" 2>/dev/null
	done
	return 0
}

# ------------------------------------------------------------- modules ----

# _insmod_list FILE: insmod each module file FILE lists (one a line, in
# order) that is not loaded yet; errors are for the caller to judge.
_insmod_list() {
	while read -r _ko; do
		_m=${_ko##*/}
		_m=$(echo "${_m%.ko}" | tr - _)
		[ -e "/sys/module/$_m/initstate" ] && continue
		insmod "$_ko" 2>/dev/null
	done <"$1"
}

# kmod_load MOD: insmod MOD and its dependencies, in the order the host's
# modprobe --show-depends gave (/vm/moddeps/MOD). Already loaded ones are
# skipped; a failing optional one (e.g. crc32c-intel on a CPU without
# SSE4.2) is fine as long as MOD itself ends up loaded.
kmod_load() {
	_list=/vm/moddeps/$1
	[ -f "$_list" ] || { echo "kmod_load: $1 is not in the initramfs" >&2; return 1; }
	_insmod_list "$_list"
	_m=$(echo "$1" | tr - _)
	[ -e "/sys/module/$_m/initstate" ] || { echo "kmod_load: $1 did not load" >&2; return 1; }
}

# kmod_unload MOD...: rmmod the modules (best effort, in the order given).
kmod_unload() {
	for _m in "$@"; do
		[ -e "/sys/module/$_m/initstate" ] && rmmod "$_m" 2>/dev/null
	done
	return 0
}

# l4lb_loaded: the l4lb module is in the kernel.
l4lb_loaded() { [ -e /sys/module/l4lb/initstate ]; }

# load_l4lb [ARGS...]: insmod l4lb.ko (after its dependencies) with ARGS,
# default the reference service: $L4LB_ARGS. insmod's stderr is passed on.
load_l4lb() {
	[ -f "$L4LB_KO" ] || { echo "load_l4lb: $L4LB_KO missing" >&2; return 1; }
	_insmod_list /vm/moddeps/l4lb
	[ -e /sys/module/nf_defrag_ipv4/initstate ] ||
		{ echo "load_l4lb: nf_defrag_ipv4 did not load" >&2; return 1; }
	if [ $# -eq 0 ]; then
		# shellcheck disable=SC2086
		set -- $L4LB_ARGS
	fi
	echo "# + insmod l4lb.ko $*"
	insmod "$L4LB_KO" "$@"
}

# unload_l4lb: rmmod l4lb and wait (bounded) until it is gone.
unload_l4lb() {
	echo "# + rmmod l4lb"
	rmmod l4lb || return 1
	wait_for 10 '! [ -d /sys/module/l4lb ]'
}

# slab_check: after rmmod, no slab cache named like l4lb is left. (run.sh
# boots with slab_nomerge, so the module's caches are not merged away.)
slab_check() {
	if grep -i l4lb /proc/slabinfo; then
		echo "slab caches of l4lb are still there"
		return 1
	fi
	return 0
}

# ------------------------------------------------------------ balancer ----

# lb_up: start the balancer under test with the reference service
# (VIP 10.0.0.1:20000 -> be1:10000, be2:10001, be3:10002, round robin).
lb_up() {
	case $LB_IMPL in
	l4lb)
		load_l4lb
		;;
	nft)
		kmod_load nft_numgen && kmod_load nft_nat && kmod_load nft_masq &&
			kmod_load nft_chain_nat && kmod_load nft_ct || return 1
		nft -f - <<EOF
table ip reflb {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr $VIP tcp dport $VPORT dnat to numgen inc mod 3 map { 0 : 10.0.1.1 . 10000, 1 : 10.0.2.1 . 10001, 2 : 10.0.3.1 . 10002 }
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ct status dnat oifname { "veth-be1", "veth-be2", "veth-be3" } masquerade
	}
}
EOF
		;;
	*)
		echo "lb_up: unknown LB_IMPL=$LB_IMPL" >&2
		return 1
		;;
	esac
}

# lb_down: stop the balancer under test.
lb_down() {
	case $LB_IMPL in
	l4lb) unload_l4lb ;;
	nft) nft delete table ip reflb ;;
	esac
}

# l4lbctl_in NS ARGS...: l4lbctl ARGS in namespace NS ("" = the root
# namespace, i.e. lb).
l4lbctl_in() {
	_lin=$1
	shift
	if [ -n "$_lin" ]; then
		/usr/sbin/ip netns exec "$_lin" l4lbctl "$@"
	else
		l4lbctl "$@"
	fi
}

# be_names: backend IP:PORT -> be1/be2/be3, anywhere in stdin.
be_names() {
	sed -e 's/10\.0\.1\.1:10000/be1/g' -e 's/10\.0\.2\.1:10001/be2/g' \
		-e 's/10\.0\.3\.1:10002/be3/g'
}

# nat_file: the path of l4lb's NAT table in this namespace.
nat_file() {
	for _f in /proc/l4lb/nat /proc/net/l4lb/nat; do
		[ -e "$_f" ] && { echo "$_f"; return 0; }
	done
	return 1
}

# debug_kernel: true under the debug kernel (tests/debug-kernel), whose
# checks make the tests several times slower: for sizing loads.
debug_kernel() {
	[ -e /proc/lockdep_stats ]
}

# lb_port_range LO HI: set lb's net.ipv4.ip_local_port_range, and with
# it l4lb's SNAT ports (those outside it), for this test. The range lb had
# is put back when the test's shell exits, however it ends (not after a
# SIGKILL), or at lb_port_range_restore. Read with cat, not read: ash's
# read takes a byte at a time, and a sysctl file read at an offset is
# empty, so only the first digit would come back.
lb_port_range() {
	if [ -z "${_LB_PORTS_ORIG:-}" ]; then
		_LB_PORTS_ORIG=$(cat /proc/sys/net/ipv4/ip_local_port_range)
		trap lb_port_range_restore EXIT
		trap 'lb_port_range_restore; exit 1' TERM INT
	fi
	echo "$1 $2" >/proc/sys/net/ipv4/ip_local_port_range
}

# lb_port_range_restore: put back the range lb_port_range found.
lb_port_range_restore() {
	[ -z "${_LB_PORTS_ORIG:-}" ] ||
		echo "$_LB_PORTS_ORIG" >/proc/sys/net/ipv4/ip_local_port_range
}

# nat_len: the NAT table length of namespace lb (the root namespace): N of
# the last line "Current NAT table length: N" of /proc/l4lb/nat. For
# LB_IMPL=nft: the number of ESTABLISHED conntrack rows to the VIP.
nat_len() {
	case $LB_IMPL in
	nft)
		grep -c "ESTABLISHED src=[0-9.]* dst=$VIP sport=[0-9]* dport=$VPORT " \
			/proc/net/nf_conntrack 2>/dev/null
		return 0
		;;
	esac
	_f=$(nat_file) || return 1
	tail -n 1 "$_f" | sed -n 's/^Current NAT table length: *\([0-9][0-9]*\).*/\1/p'
}

# nat_rows: the rows of the NAT table (no header, no length line).
nat_rows() {
	case $LB_IMPL in
	nft) grep "dport=$VPORT " /proc/net/nf_conntrack 2>/dev/null ;;
	*) _f=$(nat_file) && grep -E '^(TCP|UDP) ' "$_f" ;;
	esac
	return 0
}

# nat_show [TITLE]: print the NAT table as diagnostics.
nat_show() {
	case $LB_IMPL in
	nft)
		diag "conntrack rows to $VIP:$VPORT${1:+ ($1)}:"
		nat_rows | sed 's/^/#   /'
		diag "ESTABLISHED: $(nat_len)"
		;;
	*)
		if _f=$(nat_file); then
			diag "$_f${1:+ ($1)}:"
			sed 's/^/#   /' "$_f"
		else
			diag "no /proc/l4lb/nat"
		fi
		;;
	esac
}

# wait_nat_len N [SECS]: wait (default 15 s) until nat_len prints N.
wait_nat_len() {
	wait_for "${2:-15}" '[ "$(nat_len)" = '"$1"' ]'
}

# ---------------------------------------------------------------- JSON ----
# `l4lbctl -j` output is read with jq. Its arrays are of flat objects
# (l4lbctl(8), JSON OUTPUT); strings come out without their quotes.

# json_col KEY...: for each element of the JSON array on stdin, its members
# KEY... on one line, separated by spaces (a missing member is left out).
json_col() {
	jq -r --arg k "$*" '.[] | [.[($k | split(" "))[]] | values | tostring] | join(" ")'
}

# json_line KEY: member KEY of every element of the JSON array on stdin, in
# order, on one line, separated by spaces.
json_line() {
	jq -r --arg k "$1" '[.[] | .[$k] | values | tostring] | join(" ")'
}

# json_len: the number of elements of the JSON array on stdin.
json_len() { jq length; }

# --------------------------------------------------------------- dmesg ----

# kmsg_mark TAG: write a marker line into the kernel log.
kmsg_mark() { echo "vmtest: mark $1" >/dev/kmsg; }

# dmesg_since TAG: the kernel log after the last marker TAG (nothing
# without one). Two passes over a copy: gathering the lines in awk took
# time quadratic in their number, over 10 minutes for the 10,000 lines a
# long fuzzing run leaves under the debug kernel.
dmesg_since() {
	dmesg >/tmp/dmesg_since.$$
	awk -v m="vmtest: mark $1" 'NR == FNR { if (index($0, m)) last = FNR; next }
		last && FNR > last' /tmp/dmesg_since.$$ /tmp/dmesg_since.$$
	rm -f /tmp/dmesg_since.$$
}

# kernel_clean_since TAG: ok if the kernel logged no splat after TAG.
kernel_clean_since() {
	if dmesg_since "$1" | grep -E "$SPLAT_RE" >"$TAP_DIR/splat" 2>&1; then
		fail "kernel log is clean since $1" "kernel log has:"
		diag_file "$TAP_DIR/splat" 30
		return 1
	fi
	ok "kernel log is clean since $1"
}

# ---------------------------------------------------------------- chat ----

# chat_start NAME [NS HOST PORT]: start a chat client (default in cli, to
# the VIP). Its stdin is a fifo kept open by a holder process, its output
# goes to /tmp/chat.NAME.out.
chat_start() {
	_c=/tmp/chat.$1
	rm -f "$_c.in" "$_c.out" "$_c.err"
	mkfifo "$_c.in"
	/usr/sbin/ip netns exec "${2:-cli}" chat "${3:-$VIP}" "${4:-$VPORT}" "$1" \
		<"$_c.in" >"$_c.out" 2>"$_c.err" &
	echo $! >"$_c.pid"
	echo $! >>"$TAP_DIR/bg.pids"
	sleep 100000 >"$_c.in" &
	echo $! >"$_c.holder"
	echo $! >>"$TAP_DIR/bg.pids"
}

# chat_say NAME TEXT: NAME sends the line TEXT (never blocks).
chat_say() {
	echo "$2" 1<>"/tmp/chat.$1.in"
}

# chat_quit NAME: close NAME's stdin; wait (bounded) until it exits.
chat_quit() {
	read -r _h <"/tmp/chat.$1.holder"
	read -r _cp <"/tmp/chat.$1.pid"
	kill "$_h" 2>/dev/null
	wait_exit 15 "$_cp"
}

# chat_tick NAME [SECS]: a ticker makes chat client NAME send "NAME tick K"
# every SECS seconds (default 0.2) until chat_hush NAME, so its connection
# carries data both ways while chatd relays to the other clients of the
# same server. Call it after NAME joined if the placement order matters;
# lines wait in the fifo until then.
chat_tick() {
	(
		_tk=0
		while :; do
			_tk=$((_tk + 1))
			echo "$1 tick $_tk"
			sleep "${2:-0.2}"
		done 1<>"/tmp/chat.$1.in"
	) &
	echo $! >"/tmp/chat.$1.ticker"
	echo $! >>"$TAP_DIR/bg.pids"
}

# chat_hush NAME: stop NAME's ticker (the client stays connected).
chat_hush() {
	read -r _tp <"/tmp/chat.$1.ticker" 2>/dev/null || return 0
	kill "$_tp" 2>/dev/null
	wait "$_tp" 2>/dev/null
	return 0
}

# chat_alive NAME: the client is still running.
chat_alive() {
	read -r _cp <"/tmp/chat.$1.pid" && alive "$_cp"
}

# chat_got NAME TEXT: NAME received a line containing TEXT.
chat_got() { grep -qF -- "$2" "/tmp/chat.$1.out" 2>/dev/null; }

# accepts: total "accept" lines in the three backend logs.
accepts() {
	cat /tmp/be1.log /tmp/be2.log /tmp/be3.log 2>/dev/null | grep -c '^accept '
}

# backend_of NAME: which backend (be1/be2/be3) logged "NAME joined".
backend_of() {
	local _b
	for _b in be1 be2 be3; do
		grep -q "^msg [0-9.:]* $1 joined\$" "/tmp/$_b.log" 2>/dev/null && { echo "$_b"; return 0; }
	done
	echo none
}

# chat_scenario: the reference scenario (seed-notes §1), against whatever
# balancer is up: chatd on be1..be3, clients test1..test6 join one after
# another through the VIP, round robin puts test1+test4 on be1, test2+test5
# on be2, test3+test6 on be3; messages stay within a server; the servers see
# the balancer's address; the NAT table grows to 6 and shrinks back to 0 as
# the clients quit. Makes CHAT_SCENARIO_TESTS assertions. CHATD_OPTS: more
# options for chatd (ca_scenario.sh: -p, PROXY protocol).
CHAT_SCENARIO_TESTS=16
chat_scenario() {
	step "start chatd on the backends"
	# shellcheck disable=SC2086 # options, split on purpose
	serve_all chatd ${CHATD_OPTS:-}
	if serve_ready; then ok "chatd listens on be1:10000 be2:10001 be3:10002"
	else fail "chatd listens on be1:10000 be2:10001 be3:10002"; diag_file /tmp/be1.log; fi
	expect_eq "NAT table starts empty" 0 "$(nat_len)"

	# Six clients join one after another: each waits until a backend
	# accepted the previous one, so the order is the connection order.
	_joined=0
	for _i in 1 2 3 4 5 6; do
		step "client test$_i joins"
		chat_start "test$_i"
		wait_for 15 '[ "$(accepts)" -ge '"$_i"' ] && [ "$(backend_of test'"$_i"')" != none ]' &&
			_joined=$((_joined + 1))
		[ -n "${DEMO:-}" ] && { diag "test$_i joined -> $(backend_of "test$_i")"; nat_show "after test$_i joined"; }
	done
	if [ "$_joined" = 6 ]; then ok "six clients joined through $VIP:$VPORT"
	else
		fail "six clients joined through $VIP:$VPORT" "only $_joined joined"
		for _i in 1 2 3 4 5 6; do diag_file "/tmp/chat.test$_i.err" 5; done
	fi
	for _b in be1 be2 be3; do diag_file "/tmp/$_b.log" 20; done

	step "round robin placement"
	_b1=$(backend_of test1) _b2=$(backend_of test2) _b3=$(backend_of test3)
	_b4=$(backend_of test4) _b5=$(backend_of test5) _b6=$(backend_of test6)
	diag "placement: test1=$_b1 test2=$_b2 test3=$_b3 test4=$_b4 test5=$_b5 test6=$_b6"
	expect_eq "round robin: test1,test2,test3 on be1,be2,be3" "be1 be2 be3" "$_b1 $_b2 $_b3"
	expect_eq "round robin: test4 shares test1's backend" "$_b1" "$_b4"
	expect_eq "round robin: test5 shares test2's backend" "$_b2" "$_b5"
	expect_eq "round robin: test6 shares test3's backend" "$_b3" "$_b6"

	step "relay within a server"
	chat_say test1 "hello from test1"
	if wait_for 10 'chat_got test4 "hello from test1"'; then ok "a line from test1 reaches test4"
	else fail "a line from test1 reaches test4"; diag_file /tmp/chat.test4.out; fi
	sleep 1	# give a wrong relay time to show up
	if chat_got test2 "hello from test1" || chat_got test3 "hello from test1" ||
		chat_got test5 "hello from test1" || chat_got test6 "hello from test1"; then
		fail "the line from test1 reaches nobody on another server"
		diag_file /tmp/chat.test2.out
	else
		ok "the line from test1 reaches nobody on another server"
	fi
	if chat_got test1 "test4 joined" && ! chat_got test1 "test2 joined"; then
		ok "test1 saw test4 join, not test2"
	else
		fail "test1 saw test4 join, not test2"; diag_file /tmp/chat.test1.out
	fi

	step "full NAT: servers see the balancer"
	_peers_ok=1
	_k=1
	for _b in be1 be2 be3; do
		_want="10.0.$_k.254"
		_got=$(sed -n 's/^accept \([0-9.]*\):[0-9]*$/\1/p' "/tmp/$_b.log" | sort -u | tr '\n' ' ')
		[ "$_got" = "$_want " ] || { _peers_ok=0; diag "$_b saw peers: $_got (want $_want)"; }
		_k=$((_k + 1))
	done
	[ "$_peers_ok" = 1 ] && ok "each chatd saw only the balancer (10.0.k.254) as peer" ||
		fail "each chatd saw only the balancer (10.0.k.254) as peer"

	step "NAT table has six rows"
	nat_show "six clients"
	if wait_nat_len 6 10; then ok "NAT table length is 6"
	else fail "NAT table length is 6" "got: $(nat_len)"; fi

	# Clients quit one by one; each quit shrinks the table by one.
	_shrunk=1 _expect=5 _quit_ok=1
	for _i in 1 2 3 4 5 6; do
		step "client test$_i quits"
		chat_quit "test$_i" || { _quit_ok=0; diag "chat test$_i did not exit cleanly (rc=$?)"; }
		if wait_nat_len "$_expect" 15; then
			diag "test$_i quit: NAT table length $_expect"
		else
			_shrunk=0
			diag "test$_i quit: NAT table length $(nat_len), want $_expect"
		fi
		nat_show "after test$_i quit"
		_expect=$((_expect - 1))
	done
	[ "$_quit_ok" = 1 ] && ok "all six clients quit cleanly" ||
		fail "all six clients quit cleanly"
	[ "$_shrunk" = 1 ] && ok "NAT table shrank 5,4,3,2,1,0 as clients quit" ||
		fail "NAT table shrank 5,4,3,2,1,0 as clients quit"
	expect_eq "NAT table is empty at the end" 0 "$(nat_len)"
	_closes=$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c '^close ')
	expect_eq "the servers logged six closes" 6 "$_closes"
	if [ -n "${DEMO:-}" ]; then
		for _i in 1 2 3 4 5 6; do diag_file "/tmp/chat.test$_i.out"; done
		for _b in be1 be2 be3; do diag_file "/tmp/$_b.log"; done
	fi
	bg_kill_all
}

# ------------------------------------------------------------ nftables ----

# nft_stack_load: nf_conntrack, nf_nat and nftables with NAT + masquerade.
nft_stack_load() {
	kmod_load nf_conntrack && kmod_load nf_nat && kmod_load nf_tables &&
		kmod_load nft_chain_nat && kmod_load nft_masq && kmod_load nft_ct
}

# unload_modules MOD...: rmmod each MOD that is loaded, in the order given
# (users before the modules they use). Fails if one of them stays loaded.
# Right after use a module can still be busy for a while: conntrack
# entries and nftables objects are destroyed by deferred work, and until
# then rmmod fails with EAGAIN ("Resource temporarily unavailable", which
# the kernel also returns while a module that uses it is loaded). Such
# failures are retried for up to 20 s; any other error fails at once.
unload_modules() {
	_try=0
	while :; do
		_left= _hard=
		for _m in "$@"; do
			[ -e "/sys/module/$_m/initstate" ] || continue
			rmmod "$_m" 2>/tmp/rmmod.err && continue
			_left="$_left $_m"
			grep -q 'temporarily unavailable' /tmp/rmmod.err ||
				_hard="$_hard $_m: $(cat /tmp/rmmod.err)"
		done
		[ -z "$_left" ] && return 0
		_try=$((_try + 1))
		if [ -n "$_hard" ] || [ $_try -ge 40 ]; then
			echo "still loaded:$_left (after $_try tries)${_hard:+; error:$_hard}"
			return 1
		fi
		sleep 0.5
	done
}

# The modules nft_stack_load may load, directly or as dependencies, users
# first; not nf_defrag_ipv4, which l4lb needs.
NFT_STACK_MODULES="nft_masq nft_chain_nat nft_nat nft_numgen nft_ct nft_compat
	xt_MASQUERADE xt_nat xt_conntrack xt_tcpudp nf_nat nf_tables nfnetlink
	nf_conntrack nf_defrag_ipv6 x_tables"

# nft_stack_unload: flush the ruleset and remove those modules again.
# Fails if one of them stays loaded.
nft_stack_unload() {
	[ -e /sys/module/nf_tables/initstate ] && nft flush ruleset
	# shellcheck disable=SC2086 # a list of names
	unload_modules $NFT_STACK_MODULES
}
