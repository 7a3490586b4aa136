#!/bin/bash
# mkinitramfs.sh OUT - build the gzip cpio initramfs of the l4lb test VM.
#
# The image holds busybox (with applet links), iproute2 (ip, ss), socat,
# nft, iptables (nft variant), util-linux setpriv, unshare and nsenter, jq
# (which the tests read l4lbctl's JSON with), tc, nginx, bird and birdc where
# the host has them, their shared libraries, the
# kernel modules the tests need (with dependencies, in load order), l4lb.ko
# and l4lbctl if they were built, the test programs of tests/apps, the
# helper libraries tests/vm/lib/*.sh (as /vm/lib/), the tests
# tests/vm/tests/*.sh (as /vm/tests/) and /init (tests/vm/init).
#
# Environment:
#   KVER           kernel version (default: newest /boot/vmlinuz-* with modules)
#   L4LB_KO        module to include (default: kmod/l4lb.ko, skipped if absent)
#   L4LBCTL        control tool to include (default: tools/l4lbctl/l4lbctl, if present)
#   L4LB_HEALTH    health checker to include (default: tools/l4lb-health/l4lb-health, if present)
#   L4LB_AGENT     load-feedback agent to include (default: tools/l4lb-agent/l4lb-agent, if present)
#   EXTRA_MODULES  more kernel modules to include (space separated names)
#   EXTRA_BINS     more host programs to include (absolute paths)
#   EXTRA_TESTS    more test scripts for /vm/tests (paths)
#   VM_MODROOT     take KVER's modules from VM_MODROOT/lib/modules/KVER
#                  (a modules_install root) instead of /lib/modules/KVER
#
# The staging directory is a temp dir outside the repo; only OUT is written.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$HERE/kver.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
OUT=$1
KVER=$(vm_kver)
L4LB_KO=${L4LB_KO:-$REPO/kmod/l4lb.ko}
L4LBCTL=${L4LBCTL:-$REPO/tools/l4lbctl/l4lbctl}
L4LB_HEALTH=${L4LB_HEALTH:-$REPO/tools/l4lb-health/l4lb-health}
L4LB_AGENT=${L4LB_AGENT:-$REPO/tools/l4lb-agent/l4lb-agent}
MODDIR=/lib/modules/$KVER		# in the VM
HOSTMODDIR=${VM_MODROOT:-}$MODDIR	# where they come from

# Modules the tests load, each with its dependencies. veth and
# nf_defrag_ipv4 are needed by every l4lb test; the netfilter ones by the
# coexistence test and the nftables reference balancer; pktgen for benches.
MODULES="veth nf_defrag_ipv4 crc32c_generic nf_conntrack nf_nat nf_tables
	nft_chain_nat nft_masq nft_nat nft_numgen nft_ct nft_compat
	xt_MASQUERADE xt_conntrack xt_tcpudp xt_nat pktgen nft_queue
	nfnetlink_queue ${EXTRA_MODULES:-}"
# Modules only some kernels have; left out where missing, and the tests
# that need them skip. sch_netem: a lossy link for the client address
# tests (ca_proxy.sh). dummy: the interface l4lb-health --announce sets
# up and down (health_announce.sh). ipip: the peers' tunnel of daisy
# chaining (peer_chain.sh). nfnetlink_hook: `nft list hooks`, when
# debugging (only the debug kernel has it).
OPTIONAL_MODULES="bridge br_netfilter sch_netem dummy ipip nfnetlink_hook"

BINS="/usr/sbin/ip /usr/bin/ss /usr/bin/socat /usr/sbin/nft
	/usr/sbin/xtables-nft-multi /usr/bin/setpriv /usr/bin/unshare
	/usr/bin/nsenter /usr/bin/jq ${EXTRA_BINS:-}"
# Programs only some hosts have; left out where missing, and the tests that
# need them skip: tc (netem loss) and nginx (nginx-light: a server that
# parses PROXY protocol) for the client address tests (ca_proxy.sh); bird
# and birdc (bird2: the BGP daemon of the router and the nodes) for the
# ECMP test (ecmp.sh).
OPTIONAL_BINS="/usr/sbin/tc /usr/sbin/nginx /usr/sbin/bird /usr/sbin/birdc"

