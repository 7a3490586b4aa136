#!/bin/sh
# /init of the l4lb benchmark VM (busybox sh, PID 1). tests/bench/run.sh
# appends it, with hold and the web page, to the test bed's initramfs
# (tests/vm/mkinitramfs.sh) and boots it.
#
# It reuses the test bed's /vm/lib/common.sh (topology: cli, lb = root
# netns, be1..be3; module loading). Backends run nginx (a 1 KiB page on
# :80, and on :81 behind `listen ... proxy_protocol`) and iperf3
# (be1:5201). Every balancer is set up in turn on the same topology and
# measured with the same clients (wrk, ab, iperf3, hold). The topology
# also gets IPv6 addresses (topo6_up), for the configurations named *6:
# the same balancers over IPv6 (full NAT66), which run the connection-rate
# and bulk workloads only.
#
# Kernel command line (all optional):
#   benchruns=N      rounds of the main workloads (default 5)
#   benchdur=S       seconds per wrk / iperf3 run (default 5)
#   benchlat=N       requests of the ab latency run (default 500)
#   benchsmall=N     idle rows held for the "small" scale level (1000)
#   benchbig=N       idle rows held for the "big" scale level (50000)
#   benchscaleruns=N connection-rate runs per scale level (default = runs)
#   benchconfigs=a,b configurations (default direct,l4lb,l4lbpp,ipvs,nft,
#                    direct6,l4lb6,ipvs6,nft6)
#   bench6setup=ctl|params  how l4lb6 gets its service: l4lbctl service set
#                    and backend add (ctl, default), or insmod's vip= and
#                    backends= (params)
#   benchperf=1      profile l4lb under the connection-rate load with perf
#   benchgcidle=S    seconds of the idle window in which l4lb's expiry
#                    worker is timed at each scale level (default 10; 0: none)
#   benchquick=1     smoke mode: the IPVS conntrack=0 check is not repeated
#
# Output on the console: "# ..." lines for people, and "BENCH ..." lines
# that tests/bench/report.py reads:
#   BENCH info KEY VALUE...
#   BENCH fullnat CFG yes|no PEERS...
#   BENCH proxy CFG yes|no TEXT...        (nginx read the client from the header)
#   BENCH skip CFG REASON...
#   BENCH na CFG METRIC REASON...         (a workload CFG cannot run)
#   BENCH val CFG METRIC RUN VALUE        (one measurement)
#   BENCH err CFG METRIC RUN TEXT...      (a run that produced no number)
#   BENCH slab CFG SNAP CACHE ACTIVE OBJSIZE BYTES   (SNAP a or b)
#   BENCH rows CFG SNAP ROWS HELD     (HELD: connections added since a)
#   BENCH aux CFG METRIC RUN KEY=VALUE...  (retransmissions, CPU busy)
#   BENCH gc CFG METRIC MS_PER_S CALLS SECS   (time in l4lb's expiry worker)
#   PERF dso|sym|l4lb <line of perf report>
# then "----- bench end -----". As PID 1 it runs itself as a child, then
# prints the kernel log between "----- dmesg -----" and "----- end dmesg
# -----", and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

. /vm/bench/lib.sh # tests/bench/lib.sh: bench_pid1, load_mod
if [ "$$" = 1 ]; then
	bench_pid1
fi

. /vm/lib/common.sh
T_NAME=bench
mkdir -p "$TAP_DIR"

