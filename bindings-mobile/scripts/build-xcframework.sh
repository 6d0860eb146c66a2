#!/usr/bin/env bash
# Builds build/NarvarFFI.xcframework (iOS devices, iOS simulators, macOS) for Package.swift.
# Run on macOS with Xcode and rustup; NOT run in this repository's CI (Linux, no Apple tools).
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
M=bindings-mobile
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  cargo rustc --locked --release -p narvar-mobile --target "$t" --crate-type staticlib
done
out=$M/build
rm -rf "$out" && mkdir -p "$out/sim" "$out/mac" "$out/headers"
cp $M/swift/Sources/NarvarFFI/include/NarvarFFI.h "$out/headers/"
cp $M/swift/Sources/NarvarFFI/include/module.modulemap "$out/headers/module.modulemap"
lipo -create target/aarch64-apple-ios-sim/release/libnarvar_mobile.a target/x86_64-apple-ios/release/libnarvar_mobile.a \
  -output "$out/sim/libnarvar_mobile.a"
lipo -create target/aarch64-apple-darwin/release/libnarvar_mobile.a target/x86_64-apple-darwin/release/libnarvar_mobile.a \
  -output "$out/mac/libnarvar_mobile.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libnarvar_mobile.a -headers "$out/headers" \
  -library "$out/sim/libnarvar_mobile.a" -headers "$out/headers" \
  -library "$out/mac/libnarvar_mobile.a" -headers "$out/headers" \
  -output "$out/NarvarFFI.xcframework"
echo "built $out/NarvarFFI.xcframework; then: swift build (in $M)"
