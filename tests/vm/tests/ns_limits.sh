#!/bin/sh
# ns_limits: what an unprivileged user can make l4lb hold is bounded by
# svc_max and backend_max, and charged to that user's memory cgroup
# (issue #15). Any user can own a network namespace with `unshare -Urn`
# and be root in it, with CAP_NET_ADMIN over its balancer.
#
#   insmod l4lb.ko vip=10.0.0.1 ... conn_max=2000000 conn_tab_bits=17
#
# 1. As user nobody in cgroup l4lb-svc, in its own user and network
#    namespaces, `svcmany -n 20000`: 4,096 services (svc_max's default)
#    are created, the other 15,904 refused with ENOSPC and "service limit
#    reached (svc_max=4096)". The cgroup's memory.current grows by at
#    least 4,096 x 256 bytes (a service is a 256-byte kmalloc object, and
#    has more: its backend array, its scheduler), and shrinks again once
#    the namespace is gone. That namespace's conn_max is the default,
#    1048576, not the host's 2000000.
# 2. Rows: nobody's namespace in cgroup l4lb-rows has one service; root
#    sends it 30,000 spoofed SYNs through a veth. Each makes a row in
#    softirq, with no task of nobody's around, and yet the rows are
#    charged to l4lb-rows: its memory.current grows by at least half of
#    rows x the row cache's object size (see the comment there).
# 3. memory.max: in cgroup l4lb-small (memory.max 16 MiB) nobody asks for
#    1,000 mh services (a Maglev table each, 128 KiB or more): some are
#    created, every other one is refused with ENOMEM and "out of memory",
#    the cgroup's OOM killer never runs, and the memory is given back
#    when the namespace goes.
# 4. Reloaded with svc_max=10 backend_max=50, in a namespace of root's:
#    20 services and 8 backends each are asked for; 10 services and 50
#    backends are created, the rest refused with ENOSPC and the limits'
#    messages.
. /vm/lib/common.sh
. /vm/lib/limits.sh
plan 17
require_l4lbctl

MiB=1048576

step "cgroup v2 and unprivileged user namespaces"
cg_up || die "cgroup v2 with the memory controller"
userns_ok || die "user nobody can unshare -Urn"
kmsg_mark "ns_limits"
load_l4lb vip="$VIP" port="$VPORT" backends="$BACKENDS" conn_max=2000000 \
	conn_tab_bits=17 || die "l4lb up"
ok "l4lb up with conn_max=2000000 conn_tab_bits=17"

# ---- 1. 20,000 services asked for, svc_max created ------------------------
step "nobody asks for 20,000 services"
cg_new l4lb-svc $((256 * MiB)) || die "cgroup l4lb-svc"
cat >/tmp/ns1.sh <<'EOF'
m0=$(cat /sys/fs/cgroup/l4lb-svc/memory.current)
svcmany -n 20000 -o /tmp/ns1.svcmany
echo "svcmany exit $?"
m1=$(cat /sys/fs/cgroup/l4lb-svc/memory.current)
echo "mem $m0 $m1"
echo "stat $(grep -E '^(slab|kernel|percpu) ' /sys/fs/cgroup/l4lb-svc/memory.stat | tr '\n' ' ')"
echo "uid $(id -u) caps $(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
echo "conn_max $(l4lbctl stats | awk '$1 == "conn_max" { print $2 }')"
echo "services $(l4lbctl -j service | jq length)"
EOF
t0=$(now_s)
userns l4lb-svc sh /tmp/ns1.sh >/tmp/ns1.out 2>&1
diag "in $(num_sub "$(now_s)" "$t0") s, as nobody in user+net namespaces:"
diag_file /tmp/ns1.out
diag_file /tmp/ns1.svcmany
expect_eq "nobody's namespace: 4096 of 20000 services created" \
	"services created 4096 refused 15904" "$(head -n 1 /tmp/ns1.svcmany)"
want='services errno 28 (No space left on device) count 15904 first 4096 msg "service limit reached (svc_max=4096)"'
expect_eq "the 15904 others refused: ENOSPC, \"service limit reached (svc_max=4096)\"" \
	"$want" "$(grep ' errno ' /tmp/ns1.svcmany)"
expect_eq "l4lbctl in that namespace lists 4096 services" \
	"services 4096" "$(grep '^services ' /tmp/ns1.out)"
expect_eq "that namespace's conn_max is the default 1048576, the host's 2000000" \
	"conn_max 1048576 / 2000000" \
	"$(grep '^conn_max ' /tmp/ns1.out) / $(l4lbctl stats | awk '$1 == "conn_max" { print $2 }')"
