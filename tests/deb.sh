#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, as a user gets them (make deb-test, as root):
# build them with "make deb", run lintian (errors fail, warnings are
# listed), check both packages' file lists, install them with apt-get
# (dkms builds the module for the newest installed headers), run the
# tools from /usr/sbin and verify the units, then purge them and check
# that nothing is left.
#
# It leaves the host as it found it, on failure too (an EXIT trap purges
# the packages and whatever dkms left). It refuses to run where l4lb is
# installed already, as packages or by hand in /etc/l4lb, since the
# purge would take that away. tests/dkms.sh uses /usr/src/l4lb-VERSION
# too: the two take the same lock and clean up after themselves, so they
# run one after the other. Output: one "deb: ok/not ok" line per check
# and "deb: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

name=l4lb
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
arch=$(dpkg --print-architecture)
out=${DEB_OUT:-deb-out}
case $out in /*) ;; *) out=$PWD/$out ;; esac
deb_tools=$out/${name}_${ver}_$arch.deb
deb_dkms=$out/$name-dkms_${ver}_all.deb
export DEBIAN_FRONTEND=noninteractive
# Another apt-get (CI installing something) may hold the dpkg lock.
apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)

pass=0
fail=0
ok() { echo "deb: ok - $*"; pass=$((pass + 1)); }
nok() { echo "deb: not ok - $*"; fail=$((fail + 1)); }
# check DESCRIPTION COMMAND...: one ok or not ok line for COMMAND's status.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
# not COMMAND...: its status inverted.
not() { ! "$@"; }
# quiet COMMAND...: COMMAND without its output.
quiet() { "$@" >/dev/null 2>&1; }
# diag FILE: its lines as "# " diagnostics.
diag() { sed 's/^/# /' "$1"; }
summary() { echo "deb: $pass passed, $fail failed"; }
# bail WHY: a check that stops the test (the rest depends on it).
bail() {
	nok "$*"
	summary
	exit 1
}

tmp=$(mktemp -d /tmp/l4lb-debtest.XXXXXX)
armed=0
installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
		grep -q ' installed$'
}
# Purge the packages, then whatever dkms or a half-done install left.
# Only once the host was found clean ($armed): never a user's install.
cleanup() {
	if [ "$armed" = 1 ]; then
		if installed $name || installed $name-dkms ||
			dpkg-query -W $name $name-dkms >/dev/null 2>&1; then
			"${apt[@]}" purge $name $name-dkms >"$tmp/cleanup.log" 2>&1 ||
				dpkg --purge $name $name-dkms >/dev/null 2>&1
		fi
		dkms remove "$name/$ver" --all >/dev/null 2>&1
		rm -rf "/usr/src/$name-$ver" /etc/l4lb
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

[ "$(id -u)" = 0 ] || bail "must run as root (it installs packages)"
for t in dpkg-buildpackage dh dh_dkms lintian dkms; do
	command -v $t >/dev/null || bail "$t missing (sudo make deps)"
done
exec 9>/run/lock/l4lb-dkms-test.lock ||
	bail "cannot open /run/lock/l4lb-dkms-test.lock"
flock 9 || bail "cannot take /run/lock/l4lb-dkms-test.lock"
for p in $name $name-dkms; do
	! installed "$p" ||
		bail "package $p is installed on this host: the test would purge it"
done
[ ! -e /etc/l4lb ] ||
	bail "/etc/l4lb exists on this host: the purge would remove it"
# The newest headers: what dkms builds for (besides the running kernel).
kver=$(for d in /lib/modules/*/build; do
	[ -d "$d" ] && basename "$(dirname "$d")"
done | sort -V | tail -n 1)
[ -n "$kver" ] || bail "no kernel headers in /lib/modules/*/build"
armed=1
# What tests/dkms.sh may have left, had it been killed.
dkms remove "$name/$ver" --all >/dev/null 2>&1
rm -rf "/usr/src/$name-$ver"
# Every l4lb file outside the work trees and caches, before: the purge
# must come back to it.
snapshot() {
	find /etc /usr /var/lib -xdev -name "*$name*" 2>/dev/null | sort
}
snapshot >"$tmp/before"

