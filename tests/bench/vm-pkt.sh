#!/bin/sh
# /init of the l4lb packet-rate bench VM (busybox sh, PID 1): the kernel
# alone, no user process in the packet path (issue #17). tests/bench/run.sh
# with BENCH_MODE=pkt appends it to the test bed's initramfs and boots it.
#
# pktgen in the client namespace sends 64-byte UDP frames (pkt_size 60 +
# FCS) to the VIP; the balancer (root netns) forwards them; each backend's
# eth0 drops them at tc ingress (matchall, so nothing reaches UDP and no
# ICMP comes back). The rate is the packets the balancer handed to the
# backends (tx_packets of veth-be1..3) per second, over a fixed window.
#
# Configurations: fwd (plain forwarding to be1), l4lb (proto=udp), ipvs
# (ipvsadm -u, -m, vs/conntrack=1 + nft snat), nft (dnat numgen + snat).
# The NAT ones take their source addresses from the same pool of 16
# addresses (10.0.9.1-16), so the port space never fills.
# Workloads: hit (all packets one 5-tuple) and new (each packet a new
# source address and port: 241 addresses x 64510 ports, sequential).
#
# Kernel command line (all optional):
#   pktruns=N      rounds (default 5)
#   pktdur=S       seconds measured per run (default 4), after 1 s warm-up
#   pktconfigs=a,b (default fwd,l4lb,ipvs,nft)
#   pktrows=N,M    idle row levels for the rows phase (default 1000,100000;
#                  "" none); pktbig=N a last level, with the time to read
#                  l4lb's table in its first round (default 0: none). All
#                  levels get tables sized for the largest, and alternate
#                  within each round.
#   pktrowsruns=N  rounds of the rows phase (default pktruns)
#   pktsmpruns=N   rounds of the two-CPU phase (default pktruns)
#   pktperf=1      perf profiles of the hit and new runs; with pktsmp=1
#                  also per-CPU ones of a one- and a two-thread new run
#   pktsmp=1       the two-CPU phase (two pktgen threads)
#   pktbigperf=1   at the pktbig level, first round only: after the timed
#                  runs, one more hit and new run per configuration under
#                  perf (PERF_TAG hitbig, newbig), with l4lb's expiry
#                  worker and /proc/stat over the window (PKT win)
#   pktrunrows=N   the tables of the base, perf and two-CPU phases sized
#                  for N rows (default 1000000), as a user sizes them for a
#                  new-flow load: a run makes up to a million rows (5-6 s
#                  at up to 170,000 a second). With the default 2^16
#                  buckets the chains grow with the rate, and the faster a
#                  balancer the longer its chains.
#   pktquick=1     smoke mode
#
# Output: "# ..." for people; for tests/bench/report_pkt.py:
#   PKT info KEY VALUE...
#   PKT val PHASE CFG WORKLOAD RUN PPS DELIVERED SECS
#       (PHASE: base, perf, smp1, smp2, rowsN, bigperf; DELIVERED: the
#       share of the packets pktgen sent that reached the backends)
#   PKT win PHASE CFG WORKLOAD RUN ROWS SECS GC_MS_PER_S GC_RUNS USR SYS IRQ SOFTIRQ IDLE
#       (the measured window of a pktbigperf run: the table's rows before
#       it, l4lb's expiry worker in ms per second from l4lbctl stats'
#       gc_nsecs and gc_runs ("-" but for l4lb), and /proc/stat's shares
#       of all CPUs' time, %; perf's own time included)
#   PKT err PHASE CFG WORKLOAD RUN TEXT...
#   PKT nat CFG NATTED OTHER        (packets at be1 from the pool / not)
#   PKT fill CFG ROWS_WANTED ROWS SECS
#   PKT slab CFG ROWS BYTES_BEFORE BYTES_AFTER ROWS_BEFORE ROWS_AFTER CACHES
#   PKT read CFG WHAT ROWS SECS
#   PKT perf CFG WORKLOAD PPS CPUS GROUP SHARE_PCT
#   PERF CFG WORKLOAD <perf report line>
#   PERFSYM CFG WORKLOAD <perf report line>   (l4lb's symbols, nf_hook_slow)
#   PERFCPU CFG WORKLOAD <perf report line>   (per CPU: the smp perf runs)
#       (WORKLOAD: hit, new; new1cpu, new2cpu; hitbig, newbig)
# then "----- bench end -----".
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

