//! [`Raw`]: JSON read into a light tree for the models to be read from. Objects are lists of
//! entries in the order sent, and strings are borrowed from the text unless they hold escapes.
//! A `serde_json::Value` builds a hash map per object and copies every string; for an 8 KB order
//! that took 2.5 times as long to build and drop (natively and in wasm), and the models are read
//! from the tree once, then it is dropped.
//!
//! A key sent twice stays twice, in order: a model reads the last one, as it would from a
//! `Value`; an operation's derived input refuses it as a duplicate field.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON value, borrowing its strings from the text (or from the `Value`) it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Raw<'a>>),
    Object(Vec<(Cow<'a, str>, Raw<'a>)>),
}

impl<'a> Raw<'a> {
    /// Reads JSON text as `serde_json::from_str` does (the same errors, the same depth limit).
    ///
    /// ```
    /// use narvar_core::codec::Raw;
    /// let raw = Raw::parse(r#"{"order_number": "1001", "order_items": []}"#).unwrap();
    /// assert_eq!(raw.get("order_number"), Some(&Raw::String("1001".into())));
    /// assert!(Raw::parse("{} x").unwrap_err().to_string().starts_with("trailing characters"));
    /// ```
    pub fn parse(text: &'a str) -> Result<Raw<'a>, serde_json::Error> {
        let mut reader = serde_json::Deserializer::from_str(text);
        let raw = Read.deserialize(&mut reader)?;
        reader.end()?;
        Ok(raw)
    }

    /// The tree of a `Value`, borrowing its strings.
    pub fn from_value(value: &'a Value) -> Raw<'a> {
        match value {
            Value::Null => Raw::Null,
            Value::Bool(b) => Raw::Bool(*b),
            Value::Number(n) => Raw::Number(n.clone()),
            Value::String(s) => Raw::String(Cow::Borrowed(s)),
            Value::Array(items) => Raw::Array(items.iter().map(Raw::from_value).collect()),
            Value::Object(map) => Raw::Object(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Raw::from_value(v))).collect()),
        }
    }

    /// The tree with every string owned, to be kept past the text or `Value` it was read from.
    pub fn into_owned(self) -> Raw<'static> {
        match self {
            Raw::Null => Raw::Null,
            Raw::Bool(b) => Raw::Bool(b),
            Raw::Number(n) => Raw::Number(n),
            Raw::String(s) => Raw::String(Cow::Owned(s.into_owned())),
            Raw::Array(items) => Raw::Array(items.into_iter().map(Raw::into_owned).collect()),
            Raw::Object(entries) => {
                Raw::Object(entries.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned())).collect())
            }
        }
    }

    /// The tree as a `Value` (a key sent twice keeps its last value, in its first place).
    pub fn to_value(&self) -> Value {
        match self {
            Raw::Null => Value::Null,
            Raw::Bool(b) => Value::Bool(*b),
            Raw::Number(n) => Value::Number(n.clone()),
            Raw::String(s) => Value::String(s.clone().into_owned()),
            Raw::Array(items) => Value::Array(items.iter().map(Raw::to_value).collect()),
            Raw::Object(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone().into_owned(), v.to_value())).collect()),
        }
    }

    /// The value of `key` in an object (its last, as a `Value` keeps it).
    pub fn get(&self, key: &str) -> Option<&Raw<'a>> {
        match self {
            Raw::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Reads one value of the tree: the one serde visitor it takes (not generic over the model).
struct Read;

impl<'de> DeserializeSeed<'de> for Read {
    type Value = Raw<'de>;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Raw<'de>, D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Read {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Raw<'de>, E> {
        // As `Value` reads it: a float JSON cannot hold is null.
        Ok(Number::from_f64(n).map_or(Raw::Null, Raw::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Raw<'de>, A::Error> {
        let mut out = Vec::with_capacity(items.size_hint().unwrap_or(0).min(64));
        while let Some(item) = items.next_element_seed(Read)? {
            out.push(item);
        }
        Ok(Raw::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Raw<'de>, A::Error> {
        let mut out = Vec::with_capacity(entries.size_hint().unwrap_or(0).min(64));
        while let Some(key) = entries.next_key_seed(ReadKey)? {
            out.push((key, entries.next_value_seed(Read)?));
        }
        Ok(Raw::Object(out))
    }
}

/// Reads an object's key, borrowed unless it holds escapes.
struct ReadKey;

impl<'de> DeserializeSeed<'de> for ReadKey {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Cow<'de, str>, D::Error> {
        reader.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for ReadKey {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

#[cfg(test)]
mod tests {
    use super::Raw;
    use serde_json::{json, Value};

    #[test]
    fn text_and_value_give_the_same_tree() {
        let text = r#"{"a": [1, -2, 2.5, "x\n", null, true], "b": {"c": "d"}, "é": 1}"#;
        let value: Value = serde_json::from_str(r#"{"a": [1, -2, 2.5, "x\n", null, true], "b": {"c": "d"}, "é": 1}"#).unwrap();
        let raw = Raw::parse(text).unwrap();
        assert_eq!(raw.get("a"), Raw::from_value(&value).get("a"));
        assert_eq!(raw.get("b").unwrap().to_value(), json!({"c": "d"}));
        assert!(
            matches!(raw.get("a"), Some(Raw::Array(items)) if matches!(&items[3], Raw::String(std::borrow::Cow::Owned(s)) if s == "x\n"))
        );
    }

    #[test]
    fn errors_are_serde_jsons() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "nul", "\"\\q\""] {
            assert_eq!(
                Raw::parse(bad).unwrap_err().to_string(),
                serde_json::from_str::<Value>(bad).unwrap_err().to_string(),
                "{bad}"
            );
        }
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(Raw::parse(&nested(super::super::MAX_NESTING)).is_ok());
        assert!(Raw::parse(&nested(super::super::MAX_NESTING + 1)).unwrap_err().to_string().contains("recursion limit"));
    }

    #[test]
    fn a_key_sent_twice_reads_as_its_last_value() {
        let raw = Raw::parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(raw.get("a"), Some(&Raw::Number(3.into())));
        assert_eq!(raw.to_value().to_string(), r#"{"a":3,"b":2}"#);
    }
}
