//! [`Encode`]: models and operation inputs written as JSON bytes by their own writers, one plain
//! function per type, instead of through serde's `Serialize`, whose map serializer and entries
//! are instantiated again for every model and field type (in the wasm module, whose size is its
//! users' load time). Written by the macros that declare the types, from the same field lists as
//! their `Serialize`, and byte for byte the same text (`tests/decode.rs` compares the two over
//! every object of the vectors). Scalars are written by serde_json, once per type, so each
//! number's and string's form is written in one place.

use crate::models::{Extra, WireField};
use serde::Serialize;

/// A type written as compact JSON.
///
/// ```
/// use narvar_core::codec;
/// use narvar_core::models::OrderInfo;
/// let order: OrderInfo = codec::from_text(r#"{"order_number": "1001", "colour": "red"}"#).unwrap();
/// assert_eq!(codec::write_text(&order), r#"{"order_number":"1001","colour":"red"}"#);
/// ```
pub trait Encode {
    /// Appends the value's JSON to `out`.
    fn encode(&self, out: &mut Vec<u8>);
}

/// An object being written: its fields, then its unknown ones.
#[doc(hidden)]
pub struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    /// Opens the object.
    pub fn open(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Writes `key` and a comma before it when needed.
    #[inline(never)]
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        scalar(key, self.out);
        self.out.push(b':');
    }

    /// A model's field: left out when absent (an empty option, list or map).
    #[inline(never)]
    pub fn field<T: Encode + WireField>(&mut self, key: &str, value: &T) {
        if !value.is_absent() {
            self.required(key, value);
        }
    }

    /// An input's field that is always written.
    pub fn required<T: Encode + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        value.encode(self.out);
    }

    /// The unknown fields, in the order they came.
    pub fn extra(&mut self, extra: &Extra) {
        for (key, value) in extra {
            self.required(key, value);
        }
    }

    /// Closes the object.
    pub fn close(self) {
        self.out.push(b'}');
    }
}

/// A model's fields, written into an object that may hold others (an input that flattens it).
#[doc(hidden)]
pub trait EncodeFields {
    /// Writes the fields into `object`.
    fn encode_fields(&self, object: &mut Object<'_>);
}

/// A scalar written by serde_json (its one writer of that type).
fn scalar<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing a scalar into a `Vec` cannot fail; a non-finite float is written as `null`.
    let _ = serde_json::to_writer(out, value);
}

macro_rules! by_serde {
    ($($ty:ty),*) => {
        $(impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                scalar(self, out)
            }
        })*
    };
}

by_serde!(
    str,
    String,
    bool,
    i64,
    u64,
    u32,
    f64,
    crate::values::Amount,
    crate::values::StringBool,
    crate::secret::Secret,
    crate::secret::SecretJson,
    serde_json::Value,
    Extra
);

impl<S: crate::values::CountStyle> Encode for crate::values::Count<S> {
    fn encode(&self, out: &mut Vec<u8>) {
        scalar(self, out)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => v.encode(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.encode(out);
        }
        out.push(b']');
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

/// An open enum's value (for `open_enum!`).
#[doc(hidden)]
pub fn open_enum(text: &str, out: &mut Vec<u8>) {
    scalar(text, out)
}