. /vm/bench/lib.sh # tests/bench/lib.sh: bench_pid1, load_mod
if [ "$$" = 1 ]; then
	bench_pid1 200
fi

. /vm/lib/common.sh
T_NAME=pkt # common.sh's name of this script
export T_NAME
mkdir -p "$TAP_DIR"

RUNS=5 DUR=4 ROWS="1000 100000" BIG=0 PERF=0 SMP=1 QUICK='' RROWS='' RSMP=''
BIGPERF=0
RUNROWS=1000000
CONFIGS="fwd l4lb ipvs nft"
for arg in $(cat /proc/cmdline); do
	case $arg in
	pktruns=*) RUNS=${arg#*=} ;;
	pktdur=*) DUR=${arg#*=} ;;
	pktconfigs=*) CONFIGS=$(echo "${arg#*=}" | tr ',' ' ') ;;
	pktrows=*) ROWS=$(echo "${arg#*=}" | tr ',' ' ') ;;
	pktbig=*) BIG=${arg#*=} ;;
	pktperf=*) PERF=${arg#*=} ;;
	pktbigperf=*) BIGPERF=${arg#*=} ;;
	pktsmp=*) SMP=${arg#*=} ;;
	pktrowsruns=*) RROWS=${arg#*=} ;;
	pktsmpruns=*) RSMP=${arg#*=} ;;
	pktrunrows=*) RUNROWS=${arg#*=} ;;
	pktquick=1) QUICK=1 ;;
	esac
done
RROWS=${RROWS:-$RUNS} RSMP=${RSMP:-$RUNS}

VIP=10.0.0.1
UPORT=9000		# the service's and backends' UDP port
POOL=10.0.9.1-10.0.9.16	# SNAT pool of every NAT configuration
PG=/proc/net/pktgen

say() { read -r _u _ </proc/uptime; echo "# [${_u%.*}s] $*"; }
res() { echo "PKT $*"; }
now() { read -r _u _ </proc/uptime; echo "$_u"; }

T_START=$(now)
NCPU=$(nproc)
res info kernel "$(uname -r)"
res info vcpus "$NCPU"
res info quick "${QUICK:-0}"
res info mem_mib "$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
res info params "runs=$RUNS dur=$DUR rows=$(echo "$ROWS" | tr ' ' ,) rowsruns=$RROWS big=$BIG perf=$PERF smp=$SMP smpruns=$RSMP runrows=$RUNROWS bigperf=$BIGPERF"
say "pkt: kernel $(uname -r), $NCPU vCPUs; runs=$RUNS dur=${DUR}s configs: $CONFIGS rows: $ROWS big: $BIG"

# ------------------------------------------------------------ modules ----

# tab_bits N: log2 of the bucket count a user would give N rows (one
# bucket a row, at least 2^16, IPVS's and l4lb's most 2^20 / 2^24).
tab_bits() {
	_tb=16
	while [ $((1 << _tb)) -lt "$1" ]; do _tb=$((_tb + 1)); done
	echo $_tb
}

# stack_up ROWS: nf_conntrack, nftables NAT and IPVS sized for ROWS rows;
# UDP entries that live an hour (the rows must outlive the run).
stack_up() {
	_bits=$(tab_bits "$1")
	[ "$_bits" -gt 20 ] && _bits=20
	nft_stack_load >/dev/null && load_mod nft_numgen && load_mod nft_nat &&
		load_mod ip_vs conn_tab_bits=$_bits && load_mod ip_vs_rr || return 1
	echo $((1 << $(tab_bits "$1"))) >/proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null
	echo 4194304 >/proc/sys/net/netfilter/nf_conntrack_max
	echo 3600 >/proc/sys/net/netfilter/nf_conntrack_udp_timeout
	echo 3600 >/proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream
}

# stack_down: no balancer and no netfilter state: every table empty.
stack_down() {
	l4lb_loaded && { unload_l4lb >/dev/null || say "rmmod l4lb failed"; }
	[ -e /sys/module/ip_vs/initstate ] && ipvsadm -C 2>/dev/null
	[ -e /sys/module/nf_tables/initstate ] && nft flush ruleset
	# shellcheck disable=SC2086 # a list of names
	_o=$(unload_modules ip_vs_rr ip_vs $NFT_STACK_MODULES) || say "stack down: $_o"
}

