//! Read-only views over JSON text kept in Rust. The text is indexed once, in one pass (where
//! each object's members and each array's items start and end), and a Python object is made only
//! when a member is read, so `order.order_items[0].sku` makes a handful of objects where
//! `json.loads` of the whole order would make hundreds. `to_python()` gives plain dicts and lists
//! when all is wanted.

use pyo3::exceptions::{PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PySlice, PyString, PyType};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// Where a value lies in the text.
type Span = Range<usize>;

/// A member name: a span of the text (inside the quotes), or decoded when it had escapes.
enum Key {
    At(Span),
    Decoded(Box<str>),
}

/// One member of an object (with its name) or item of an array (without).
struct Entry {
    key: Option<Key>,
    value: Span,
}

/// One object or array: where it starts, and its entries (a range of `Doc::entries`).
struct Container {
    start: usize,
    object: bool,
    entries: Range<usize>,
}

/// JSON text and the index of every object and array in it.
pub struct Doc {
    text: String,
    /// Every container's entries, each container's together.
    entries: Vec<Entry>,
    /// Sorted by where they start.
    containers: Vec<Container>,
}

impl Doc {
    /// Indexes `text`, which must be valid JSON (the core wrote it, or serde_json checked it).
    fn new(text: String) -> Doc {
        let (entries, containers) = index(&text);
        Doc { text, entries, containers }
    }

    fn entries(&self, at: usize, object: bool) -> PyResult<&[Entry]> {
        match self.containers.binary_search_by_key(&at, |c| c.start) {
            Ok(i) if self.containers[i].object == object => Ok(&self.entries[self.containers[i].entries.clone()]),
            _ => Err(PyValueError::new_err(if object { "JSON: not an object" } else { "JSON: not an array" })),
        }
    }

    fn key<'a>(&'a self, entry: &'a Entry) -> &'a str {
        match &entry.key {
            Some(Key::At(span)) => &self.text[span.clone()],
            Some(Key::Decoded(k)) => k,
            None => "",
        }
    }
}

/// A container being indexed: where it starts, whether it is an object, where its entries begin
/// on the pending stack, and the name read for its next member.
struct Open {
    start: usize,
    object: bool,
    mark: usize,
    key: Option<Key>,
}

/// One pass over valid JSON, reading only its structure (brackets, string ends, token ends):
/// every container's entries, each container's stored together. Values are read when asked for.
fn index(text: &str) -> (Vec<Entry>, Vec<Container>) {
    let b = text.as_bytes();
    let (mut entries, mut containers) = (Vec::new(), Vec::new());
    let mut pending: Vec<Entry> = Vec::with_capacity(32);
    let mut open: Vec<Open> = Vec::with_capacity(8);
    let done = |open: &mut Vec<Open>, pending: &mut Vec<Entry>, value: Span| {
        if let Some(top) = open.last_mut() {
            let key = if top.object { top.key.take() } else { None };
            pending.push(Entry { key, value });
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => {
                open.push(Open { start: i, object: b[i] == b'{', mark: pending.len(), key: None });
                i += 1;
            }
            b'}' | b']' => {
                i += 1;
                if let Some(c) = open.pop() {
                    let first = entries.len();
                    entries.extend(pending.drain(c.mark..));
                    containers.push(Container { start: c.start, object: c.object, entries: first..entries.len() });
                    done(&mut open, &mut pending, c.start..i);
                }
            }
            b'"' => {
                let start = i;
                let mut escaped = false;
                i += 1;
                while let Some(at) = memchr::memchr2(b'"', b'\\', &b[i..]) {
                    i += at;
                    if b[i] == b'"' {
                        break;
                    }
                    escaped = true;
                    i += 2;
                }
                i += 1;
                match open.last_mut() {
                    Some(top) if top.object && top.key.is_none() => {
                        top.key = Some(if escaped {
                            let name: String = serde_json::from_str(&text[start..i.min(b.len())]).unwrap_or_default();
                            Key::Decoded(name.into_boxed_str())
                        } else {
                            Key::At(start + 1..i - 1)
                        });
                    }
                    _ => done(&mut open, &mut pending, start..i),
                }
            }
            b',' | b':' | b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            _ => {
                let start = i;
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    i += 1;
                }
                done(&mut open, &mut pending, start..i);
            }
        }
    }
    containers.sort_unstable_by_key(|c| c.start);
    (entries, containers)
}

/// A view of the value at `span` of the document: an object or array view, or the scalar itself.
fn view_at<'py>(py: Python<'py>, doc: &Arc<Doc>, span: Span) -> PyResult<Bound<'py, PyAny>> {
    let part = &doc.text[span.clone()];
    match part.as_bytes().first() {
        Some(b'{') => Ok(Bound::new(py, JsonObject { doc: doc.clone(), outer: span })?.into_any()),
        Some(b'[') => Ok(Bound::new(py, JsonArray { doc: doc.clone(), outer: span })?.into_any()),
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
    doc: Arc<Doc>,
    outer: Span,
}

