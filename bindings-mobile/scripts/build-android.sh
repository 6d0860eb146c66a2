#!/usr/bin/env bash
# Builds the Android native libraries (jniLibs/<abi>/libnarvar_mobile.so) with cargo-ndk, for an
# app module next to the generated Kotlin (bindings-mobile/kotlin) and JNA's Android AAR
# (net.java.dev.jna:jna:5.13.0@aar). Needs the Android NDK (ANDROID_NDK_HOME).
# NOT run in this repository's CI: no NDK can be had on these machines.
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
command -v cargo-ndk >/dev/null || cargo install --locked cargo-ndk --version 4.1.2
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o bindings-mobile/build/jniLibs build --locked --release -p narvar-mobile
echo "built bindings-mobile/build/jniLibs; for Android set android = true under [bindings.kotlin] in uniffi.toml and regenerate"