RUNS=5 DUR=5 LAT_N=500 SMALL=1000 BIG=50000 SRUNS= PERF=0 QUICK= GCIDLE=10
CONFIGS="direct l4lb l4lbpp ipvs nft direct6 l4lb6 ipvs6 nft6"
L4LB6_SETUP=ctl
for arg in $(cat /proc/cmdline); do
	case $arg in
	benchruns=*) RUNS=${arg#*=} ;;
	benchdur=*) DUR=${arg#*=} ;;
	benchlat=*) LAT_N=${arg#*=} ;;
	benchsmall=*) SMALL=${arg#*=} ;;
	benchbig=*) BIG=${arg#*=} ;;
	benchscaleruns=*) SRUNS=${arg#*=} ;;
	benchconfigs=*) CONFIGS=$(echo "${arg#*=}" | tr ',' ' ') ;;
	benchperf=*) PERF=${arg#*=} ;;
	benchgcidle=*) GCIDLE=${arg#*=} ;;
	benchquick=1) QUICK=1 ;;
	bench6setup=*) L4LB6_SETUP=${arg#*=} ;;
	esac
done
SRUNS=${SRUNS:-$RUNS}

VIP=10.0.0.1
HTTP_PORT=80
PP_PORT=81	# the backends' nginx with `listen 81 proxy_protocol` (l4lbpp)
BULK_PORT=5201
HOLD_SRCS=10.0.0.11,10.0.0.12,10.0.0.13,10.0.0.14
WRK_CONNS=32	# connection-rate load: wrk -t2 -c32, Connection: close
KA_CONNS=16	# keep-alive load: wrk -t2 -c16
# IPv6 (topo6_up): cli 2001:db8::2, lb 2001:db8::1 (VIP6, as VIP is lb's
# 10.0.0.1), beK 2001:db8:K::1 behind lb's 2001:db8:K::254.
VIP6=2001:db8::1
CLI6=2001:db8::2

say() { read -r _u _ </proc/uptime; echo "# [${_u%.*}s] $*"; }
res() { echo "BENCH $*"; }
now() { read -r _u _ </proc/uptime; echo "${_u%.*}"; }
ss() { /usr/bin/ss "$@"; }

T_START=$(now)
say "bench: kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
say "bench: runs=$RUNS dur=${DUR}s lat=$LAT_N scale=$SMALL/$BIG x$SRUNS configs: $CONFIGS perf=$PERF"
res info kernel "$(uname -r)"
res info vcpus "$(nproc)"
res info mem_mib "$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
res info cpu "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
res info params "runs=$RUNS dur=$DUR lat=$LAT_N small=$SMALL big=$BIG scaleruns=$SRUNS"

# ------------------------------------------------------------ modules ----

# conntrack_tune: the same 65536 buckets as l4lb (conn_tab_bits=16) and
# room for the big scale level (l4lb's conn_max default).
conntrack_tune() {
	echo 65536 >/proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null
	echo 1048576 >/proc/sys/net/netfilter/nf_conntrack_max
}

# stack_load: every module the IPVS and nftables configurations need.
# Loaded modules without rules cost nothing: nf_conntrack hooks in only
# while a ruleset needs it, IPVS only while it has a service.
stack_load() {
	[ -n "$STACK_UP" ] && return 0
	nft_stack_load >/dev/null && load_mod nft_numgen && load_mod nft_nat &&
		load_mod ip_vs conn_tab_bits=16 && load_mod ip_vs_rr && conntrack_tune &&
		STACK_UP=1
}

# clean_kernel: no balancer, no netfilter module or state left.
clean_kernel() {
	STACK_UP=
	l4lb_loaded && { rmmod l4lb || say "rmmod l4lb failed"; }
	[ -e /sys/module/ip_vs/initstate ] && ipvsadm -C 2>/dev/null
	[ -e /sys/module/nf_tables/initstate ] && nft flush ruleset
	# Modules stay busy for a while after their last rule or connection
	# is gone (deferred destruction): unload_modules retries.
	# shellcheck disable=SC2086 # a list of names
	_out=$(unload_modules ip_vs_rr ip_vs $NFT_STACK_MODULES) ||
		{ say "clean: $_out"; return 1; }
}

# ------------------------------------------------------ configurations ----

# is_l4lb CFG: CFG is l4lb, with (l4lbpp) or without PROXY v2 headers, or
# over IPv6 (l4lb6).
is_l4lb() {
	case $1 in
	l4lb | l4lbpp | l4lb6) return 0 ;;
	esac
	return 1
}

# is_v6 CFG: CFG is one of the IPv6 configurations (direct6, l4lb6,
# ipvs6, nft6), which run only the connection-rate and bulk workloads.
is_v6() {
	case $1 in
	*6) return 0 ;;
	esac
	return 1
}

# be_port CFG: the backends' HTTP port that CFG balances to: nginx's
# proxy_protocol listener for l4lbpp, else the plain one.
be_port() {
	case $1 in
	l4lbpp) echo $PP_PORT ;;
	*) echo $HTTP_PORT ;;
	esac
}

# vip_of CFG: the VIP of CFG's family.
vip_of() {
	if is_v6 "$1"; then echo $VIP6; else echo $VIP; fi
}

# be_addr CFG K: backend K's address in CFG's family; lb_addr CFG K: the
# balancer's address towards it (the source a full NAT gives it).
be_addr() {
	if is_v6 "$1"; then echo "2001:db8:$2::1"; else echo "10.0.$2.1"; fi
}
lb_addr() {
	if is_v6 "$1"; then echo "2001:db8:$2::254"; else echo "10.0.$2.254"; fi
}

# hostport ADDR PORT: ADDR:PORT, or [ADDR]:PORT for IPv6.
hostport() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# urlhost ADDR: ADDR as the host of a URL ([ADDR] for IPv6).
urlhost() {
	case $1 in
	*:*) echo "[$1]" ;;
	*) echo "$1" ;;
	esac
}

