#!/bin/sh
# Rewrites tests/golden/*.disasm from the current compiler. Review the diff before committing.
# Usage: tests/golden/regenerate.sh [BUILD_DIR]   (default: build)
set -eu
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-"$source_dir/build"}
cmake --build "$build_dir" --target golden_test
SYSFENCE_SOURCE_DIR="$source_dir" SYSFENCE_REGENERATE_GOLDEN=1 "$build_dir/tests/golden/golden_test"
echo "regenerated: $(ls "$source_dir"/tests/golden/*.disasm | wc -l) listings; review with git diff tests/golden"
