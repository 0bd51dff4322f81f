#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CPack's .deb: built from the build tree, its control fields checked (Depends from dpkg-shlibdeps
# names the package of every shared library the CLI and libsysfence link), its contents unpacked into a temporary
# root with dpkg-deb -x (installing into this machine would be invasive) and `sysfence features` run
# from there, as well as a program linked against the unpacked libsysfence.so.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$(find "$work/out" -maxdepth 1 -name 'sysfence_*.deb' | head -1)
[ -n "$deb" ] || fail "no .deb in $work/out"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

info=$(dpkg-deb --info "$deb")
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
echo "Depends: $depends"
depends_names=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/[ |].*//')
grep -q '^ Package: sysfence$' <<<"$info" || fail "package name"
grep -q '^ Architecture: amd64$' <<<"$info" || fail "architecture"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/sysfence ./usr/include/sysfence/sysfence.h ./usr/share/man/man1/sysfence.1 \
            ./usr/share/man/man5/sysfence.sfp.5 ./usr/share/bash-completion/completions/sysfence \
            ./usr/lib/systemd/system/sysfence-watch.service ./usr/share/containers/oci/hooks.d/sysfence-record.json; do
  grep -qx "$path" <<<"$contents" || fail "the .deb lacks $path"
done
grep -q '^\./usr/lib/.*libsysfence\.so\.0\.' <<<"$contents" || fail "the .deb lacks libsysfence.so"

root=$work/root
dpkg-deb -x "$deb" "$root"
# Every shared library the packaged binaries link (ELF NEEDED) must come from a package in Depends.
for elf in "$root/usr/bin/sysfence" $(find "$root/usr/lib" -name 'libsysfence.so.*' -type f); do
  for needed in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldd "$elf" | awk -v lib="$needed" '$1 == lib { print $3 }')
    [ -n "$path" ] || fail "$needed (linked by $(basename "$elf")) is not found on this machine"
    # Merged /usr: dpkg may know the file under /lib or under /usr/lib.
    owner=$( (dpkg -S "$path" || dpkg -S "${path#/usr}" || dpkg -S "/usr$path") 2>/dev/null | head -1 | cut -d: -f1) || true
    [ -n "$owner" ] || fail "no installed package owns $path ($needed, linked by $(basename "$elf"))"
    grep -qxF "$owner" <<<"$depends_names" || fail "$(basename "$elf") links $needed from $owner, not in Depends: $depends"
    echo "  $(basename "$elf") needs $needed: $owner is in Depends"
  done
done
grep -qx 'ExecStart=/usr/bin/sysfence watch .*' "$root/usr/lib/systemd/system/sysfence-watch.service" ||
  fail "the packaged unit does not start /usr/bin/sysfence"
"$root/usr/bin/sysfence" features >"$work/features.txt" || { cat "$work/features.txt"; fail "sysfence features from the .deb"; }
echo "sysfence features from the unpacked .deb:"
head -5 "$work/features.txt"

libdir=$(dirname "$(find "$root/usr/lib" -name 'libsysfence.so' | head -1)")
c++ -std=c++17 -I"$root/usr/include" -o "$work/consumer" "$source/tests/package/consumer/consumer.cc" \
  -L"$libdir" -lsysfence -Wl,-rpath,"$libdir" || fail "building against the unpacked library"
out=$("$work/consumer") || fail "the program linked against the .deb's library: $out"
echo "consumer: $out"
