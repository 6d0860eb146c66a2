//! Read-only views over JSON text kept in Rust. A view indexes one object or array of the text
//! (where each member's value starts and ends) and makes a Python object only when a member is
//! read, so `order.order_items[0].sku` makes a handful of objects where `json.loads` of the whole
//! order would make hundreds. `to_python()` gives plain dicts and lists when all is wanted.

use pyo3::exceptions::{PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::intern;
use pyo3::types::{PyList, PySlice, PyString, PyType};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Where a member's value lies in the text.
type Span = Range<usize>;

/// A member name: a span of the text, or decoded when it had escapes.
enum Key {
    At(Span),
    Decoded(Box<str>),
}

/// The index of one JSON object: its members in order.
struct Members(Vec<(Key, Span)>);

/// The index of one JSON array: its items in order.
struct Items(Vec<Span>);

fn span_of(text: &str, part: &str) -> Span {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    start..start + part.len()
}

/// A member name, borrowed from the text when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(s))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(s))
            }
        }
        d.deserialize_str(V)
    }
}

/// The top level of a value: an object's members or an array's items (nested values are
/// skipped over, not built).
enum Shape<'de> {
    Object(Vec<(Cow<'de, str>, &'de RawValue)>),
    Array(Vec<&'de RawValue>),
}

impl<'de> serde::Deserialize<'de> for Shape<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object or array")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(k) = map.next_key_seed(KeySeed)? {
                    members.push((k, map.next_value::<&'de RawValue>()?));
                }
                Ok(Shape::Object(members))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(8));
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    items.push(item);
                }
                Ok(Shape::Array(items))
            }
        }
        d.deserialize_any(V)
    }
}

/// A view of the value at `span` of `text`: an object or array view (indexed when first read),
/// or the scalar itself.
fn view_at<'py>(py: Python<'py>, text: &Arc<str>, span: Span) -> PyResult<Bound<'py, PyAny>> {
    let part = &text[span.clone()];
    let text = text.clone();
    match part.as_bytes().first() {
        Some(b'{') => Ok(Bound::new(py, JsonObject { text, outer: span, members: OnceLock::new() })?.into_any()),
        Some(b'[') => Ok(Bound::new(py, JsonArray { text, outer: span, items: OnceLock::new() })?.into_any()),
        Some(b'"') if !part.contains('\\') => Ok(PyString::new(py, &part[1..part.len() - 1]).into_any()),
        Some(b'"') => {
            let s: String = serde_json::from_str(part).map_err(bad_json)?;
            Ok(PyString::new(py, &s).into_any())
        }
        Some(b't') => Ok(true.into_pyobject(py)?.to_owned().into_any()),
        Some(b'f') => Ok(false.into_pyobject(py)?.to_owned().into_any()),
        Some(b'n') => Ok(py.None().into_bound(py)),
        _ => number(py, part),
    }
}

fn bad_json(e: serde_json::Error) -> PyErr {
    PyValueError::new_err(format!("JSON: {e}"))
}

/// The top level of the value at `span`: its members or items (nested values skipped, not built).
fn shape<'t>(text: &'t str, span: &Span) -> PyResult<Shape<'t>> {
    serde_json::from_str(&text[span.clone()]).map_err(bad_json)
}

/// A JSON number as Python reads it: `int` when written without a fraction or exponent (of any
/// size), else `float`.
fn number<'py>(py: Python<'py>, part: &str) -> PyResult<Bound<'py, PyAny>> {
    if !part.contains(['.', 'e', 'E']) {
        if let Ok(n) = part.parse::<i64>() {
            return Ok(n.into_pyobject(py)?.into_any());
        }
        return py.import("builtins")?.getattr("int")?.call1((part,));
    }
    let n: f64 = part.parse().map_err(|_| PyValueError::new_err(format!("JSON: {part:?} is not a number")))?;
    Ok(n.into_pyobject(py)?.into_any())
}

/// Plain Python data for the value at `span` (by `json.loads`, CPython's own fast reader).
fn plain_at<'py>(py: Python<'py>, text: &str, span: Span) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS.get_or_try_init(py, || py.import("json")?.getattr("loads").map(Bound::unbind))?;
    loads.bind(py).call1((&text[span],))
}

/// `other` as plain Python data when it is a view, else itself (for comparisons).
fn plain_other<'py>(other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(o) = other.cast::<JsonObject>() {
        return o.get().to_python(other.py());
    }
    if let Ok(a) = other.cast::<JsonArray>() {
        return a.get().to_python(other.py());
    }
    Ok(other.clone())
}

/// A read-only mapping over one JSON object (what typed results are views of).
#[pyclass(frozen, mapping, module = "narvar._native")]
pub struct JsonObject {
    text: Arc<str>,
    outer: Span,
    members: OnceLock<Members>,
}

impl JsonObject {
    fn members(&self) -> PyResult<&Members> {
        if let Some(m) = self.members.get() {
            return Ok(m);
        }
        let Shape::Object(found) = shape(&self.text, &self.outer)? else {
            return Err(PyValueError::new_err("JSON: not an object"));
        };
        let members = found
            .into_iter()
            .map(|(k, v)| {
                let key = match k {
                    Cow::Borrowed(b) => Key::At(span_of(&self.text, b)),
                    Cow::Owned(o) => Key::Decoded(o.into_boxed_str()),
                };
                (key, span_of(&self.text, v.get()))
            })
            .collect();
        Ok(self.members.get_or_init(|| Members(members)))
    }

    fn key<'a>(&'a self, key: &'a Key) -> &'a str {
        match key {
            Key::At(span) => &self.text[span.clone()],
            Key::Decoded(k) => k,
        }
    }

