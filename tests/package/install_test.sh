#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cmake --install` into a temporary prefix, then what a user of the package does with it:
#  - every promised file is there (CLI, library with its SONAME, headers, CMake package, sysfence.pc,
#    man pages, completions, the systemd unit pointing at the installed CLI, example policies);
#  - the library exports only the public API;
#  - an out-of-tree program builds against it with find_package(sysfence) and with pkg-config, and
#    each build runs and sandboxes itself (tests/package/consumer).
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log"

libdir=$(cd "$prefix" && dirname "$(find . -name 'libsysfence.so' | head -1)")
[ -n "$libdir" ] && [ "$libdir" != . ] || fail "libsysfence.so not installed"
for path in bin/sysfence include/sysfence/sysfence.h include/sysfence/error_code.h \
            "$libdir/cmake/sysfence/sysfenceConfig.cmake" "$libdir/cmake/sysfence/sysfenceConfigVersion.cmake" \
            "$libdir/cmake/sysfence/sysfenceTargets.cmake" "$libdir/pkgconfig/sysfence.pc" \
            share/man/man1/sysfence.1 share/man/man1/sysfence-run.1 share/man/man5/sysfence.sfp.5 \
            share/bash-completion/completions/sysfence share/zsh/vendor-completions/_sysfence \
            share/fish/vendor_completions.d/sysfence.fish lib/systemd/system/sysfence-watch.service \
            share/containers/oci/hooks.d/sysfence-record.json \
            share/doc/sysfence/examples/web.sfp share/doc/sysfence/examples/fragments/runtime.sfp \
            share/doc/sysfence/examples/self_sandbox.cc; do
  [ -e "$prefix/$path" ] || fail "not installed: $path"
done
echo "installed: every promised file is under the prefix"

grep -qx "ExecStart=$prefix/bin/sysfence watch .*" "$prefix/lib/systemd/system/sysfence-watch.service" ||
  fail "the unit's ExecStart does not name $prefix/bin/sysfence"
grep -q "\"path\": \"$prefix/bin/sysfence\"" "$prefix/share/containers/oci/hooks.d/sysfence-record.json" ||
  fail "the OCI hook configuration does not name $prefix/bin/sysfence"
"$prefix/bin/sysfence" --help >/dev/null || fail "the installed CLI does not run"

# The SONAME carries major.minor while the version is 0.x, and only SYSFENCE_API symbols are exported.
soname=$(readelf -d "$prefix/$libdir/libsysfence.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ $soname == libsysfence.so.0.* ]] || fail "unexpected SONAME '$soname'"
[ -e "$prefix/$libdir/$soname" ] || fail "$soname is not installed"
exported=$(nm -D --defined-only "$prefix/$libdir/libsysfence.so" | awk '{print $3}' | c++filt)
[ -n "$exported" ] || fail "the library exports nothing"
# Besides the API: instantiations of libstdc++ templates, which its headers declare with default
# visibility (vague linkage, shared with every other user of libstdc++).
stray=$(grep -v -E '^sysfence::(Policy|PolicyBuilder|SandboxReport)::|^sysfence::(ApplySandbox|LandlockAbi|EnterStrictMode)\(' <<<"$exported" |
        grep -v -E '^((void|typeinfo for|typeinfo name for|vtable for) )?std::' || true)
[ -z "$stray" ] || fail "the library exports more than the public API:
$(head -20 <<<"$stray")"
api=$(grep -c '^sysfence::' <<<"$exported")
echo "library: SONAME $soname, $api exported symbols of the public API, $(($(wc -l <<<"$exported") - api)) libstdc++ instantiations"

# find_package(sysfence) with the imported target sysfence::sysfence.
cmake -S "$source/tests/package/consumer" -B "$work/consumer-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/consumer-cmake.log" || { cat "$work/consumer-cmake.log"; fail "configuring the consumer"; }
cmake --build "$work/consumer-cmake" >>"$work/consumer-cmake.log" || { cat "$work/consumer-cmake.log"; fail "building the consumer"; }
out=$("$work/consumer-cmake/consumer") || fail "the CMake-built consumer did not sandbox itself: $out"
echo "find_package: $out"

# pkg-config, with the installed prefix found from where sysfence.pc lies.
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
[ "$(pkg-config --modversion sysfence)" = "$(sed -n 's/^project(sysfence VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")" ] ||
  fail "sysfence.pc's version is not the project's"
# shellcheck disable=SC2046
c++ -std=c++17 -o "$work/consumer-pc" "$source/tests/package/consumer/consumer.cc" $(pkg-config --cflags --libs sysfence) \
  -Wl,-rpath,"$(pkg-config --variable=libdir sysfence)" || fail "building the consumer with pkg-config"
out=$("$work/consumer-pc") || fail "the pkg-config-built consumer did not sandbox itself: $out"
echo "pkg-config: $out"
