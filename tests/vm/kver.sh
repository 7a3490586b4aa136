# shellcheck shell=sh
# Sourced by run.sh and mkinitramfs.sh: picks the kernel the VM boots.
#
# vm_kver prints $KVER if set, else the newest /boot/vmlinuz-* version that
# has a matching /lib/modules/<version> directory. Nothing is hard-coded.
vm_kver() {
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
		return 0
	fi
	for img in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${img#/boot/vmlinuz-}
		if [ -d "/lib/modules/$v/kernel" ]; then
			echo "$v"
			return 0
		fi
	done
	echo "vm: no /boot/vmlinuz-* with a matching /lib/modules dir" >&2
	echo "vm: apt-get install linux-image-amd64" >&2
	return 1
}