# 1. make deb
start=$SECONDS
if make deb DEB_OUT="$out" >"$tmp/build.log" 2>&1 && [ -f "$deb_tools" ] &&
	[ -f "$deb_dkms" ]; then
	ok "make deb builds ${deb_tools##*/} and ${deb_dkms##*/} ($((SECONDS - start)) s)"
else
	tail -n 30 "$tmp/build.log" | diag /dev/stdin
	bail "make deb"
fi

# 2. lintian: no errors; warnings listed.
lintian --fail-on error -I "$deb_tools" "$deb_dkms" >"$tmp/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$tmp/lintian" | diag /dev/stdin
grep -q '^E: ' "$tmp/lintian" && rc=1
check "lintian: no errors ($(grep -c '^W: ' "$tmp/lintian") warnings)" \
	[ $rc = 0 ]

# 3. The file lists (files and links; directories follow from them).
# contents DEB: its paths, sorted.
contents() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $6 }' | sort
}
# same WHAT EXPECTED ACTUAL: ok if the two lists are equal.
same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then
		ok "$1"
	else
		diag "$tmp/diff"
		nok "$1"
	fi
}

# l4lb-dkms: the module's sources, dkms.conf, and the package's docs.
src=./usr/src/$name-$ver
{
	echo "$src/Kbuild"
	echo "$src/dkms.conf"
	git ls-files -co --exclude-standard kmod include | grep -E '(\.[ch]|/Kbuild)$' |
		sed "s|^|$src/|"
	echo ./usr/share/doc/$name-dkms/changelog.gz
	echo ./usr/share/doc/$name-dkms/copyright
} | sort >"$tmp/dkms.want"
contents "$deb_dkms" >"$tmp/dkms.got"
same "l4lb-dkms holds the module's sources in $src and dkms.conf" \
	"$tmp/dkms.want" "$tmp/dkms.got"

# l4lb: exactly what "make -C tools install" installs with the package's
# paths (man pages compressed), and its docs...
mkdir -p "$tmp/src" "$tmp/root"
cp -a tools include "$tmp/src/"
nice make -s -j2 -C "$tmp/src/tools" clean >/dev/null 2>&1
if nice make -s -j2 -C "$tmp/src/tools" install DESTDIR="$tmp/root" \
	PREFIX=/usr UNITDIR=/lib/systemd/system >"$tmp/install.log" 2>&1; then
	{
		(cd "$tmp/root" && find . ! -type d) |
			sed 's|^\(\./usr/share/man/.*\)|\1.gz|'
		echo ./usr/share/doc/$name/changelog.gz
		echo ./usr/share/doc/$name/copyright
	} | sort >"$tmp/tools.want"
else
	diag "$tmp/install.log"
	: >"$tmp/tools.want"
fi
contents "$deb_tools" >"$tmp/tools.got"
same "l4lb holds what make -C tools install installs" \
	"$tmp/tools.want" "$tmp/tools.got"
# ... which has at least these.
missing=
for f in ./usr/sbin/l4lbctl ./usr/sbin/l4lb-health ./usr/sbin/l4lb-agent \
	./usr/share/man/man8/l4lbctl.8.gz \
	./usr/share/man/man8/l4lb-health.8.gz \
	./usr/share/man/man8/l4lb-agent.8.gz \
	./lib/systemd/system/l4lb.service \
	./lib/systemd/system/l4lb-health.service \
	./lib/systemd/system/l4lb-agent.service \
	./lib/systemd/system/l4lb-metrics.service \
	./lib/systemd/system/l4lb-metrics.timer \
	./usr/share/bash-completion/completions/l4lbctl \
	./etc/l4lb/l4lb.conf ./etc/l4lb/health.conf; do
	grep -qxF "$f" "$tmp/tools.got" || missing="$missing ${f#.}"
done
check "l4lb holds the tools, man pages, units, completion and /etc/l4lb${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
# Its /etc files are conffiles (kept on remove, gone on purge).
dpkg-deb -I "$deb_tools" conffiles 2>/dev/null | sort >"$tmp/conf.got"
sed -n 's|^\./etc/|/etc/|p' "$tmp/tools.got" >"$tmp/conf.want"
same "l4lb's conffiles are its /etc/l4lb files" \
	"$tmp/conf.want" "$tmp/conf.got"

