#!/usr/bin/env bash
# Writes the mobile binding's generated sources: generated.rs from the schema (tools/gen.py),
# then the Kotlin and Swift halves from the built library (uniffi-bindgen, library mode).
#   bash scripts/gen-mobile.sh           # regenerate
#   bash scripts/gen-mobile.sh --check   # fail when a committed generated file is stale (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
# A debug build: the bindings read the library's metadata, which the profile does not change,
# and the test command's debug dependencies are already built.
LIB=target/debug/libnarvar_mobile.so
M=bindings-mobile
python3 $M/tools/gen.py "$@"
cargo build --locked -q -p narvar-mobile -p uniffi-bindgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for lang in kotlin swift; do
  target/debug/uniffi-bindgen generate --no-format --library $LIB --language $lang --out-dir "$out/$lang" >/dev/null
done
python3 $M/tools/patch_kotlin.py "$out/kotlin/dev/narvar/narvar_mobile.kt"
# The Swift package's layout: the Swift module, and the C module it imports.
mkdir -p "$out/swift/Sources/Narvar" "$out/swift/Sources/NarvarFFI/include"
mv "$out/swift/Narvar.swift" "$out/swift/Sources/Narvar/Narvar.swift"
mv "$out/swift/NarvarFFI.h" "$out/swift/Sources/NarvarFFI/include/NarvarFFI.h"
mv "$out/swift/NarvarFFI.modulemap" "$out/swift/Sources/NarvarFFI/include/module.modulemap"
pairs=(
  "$out/kotlin/dev/narvar/narvar_mobile.kt:$M/kotlin/dev/narvar/narvar_mobile.kt"
  "$out/swift/Sources/Narvar/Narvar.swift:$M/swift/Sources/Narvar/Narvar.swift"
  "$out/swift/Sources/NarvarFFI/include/NarvarFFI.h:$M/swift/Sources/NarvarFFI/include/NarvarFFI.h"
  "$out/swift/Sources/NarvarFFI/include/module.modulemap:$M/swift/Sources/NarvarFFI/include/module.modulemap"
)
stale=0
for p in "${pairs[@]}"; do
  new=${p%%:*} committed=${p#*:}
  if [ "${1:-}" = --check ]; then
    cmp -s "$new" "$committed" || { echo "$committed is stale: run bash scripts/gen-mobile.sh" >&2; stale=1; }
  else
    mkdir -p "$(dirname "$committed")" && cp "$new" "$committed"
  fi
done
exit $stale
