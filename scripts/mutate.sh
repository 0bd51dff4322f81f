#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Mutation testing, as a habit (not part of CI's critical path): plants known-dangerous mutations of
# sysfence, one at a time, in a scratch copy of this working tree; builds only the test binaries
# that matter for each; runs them; and shows which tests catch it. Every mutation must be caught:
# the script exits 1 when one survives (or no longer applies: the line it edits changed).
#
# Usage: scripts/mutate.sh [NAME-REGEX]     e.g. scripts/mutate.sh 'landlock|x32'
#   SYSFENCE_MUTATE_DIR   scratch folder (default /tmp/sysfence-mutate; kept between runs, so a
#                         second run only rebuilds what the mutations touch)
#   SYSFENCE_MUTATE_JOBS  build jobs (default: nproc)
#   SYSFENCE_MUTATE_REV   mutate this commit (git archive) instead of the working tree
# Tests run as in CI: SYSFENCE_REQUIRE_FEATURES=1 with scripts/probe-machine.sh's missing list, so
# a mutation that turns tests into skips (a product probe saying "unavailable") is caught too.
# Results: SYSFENCE_MUTATE_DIR/results.md (a Markdown table, as in docs/testing.md) and logs/.
# How to add a mutation: docs/testing.md, "Mutation testing".
set -euo pipefail
set -f  # no globbing: the tests' gtest filters hold '*'
here=$(cd "$(dirname "$0")/.." && pwd)
work=${SYSFENCE_MUTATE_DIR:-/tmp/sysfence-mutate}
jobs=${SYSFENCE_MUTATE_JOBS:-$(nproc)}
only=${1:-.}
src=$work/src
pristine=$work/pristine  # the snapshot of each file a mutation edits
build=$work/build
logs=$work/logs

# ---------------------------------------------------------------------------------------------
# The mutations. mutation NAME FILE OLD NEW TEST...
#   OLD    an exact piece of FILE's text that must occur exactly once; it becomes NEW.
#   TEST   BINARY or BINARY=GTEST_FILTER; BINARY is a test target, found under the build tree.
names=() files=() olds=() news=() tests=()
mutation() {
  names+=("$1") files+=("$2") olds+=("$3") news+=("$4")
  shift 4
  tests+=("$*")
}

mutation arch-check src/codegen/compile.cc \
  'next = assembler_.Jump(bpf::op::kJeq, g->audit, load_nr, next);' \
  'next = assembler_.Jump(bpf::op::kJeq, g->audit, load_nr, load_nr);' \
  sysfence_codegen_test golden_test differential_test 'run_live_test=*Int80*:*X32*:*Arch*'
mutation x32-bit src/codegen/compile.cc \
  'const ir::ArchTable* table = (first & kX32SyscallBit) != 0 ? x32 : native;' \
  'const ir::ArchTable* table = native;' \
  sysfence_codegen_test golden_test differential_test 'run_live_test=*Int80*:*X32*:*Arch*'
mutation argument-halves-swapped src/codegen/compile.cc \
  'return half == ir::Half::kHigh ? bpf::offset::ArgHi(arg) : bpf::offset::ArgLo(arg);' \
  'return half == ir::Half::kHigh ? bpf::offset::ArgLo(arg) : bpf::offset::ArgHi(arg);' \
  sysfence_codegen_test golden_test differential_test
mutation high-half-ignored src/ir/lower.cc \
  'return b.Test(Word(c.arg, Half::kHigh, WordOp::kEq, static_cast<uint32_t>(v >> 32)), low, f);' \
  'return low;' \
  sysfence_ir_test sysfence_codegen_test golden_test differential_test
mutation narrow-argument-as-64-bit src/ir/lower.cc \
  'return width_bits < 64 ? CompareNarrow(' \
  'return width_bits < 0 ? CompareNarrow(' \
  sysfence_ir_test sysfence_codegen_test golden_test differential_test
mutation rule-order-last-wins src/ir/build.cc \
  'return a.nr != b.nr ? a.nr < b.nr : a.rule < b.rule;' \
  'return a.nr != b.nr ? a.nr < b.nr : a.rule > b.rule;' \
  sysfence_ir_test sysfence_codegen_test golden_test differential_test
