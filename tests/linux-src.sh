#!/usr/bin/env bash
# Print the path of Debian's linux-source-6.1 tree, extracting it into the
# cache first if needed. The cache lives outside the clone and is keyed by the
# package version, so every run after the first reuses it.
#   L4LB_CACHE  cache directory (default: $XDG_CACHE_HOME/l4lb or /var/cache/l4lb)
set -euo pipefail

cache=${L4LB_CACHE:-${XDG_CACHE_HOME:-/var/cache}/l4lb}
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "linux-src: package linux-source-6.1 is not installed (make deps)" >&2
	exit 1
}
tree=$cache/linux-source-$ver
if [ ! -f "$tree/.l4lb-extracted" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/extract.XXXXXX")
	tar -C "$tmp" -xf /usr/src/linux-source-6.1.tar.xz
	rm -rf "$tree"
	mv "$tmp/linux-source-6.1" "$tree"
	rmdir "$tmp"
	touch "$tree/.l4lb-extracted"
fi
echo "$tree"