# ------------------------------------------------------ configurations ----

# cfg_up CFG ROWS: balancer CFG, VIP:9000/udp round robin over
# be1..be3:9000, its table sized for ROWS rows. Sets TGT.
cfg_up() {
	_cfg=$1 _rows=${2:-0}
	TGT=$VIP
	case $_cfg in
	fwd) TGT=10.0.1.1 ;;
	l4lb)
		_bits=$(tab_bits "$_rows")
		load_l4lb vip=$VIP port=$UPORT proto=udp \
			backends=10.0.1.1:$UPORT,10.0.2.1:$UPORT,10.0.3.1:$UPORT \
			snat_ip=$POOL conn_max=4194304 syn_max=4194304 conn_tab_bits=$_bits \
			timeout_udp=3600 timeout_udp_unreplied=3600 >/dev/null || return 1
		;;
	ipvs)
		stack_up "$_rows" || return 1
		echo 1 >/proc/sys/net/ipv4/vs/conntrack
		ipvsadm --set 0 0 3600 || return 1
		nft -f - <<EOF || return 1
table ip benchmasq {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname { "veth-be1", "veth-be2", "veth-be3" } snat to $POOL
	}
}
EOF
		ipvsadm -A -u "$VIP:$UPORT" -s rr || return 1
		for _k in 1 2 3; do
			ipvsadm -a -u "$VIP:$UPORT" -r "10.0.$_k.1:$UPORT" -m || return 1
		done
		;;
	nft)
		stack_up "$_rows" || return 1
		nft -f - <<EOF || return 1
table ip benchlb {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr $VIP udp dport $UPORT dnat to numgen inc mod 3 map { 0 : 10.0.1.1 . $UPORT, 1 : 10.0.2.1 . $UPORT, 2 : 10.0.3.1 . $UPORT }
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ct status dnat oifname { "veth-be1", "veth-be2", "veth-be3" } snat to $POOL
	}
}
EOF
		;;
	*) say "unknown configuration $_cfg"; return 1 ;;
	esac
}

# rows CFG: the balancer's table length.
rows() {
	case $1 in
	l4lb) l4lbctl count 2>/dev/null || echo 0 ;;
	ipvs) ipvsadm -Ln | awk '/^  -> [0-9]/ { s += $5 + $6 } END { print s + 0 }' ;;
	nft) cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	*) echo 0 ;;
	esac
}

# slab_bytes CFG: bytes in the slab caches that hold CFG's rows, and their names.
slab_bytes() {
	case $1 in
	l4lb) _re='^l4lb' ;;
	ipvs) _re='^(ip_vs_conn|nf_conntrack)$' ;;
	nft) _re='^nf_conntrack$' ;;
	*) _re='^$' ;;
	esac
	awk -v re="$_re" 'NR > 2 && $1 ~ re { b += $15 * $6 * 4096; n = n (n ? "+" : "") $1 }
		END { print b + 0, (n ? n : "-") }' /proc/slabinfo
}

# --------------------------------------------------------------- pktgen ----

# pg_conf FILE: configure cli's pktgen from FILE's lines "THREAD DEV
# KEY VALUE..." (written to /proc/net/pktgen/DEV; THREAD adds DEV to
# kpktgend_THREAD first), in one process in cli's namespace.
pg_conf() {
	awk -v pg=$PG '
		{ if (!($1 SUBSEP $2 in seen)) { seen[$1, $2] = 1
			printf "echo \"add_device %s\" >%s/kpktgend_%s || exit 1\n", $2, pg, $1 }
		  d = $2; $1 = ""; $2 = ""; sub(/^  /, "")
		  printf "echo \"%s\" >%s/%s || { echo \"pktgen %s: %s failed\"; exit 1; }\n", $0, pg, d, d, $0 }
	' "$1" >/tmp/pg.sh
	n cli sh -c "for t in $PG/kpktgend_*; do echo rem_device_all >\$t; done
		i=0; while ls $PG/eth0* >/dev/null 2>&1 && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
		. /tmp/pg.sh"
}