impl JsonObject {
    fn members(&self) -> PyResult<&[Entry]> {
        self.doc.entries(self.outer.start, true)
    }

    fn key<'a>(&'a self, entry: &'a Entry) -> &'a str {
        self.doc.key(entry)
    }

    fn find(&self, name: &str) -> PyResult<Option<Span>> {
        Ok(self.members()?.iter().find(|e| self.key(e) == name).map(|e| e.value.clone()))
    }
}

#[pymethods]
impl JsonObject {
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.find(key)? {
            Some(span) => view_at(py, &self.doc, span),
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
            Some(span) => view_at(py, &self.doc, span),
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
        Ok(self.members()?.len())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.try_iter().map(Bound::into_any)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.members()?.iter().map(|e| self.key(e)))
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for e in self.members()? {
            list.append(view_at(py, &self.doc, e.value.clone())?)?;
        }
        Ok(list)
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for e in self.members()? {
            list.append((self.key(e), view_at(py, &self.doc, e.value.clone())?))?;
        }
        Ok(list)
    }

    /// A new dict of plain data (dicts, lists, scalars) all the way down.
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain_at(py, &self.doc.text, self.outer.clone())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(o) = other.cast::<JsonObject>() {
            let o = o.get();
            if Arc::ptr_eq(&self.doc, &o.doc) && self.outer == o.outer {
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
    doc: Arc<Doc>,
    outer: Span,
}

impl JsonArray {
    fn items(&self) -> PyResult<&[Entry]> {
        self.doc.entries(self.outer.start, false)
    }

    fn views<'py>(&self, py: Python<'py>, spans: impl Iterator<Item = Span>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for span in spans {
            list.append(view_at(py, &self.doc, span)?)?;
        }
        Ok(list)
    }
}

#[pymethods]
impl JsonArray {
    fn __len__(&self) -> PyResult<usize> {
        Ok(self.items()?.len())
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let items = &self.items()?;
        let len = items.len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let s = slice.indices(len as isize)?;
            let picked = (0..s.slicelength).map(|n| items[(s.start + n as isize * s.step) as usize].value.clone());
            return self.views(py, picked).map(Bound::into_any);
        }
        let i: isize = index.extract().map_err(|_| PyTypeError::new_err("list indices must be integers or slices"))?;
        let at = if i < 0 { i + len as isize } else { i };
        match usize::try_from(at).ok().and_then(|at| items.get(at)) {
            Some(e) => view_at(py, &self.doc, e.value.clone()),
            None => Err(PyIndexError::new_err("list index out of range")),
        }
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.views(py, self.items()?.iter().map(|e| e.value.clone()))?.try_iter().map(Bound::into_any)
    }

    /// The items as a list of `model` instances over their views (items that are not objects
    /// stay as they are): what a model's list field reads as, made here rather than item by item
    /// in Python.
    fn wrap_each<'py>(&self, py: Python<'py>, model: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyList>> {
        static NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let new =
            NEW.get_or_try_init(py, || py.import("builtins")?.getattr("object")?.getattr("__new__").map(Bound::unbind))?.bind(py);
        let list = PyList::empty(py);
        for span in self.items()?.iter().map(|e| e.value.clone()) {
            let item = view_at(py, &self.doc, span)?;
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
        plain_at(py, &self.doc.text, self.outer.clone())
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

/// An instance of `model` (a `narvar` model class) over `data`, as `Model._wrap` makes one.
pub fn new_model<'py>(model: &Bound<'py, PyAny>, data: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = model.py();
    static NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let new =
        NEW.get_or_try_init(py, || py.import("builtins")?.getattr("object")?.getattr("__new__").map(Bound::unbind))?.bind(py);
    let m = new.call1((model,))?;
    m.setattr(intern!(py, "_data"), data)?;
    m.setattr(intern!(py, "meta"), py.None())?;
    Ok(m)
}

/// Plain Python data for a view, else the value itself.
pub fn plain<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    match text_of(value) {
        Some(text) => plain_at(value.py(), text, 0..text.len()),
        None => Ok(value.clone()),
    }
}

/// The JSON text of a view (an object or array of a result), if `obj` is one.
pub fn text_of<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    if let Ok(o) = obj.cast::<JsonObject>() {
        let o = o.get();
        return Some(&o.doc.text[o.outer.clone()]);
    }
    if let Ok(a) = obj.cast::<JsonArray>() {
        let a = a.get();
        return Some(&a.doc.text[a.outer.clone()]);
    }
    None
}

/// A view of JSON text the core wrote (the value of a result).
pub fn view_of(py: Python<'_>, text: String) -> PyResult<Bound<'_, PyAny>> {
    let span = 0..text.len();
    view_at(py, &Arc::new(Doc::new(text)), span)
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
    view_at(py, &Arc::new(Doc::new(text)), span)
}
