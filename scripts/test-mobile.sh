#!/usr/bin/env bash
# The mobile binding: generated sources up to date, Kotlin tests compiled with kotlinc and run
# on the JVM against the sandbox, the Kotlin example, and the Swift checks that can run here.
set -euo pipefail
cd "$(dirname "$0")/.."
# The debug library (built by gen-mobile.sh): the tests check behaviour, not speed.
ROOT=$PWD
REL=$ROOT/target/debug
M=bindings-mobile
command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless >/dev/null; }
[ -f /usr/share/java/jna.jar ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java >/dev/null; }
(cd $M/tests && npm ci --no-audit --no-fund --silent)
K=$ROOT/$M/tests/node_modules/kotlin-compiler
CP=/usr/share/java/jna.jar:$K/lib/kotlinx-coroutines-core-jvm.jar

echo "== mobile: generated sources (gen.py, uniffi-bindgen) are current"
bash scripts/gen-mobile.sh --check
cargo build --locked -q -p narvar-sandbox --bin narvar-sandbox

echo "== mobile: kotlinc"
out=$ROOT/target/mobile
mkdir -p "$out"
"$K/bin/kotlinc" -nowarn $M/kotlin/dev/narvar/*.kt -cp "$CP" -d "$out/narvar.jar" 2>&1 | grep -v '^warning:' || true
"$K/bin/kotlinc" -nowarn $M/tests/kotlin/*.kt -cp "$out/narvar.jar:$CP" -d "$out/tests.jar" 2>&1 | grep -v '^warning:' || true
"$K/bin/kotlinc" -nowarn $M/examples/journey/*.kt -cp "$out/narvar.jar:$CP" -d "$out/example.jar" 2>&1 | grep -v '^warning:' || true
RUN="java -Djna.library.path=$REL -cp $out/narvar.jar:$CP:$K/lib/kotlin-stdlib.jar"

echo "== mobile: Kotlin tests on the JVM"
$RUN:$out/tests.jar narvar.tests.TestsKt target/debug/narvar-sandbox tests/vectors

echo "== mobile: the Kotlin example"
python3 $M/tools/with_sandbox.py target/debug/narvar-sandbox -- $RUN:$out/example.jar narvar.examples.JourneyKt 1001 | tee "$out/example.txt"
grep -q "order 1001" "$out/example.txt"

echo "== mobile: Swift (no compiler here): syntax, C header, a C program through the library"
"$ROOT/.tools/venv/bin/python" $M/tools/swift_check.py
SW=$M/swift/Sources/Narvar/Narvar.swift
expect() { grep -o "$1() != [0-9]*" $SW | grep -o '[0-9]*$'; }
gcc -std=c11 -Wall -Werror -D_Nullable= -D_Nonnull= -I$M/swift/Sources/NarvarFFI/include $M/tests/c/smoke.c \
  -DCONTRACT="$(grep -o 'bindings_contract_version = [0-9]*' $SW | grep -o '[0-9]*$')" \
  -DSUM_BUILD_REQUEST="$(expect uniffi_narvar_mobile_checksum_func_build_request)" \
  -DSUM_OPERATIONS="$(expect uniffi_narvar_mobile_checksum_func_operations)" \
  -L"$REL" -lnarvar_mobile -o "$out/smoke"
LD_LIBRARY_PATH=$REL "$out/smoke"