# pg_flow THREAD DEV COUNT KIND: lines for pg_conf: to TGT:9000 from
# KIND one (10.0.0.2:9, or 10.0.0.3:9 for thread 1), new (10.0.0.10-250
# x ports 1024-65533, thread 1: 10.0.0.130-250; NEW_NET=A.B.C: from
# A.B.C.x instead, as pktgen starts every run at the first tuple and a
# second new run on one table must make rows too), fill (COUNT sources from
# 10.1.0.0 up, port 40000: nf_nat maps a source port below 1024 into
# 1-1023, whose few ports a million rows would exhaust; thread 1 is not
# used for fill).
pg_flow() {
	_t=$1 _d=$2
	echo "$_t $_d clone_skb 0"
	echo "$_t $_d burst 1"
	echo "$_t $_d pkt_size 60"
	echo "$_t $_d delay 0"
	echo "$_t $_d count $3"
	echo "$_t $_d dst $TGT"
	echo "$_t $_d dst_mac $CLI_GW_MAC"
	echo "$_t $_d udp_dst_min $UPORT"
	echo "$_t $_d udp_dst_max $UPORT"
	case $4 in
	one)
		echo "$_t $_d src_min 10.0.0.$((2 + _t))"
		echo "$_t $_d src_max 10.0.0.$((2 + _t))"
		echo "$_t $_d udp_src_min 9"
		echo "$_t $_d udp_src_max 9"
		;;
	new)
		if [ "$SPLIT" = 1 ]; then
			[ "$_t" = 0 ] && echo "$_t $_d src_min ${NEW_NET:-10.0.0}.10" && echo "$_t $_d src_max ${NEW_NET:-10.0.0}.129"
			[ "$_t" = 1 ] && echo "$_t $_d src_min ${NEW_NET:-10.0.0}.130" && echo "$_t $_d src_max ${NEW_NET:-10.0.0}.250"
		else
			echo "$_t $_d src_min ${NEW_NET:-10.0.0}.10"
			echo "$_t $_d src_max ${NEW_NET:-10.0.0}.250"
		fi
		echo "$_t $_d udp_src_min 1024"
		echo "$_t $_d udp_src_max 65534"
		;;
	fill)
		echo "$_t $_d src_min 10.1.0.0"
		echo "$_t $_d src_max $(awk -v n="$3" 'BEGIN { a = 0x0a010000 + n - 1;
			printf "%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256 }')"
		echo "$_t $_d udp_src_min 40000"
		echo "$_t $_d udp_src_max 40000"
		;;
	esac
}

# delivered: packets the balancer handed to the backends so far.
delivered() {
	_s=0
	for _k in 1 2 3; do
		read -r _v </sys/class/net/veth-be$_k/statistics/tx_packets
		_s=$((_s + _v))
	done
	echo $_s
}

# pg_sent: packets pktgen sent (all devices of cli), from its counters.
pg_sent() {
	n cli sh -c "cat $PG/eth0* 2>/dev/null" | awk '/^ *pkts-sofar:/ { s += $2 } END { print s + 0 }'
}