# cfg_up CFG PHASE: set up balancer CFG. PHASE http: VIP:80 round robin
# over be1..be3:80 (:81 for l4lbpp); PHASE bulk: VIP:5201 to be1:5201
# only (one iperf3 test needs all its connections on one server). The *6
# configurations do the same over IPv6 (VIP6 to 2001:db8:K::1). Sets TGT
# (the address the client talks to) and TGTU (its http:// URL).
cfg_up() {
	_cfg=$1 _ph=$2
	if [ "$_ph" = http ]; then
		_vp=$HTTP_PORT _bp=$(be_port "$_cfg") _ks="1 2 3"
	else
		_vp=$BULK_PORT _bp=$BULK_PORT _ks=1
	fi
	_bas= _bes=
	for _k in $_ks; do
		_a=$(be_addr "$_cfg" "$_k")
		_bas="${_bas:+$_bas }$_a"
		_bes="${_bes:+$_bes }$(hostport "$_a" "$_bp")"
	done
	TGT=$(vip_of "$_cfg")
	case $_cfg in
	direct | direct6)
		TGT=$(be_addr "$_cfg" 1)
		;;
	l4lb | l4lbpp)
		# l4lbpp: the same service, passing each client's address as a
		# PROXY protocol v2 header at the start of the stream (to
		# nginx's proxy_protocol listener). No bulk phase: iperf3
		# cannot read the header.
		_ca=
		if [ "$_cfg" = l4lbpp ]; then
			[ "$_ph" = http ] || { say "l4lbpp: no bulk phase"; return 1; }
			_ca=client_addr=proxy-v2
		fi
		# timeout_tcp=900, IPVS's default (l4lb's too now), so the
		# idle rows of the scale phase outlive it.
		load_l4lb vip=$VIP port=$_vp backends=$(echo "$_bes" | tr ' ' ',') \
			timeout_tcp=900 ${_ca:+"$_ca"} >/dev/null || return 1
		;;
	l4lb6)
		# The same service over IPv6, full NAT66 (timeout_tcp: l4lb's
		# default, 900). Set up with l4lbctl, or with bench6setup=params
		# as insmod's parameters.
		if [ "$L4LB6_SETUP" = params ]; then
			load_l4lb vip=$VIP6 port=$_vp \
				backends=$(echo "$_bes" | tr ' ' ',') >/dev/null || return 1
		else
			# (conn_max=, its default, so that no first service is made)
			load_l4lb conn_max=1048576 >/dev/null &&
				l4lbctl service set vip $VIP6 port "$_vp" proto tcp >/dev/null ||
				return 1
			for _b in $_bes; do
				l4lbctl backend add "$_b" service "[$VIP6]:$_vp/tcp" >/dev/null ||
					return 1
			done
		fi
		;;
	ipvs | ipvs0 | ipvs6)
		stack_load || return 1
		if [ "$_cfg" = ipvs0 ]; then
			echo 0 >/proc/sys/net/ipv4/vs/conntrack
		else
			echo 1 >/proc/sys/net/ipv4/vs/conntrack
		fi
		# The masquerade makes it full NAT: with vs/conntrack=1 IPVS
		# keeps the conntrack entry of its packets (and fixes its
		# reply tuple), so the nat hook in postrouting sees them. (The
		# sysctl, under net.ipv4, is for both families.)
		_fam=ip _tab=benchmasq
		is_v6 "$_cfg" && _fam=ip6 _tab=benchmasq6
		nft -f - <<EOF || return 1
table $_fam $_tab {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname { "veth-be1", "veth-be2", "veth-be3" } masquerade
	}
}
EOF
		_svc=$(hostport "$TGT" "$_vp")
		ipvsadm -A -t "$_svc" -s rr || return 1
		for _b in $_bes; do
			ipvsadm -a -t "$_svc" -r "$_b" -m || return 1
		done
		;;
	nft | nft6)
		stack_load || return 1
		_map= _i=0
		for _a in $_bas; do
			_map="$_map${_map:+, }$_i : $_a . $_bp"
			_i=$((_i + 1))
		done
		_fam=ip _tab=benchlb
		is_v6 "$_cfg" && _fam=ip6 _tab=benchlb6
		nft -f - <<EOF || return 1
table $_fam $_tab {
	chain pre {
		type nat hook prerouting priority dstnat;
		$_fam daddr $TGT tcp dport $_vp dnat to numgen inc mod $_i map { $_map }
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ct status dnat oifname { "veth-be1", "veth-be2", "veth-be3" } masquerade
	}
}
EOF
		;;
	*)
		say "unknown configuration $_cfg"
		return 1
		;;
	esac
	TGTU="http://$(urlhost "$TGT")/"
}

# cfg_down CFG: remove CFG's balancer (rules, or the l4lb module); the
# netfilter modules stay loaded.
cfg_down() {
	case $1 in
	l4lb | l4lbpp | l4lb6) l4lb_loaded && unload_l4lb >/dev/null ;;
	ipvs | ipvs0 | ipvs6)
		ipvsadm -C
		nft delete table ip benchmasq 2>/dev/null
		nft delete table ip6 benchmasq6 2>/dev/null
		;;
	nft) nft delete table ip benchlb 2>/dev/null ;;
	nft6) nft delete table ip6 benchlb6 2>/dev/null ;;
	esac
	return 0
}

# rows CFG: the balancer's table length.
rows() {
	case $1 in
	l4lb | l4lbpp)
		if command -v l4lbctl >/dev/null; then l4lbctl count 2>/dev/null && return 0; fi
		nat_len
		;;
	# (ActiveConn + InActConn of the real servers: reading
	# /proc/net/ip_vs_conn takes minutes with 100k rows under TCG.)
	ipvs | ipvs0) ipvsadm -Ln | awk '/^  -> [0-9]/ { s += $5 + $6 } END { print s + 0 }' ;;
	nft) cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	*) echo 0 ;;
	esac
}

# -------------------------------------------------------------- servers ----