mutation supervisor-answer-inverted src/run/supervisor.cc \
  'if (response.kind == ResponseKind::kContinue) {' \
  'if (response.kind != ResponseKind::kContinue) {' \
  sysfence_run_test run_live_test
mutation monitor-denies src/run/supervised_policy.cc \
  'if (mode == RunMode::kMonitor) return {ResponseKind::kContinue, 0};' \
  'if (mode == RunMode::kMonitor) return {ResponseKind::kFail, EPERM};' \
  sysfence_run_test run_live_test
mutation enforce-denials-via-supervisor src/run/supervised_policy.cc \
  'return policy_action.kind == ActionKind::kLog;' \
  'return policy_action.kind != ActionKind::kAllow;' \
  sysfence_run_test run_live_test
mutation notify-rule-passed-through src/run/supervised_policy.cc \
  'if (policy_action.kind == ActionKind::kNotify) return Action::Errno(ENOSYS);' \
  '' \
  sysfence_run_test run_live_test
mutation landlock-probe-unavailable src/os/landlock.cc \
  'if (abi >= 1) return static_cast<int>(abi);' \
  'if (abi >= 1) return 0;' \
  sysfence_os_test sysfence_api_test landlock_cli_test 'run_live_test=*Landlock*:*Isolation*'
mutation landlock-isolation-off src/run/runner.cc \
  'landlock_options.isolation = true;' \
  'landlock_options.isolation = false;' \
  sysfence_run_test 'run_live_test=*Isolation*:*Landlock*'

mutation long-jump-range src/codegen/instruction_dag.cc \
  'constexpr uint32_t kMaxJumpOffset = 255;' \
  'constexpr uint32_t kMaxJumpOffset = 256;' \
  sysfence_codegen_test golden_test differential_test
mutation oracle-i386-off tests/support/kernel_oracle.cc \
  'oracle.i386_ = WIFEXITED(status) && WEXITSTATUS(status) == 0;' \
  'oracle.i386_ = false;' \
  sysfence_bpf_test differential_test

# ---------------------------------------------------------------------------------------------
selected=()
for i in "${!names[@]}"; do
  [[ ${names[$i]} =~ $only ]] && selected+=("$i")
done
[ "${#selected[@]}" -gt 0 ] || { echo "no mutation matches '$only'" >&2; exit 2; }

# replace FILE OLD NEW: exact text, exactly once, or fail.
replace() {
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
count = text.count(old)
if count != 1:
    sys.exit(f"{path}: the text to mutate occurs {count} times (expected once): {old}")
open(path, "w").write(text.replace(old, new))
EOF
}

# The scratch copy: the working tree's tracked and untracked files (not ignored ones, such as build
# folders), or with SYSFENCE_MUTATE_REV=REV that commit. Time stamps are kept, so the kept build
# recompiles only what changed since the last run.
rm -rf "$src"
mkdir -p "$src" "$logs"
if [ -n "${SYSFENCE_MUTATE_REV:-}" ]; then
  echo "== scratch copy of $SYSFENCE_MUTATE_REV in $src"
  git -C "$here" archive "$SYSFENCE_MUTATE_REV" | tar -C "$src" -xf -
else
  echo "== scratch copy of $here in $src"
  (cd "$here" && git ls-files -z -co --exclude-standard) |
    tar -C "$here" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$src" -xf -
fi
# Mutants are made from, and undone with, this snapshot (not the live tree, which may change
# meanwhile). A previous run may have stopped with a mutant in place: every file a mutation edits
# gets a fresh time stamp, so the build below starts from the real source.
rm -rf "$pristine"
for i in "${!names[@]}"; do
  mkdir -p "$(dirname "$pristine/${files[$i]}")"
  cp "$src/${files[$i]}" "$pristine/${files[$i]}"
  touch "$src/${files[$i]}"
done

targets=()
for i in "${selected[@]}"; do
  for t in ${tests[$i]}; do targets+=("${t%%=*}"); done
done
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u)

build_targets() {
  cmake --build "$build" -j"$jobs" --target "${targets[@]}"
}

echo "== configuring and building ${targets[*]} (the first run builds them all; later runs are incremental)"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYSFENCE_BENCH=OFF >"$logs/configure.log" 2>&1
build_targets >"$logs/build-baseline.log" 2>&1 || { tail -30 "$logs/build-baseline.log"; exit 1; }

