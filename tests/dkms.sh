#!/usr/bin/env bash
# Show that dkms builds l4lb against the installed kernel headers:
# dkms add, dkms build, check the .ko, then remove it again.
set -euo pipefail
cd "$(dirname "$0")/.."

name=l4lb
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
kver=${KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
src=/usr/src/$name-$ver

# tests/deb.sh installs the package l4lb-dkms into the same place: one
# at a time, and never over an installed package.
exec 9>/run/lock/l4lb-dkms-test.lock
flock 9
if dpkg-query -W -f='${Status}\n' l4lb-dkms 2>/dev/null | grep -q ' installed$'; then
	echo "dkms: not ok - the package l4lb-dkms is installed: the test would remove it"
	echo "dkms: 0 passed, 1 failed"
	exit 1
fi

cleanup() {
	dkms remove "$name/$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup

mkdir -p "$src"
cp -a Kbuild Makefile dkms.conf kmod include "$src/"
rm -f "$src"/kmod/*.o "$src"/kmod/*.ko "$src"/kmod/.*.cmd
dkms add "$name/$ver"
dkms build "$name/$ver" -k "$kver"
ko=$(find "/var/lib/dkms/$name/$ver/$kver" -name "$name.ko*" | head -n 1)
if [ -z "$ko" ]; then
	echo "dkms: not ok - no $name.ko built for $kver"
	echo "dkms: 0 passed, 1 failed"
	exit 1
fi
modinfo "$ko" | grep -E '^(filename|vermagic|parm):' | head -n 5
echo "dkms: ok - built $ko"
echo "dkms: 1 passed, 0 failed"
