//! [`Decode`]: models and operation inputs read straight from a [`Raw`] tree, one plain
//! function per type, instead of through serde's `Deserialize`, whose visitor, map access and
//! seeds are instantiated again for every model and every field type (a third of the wasm
//! module's code was serde's).
//!
//! The readers are written by the macros that declare the types (`model!`, `open_enum!`, the
//! operations' `op_input!`), from the same field lists as their serde code, and say what serde
//! says: the same errors (`invalid type: string "x", expected i64`, ``unknown field `x` ``,
//! ``missing field `x` ``), at the same paths. Scalars with rules of their own (amounts,
//! counts, flags, numbers) are read by their serde code, once per type, so each rule is
//! written once.

use super::tracked::{invalid_type, Level, Tracked};
use super::Raw;
use crate::models::Extra;
use serde::de::{DeserializeOwned, Error as _};
use serde_json::Error;
use std::borrow::Cow;

/// A type read from a [`Raw`] tree. `at` is where it is, for the path of an error.
///
/// ```
/// use narvar_core::codec;
/// use narvar_core::models::OrderInfo;
/// let raw = codec::Raw::parse(r#"{"order_number": "1001", "order_items": [{"quantity": "two"}]}"#).unwrap();
/// let e = codec::from_raw::<OrderInfo>(&raw).unwrap_err();
/// assert_eq!(e.path(), "order_items[0].quantity");
/// ```
pub trait Decode: Sized {
    /// Reads the value; an error is noted at the deepest place it began.
    fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error>;
}

/// Reads what `at` holds, noting `at` as the place of an error that began there.
#[doc(hidden)]
pub fn noted<T: Decode>(value: &Raw<'_>, at: &Level<'_>) -> Result<T, Error> {
    let read = T::decode(value, at);
    if read.is_err() {
        at.fail();
    }
    read
}

/// Reads a model's field into its place: `null` is the field's default, as is a missing one.
/// Once per field type, not inlined into each model's reader (a model has dozens of fields).
#[doc(hidden)]
#[inline(never)]
pub fn field<T: Decode + Default>(place: &mut T, value: &Raw<'_>, at: &Level<'_>, key: &str) -> Result<(), Error> {
    *place = match value {
        Raw::Null => T::default(),
        _ => noted(value, &at.field(key))?,
    };
    Ok(())
}

/// Where `key` is among a model's field names (`known.len()` when it is not one of them).
#[doc(hidden)]
pub fn position(known: &[&str], key: &str) -> usize {
    known.iter().position(|k| *k == key).unwrap_or(known.len())
}

/// The entries of an object, or the error of what is there instead.
#[doc(hidden)]
pub fn entries<'v, 'a>(value: &'v Raw<'a>, expected: &str) -> Result<&'v [(Cow<'a, str>, Raw<'a>)], Error> {
    match value {
        Raw::Object(entries) => Ok(entries),
        other => Err(invalid_type(other, &expected)),
    }
}

/// Keeps an unknown field in a model's `extra` (a key sent twice keeps its last value).
#[doc(hidden)]
pub fn keep(extra: &mut Extra, key: &str, value: &Raw<'_>) {
    extra.insert(key.to_owned(), value.to_value());
}

/// The error of an input's key it does not know (noted at the key, as serde's derive does).
#[doc(hidden)]
pub fn unknown_field(key: &str, known: &'static [&'static str], at: &Level<'_>) -> Error {
    at.fail();
    Error::unknown_field(key, known)
}

/// Reads an input's field into its place; a field sent twice is the error of the object.
#[doc(hidden)]
#[inline(never)]
pub fn input_field<T: Decode>(
    place: &mut Option<T>,
    name: &'static str,
    value: &Raw<'_>,
    at: &Level<'_>,
    key: &str,
) -> Result<(), Error> {
    if place.is_some() {
        return Err(Error::duplicate_field(name));
    }
    *place = Some(noted(value, &at.field(key))?);
    Ok(())
}

/// An input's required field; a missing one is the error of the object.
#[doc(hidden)]
pub fn required<T>(read: Option<T>, name: &'static str) -> Result<T, Error> {
    read.ok_or_else(|| Error::missing_field(name))
}

/// The remaining entries of an input, read as the model its struct flattens.
#[doc(hidden)]
pub fn flattened<T: Decode>(rest: Vec<(Cow<'_, str>, Raw<'_>)>, at: &Level<'_>) -> Result<T, Error> {
    T::decode(&Raw::Object(rest), at)
}

/// A scalar read by its serde code (its rules are written there, once).
fn by_serde<T: DeserializeOwned>(value: &Raw<'_>, at: &Level<'_>) -> Result<T, Error> {
    T::deserialize(Tracked { value, at })
}

macro_rules! by_serde {
    ($($ty:ty),*) => {
        $(impl Decode for $ty {
            fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error> {
                by_serde(value, at)
            }
        })*
    };
}

by_serde!(bool, i64, u64, u32, f64, crate::values::Amount, crate::values::StringBool, crate::secret::Secret);

impl<S: crate::values::CountStyle> Decode for crate::values::Count<S> {
    fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error> {
        // One reader for both styles: they read alike and differ only in how they are written.
        let n: crate::values::Quantity = by_serde(value, at)?;
        Ok(Self::new(n.get()))
    }
}

impl Decode for String {
    fn decode(value: &Raw<'_>, _: &Level<'_>) -> Result<Self, Error> {
        match value {
            Raw::String(s) => Ok(s.as_ref().to_owned()),
            other => Err(invalid_type(other, &"a string")),
        }
    }
}

impl Decode for serde_json::Value {
    fn decode(value: &Raw<'_>, _: &Level<'_>) -> Result<Self, Error> {
        Ok(value.to_value())
    }
}

impl Decode for crate::secret::SecretJson {
    fn decode(value: &Raw<'_>, _: &Level<'_>) -> Result<Self, Error> {
        Ok(Self(value.to_value()))
    }
}

impl Decode for Extra {
    fn decode(value: &Raw<'_>, _: &Level<'_>) -> Result<Self, Error> {
        let mut out = Extra::new();
        for (key, value) in entries(value, "a map")? {
            keep(&mut out, key, value);
        }
        Ok(out)
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error> {
        match value {
            Raw::Null => Ok(None),
            _ => T::decode(value, at).map(Some),
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error> {
        let Raw::Array(items) = value else { return Err(invalid_type(value, &"a sequence")) };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(noted(item, &at.index(i))?);
        }
        Ok(out)
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(value: &Raw<'_>, at: &Level<'_>) -> Result<Self, Error> {
        T::decode(value, at).map(Box::new)
    }
}

/// The text of an open enum's value (its `Key` reader's error for anything else).
#[doc(hidden)]
pub fn open_enum_text<'v>(value: &'v Raw<'_>) -> Result<&'v str, Error> {
    match value {
        Raw::String(s) => Ok(s),
        other => Err(invalid_type(other, &"a string")),
    }
}
