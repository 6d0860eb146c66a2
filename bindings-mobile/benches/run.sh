#!/usr/bin/env bash
# The Kotlin benchmark (by hand): builds the release library, the release sandbox and the Rust
# client loop, compiles Bench.kt, and runs it with the JVM on CPU 1 (the sandbox pins itself to 0).
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
HOST=x86_64-unknown-linux-gnu REL=$PWD/target/$HOST/release M=bindings-mobile
K=$PWD/$M/tests/node_modules/kotlin-compiler CP=/usr/share/java/jna.jar:$K/lib/kotlinx-coroutines-core-jvm.jar
cargo build -q --locked --release --target $HOST -p narvar-mobile -p narvar-sandbox
loop=$(cargo bench -q --locked --target $HOST -p narvar-mobile --bench client_loop --no-run --message-format=json \
  | python3 -c "import json,sys; print([m['executable'] for m in map(json.loads, sys.stdin) if m.get('executable')][-1])")
mkdir -p target/mobile
"$K/bin/kotlinc" -nowarn $M/kotlin/dev/narvar/*.kt -cp "$CP" -d target/mobile/narvar.jar
"$K/bin/kotlinc" -nowarn $M/benches/Bench.kt -cp "target/mobile/narvar.jar:$CP" -d target/mobile/bench.jar
taskset -c 1 java -Djna.library.path=$REL -cp "target/mobile/narvar.jar:target/mobile/bench.jar:$CP:$K/lib/kotlin-stdlib.jar" \
  narvar.benches.BenchKt "$REL/narvar-sandbox" "$loop"