# measure PHASE CFG WL RUN THREADS: one timed run of workload WL (hit,
# new) with pktgen on THREADS threads (1 or 2): the packets delivered over
# DUR seconds after a warm-up second (6 s under perf, which is slow to
# start); prints PKT val with the rate, and the share of the packets sent
# over the whole run that reached the backends. With WIN_STAT=1 also PKT
# win (win_stat) for the window.
measure() {
	_ph=$1 _cfg=$2 _wl=$3 _run=$4 _thr=$5
	_kind=one
	[ "$_wl" = new ] && _kind=new
	: >/tmp/pg.conf
	SPLIT=$((_thr > 1))
	_t=0
	while [ $_t -lt "$_thr" ]; do
		pg_flow $_t "eth0@$_t" 0 $_kind >>/tmp/pg.conf
		_t=$((_t + 1))
	done
	pg_conf /tmp/pg.conf >/tmp/pg.err 2>&1 || { res err "$_ph" "$_cfg" "$_wl" "$_run" "pktgen: $(tr '\n' ' ' </tmp/pg.err)"; return 1; }
	[ -n "${WIN_STAT:-}" ] && _wr=$(rows "$_cfg")
	_cp=$(delivered)
	n cli sh -c "echo start >$PG/pgctrl" >/tmp/pg.run 2>&1 &
	_pgp=$!
	if [ -n "${PERF_ON:-}" ]; then
		perf_begin
		sleep 6
	else
		sleep 1
	fi
	[ -n "${WIN_STAT:-}" ] && _w0=$(win_stat "$_cfg")
	_c0=$(delivered) _t0=$(now)
	sleep "$DUR"
	_c1=$(delivered) _t1=$(now)
	[ -n "${WIN_STAT:-}" ] && _w1=$(win_stat "$_cfg")
	_pps=$(awk -v c="$_c1" -v c0="$_c0" -v a="$_t0" -v b="$_t1" 'BEGIN { d = b - a; if (d <= 0) d = 0.01; printf "%.0f", (c - c0) / d }')
	[ -n "${PERF_ON:-}" ] && perf_end "$_cfg" "${PERF_TAG:-$_wl}" "$_pps"
	n cli sh -c "echo stop >$PG/pgctrl"
	wait_exit 30 $_pgp
	_sent=$(pg_sent)
	awk -v cp="$_cp" -v c="$(delivered)" -v a="$_t0" -v b="$_t1" -v s="$_sent" -v pps="$_pps" \
		-v ph="$_ph" -v cfg="$_cfg" -v wl="$_wl" -v r="$_run" 'BEGIN {
		printf "PKT val %s %s %s %s %s %.3f %.2f\n", ph, cfg, wl, r, pps, (s > 0 ? (c - cp) / s : 0), b - a }'
	[ -n "${WIN_STAT:-}" ] && win_print "$_ph" "$_cfg" "$_wl" "$_run" "$_wr" "$_w0" "$_w1"
	return 0
}

# win_stat CFG: "UPTIME GC_RUNS GC_NSECS" (l4lb's expiry worker, from
# l4lbctl stats; "- -" for the others) and /proc/stat's first line's
# counters (user nice system idle iowait irq softirq steal ...).
win_stat() {
	_g=
	[ "$1" = l4lb ] && _g=$(gc_read)
	echo "$(now) ${_g:-- -} $(awk 'NR == 1 { $1 = ""; print; exit }' /proc/stat)"
}

# win_print PHASE CFG WL RUN ROWS W0 W1: PKT win from two win_stat lines.
win_print() {
	awk -v ph="$1" -v cfg="$2" -v wl="$3" -v r="$4" -v rows="$5" -v a="$6" -v b="$7" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		s = y[1] - x[1]
		if (s <= 0) s = 0.01
		gms = "-"; gr = "-"
		if (x[2] != "-" && y[2] != "-") { gms = sprintf("%.3f", (y[3] - x[3]) / 1e6 / s); gr = y[2] - x[2] }
		t = 0
		for (i = 4; i <= 11; i++) { d[i] = y[i] - x[i]; t += d[i] }
		if (t <= 0) t = 1
		printf "PKT win %s %s %s %s %s %.2f %s %s %.1f %.1f %.1f %.1f %.1f\n", ph, cfg, wl, r, rows, s, gms, gr,
			(d[4] + d[5]) * 100 / t, d[6] * 100 / t, d[9] * 100 / t, d[10] * 100 / t, (d[7] + d[8]) * 100 / t }'
}

# nat_begin / nat_end CFG: how many packets reached be1 from the SNAT pool
# (10.0.9.0/24) and how many from elsewhere: full NAT means none from
# elsewhere for the balancers.
tc_pkts() {
	n be1 tc -s filter show dev eth0 ingress | awk -v p="$1" '
		$0 ~ "pref " p " " { on = 1 } on && /Sent/ { for (i = 1; i < NF; i++) if ($(i+1) == "pkt") { print $i; exit } }'
}

# ----------------------------------------------------------------- perf ----