SYSFENCE_REQUIRE_FEATURES=1
SYSFENCE_MISSING_FEATURES=$("$here/scripts/probe-machine.sh" | tr '\n' ' ')
export SYSFENCE_REQUIRE_FEATURES SYSFENCE_MISSING_FEATURES

# run_tests LOG TEST...: runs each test binary (with its filter); prints the failed test names.
run_tests() {
  local log=$1 t binary filter path status out
  shift
  : >"$log"
  out=$(mktemp)
  for t in "$@"; do
    binary=${t%%=*}
    filter='*'
    [[ $t == *=* ]] && filter=${t#*=}
    path=$(find "$build" -type f -name "$binary" -perm -u+x | head -1)
    if [ -z "$path" ]; then
      echo "$binary(not built)"
      continue
    fi
    status=0
    (cd "$(dirname "$path")" && timeout 900 "$path" --gtest_filter="$filter") >"$out" 2>&1 || status=$?
    cat "$out" >>"$log"
    [ "$status" = 0 ] && continue
    # "[  FAILED  ] Suite.Test" lines name the failures (the summary repeats them: sort -u).
    if grep -q '^\[  FAILED  \] [A-Za-z]' "$out"; then
      grep '^\[  FAILED  \] [A-Za-z]' "$out" | sed 's/^\[  FAILED  \] //; s/ (.*//; s/,.*//'
    else
      echo "$binary(exit $status)"
    fi
  done | sort -u
  rm -f "$out"
}

echo "== baseline: the unmutated tests must pass"
baseline_tests=()
for i in "${selected[@]}"; do
  read -ra listed <<<"${tests[$i]}"
  baseline_tests+=("${listed[@]}")
done
mapfile -t baseline_tests < <(printf '%s\n' "${baseline_tests[@]}" | sort -u)
baseline_failures=$(run_tests "$logs/baseline.log" "${baseline_tests[@]}")
if [ -n "$baseline_failures" ]; then
  echo "the unmutated tests fail; fix them first (log: $logs/baseline.log):" >&2
  echo "$baseline_failures" >&2
  exit 1
fi

results=$work/results.md
{
  echo "| mutation | where | caught | tests that catch it |"
  echo "| --- | --- | --- | --- |"
} >"$results"
survivors=0
for i in "${selected[@]}"; do
  name=${names[$i]}
  file=$src/${files[$i]}
  cp "$pristine/${files[$i]}" "$file"
  echo "== $name: ${files[$i]}"
  if ! replace "$file" "${olds[$i]}" "${news[$i]}"; then
    echo "| $name | \`${files[$i]}\` | **no longer applies** | |" >>"$results"
    survivors=$((survivors + 1))
    continue
  fi
  start=$SECONDS
  if ! build_targets >"$logs/build-$name.log" 2>&1; then
    echo "   the mutant does not compile (log: $logs/build-$name.log)"
    echo "| $name | \`${files[$i]}\` | **does not compile** | |" >>"$results"
    survivors=$((survivors + 1))
  else
    # shellcheck disable=SC2086
    caught=$(run_tests "$logs/test-$name.log" ${tests[$i]})
    if [ -n "$caught" ]; then
      count=$(echo "$caught" | wc -l)
      shown=$(echo "$caught" | head -4 | paste -sd, - | sed 's/,/, /g')
      [ "$count" -gt 4 ] && shown="$shown and $((count - 4)) more"
      echo "   caught by $count: $shown ($((SECONDS - start)) s)"
      echo "| $name | \`${files[$i]}\` | yes ($count) | $shown |" >>"$results"
    else
      echo "   NOT CAUGHT ($((SECONDS - start)) s)"
      echo "| $name | \`${files[$i]}\` | **NO** | |" >>"$results"
      survivors=$((survivors + 1))
    fi
  fi
  # Back to the real source, with a new time stamp so that the next build recompiles it.
  cp "$pristine/${files[$i]}" "$file"
done

# Leave the scratch build unmutated for the next run.
build_targets >"$logs/build-restore.log" 2>&1 || true
echo
cat "$results"
if [ "$survivors" -gt 0 ]; then
  echo "$survivors mutation(s) survived: write the missing test (docs/testing.md)" >&2
  exit 1
fi
echo "every mutation was caught"
