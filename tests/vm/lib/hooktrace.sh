# shellcheck shell=sh
# hooktrace.sh - which of l4lb's netfilter hook functions run, for which
# family, seen in the kernel's trace with kprobe events (Debian's 6.1 has
# no nfnetlink_hook, which `nft list hooks` needs). On top of common.sh:
#
#     . /vm/lib/hooktrace.sh
#     hooktrace_on || skip ...     (l4lb loaded)
#     ... traffic ...
#     hook_calls main 10           (calls of l4lb_hook for IPv6)
#     hooktrace_off                (before l4lb is unloaded)
#
# Events: main (l4lb_hook) and, where the module has it (a kernel with
# br_netfilter), bridged (l4lb_bridge_hook). Each records the hook number
# and family of a call: the first two bytes of struct nf_hook_state, the
# hook function's third argument.

HT_TR=/sys/kernel/tracing
HT_GROUP=l4lbhooks

# hooktrace_on: set the events up and trace from an empty trace; 1 if the
# kernel has no kprobe events (the caller skips).
hooktrace_on() {
	[ -e "$HT_TR/kprobe_events" ] || mount -t tracefs nodev "$HT_TR" 2>/dev/null
	[ -w "$HT_TR/kprobe_events" ] || return 1
	echo "p:$HT_GROUP/main l4lb:l4lb_hook hook=+0(\$arg3):u8 pf=+1(\$arg3):u8" \
		>>"$HT_TR/kprobe_events" || return 1
	grep -q ' l4lb_bridge_hook' /proc/kallsyms &&
		echo "p:$HT_GROUP/bridged l4lb:l4lb_bridge_hook hook=+0(\$arg3):u8 pf=+1(\$arg3):u8" \
			>>"$HT_TR/kprobe_events"
	echo >"$HT_TR/trace" &&
		echo 1 >"$HT_TR/events/$HT_GROUP/enable" &&
		echo 1 >"$HT_TR/tracing_on"
}

# hooktrace_clear: forget the calls traced so far.
hooktrace_clear() { echo >"$HT_TR/trace"; }

# hooktrace_off: remove the events (before l4lb is unloaded); harmless
# when they are not set.
hooktrace_off() {
	[ -d "$HT_TR/events/$HT_GROUP" ] || return 0
	echo 0 >"$HT_TR/events/$HT_GROUP/enable"
	echo >"$HT_TR/trace"
	echo "-:$HT_GROUP/main" >>"$HT_TR/kprobe_events" 2>/dev/null
	echo "-:$HT_GROUP/bridged" >>"$HT_TR/kprobe_events" 2>/dev/null
	return 0
}

# hook_calls EVENT PF: traced calls of EVENT (main, bridged) in
# PRE_ROUTING (hook 0) for family PF (2 IPv4, 10 IPv6).
hook_calls() {
	grep -c " $1: (.*) hook=0 pf=$2\$" "$HT_TR/trace"
}
