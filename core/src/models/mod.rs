//! Every model of the Narvar API. Field names are the wire names; see `../shared/narvar-api.md`
//! for where each comes from and how sure it is.

pub mod carriers;
pub mod common;
pub mod orders;
pub mod promise;
pub mod returns;
pub mod tracking;
pub mod webhooks;

pub use carriers::*;
pub use common::*;
pub use orders::*;
pub use promise::*;
pub use returns::*;
pub use tracking::*;
pub use webhooks::*;

use crate::drift::Path;
use serde::de::{self, Visitor};
use std::fmt;

/// Unknown fields of an object, in the order they came.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// An object key, borrowed from the input when it can be. Used by the model macros.
#[doc(hidden)]
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
    pub fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// Finds unknown keys that are likely misspellings of a known field (`custmer` for `customer`),
/// at every object level the models know. Unknown keys that look like no known field are
/// extension fields and pass (they are kept in `extra` and sent).
pub trait Misspellings {
    /// Records, under `at` (rendered only for a key it reports: most inputs have none), each
    /// such key here and below.
    fn misspellings(&self, _at: &Path<'_>, _out: &mut Vec<crate::FieldError>) {}
}

impl<T: Misspellings> Misspellings for Option<T> {
    fn misspellings(&self, at: &Path<'_>, out: &mut Vec<crate::FieldError>) {
        if let Some(v) = self {
            v.misspellings(at, out);
        }
    }
}
impl<T: Misspellings> Misspellings for Vec<T> {
    fn misspellings(&self, at: &Path<'_>, out: &mut Vec<crate::FieldError>) {
        for (i, v) in self.iter().enumerate() {
            v.misspellings(&Path::Index(at, i), out);
        }
    }
}
impl Misspellings for String {}
impl Misspellings for bool {}
impl Misspellings for i64 {}
impl Misspellings for f64 {}
impl Misspellings for Extra {}
impl Misspellings for serde_json::Value {}
impl Misspellings for crate::values::Amount {}
impl Misspellings for crate::values::StringBool {}
impl<S: crate::values::CountStyle> Misspellings for crate::values::Count<S> {}

/// The known field `key` most likely meant, if it is close: the same letters in another case
/// or separator (`orderNumber`, `order-number`), or within a small edit distance (a swap, a
/// missing, extra or wrong letter: one for names of 4 to 8 letters, two beyond, none below).
///
/// ```
/// use narvar_core::models::likely_field;
/// let known = ["customer", "order_number", "order_date"];
/// assert_eq!(likely_field("custmer", &known), Some("customer"));
/// assert_eq!(likely_field("order_nubmer", &known), Some("order_number"));
/// assert_eq!(likely_field("orderNumber", &known), Some("order_number"));
/// assert_eq!(likely_field("loyalty_tier", &known), None);
/// ```
pub fn likely_field<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let folded: Vec<String> = known.iter().map(|k| fold(k)).collect();
    likely_among(key, known, &folded)
}

/// Lower case without `_` and `-`: `orderNumber`, `order-number` and `order_number` are alike.
fn fold(s: &str) -> String {
    s.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

/// [`likely_field`] with the known names already folded (once per object, not once per key).
fn likely_among<'k>(key: &str, known: &[&'k str], folded: &[String]) -> Option<&'k str> {
    let key_folded = fold(key);
    if key_folded.is_empty() || known.contains(&key) {
        return None;
    }
    // Short names are too close to each other to guess at; long ones survive two slips.
    let limit = match key_folded.chars().count() {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    };
    known
        .iter()
        .zip(folded)
        // The distance is at least the difference in length: most names are ruled out cheaply.
        .filter(|(_, f)| f.len().abs_diff(key_folded.len()) <= limit * 4)
        .map(|(k, f)| (k, strsim::damerau_levenshtein(&key_folded, f)))
        .filter(|(_, d)| *d <= limit)
        .min_by_key(|(_, d)| *d)
        .map(|(k, _)| *k)
}

/// Checks the keys of `extra` against `known` (a model's wire names), for the model macro.
#[doc(hidden)]
pub fn misspelt_keys(extra: &Extra, known: &[&str], at: &Path<'_>, out: &mut Vec<crate::FieldError>) {
    if extra.is_empty() {
        return;
    }
    let folded: Vec<String> = known.iter().map(|k| fold(k)).collect();
    for key in extra.keys() {
        if let Some(meant) = likely_among(key, known, &folded) {
            out.push(crate::FieldError::new(
                Path::Field(at, key).exact(),
                "unknown_field",
                format!("is an unknown field; did you mean `{meant}`?"),
            ));
        }
    }
}

/// Whether a model field is left out when written (an absent option, an empty list or map).
#[doc(hidden)]
pub trait WireField: Sized {
    fn is_absent(&self) -> bool {
        false
    }

    /// Reads the field's value from its model's map: `null` is the field's default.
    fn read_value<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>
    where
        Self: serde::Deserialize<'de> + Default,
    {
        Ok(map.next_value::<Option<Self>>()?.unwrap_or_default())
    }
}

impl<T> WireField for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }

    // An option reads `null` as `None` itself: no second option around it (whose reader would be
    // instantiated once more per field type, in a wasm module whose size is a budget).
    fn read_value<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>
    where
        Self: serde::Deserialize<'de> + Default,
    {
        map.next_value()
    }
}
impl<T> WireField for Vec<T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
}
impl WireField for Extra {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
}
impl WireField for serde_json::Value {
    fn is_absent(&self) -> bool {
        self.is_null()
    }
}
impl WireField for String {}
impl WireField for bool {}
impl WireField for i64 {}
impl WireField for f64 {}
