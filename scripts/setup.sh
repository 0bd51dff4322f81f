#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One command to set sysfence up on Debian 12: install every dependency with apt, build, then
#   demo  — run the main job on a bundled example (the default), or
#   test  — run the whole test suite (what CI runs).
# Usage: sudo scripts/setup.sh [demo|test] ; set SYSFENCE_SKIP_APT=1 to skip the apt step.
# SYSFENCE_REQUIRE_FEATURES=1 (.ci/run sets it): every optional part must build (the eBPF backend)
# and a test may skip only for a feature this machine lacks (docs/testing.md).
set -euo pipefail
mode=${1:-demo}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ "${SYSFENCE_SKIP_APT:-0}" != 1 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  # shellcheck disable=SC2046
  $sudo_cmd apt-get install -y -qq --no-install-recommends $(grep -v '^#' scripts/deps.txt) >/dev/null
fi

build=${SYSFENCE_BUILD_DIR:-build}
werror=OFF
[ "${CI:-}" = true ] && werror=ON
# CI=true also means no silent skips, unless SYSFENCE_REQUIRE_FEATURES says otherwise.
[ "${CI:-}" = true ] && export SYSFENCE_REQUIRE_FEATURES=${SYSFENCE_REQUIRE_FEATURES:-1}
require=OFF
[ "${SYSFENCE_REQUIRE_FEATURES:-0}" = 1 ] && require=ON
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYSFENCE_WERROR="$werror" \
  -DSYSFENCE_REQUIRE_FEATURES="$require" >/dev/null
cmake --build "$build" -j"$(nproc)"

case "$mode" in
  demo) exec scripts/demo.sh "$build" ;;
  test) exec scripts/test.sh "$build" ;;
  *) echo "usage: $0 [demo|test]" >&2; exit 2 ;;
esac