set -- $(grep '^mem ' /tmp/ns1.out)
m0=${2:-0} m1=${3:-0}
grew=$((m1 - m0))
diag "memory.current $m0 -> $m1: +$grew bytes, $((grew / 4096)) per service"
if [ "$grew" -ge $((4096 * 256)) ] && [ "$grew" -le $((64 * MiB)) ]; then
	ok "nobody's memory cgroup is charged for the services: +$grew bytes >= 4096 x 256"
else
	fail "nobody's memory cgroup is charged for the services: +$grew bytes >= 4096 x 256"
fi
# The namespace went with the shell; its cleanup runs in a worker.
if wait_for 30 '[ "$(cg_mem l4lb-svc)" -le $((m1 - 4096 * 256)) ]'; then
	ok "the charge goes back when nobody's namespace goes"
else
	fail "the charge goes back when nobody's namespace goes" \
		"memory.current $(cg_mem l4lb-svc), was $m1"
fi

# ---- 2. rows, made in softirq, charged to the table's creator -------------
step "nobody's namespace with one service"
cg_new l4lb-rows max || die "cgroup l4lb-rows"
cat >/tmp/ns2.sh <<'EOF'
echo "pid $$"
l4lbctl service set vip 10.0.0.1 port 20000 timeout syn 600 &&
	l4lbctl backend add 10.0.1.1:10000 &&
	l4lbctl backend add 10.0.1.2:10000 &&
	echo ready && exec sleep 100000
EOF
userns l4lb-rows sh /tmp/ns2.sh >/tmp/ns2.out 2>&1 &
echo $! >>"$TAP_DIR/bg.pids"
wait_for 20 'grep -q "^ready" /tmp/ns2.out'
P=$(sed -n 's/^pid //p' /tmp/ns2.out)
echo "$P" >>"$TAP_DIR/bg.pids"
# Root wires it up: fl 10.0.0.2 --- eth0 10.0.0.1 (VIP) [nobody's]
# be0 10.0.1.254 --- be1, the backends' MACs static, so the translated
# SYNs leave at once and die at be1.
if grep -q "^ready" /tmp/ns2.out && [ -n "$P" ] &&
	ip netns add fl &&
	ip link add fl0 type veth peer name eth0 &&
	ip link set eth0 netns "$P" && ip link set fl0 netns fl &&
	ip -n fl addr add 10.0.0.2/24 dev fl0 && ip -n fl link set fl0 up &&
	ip -n fl link set lo up &&
	in_netns "$P" /usr/sbin/ip link set lo up &&
	in_netns "$P" /usr/sbin/ip addr add 10.0.0.1/24 dev eth0 &&
	in_netns "$P" /usr/sbin/ip link set eth0 up &&
	in_netns "$P" /usr/sbin/ip link add be0 type veth peer name be1 &&
	in_netns "$P" /usr/sbin/ip addr add 10.0.1.254/24 dev be0 &&
	in_netns "$P" /usr/sbin/ip link set be0 up &&
	in_netns "$P" /usr/sbin/ip link set be1 up &&
	in_netns "$P" /usr/sbin/ip neigh add 10.0.1.1 lladdr 02:00:00:00:01:01 dev be0 &&
	in_netns "$P" /usr/sbin/ip neigh add 10.0.1.2 lladdr 02:00:00:00:01:02 dev be0 &&
	in_netns "$P" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'; then
	ok "nobody's namespace: a service with two backends, wired to fl by root"
else
	fail "nobody's namespace: a service with two backends, wired to fl by root"
	diag_file /tmp/ns2.out
fi

step "root floods nobody's service"
rows0=$(in_netns "$P" l4lbctl count)
m0=$(cg_mem l4lb-rows)
ip netns exec fl flood -p tcp -a 60 -P 500 -b 10.0.0.10 -r 5000 10.0.0.1 20000 \
	>/tmp/flood.out 2>&1
wait_still 30 1 in_netns "$P" l4lbctl count
rows=$(($(in_netns "$P" l4lbctl count) - rows0))
m1=$(cg_mem l4lb-rows)
grew=$((m1 - m0))
# The row cache's object size (the kernel boots with slab_nomerge, so the
# cache is l4lb's own).
size=$(cat /sys/kernel/slab/l4lb_conn/slab_size 2>/dev/null || echo 128)
diag "flood: $(cat /tmp/flood.out); rows: $rows; object $size bytes;" \
	"memory.current $m0 -> $m1: +$grew bytes, $((grew / (rows > 0 ? rows : 1))) per row;" \
	"memory.stat: $(cg_stat l4lb-rows slab kernel)"
