#!/usr/bin/env bash
# mkiso.sh - build a GRUB rescue ISO that boots Keel under BIOS and UEFI.
#
# usage: tools/mkiso.sh OUT.iso KERNEL.elf CMDLINE [INITRAMFS]
#
# The ISO holds /boot/keel.elf (+ /boot/initramfs.cpio) and a grub.cfg from
# tools/grub.cfg.in.  GRUB talks on COM1 and the screen, waits 0 s, and loads
# the kernel with multiboot2 (the initramfs as a module2 named "initramfs").
# Only the GRUB modules Keel needs are installed, which keeps the ISO ~5 MB.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
	echo "usage: $0 OUT.iso KERNEL.elf CMDLINE [INITRAMFS]" >&2
	exit 2
fi
out=$1 kernel=$2 cmdline=$3 initramfs=${4:-}
here=$(cd "$(dirname "$0")" && pwd)

stage="$out.d"
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
trap 'rm -rf "$stage"' EXIT

cp "$kernel" "$stage/boot/keel.elf"
module=""
if [[ -n "$initramfs" ]]; then
	cp "$initramfs" "$stage/boot/initramfs.cpio"
	module="module2 /boot/initramfs.cpio initramfs"
fi

# @CMDLINE@ may hold anything but newlines; escape what sed would read.
esc_cmdline=$(printf '%s' "$cmdline" | sed -e 's/[\\&|]/\\&/g')
sed -e "s|@CMDLINE@|$esc_cmdline|" \
	-e "$(if [[ -n $module ]]; then echo "s|@MODULE@|$module|"; else echo '/@MODULE@/d'; fi)" \
	"$here/grub.cfg.in" >"$stage/boot/grub/grub.cfg"

# iso9660/part_* find the config (the whole part_* list also silences the
# UEFI loader's "part_acorn.mod not found" noise); all_video brings efi_gop
# under UEFI.  grub-mkrescue adds its own core modules (biosdisk, ...).
modules=(multiboot2 normal serial terminal all_video iso9660 part_msdos
	part_gpt part_apple part_bsd part_sun part_sunpc part_acorn part_amiga
	part_dfly part_dvh part_plan configfile search search_fs_uuid echo test)
grub-mkrescue --output="$out.tmp" --locales= --fonts= --themes= \
	--install-modules="${modules[*]}" "$stage" >"$out.log" 2>&1 || {
	cat "$out.log" >&2
	rm -f "$out.log"
	rm -f "$out.tmp"
	exit 1
}
rm -f "$out.log"
mv "$out.tmp" "$out"
