#!/usr/bin/env bash
# The Python binding, tested the way users install it: generated files current, the abi3 wheel
# built once, installed with pip into a fresh venv, then pytest, mypy --strict over the
# examples, and stubtest.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.tools
python3 bindings-python/tools/gen.py --check

[ -x "$TOOLS/build-venv/bin/maturin" ] || { python3 -m venv "$TOOLS/build-venv"; "$TOOLS/build-venv/bin/pip" install -q --disable-pip-version-check maturin==1.16.0; }
rm -rf target/wheels
# The same --target as the Node addon (napi always passes one), so both share compiled dependencies.
"$TOOLS/build-venv/bin/maturin" build --release --locked -q --target x86_64-unknown-linux-gnu -m bindings-python/Cargo.toml --out target/wheels
wheel=$(ls target/wheels/narvar-*.whl)
echo "wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"

venv=$ROOT/target/python-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r ci/requirements-python.txt "$wheel"
cd /tmp  # import the installed package, not the source tree
"$venv/bin/python" -c "import narvar; print('import narvar', narvar.__version__)"
cd "$ROOT/bindings-python"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests
"$venv/bin/mypy" --strict --no-incremental examples/
cd /tmp
"$venv/bin/python" -m mypy.stubtest narvar --allowlist "$ROOT/bindings-python/stubtest-allowlist.txt"
