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
#   /etc/mtab -> ../proc/self/mounts   (as on Linux distributions)
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
ln -s ../proc/self/mounts "$stage/etc/mtab"
for path in "$bin"/*; do
	prog=$(basename "$path")
	[ "$prog" = init ] && continue
	install -m 0755 "$path" "$stage/bin/$prog"
done
if [[ -n "$extra" ]]; then
	# -R without -a: symlinks kept as links, hard links become copies.
	cp -R --no-dereference --preserve=mode "$extra/." "$stage/"
fi
chmod 0755 "$stage" "$stage"/{bin,dev,proc,etc}
chmod 1777 "$stage/tmp"
find "$stage" -exec touch -h -d @0 {} +

tmp="$out.tmp"
(cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc --reproducible -R 0:0) >"$tmp"
mv "$tmp" "$out"
