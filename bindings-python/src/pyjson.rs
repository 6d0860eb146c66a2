//! Python arguments as JSON values for the core: what `json.dumps` takes (dicts, lists, tuples,
//! str, int, float, bool, None), and also models and result views, read without a trip through
//! JSON text.

use crate::view;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// `obj` as a JSON value; `path` names where a value that is not JSON data was found.
pub fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(n.into());
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(n.into());
        }
        // Beyond 64 bits, as serde_json reads such a number from text.
        return number(obj.extract::<f64>()?, path);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return number(f.value(), path);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = if let Ok(s) = k.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else if k.is_instance_of::<PyInt>() && !k.is_instance_of::<PyBool>() {
                k.str()?.to_cow()?.into_owned()
            } else {
                return Err(PyTypeError::new_err(format!("{}: keys must be str, not {}", name(path), k.get_type().name()?)));
            };
            let value = to_value(&v, &format!("{path}.{key}"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::with_capacity(obj.len()?);
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(to_value(&item?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(items));
    }
    if let Some(text) = view::text_of(obj) {
        return serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("{}: {e}", name(path))));
    }
    if obj.is_instance(model_class(obj.py())?)? {
        return to_value(&obj.getattr(pyo3::intern!(obj.py(), "_data"))?, path);
    }
    if let Some(value) = host_value(obj, path)? {
        return Ok(value);
    }
    Err(PyTypeError::new_err(format!("{}: {} is not JSON data", name(path), obj.get_type().name()?)))
}

/// Values a data script has at hand that are not JSON data, read as the API wants them:
/// `pandas.NA`/`NaT` as null; `datetime` and `pandas.Timestamp` as RFC 3339 (a naive one is
/// taken as UTC); `date` as `YYYY-MM-DD`; `Decimal` as a number when a JSON number carries it
/// exactly, else as its text (which amounts accept); numpy scalars as the Python value they hold.
/// Only reached for values that are none of the plain JSON types, so plain calls never pay.
fn host_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Option<Value>> {
    let py = obj.py();
    let ty = obj.get_type();
    let type_name = ty.name()?;
    let type_name = type_name.to_cow()?;
    if type_name == "NAType" || type_name == "NaTType" {
        return Ok(Some(Value::Null));
    }
    if obj.is_instance(stdlib(py, &DATETIME, "datetime", "datetime")?)? {
        let text: String = obj.call_method0(pyo3::intern!(py, "isoformat"))?.extract()?;
        let naive = obj.getattr(pyo3::intern!(py, "tzinfo"))?.is_none();
        return Ok(Some(Value::String(if naive { text + "Z" } else { text })));
    }
    if obj.is_instance(stdlib(py, &DATE, "datetime", "date")?)? {
        return Ok(Some(Value::String(obj.call_method0(pyo3::intern!(py, "isoformat"))?.extract()?)));
    }
    if obj.is_instance(stdlib(py, &DECIMAL, "decimal", "Decimal")?)? {
        let text: String = obj.str()?.extract()?;
        let Some(amount) = narvar_core::Amount::parse(&text) else {
            return Err(PyValueError::new_err(format!("{}: Decimal({text}) is not a JSON number", name(path))));
        };
        // The core's own rule for writing an amount: a number when exact, else its text.
        return Ok(Some(serde_json::to_value(amount).map_err(|e| PyValueError::new_err(format!("{}: {e}", name(path))))?));
    }
    let module = ty.module()?;
    if module.to_cow()?.starts_with("numpy") && obj.hasattr(pyo3::intern!(py, "item"))? {
        let plain = obj.call_method0(pyo3::intern!(py, "item"))?;
        if !plain.get_type().is(&ty) {
            return to_value(&plain, path).map(Some);
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

fn name(path: &str) -> &str {
    if path.is_empty() {
        "the input"
    } else {
        path.trim_start_matches('.')
    }
}

fn number(f: f64, path: &str) -> PyResult<Value> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| PyValueError::new_err(format!("{}: {f} is not a JSON number", name(path))))
}

/// `narvar._model.Model`, the base of every typed model.
fn model_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODEL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(MODEL.get_or_try_init(py, || py.import("narvar._model")?.getattr("Model").map(Bound::unbind))?.bind(py))
}
