#!/usr/bin/env python3
"""The operations x languages matrix: every operation of the core's registry must be reachable
in every language's public surface. Reads the registry from `narvar operations --json` (the
core's REGISTRY) and each surface as users get it: the Rust client's namespaced API
(client/src/api.rs), the CLI's commands (each run with --help), the installed Python package and
the installed npm packages, `narvar` and `narvar-wasm` (introspected), and the mobile binding's generated Kotlin and Swift
(bindings-mobile: a `suspend fun` / `async throws` method of the family object the client hands
out, and its blocking twin `...Blocking`, columns "Kt sync" and "Sw sync"). Prints the matrix; exits 1 on any gap.

    python3 tests/parity/parity.py   # after scripts/test-python.sh, test-node.sh and test-wasm.sh
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NARVAR = ROOT / "target" / "debug" / "narvar"
PYTHON = ROOT / "target" / "python-venv" / "bin" / "python"
NODE_PROJECT = ROOT / "target" / "node-project"
WASM_PROJECT = ROOT / "target" / "wasm-project"


def camel(s: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), s)


def registry() -> list[dict]:
    if not NARVAR.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "narvar-cli"], cwd=ROOT, check=True)
    out = subprocess.run([str(NARVAR), "operations", "--json"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def rust_surface() -> set[str]:
    """`namespace: Async / Blocking { fn method(...) }` blocks of the client's `api!` list."""
    text = (ROOT / "client" / "src" / "api.rs").read_text()
    body = text[text.index("api! {"):]
    found, ns = set(), None
    for line in body.splitlines():
        m = re.match(r"\s+(\w+): \w+ / \w+ \{", line)
        if m:
            ns = m.group(1)
        m = re.match(r"\s+fn (\w+)\(", line)
        if m and ns:
            found.add(f"{ns}.{m.group(1)}")
    return found


def cli_surface(ops: list[dict]) -> set[str]:
    found = set()
    for op in ops:
        command = op.get("command")
        if not command:
            continue
        words = command.split()[1:]
        ok = subprocess.run([str(NARVAR), *words, "--help"], capture_output=True).returncode == 0
        if ok:
            found.add(op["name"])
    return found


def python_surface(ops: list[dict]) -> set[str]:
    if not PYTHON.exists():
        sys.exit(f"{PYTHON} is missing: run scripts/test-python.sh first")
    probe = """
import json, sys, narvar
from narvar import _api
found = []
for op in json.loads(sys.argv[1]):
    space, verb = op.split(".")
    cls = "".join(p.title() for p in space.split("_"))
    sync, aio = getattr(_api, cls, None), getattr(_api, "Async" + cls, None)
    attached = issubclass(narvar.Client, _api.SyncNamespaces) and issubclass(narvar.AsyncClient, _api.AsyncNamespaces)
    named = space in _api.SyncNamespaces.__annotations__ and space in _api.AsyncNamespaces.__annotations__
    if attached and named and callable(getattr(sync, verb, None)) and callable(getattr(aio, verb, None)):
        found.append(op)
print(json.dumps(found))
"""
    names = json.dumps([o["name"] for o in ops])
    out = subprocess.run([str(PYTHON), "-c", probe, names], check=True, capture_output=True, text=True, cwd="/tmp").stdout
    return set(json.loads(out))


def node_surface(ops: list[dict]) -> set[str]:
    if not (NODE_PROJECT / "node_modules" / "narvar").exists():
        sys.exit(f"{NODE_PROJECT} has no installed narvar: run scripts/test-node.sh first")
    probe = """
const { Client } = require('narvar');
const c = new Client({ accountId: 'parity', authToken: 'parity', baseUrl: 'http://127.0.0.1:9' });
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, x) => x.toUpperCase());
const found = JSON.parse(process.argv[1]).filter((op) => {
  const [space, verb] = op.split('.');
  return typeof c[camel(space)]?.[camel(verb)] === 'function';
});
console.log(JSON.stringify(found));
"""
    names = json.dumps([o["name"] for o in ops])
    out = subprocess.run(["node", "-e", probe, names], check=True, capture_output=True, text=True, cwd=NODE_PROJECT).stdout
    return set(json.loads(out))