servers_up() {
	# Room for all idle connections of one backend in one worker (nginx
	# allocates the whole array at start).
	NGX_CONNS=$((BIG / 3 + 4096))
	for _ns in cli be1 be2 be3; do
		bg /dev/null "$_ns" sleep 1000000
		echo "$BG_PID" >"/tmp/nspid.$_ns"
	done
	mkdir -p /tmp/www /var/lib/nginx /var/log/nginx
	# 1 KiB page.
	{
		printf '<html><body><pre>\n'
		_i=0
		while [ $_i -lt 15 ]; do
			printf 'l4lb benchmark page, line %02d: 0123456789abcdefghijklmnopqrstu\n' $_i
			_i=$((_i + 1))
		done
		printf '</pre></body></html>\n'
	} | head -c 1024 >/tmp/www/index.html
	for _k in 1 2 3; do
		_d=/tmp/nginx/be$_k
		mkdir -p "$_d"
		cat >"$_d/nginx.conf" <<EOF
user root root;
worker_processes 2;
daemon off;
pid $_d/nginx.pid;
error_log $_d/error.log warn;
worker_rlimit_nofile $((NGX_CONNS + 100));
events { worker_connections $NGX_CONNS; }
http {
	access_log off;
	default_type text/html;
	keepalive_requests 10000000;
	keepalive_timeout 3600s;
	client_header_timeout 3600s;
	server {
		listen 80 backlog=4096;
		listen [::]:80 backlog=4096;	# the *6 configurations
		root /tmp/www;
	}
	# l4lbpp's: each connection starts with a PROXY protocol header,
	# which nginx reads (a connection without one is closed). /pp
	# answers with the client it names.
	server {
		listen $PP_PORT proxy_protocol backlog=4096;
		root /tmp/www;
		location = /pp { return 200 "\$proxy_protocol_addr:\$proxy_protocol_port\n"; }
	}
}
EOF
		n "be$_k" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
		bg "/tmp/nginx-be$_k.log" "be$_k" nginx -p "$_d" -e "$_d/error.log" -c "$_d/nginx.conf"
	done
	bg /tmp/iperf3.log be1 iperf3 -s -p $BULK_PORT
	wait_for 10 'n be1 ss -Hltn | grep -q ":80 " && n be2 ss -Hltn | grep -q ":80 " &&
		n be3 ss -Hltn | grep -q ":80 " && n be1 ss -Hltn | grep -q ":$BULK_PORT " &&
		n be1 ss -Hltn | grep -q ":$PP_PORT " && n be2 ss -Hltn | grep -q ":$PP_PORT " &&
		n be3 ss -Hltn | grep -q ":$PP_PORT " && n be1 ss -Hltn | grep -q "]:80 " &&
		n be2 ss -Hltn | grep -q "]:80 " && n be3 ss -Hltn | grep -q "]:80 "'
}

# ----------------------------------------------------------- workloads ----

# cpu_busy_start / cpu_busy_end: "busy N%" of the VM's CPUs in between.
cpu_busy_start() {
	read -r _c _u _n _s _i _w _q _sq _rest </proc/stat
	_b0=$((_u + _n + _s + _q + _sq)) _a0=$((_u + _n + _s + _q + _sq + _i + _w))
}
cpu_busy_end() {
	read -r _c _u _n _s _i _w _q _sq _rest </proc/stat
	_b1=$((_u + _n + _s + _q + _sq)) _a1=$((_u + _n + _s + _q + _sq + _i + _w))
	echo "busy $(((_b1 - _b0) * 100 / (_a1 - _a0 + 1)))%"
}

# Each workload: W CFG RUN [METRIC-PREFIX]; prints BENCH val or BENCH err.

# tcp_ctr NS: "RetransSegs TCPSynRetrans ListenDrops" of namespace NS.
# (Read through /proc/PID/net of a sleeper in NS: no netns exec.)
tcp_ctr() {
	read -r _np <"/tmp/nspid.$1"
	awk '
		/^Tcp:/ { if (!nth) nth = split($0, th); else for (i = 2; i <= NF; i++) t[th[i]] = $i }
		/^TcpExt:/ { if (!nxh) nxh = split($0, xh); else for (i = 2; i <= NF; i++) x[xh[i]] = $i }
		END { print t["RetransSegs"] + 0, x["TCPSynRetrans"] + 0, x["ListenDrops"] + 0 }' \
		"/proc/$_np/net/snmp" "/proc/$_np/net/netstat"
}

# aux_begin / aux_end CFG METRIC RUN: the client's TCP retransmissions
# (and SYN retransmissions) during a run, and the backends' listen drops.
aux_begin() {
	set -- $(tcp_ctr cli)
	_ar0=$1 _as0=$2
	_ld0=0
	for _k in 1 2 3; do set -- $(tcp_ctr "be$_k"); _ld0=$((_ld0 + $3)); done
	cpu_busy_start
}
aux_end() {
	_cfg=$1 _met=$2 _run=$3
	_busy=$(cpu_busy_end)
	set -- $(tcp_ctr cli)
	_ar=$(($1 - _ar0)) _as=$(($2 - _as0))
	_ld=0
	for _k in 1 2 3; do set -- $(tcp_ctr "be$_k"); _ld=$((_ld + $3)); done
	res aux "$_cfg" "$_met" "$_run" "retrans=$_ar" "synretrans=$_as" "listendrops=$((_ld - _ld0))" "busy=${_busy#busy }"
}

# Connection rate: short requests, no keep-alive (the server closes).
w_connrate() {
	aux_begin
	timeout $((DUR + 30)) /usr/sbin/ip netns exec cli wrk -t2 -c$WRK_CONNS -d"${DUR}s" \
		-H 'Connection: close' "$TGTU" >/tmp/wrk.out 2>&1
	_v=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' /tmp/wrk.out)
	_e=$(grep -E 'Socket errors|Non-2xx' /tmp/wrk.out | tr -s ' ' | tr '\n' ' ')
	if [ -n "$_v" ]; then
		res val "$1" "${3:-}connrate" "$2" "$_v"
		[ -n "$_e" ] && say "$1 ${3:-}connrate run $2: $_e"
	else
		res err "$1" "${3:-}connrate" "$2" "$(tail -n 3 /tmp/wrk.out | tr '\n' ' ')"
	fi
	aux_end "$1" "${3:-}connrate" "$2"
}

