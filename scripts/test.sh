#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the whole test suite of an existing build: the libFuzzer targets for a bounded time (built
# with clang in BUILD_DIR-fuzz), then ctest, with skips and their reasons shown.
# Set SYSFENCE_SKIP_FUZZ=1 to leave the fuzzers out. With SYSFENCE_REQUIRE_FEATURES=1 (CI) a skip is
# a failure unless it names a feature this machine really lacks (docs/testing.md).
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."

if [ "${SYSFENCE_SKIP_FUZZ:-0}" != 1 ]; then
  if command -v clang++ >/dev/null; then
    fuzz_build="$build-fuzz"
    cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
      -DCMAKE_CXX_COMPILER=clang++ -DSYSFENCE_FUZZ=ON -DSYSFENCE_BENCH=OFF >/dev/null
    cmake --build "$fuzz_build" -j"$(nproc)" --target policy_parser_fuzz oci_import_fuzz profile_json_fuzz audit_record_fuzz
    echo "== fuzzing the .sfp parser, the OCI importer, the recording reader and the audit record parsers (30 s each)"
    ctest --test-dir "$fuzz_build" --output-on-failure -R '^(policy_parser_fuzz|oci_import_fuzz|profile_json_fuzz|audit_record_fuzz)$'
  else
    echo "== fuzzers skipped: clang++ is not installed (scripts/deps.txt lists it)"
  fi
fi

# Under SYSFENCE_REQUIRE_FEATURES=1 (.ci/run sets it) every test binary's skip guard
# (tests/guard/skip_guard.h) fails a skip unless its reason names, as "[feature: NAME]", a feature
# that scripts/probe-machine.sh — a probe independent of sysfence's own — finds missing here.
if [ "${SYSFENCE_REQUIRE_FEATURES:-0}" = 1 ]; then
  SYSFENCE_MISSING_FEATURES=$(scripts/probe-machine.sh | tr '\n' ' ')
  export SYSFENCE_REQUIRE_FEATURES SYSFENCE_MISSING_FEATURES
  echo "== SYSFENCE_REQUIRE_FEATURES=1: a skip fails unless it names a feature this machine lacks:" \
    "${SYSFENCE_MISSING_FEATURES:-(none)}"
fi

status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error -j"$(nproc)" --timeout 900 || status=$?

# Every skip with its reason (GoogleTest prints "FILE:LINE: Skipped", the reason, then
# "[  SKIPPED ] NAME"); ctest itself only lists the names.
log="$build/Testing/Temporary/LastTest.log"
if [ -r "$log" ]; then
  skips=$(awk '/: Skipped$/ { reason = ""; on = 1; next }
               /^\[  SKIPPED \] / && on { sub(/ \([0-9]+ ms\)$/, "", $0); print "  " substr($0, 14) ": " reason; on = 0; next }
               on { reason = reason (reason == "" ? "" : " ") $0 }' "$log")
  if [ -n "$skips" ]; then
    echo "== skipped tests and why:"
    echo "$skips"
  fi
fi
exit "$status"
