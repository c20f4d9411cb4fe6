#!/usr/bin/env bash
# test-all.sh - `make test`: run every test layer and print one summary line.
#
#   1. host unit tests      $BUILD/host/htest ("host: N passed, N failed")
#   2. clang build          make CC=clang BUILD=build-clang build-clang/keel.elf
#                           must build, warning-free (one test case)
#   3. style                tools/check-style.sh: clang-format (one test case)
#                           and cppcheck (one test case)
#   4. system tests         pytest tests/system (QEMU + pexpect), counted from
#                           its JUnit XML; in-kernel tests are one case each
#
# A layer that fails to build counts as one failure; the other layers still
# run.  The last line is exactly "N passed, N failed" (", N skipped" appended
# when pytest skipped some), and the exit status is non-zero on any failure.
#
# Environment (set by make): MAKE, BUILD, PYTHON.  PYTEST_ARGS adds pytest
# arguments (e.g. PYTEST_ARGS="-k boot").
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
CLANG_BUILD=build-clang
passed=0 failed=0 skipped=0

# Parallel sub-makes unless the parent make already runs a jobserver.
jobs=()
if [[ " ${MAKEFLAGS:-} " != *jobserver* && " ${MAKEFLAGS:-} " != *" -j"* ]]; then
	jobs=(-j"$(nproc)")
fi

say() { printf 'test-all: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# Runs pytest on tests/system and adds its JUnit counts to the totals.
run_pytest() {
	local junit="$BUILD/system-junit.xml" rc counts p f s
	rm -f "$junit"
	# shellcheck disable=SC2086 # PYTEST_ARGS is a list of words on purpose
	KEEL_BUILD="$BUILD" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m pytest \
		-p no:cacheprovider -ra --durations=0 --durations-min=0.05 \
		--junitxml="$junit" ${PYTEST_ARGS:-} tests/system
	rc=$?
	if ! counts=$("$PYTHON" - "$junit" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
t = f = e = s = 0
for su in suites:
    t += int(su.get("tests", 0))
    f += int(su.get("failures", 0))
    e += int(su.get("errors", 0))
    s += int(su.get("skipped", 0))
print(t - f - e - s, f + e, s)
PY
	); then
		say "FAIL pytest (status $rc) wrote no JUnit XML"
		failed=$((failed + 1))
		return
	fi
	read -r p f s <<<"$counts"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		say "pytest exited $rc with no failed test"
		failed=$((failed + 1))
	fi
}

# ---------------------------------------------------------------- 1. host
t=$(now)
if $MAKE "${jobs[@]}" --no-print-directory BUILD="$BUILD" "$BUILD/host/htest"; then
	out=$("$BUILD/host/htest" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if [[ $(tail -n 1 <<<"$out") =~ ^host:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		if [[ $rc -ne 0 && ${BASH_REMATCH[2]} -eq 0 ]]; then
			say "htest exited $rc with no failed test"
			failed=$((failed + 1))
		fi
	else
		say "htest crashed (status $rc) before its summary line"
		failed=$((failed + 1))
	fi
else
	say "FAIL building host tests"
	failed=$((failed + 1))
fi
say "host tests done in $(since "$t")"

# ---------------------------------------------------------------- 2. clang
t=$(now)
log="$BUILD/clang-build.log"
mkdir -p "$BUILD"
if $MAKE "${jobs[@]}" --no-print-directory CC=clang BUILD="$CLANG_BUILD" \
	"$CLANG_BUILD/keel.elf" >"$log" 2>&1 &&
	! grep -qE '(:[0-9]+:[0-9]+: |^(clang|ld\.lld|llvm-[a-z-]+)[^:]*: )warning:' "$log"; then
	say "PASS clang build"
	passed=$((passed + 1))
else
	cat "$log"
	say "FAIL clang build (log: $log)"
	failed=$((failed + 1))
fi
say "clang build done in $(since "$t")"

# ---------------------------------------------------------------- 3. style
# Two cases: the tree's formatting, and cppcheck on the kernel sources.
t=$(now)
for check in format cppcheck; do
	if BUILD="$BUILD" tools/check-style.sh --"$check"; then
		say "PASS style: $check"
		passed=$((passed + 1))
	else
		say "FAIL style: $check (run: make check-style)"
		failed=$((failed + 1))
	fi
done
say "style checks done in $(since "$t")"

# ---------------------------------------------------------------- 4. system
t=$(now)
if ! $MAKE "${jobs[@]}" --no-print-directory BUILD="$BUILD" \
	"$BUILD/keel.elf" "$BUILD/keel.iso"; then
	# Never test a stale keel.elf left over from an earlier build.
	say "FAIL building $BUILD/keel.elf / keel.iso: system tests not run"
	failed=$((failed + 1))
else
	run_pytest
fi
say "system tests done in $(since "$t")"

# ---------------------------------------------------------------- summary
line="$passed passed, $failed failed"
if [[ $skipped -gt 0 ]]; then
	line="$line, $skipped skipped"
fi
echo "$line"
[[ $failed -eq 0 ]]
