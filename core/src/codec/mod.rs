//! How the core turns JSON text into models and models into JSON text: the one place that picks
//! the path for it.
//!
//! Responses natively straight from the text by serde_json, the fastest way (the Rust client,
//! Python, Node, mobile). Inputs, and on wasm32 every response, are read through a [`Raw`] tree
//! instead, by each type's own reader ([`Decode`], written by the macros that declare the types),
//! which names the field of an error ([`from_raw`]): no serde visitor per model in the wasm
//! module, whose size is its users' load time. Models are written only as text, a `Value` of a
//! model being that text read back ([`to_value`]), so each model's `Serialize` serves one
//! serializer. A target, not a feature: a feature would be unified into every native build of
//! the workspace. Core code writes models through this module, never `serde_json::to_value`.
//!
//! ```
//! use narvar_core::codec;
//! use narvar_core::models::OrderInfo;
//! let order: OrderInfo = codec::from_text(r#"{"order_number": "1001"}"#).unwrap();
//! assert_eq!(codec::to_text(&order).unwrap(), r#"{"order_number":"1001"}"#);
//! let e = codec::from_json::<OrderInfo>(&serde_json::json!({"order_number": "1", "order_items": [{"quantity": "x"}]}));
//! assert_eq!(e.unwrap_err().path(), "order_items[0].quantity");
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

mod decode;
mod encode;
mod raw;
mod tracked;
pub use decode::*;
pub use encode::*;
pub use raw::Raw;
pub use tracked::Level;

/// How deep JSON arrays and objects may nest: serde_json's recursion limit, which every reader
/// of the core's JSON (text, `Raw`, `Value`) stops at. A binding that builds the tree itself
/// (Python, from its objects) refuses deeper input the same way, before anything is sent.
pub const MAX_NESTING: usize = 127;

/// What every binding says, after the path, of input nested deeper than [`MAX_NESTING`].
///
/// ```
/// assert_eq!(narvar_core::codec::too_deep(), "nested more than 127 levels deep, which JSON readers refuse");
/// ```
pub fn too_deep() -> String {
    format!("nested more than {MAX_NESTING} levels deep, which JSON readers refuse")
}

pub use tracked::DecodeError;

/// Reads a model from a JSON value, naming the path of what does not fit (`a.b[0].c: ...`).
pub fn from_json<T: Decode>(value: &Value) -> Result<T, DecodeError> {
    from_raw(&Raw::from_value(value))
}

/// Reads a model from a [`Raw`] tree, naming the path of what does not fit (`a.b[0].c: ...`).
pub fn from_raw<T: Decode>(value: &Raw<'_>) -> Result<T, DecodeError> {
    at_root(|root| T::decode(value, root))
}

/// Reads any serde type from a JSON value by its `Deserialize`, naming the path of what does
/// not fit: for types that are not models (the client's options).
pub fn from_json_by_serde<T: DeserializeOwned>(value: &Value) -> Result<T, DecodeError> {
    let raw = Raw::from_value(value);
    at_root(|root| T::deserialize(tracked::Tracked { value: &raw, at: root }))
}

/// Runs a read from the root, the error carrying the path where it began.
fn at_root<T>(read: impl FnOnce(&Level<'_>) -> Result<T, serde_json::Error>) -> Result<T, DecodeError> {
    let tracker = tracked::Tracker::default();
    let root = Level { tracker: &tracker, path: crate::drift::Path::Root };
    read(&root).map_err(|inner| DecodeError { path: tracker.error_path(), inner })
}

/// Reads a model from JSON text; the error says what does not fit (and, on wasm32, where).
pub fn from_text<T: DeserializeOwned + Decode>(text: &str) -> Result<T, String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    #[cfg(target_arch = "wasm32")]
    {
        let value = Raw::parse(text).map_err(|e| e.to_string())?;
        from_raw(&value).map_err(|e| e.to_string())
    }
}

/// Writes a model as JSON text (compact).
pub fn to_text<T: Serialize + ?Sized>(model: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(model)
}

/// Writes a model as JSON bytes (compact).
pub fn to_bytes<T: Serialize + ?Sized>(model: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(model)
}

/// A model as a JSON value.
pub fn to_value<T: Serialize + ?Sized>(model: &T) -> Result<Value, serde_json::Error> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_value(model)
    }
    #[cfg(target_arch = "wasm32")]
    {
        // Written and read back: a model's serde code then serves one serializer only.
        serde_json::from_slice(&to_bytes(model)?)
    }
}

/// Writes a model (or an input) as compact JSON bytes, by its own writer.
pub fn write<T: Encode + ?Sized>(model: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    model.encode(&mut out);
    out
}

/// Writes a model (or an input) as compact JSON text, by its own writer.
pub fn write_text<T: Encode + ?Sized>(model: &T) -> String {
    // Written from strings and serde_json's scalars: always UTF-8.
    String::from_utf8(write(model)).unwrap_or_default()
}

/// A model (or an input) as a JSON value: natively by its `Serialize` (no text between), on
/// wasm32 its text read back (no serde code per model there).
pub fn write_value<T: Encode + Serialize + ?Sized>(model: &T) -> Result<Value, serde_json::Error> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_value(model)
    }
    #[cfg(target_arch = "wasm32")]
    {
        serde_json::from_slice(&write(model))
    }
}
