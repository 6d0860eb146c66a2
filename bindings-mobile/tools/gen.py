#!/usr/bin/env python3
"""Writes `bindings-mobile/src/generated.rs` from the core's JSON Schema and operation registry
(`tests/schema/narvar.schema.json`): a uniffi record for every model an operation reads or
writes (unknown fields kept in `extra`), an enum for every enum (open ones keep unknown values
in `Other`), and one object per operation family with a `suspend`/`async` method per operation.

Nothing of the API is written here by hand: field names, types, required fields, enum values,
operation names and summaries all come from the schema.

    python3 bindings-mobile/tools/gen.py          # rewrite the file
    python3 bindings-mobile/tools/gen.py --check  # fail when it is stale (CI)
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "schema" / "narvar.schema.json"
OUT = ROOT / "bindings-mobile" / "src" / "generated.rs"
KOTLIN_ERRORS = ROOT / "bindings-mobile" / "kotlin" / "dev" / "narvar" / "NarvarErrors.kt"
SWIFT_ERRORS = ROOT / "bindings-mobile" / "swift" / "Sources" / "Narvar" / "NarvarError+Fields.swift"
# The fields every error case carries, in the order `narvar_error!` in lib.rs declares them:
# (Kotlin/Swift name, Kotlin type, Swift type).
ERROR_FIELDS = [
    ("code", "String", "String"),
    ("reason", "String", "String"),
    ("status", "UShort?", "UInt16?"),
    ("operation", "String?", "String?"),
    ("requestId", "String?", "String?"),
    ("messages", "List<ApiMessage>", "[ApiMessage]"),
    ("fieldErrors", "List<FieldError>", "[FieldError]"),
    ("retryAfterSecs", "Double?", "Double?"),
    ("mayHaveBeenSent", "Boolean?", "Bool?"),
    ("attempts", "UInt", "UInt32"),
]
EMPTY = {"String?": "null", "UShort?": "null", "Double?": "null", "Boolean?": "null", "UInt": "0u",
         "List<ApiMessage>": "emptyList()", "List<FieldError>": "emptyList()",
         "UInt16?": "nil", "Double?s": "nil", "Bool?": "nil", "UInt32": "0", "[ApiMessage]": "[]", "[FieldError]": "[]"}

# Leaf value types of the core that cross as custom types (declared in lib.rs): the core's own
# Rust type reads and writes them, so their wire rules stay in one place.
LEAVES = {name: f"crate::{name}" for name in ["Quantity", "ReturnQuantity", "Amount", "StringBool", "Secret"]}
# Models the binding's hand-written half uses besides the operations' inputs and outputs.
EXTRA_ROOTS = ["Journey", "ApiMessage", "FieldError", "DriftEntry"]
RUST_KEYWORDS = {"type", "ref", "match", "move", "loop", "box", "where", "use", "mod", "impl", "fn", "in", "as"}
INTEGERS = {"uint16": "u16", "uint32": "u32", "uint64": "u64", "int32": "i32", "int64": "i64"}


def ref_name(s):
    return s["$ref"].rsplit("/", 1)[-1]


def snake(wire):
    s = re.sub(r"[^A-Za-z0-9]+", "_", wire)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower().strip("_")
    return f"r#{s}" if s in RUST_KEYWORDS else s


def camel(value):
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    name = "".join(p[:1].upper() + p[1:].lower() for p in parts)
    return name if name[:1].isalpha() else f"V{name}"


def doc(text, indent=""):
    """A schema description as doc comments: code examples dropped (they are Rust doctests in
    the core, not here), backticks kept."""
    if not text:
        return ""
    text = re.sub(r"```.*?```", "", text, flags=re.S).strip()
    return "".join(f"{indent}/// {line}".rstrip() + "\n" for line in text.splitlines())


class Gen:
    def __init__(self, schema):
        self.defs = schema["$defs"]
        self.ops = schema["x-operations"]
        self.needed = []
        self.seen = set()

    # ---- which definitions are reachable

    def need(self, name):
        if name in self.seen or name in LEAVES:
            return
        self.seen.add(name)
        d = self.defs[name]
        if "$ref" in d:  # an alias (`CreateOrder` is an `OrderInfo`)
            self.need(ref_name(d))
            return
        self.needed.append(name)
        self.walk(d)

    def walk(self, s):
        if isinstance(s, dict):
            if "$ref" in s:
                self.need(ref_name(s))
            for v in s.values():
                self.walk(v)
        elif isinstance(s, list):
            for v in s:
                self.walk(v)

    def resolve(self, name):
        d = self.defs[name]
        return self.resolve(ref_name(d)) if "$ref" in d else name

    # ---- types

    def rust_type(self, s):
        """(Rust type, how it is empty: None, "option", "vec", "map", "string", "bool", "number")."""
        if "$ref" in s:
            name = ref_name(s)
            return (LEAVES.get(name) or self.resolve(name)), None
        if "anyOf" in s:
            rest = [x for x in s["anyOf"] if x.get("type") != "null"]
            if len(rest) == 1 and len(s["anyOf"]) == 2:
                inner, _ = self.rust_type(rest[0]) if rest[0] else ("crate::JsonValue", None)
                return f"Option<{inner}>", "option"
        types = s.get("type")
        if types is None:
            return "Option<crate::JsonValue>", "option"
        if isinstance(types, str):
            types = [types]
        nullable = "null" in types
        kind = [t for t in types if t != "null"][0]
        if kind == "array":
            items = s.get("items", {})
            inner = self.rust_type(items)[0] if "prefixItems" not in items else "Vec<String>"
            return f"Vec<{inner}>", "vec"
        if kind == "object":
            return "std::collections::HashMap<String, crate::JsonValue>", "map"
        base = {
            "string": "String",
            "boolean": "bool",
            "number": "f64",
            "integer": INTEGERS.get(s.get("format"), "i64"),
        }[kind]
        if nullable and s.get("default") is None:
            return f"Option<{base}>", "option"
        return base, {"String": "string", "bool": "bool"}.get(base, "number")

    # ---- records and enums

    def record(self, name, d):
        out = [doc(d.get("description")), "#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, uniffi::Record)]\n"]
        out.append(f"pub struct {name} {{\n")
        required = set(d.get("required", []))
        for wire, p in d.get("properties", {}).items():
            field = snake(wire)
            ty, empty = self.rust_type(p)
            out.append(doc(p.get("description"), "    "))
            attrs = []
            if field.removeprefix("r#") != wire:
                attrs.append(f'rename = "{wire}"')
            skip = {"option": "Option::is_none", "vec": "Vec::is_empty", "map": "std::collections::HashMap::is_empty",
                    "string": "String::is_empty"}.get(empty)
            if empty is not None:
                attrs.append("default")
            if skip:
                attrs.append(f'skip_serializing_if = "{skip}"')
            if attrs:
                out.append(f"    #[serde({', '.join(attrs)})]\n")
            if empty is not None and (wire not in required or empty in ("option", "vec", "map")):
                out.append("    #[uniffi(default)]\n")
            out.append(f"    pub {field}: {ty},\n")
        if d.get("additionalProperties") is not False:
            out.append("    /// Fields this version of the SDK does not know, as JSON text; kept so they round-trip.\n")
            out.append("    #[serde(flatten)]\n    #[uniffi(default)]\n")
            out.append("    pub extra: std::collections::HashMap<String, crate::JsonValue>,\n")
        out.append("}\n\n")
        return "".join(out)

    def enum(self, name, d):
        if "oneOf" in d:
            values = [(x["const"], x.get("description")) for x in d["oneOf"]]
            macro = "closed_enum"
        elif "anyOf" in d and d["anyOf"][0].get("enum"):
            values = [(v, None) for v in d["anyOf"][0]["enum"]]
            macro = "open_enum"
        else:
            return None
        variants = [camel(v) for v, _ in values]
        assert len(set(variants)) == len(variants), f"{name}: variant names collide"
        body = "".join(f"{doc(text, '        ')}        {var} = {json.dumps(v)},\n" for (v, text), var in zip(values, variants))
        return f"{macro}! {{\n{doc(d.get('description'), '    ')}    {name} {{\n{body}    }}\n}}\n\n"

    def union(self, name, d):
        """`anyOf` of several models (carrier credentials): one variant per model, and `Other`
        for a shape this SDK does not know (its values are secrets when the union is)."""
        arms = [x for x in d["anyOf"]]
        refs = [ref_name(x) for x in arms if "$ref" in x]
        if len(refs) < 2:
            return None
        other = "crate::Secret" if d.get("writeOnly") else "crate::JsonValue"
        out = [doc(d.get("description")), "#[derive(Clone, Debug, PartialEq, uniffi::Enum)]\n"]
        out.append(f"pub enum {name} {{\n")
        for r in refs:
            out.append(f"    {r} {{ value: {r} }},\n")
        out.append(f"    Other {{ fields: std::collections::HashMap<String, {other}> }},\n}}\n\n")
        # Written as the model it holds (serde's untagged form would nest it under `value`).
        arms = "".join(f"            Self::{r} {{ value }} => value.serialize(s),\n" for r in refs)
        out.append(f"impl serde::Serialize for {name} {{\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{\n"
                   f"        match self {{\n{arms}            Self::Other {{ fields }} => fields.serialize(s),\n        }}\n    }}\n}}\n\n")
        # Read back as `Other`: nothing in the JSON says which model it is.
        out.append(f"impl<'de> serde::Deserialize<'de> for {name} {{\n    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{\n"
                   f"        crate::union_fields(d).map(|fields| Self::Other {{ fields }})\n    }}\n}}\n\n")
        return "".join(out)

    def definition(self, name):
        d = self.defs[name]
        if d.get("type") == "object" or "properties" in d:
            return self.record(name, d)
        return self.enum(name, d) or self.union(name, d) or self.fail(name)

    @staticmethod
    def fail(name):
        raise SystemExit(f"gen.py: no mapping for definition {name}")

    # ---- operation families

    def params(self, op):
        """The method's parameters: the input's fields (required first), or the one model it is."""
        d = self.defs[ref_name(op["input"])]
        if "$ref" in d:
            model = self.resolve(ref_name(d))
            return [(snake(model), model, None, "model", None)]
        required = d.get("required", [])
        props = d.get("properties", {})
        order = [k for k in props if k in required] + [k for k in props if k not in required]
        out = []
        for wire in order:
            ty, empty = self.rust_type(props[wire])
            literal = {"option": "None", "vec": "[]", "string": '""', "bool": "false", "number": "0"}.get(empty)
            out.append((snake(wire), ty, wire, "default" if wire not in required and literal else "field", literal))
        return out

    def method(self, op):
        """The operation's `suspend` / `async` method and its blocking twin, both from one input builder."""
        family, verb = op["name"].split(".", 1)
        output = self.resolve(ref_name(op["output"]))
        params = self.params(op)
        # `name = value` for all but the last: uniffi 0.32.2 reads a bare `name` only at the end.
        defaults = [f"{p[0].removeprefix('r#')} = {p[4]}" for p in params if p[3] == "default"] + ["options"]
        args = "".join(f", {p[0]}: {p[1]}" for p in params)
        names = ", ".join(p[0] for p in params)
        attr = f"    #[uniffi::method(default({', '.join(defaults)}))]\n"
        signature = f"(&self{args}, options: Option<crate::CallOptions>) -> Result<{output}, crate::NarvarError>"
        summary = op.get("summary")
        blocking_doc = (f"{summary} " if summary else "") + (
            "Blocks the calling thread until the call ends (for Java callers and worker threads; "
            "never the main thread): the request runs on this thread, with no hand-off."
        )
        return (
            f"{doc(summary, '    ')}{attr}"
            f"    pub async fn {verb}{signature} {{\n"
            f"        let input = Self::{verb}_input({names})?;\n"
            f'        self.client.call("{op["name"]}", input, options).await\n'
            "    }\n\n"
            f"{doc(blocking_doc, '    ')}{attr}"
            f"    pub fn {verb}_blocking{signature} {{\n"
            f"        let input = Self::{verb}_input({names})?;\n"
            f'        self.client.call_blocking("{op["name"]}", input, options)\n'
            "    }\n"
        )

    def input_builder(self, op):
        """The operation's input as JSON, from the method's typed parameters."""
        verb = op["name"].split(".", 1)[1]
        params = self.params(op)
        args = ", ".join(f"{p[0]}: {p[1]}" for p in params)
        if params and params[0][3] == "model":
            build = f"        crate::to_input(&{params[0][0]})\n"
        else:
            build = "        #[allow(unused_mut)]\n        let mut input = serde_json::Map::new();\n"
            build += "".join(f'        crate::put(&mut input, "{p[2]}", &{p[0]})?;\n' for p in params)
            build += "        Ok(serde_json::Value::Object(input))\n"
        return f"    fn {verb}_input({args}) -> Result<serde_json::Value, crate::NarvarError> {{\n{build}    }}\n"

    def families(self):
        fams = {}
        for op in self.ops:
            fams.setdefault(op["name"].split(".", 1)[0], []).append(op)
        out = []
        accessors = []
        for fam, ops in fams.items():
            obj = camel(fam)
            names = ", ".join(f"`{o['name']}`" for o in ops)
            out.append(f"/// The `{fam}` operations: {names}.\n#[derive(uniffi::Object)]\npub struct {obj} {{\n    client: crate::Shared,\n}}\n\n")
            out.append(f"#[uniffi::export]\nimpl {obj} {{\n" + "\n".join(self.method(o) for o in ops) + "}\n\n")
            out.append(f"impl {obj} {{\n" + "\n".join(self.input_builder(o) for o in ops) + "}\n\n")
            accessors.append(
                f"    /// The `{fam}` operations.\n    pub fn {fam}(&self) -> std::sync::Arc<{obj}> {{\n"
                f"        std::sync::Arc::new({obj} {{ client: self.shared.clone() }})\n    }}\n"
            )
        out.append("#[uniffi::export]\nimpl Client {\n" + "\n".join(accessors) + "}\n\n")
        return "".join(out)

    def roundtrip(self):
        arms = "".join(
            f'        "{op["name"]}" => crate::reread::<{self.resolve(ref_name(op["output"]))}>(value),\n' for op in self.ops
        )
        return (
            "/// An operation's result as JSON, read into its record and written back: what a Kotlin or\n"
            "/// Swift caller of that operation sees, as JSON (the conformance replay checks it).\n"
            "pub(crate) fn reread_output(operation: &str, value: serde_json::Value) -> Result<serde_json::Value, crate::NarvarError> {\n"
            f"    match operation {{\n{arms}        _ => Ok(value),\n    }}\n}}\n\n"
            "/// Every operation, as the registry names it (the parity check reads the generated sources).\n"
            f"pub const OPERATIONS: &[&str] = &[{', '.join(json.dumps(o['name']) for o in self.ops)}];\n"
        )

    def errors(self):
        """The error enum's variants: one per stable code of the core's `ErrorCode`."""
        codes = [(x["const"], x.get("description")) for x in self.defs["ErrorCode"]["oneOf"]]
        body = "".join(f"{doc(text, '    ')}    {camel(c)} = {json.dumps(c)},\n" for c, text in codes)
        return f"narvar_error! {{\n{body}}}\n\n"

    def error_cases(self):
        return [camel(x["const"]) for x in self.defs["ErrorCode"]["oneOf"]]

    def kotlin_errors(self):
        """Extension properties giving every field on the sealed base class, whatever the case."""
        out = ["// @generated by bindings-mobile/tools/gen.py; do not edit.\n", "package dev.narvar\n"]
        for name, kt, _ in ERROR_FIELDS:
            arms = "".join(f"    is NarvarException.{c} -> this.{name}\n" for c in self.error_cases())
            cancelled = f"this.{name}" if name in ("code", "reason") else EMPTY[kt]
            out.append(f"\n/** `{name}` of any case of [NarvarException]. */\nval NarvarException.{name}: {kt} get() = when (this) {{\n"
                       f"{arms}    is NarvarException.Cancelled -> {cancelled}\n}}\n")
        return "".join(out)

    def swift_errors(self):
        """Computed properties giving every field of any case of `NarvarError`."""
        names = [n for n, _, _ in ERROR_FIELDS]
        binds = ", ".join(f"let {n}" for n in names)
        out = ["// @generated by bindings-mobile/tools/gen.py; do not edit.\n\n",
               "/// Every field of a `NarvarError`, whatever its case.\npublic struct NarvarErrorFields {\n"]
        out += [f"    public let {n}: {sw}\n" for n, _, sw in ERROR_FIELDS]
        out.append("}\n\nextension NarvarError {\n    public var fields: NarvarErrorFields {\n        switch self {\n")
        init = ", ".join(f"{n}: {n}" for n in names)
        for c in self.error_cases():
            out.append(f"        case .{c[:1].lower() + c[1:]}({binds}):\n            return NarvarErrorFields({init})\n")
        empty = ", ".join(f"{n}: {n if n in ('code', 'reason') else EMPTY[sw if sw != 'Double?' else 'Double?s']}" for n, _, sw in ERROR_FIELDS)
        out.append(f"        case .cancelled(let code, let reason):\n            return NarvarErrorFields({empty})\n")
        out.append("        }\n    }\n}\n")
        return "".join(out)

    def render(self):
        for op in self.ops:
            self.need(ref_name(op["input"]))
            self.need(ref_name(op["output"]))
        for name in EXTRA_ROOTS:
            self.need(name)
        parts = [
            "// @generated by bindings-mobile/tools/gen.py from tests/schema/narvar.schema.json; do not edit.\n",
            "// Regenerate: python3 bindings-mobile/tools/gen.py\n",
            "use crate::Client;\n\n",
        ]
        for name in self.needed:
            d = self.defs[name]
            if d.get("additionalProperties") is False and name.startswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) and self.is_op_input(name):
                continue  # an operation's own input: its fields are the method's parameters
            parts.append(self.definition(name))
        parts.append(self.errors())
        parts.append(self.families())
        parts.append(self.roundtrip())
        return "".join(parts)

    def is_op_input(self, name):
        return any(ref_name(op["input"]) == name for op in self.ops)


def main():
    gen = Gen(json.loads(SCHEMA.read_text()))
    # Formatted as `cargo fmt` would, so its check passes on the generated file too.
    rust = subprocess.run(["rustfmt", "--edition", "2021", "--config-path", str(ROOT / "rustfmt.toml"), "--emit", "stdout"],
                          input=gen.render(), capture_output=True, text=True, check=True).stdout
    files = {OUT: rust, KOTLIN_ERRORS: gen.kotlin_errors(), SWIFT_ERRORS: gen.swift_errors()}
    for path, text in files.items():
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                sys.exit(f"{path.relative_to(ROOT)} is stale: run python3 bindings-mobile/tools/gen.py")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


if __name__ == "__main__":
    main()