# Requests per second on keep-alive connections.
w_keepalive() {
	timeout $((DUR + 30)) /usr/sbin/ip netns exec cli wrk -t2 -c$KA_CONNS -d"${DUR}s" \
		"$TGTU" >/tmp/wrk.out 2>&1
	_v=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' /tmp/wrk.out)
	_e=$(grep -E 'Socket errors|Non-2xx' /tmp/wrk.out | tr -s ' ' | tr '\n' ' ')
	if [ -n "$_v" ]; then
		res val "$1" keepalive "$2" "$_v"
		[ -n "$_e" ] && say "$1 keepalive run $2: $_e"
	else
		res err "$1" keepalive "$2" "$(tail -n 3 /tmp/wrk.out | tr '\n' ' ')"
	fi
}

# Latency of short HTTP/1.0 requests (connect + request + response + close),
# one at a time: ab's percentiles in ms.
w_latency() {
	rm -f /tmp/ab.csv
	timeout 120 /usr/sbin/ip netns exec cli ab -q -n "$LAT_N" -c 1 -e /tmp/ab.csv \
		"$TGTU" >/tmp/ab.out 2>&1
	_p50=$(sed -n 's/^50,\([0-9.]*\).*/\1/p' /tmp/ab.csv 2>/dev/null)
	_p99=$(sed -n 's/^99,\([0-9.]*\).*/\1/p' /tmp/ab.csv 2>/dev/null)
	_failed=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' /tmp/ab.out)
	if [ -n "$_p50" ] && [ -n "$_p99" ] && [ "${_failed:-1}" = 0 ]; then
		res val "$1" lat_p50 "$2" "$_p50"
		res val "$1" lat_p99 "$2" "$_p99"
	else
		res err "$1" lat_p50 "$2" "failed=${_failed:-?} $(tail -n 2 /tmp/ab.out | tr '\n' ' ')"
		res err "$1" lat_p99 "$2" "see lat_p50"
	fi
}

# Bulk throughput, Mbit/s at the receiver; $3 = "" (client sends) or -R.
w_bulk() {
	_m=bulk_up
	[ "${3:-}" = -R ] && _m=bulk_down
	timeout $((DUR + 40)) /usr/sbin/ip netns exec cli iperf3 -c "$TGT" -p $BULK_PORT \
		-t "$DUR" -f m ${3:-} >/tmp/iperf.out 2>&1
	_v=$(awk '/receiver$/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}' /tmp/iperf.out)
	if [ -n "$_v" ]; then
		res val "$1" "$_m" "$2" "$_v"
	else
		res err "$1" "$_m" "$2" "$(tail -n 2 /tmp/iperf.out | tr '\n' ' ')"
	fi
}

# ----------------------------------------------------------------- hold ----

# hold_start NAME N: hold N idle connections from cli (to the VIP, or to
# the three backends for direct); waits until they are all up (bounded).
# Sets HELD.
hold_start() {
	_dst=$VIP:$HTTP_PORT
	[ "$CFG" = direct ] && _dst=10.0.1.1:80,10.0.2.1:80,10.0.3.1:80
	rm -f "/tmp/hold.$1.out"
	aux_begin
	bg "/tmp/hold.$1.out" cli hold -c 64 -t 400 -s "$HOLD_SRCS" "$2" "$_dst"
	echo "$BG_PID" >"/tmp/hold.$1.pid"
	wait_for 420 "grep -q '^held' /tmp/hold.$1.out"
	HELD=$(sed -n 's/^held \([0-9]*\) .*/\1/p' "/tmp/hold.$1.out")
	say "$CFG: hold $1: $(grep '^held' "/tmp/hold.$1.out")"
	aux_end "$CFG" "hold_$1" 0
	[ -n "$HELD" ]
}

hold_stop() {
	read -r _hp <"/tmp/hold.$1.pid" && kill -9 "$_hp" 2>/dev/null && wait_exit 30 "$_hp"
	return 0
}

# slab_snap CFG SNAP: the caches that hold rows, and sums.
slab_snap() {
	awk -v c="$1" -v s="$2" 'NR > 2 {
		b = $15 * $6 * 4096
		all += b
		if ($1 ~ /^kmalloc-/) km += b
		if ($1 == "l4lb_conn" || $1 == "l4lb_conn_ca" || $1 == "ip_vs_conn" || $1 == "nf_conntrack")
			printf "BENCH slab %s %s %s %d %d %d\n", c, s, $1, $2, $4, b
	} END {
		printf "BENCH slab %s %s ALL 0 0 %d\n", c, s, all
		printf "BENCH slab %s %s kmalloc 0 0 %d\n", c, s, km
	}' /proc/slabinfo
}

