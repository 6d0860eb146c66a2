//! A deserializer of a [`Raw`] tree that knows where it is: the same visits as serde_json's own
//! `&Value` deserializer, plus the path of the value being read, so an error can name its field
//! (`order_items[0].quantity`). It replaces wrapping serde_json's deserializer in
//! `serde_path_to_error`, whose wrappers are instantiated again for every model's visitor (about
//! 45 KB of the gzipped wasm module) and cost time on every field. The path is a chain of
//! [`Path`] links on the stack, one per level being read: nothing is allocated for it unless a
//! value does not fit.

use super::Raw;
use crate::drift::Path;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

/// The path where the error now travelling up began.
#[derive(Default)]
pub(super) struct Tracker {
    failed_at: RefCell<Option<String>>,
    failed: Cell<bool>,
}

impl Tracker {
    /// `a.b[0].c`, or `.` at the root (as serde_path_to_error wrote it).
    fn render(at: &Path<'_>) -> String {
        let out = at.exact();
        if out.is_empty() {
            ".".to_owned()
        } else {
            out
        }
    }

    /// After reading the value at `at` (not generic, so it exists once in the binary). An error
    /// notes the path where it began (the deepest level; the levels it then passes on its way up
    /// keep that); a success forgets an error that a lenient reader caught and recovered from.
    fn read(&self, at: &Path<'_>, ok: bool) {
        if ok {
            if self.failed.get() {
                self.failed.set(false);
                *self.failed_at.borrow_mut() = None;
            }
        } else if !self.failed.get() {
            self.failed.set(true);
            *self.failed_at.borrow_mut() = Some(Self::render(at));
        }
    }

    /// Where the error that reached the top began.
    pub(super) fn error_path(&self) -> String {
        self.failed.set(false);
        self.failed_at.borrow_mut().take().unwrap_or_else(|| ".".to_owned())
    }
}

/// Where a value is read: its path, and the tracker of the whole read.
/// Where a reader is: its path, and the tracker that notes where an error began. Made by
/// [`super::from_raw`]; a reader hands its children [`Level::field`] and [`Level::index`].
#[doc(hidden)]
pub struct Level<'p> {
    pub(super) tracker: &'p Tracker,
    pub(super) path: Path<'p>,
}

impl<'p> Level<'p> {
    #[inline(never)]
    fn read(&self, ok: bool) {
        self.tracker.read(&self.path, ok);
    }

    /// Notes this place as where the error now travelling up began (unless a deeper one did).
    #[inline(never)]
    pub fn fail(&self) {
        self.read(false);
    }

    /// The place of an object's entry.
    pub fn field<'q>(&'q self, key: &'q str) -> Level<'q> {
        Level { tracker: self.tracker, path: Path::Field(&self.path, key) }
    }

    /// The place of a list's item.
    pub fn index(&self, i: usize) -> Level<'_> {
        Level { tracker: self.tracker, path: Path::Index(&self.path, i) }
    }
}

/// The deserializer for one value, at `at` (two words: passed as cheaply as serde_json's own).
pub(super) struct Tracked<'a, 'p> {
    pub(super) value: &'a Raw<'a>,
    pub(super) at: &'p Level<'p>,
}

