# shellcheck shell=sh
# debug_final: the last test of a run under the debug kernel. run.sh adds
# it (L4LB_KERNEL=debug, see tests/debug-kernel/vm.sh); it is not one of
# tests/vm/tests.
#
# 1-3. The checks were armed for the whole run: lockdep is still on (it
#      turns itself off after its first report), KASAN is built in,
#      kmemleak is on (it turns itself off when its pool runs out).
# 4.   l4lb is unloaded (/init rmmods it after each test anyway).
# 5.   kmemleak, two scans (a report needs an object unchanged between
#      two): every report goes to the log, and the test fails if a
#      report's backtrace names l4lb, or has a frame in module space that
#      no longer resolves to a symbol. Once l4lb is unloaded its addresses
#      print as bare 0xffffffff... numbers, so such a frame means "code of
#      a module unloaded since", and the debug subset unloads only l4lb.
#      Leaks of the core kernel (boot-time false positives) are logged but
#      do not fail. To name such bare addresses, l4lb is loaded once more
#      and they are looked up in its symbols (it tends to land at the same
#      place again).
# Lockdep and KASAN reports themselves are found by run.sh in the log.
. /vm/lib/common.sh
plan 5

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e "$KMEMLEAK" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

step "lockdep"
dl=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats 2>/dev/null)
expect_eq "lockdep is still on (debug_locks in /proc/lockdep_stats)" 1 "${dl:-missing}"

step "kasan"
if grep -q ' kasan_report$' /proc/kallsyms; then
	ok "the address sanitizer is built in"
else
	fail "the address sanitizer is built in" "no kasan_report in /proc/kallsyms"
fi

step "kmemleak on"
if [ -r "$KMEMLEAK" ] && echo scan >"$KMEMLEAK"; then
	ok "kmemleak is on"
else
	fail "kmemleak is on" "$(dmesg | grep -i kmemleak | tail -n 5)"
	skip_rest "kmemleak is off"
	exit 0
fi

step "l4lb unloaded"
if l4lb_loaded; then
	unload_l4lb >/dev/null 2>&1
fi
if l4lb_loaded; then
	fail "l4lb is unloaded before the leak scan" "$(lsmod | grep l4lb)"
else
	ok "l4lb is unloaded before the leak scan"
fi

step "kmemleak scan"
# The first scan above computed the objects' checksums; an object is only
# reported once it stayed unreferenced and unchanged across a scan. It
# must also be 5 s old.
sleep 6
t0=$(_now)
echo scan >"$KMEMLEAK"
cat "$KMEMLEAK" >/tmp/kmemleak.all 2>&1
n_all=$(grep -c '^unreferenced object' /tmp/kmemleak.all)
diag "kmemleak: $n_all suspected leak(s) in all (second scan took $(($(_now) - t0)) s)"
# Blocks whose backtrace names l4lb or has an unresolved module address.
awk '
	function flush() {
		if (blk != "" && why != "") {
			printf "%s", blk > "/tmp/kmemleak.l4lb"
			printf "  (counted as l4lb'"'"'s: %s)\n", why > "/tmp/kmemleak.l4lb"
		}
		blk = ""; why = ""; bt = 0
	}
	/^unreferenced object/ { flush() }
	{ blk = blk $0 "\n" }
	/^  *backtrace:/ { bt = 1; next }
	bt && /l4lb/ { why = "names l4lb" }
	bt && why == "" && /\] 0xffffffff[a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f] *$/ {
		why = "unresolved module address"
	}
	END { flush() }
' /tmp/kmemleak.all

# name_addrs FILE: name FILE's bare module addresses by l4lb's symbols,
# after loading it once more. Only a hint: the names are right if l4lb
# lands where the leaking copy was, which it often does but need not (the
# frames' order in the backtrace tells). An address is named only if it
# lies between one of l4lb's text symbols and the next.
name_addrs() {
	grep -oE '0xffffffff[a-f][0-9a-f]{7}$' "$1" | sort -u >/tmp/kml.addrs
	[ -s /tmp/kml.addrs ] || return 0
	if ! load_l4lb >/dev/null 2>&1; then
		diag "(l4lb did not load again, so the addresses stay unnamed)"
		return 0
	fi
	grep '\[l4lb\]$' /proc/kallsyms | sort >/tmp/kml.syms
	_base=$(cat /sys/module/l4lb/sections/.text 2>/dev/null)
	unload_l4lb >/dev/null 2>&1
	diag "the addresses by l4lb's symbols, loaded again (.text at $_base); right only if it landed where it was:"
	awk '
		function lo(s,   i, v) {	# the low 32 bits of a hex address
			s = tolower(s); sub(/^0x/, "", s); s = substr(s, length(s) - 7)
			v = 0
			for (i = 1; i <= 8; i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		FNR == NR { a[NR] = lo($1); t[NR] = $2; name[NR] = $3; n = NR; next }
		{
			x = lo($1); hit = ""
			for (i = 1; i < n; i++)
				if (t[i] ~ /^[tT]$/ && a[i] <= x && x < a[i + 1])
					hit = sprintf("%s+0x%x", name[i], x - a[i])
			printf "#   %s = %s\n", $1, (hit != "" ? hit : "?")
		}
	' /tmp/kml.syms /tmp/kml.addrs
}

if [ -s /tmp/kmemleak.l4lb ]; then
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.l4lb)
	fail "kmemleak finds no leak of l4lb" "kmemleak: $n leak(s) of l4lb:"
	diag_file /tmp/kmemleak.l4lb 400
	name_addrs /tmp/kmemleak.l4lb
else
	ok "kmemleak finds no leak of l4lb"
fi
# Everything else kmemleak said, for the record.
[ "$n_all" -gt 0 ] && diag_file /tmp/kmemleak.all 300
exit 0