# fullnat_check CFG: do the backends see only the balancer (10.0.k.254,
# or 2001:db8:k::254 for the *6 configurations)? For l4lbpp also: does
# nginx read the client (10.0.0.2) from the PROXY header ("BENCH proxy")?
fullnat_check() {
	CFG=$1
	cfg_up "$CFG" http || { res fullnat "$CFG" no "setup failed"; cfg_down "$CFG"; return 1; }
	_src=10.0.0.2
	is_v6 "$CFG" && _src=$CLI6
	bg /tmp/fn.out cli hold -t 30 -s "$_src" 6 "$(hostport "$TGT" $HTTP_PORT)"
	_fp=$BG_PID
	wait_for 40 "grep -q '^held' /tmp/fn.out"
	_peers= _full=yes _bp=$(be_port "$CFG")
	for _k in 1 2 3; do
		# (peer "[2001:db8:1::254]:PORT" for IPv6: no port, no brackets)
		_p=$(n "be$_k" /usr/bin/ss -Htn state established "( sport = :$_bp )" |
			awk '{sub(/:[0-9]+$/, "", $4); gsub(/[][]/, "", $4); print $4}' |
			sort -u | tr '\n' ' ')
		_peers="$_peers be$_k:[ ${_p}]"
		[ "$_p" = "$(lb_addr "$CFG" $_k) " ] || _full=no
	done
	res fullnat "$CFG" "$_full" "$(grep '^held' /tmp/fn.out)$_peers"
	if [ "$CFG" = l4lbpp ]; then
		_hdr=$(n cli timeout 20 wget -q -O - "http://$VIP/pp" 2>&1 | head -n 1)
		case $_hdr in
		10.0.0.2:[0-9]*) res proxy "$CFG" yes "nginx got $_hdr" ;;
		*) res proxy "$CFG" no "nginx got '$_hdr', want 10.0.0.2:PORT" ;;
		esac
	fi
	kill -9 "$_fp" 2>/dev/null
	wait_exit 10 "$_fp"
	cfg_down "$CFG"
	[ "$_full" = yes ]
}

# The cost of l4lb's expiry worker, from its own counters (l4lbctl stats:
# gc_runs, gc_nsecs, the time from the start to the end of each run).
# gc_begin reads them; gc_end CFG METRIC prints "BENCH gc CFG METRIC
# MS_PER_S RUNS SECS": the milliseconds the worker took per second of the
# window. Nothing is printed without l4lbctl. (This used the
# function_graph tracer on l4lb_gc_work; under TCG, switching the tracer
# off hung the VM's CPU in the kernel's code patching, a soft lockup.)
# gc_read is in lib.sh.
gc_begin() {
	GC_ON=
	is_l4lb "$CFG" && command -v l4lbctl >/dev/null || return 0
	GC_0=$(gc_read)
	[ -n "$GC_0" ] || return 0
	read -r GC_T0 _ </proc/uptime
	GC_ON=1
}
gc_end() {
	[ -n "$GC_ON" ] || return 0
	GC_ON=
	read -r _t1 _ </proc/uptime
	_g1=$(gc_read)
	[ -n "$_g1" ] || return 0
	# shellcheck disable=SC2086
	set -- "$1" "$2" $GC_0 $_g1
	awk -v c="$1" -v m="$2" -v r0="$3" -v n0="$4" -v r1="$5" -v n1="$6" \
		-v t0="$GC_T0" -v t1="$_t1" 'BEGIN {
		s = t1 - t0
		if (s > 0) printf "BENCH gc %s %s %.3f %d %.1f\n", c, m, (n1 - n0) / 1e6 / s, r1 - r0, s
	}'
}
# gc_idle CFG METRIC: time the worker over GCIDLE idle seconds.
gc_idle() {
	[ "$GCIDLE" -gt 0 ] 2>/dev/null || return 0
	gc_begin
	[ -n "$GC_ON" ] || return 0
	sleep "$GCIDLE"
	gc_end "$1" "$2"
}

# A profile of l4lb under the connection-rate load: perf starts first
# (it is slow to start under TCG), wrk runs, then perf is stopped.
# perf_profile LABEL (l4lb must be up).
perf_profile() {
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	perf record -q -a -e cpu-clock -F 999 -o /tmp/perf.data >/tmp/perf.rec 2>&1 &
	_pp=$!
	sleep 10
	cpu_busy_start
	timeout $((DUR + 30)) /usr/sbin/ip netns exec cli wrk -t2 -c$WRK_CONNS -d"${DUR}s" \
		-H 'Connection: close' "$TGTU" >/tmp/wrk.perf 2>&1
	say "perf $1: wrk during the profile: $(sed -n 's/^Requests\/sec: *//p' /tmp/wrk.perf) req/s, $(cpu_busy_end)"
	kill -INT "$_pp"
	wait_exit 120 "$_pp"
	echo "PERF head $1"
	timeout 300 perf report -i /tmp/perf.data --stdio --sort dso \
		--percent-limit 0.1 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/^/PERF dso /'
	timeout 300 perf report -i /tmp/perf.data --stdio --sort dso,sym \
		--percent-limit 0.2 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60 | sed 's/^/PERF sym /'
	# (perf names l4lb.ko's symbols [kernel.kallsyms] too: pick them by name)
	timeout 300 perf report -i /tmp/perf.data --stdio --sort sym \
		2>/dev/null | grep -E '\] l4lb_' | head -n 25 | sed 's/^/PERF l4lb /'
	rm -f /tmp/perf.data
}

