#!/usr/bin/env bash
# check-style.sh - `make check-style`: the tree's taste, checked by tools.
#
#   tools/check-style.sh                 both checks below
#   tools/check-style.sh --format        clang-format only
#   tools/check-style.sh --cppcheck      cppcheck only
#   tools/check-style.sh --fix           reformat the checked files that differ
#   tools/check-style.sh --list-unformatted
#                                        print every C file clang-format would
#                                        change, legacy or not (to maintain
#                                        tools/clang-format-legacy.txt)
#   tools/check-style.sh --changed [REV] clang-format only the lines changed
#                                        since REV (default HEAD), legacy
#                                        files included (git clang-format)
#
# clang-format: every .c/.h under kernel/ arch/ drivers/ lib/ include/
# tests/ user/ must be exactly what clang-format 14 makes of it with the
# top-level .clang-format, except the files listed in
# tools/clang-format-legacy.txt (hand-formatted before .clang-format existed;
# see that file).  Each file that differs is named with the start of its
# diff.  Pinned to version 14 (Debian 12): other versions format differently.
#
# cppcheck: the kernel's sources (kernel/ arch/ drivers/ lib/ tests/kernel/,
# the files the kernel is linked from) in the kernel build's configuration,
# with warning, portability and performance checks.  Justified suppressions
# live in tools/cppcheck-suppressions.txt, each with its reason.
#
# Exit status: 0 clean, 1 findings, 2 a tool is missing or failed.
# Environment: BUILD (cppcheck's cache: $BUILD/cppcheck), JOBS (default 2).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
LEGACY=tools/clang-format-legacy.txt
SUPPRESSIONS=tools/cppcheck-suppressions.txt
FORMAT_DIRS=(kernel arch drivers lib include tests user)
CPPCHECK_DIRS=(kernel arch drivers lib tests/kernel)
# The kernel build's configuration (Makefile: KCFLAGS), DEBUG=1 KCOV=0.
CPPCHECK_DEFS=(-DKEEL_DEBUG=1 -DKEEL_KCOV=0 -D__x86_64__)
DIFF_LINES=20                   # lines of diff shown per file

do_format=1 do_cppcheck=1 fix=0 list=0 changed=
case "${1:-}" in
"") ;;
--format) do_cppcheck=0 ;;
--cppcheck) do_format=0 ;;
--fix) do_cppcheck=0 fix=1 ;;
--list-unformatted) do_cppcheck=0 list=1 ;;
--changed) do_cppcheck=0 changed=${2:-HEAD} ;;
*)
	echo "usage: $0 [--format | --cppcheck | --fix | --list-unformatted |" \
		"--changed [REV]]" >&2
	exit 2
	;;
esac

say() { printf 'check-style: %s\n' "$*"; }

# The clang-format binary, version 14 only.
find_clang_format() {
	local c
	for c in clang-format-14 clang-format; do
		if command -v "$c" >/dev/null 2>&1 &&
			"$c" --version | grep -q 'version 14\.'; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# The paths in the legacy list, without comments and blank lines.
legacy_entries() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$LEGACY"
}

# Every C file of the tree, sorted; with "checked", minus the legacy list.
c_files() {
	find "${FORMAT_DIRS[@]}" -name '*.[ch]' -type f | LC_ALL=C sort |
		if [[ ${1:-} == checked ]]; then
			grep -vxF -f <(legacy_entries)
		else
			cat
		fi
}

# Prints the names of the files (arguments) clang-format would change.
# Runs in parallel (xargs -P); each worker prints whole lines.
unformatted() {
	local cf=$1
	shift
	# shellcheck disable=SC2016 # $1 and $f belong to the inner sh
	printf '%s\0' "$@" | xargs -0 -r -n 8 -P "$JOBS" sh -c '
		cf=$1; shift
		for f; do
			"$cf" --style=file "$f" | cmp -s - "$f" || echo "$f"
		done' sh "$cf" | LC_ALL=C sort
}

# The lines changed since $changed (committed or not), in every C file.
check_changed() {
	local out

	if ! out=$(git clang-format-14 --binary "$1" --diff --extensions c,h \
		"$changed" -- "${FORMAT_DIRS[@]}" 2>&1); then
		printf '%s\n' "$out"
		say "git clang-format failed"
		return 2
	fi
	if [[ $out != diff* ]]; then
		say "clang-format: the lines changed since $changed are clean"
		return 0
	fi
	printf '%s\n' "$out"
	say "clang-format: lines changed since $changed differ (diff above)"
	return 1
}

check_format() {
	local cf files bad f stale

	if ! cf=$(find_clang_format); then
		say "clang-format 14 not found (Debian 12: apt-get install clang-format)"
		return 2
	fi
	if [[ $list -eq 1 ]]; then
		mapfile -t files < <(c_files all)
		unformatted "$cf" "${files[@]}"
		return 0
	fi
	if [[ -n $changed ]]; then
		check_changed "$cf"
		return
	fi
	# A legacy entry whose file is gone is a mistake in the list.
	mapfile -t stale < <(legacy_entries | while read -r f; do [[ -f $f ]] || echo "$f"; done)
	if [[ ${#stale[@]} -gt 0 ]]; then
		say "$LEGACY names files that do not exist:"
		printf '  %s\n' "${stale[@]}"
		return 1
	fi
	mapfile -t files < <(c_files checked)
	mapfile -t bad < <(unformatted "$cf" "${files[@]}")
	if [[ ${#bad[@]} -eq 0 ]]; then
		say "clang-format: ${#files[@]} files clean"
		return 0
	fi
	if [[ $fix -eq 1 ]]; then
		"$cf" -i --style=file "${bad[@]}"
		say "clang-format: reformatted ${#bad[@]} files:"
		printf '  %s\n' "${bad[@]}"
		return 0
	fi
	for f in "${bad[@]}"; do
		"$cf" --style=file "$f" |
			diff -u --label "$f" --label "$f (clang-format)" "$f" - |
			head -n "$DIFF_LINES"
	done
	say "clang-format: ${#bad[@]} of ${#files[@]} files differ (fix: $0 --fix):"
	printf '  %s\n' "${bad[@]}"
	return 1
}

check_cppcheck() {
	local out rc

	if ! command -v cppcheck >/dev/null 2>&1; then
		say "cppcheck not found (Debian 12: apt-get install cppcheck)"
		return 2
	fi
	mkdir -p "$BUILD/cppcheck"
	out=$(cppcheck --quiet -j "$JOBS" --cppcheck-build-dir="$BUILD/cppcheck" \
		--enable=warning,portability,performance --std=c11 --platform=unix64 \
		--language=c --error-exitcode=1 --inline-suppr \
		--suppressions-list="$SUPPRESSIONS" \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
		-Iinclude -Iarch/x86_64/include "${CPPCHECK_DEFS[@]}" \
		"${CPPCHECK_DIRS[@]}" 2>&1)
	rc=$?
	if [[ -n $out ]]; then
		printf '%s\n' "$out"
	fi
	if [[ $rc -eq 0 && -z $out ]]; then
		say "cppcheck: clean"
		return 0
	fi
	say "cppcheck: findings above (status $rc); fix them or, for a false"
	say "positive, add a suppression with its reason to $SUPPRESSIONS"
	return 1
}

# The worst status of the checks run: 2 (tool trouble) over 1 (findings).
status=0
if [[ $do_format -eq 1 ]]; then
	check_format
	rc=$?
	status=$((rc > status ? rc : status))
fi
if [[ $do_cppcheck -eq 1 ]]; then
	check_cppcheck
	rc=$?
	status=$((rc > status ? rc : status))
fi
exit "$status"