in_netns "$P" l4lbctl stats | grep -E '^(drop_|half_open|conns)' | tr '\n' ' ' | sed 's/^/# stats: /'
echo
if [ "$rows" -ge 20000 ]; then
	ok "the flood made $rows rows (>= 20000)"
else
	fail "the flood made $rows rows (>= 20000)"
fi
# A row is charged its object size plus the obj_cgroup pointer beside it,
# counted in bytes through per-CPU stocks: memory.current moves in pages,
# and each CPU's stock may hold a batch (64 pages, 256 KiB) charged ahead
# or not yet given back, so small counts are off by up to about 0.5 MiB
# either way. With >= 20,000 rows the full charge is >= 2.4 MiB: half of
# it is clear of that noise, and far above the nothing that uncharged
# rows cost the cgroup.
if [ "$rows" -gt 0 ] && [ "$grew" -ge $((rows * size / 2)) ]; then
	ok "the rows are charged to nobody's cgroup: +$grew bytes >= $rows x $size / 2"
else
	fail "the rows are charged to nobody's cgroup: +$grew bytes >= $rows x $size / 2"
fi
kill "$P" 2>/dev/null
ip netns del fl 2>/dev/null

# ---- 3. memory.max enforced ------------------------------------------------
step "nobody asks for 1000 mh services under memory.max 16 MiB"
cg_new l4lb-small $((16 * MiB)) || die "cgroup l4lb-small"
userns l4lb-small svcmany -n 1000 -s mh -o /tmp/ns3.svcmany >/tmp/ns3.err 2>&1
rc=$?
diag "svcmany exit $rc; memory.events: $(tr '\n' ' ' <$CG_ROOT/l4lb-small/memory.events)"
diag_file /tmp/ns3.svcmany
diag_file /tmp/ns3.err 5
set -- $(head -n 1 /tmp/ns3.svcmany)
created=${3:-0} refused=${5:-0}
want="services errno 12 (Cannot allocate memory) count $refused first $created msg \"out of memory\""
if [ "$rc" = 0 ] && [ "$created" -gt 0 ] && [ "$created" -lt 1000 ] &&
	[ $((created + refused)) = 1000 ] &&
	[ "$(grep ' errno ' /tmp/ns3.svcmany)" = "$want" ]; then
	ok "memory.max: $created mh services created, the other $refused refused with ENOMEM"
else
	fail "memory.max: some mh services created, the others refused with ENOMEM" "want: $want"
fi
if [ "$(cg_event l4lb-small oom_kill)" = 0 ] && [ "$(cg_event l4lb-small max)" -gt 0 ]; then
	ok "memory.max was reached, and no process was OOM-killed"
else
	fail "memory.max was reached, and no process was OOM-killed"
fi
if wait_for 30 '[ "$(cg_mem l4lb-small)" -le $((2 * MiB)) ]'; then
	ok "the charge goes back when the namespace goes ($(cg_mem l4lb-small) bytes left)"
else
	fail "the charge goes back when the namespace goes" "memory.current $(cg_mem l4lb-small)"
fi

# ---- 4. svc_max and backend_max set lower ----------------------------------
step "reload with svc_max=10 backend_max=50"
unload_l4lb || die "rmmod l4lb"
load_l4lb vip="$VIP" port="$VPORT" backends="$BACKENDS" svc_max=10 backend_max=50 ||
	die "insmod with svc_max=10 backend_max=50"
ip netns add lim
ip netns exec lim svcmany -n 20 -k 8 >/tmp/ns4.out 2>&1
diag_file /tmp/ns4.out
expect_eq "svc_max=10: 10 services created, 10 refused with ENOSPC and its message" \
	"services created 10 refused 10
services errno 28 (No space left on device) count 10 first 10 msg \"service limit reached (svc_max=10)\"" \
	"$(grep '^services ' /tmp/ns4.out)"
expect_eq "backend_max=50: 50 of 80 backends created, 30 refused with ENOSPC and its message" \
	"backends created 50 refused 30
backends errno 28 (No space left on device) count 30 first 50 msg \"backend limit reached (backend_max=50)\"" \
	"$(grep '^backends ' /tmp/ns4.out)"
ip netns del lim

step "clean up"
for cg in l4lb-svc l4lb-rows l4lb-small; do
	rmdir "$CG_ROOT/$cg" 2>/dev/null
done
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ns_limits"