# topo6_up: IPv6 on topo_up's topology: cli 2001:db8::2/64 behind lb's
# 2001:db8::1 (VIP6), beK 2001:db8:K::1/64 behind lb's 2001:db8:K::254,
# and lb forwards. nodad: the addresses can be used at once.
topo6_up() {
	sysctl -qw net.ipv6.conf.all.forwarding=1 &&
		ip addr add $VIP6/64 dev veth-cli nodad &&
		ip -n cli addr add $CLI6/64 dev eth0 nodad &&
		ip -n cli -6 route add default via $VIP6 || return 1
	for _k in 1 2 3; do
		ip addr add "$(lb_addr v6 $_k)/64" dev "veth-be$_k" nodad &&
			ip -n "be$_k" addr add "$(be_addr v6 $_k)/64" dev eth0 nodad &&
			ip -n "be$_k" -6 route add default via "$(lb_addr v6 $_k)" ||
			return 1
	done
}

# ---------------------------------------------------------------- main ----

step "topology"
topo_up || { say "topology failed"; res err all setup 0 "topology"; }
for _a in $(echo "$HOLD_SRCS" | tr ',' ' '); do
	ip -n cli addr add "$_a/24" dev eth0
done
topo6_up || say "IPv6 topology failed"
n cli sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
# The balancer's own ephemeral range: l4lb takes its SNAT ports from
# 1024-65535 less this range (so they never clash with the balancer's own
# sockets): 1024-32767 and 61000-65535 with the default 32768-60999, 36280
# connections per backend, only just enough for 100,000 idle connections
# over 3 backends. This leaves it 1024-60999. (nf_nat's masquerade, for
# IPVS and nftables, ignores this sysctl and uses 1024-65535.)
sysctl -qw net.ipv4.ip_local_port_range="61000 65535"
kmod_load nf_defrag_ipv4 >/dev/null 2>&1
servers_up || say "servers did not all come up"
for _k in 1 2 3; do
	n "be$_k" ss -Hltn | sed "s/^/# be$_k listens: /"
done
n cli wget -q -O /tmp/page.html "http://10.0.1.1/" && say "page: $(wc -c </tmp/page.html) bytes"
n cli wget -q -O /tmp/page6.html "http://[$(be_addr v6 1)]/" &&
	say "page over IPv6: $(wc -c </tmp/page6.html) bytes"

# Full NAT: l4lb and nft are full NAT by design; IPVS needs vs/conntrack=1
# and a masquerade rule. Check each on live connections.
step "full NAT checks"
RUN_CONFIGS=
for CFG in $CONFIGS; do
	case $CFG in
	direct | direct6) RUN_CONFIGS="$RUN_CONFIGS $CFG" ;;
	ipvs | ipvs6)
		if fullnat_check "$CFG"; then
			res info "${CFG}_mode" "full NAT (vs/conntrack=1 + nft masquerade)"
		else
			res info "${CFG}_mode" "plain NAT (masquerade did not apply; backends route replies via lb)"
		fi
		RUN_CONFIGS="$RUN_CONFIGS $CFG"
		;;
	*)
		fullnat_check "$CFG"
		RUN_CONFIGS="$RUN_CONFIGS $CFG"
		;;
	esac
done
# IPVS with vs/conntrack=0 (its default): IPVS marks its packets
# untracked, so no masquerade rule can apply; mainline IPVS has no SNAT of
# its own. Shown, then skipped unless it turns out to be full NAT.
IPVS0_WHY="IPVS with vs/conntrack=0 is not full NAT: it marks its packets untracked, so the masquerade rule never sees them, and mainline IPVS has no SNAT of its own"
if [ -n "$QUICK" ]; then
	res skip ipvs0 "$IPVS0_WHY (not re-checked in QUICK mode)"
elif echo " $CONFIGS " | grep -q ' ipvs '; then
	if fullnat_check ipvs0; then
		RUN_CONFIGS="$RUN_CONFIGS ipvs0"
	else
		res skip ipvs0 "$IPVS0_WHY"
	fi
fi
res info configs "$RUN_CONFIGS"
echo " $RUN_CONFIGS " | grep -q ' l4lb6 ' && res info l4lb6_setup "$L4LB6_SETUP"
# iperf3 -s cannot read a PROXY header (it would take it for its own
# protocol), so l4lbpp has no bulk runs; report.py leaves them out.
if echo " $RUN_CONFIGS " | grep -q ' l4lbpp '; then
	for _m in bulk_up bulk_down; do
		res na l4lbpp $_m "iperf3 cannot read a PROXY header"
	done
fi
say "configurations: $RUN_CONFIGS ($(($(now) - T_START)) s)"

