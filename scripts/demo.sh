#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on a bundled example: compile a policy and show the filter.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
sf="$build/tools/sysfence/sysfence"
"$sf" --help
