#!/usr/bin/env bash
# deps.sh - make sure the Debian packages Keel builds and tests with are here.
#
# Every user-facing make target (all, iso, run, test, gdb, bench) runs this
# first.  When everything is installed it costs one dpkg-query call (~20 ms);
# otherwise it runs `apt-get update` once and installs only what is missing,
# with sudo when not root.  On a machine without dpkg it only warns.
#
# KEEL_NO_DEPS=1 skips the check entirely (for hand-managed machines).
#
# `tools/deps.sh bench` also installs Debian's Linux cloud kernel
# (linux-image-cloud-amd64), which `make bench` boots beside Keel in the same
# QEMU (tools/bench-linux.py); only the kernel image in /boot is used.
set -euo pipefail

PKGS=(
	qemu-system-x86 grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	ovmf python3 python3-pytest python3-pexpect musl-tools busybox-static
	bash-static ncurses-base cpio gcc clang lld llvm binutils make gdb
	clang-format cppcheck
)
if [[ "${1:-}" == bench ]]; then
	PKGS+=(linux-image-cloud-amd64)
fi

if [[ "${KEEL_NO_DEPS:-0}" == 1 ]]; then
	exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query; not a Debian system, install by hand: ${PKGS[*]}" >&2
	exit 0
fi

# dpkg-query lists only packages it knows; "ii" means installed and configured.
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${PKGS[@]}" 2>/dev/null |
	awk '$1 == "ii" { print $2 }' || true)
missing=()
for p in "${PKGS[@]}"; do
	if ! grep -qx -- "$p" <<<"$installed"; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

echo "deps: installing missing packages: ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	sudo=(sudo)
fi
# Wait for a concurrent apt/dpkg instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -q update >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -q -y \
	--no-install-recommends install "${missing[@]}" >&2