perf_begin() {
	perf record -q -a -e cpu-clock -F 999 -o /tmp/perf.data >/tmp/perf.rec 2>&1 &
	_perfp=$!
}
# perf_end CFG WL PPS: stop perf; print the shares (% of all CPU time,
# idle included) of l4lb's symbols (its expiry worker, l4lb_conn_sweep and
# l4lb_gc_*, apart: it runs in a worker, not per packet), IPVS's,
# conntrack/NAT's, nftables' and pktgen's, and the top symbols. ns per packet of a group =
# share x CPUs x 1e9 / PPS (report_pkt.py).
perf_end() {
	kill -INT "$_perfp" 2>/dev/null
	wait_exit 120 "$_perfp"
	timeout 300 perf report -i /tmp/perf.data --stdio --sort sym --percent-limit 0 2>/dev/null |
		grep '%' | grep -v '^#' >/tmp/perf.sym
	awk -v c="$1" -v w="$2" -v p="$3" -v n="$NCPU" '
		{ v = $1; sub(/%/, "", v); sym = $NF
		  g = ""
		  if (sym ~ /^l4lb_(conn_sweep|gc_)/) g = "l4lb_gc"
		  else if (sym ~ /^l4lb_/) g = "l4lb"
		  else if (sym ~ /^_*ip_vs_/) g = "ipvs"
		  else if (sym ~ /^_*(nf_conntrack|nf_ct_|nf_nat|ipv4_conntrack|nf_confirm|hash_conntrack|init_conntrack|resolve_normal_ct|nf_l4proto|udp_packet|nf_ip_checksum|nf_checksum)/) g = "ct_nat"
		  else if (sym ~ /^_*(nft_|nf_tables)/) g = "nft"
		  else if (sym ~ /^_*(pktgen|mod_cur_headers|fill_packet)/) g = "pktgen"
		  if (g != "") t[g] += v
		  all += v }
		END { for (g in t) printf "PKT perf %s %s %s %d %s %.2f\n", c, w, p, n, g, t[g]
		      printf "PKT perf %s %s %s %d all %.2f\n", c, w, p, n, all }' /tmp/perf.sym
	head -n 25 /tmp/perf.sym | sed "s/^/PERF $1 $2 /"
	# Every symbol of l4lb's, and the netfilter hook calls around it.
	grep -E ' (l4lb_|nf_hook_slow|ipv4_conntrack_defrag)' /tmp/perf.sym | sed "s/^/PERFSYM $1 $2 /"
	if [ -n "${PERF_BYCPU:-}" ]; then
		timeout 300 perf report -i /tmp/perf.data --stdio --sort cpu,sym --percent-limit 0.4 2>/dev/null |
			grep '%' | grep -v '^#' | head -n 60 | sed "s/^/PERFCPU $1 $2 /"
	fi
	rm -f /tmp/perf.data
}

# ----------------------------------------------------------------- fill ----

# fill CFG N: N idle rows: N packets of distinct tuples (10.1.x.y:7),
# repeated (at most 4 passes) until the table holds them; prints PKT fill.
fill() {
	_f0=$(now) _pass=0
	_r0=$(rows "$1")
	while [ $_pass -lt 4 ]; do
		pg_flow 0 eth0@0 "$2" fill >/tmp/pg.conf
		pg_conf /tmp/pg.conf >/tmp/pg.err 2>&1 || { say "fill: $(cat /tmp/pg.err)"; break; }
		n cli sh -c "echo start >$PG/pgctrl"
		_pass=$((_pass + 1))
		_r=$(rows "$1")
		[ "$1" = fwd ] && break
		[ $((_r - _r0)) -ge $(($2 * 99 / 100)) ] && break
	done
	_r=$(rows "$1")
	res fill "$1" "$2" "$((_r - _r0))" "$(awk -v a="$_f0" -v b="$(now)" 'BEGIN { print b - a }')" "passes=$_pass"
}

# ---------------------------------------------------------------- main ----

step "topology"
topo_up || { say "topology failed"; res err setup all all 0 topology; }
# Spoofed sources (10.0.0.10-250, 10.1.0.0/16): no reverse-path filter.
for _f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$_f"; done
for _a in $(seq 1 16); do ip addr add "10.0.9.$_a/32" dev veth-be1; done
CLI_GW_MAC=$(cat /sys/class/net/veth-cli/address)
# The backends drop every IPv4 packet at tc ingress (ARP passes); pref 1
# counts those from the SNAT pool, pref 2 the others.
for _k in 1 2 3; do
	n "be$_k" tc qdisc add dev eth0 ingress &&
		n "be$_k" tc filter add dev eth0 ingress protocol ip pref 1 u32 \
			match ip src 10.0.9.0/24 action drop &&
		n "be$_k" tc filter add dev eth0 ingress protocol ip pref 2 matchall action drop ||
		res err setup all all 0 "tc on be$_k"
	# lb learns the backends' MACs now, not in the first timed second.
	ping -c 1 -W 2 "10.0.$_k.1" >/dev/null 2>&1
