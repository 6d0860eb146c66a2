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

/// Whether a model field is left out when written (an absent option, an empty list or map).
#[doc(hidden)]
pub trait WireField {
    fn is_absent(&self) -> bool {
        false
    }
}

impl<T> WireField for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
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