# Main workloads: rounds; in each, every workload runs once on every
# configuration, one configuration after the other (their order rotated
# from round to round), so that the host's changing load hits them alike.
# Switching configurations only changes rules (and loads/unloads l4lb).
stack_load || say "netfilter modules did not all load"
set -- $RUN_CONFIGS
NCFG=$#
r=1
while [ $r -le "$RUNS" ]; do
	set -- $RUN_CONFIGS
	_rot=$(((r - 1) % NCFG))
	while [ $_rot -gt 0 ]; do
		_f=$1
		shift
		set -- "$@" "$_f"
		_rot=$((_rot - 1))
	done
	_t0=$(now)
	for W in connrate keepalive latency bulk_up bulk_down; do
		_ph=http
		case $W in bulk_*) _ph=bulk ;; esac
		for CFG in "$@"; do
			# No bulk runs for l4lbpp (see "BENCH na" above); the
			# IPv6 configurations run connrate and bulk only.
			case $CFG:$W in
			l4lbpp:bulk_* | *6:keepalive | *6:latency) continue ;;
			esac
			step "round $r $W $CFG"
			if cfg_up "$CFG" $_ph; then
				case $W in
				connrate) w_connrate "$CFG" $r ;;
				keepalive) w_keepalive "$CFG" $r ;;
				latency) w_latency "$CFG" $r ;;
				bulk_up) w_bulk "$CFG" $r ;;
				bulk_down) w_bulk "$CFG" $r -R ;;
				esac
				is_l4lb "$CFG" && [ "$W" = connrate ] && command -v l4lbctl >/dev/null &&
					say "$CFG stats: $(l4lbctl stats 2>&1 | tr -s ' \n' ' ')"
			else
				res err "$CFG" "$W" $r "setup failed"
			fi
			cfg_down "$CFG"
		done
	done
	say "round $r: $(($(now) - _t0)) s"
	r=$((r + 1))
done

# Cost at scale and memory. Per configuration (from a freshly loaded
# netfilter stack, except in QUICK mode): SMALL idle connections;
# connection-rate runs; slab snapshot a; BIG - SMALL more idle connections;
# slab snapshot b; connection-rate runs. Memory per row is
# (snapshot b - snapshot a) / (rows b - rows a), rows counted by the
# balancer itself, so rows left by the runs (TIME_WAIT) that expire in
# between leave the ratio alone.
# "direct" only gives the per-connection slab of plain forwarding (the
# sockets), the baseline for the balancers' kmalloc use: it holds BIG/5
# connections and makes no connection-rate runs.
# The IPv6 configurations have no scale phase.
SCALE_CONFIGS=
for CFG in $RUN_CONFIGS; do
	case $CFG in direct | *6) ;; *) SCALE_CONFIGS="$SCALE_CONFIGS $CFG" ;; esac
done
echo " $RUN_CONFIGS " | grep -q ' direct ' && SCALE_CONFIGS="$SCALE_CONFIGS direct"
for CFG in $SCALE_CONFIGS; do
	step "scale $CFG"
	_t0=$(now)
	if [ -z "$QUICK" ]; then
		clean_kernel
		stack_load || say "netfilter modules did not all load"
	fi
	if [ "$CFG" = direct ]; then
		slab_snap direct a
		res rows direct a 0 0
		_n=$((BIG / 5))
		[ $_n -lt "$SMALL" ] && _n=$SMALL
		if hold_start big $_n; then
			sleep 1
			slab_snap direct b
			res rows direct b 0 "$HELD"
		fi
		hold_stop big
		say "scale direct: $(($(now) - _t0)) s"
		continue
	fi
	cfg_up "$CFG" http || { res err "$CFG" small_connrate 0 "setup failed"; cfg_down "$CFG"; continue; }
	if hold_start small "$SMALL"; then
		_small=$HELD
		gc_idle "$CFG" gc_idle_small
		gc_begin
		i=1
		while [ $i -le "$SRUNS" ]; do
			w_connrate "$CFG" $i small_
			i=$((i + 1))
		done
		gc_end "$CFG" gc_load_small
		slab_snap "$CFG" a
		res rows "$CFG" a "$(rows "$CFG")" 0
		if hold_start big $((BIG - SMALL)); then
			_tot=$((_small + HELD))
			sleep 1
			slab_snap "$CFG" b
			_rb=$(rows "$CFG")
			res rows "$CFG" b "$_rb" "$HELD"
			say "$CFG: $_tot held, table length $_rb, $(awk '/^Slab/ {print $2, $3}' /proc/meminfo) slab, $(awk '/^MemAvailable/ {print $2, $3}' /proc/meminfo) available"
			gc_idle "$CFG" gc_idle_big
			gc_begin
			i=1
			while [ $i -le "$SRUNS" ]; do
				w_connrate "$CFG" $i big_
				i=$((i + 1))
			done
			gc_end "$CFG" gc_load_big
		else
			res err "$CFG" big_connrate 0 "hold big failed: $(tail -n 2 /tmp/hold.big.out | tr '\n' ' ')"
		fi
		is_l4lb "$CFG" && command -v l4lbctl >/dev/null &&
			say "$CFG stats at $BIG: $(l4lbctl stats 2>&1 | tr -s ' \n' ' ')"
		[ "$CFG" = l4lb ] && [ "$PERF" = 1 ] && command -v perf >/dev/null &&
			perf_profile "$BIG idle rows"
		hold_stop big
	else
		res err "$CFG" small_connrate 0 "hold small failed: $(tail -n 2 /tmp/hold.small.out | tr '\n' ' ')"
	fi
	hold_stop small
	cfg_down "$CFG"
	say "scale $CFG: $(($(now) - _t0)) s"
done
clean_kernel

# The profile without idle rows (the one with BIG rows is in the scale phase).
if [ "$PERF" = 1 ] && command -v perf >/dev/null && echo " $RUN_CONFIGS " | grep -q ' l4lb '; then
	step "perf"
	CFG=l4lb
	cfg_up l4lb http && perf_profile "no idle rows"
	cfg_down l4lb
fi

say "bench: done in $(($(now) - T_START)) s"
echo "----- bench end -----"
bg_kill_all
