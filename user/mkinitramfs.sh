#!/usr/bin/env bash
# mkinitramfs.sh - stage Keel's root file system and pack it as an initramfs.
#
# usage: user/mkinitramfs.sh OUT.cpio STAGE_DIR USER_BIN_DIR [EXTRA_ROOT]
#
# The staging tree (rebuilt from scratch each time):
#   /init                      USER_BIN_DIR/init
#   /bin/<every other program built from user/>
#   /dev /proc /tmp (1777) /etc   empty directories; /dev/console is the
#                              kernel's to provide (no device nodes: packing
#                              must work without root)
#   with ROOTFS=dir set: dir's tree (user/rootfs: /etc/profile, passwd,
#                              hostname, /root, ...)
#   with TERMINFO_SRC=dir set: the terminal descriptions bash's line editing
#                              needs (linux, vt100, vt102, vt220, xterm,
#                              xterm-256color, screen, dumb) from dir (Debian's
#                              /lib/terminfo, package ncurses-base) in
#                              /usr/share/terminfo
#   with BASH_BIN=path set:    /bin/bash (Debian's bash-static)
#   with BUSYBOX_BIN=path set: /bin/busybox and a symbolic link to it for
#                              every applet it lists (`busybox --list-full`:
#                              /bin/ls, /usr/bin/top, ...; /bin/sh is busybox
#                              ash), except init and linuxrc (Keel's /init
#                              stays) and names a Keel program already has
# then EXTRA_ROOT/. copied over it (its files win).  The archive is
# `cpio -o -H newc` of the sorted relative names ("bin", "bin/hello", ...,
# parents before children, no "."), owner root:root, every mtime 0,
# --reproducible: the same inputs give the same bytes.  Hard links in
# EXTRA_ROOT become separate copies (cpio_next has no inode numbers).
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
	echo "usage: $0 OUT.cpio STAGE_DIR USER_BIN_DIR [EXTRA_ROOT]" >&2
	exit 2
fi
out=$1 stage=$2 bin=$3 extra=${4:-}

if [[ -n "$extra" && ! -d "$extra" ]]; then
	echo "mkinitramfs: EXTRA_ROOT '$extra' is not a directory" >&2
	exit 1
fi

rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc,tmp,etc}
install -m 0755 "$bin/init" "$stage/init"
for path in "$bin"/*; do
	prog=$(basename "$path")
	[ "$prog" = init ] && continue
	install -m 0755 "$path" "$stage/bin/$prog"
done
if [[ -n "${ROOTFS:-}" ]]; then
	cp -R --no-dereference --preserve=mode "$ROOTFS/." "$stage/"
fi
if [[ -n "${TERMINFO_SRC:-}" ]]; then
	for t in d/dumb l/linux s/screen v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color; do
		if [[ -f "$TERMINFO_SRC/$t" ]]; then
			mkdir -p "$stage/usr/share/terminfo/${t%%/*}"
			install -m 0644 "$TERMINFO_SRC/$t" "$stage/usr/share/terminfo/$t"
		fi
	done
fi
if [[ -n "${BASH_BIN:-}" ]]; then
	install -m 0755 "$BASH_BIN" "$stage/bin/bash"
fi
if [[ -n "${BUSYBOX_BIN:-}" ]]; then
	install -m 0755 "$BUSYBOX_BIN" "$stage/bin/busybox"
	"$BUSYBOX_BIN" --list-full | while read -r applet; do
		case "$applet" in
		sbin/init | linuxrc | bin/busybox) continue ;;
		esac
		[[ -e "$stage/$applet" || -L "$stage/$applet" ]] && continue
		mkdir -p "$stage/$(dirname "$applet")"
		ln -s /bin/busybox "$stage/$applet"
	done
fi
if [[ -n "$extra" ]]; then
	# -R without -a: symlinks kept as links, hard links become copies.
	cp -R --no-dereference --preserve=mode "$extra/." "$stage/"
fi
find "$stage" -type d -exec chmod 0755 {} +
chmod 1777 "$stage/tmp"
[[ -d "$stage/root" ]] && chmod 0700 "$stage/root"
find "$stage" -exec touch -h -d @0 {} +

tmp="$out.tmp"
(cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc --reproducible -R 0:0) >"$tmp"
mv "$tmp" "$out"