impl<'de> Deserializer<'de> for Tracked<'de, '_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::Null => visitor.visit_unit(),
            Raw::Bool(b) => visitor.visit_bool(*b),
            Raw::Number(n) => n.deserialize_any(visitor),
            Raw::String(s) => visitor.visit_borrowed_str(s),
            // As with objects (`visit_object`), every visitor given an array takes all its items
            // (lists and `Value`; no model holds a tuple, and structs take only objects): no check
            // per visitor that none is left.
            Raw::Array(items) => visit_items(items, self.at, visitor),
            Raw::Object(map) => visit_object(map, self.at, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::String(s) => visitor.visit_enum(s.as_ref().into_deserializer()),
            // A variant with content: serde_json's own reader (the path stops at the enum).
            other => other.to_value().deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    // Each reader below visits only the kind it takes and calls anything else an invalid type (as
    // serde_json's own does): forwarding them all to `deserialize_any` would instantiate every
    // `visit_*` of every model's visitor, in a module whose size is the budget.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::Bool(b) => visitor.visit_bool(*b),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::String(s) => visitor.visit_borrowed_str(s),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            // Straight to the items, not through `deserialize_any`: that would instantiate every
            // `visit_*` of each list's visitor.
            Raw::Array(items) => visit_items(items, self.at, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Raw::Object(map) => visit_object(map, self.at, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // Only an object: a struct given as a positional array is refused (serde_json would take
        // one, a form no input of ours documents).
        self.deserialize_map(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_number(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_number(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_number(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_number(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u128 f32 char bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

impl<'de> Tracked<'de, '_> {
    fn deserialize_number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Raw::Number(n) => n.deserialize_any(visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }
}

/// serde's "invalid type: a string, expected ..." for `value`, as serde_json says it.
pub(super) fn invalid_type(value: &Raw<'_>, expected: &dyn de::Expected) -> serde_json::Error {
    let unexpected = match value {
        Raw::Null => de::Unexpected::Unit,
        Raw::Bool(b) => de::Unexpected::Bool(*b),
        Raw::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => de::Unexpected::Unsigned(u),
            (None, Some(i)) => de::Unexpected::Signed(i),
            _ => de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Raw::String(s) => de::Unexpected::Str(s),
        Raw::Array(_) => de::Unexpected::Seq,
        Raw::Object(_) => de::Unexpected::Map,
    };
    de::Error::invalid_type(unexpected, expected)
}

fn visit_object<'de, V: Visitor<'de>>(
    map: &'de [(Cow<'de, str>, Raw<'de>)],
    at: &Level<'_>,
    visitor: V,
) -> Result<V::Value, serde_json::Error> {
    // Every visitor reading here takes all the entries it is given (models keep unknown ones;
    // serde's derive ignores or refuses them), so unlike serde_json's reader this does not check
    // that none is left: that check was instantiated once per visitor (9 KB of the gzipped wasm).
    visitor.visit_map(&mut Entries {
        entries: map.iter(),
        value: None,
        child: Level { tracker: at.tracker, path: Path::Field(&at.path, "") },
    })
}

fn visit_items<'de, V: Visitor<'de>>(items: &'de [Raw<'de>], at: &Level<'_>, visitor: V) -> Result<V::Value, serde_json::Error> {
    visitor.visit_seq(&mut Items {
        items: items.iter(),
        next: 0,
        child: Level { tracker: at.tracker, path: Path::Index(&at.path, 0) },
    })
}

/// The items of an array; `child` is the place of the one being read.
struct Items<'a, 'p> {
    items: std::slice::Iter<'a, Raw<'a>>,
    next: usize,
    child: Level<'p>,
}

impl Items<'_, '_> {
    /// Moves `child` on to the next item (not generic, so it exists once).
    #[inline(never)]
    fn step(&mut self) {
        if let Path::Index(_, i) = &mut self.child.path {
            *i = self.next;
        }
        self.next += 1;
    }
}

impl<'de> SeqAccess<'de> for Items<'de, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        let Some(value) = self.items.next() else { return Ok(None) };
        self.step();
        let read = seed.deserialize(Tracked { value, at: &self.child });
        self.child.read(read.is_ok());
        read.map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object; `child` is the place of the key just read and of its value.
struct Entries<'a, 'p> {
    entries: std::slice::Iter<'a, (Cow<'a, str>, Raw<'a>)>,
    value: Option<&'a Raw<'a>>,
    child: Level<'p>,
}

impl<'de, 'p> Entries<'de, 'p>
where
    'de: 'p,
{
    /// Moves on to the next key (not generic, so it exists once).
    #[inline(never)]
    fn step(&mut self) -> Option<&'de str> {
        let (key, value) = self.entries.next()?;
        let key: &'de str = key;
        self.value = Some(value);
        if let Path::Field(_, name) = &mut self.child.path {
            *name = key;
        }
        Some(key)
    }

    /// The value of the key just read (not generic, so it exists once).
    #[inline(never)]
    fn take_value(&mut self) -> Result<&'de Raw<'de>, serde_json::Error> {
        self.value.take().ok_or_else(|| de::Error::custom("a value was asked for before its key"))
    }
}

impl<'de: 'p, 'p> MapAccess<'de> for Entries<'de, 'p> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some(key) = self.step() else { return Ok(None) };
        let read = seed.deserialize(BorrowedStrDeserializer::new(key));
        // An unknown key is an error of the key itself: its path ends at it.
        self.child.read(read.is_ok());
        read.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.take_value()?;
        let read = seed.deserialize(Tracked { value, at: &self.child });
        self.child.read(read.is_ok());
        read
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A value that does not fit a model: where (`order_items[0].quantity`, `.` at the root) and why.
#[derive(Debug)]
pub struct DecodeError {
    pub(super) path: String,
    pub(super) inner: serde_json::Error,
}

impl DecodeError {
    /// Where the value that does not fit is (`.` for the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What serde said of it.
    pub fn inner(&self) -> &serde_json::Error {
        &self.inner
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path != "." {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.inner)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use crate::codec::from_json_by_serde as from_json;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        quantity: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Order {
        number: String,
        lines: Vec<Line>,
        gift: Option<bool>,
    }

    fn error(value: serde_json::Value) -> (String, String) {
        let e = from_json::<Order>(&value).unwrap_err();
        (e.path().to_owned(), e.inner().to_string())
    }

    #[test]
    fn errors_name_the_path_where_they_began() {
        let (path, why) = error(json!({"number": "1", "lines": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": "two"}]}));
        assert_eq!(path, "lines[1].quantity");
        assert_eq!(why, "invalid type: string \"two\", expected u32");
        // A missing field is the error of the object that lacks it.
        assert_eq!(error(json!({"number": "1", "lines": [{"sku": "A"}]})).0, "lines[0]");
        // An unknown key's path ends at the key.
        let (path, why) = error(json!({"number": "1", "lines": [{"sku": "A", "quantity": 1, "qty": 2}]}));
        assert_eq!(path, "lines[0].qty");
        assert!(why.starts_with("unknown field `qty`"), "{why}");
        assert_eq!(error(json!({"number": "1", "lines": [], "gift": "yes"})).0, "gift");
        assert_eq!(error(json!(5)).0, ".");
        assert_eq!(error(json!("order")).1, "invalid type: string \"order\", expected struct Order");
        // A struct is an object, never a positional array.
        assert_eq!(error(json!(["1", []])).1, "invalid type: sequence, expected struct Order");
    }

    /// Reads `a` leniently (a value that does not fit is dropped), then `b` strictly.
    #[derive(Debug)]
    struct Lenient;

    impl<'de> Deserialize<'de> for Lenient {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Fields;
            impl<'de> serde::de::Visitor<'de> for Fields {
                type Value = Lenient;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a and b")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
                    let mut b = None;
                    while let Some(key) = map.next_key::<String>()? {
                        match key.as_str() {
                            "a" => drop(map.next_value::<u32>()),
                            _ => b = Some(map.next_value::<u32>()?),
                        }
                    }
                    b.map(|_| Lenient).ok_or_else(|| serde::de::Error::missing_field("b"))
                }
            }
            d.deserialize_map(Fields)
        }
    }

    #[test]
    fn an_error_a_reader_recovered_from_is_forgotten() {
        let path = |v| from_json::<Vec<Lenient>>(&v).unwrap_err().path().to_owned();
        assert_eq!(path(json!([{"a": "x", "b": "y"}])), "[0].b");
        assert_eq!(path(json!([{"a": "x", "b": 1, "c": "z"}])), "[0].c");
        assert_eq!(path(json!([{"b": 1}, {"a": "x", "b": 2}, {"a": 1}])), "[2]");
        // Forgotten at the next read that fits: an error of the object itself right after the
        // recovered one still names where that one began (no reader of ours recovers).
        assert_eq!(path(json!([{"a": "x"}])), "[0].a");
        assert!(from_json::<Vec<Lenient>>(&json!([{"a": "x", "b": 1}])).is_ok());
    }

    #[test]
    fn what_fits_is_read_as_serde_json_reads_it() {
        let o: Order = from_json(&json!({"number": "1", "lines": [{"sku": "A", "quantity": 3}], "gift": null})).unwrap();
        assert_eq!((o.lines[0].quantity, o.gift), (3, None));
        let untyped: serde_json::Value = from_json(&json!({"a": [1, -2, 2.5, "x", null, true]})).unwrap();
        assert_eq!(untyped, json!({"a": [1, -2, 2.5, "x", null, true]}));
    }
}