for tool in busybox cpio gzip ldd modprobe depmod; do
	command -v "$tool" >/dev/null || { echo "mkinitramfs: $tool not found" >&2; exit 1; }
done
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "mkinitramfs: $BUSYBOX is dynamic; install busybox-static" >&2
	exit 1
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/l4lb-initramfs.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
# mktemp makes it 0700; as the VM's / it must let other users (nobody,
# in the limits tests) reach the programs.
chmod 755 "$ROOT"

# Merged /usr layout, like the host, so ldd's paths resolve as they are.
mkdir -p "$ROOT"/usr/{bin,sbin,lib,lib64,local/bin} \
	"$ROOT"/{dev,proc,sys,tmp,run,etc,root,vm/lib,vm/tests,vm/moddeps}
for d in bin sbin lib lib64; do
	ln -s usr/$d "$ROOT/$d"
done

# copy_file SRC [DST]: copy (dereferencing links) to DST (default SRC).
copy_file() {
	local src=$1 dst=${2:-$1}
	mkdir -p "$ROOT$(dirname "$dst")"
	cp -L "$src" "$ROOT$dst"
}

# copy_libs FILE...: copy the shared libraries FILEs need (and the loader).
copy_libs() {
	local lib
	ldd "$@" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | sort -u |
	while read -r lib; do
		[ -e "$ROOT$lib" ] || copy_file "$lib"
	done
}

# add_bin SRC [DST]: a program and its libraries.
add_bin() {
	local src=$1 dst=${2:-$1}
	[ -e "$src" ] || { echo "mkinitramfs: missing $src" >&2; exit 1; }
	copy_file "$src" "$dst"
	chmod 755 "$ROOT$dst"
	copy_libs "$src"
}

# --- programs -------------------------------------------------------------
for b in $BINS; do
	add_bin "$b"
done
for b in $OPTIONAL_BINS; do
	case " $BINS " in *" $b "*) continue ;; esac
	if [ -e "$b" ]; then
		add_bin "$b"
	else
		echo "mkinitramfs: no $b, left out" >&2
	fi
done
for name in iptables iptables-save iptables-restore iptables-nft; do
	ln -sf xtables-nft-multi "$ROOT/usr/sbin/$name"
done
XTDIR=$(ls -d /usr/lib/x86_64-linux-gnu/xtables /usr/lib/xtables 2>/dev/null | head -n 1 || true)
if [ -n "$XTDIR" ]; then
	# iptables' match/target plugins, and their libraries (one ldd call).
	plugins=$(ls "$XTDIR"/libxt_*.so "$XTDIR"/libipt_*.so 2>/dev/null || true)
	if [ -n "$plugins" ]; then
		mkdir -p "$ROOT$XTDIR"
		cp -L $plugins "$ROOT$XTDIR/"
		copy_libs $plugins
	fi
fi

# busybox, and a link per applet in /usr/bin (one process; existing real
# programs are kept). The kernel runs /sbin/modprobe for auto-loading.
copy_file "$BUSYBOX" /usr/bin/busybox
"$BUSYBOX" --install -s "$ROOT/usr/bin" 2>/dev/null || true
[ -e "$ROOT/usr/sbin/modprobe" ] || ln -s /usr/bin/busybox "$ROOT/usr/sbin/modprobe"

# Test programs.
make -s -C "$REPO/tests/apps" >&2
for p in chatd chat greetd conns flood cycle udpecho nlbad nlfuzz nfqaccept reread \
	rstinject icmpinject svcmany tcpopt v6send; do
	add_bin "$REPO/tests/apps/$p" "/usr/local/bin/$p"
done
if [ -f "$L4LBCTL" ]; then
	add_bin "$L4LBCTL" /usr/local/bin/l4lbctl
	echo "mkinitramfs: including $L4LBCTL" >&2
fi
if [ -f "$L4LB_HEALTH" ]; then
	add_bin "$L4LB_HEALTH" /usr/local/bin/l4lb-health
	echo "mkinitramfs: including $L4LB_HEALTH" >&2
fi
if [ -f "$L4LB_AGENT" ]; then
	add_bin "$L4LB_AGENT" /usr/local/bin/l4lb-agent
	echo "mkinitramfs: including $L4LB_AGENT" >&2
fi