done
ping -c 1 -W 2 10.0.0.2 >/dev/null 2>&1
load_mod pktgen || res err setup all all 0 "no pktgen"
# pktgen's threads at nice 19: when receive processing falls behind and
# moves to ksoftirqd, the sender yields to it instead of taking half the
# CPU to fill the backlog with packets that are then dropped.
for _c in /proc/[0-9]*/comm; do
	case $(cat "$_c" 2>/dev/null) in
	kpktgend_*) _p=${_c#/proc/}; renice 19 -p "${_p%/comm}" >/dev/null ;;
	esac
done
kmod_load nf_defrag_ipv4 >/dev/null 2>&1
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
command -v perf >/dev/null || PERF=0 BIGPERF=0
res info configs "$(echo $CONFIGS | tr -s ' ')"
say "setup done ($(($(now | cut -d. -f1) - ${T_START%.*})) s)"

# Full NAT: per NAT configuration, a short burst; be1 must see it only
# from the pool.
step "full NAT"
for CFG in $CONFIGS; do
	[ "$CFG" = fwd ] && continue
	cfg_up "$CFG" 0 || { res nat "$CFG" setup-failed 0; stack_down; continue; }
	_a1=$(tc_pkts 1) _a2=$(tc_pkts 2)
	pg_flow 0 eth0@0 300 new >/tmp/pg.conf
	pg_conf /tmp/pg.conf >/dev/null 2>&1 && n cli sh -c "echo start >$PG/pgctrl"
	res nat "$CFG" $(($(tc_pkts 1) - _a1)) $(($(tc_pkts 2) - _a2))
	stack_down
done

# The base phase: ROUNDS, each every configuration (order rotated) and
# both workloads, from empty tables.
step "base"
set -- $CONFIGS
NCFG=$#
r=1
while [ "$r" -le "$RUNS" ]; do
	set -- $CONFIGS
	_rot=$(((r - 1) % NCFG))
	while [ $_rot -gt 0 ]; do _f=$1; shift; set -- "$@" "$_f"; _rot=$((_rot - 1)); done
	for CFG in "$@"; do
		for W in hit new; do
			if cfg_up "$CFG" "$RUNROWS"; then
				measure base "$CFG" $W $r 1
				[ "$CFG" = l4lb ] && [ $r = 1 ] && say "l4lb after $W: rows $(rows l4lb); $(l4lbctl stats 2>&1 | tr -s ' \n' ' ' | cut -c1-400)"
			else
				res err base "$CFG" $W $r "setup failed"
			fi
			stack_down
		done
	done
	say "round $r done ($(now) s)"
	r=$((r + 1))
done

# Profiles: one hit and one new run per configuration under perf.
if [ "$PERF" = 1 ]; then
	step "perf"
	for CFG in $CONFIGS; do
		for W in hit new; do
			cfg_up "$CFG" "$RUNROWS" && PERF_ON=1 measure perf "$CFG" $W 1 1
			PERF_ON=
			stack_down
		done
	done
fi

# Two CPUs: two pktgen threads (kpktgend_0, kpktgend_1), each receiving
# on its own CPU; the same rounds, paired with a one-thread run.
if [ "$SMP" = 1 ] && [ "$NCPU" -ge 2 ]; then
	step "smp"
	r=1
	while [ "$r" -le "$RSMP" ]; do
		for CFG in $CONFIGS; do
			for W in hit new; do
				for _thr in 1 2; do
					if cfg_up "$CFG" "$RUNROWS"; then
						measure "smp$_thr" "$CFG" $W $r $_thr
					else
						res err "smp$_thr" "$CFG" $W $r "setup failed"
					fi
					stack_down
				done
			done
		done
		r=$((r + 1))
	done
fi

# Per-CPU profiles of the new-flow runs on one and two threads.
if [ "$PERF" = 1 ] && [ "$SMP" = 1 ] && [ "$NCPU" -ge 2 ]; then
	step "smp perf"
	for CFG in $CONFIGS; do
		for _thr in 1 2; do
			cfg_up "$CFG" "$RUNROWS" && PERF_ON=1 PERF_TAG=new${_thr}cpu PERF_BYCPU=1 measure "smpperf$_thr" "$CFG" new 1 $_thr
			PERF_ON='' PERF_TAG='' PERF_BYCPU=''
			stack_down
		done
	done
fi

# Rows: the same runs with N idle rows already in the table. Every level
# gets the table a user would size for the largest (so the levels differ
# only in their rows), and the levels alternate within each round (order
# rotated), so that the largest level is paired with the smallest in the
# same round. Per configuration and level: fill, the hit run, then the
# new run on the same table.
LEVELS=$ROWS
[ "$BIG" -gt 0 ] 2>/dev/null && LEVELS="$LEVELS $BIG"
SIZE=0
for N in $LEVELS; do [ "$N" -gt "$SIZE" ] && SIZE=$N; done
[ -n "$LEVELS" ] && step "rows $(echo $LEVELS | tr ' ' ,), tables sized for $SIZE"
r=1
while [ -n "$LEVELS" ] && [ "$r" -le "$RROWS" ]; do
	set -- $LEVELS
	_rot=$(((r - 1) % $#))
	while [ $_rot -gt 0 ]; do _f=$1; shift; set -- "$@" "$_f"; _rot=$((_rot - 1)); done
	for N in "$@"; do
		for CFG in $CONFIGS; do
			[ "$CFG" = fwd ] && continue
			cfg_up "$CFG" "$SIZE" || { res err "rows$N" "$CFG" hit $r "setup failed"; stack_down; continue; }
			# shellcheck disable=SC2046 # two words: bytes, caches
			set -- $(slab_bytes "$CFG")
			_sb0=$1 _rb0=$(rows "$CFG")
			fill "$CFG" "$N"
			# shellcheck disable=SC2046 # two words: bytes, caches
			set -- $(slab_bytes "$CFG")
			[ "$r" = 1 ] && res slab "$CFG" "$N" "$_sb0" "$1" "$_rb0" "$(rows "$CFG")" "$2"
			if [ "$N" = "$BIG" ] && [ "$r" = 1 ] && [ "$CFG" = l4lb ]; then
				_t0=$(now)
				_n=$(timeout 600 cat /proc/l4lb/nat | wc -l)
				res read l4lb proc_nat_lines "$_n" "$(awk -v a="$_t0" -v b="$(now)" 'BEGIN { print b - a }')"
				_t0=$(now)
				_n=$(timeout 600 l4lbctl -j nat 2>/dev/null | wc -c)
				res read l4lb ctl_json_nat_bytes "$_n" "$(awk -v a="$_t0" -v b="$(now)" 'BEGIN { print b - a }')"
			fi
			for W in hit new; do
				measure "rows$N" "$CFG" $W $r 1
			done
			# pktbigperf: both once more under perf, on the same table
			# (with the rows the timed new run made); the new run from
			# other sources (10.200.0.x), or its first packets would hit
			# the rows of the timed one.
			if [ "$BIGPERF" = 1 ] && [ "$N" = "$BIG" ] && [ "$r" = 1 ]; then
				PERF_ON=1 PERF_TAG=hitbig WIN_STAT=1 measure bigperf "$CFG" hit 1 1
				PERF_ON=1 PERF_TAG=newbig WIN_STAT=1 NEW_NET=10.200.0 measure bigperf "$CFG" new 1 1
				PERF_ON='' PERF_TAG='' WIN_STAT='' NEW_NET=''
			fi
			say "rows $N $CFG: table $(rows "$CFG"), $(awk '/^Slab/ {print $2, $3}' /proc/meminfo) slab"
			stack_down
		done
	done
	r=$((r + 1))
done

say "pkt: done in $(awk -v a="$T_START" -v b="$(now)" 'BEGIN { printf "%d", b - a }') s"
echo "----- bench end -----"
bg_kill_all