def wasm_surface(ops: list[dict]) -> set[str]:
    """The wasm package as Node loads it (its `node` condition), in the project test-wasm.sh installs."""
    if not (WASM_PROJECT / "node_modules" / "narvar-wasm").exists():
        sys.exit(f"{WASM_PROJECT} has no installed narvar-wasm: run scripts/test-wasm.sh first")
    probe = """
import { Client } from 'narvar-wasm';
const c = new Client({ baseUrl: 'http://127.0.0.1:9', proxied: true });
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, x) => x.toUpperCase());
const found = JSON.parse(process.argv[1]).filter((op) => {
  const [space, verb] = op.split('.');
  return typeof c[camel(space)]?.[camel(verb)] === 'function';
});
console.log(JSON.stringify(found));
"""
    names = json.dumps([o["name"] for o in ops])
    out = subprocess.run(["node", "--input-type=module", "-e", probe, names], check=True, capture_output=True, text=True, cwd=WASM_PROJECT).stdout
    return set(json.loads(out))


def blocks(text: str, opener: str) -> dict[str, str]:
    """`public interface OrdersInterface {` ... `}` (Kotlin) or `public protocol OrdersProtocol` (Swift)."""
    return {m.group(1): m.group(2) for m in re.finditer(opener + r"(.*?)\n\}", text, re.S)}


def mobile_surface(ops: list[dict], text: str, opener: str, method: str, accessor: str) -> set[str]:
    types = blocks(text, opener)
    client = types.get("Client", "")
    found = set()
    for op in ops:
        space, verb = op["name"].split(".")
        family = re.search(accessor.format(name=camel(space)), client)
        if family and re.search(method.format(name=camel(verb)), types.get(family.group(1), "")):
            found.add(op["name"])
    return found


def kotlin_surface(ops: list[dict], blocking: bool = False) -> set[str]:
    """The `suspend fun`s, or (`blocking`) their `fun ...Blocking` twins."""
    text = (ROOT / "bindings-mobile" / "kotlin" / "dev" / "narvar" / "narvar_mobile.kt").read_text()
    method = r"\n    fun `{name}Blocking`\(" if blocking else r"suspend fun `{name}`\("
    return mobile_surface(ops, text, r"\npublic interface (\w+)Interface \{", method, r"fun `{name}`\(\): (\w+)")


def swift_surface(ops: list[dict], blocking: bool = False) -> set[str]:
    """The `async throws` methods, or (`blocking`) their `throws` `...Blocking` twins."""
    text = (ROOT / "bindings-mobile" / "swift" / "Sources" / "Narvar" / "Narvar.swift").read_text()
    method = r"func {name}Blocking\(.*\) throws " if blocking else r"func {name}\(.*\) async throws"
    return mobile_surface(ops, text, r"\npublic protocol (\w+)Protocol\b", method, r"func {name}\(\) +-> (\w+)")


def main() -> int:
    ops = registry()
    columns = {"Rust": rust_surface(), "CLI": cli_surface(ops), "Python": python_surface(ops), "Node": node_surface(ops),
               "wasm": wasm_surface(ops),
               "Kotlin": kotlin_surface(ops), "Kt sync": kotlin_surface(ops, blocking=True),
               "Swift": swift_surface(ops), "Sw sync": swift_surface(ops, blocking=True)}
    width = max(len(o["name"]) for o in ops) + 2
    print("operation".ljust(width) + "".join(c.ljust(8) for c in columns))
    gaps = []
    for op in ops:
        row = op["name"].ljust(width)
        for lang, have in columns.items():
            ok = op["name"] in have
            row += ("yes" if ok else "MISSING").ljust(8)
            if not ok:
                gaps.append(f"{op['name']} in {lang}")
        print(row)
    print(f"{len(ops)} operations x {len(columns)} languages: {len(gaps)} gaps")
    for g in gaps:
        print("  gap:", g)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
