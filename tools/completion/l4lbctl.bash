# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Bash completion for l4lbctl(8): commands, subcommands, keywords, and the
# services and backends of the running system. Those come from
# "l4lbctl save", whose lines are plain and stable ("service set vip V
# port P proto X ...", "backend add IP:PORT ... service KEY"); without the
# module, or without the right to read it, they are silently left out.
# Installed as share/bash-completion/completions/l4lbctl.

# Print the keys (VIP:PORT/PROTO) of the running services; an IPv6 VIP
# in brackets, [2001:db8::10]:443/tcp.
_l4lbctl_services()
{
	"$1" save 2>/dev/null | awk '$1 == "service" && $2 == "set" {
		for (i = 3; i < NF; i++) {
			if ($i == "vip") v = $(i + 1)
			if ($i == "port") p = $(i + 1)
			if ($i == "proto") t = $(i + 1)
		}
		if (index(v, ":")) v = "[" v "]"
		print v ":" p "/" t
	}'
}

# Print the backends (IP:PORT, [IPv6]:PORT) of the running services, each
# once.
_l4lbctl_backends()
{
	"$1" save 2>/dev/null | awk '$1 == "backend" && $2 == "add" &&
		!seen[$3]++ { print $3 }'
}

_l4lbctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} i=1 cmd sub words

	COMPREPLY=()
	# Global options, before the command.
	while [ "$i" -lt "$COMP_CWORD" ]; do
		case ${COMP_WORDS[i]} in
		-f|--file)
			[ $((i + 1)) -eq "$COMP_CWORD" ] &&
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0 ;;
		-*) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	if [ "$i" -eq "$COMP_CWORD" ]; then
		case $cur in
		-*) words='-j --json -f --file -V --version -h --help' ;;
		*) words='backend conn service stats monitor save restore help add remove set list nat count flush' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi
	cmd=${COMP_WORDS[i]}
	sub=${COMP_WORDS[i+1]}
	# The verbs of earlier versions are "backend" and "conn" subcommands.
	case $cmd in
	add) cmd=backend sub=add; i=$((i - 1)) ;;
	remove) cmd=backend sub=del; i=$((i - 1)) ;;
	set) cmd=backend sub=set; i=$((i - 1)) ;;
	list) cmd=backend sub=show; i=$((i - 1)) ;;
	nat|count|flush) cmd=conn sub=$cmd; i=$((i - 1)) ;;
	esac

	if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
		case $cmd in
		backend) words='add del set show' ;;
		conn) words='show flush count' ;;
		service) words='show set del' ;;
		stats) words='--prometheus' ;;
		monitor) words='-j --json' ;;
		help) words='backend conn service stats monitor save restore help add remove set list nat count flush' ;;
		restore) words='--replace -f'
			mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
			return 0 ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi

	# The value of a keyword.
	case $prev in
	service)
		mapfile -t COMPREPLY < <(compgen -W "$(_l4lbctl_services "$prog")" -- "$cur")
		return 0 ;;
	proto) words='tcp udp' ;;
	scheduler) words='rr wrr lc wlc mh' ;;
	timeout) words='tcp tcpfin tcpclose udp udpunreplied syn' ;;
	client-addr) words='none proxy-v2 proxy-v1 toa' ;;
	snat) words='auto' ;;
	peers) words='none' ;;
	-f|-o) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
	vip|port|weight|weight-pct|persistence) return 0 ;;	# a number or address
	esac
	# "timeout KIND SECONDS"
	[ "${COMP_WORDS[COMP_CWORD-2]}" = timeout ] && return 0
	if [ -n "$words" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi

	case $cmd/$sub in
	backend/del|backend/delete|backend/set)
		if [ $((i + 2)) -eq "$COMP_CWORD" ]; then
			words=$(_l4lbctl_backends "$prog")
		elif [ "$sub" = set ]; then
			words='weight weight-pct up down drain service'
		else
			words='--now service'
		fi ;;
	backend/add)
		[ $((i + 2)) -eq "$COMP_CWORD" ] && return 0
		words='weight weight-pct up down drain service' ;;
	backend/show|conn/flush) words='service' ;;
	service/show|service/del|service/delete)
		[ $((i + 2)) -eq "$COMP_CWORD" ] &&
			words=$(_l4lbctl_services "$prog") ;;
	service/set)
		words='vip port proto scheduler snat timeout persistence client-addr peers' ;;
	stats/*)
		# "--prometheus", then "-o FILE", each once.
		case " ${COMP_WORDS[*]:i+1:COMP_CWORD-i-1} " in
		*" -o "*) ;;
		*" --prometheus "*) words='-o' ;;
		*) words='--prometheus' ;;
		esac ;;
	restore/*)
		words='--replace -f'
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	return 0
}
complete -F _l4lbctl l4lbctl