# --- kernel modules -----------------------------------------------------------
# stage_module PATH: copy a module into the same place, decompressed.
stage_module() {
	local src=$1 rel dst
	rel=${src#"$HOSTMODDIR"/}
	dst="$ROOT$MODDIR/${rel%.ko*}.ko"
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko)     cp "$src" "$dst" ;;
	*.ko.xz)  xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz)  gzip -dc "$src" >"$dst" ;;
	*) echo "mkinitramfs: unknown module file $src" >&2; exit 1 ;;
	esac
}

# deps_of MOD: the module files MOD needs, in load order (incl. softdeps).
deps_of() {
	modprobe ${VM_MODROOT:+-d "$VM_MODROOT"} -S "$KVER" --show-depends "$1" | awk '$1 == "insmod" {print $2}'
}

# /vm/moddeps/MOD lists the .ko files to insmod, in order (see lib/common.sh).
for m in $MODULES $OPTIONAL_MODULES; do
	if ! files=$(deps_of "$m" 2>/dev/null); then
		case " $OPTIONAL_MODULES " in
		*" $m "*) echo "mkinitramfs: no module $m for $KVER, left out" >&2; continue ;;
		esac
		echo "mkinitramfs: no module $m for $KVER" >&2
		exit 1
	fi
	: >"$ROOT/vm/moddeps/$m"
	for f in $files; do
		stage_module "$f"
		rel=${f#"$HOSTMODDIR"/}
		echo "$MODDIR/${rel%.ko*}.ko" >>"$ROOT/vm/moddeps/$m"
	done
done

if [ -f "$L4LB_KO" ]; then
	# Stage what l4lb.ko links against. nf_defrag_ipv4 always comes first:
	# the module contract says it must be loaded before l4lb.ko.
	: >"$ROOT/vm/moddeps/l4lb"
	deps=$(modinfo -F depends "$L4LB_KO" 2>/dev/null | tr ',' ' ')
	for m in nf_defrag_ipv4 $deps; do
		for f in $(deps_of "$m"); do
			stage_module "$f"
			rel=${f#"$HOSTMODDIR"/}
			line="$MODDIR/${rel%.ko*}.ko"
			grep -qxF "$line" "$ROOT/vm/moddeps/l4lb" ||
				echo "$line" >>"$ROOT/vm/moddeps/l4lb"
		done
	done
	mkdir -p "$ROOT$MODDIR/extra"
	cp "$L4LB_KO" "$ROOT$MODDIR/extra/l4lb.ko"
	vermagic=$(modinfo -F vermagic "$L4LB_KO" 2>/dev/null | awk '{print $1}')
	if [ -n "$vermagic" ] && [ "$vermagic" != "$KVER" ]; then
		echo "mkinitramfs: warning: $L4LB_KO is built for $vermagic, VM runs $KVER" >&2
	fi
	echo "mkinitramfs: including $L4LB_KO (loads after: $(xargs -n1 basename <"$ROOT/vm/moddeps/l4lb" | tr '\n' ' '))" >&2
else
	echo "mkinitramfs: no $L4LB_KO; l4lb tests will SKIP" >&2
fi

# modules.dep/alias for busybox modprobe and kernel auto-loading.
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "$HOSTMODDIR/$f" ] && cp "$HOSTMODDIR/$f" "$ROOT$MODDIR/"
done
depmod -b "$ROOT" "$KVER"

# --- the rest -----------------------------------------------------------------
for f in /etc/protocols /etc/services /etc/ethertypes; do
	[ -e "$f" ] && copy_file "$f"
done
[ -d /etc/iproute2 ] && cp -r /etc/iproute2 "$ROOT/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
printf '127.0.0.1 localhost\n' >"$ROOT/etc/hosts"
echo "$KVER" >"$ROOT/vm/kver"

install -m 755 "$HERE/init" "$ROOT/init"
for l in "$HERE"/lib/*.sh; do
	install -m 644 "$l" "$ROOT/vm/lib/"
done
for t in "$HERE"/tests/*.sh ${EXTRA_TESTS:-}; do
	install -m 755 "$t" "$ROOT/vm/tests/"
done
# A console node, so /init has stdio before it mounts devtmpfs (root only).
mknod -m 600 "$ROOT/dev/console" c 5 1 2>/dev/null || true

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "mkinitramfs: wrote $OUT ($(du -h "$OUT" | cut -f1), kernel $KVER)" >&2
