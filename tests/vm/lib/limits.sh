# shellcheck shell=sh
# limits.sh - helpers of the ns_* tests (namespaces, users, memory
# cgroups), sourced after common.sh.
#
# An unprivileged user's namespace: as user nobody (uid 65534, no
# capability), in a memory cgroup of its own, `unshare -Urn` makes a user
# namespace and a network namespace owned by it, in which nobody is root
# and holds CAP_NET_ADMIN over l4lb, as any user of a host can.
#
#   cg_up                       cgroup v2 at /sys/fs/cgroup, memory on
#   cg_new NAME MAX             /sys/fs/cgroup/NAME, memory.max MAX
#   cg_mem NAME                 its memory.current, bytes
#   as_nobody CG CMD...         CMD as uid/gid 65534, in cgroup CG
#   userns CG CMD...            CMD in a new user + network namespace of
#                               nobody's, in cgroup CG (unshare -Urn)
#   in_netns PID CMD...         CMD (as root) in the network namespace of
#                               process PID (nsenter -n)

CG_ROOT=/sys/fs/cgroup

# cg_up: mount cgroup v2 (once) and give its children the memory
# controller. Fails if the kernel has no memory controller.
cg_up() {
	mkdir -p "$CG_ROOT"
	if ! grep -q " $CG_ROOT cgroup2 " /proc/mounts; then
		mount -t cgroup2 none "$CG_ROOT" || return 1
	fi
	grep -qw memory "$CG_ROOT/cgroup.controllers" || return 1
	echo +memory >"$CG_ROOT/cgroup.subtree_control"
}

# cg_new NAME MAX: a fresh child cgroup NAME with memory.max MAX (bytes,
# or "max"). An old one of that name must be empty.
cg_new() {
	[ -d "$CG_ROOT/$1" ] && rmdir "$CG_ROOT/$1"
	mkdir "$CG_ROOT/$1" && echo "$2" >"$CG_ROOT/$1/memory.max"
}

# cg_mem NAME: memory.current of cgroup NAME, in bytes.
cg_mem() { cat "$CG_ROOT/$1/memory.current"; }

# cg_event NAME KEY: counter KEY (max, oom, oom_kill ...) of NAME's
# memory.events.
cg_event() { awk -v k="$2" '$1 == k { print $2 }' "$CG_ROOT/$1/memory.events"; }

# cg_stat NAME KEY...: those lines of NAME's memory.stat, on one line.
cg_stat() {
	_cgn=$1
	shift
	for _k in "$@"; do
		awk -v k="$_k" '$1 == k { printf "%s %s ", $1, $2 }' "$CG_ROOT/$_cgn/memory.stat"
	done
}

# as_nobody CG CMD...: run CMD as uid and gid 65534 (nobody), without
# supplementary groups or capabilities, in cgroup CG. The process joins
# the cgroup first, then drops root: everything it and its children
# allocate from then on is charged there.
as_nobody() {
	_cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
		"$CG_ROOT/$_cg" "$@"
}

# userns CG CMD...: as nobody in CG, CMD in a new user namespace (nobody
# maps to root in it) and a new network namespace that user namespace
# owns: what `unshare -Urn` gives any user. No fork: CMD keeps the pid.
userns() {
	_cg=$1
	shift
	as_nobody "$_cg" /usr/bin/unshare -Urn "$@"
}

# in_netns PID CMD...: CMD, as the VM's root, in the network namespace of
# process PID.
in_netns() {
	_pid=$1
	shift
	/usr/bin/nsenter -t "$_pid" -n "$@"
}

# userns_ok: unprivileged users may create user namespaces (Debian's
# kernel has a switch for it; on by default since bullseye).
userns_ok() {
	[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
		echo 1 >/proc/sys/kernel/unprivileged_userns_clone
	as_nobody "" /usr/bin/unshare -Urn true
}
