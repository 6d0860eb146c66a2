// A zod 4 schema of one model, written from the core's JSON Schema the way a TypeScript team
// writes one by hand (`.nullable()`, `.optional()`, `.loose()` objects, open enums as strings):
// the benchmark's zod side that checks every field's type, as the package's validation does.
// Bench-only: what it reads is tests/schema/narvar.schema.json, generated from the core.

const ANNOTATIONS = new Set(['description', 'default', 'title']);

/** The zod schema of `$defs[name]`; a `$ref` cycle becomes `z.lazy`. */
export function zodFromSchema(z, defs, name) {
  const made = new Map();
  const ref = (pointer) => {
    const def = pointer.split('/').pop();
    if (made.has(def)) return made.get(def) ?? z.lazy(() => made.get(def));
    made.set(def, null); // being made: a reference back to it is lazy
    const schema = convert(defs[def]);
    made.set(def, schema);
    return schema;
  };
  const ofType = (type, s) => {
    switch (type) {
      case 'string': return s.enum ? z.enum(s.enum) : s.pattern ? z.string().regex(new RegExp(s.pattern)) : z.string();
      case 'integer': return z.number().int();
      case 'number': return z.number();
      case 'boolean': return z.boolean();
      case 'null': return z.null();
      case 'array': return z.array(s.items ? convert(s.items) : z.unknown());
      case 'object': {
        if (!s.properties) return z.record(z.string(), typeof s.additionalProperties === 'object' ? convert(s.additionalProperties) : z.unknown());
        const required = new Set(s.required ?? []);
        const shape = Object.entries(s.properties).map(([k, v]) => [k, required.has(k) ? convert(v) : convert(v).optional()]);
        return z.object(Object.fromEntries(shape)).loose(); // unknown fields are kept, as the models keep them
      }
      default: return z.unknown();
    }
  };
  function convert(s) {
    if (!s || s === true || Object.keys(s).every((k) => ANNOTATIONS.has(k))) return z.unknown();
    if (s.$ref) return ref(s.$ref);
    if (s.const !== undefined) return z.literal(s.const);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) {
      const rest = alternatives.filter((a) => a.type !== 'null');
      // An open enum (a known value, or any other string) is a string.
      const inner = rest.length === 2 && rest.every((a) => a.type === 'string') ? z.string()
        : rest.length === 1 ? convert(rest[0]) : z.union(rest.map(convert));
      return rest.length < alternatives.length ? inner.nullable() : inner;
    }
    if (Array.isArray(s.type)) {
      const rest = s.type.filter((t) => t !== 'null');
      const inner = rest.length === 1 ? ofType(rest[0], s) : z.union(rest.map((t) => ofType(t, s)));
      return rest.length < s.type.length ? inner.nullable() : inner;
    }
    return ofType(s.type, s);
  }
  return ref(`#/$defs/${name}`);
}
