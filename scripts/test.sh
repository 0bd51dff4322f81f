#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the whole test suite of an existing build: the libFuzzer targets for a bounded time (built
# with clang in BUILD_DIR-fuzz), then ctest, with skips and their reasons shown.
# Set SYSFENCE_SKIP_FUZZ=1 to leave the fuzzers out.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."

if [ "${SYSFENCE_SKIP_FUZZ:-0}" != 1 ]; then
  if command -v clang++ >/dev/null; then
    fuzz_build="$build-fuzz"
    cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
      -DCMAKE_CXX_COMPILER=clang++ -DSYSFENCE_FUZZ=ON -DSYSFENCE_BENCH=OFF >/dev/null
    cmake --build "$fuzz_build" -j"$(nproc)" --target policy_parser_fuzz oci_import_fuzz profile_json_fuzz
    echo "== fuzzing the .sfp parser, the OCI importer and the recording reader (30 s each)"
    ctest --test-dir "$fuzz_build" --output-on-failure -R '^(policy_parser_fuzz|oci_import_fuzz|profile_json_fuzz)$'
  else
    echo "== fuzzers skipped: clang++ is not installed (scripts/deps.txt lists it)"
  fi
fi

ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900