    fn find(&self, name: &str) -> PyResult<Option<Span>> {
        Ok(self.members()?.0.iter().find(|(k, _)| self.key(k) == name).map(|(_, v)| v.clone()))
    }
}

#[pymethods]
impl JsonObject {
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.find(key)? {
            Some(span) => view_at(py, &self.text, span),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = match key.extract::<Cow<'_, str>>() {
            Ok(k) => self.find(&k)?,
            Err(_) => None,
        };
        match found {
            Some(span) => view_at(py, &self.text, span),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        match key.extract::<Cow<'_, str>>() {
            Ok(k) => Ok(self.find(&k)?.is_some()),
            Err(_) => Ok(false),
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        Ok(self.members()?.0.len())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.try_iter().map(Bound::into_any)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.members()?.0.iter().map(|(k, _)| self.key(k)))
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for (_, v) in &self.members()?.0 {
            list.append(view_at(py, &self.text, v.clone())?)?;
        }
        Ok(list)
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for (k, v) in &self.members()?.0 {
            list.append((self.key(k), view_at(py, &self.text, v.clone())?))?;
        }
        Ok(list)
    }

    /// A new dict of plain data (dicts, lists, scalars) all the way down.
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain_at(py, &self.text, self.outer.clone())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(o) = other.cast::<JsonObject>() {
            let o = o.get();
            if Arc::ptr_eq(&self.text, &o.text) && self.outer == o.outer {
                return Ok(true);
            }
        }
        self.to_python(py)?.eq(plain_other(other)?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.to_python(py)?.repr()?.to_string())
    }

    /// Pickles as the plain dict.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
        Ok((py.import("builtins")?.getattr("dict")?, (self.to_python(py)?,)))
    }
}

/// A read-only sequence over one JSON array.
#[pyclass(frozen, sequence, module = "narvar._native")]
pub struct JsonArray {
    text: Arc<str>,
    outer: Span,
    items: OnceLock<Items>,
}

impl JsonArray {
    fn items(&self) -> PyResult<&Items> {
        if let Some(i) = self.items.get() {
            return Ok(i);
        }
        let Shape::Array(found) = shape(&self.text, &self.outer)? else {
            return Err(PyValueError::new_err("JSON: not an array"));
        };
        let items = found.into_iter().map(|v| span_of(&self.text, v.get())).collect();
        Ok(self.items.get_or_init(|| Items(items)))
    }

    fn views<'py>(&self, py: Python<'py>, spans: impl Iterator<Item = Span>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for span in spans {
            list.append(view_at(py, &self.text, span)?)?;
        }
        Ok(list)
    }
}

#[pymethods]
impl JsonArray {
    fn __len__(&self) -> PyResult<usize> {
        Ok(self.items()?.0.len())
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let items = &self.items()?.0;
        let len = items.len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let s = slice.indices(len as isize)?;
            let picked = (0..s.slicelength).map(|n| items[(s.start + n as isize * s.step) as usize].clone());
            return self.views(py, picked).map(Bound::into_any);
        }
        let i: isize = index.extract().map_err(|_| PyTypeError::new_err("list indices must be integers or slices"))?;
        let at = if i < 0 { i + len as isize } else { i };
        match usize::try_from(at).ok().and_then(|at| items.get(at)) {
            Some(span) => view_at(py, &self.text, span.clone()),
            None => Err(PyIndexError::new_err("list index out of range")),
        }
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.views(py, self.items()?.0.iter().cloned())?.try_iter().map(Bound::into_any)
    }

    /// The items as a list of `model` instances over their views (items that are not objects
    /// stay as they are): what a model's list field reads as, made here rather than item by item
    /// in Python.
    fn wrap_each<'py>(&self, py: Python<'py>, model: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyList>> {
        static NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let new = NEW.get_or_try_init(py, || py.import("builtins")?.getattr("object")?.getattr("__new__").map(Bound::unbind))?.bind(py);
        let list = PyList::empty(py);
        for span in self.items()?.0.iter().cloned() {
            let item = view_at(py, &self.text, span)?;
            if item.is_instance_of::<JsonObject>() {
                let m = new.call1((model,))?;
                m.setattr(intern!(py, "_data"), item)?;
                m.setattr(intern!(py, "meta"), py.None())?;
                list.append(m)?;
            } else {
                list.append(item)?;
            }
        }
        Ok(list)
    }

    /// A new list of plain data all the way down.
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain_at(py, &self.text, self.outer.clone())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.to_python(py)?.eq(plain_other(other)?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.to_python(py)?.repr()?.to_string())
    }

    /// Pickles as the plain list.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
        Ok((py.import("builtins")?.getattr("list")?, (self.to_python(py)?,)))
    }
}

/// A view of JSON text the core wrote (the value of a result).
pub fn view_of(py: Python<'_>, text: String) -> PyResult<Bound<'_, PyAny>> {
    let text: Arc<str> = text.into();
    let span = 0..text.len();
    view_at(py, &text, span)
}

/// Parses JSON text (str or bytes) into a view (objects and arrays) or a scalar; the whole text
/// is checked first.
#[pyfunction]
pub fn parse_json<'py>(py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let text: String = match text.cast::<PyString>() {
        Ok(s) => s.to_cow()?.into_owned(),
        Err(_) => {
            let bytes = text.extract::<Vec<u8>>().map_err(|_| PyTypeError::new_err("JSON text must be str or bytes"))?;
            String::from_utf8(bytes).map_err(|e| PyValueError::new_err(format!("JSON: {e}")))?
        }
    };
    let trimmed = text.trim();
    serde_json::from_str::<&RawValue>(trimmed).map_err(bad_json)?;
    let start = text.len() - text.trim_start().len();
    let span = start..start + trimmed.len();
    view_at(py, &Arc::from(text), span)
}