# 4. Install both, as the README says.
start=$SECONDS
if "${apt[@]}" install "$deb_dkms" "$deb_tools" >"$tmp/apt.log" 2>&1 &&
	installed $name && installed $name-dkms; then
	ok "apt-get install ./l4lb-dkms_*.deb ./l4lb_*.deb ($((SECONDS - start)) s)"
else
	tail -n 40 "$tmp/apt.log" | diag /dev/stdin
	bail "apt-get install of the packages"
fi
grep -E '^(Building|Installing|Module build|Error|Warning)|dkms' \
	"$tmp/apt.log" | head -n 20 | diag /dev/stdin

# dkms built and installed the module for the newest headers.
dkms status "$name/$ver" -k "$kver" >"$tmp/status" 2>&1
diag "$tmp/status"
check "dkms status: $name/$ver installed for $kver" \
	grep -q ": installed" "$tmp/status"
ko=$(find "/lib/modules/$kver/updates/dkms" -name "$name.ko*" 2>/dev/null |
	head -n 1)
check "the module is /lib/modules/$kver/updates/dkms/$name.ko*" [ -n "$ko" ]
modinfo -k "$kver" "$name" >"$tmp/modinfo" 2>&1
grep -E '^(filename|version|vermagic):' "$tmp/modinfo" | diag /dev/stdin
check "modinfo -k $kver $name finds it (depmod ran), vermagic $kver" \
	grep -Eq "^vermagic: +$kver " "$tmp/modinfo"

# The tools run from /usr/sbin.
check "/usr/sbin/l4lbctl --version prints $ver" \
	grep -qF "$ver" <(/usr/sbin/l4lbctl --version 2>&1)
check "/usr/sbin/l4lbctl --help" quiet /usr/sbin/l4lbctl --help
check "/usr/sbin/l4lb-health --version" quiet /usr/sbin/l4lb-health --version
check "/usr/sbin/l4lb-agent --version" quiet /usr/sbin/l4lb-agent --version
check "man -w l4lbctl finds its page" \
	grep -qx /usr/share/man/man8/l4lbctl.8.gz <(man -w l4lbctl 2>&1)

# The units: their programs exist (@SBINDIR@ is /usr/sbin), systemd
# accepts them, and the install enabled none.
units=$(ls /lib/systemd/system/$name*.service /lib/systemd/system/$name*.timer 2>/dev/null)
bad=
for u in $units; do
	grep -v '^#' "$u" | grep -q '@SBINDIR@' && bad="$bad ${u##*/}:@SBINDIR@"
	while read -r p; do
		[ -x "$p" ] || bad="$bad ${u##*/}:$p"
	done < <(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$u")
done
[ -n "$units" ] || bad=" no units in /lib/systemd/system"
check "the units' programs exist${bad:+ (not:$bad)}" [ -z "$bad" ]
# shellcheck disable=SC2086 # one argument per unit
systemd-analyze verify $units >"$tmp/verify" 2>&1
rc=$?
diag "$tmp/verify"
check "systemd-analyze verify accepts the units" [ $rc = 0 ]
check "the install enabled no unit" \
	not quiet ls /etc/systemd/system/*.wants/"$name"*

# 5. Purge both: nothing is left.
if "${apt[@]}" purge $name $name-dkms >"$tmp/purge.log" 2>&1; then
	ok "apt-get purge l4lb l4lb-dkms"
else
	tail -n 30 "$tmp/purge.log" | diag /dev/stdin
	nok "apt-get purge l4lb l4lb-dkms"
fi
check "no dpkg record of the packages" \
	not quiet dpkg-query -W $name $name-dkms
check "no /usr/src/$name-$ver" [ ! -e "/usr/src/$name-$ver" ]
check "no /var/lib/dkms/$name" [ ! -e "/var/lib/dkms/$name" ]
check "no $name.ko under /lib/modules" \
	[ -z "$(find /lib/modules -name "$name.ko*" 2>/dev/null)" ]
check "modules.dep of $kver no longer names $name" \
	not grep -q "/$name\.ko" "/lib/modules/$kver/modules.dep"
check "no /etc/l4lb" [ ! -e /etc/l4lb ]
snapshot >"$tmp/after"
same "no file named *$name* more in /etc, /usr, /var/lib than before" \
	"$tmp/before" "$tmp/after"

summary
[ "$fail" = 0 ]
