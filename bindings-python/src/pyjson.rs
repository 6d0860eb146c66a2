//! Python arguments as JSON values for the core: what `json.dumps` takes (dicts, lists, tuples,
//! str, int, float, bool, None), and also models and result views, read without a trip through
//! JSON text.

use crate::view;
use narvar_core::codec::Raw;
use narvar_core::drift::Path;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Number, Value};
use std::borrow::Cow;

/// `obj` as a JSON value (for the client's settings); `root` names the input in errors.
pub fn to_value(obj: &Bound<'_, PyAny>, root: &str) -> PyResult<Value> {
    let at = if root.is_empty() { Path::Root } else { Path::Field(&Path::Root, root) };
    Ok(to_raw(obj, &at)?.to_value())
}

/// `obj` as the core's JSON tree, read straight from the Python objects (no `serde_json::Value`,
/// whose hash map per object the core would only read from and drop). `at` names where a value
/// that is not JSON data was found; its text is made only then.
pub fn to_raw(obj: &Bound<'_, PyAny>, at: &Path<'_>) -> PyResult<Raw<'static>> {
    to_raw_nested(obj, at, 0)
}

/// [`to_raw`] of a value inside `depth` dicts and lists: deeper than the core's JSON readers go
/// is a `ValueError` (and the recursion stays far from the end of the stack).
fn to_raw_nested(obj: &Bound<'_, PyAny>, at: &Path<'_>, depth: usize) -> PyResult<Raw<'static>> {
    if obj.is_none() {
        return Ok(Raw::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Raw::String(Cow::Owned(s.to_cow()?.into_owned())));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Raw::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Raw::Number(n.into()));
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Raw::Number(n.into()));
        }
        // Beyond 64 bits, as serde_json reads such a number from text.
        return number(obj.extract::<f64>()?, at);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return number(f.value(), at);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        within_nesting(at, depth)?;
        let mut entries = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = if let Ok(s) = k.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else if k.is_instance_of::<PyInt>() && !k.is_instance_of::<PyBool>() {
                k.str()?.to_cow()?.into_owned()
            } else {
                return Err(PyTypeError::new_err(format!("{}: keys must be str, not {}", name(at), k.get_type().name()?)));
            };
            let value = to_raw_nested(&v, &Path::Field(at, &key), depth + 1)?;
            entries.push((Cow::Owned(key), value));
        }
        return Ok(Raw::Object(entries));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        within_nesting(at, depth)?;
        let mut items = Vec::with_capacity(obj.len()?);
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(to_raw_nested(&item?, &Path::Index(at, i), depth + 1)?);
        }
        return Ok(Raw::Array(items));
    }
    if let Some(text) = view::text_of(obj) {
        return Raw::parse(text).map(Raw::into_owned).map_err(|e| PyValueError::new_err(format!("{}: {e}", name(at))));
    }
    if obj.is_instance(model_class(obj.py())?)? {
        return to_raw_nested(&obj.getattr(pyo3::intern!(obj.py(), "_data"))?, at, depth);
    }
    if let Some(value) = host_value(obj, at, depth)? {
        return Ok(value);
    }
    Err(PyTypeError::new_err(format!("{}: {} is not JSON data", name(at), obj.get_type().name()?)))
}

/// Values a data script has at hand that are not JSON data, read as the API wants them:
/// `pandas.NA`/`NaT` as null; `datetime` and `pandas.Timestamp` as RFC 3339 (a naive one is
/// taken as UTC); `date` as `YYYY-MM-DD`; `Decimal` as a number when a JSON number carries it
/// exactly, else as its text (which amounts accept); numpy scalars as the Python value they hold.
/// Only reached for values that are none of the plain JSON types, so plain calls never pay.
fn host_value(obj: &Bound<'_, PyAny>, at: &Path<'_>, depth: usize) -> PyResult<Option<Raw<'static>>> {
    let py = obj.py();
    let ty = obj.get_type();
    let type_name = ty.name()?;
    let type_name = type_name.to_cow()?;
    if type_name == "NAType" || type_name == "NaTType" {
        return Ok(Some(Raw::Null));
    }
    if obj.is_instance(stdlib(py, &DATETIME, "datetime", "datetime")?)? {
        let text: String = obj.call_method0(pyo3::intern!(py, "isoformat"))?.extract()?;
        let naive = obj.getattr(pyo3::intern!(py, "tzinfo"))?.is_none();
        return Ok(Some(Raw::String(Cow::Owned(if naive { text + "Z" } else { text }))));
    }
    if obj.is_instance(stdlib(py, &DATE, "datetime", "date")?)? {
        return Ok(Some(Raw::String(Cow::Owned(obj.call_method0(pyo3::intern!(py, "isoformat"))?.extract()?))));
    }
    if obj.is_instance(stdlib(py, &DECIMAL, "decimal", "Decimal")?)? {
        let text: String = obj.str()?.extract()?;
        let Some(amount) = narvar_core::Amount::parse(&text) else {
            return Err(PyValueError::new_err(format!("{}: Decimal({text}) is not a JSON number", name(at))));
        };
        // The core's own rule for writing an amount: a number when exact, else its text.
        let value = serde_json::to_value(amount).map_err(|e| PyValueError::new_err(format!("{}: {e}", name(at))))?;
        return Ok(Some(Raw::from_value(&value).into_owned()));
    }
    let module = ty.module()?;
    if module.to_cow()?.starts_with("numpy") && obj.hasattr(pyo3::intern!(py, "item"))? {
        let plain = obj.call_method0(pyo3::intern!(py, "item"))?;
        if !plain.get_type().is(&ty) {
            return to_raw_nested(&plain, at, depth).map(Some);
        }
    }
    Ok(None)
}

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A class of the standard library, imported once.
fn stdlib<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    module: &str,
    class: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    Ok(cell.get_or_try_init(py, || py.import(module)?.getattr(class).map(Bound::unbind))?.bind(py))
}

/// A dict or list inside `depth` others: deeper than the core's JSON readers go is a `ValueError`.
fn within_nesting(at: &Path<'_>, depth: usize) -> PyResult<()> {
    if depth < narvar_core::codec::MAX_NESTING {
        return Ok(());
    }
    Err(PyValueError::new_err(format!("{}: {}", name(at), narvar_core::codec::too_deep())))
}

/// Where a value is, as an error names it.
fn name(at: &Path<'_>) -> String {
    match at {
        Path::Root => "the input".to_owned(),
        _ => at.exact(),
    }
}

fn number(f: f64, at: &Path<'_>) -> PyResult<Raw<'static>> {
    Number::from_f64(f).map(Raw::Number).ok_or_else(|| PyValueError::new_err(format!("{}: {f} is not a JSON number", name(at))))
}

/// `narvar._model.Model`, the base of every typed model.
fn model_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODEL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(MODEL.get_or_try_init(py, || py.import("narvar._model")?.getattr("Model").map(Bound::unbind))?.bind(py))
}
